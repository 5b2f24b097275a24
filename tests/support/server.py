"""Running the real server for tests: a subprocess on a free port, driven over HTTP."""

from __future__ import annotations

import configparser
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    endpoint: str
    data_dir: Path
    database_url: str | None
    process: subprocess.Popen[bytes]
    log_path: Path
    root_key: tuple[str, str] = field(repr=False, default=("", ""))

    def client(self, service: str, key: tuple[str, str] | None = None,
               region: str = "us-east-1") -> Any:
        """A boto3 client; botocore's own parameter checks are off so the server's are tested."""
        key_id, secret = key or self.root_key
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=key_id, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1},
                                          parameter_validation=False))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_healthy(endpoint: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(endpoint + "/_sekisho/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()}")


def read_root_key(data_dir: Path, profile: str = "sekisho-root") -> tuple[str, str]:
    creds = configparser.ConfigParser()
    creds.read(data_dir / "root-credentials")
    return creds[profile]["aws_access_key_id"], creds[profile]["aws_secret_access_key"]


@contextmanager
def run_server(data_dir: Path, database_url: str | None = None, workers: int = 1,
               extra_env: dict[str, str] | None = None) -> Iterator[RunningServer]:
    port = free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEKISHO_")}
    env.update(extra_env or {})
    args = [sys.executable, "-m", "sekisho", "serve", "--port", str(port),
            "--data-dir", str(data_dir), "--workers", str(workers)]
    if database_url:
        args += ["--database-url", database_url]
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(endpoint, process, log_path)
        server = RunningServer(endpoint, data_dir, database_url, process, log_path,
                               read_root_key(data_dir))
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test session; dropped afterwards."""
    import psycopg

    name = "sekisho_test_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
