"""Authorization benchmark: what enforcing real policies costs a signed IAM call.

One run, on SQLite in a temporary data directory:

1. starts `sekisho serve` and creates, with boto3 as root, an IAM user `w1-user`
   whose effective policies are W1-sized: the user is in 3 groups; the user and
   each group carry an inline and a managed policy, plus 2 more managed policies on
   the user (10 policies, 40 statements), with conditions on `aws:SourceIp`,
   `aws:RequestedRegion` and `aws:MultiFactorAuthPresent`, and one explicit deny;
2. over HTTP (wrk, the server's 2 workers): signed `GetUser UserName=w1-user` by
   `w1-user` itself and the same call by root (whose calls need no policy), each
   replayed by wrk; prints requests/s for both and their ratio;
3. in process (the ASGI app built here, no HTTP): the same two calls, alternated in
   rounds, as requests/s and CPU µs per request;
4. counts the SQL statements SQLAlchemy sends during warm `w1-user` requests (a
   `before_cursor_execute` listener), split into those sent while the authorizer
   decides and the handler's own; and how often the authorizer asked the store's
   change token (SQLite: `PRAGMA data_version` on a raw connection, which reads no
   table). A warm authorization must send zero statements: the script exits 1 if not.

Usage: `python bench/authorization_bench.py [--smoke] [--duration S] [--iterations N]`.
Without `wrk` (Debian package `wrk`) the HTTP figures are skipped and the script
says so. Exit status: 0 when every call answered 200 and warm authorization sent no
SQL, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:  # for bench.* and tests.support.* when run as a script
    sys.path.insert(0, str(REPO_ROOT))

from bench.server_bench import (  # noqa: E402
    WRK_HINT,
    SignedCall,
    WrkSettings,
    measure,
    sign,
)

W1_USER = "w1-user"
GET_USER = f"Action=GetUser&UserName={W1_USER}&Version=2010-05-08"
GROUPS = ("w1-dev", "w1-ops", "w1-audit")

Statement = dict[str, Any]


# --- the W1 principal


def _statements(tag: str) -> list[Statement]:
    """Four statements of the kinds real policies hold: service wildcards, IAM reads
    scoped by path, and conditions on the network, the region and MFA."""
    return [
        {"Sid": f"S3{tag}", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
         "Resource": [f"arn:aws:s3:::bucket-{tag}", f"arn:aws:s3:::bucket-{tag}/*"]},
        {"Sid": f"Ec2{tag}", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
        {"Sid": f"Iam{tag}", "Effect": "Allow", "Action": ["iam:List*", "iam:GetGroup"],
         "Resource": f"arn:aws:iam::*:group/{tag}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}}},
        {"Sid": f"Mfa{tag}", "Effect": "Allow", "Action": ["iam:Update*", "iam:Tag*"],
         "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    ]


def w1_documents() -> list[tuple[str, list[Statement]]]:
    """The 10 documents (40 statements), one of them holding GetUser's allow and another
    the explicit deny."""
    docs = [(f"w1-{i}", _statements(f"t{i}")) for i in range(10)]
    docs[3][1][0] = {"Sid": "GetUsers", "Effect": "Allow", "Action": "iam:GetUser",
                     "Resource": "*", "Condition": {
                         "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                         "StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
    docs[7][1][1] = {"Sid": "NoDeleteWithoutMfa", "Effect": "Deny",
                     "Action": ["iam:Delete*", "iam:Detach*"], "Resource": "*",
                     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    return docs


def create_w1_user(iam: Any) -> tuple[str, str]:
    """Create `w1-user`, its groups and policies; returns its access key."""
    def doc(statements: list[Statement]) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": statements})

    docs = w1_documents()
    iam.create_user(UserName=W1_USER)
    owners: list[tuple[str, str]] = [("user", W1_USER), ("user", W1_USER)]
    for group in GROUPS:
        iam.create_group(GroupName=group)
        iam.add_user_to_group(GroupName=group, UserName=W1_USER)
        owners.append(("group", group))
    # docs 0-4: managed (user, user, three groups); 5-9: inline (user, user, three groups)
    for (kind, name), (policy_name, statements) in zip(owners, docs[:5], strict=True):
        arn = iam.create_policy(PolicyName=policy_name,
                                PolicyDocument=doc(statements))["Policy"]["Arn"]
        if kind == "user":
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        else:
            iam.attach_group_policy(GroupName=name, PolicyArn=arn)
    for (kind, name), (policy_name, statements) in zip(owners, docs[5:], strict=True):
        if kind == "user":
            iam.put_user_policy(UserName=name, PolicyName=policy_name,
                                PolicyDocument=doc(statements))
        else:
            iam.put_group_policy(GroupName=name, PolicyName=policy_name,
                                 PolicyDocument=doc(statements))
    key = iam.create_access_key(UserName=W1_USER)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


# --- in process


def _asgi(call: SignedCall) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = urlsplit(call.url)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": call.method, "scheme": "http", "path": parts.path,
             "raw_path": parts.path.encode(), "query_string": parts.query.encode(),
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4599),
             "headers": [(k.lower().encode(), v.encode()) for k, v in call.headers]}
    return scope, {"type": "http.request", "body": call.body, "more_body": False}


async def _drive(app: Any, call: SignedCall, iterations: int) -> None:
    """Send `call` through `app` `iterations` times. Raises RuntimeError on a non-200."""
    scope, message = _asgi(call)
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return message

    async def send(event: MutableMapping[str, Any]) -> None:
        if event["type"] == "http.response.start":
            statuses.add(event["status"])

    for _ in range(iterations):
        await app(dict(scope), receive, send)
    if statuses != {200}:
        raise RuntimeError(f"{call.name} in process: statuses {sorted(statuses)}")


@dataclass
class InProcess:
    name: str
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def in_process(app: Any, calls: list[SignedCall], iterations: int,
               rounds: int = 5) -> list[InProcess]:
    """Requests/s and CPU per request of each call, alternated in `rounds` so that both
    see the same machine load."""
    figures = [InProcess(call.name) for call in calls]
    for call in calls:
        asyncio.run(_drive(app, call, max(20, iterations // 10)))  # warm every cache
    for _ in range(rounds):
        for call, figure in zip(calls, figures, strict=True):
            wall, cpu = time.perf_counter(), time.process_time()
            asyncio.run(_drive(app, call, iterations // rounds))
            figure.seconds += time.perf_counter() - wall
            figure.cpu += time.process_time() - cpu
            figure.requests += iterations // rounds
    return figures


# --- counting what touches the database


@dataclass
class Counts:
    requests: int = 0
    sql_in_authorization: int = 0
    sql_elsewhere: int = 0
    change_token_reads: int = 0  # by the authorizer; the credential resolver reads it too
    authorizations: int = 0
    authorization_seconds: float = 0.0  # wall time inside Authorizer.authorize


@contextmanager
def counting(app: Any) -> Iterator[Counts]:
    """Counts SQL statements (all engines) and change-token reads while active, telling
    those sent while the authorizer decides from the rest."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    services = app.services
    authorizer = services.authorizer
    changes = authorizer._changes  # the watch the authorizer consults on each decision
    counts = Counts()
    inside = threading.local()

    def on_statement(*_: Any) -> None:
        if getattr(inside, "active", False):
            counts.sql_in_authorization += 1
        else:
            counts.sql_elsewhere += 1

    real_authorize: Callable[..., None] = authorizer.authorize
    real_token: Callable[[], object] = changes.token

    def authorize(*args: Any, **kwargs: Any) -> None:
        inside.active = True
        counts.authorizations += 1
        started = time.perf_counter()
        try:
            real_authorize(*args, **kwargs)
        finally:
            counts.authorization_seconds += time.perf_counter() - started
            inside.active = False

    def token() -> object:
        if getattr(inside, "active", False):
            counts.change_token_reads += 1
        return real_token()

    event.listen(Engine, "before_cursor_execute", on_statement)
    authorizer.authorize = authorize
    changes.token = token
    try:
        yield counts
    finally:
        event.remove(Engine, "before_cursor_execute", on_statement)
        del authorizer.authorize
        del changes.token


def warm_database_use(app: Any, call: SignedCall, iterations: int) -> Counts:
    asyncio.run(_drive(app, call, 20))  # warm: compiled policies cached
    with counting(app) as counts:
        asyncio.run(_drive(app, call, iterations))
        counts.requests = iterations
    return counts


def cold_database_use(app: Any, call: SignedCall) -> Counts:
    """One request right after the authorizer's cache was emptied: what a miss costs."""
    app.services.authorizer._cache.clear()
    with counting(app) as counts:
        asyncio.run(_drive(app, call, 1))
        counts.requests = 1
    return counts


# --- the run


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a short run that checks it works")
    parser.add_argument("--duration", type=float, default=8.0, help="wrk seconds per call")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--iterations", type=int, default=3_000,
                        help="in-process requests per call")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.iterations = 1.0, 300
    return args


def run_http(args: argparse.Namespace, calls: list[SignedCall], workdir: Path,
             pid: int) -> bool:
    if shutil.which("wrk") is None:
        print(f"  SKIPPED HTTP figures: {WRK_HINT}", flush=True)
        return True
    settings = WrkSettings(args.duration, min(1.0, args.duration), args.connections, 2, None)
    rates: list[float] = []
    ok = True
    for call in calls:
        _, result = measure(call, settings, workdir, pid)
        ok = ok and result.ok
        rates.append(result.rps)
        print(f"  HTTP  {call.name:<16} {result.rps:9,.0f} req/s  p50 {result.p50_ms:6.2f} ms"
              f"  p99 {result.p99_ms:6.2f} ms  server CPU {result.server_cpu_us:6.0f} µs/req"
              f"{'' if result.ok else '  FAILED'}", flush=True)
    print(f"  HTTP  W1 user / root: {rates[0] / rates[1]:.1%}" if rates[1] else "", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from sekisho.app import create_app
    from sekisho.settings import Settings
    from tests.support.server import run_server

    print(f"authorization benchmark: W1 user (3 groups, 10 policies, 40 statements) vs root, "
          f"GetUser; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="sekisho-authz-bench-") as tmp:
        workdir = Path(tmp)
        with run_server(workdir / "data", workers=args.workers) as server:
            w1_key = create_w1_user(server.client("iam"))
            calls = [sign("GetUser by W1", server.endpoint, w1_key, "iam", GET_USER),
                     sign("GetUser by root", server.endpoint, server.root_key, "iam",
                          GET_USER)]
            ok = run_http(args, calls, workdir, server.process.pid)
        app = create_app(Settings(data_dir=workdir / "data"))
        figures = in_process(app, calls, args.iterations)
        for figure in figures:
            print(f"  in process {figure.name:<16} {figure.rps:9,.0f} req/s  "
                  f"{figure.cpu / max(figure.requests, 1) * 1e6:6.0f} µs CPU/req", flush=True)
        print(f"  in process W1 user / root: {figures[0].rps / figures[1].rps:.1%}", flush=True)
        warm = warm_database_use(app, calls[0], max(100, args.iterations // 10))
        cold = cold_database_use(app, calls[0])
    print(f"  warm W1 GetUser x{warm.requests}: {warm.sql_in_authorization} SQL statements "
          f"while authorizing ({warm.authorizations} authorizations), "
          f"{warm.sql_elsewhere} elsewhere (the handler reading the user: "
          f"{warm.sql_elsewhere / warm.requests:.1f}/request); "
          f"{warm.change_token_reads} change-token reads by the authorizer "
          f"({warm.change_token_reads / warm.requests:.1f}/request, SQLite PRAGMA "
          f"data_version, no table read)", flush=True)
    print(f"  warm authorization: {warm.authorization_seconds / warm.authorizations * 1e6:.0f}"
          f" µs per decision (wall, inside Authorizer.authorize)", flush=True)
    print(f"  cold W1 GetUser (cache emptied): {cold.sql_in_authorization} SQL statements "
          f"while authorizing, {cold.authorization_seconds * 1e3:.1f} ms", flush=True)
    if warm.sql_in_authorization:
        print("  FAILED: a warm authorization touched the database", flush=True)
    return 0 if ok and warm.sql_in_authorization == 0 and cold.sql_in_authorization else 1


if __name__ == "__main__":
    sys.exit(main())
