"""A real Sekisho server for a test session: a subprocess on a free local port.

`start_server(data_dir, emulator=..., enforcement=...)` returns a
`SekishoServer` once the server answers its health check; `stop()` ends it.
This module imports the standard library only, so that loading the pytest
plugin costs nothing until a test asks for a server.

Two things keep the start under a second:

- The database is a copy of a migrated, empty template built once per set of
  migrations (kept in the temporary directory), so the server finds its schema
  current and never imports Alembic.
- When the environment turns bytecode writing off (`PYTHONDONTWRITEBYTECODE`),
  the server gets a private bytecode cache (`PYTHONPYCACHEPREFIX`) instead of
  compiling all of Sekisho on every start; nothing is written beside the sources.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import http.client
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"
DEFAULT_EMULATOR_ACCOUNT = "123456789012"
# Any key id the server did not issue stands for the emulator account's root user.
EMULATOR_ROOT_KEY = ("SEKISHOEMULATORROOT", "emulator-mode-checks-no-signature")
ROOT_PROFILE = "sekisho-root"
START_TIMEOUT_SECONDS = 30.0


class ServerStartError(RuntimeError):
    """The server exited or did not answer in time; the message holds its log."""


@dataclass
class SekishoServer:
    """A running server: where it listens, how it was started, and its root credentials.

    `root_credentials` is the key of the default account's root user: in emulator
    mode an unknown key (accepted unsigned), otherwise the key bootstrap wrote to
    `<data_dir>/root-credentials`.
    """

    endpoint_url: str
    data_dir: Path
    emulator: bool
    enforcement: str
    account_id: str
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path
    root_credentials: tuple[str, str] = field(repr=False)
    region: str = DEFAULT_REGION

    def client(self, service: str, credentials: tuple[str, str] | None = None,
               region: str | None = None, **kwargs: Any) -> Any:
        """A boto3 client for `service` ("iam", "sts") at this server, signed with
        `credentials` (key id, secret) or the root credentials. Raises ImportError
        without boto3."""
        import boto3

        key_id, secret = credentials or self.root_credentials
        return boto3.client(service, endpoint_url=self.endpoint_url,
                            region_name=region or self.region, aws_access_key_id=key_id,
                            aws_secret_access_key=secret, **kwargs)

    def reset(self) -> None:
        """Wipes all state (`POST /_sekisho/reset`). Raises RuntimeError outside emulator
        mode (the endpoint exists only there) or when the server refuses."""
        if not self.emulator:
            raise RuntimeError("reset needs a server in emulator mode")
        status = post(self.endpoint_url, "/_sekisho/reset")
        if status != 200:
            raise RuntimeError(f"reset answered HTTP {status}")

    def log(self) -> str:
        """Everything the server printed so far (banner, warnings, audit lines)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Ends the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def post(endpoint_url: str, path: str) -> int:
    """POSTs an empty body to `path`; returns the HTTP status."""
    return _request(endpoint_url, "POST", path, 10.0)


def _request(endpoint_url: str, method: str, path: str, timeout: float) -> int:
    host, _, port = endpoint_url.removeprefix("http://").partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=b"" if method == "POST" else None)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _package_dir() -> Path:
    spec = importlib.util.find_spec("sekisho")
    if spec is None or not spec.submodule_search_locations:
        raise ServerStartError("the sekisho package cannot be found")
    return Path(next(iter(spec.submodule_search_locations)))


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((_package_dir() / "store" / "migrations").rglob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# Migrates in a subprocess (Sekisho's imports stay out of the test process), then folds
# the write-ahead log into the file so that the file alone is the whole database.
_BUILD_TEMPLATE = """\
import sqlite3, sys
from sekisho.store.database import migrate, open_engine
engine = open_engine("sqlite:///" + sys.argv[1])
migrate(engine)
engine.dispose()
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
conn.close()
"""


def template_database(env: dict[str, str]) -> Path:
    """A migrated, empty SQLite database for the installed migrations; built on first use
    (atomically, so parallel sessions may race) under the temporary directory."""
    cache = Path(tempfile.gettempdir()) / f"sekisho-templates-{os.getuid()}"
    target = cache / f"{_migrations_digest()}.db"
    if target.exists():
        return target
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=cache))
    try:
        built = scratch / "template.db"
        result = subprocess.run([sys.executable, "-c", _BUILD_TEMPLATE, str(built)], env=env,
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise ServerStartError("building the template database failed:\n"
                                   + result.stderr.decode(errors="replace"))
        os.replace(built, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def server_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ours without `SEKISHO_*` (the flags say everything), and
    with a private bytecode cache when bytecode writing is off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEKISHO_")}
    # The log file is read while the server runs (banner, audit lines).
    env["PYTHONUNBUFFERED"] = "1"
    if env.get("PYTHONDONTWRITEBYTECODE") and not env.get("PYTHONPYCACHEPREFIX"):
        env.pop("PYTHONDONTWRITEBYTECODE")
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir())
                                         / f"sekisho-pycache-{os.getuid()}")
    env.update(extra or {})
    return env


def wait_healthy(endpoint_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"the server exited early:\n{log_path.read_text()}")
        # Refused or cut connections only mean the server is not listening yet.
        with contextlib.suppress(OSError, http.client.HTTPException):
            if _request(endpoint_url, "GET", "/_sekisho/health", 1.0) == 200:
                return
        time.sleep(0.005)
    raise ServerStartError(f"the server did not answer in time:\n{log_path.read_text()}")


def read_root_credentials(data_dir: Path, profile: str = ROOT_PROFILE) -> tuple[str, str]:
    creds = configparser.ConfigParser()
    creds.read(data_dir / "root-credentials")
    return creds[profile]["aws_access_key_id"], creds[profile]["aws_secret_access_key"]


def _account_of(key_id: str) -> str:
    # Long-term key ids encode their account (sekisho.domain.ids, stdlib only).
    from sekisho.domain.ids import account_of_key_id

    account = account_of_key_id(key_id)
    if account is None:
        raise ServerStartError(f"the root key id {key_id} names no account")
    return account


def start_server(data_dir: Path, *, emulator: bool = True, enforcement: str = "enforce",
                 emulator_account: str = DEFAULT_EMULATOR_ACCOUNT, workers: int = 1,
                 extra_env: dict[str, str] | None = None) -> SekishoServer:
    """Starts `sekisho serve` on a fresh `data_dir` and returns once it answers.

    Raises ServerStartError (with the server's log) when it exits or does not answer
    within START_TIMEOUT_SECONDS.
    """
    env = server_environment(extra_env)
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "sekisho.db"
    if not database.exists():
        shutil.copyfile(template_database(env), database)
    port = free_port()
    log_path = data_dir.parent / f"sekisho-{port}.log"
    args = [sys.executable, "-m", "sekisho", "serve", "--port", str(port), "--data-dir",
            str(data_dir), "--workers", str(workers), "--enforcement", enforcement]
    if emulator:
        args += ["--emulator", "--emulator-account", emulator_account]
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    endpoint_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(endpoint_url, process, log_path)
    except BaseException:
        process.kill()
        process.wait()
        raise
    if emulator:
        return SekishoServer(endpoint_url, data_dir, True, enforcement, emulator_account,
                             process, log_path, EMULATOR_ROOT_KEY)
    root = read_root_credentials(data_dir)
    return SekishoServer(endpoint_url, data_dir, False, enforcement, _account_of(root[0]),
                         process, log_path, root)
