"""Run `@cloud-copilot/iam-simulate` (the differential-testing oracle) on item-7 cases.

The npm package is installed once per machine, with the machine's `npm`, from
`tools/iam_simulate/package.json` (exact versions, no lock file) into a cache folder outside the
repository: `$SEKISHO_IAM_SIMULATE_DIR` if set, else `/tmp/sekisho-iam-simulate/<digest>` where
the digest covers package.json, so a version bump installs afresh. `tools/iam_simulate/driver.cjs`
then decides every case in one Node process.

Nothing here skips: a missing `node`/`npm`, an unreachable registry or a failing driver raise
`OracleUnavailable` with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
TOOL_DIR = REPO_ROOT / "tools" / "iam_simulate"
PACKAGE_JSON = TOOL_DIR / "package.json"
DRIVER = TOOL_DIR / "driver.cjs"
CACHE_ROOT = Path("/tmp/sekisho-iam-simulate")
INSTALL_TIMEOUT_S = 300
RUN_TIMEOUT_S = 300


class OracleUnavailable(RuntimeError):
    """The oracle could not be installed or run; the message says why and what to do."""


@dataclass(frozen=True)
class OracleResult:
    """iam-simulate's answer for one case: a decision, or an error when it rejected the case."""

    case_id: str
    decision: str | None
    error: str | None
    ignored_context_keys: tuple[str, ...]


def install_dir() -> Path:
    """Return the cache folder for the pinned package set (it may not exist yet)."""
    override = os.environ.get("SEKISHO_IAM_SIMULATE_DIR")
    if override:
        return Path(override)
    digest = hashlib.sha256(PACKAGE_JSON.read_bytes()).hexdigest()[:12]
    return CACHE_ROOT / digest


def ensure_installed() -> Path:
    """Install the pinned iam-simulate into `install_dir()` unless done already; return it.

    Concurrent callers (several pytest processes) serialize on a lock file. Raises
    `OracleUnavailable` when node or npm is missing or `npm install` fails.
    """
    target = install_dir()
    stamp = target / ".installed"
    if stamp.exists():
        return target
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise OracleUnavailable(
                f"`{tool}` is not on PATH: the differential test needs Node.js and npm to install "
                "@cloud-copilot/iam-simulate (install Node.js 18 or later).")
    target.mkdir(parents=True, exist_ok=True)
    with _locked(target / ".lock"):
        if stamp.exists():
            return target
        shutil.copyfile(PACKAGE_JSON, target / "package.json")
        command = ["npm", "install", "--no-audit", "--no-fund", "--no-package-lock",
                   "--omit=dev", "--loglevel=error"]
        try:
            done = subprocess.run(command, cwd=target, capture_output=True, text=True,
                                  timeout=INSTALL_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OracleUnavailable(
                f"`npm install` in {target} took over {INSTALL_TIMEOUT_S} s; is the npm "
                "registry reachable (npm config get registry)?") from exc
        if done.returncode != 0:
            raise OracleUnavailable(
                f"`{' '.join(command)}` failed in {target} (exit {done.returncode}); the "
                "differential test needs the npm registry to install "
                f"@cloud-copilot/iam-simulate once per machine.\n{done.stderr[-2000:]}")
        stamp.write_text(PACKAGE_JSON.read_text())
    return target


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_oracle(cases: Sequence[dict[str, Any]]) -> dict[str, OracleResult]:
    """Decide every case with iam-simulate in one Node process; return results by case id.

    Raises `OracleUnavailable` if installation fails or the driver dies.
    """
    target = ensure_installed()
    try:
        done = subprocess.run(["node", str(DRIVER), str(target)], input=json.dumps(cases),
                              capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OracleUnavailable(f"the iam-simulate driver ran over {RUN_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise OracleUnavailable(
            f"the iam-simulate driver failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    results: dict[str, OracleResult] = {}
    for line in done.stdout.splitlines():
        row = json.loads(line)
        results[row["id"]] = OracleResult(case_id=row["id"], decision=row["decision"],
                                          error=row["error"],
                                          ignored_context_keys=tuple(row["ignored_context_keys"]))
    if len(results) != len(cases):
        raise OracleUnavailable(
            f"the iam-simulate driver answered {len(results)} of {len(cases)} cases")
    return results
