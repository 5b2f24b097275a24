"""`make bench` in smoke mode: every benchmark runs and prints its figures (never timed here)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import server_bench

REPO_ROOT = Path(__file__).resolve().parents[2]

HTTP_ROWS = ("bare ASGI", "sts GetCallerIdentity", "iam GetUser")
# The HTTP benchmarks are part of the suite, not skipped: wrk (Debian package) must be
# installed where the tests run, which is for .ci/run to make sure of.
WRK_MISSING = "wrk is not installed; install it with `apt-get install -y wrk`"


@pytest.fixture(scope="module")
def smoke_output() -> str:
    assert shutil.which("wrk"), WRK_MISSING
    done = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "run_all.py"), "--smoke"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_smoke_run_reports_every_bench_script(smoke_output: str) -> None:
    for script in sorted((REPO_ROOT / "bench").glob("*_bench.py")):
        assert f"=== {script.name}: exit 0" in smoke_output


def test_smoke_run_prints_sigv4_verification_cost(smoke_output: str) -> None:
    assert re.search(r"SigV4 in process: [\d.]+ µs per parse_signed_request", smoke_output)


def test_smoke_run_prints_http_figures_with_only_200_responses(smoke_output: str) -> None:
    for row in HTTP_ROWS:
        assert re.search(rf"{row}\s+[\d,]+ req/s\s+p50\s+[\d.]+ ms.*p99\s+[\d.]+ ms.* ok$",
                         smoke_output, re.MULTILINE), row
    assert re.search(r"GetCallerIdentity/bare ratio: [\d.]+%", smoke_output)


def test_smoke_run_prints_the_apps_own_cost_per_request(smoke_output: str) -> None:
    for row in HTTP_ROWS[1:]:
        assert re.search(rf"app in process: {row}\s+[\d.]+ µs CPU per request", smoke_output), row


@pytest.mark.parametrize("check_status", [True, False], ids=["response-hook", "wrk-tally"])
def test_wrk_replay_counts_rejected_signatures_as_failures(tmp_path: Path,
                                                           check_status: bool) -> None:
    assert shutil.which("wrk"), WRK_MISSING
    from tests.support.server import run_server

    with run_server(tmp_path / "data") as server:
        key_id, secret = server.root_key
        call = server_bench.sign("bad-signature", server.endpoint, (key_id, secret + "x"), "sts",
                                 server_bench.GET_CALLER_IDENTITY)
        settings = server_bench.WrkSettings(duration=1, warmup=1, connections=2, threads=1,
                                            cpus=None)
        result = server_bench.run_wrk(call, settings, 1, tmp_path, check_status=check_status)
    assert result.requests > 0
    assert result.non200 == result.requests
    assert not result.ok
