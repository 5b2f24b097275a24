"""STS benchmark: AssumeRole per second, and temporary versus long-term credentials.

One run starts Sekisho (`python -m sekisho serve`, SQLite in a temporary data
directory), creates a user `bench-user` and a role `bench-role` with the same
inline policy (`iam:GetUser` on `*`), and measures:

1. AssumeRole per second, in process (the ASGI app built by `create_app` on the
   same data directory, no HTTP) and over HTTP with several client threads,
   each on its own keep-alive connection;
2. the app's CPU cost per signed request in process, side by side:
   - STS GetCallerIdentity with the user's long-term key, with temporary
     credentials of the same user (GetSessionToken), and with a role session;
   - IAM GetUser by the user (long-term key) and by a role session of a role
     with the same policy;
   with the ratio temporary / long-term (target: at most 1.2).

Each request is signed once with botocore's own SigV4Auth and replayed: SigV4
accepts a replay while its `X-Amz-Date` is within the clock-skew window, and
every AssumeRole replay issues new credentials (and records the role's last
use), as a fresh request would. In-process figures are the best of `--repeats`
runs of CPU time per request (handlers' worker threads included); `--profile`
prints where the time of the temporary-credential calls goes (cProfile).

Usage: `python bench/sts_bench.py [--smoke] [--profile] [--iterations N]
[--repeats N] [--threads N] [--duration S] [--workers N]`.
Exit status: 0 when every request was answered 200, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

REGION = "us-east-1"
TARGET_RATIO = 1.2
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})


@dataclass(frozen=True)
class Signed:
    """One signed form POST, exactly as it must go on the wire to verify."""

    name: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def sign(name: str, endpoint: str, creds: Credentials, service: str,
         params: dict[str, str]) -> Signed:
    url = endpoint.rstrip("/") + "/"
    body = urlencode(params)
    request = AWSRequest(method="POST", url=url, data=body.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(creds, service, REGION).add_auth(request)
    headers = [("Host", urlsplit(url).netloc)]
    headers += [(k, str(v)) for k, v in request.headers.items() if k.lower() != "host"]
    return Signed(name, url, tuple(headers), body.encode())


def sts_call(action: str, **params: str) -> dict[str, str]:
    return {"Action": action, "Version": "2011-06-15", **params}


def iam_call(action: str, **params: str) -> dict[str, str]:
    return {"Action": action, "Version": "2010-05-08", **params}


# --- in process


def _scope(call: Signed) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = urlsplit(call.url)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": parts.path,
             "raw_path": parts.path.encode(), "query_string": b"", "root_path": "",
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4599),
             "headers": [(k.lower().encode(), v.encode()) for k, v in call.headers]}
    return scope, {"type": "http.request", "body": call.body, "more_body": False}


async def _drive(app: Any, call: Signed, iterations: int) -> set[int]:
    scope, message = _scope(call)
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return message

    async def send(event: MutableMapping[str, Any]) -> None:
        if event["type"] == "http.response.start":
            statuses.add(event["status"])

    for _ in range(iterations):
        await app(dict(scope), receive, send)
    return statuses


@dataclass(frozen=True)
class Cost:
    cpu_us: float  # CPU µs per request (best run)
    per_second: float  # requests per wall-clock second (best run)
    ok: bool


def in_process(app: Any, call: Signed, iterations: int, repeats: int) -> Cost:
    statuses = asyncio.run(_drive(app, call, max(5, iterations // 10)))
    best_cpu, best_rate = float("inf"), 0.0
    for _ in range(repeats):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        statuses |= asyncio.run(_drive(app, call, iterations))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        best_cpu = min(best_cpu, cpu / iterations * 1e6)
        best_rate = max(best_rate, iterations / wall)
    return Cost(best_cpu, best_rate, statuses == {200})


_LOOP_FRAMES = ("runners.py", "base_events.py", "events.py", "~:0(<method 'run' of '_contextvars")


def profile(app: Any, call: Signed, iterations: int, limit: int = 22) -> None:
    import cProfile
    import pstats
    from unittest import mock

    async def inline(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    profiler = cProfile.Profile()
    with mock.patch.object(asyncio, "to_thread", inline):
        profiler.runcall(asyncio.run, _drive(app, call, iterations))
    stats = pstats.Stats(profiler)
    rows = [(cum, own, f"{Path(file).name}:{line}({name})")
            for (file, line, name), (_, _, own, cum, _) in stats.stats.items()]  # type: ignore[attr-defined]
    total = max(r[0] for r in rows)
    print(f"    profile of {call.name} ({iterations} requests; cumulative share, own µs/req):")
    shown = [r for r in sorted(rows, reverse=True) if not r[2].startswith(_LOOP_FRAMES)]
    for cum, own, where in shown[:limit]:
        print(f"      {cum / total:6.1%} {own / iterations * 1e6:7.1f}  {where}")


# --- over HTTP


def over_http(call: Signed, threads: int, duration: float) -> tuple[float, bool]:
    """Requests/s answered by the server with `threads` client threads for `duration` s."""
    parts = urlsplit(call.url)
    counts = [0] * threads
    failures = [0] * threads
    stop = time.perf_counter() + duration

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(parts.netloc, timeout=30)
        headers = dict(call.headers)
        while time.perf_counter() < stop:
            conn.request("POST", parts.path, body=call.body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
            else:
                failures[index] += 1
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - started), not any(failures)


# --- setup


@dataclass(frozen=True)
class Principals:
    user: Credentials  # long-term key of bench-user
    user_session: Credentials  # GetSessionToken of bench-user
    role_session: Credentials  # AssumeRole of bench-role by bench-user
    role_arn: str


def set_up(server: Any) -> Principals:
    iam = server.client("iam")
    account = server.client("sts").get_caller_identity()["Account"]
    iam.create_user(UserName="bench-user")
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    allow_assume = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:GetUser", "sts:AssumeRole"], "Resource": "*"}]})
    iam.put_user_policy(UserName="bench-user", PolicyName="bench", PolicyDocument=allow_assume)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:user/bench-user"},
         "Action": "sts:AssumeRole"}]})
    role_arn = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=trust,
                               MaxSessionDuration=43200)["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-role", PolicyName="bench", PolicyDocument=POLICY)
    user_key = (key["AccessKeyId"], key["SecretAccessKey"])
    sts = server.client("sts", user_key)
    session = sts.get_session_token()["Credentials"]
    assumed = sts.assume_role(RoleArn=role_arn, RoleSessionName="bench")["Credentials"]

    def temporary(c: dict[str, Any]) -> Credentials:
        return Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])

    return Principals(Credentials(*user_key), temporary(session), temporary(assumed), role_arn)


def pairs(endpoint: str, p: Principals) -> list[tuple[Signed, Signed]]:
    """(long-term, temporary) signed requests for the same call."""
    identity = sts_call("GetCallerIdentity")
    get_user = iam_call("GetUser", UserName="bench-user")
    return [
        (sign("GetCallerIdentity user key", endpoint, p.user, "sts", identity),
         sign("GetCallerIdentity user session", endpoint, p.user_session, "sts", identity)),
        (sign("GetCallerIdentity user key", endpoint, p.user, "sts", identity),
         sign("GetCallerIdentity role session", endpoint, p.role_session, "sts", identity)),
        (sign("GetUser user key", endpoint, p.user, "iam", get_user),
         sign("GetUser role session", endpoint, p.role_session, "iam", get_user)),
    ]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a short run that checks it works")
    parser.add_argument("--profile", action="store_true",
                        help="profile AssumeRole and the temporary-credential calls in process")
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds over HTTP")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    args = parser.parse_args(argv)
    if args.smoke:
        args.iterations, args.repeats, args.duration = 60, 1, 0.5
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from sekisho.app import create_app
    from sekisho.settings import Settings
    from tests.support.server import run_server

    print(f"STS benchmark: {args.iterations} requests x {args.repeats} in process, "
          f"{args.threads} client threads x {args.duration:g} s over HTTP, {args.workers} "
          f"server workers; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
          flush=True)
    ok = True
    with tempfile.TemporaryDirectory(prefix="sekisho-sts-bench-") as tmp, \
            run_server(Path(tmp) / "data", workers=args.workers) as server:
        principals = set_up(server)
        app = create_app(Settings(data_dir=server.data_dir))
        assume = sign("AssumeRole", server.endpoint, principals.user, "sts",
                      sts_call("AssumeRole", RoleArn=principals.role_arn,
                               RoleSessionName="bench", DurationSeconds="900"))
        cost = in_process(app, assume, max(10, args.iterations // 5), args.repeats)
        if args.profile:
            profile(app, assume, max(10, args.iterations // 10))
        rate, http_ok = over_http(assume, args.threads, args.duration)
        ok = ok and cost.ok and http_ok
        print(f"  AssumeRole in process: {cost.per_second:8.0f} /s ({cost.cpu_us:7.1f} µs CPU "
              f"each){'' if cost.ok else '  FAILED: non-200 answers'}")
        print(f"  AssumeRole over HTTP:  {rate:8.0f} /s ({args.threads} client threads, "
              f"{args.workers} workers){'' if http_ok else '  FAILED: non-200 answers'}")
        print(f"  {'same call, in process (CPU µs/request)':<44} {'long-term':>10} "
              f"{'temporary':>10} {'ratio':>7}")
        for long_term, temporary in pairs(server.endpoint, principals):
            base = in_process(app, long_term, args.iterations, args.repeats)
            temp = in_process(app, temporary, args.iterations, args.repeats)
            ok = ok and base.ok and temp.ok
            ratio = temp.cpu_us / base.cpu_us
            verdict = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO}x"
            label = f"{long_term.name} vs {temporary.name.split(' ', 1)[1]}"
            print(f"  {label:<44} {base.cpu_us:10.1f} {temp.cpu_us:10.1f} {ratio:6.2f}x "
                  f"{verdict}{'' if base.ok and temp.ok else '  FAILED: non-200 answers'}")
            if args.profile:
                profile(app, temporary, args.iterations)
        app.services.store.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
