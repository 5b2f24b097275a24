"""Server benchmark: signed IAM/STS calls against a running Sekisho, with a bare ASGI ceiling.

One run measures, with the same `wrk` settings each time:

1. a bare raw-ASGI app (a fixed 200 body) on the server stack Sekisho uses
   (uvicorn, same loop and HTTP implementation, same worker count): the ceiling;
2. signed STS `GetCallerIdentity` against Sekisho (SQLite, temporary data dir);
3. signed IAM `GetUser` on a user created for the run;

and prints requests/s, p50/p90/p99 latency, the server's and wrk's CPU time per
request, non-200 responses and the ratio Sekisho/bare; then the Sekisho app's own
CPU cost per request in process, without HTTP (`--profile`: where it goes), and
the in-process cost of one SigV4 verification (`parse_signed_request` +
`verify_signature`, warm signing-key cache).

Requests are signed once with botocore's own `SigV4Auth` and replayed verbatim
by a small wrk Lua script: SigV4 accepts a replayed request as long as its
`X-Amz-Date` lies within the 15-minute clock-skew window, so one signature
serves a whole run. Each endpoint first gets a warm-up run under the same load
whose Lua `response` hook counts every answer other than 200; the measured run
then counts wrk's own tally of 4xx/5xx (the hook slows wrk itself down). Any
non-200 or socket error marks the endpoint FAILED (a benchmark of error
responses measures nothing). Targets (issue 2, item 12): >= 10,000
GetCallerIdentity/s with 2 workers, and >= 30% of the bare figure.

Usage: `python bench/server_bench.py [--smoke] [--profile] [--duration S]
[--connections N] [--threads N] [--workers N] [--wrk-cpus LIST]`. Needs `wrk`
(Debian package `wrk`); without it only the in-process SigV4 figure is measured
(and the script says how to install wrk).
Exit status: 0 when every measured run answered only 200s, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:  # for tests.support.server when run as a script
    sys.path.insert(0, str(REPO_ROOT))

REGION = "us-east-1"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
GET_CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15"
BENCH_USER = "bench-user"
GET_USER = f"Action=GetUser&UserName={BENCH_USER}&Version=2010-05-08"
TARGET_RPS = 10_000
TARGET_RATIO = 0.30
WRK_HINT = ("wrk not found on PATH: the HTTP benchmarks need it. Install it from Debian's "
            "packages: `apt-get install -y wrk` (as root).")
RESULT_TAG = "SEKISHO_WRK_RESULT "


# --- the bare ASGI ceiling (imported by uvicorn's worker processes as server_bench:bare_app)

_BARE_BODY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
              b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn>"
              b"<UserId>123456789012</UserId><Account>123456789012</Account>"
              b"</GetCallerIdentityResult></GetCallerIdentityResponse>")
_BARE_HEADERS = [(b"content-type", b"text/xml"),
                 (b"content-length", str(len(_BARE_BODY)).encode())]


async def bare_app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI app that reads the body and answers a fixed 200: the stack's ceiling."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _BARE_HEADERS})
    await send({"type": "http.response.body", "body": _BARE_BODY})


# --- signed requests


@dataclass(frozen=True)
class SignedCall:
    """One signed HTTP request, exactly as it must go on the wire to verify."""

    name: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def sign(name: str, endpoint: str, key: tuple[str, str], service: str, body: str) -> SignedCall:
    """Sign a form POST to `endpoint`/ with botocore's SigV4Auth (the signer boto3 uses)."""
    url = endpoint.rstrip("/") + "/"
    request = AWSRequest(method="POST", url=url, data=body.encode(),
                         headers={"Content-Type": FORM_CONTENT_TYPE})
    SigV4Auth(Credentials(key[0], key[1]), service, REGION).add_auth(request)
    # botocore signs `host` from the URL but leaves the header to the HTTP client; send it.
    headers = [("Host", urlsplit(url).netloc)]
    headers += [(k, str(v)) for k, v in request.headers.items() if k.lower() != "host"]
    return SignedCall(name, "POST", url, tuple(headers), body.encode())


def send_once(call: SignedCall) -> tuple[int, bytes]:
    """Send `call` once with urllib; returns (status, body). Raises OSError if unreachable."""
    request = urllib.request.Request(call.url, data=call.body, method=call.method,
                                     headers=dict(call.headers))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())


# --- wrk


def _lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def wrk_script(call: SignedCall, *, check_status: bool) -> str:
    """A wrk Lua script replaying `call` verbatim and printing one JSON result line
    (`RESULT_TAG` + JSON) when done.

    With `check_status` a `response` hook counts every answer other than 200. That
    hook makes wrk parse each response into Lua, which costs the client a third of
    its throughput, so measured runs go without it and count wrk's own tally of
    statuses above 399 instead (`summary.errors.status`)."""
    header_lines = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}"
                             for k, v in call.headers)
    hook = """
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    bad_status = status
  end
end
""" if check_status else ""
    return f"""
wrk.method = {_lua_string(call.method)}
wrk.body = {_lua_string(call.body.decode())}
{header_lines}

local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  bad_status = 0
end
{hook}
function done(summary, latency, requests)
  local e = summary.errors
  local non200_total = {"0" if check_status else "e.status"}
  local bad_status = 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
    local status = thread:get("bad_status")
    if status ~= 0 then bad_status = status end
  end
  io.write(string.format(
    '{RESULT_TAG}{{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "non200": %d, "bad_status": %d, ' ..
    '"socket_errors": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, non200_total, bad_status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non200: int
    bad_status: int
    socket_errors: int
    client_cpu_us: float = 0.0  # wrk's CPU time (user + system) per request
    server_cpu_us: float = 0.0  # the server processes' CPU time per request (0: not known)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non200 == 0 and self.socket_errors == 0


@dataclass(frozen=True)
class WrkSettings:
    duration: float
    warmup: float
    connections: int
    threads: int
    cpus: str | None


def run_wrk(call: SignedCall, settings: WrkSettings, duration: float, workdir: Path, *,
            check_status: bool) -> WrkResult:
    """Run wrk against `call.url` replaying `call` (see `wrk_script` for `check_status`).
    Raises RuntimeError when wrk prints no result."""
    script = workdir / f"{call.name.replace(' ', '_')}-{check_status}.lua"
    script.write_text(wrk_script(call, check_status=check_status))
    args = ["wrk", "-t", str(settings.threads), "-c", str(settings.connections),
            "-d", f"{max(1, round(duration))}s", "--timeout", "5s", "-s", str(script), call.url]
    if settings.cpus:
        args = ["taskset", "-c", settings.cpus, *args]
    before = _children_cpu_seconds()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    client_cpu = _children_cpu_seconds() - before
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            data = json.loads(line[len(RESULT_TAG):])
            requests = int(data["requests"])
            return WrkResult(call.name, requests, data["duration_us"] / 1e6,
                             data["p50_us"] / 1e3, data["p90_us"] / 1e3, data["p99_us"] / 1e3,
                             data["non200"], data["bad_status"], data["socket_errors"],
                             client_cpu_us=client_cpu / max(requests, 1) * 1e6)
    raise RuntimeError(f"wrk printed no result (exit {done.returncode}):\n"
                       f"{done.stdout}\n{done.stderr}")


def measure(call: SignedCall, settings: WrkSettings, workdir: Path,
            server_pid: int) -> tuple[WrkResult, WrkResult]:
    """Check `call` answers 200, then (check, measurement): a warm-up run under the same
    load whose every response must be a 200, and the measured run, with the CPU time
    the server process `server_pid` and its workers spent per request.
    Raises RuntimeError when the single preflight request is not answered 200."""
    status, body = send_once(call)
    if status != 200:
        raise RuntimeError(f"{call.name}: preflight answered {status}: {body[:500]!r}")
    check = run_wrk(call, settings, settings.warmup, workdir, check_status=True)
    before = tree_cpu_seconds(server_pid)
    result = run_wrk(call, settings, settings.duration, workdir, check_status=False)
    server_cpu = tree_cpu_seconds(server_pid) - before
    return check, replace(result, server_cpu_us=server_cpu / max(result.requests, 1) * 1e6)


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds of a live process and its live descendants (Linux /proc;
    0.0 where /proc is missing). Server CPU per request, unlike requests/s, hardly moves
    when other programs compete for the cores."""
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:
            continue  # the process ended meanwhile
        fields = text[text.rindex(")") + 2:].split()
        # Fields after the command name: state, ppid, ..., utime (12th), stime (13th).
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total = {root_pid}, 0.0
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


# --- servers


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not come up:\n{log.read_text(errors='replace')}")


@contextmanager
def bare_server(workers: int, workdir: Path) -> Iterator[tuple[str, int]]:
    """Serve `bare_app` with uvicorn configured as `sekisho serve` configures it;
    yields (endpoint, pid of the uvicorn main process)."""
    from tests.support.server import free_port

    port = free_port()
    log = workdir / "bare.log"
    args = [sys.executable, "-c",
            "import uvicorn; uvicorn.run('server_bench:bare_app', host='127.0.0.1', "
            f"port={port}, workers={workers}, log_level='warning', access_log=False, "
            "loop='auto', http='auto', lifespan='on')"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(BENCH_DIR), str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_for(endpoint + "/", process, log)
        yield endpoint, process.pid
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- SigV4 verification in process


def sigv4_verify_cost(iterations: int, repeats: int = 5) -> tuple[float, float]:
    """Median µs per (parse_signed_request + verify_signature) and per verify_signature alone,
    on a botocore-signed GetCallerIdentity with a warm signing-key cache."""
    from sekisho.auth import sigv4

    key = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    call = sign("verify", "http://127.0.0.1:4599", key, "sts", GET_CALLER_IDENTITY)
    headers = [(k.lower().encode(), v.encode()) for k, v in call.headers]
    cache = sigv4.SigningKeyCache()
    now = datetime.now(UTC)

    def parse() -> sigv4.SignedRequest:
        return sigv4.parse_signed_request("POST", b"/", b"", headers, call.body)

    signed = parse()
    sigv4.verify_signature(signed, key[1], now, keys=cache)  # raises if the setup is wrong
    full: list[float] = []
    verify_only: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            sigv4.verify_signature(parse(), key[1], now, keys=cache)
        full.append((time.perf_counter_ns() - start) / iterations / 1e3)
        start = time.perf_counter_ns()
        for _ in range(iterations):
            sigv4.verify_signature(signed, key[1], now, keys=cache)
        verify_only.append((time.perf_counter_ns() - start) / iterations / 1e3)
    return statistics.median(full), statistics.median(verify_only)


# --- the Sekisho app in process (no HTTP): its own cost, and where it goes


def _asgi_request(call: SignedCall) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = urlsplit(call.url)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": call.method, "scheme": "http", "path": parts.path,
             "raw_path": parts.path.encode(), "query_string": parts.query.encode(),
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4599),
             "headers": [(k.lower().encode(), v.encode()) for k, v in call.headers]}
    return scope, {"type": "http.request", "body": call.body, "more_body": False}


async def _drive(app: Any, call: SignedCall, iterations: int) -> None:
    """Send `call` through `app` `iterations` times. Raises RuntimeError on a non-200."""
    scope, message = _asgi_request(call)
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return message

    async def send(event: MutableMapping[str, Any]) -> None:
        if event["type"] == "http.response.start":
            statuses.append(event["status"])

    for _ in range(iterations):
        await app(dict(scope), receive, send)
    if set(statuses) != {200}:
        raise RuntimeError(f"{call.name} in process: statuses {sorted(set(statuses))}")


def app_cost(data_dir: Path, calls: Sequence[SignedCall], iterations: int,
             profile: bool) -> None:
    """Print the CPU µs per request of the Sekisho ASGI app alone (built in this process on
    the benchmark's data directory, handlers' worker threads included), and with `profile`
    where that time goes (cProfile, cumulative share of the app's time per function)."""
    import asyncio
    import cProfile
    import pstats
    from unittest import mock

    from sekisho.app import create_app
    from sekisho.settings import Settings

    app = create_app(Settings(data_dir=data_dir))
    for call in calls:
        asyncio.run(_drive(app, call, max(10, iterations // 10)))
        started = time.process_time()
        asyncio.run(_drive(app, call, iterations))
        cpu = (time.process_time() - started) / iterations * 1e6
        print(f"  app in process: {call.name:<22} {cpu:7.1f} µs CPU per request (no HTTP)")
        if profile:
            # cProfile sees one thread: handlers that normally go to a worker thread
            # run on the loop for the profile (the hand-off's own cost drops out).
            async def inline(func: Any, /, *args: Any, **kwargs: Any) -> Any:
                return func(*args, **kwargs)

            profiler = cProfile.Profile()
            with mock.patch.object(asyncio, "to_thread", inline):
                profiler.runcall(asyncio.run, _drive(app, call, iterations))
            _print_profile(pstats.Stats(profiler))


def _print_profile(stats: Any, limit: int = 25) -> None:
    rows = [(cumulative, own, file, line, name)
            for (file, line, name), (_, _, own, cumulative, _) in stats.stats.items()]
    total = max((r[0] for r in rows if r[4] == "__call__" and "sekisho" in r[2]), default=0.0)
    if not total:
        return
    print("    cumulative   self  function (share of SekishoApp.__call__; cProfile)")
    shown = 0
    for cumulative, own, file, line, name in sorted(rows, reverse=True):
        where = file.split("/site-packages/")[-1].split("/src/")[-1]
        if cumulative > total or not ("sekisho" in where or own / total >= 0.02):
            continue
        print(f"    {cumulative / total:9.1%} {own / total:6.1%}  {name} ({where}:{line})")
        shown += 1
        if shown == limit:
            break


# --- reporting


def _failure(result: WrkResult) -> str:
    return (f"{result.non200} non-200 (last {result.bad_status or '4xx/5xx'}), "
            f"{result.socket_errors} socket errors in {result.requests:,} requests")


def _line(check: WrkResult, result: WrkResult) -> str:
    status = "ok" if check.ok and result.ok else "FAILED: " + "; ".join(
        f"{label} {_failure(r)}" for label, r in (("check", check), ("measured", result))
        if not r.ok)
    return (f"  {result.name:<22} {result.rps:>10,.0f} req/s   p50 {result.p50_ms:6.2f} ms   "
            f"p90 {result.p90_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms   "
            f"server CPU {result.server_cpu_us:5.0f} µs/req   "
            f"wrk CPU {result.client_cpu_us:4.0f} µs/req   {status}")


def _verdict(figure: float, target: float, unit: str) -> str:
    return f"{'meets' if figure >= target else 'BELOW'} target {target:{unit}}"


def run_http(settings: WrkSettings, workers: int, app_iterations: int,
             profile: bool) -> list[WrkResult]:
    """Measure bare ASGI, GetCallerIdentity and GetUser; print each figure as it comes;
    then the app's own cost in process (`app_cost`). Returns every wrk run, check runs
    included."""
    from tests.support.server import run_server

    results: list[WrkResult] = []
    with tempfile.TemporaryDirectory(prefix="sekisho-bench-") as tmp:
        workdir = Path(tmp)
        with bare_server(workers, workdir) as (endpoint, pid):
            check, bare = measure(SignedCall("bare ASGI", "POST", endpoint + "/",
                                             (("Content-Type", FORM_CONTENT_TYPE),),
                                             GET_CALLER_IDENTITY.encode()), settings, workdir, pid)
        print(_line(check, bare), flush=True)
        results += [check, bare]
        calls: list[SignedCall] = []
        with run_server(workdir / "data", workers=workers) as server:
            server.client("iam").create_user(UserName=BENCH_USER)
            for name, service, body in (("sts GetCallerIdentity", "sts", GET_CALLER_IDENTITY),
                                        ("iam GetUser", "iam", GET_USER)):
                calls.append(sign(name, server.endpoint, server.root_key, service, body))
                check, result = measure(calls[-1], settings, workdir, server.process.pid)
                print(_line(check, result), flush=True)
                results += [check, result]
        gci = results[3]
        ratio = gci.rps / bare.rps if bare.rps else 0.0
        print(f"  GetCallerIdentity/bare ratio: {ratio:.1%} "
              f"({_verdict(ratio, TARGET_RATIO, '.0%')}); GetCallerIdentity {gci.rps:,.0f} "
              f"req/s ({_verdict(gci.rps, TARGET_RPS, ',')})", flush=True)
        app_cost(workdir / "data", calls, app_iterations, profile)
    return results


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="short run (2 s per endpoint, 1 s check) to check the bench works")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0,
                        help="seconds of the warm-up run per endpoint, in which every response "
                             "must be a 200")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--wrk-cpus", default=None,
                        help="pin wrk to these CPUs with taskset (e.g. '1'); default: no pinning")
    parser.add_argument("--app-iterations", type=int, default=3_000,
                        help="requests per in-process measurement of the Sekisho app")
    parser.add_argument("--profile", action="store_true",
                        help="also print where the in-process app's time goes (cProfile)")
    parser.add_argument("--verify-iterations", type=int, default=20_000,
                        help="iterations per timing of the in-process SigV4 verification")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.warmup, args.verify_iterations = 2.0, 1.0, 2_000
        args.app_iterations = 300
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ok = True
    print(f"server benchmark: {args.workers} workers, wrk {args.threads} threads / "
          f"{args.connections} connections / {args.duration:g} s per endpoint"
          f"{' pinned to CPUs ' + args.wrk_cpus if args.wrk_cpus else ''}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
    if shutil.which("wrk") is None:
        print(f"  SKIPPED HTTP benchmarks: {WRK_HINT}", flush=True)
    else:
        settings = WrkSettings(args.duration, args.warmup, args.connections, args.threads,
                               args.wrk_cpus)
        ok = all(result.ok for result in run_http(settings, args.workers, args.app_iterations,
                                                  args.profile))
    full, verify_only = sigv4_verify_cost(args.verify_iterations)
    print(f"  SigV4 in process: {full:.1f} µs per parse_signed_request + verify_signature "
          f"({verify_only:.1f} µs verify_signature alone; warm signing-key cache)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
