"""Running the real server for tests: a subprocess on a free port, driven over HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from sekisho.testing.server import free_port, wait_healthy
from sekisho.testing.server import read_root_credentials as read_root_key

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")




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
        """A boto3 client that never retries (a 500 must surface), with botocore's own parameter
        checks off so that the server's are tested."""
        key_id, secret = key or self.root_key
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=key_id, aws_secret_access_key=secret,
                            config=Config(retries={"total_max_attempts": 1},
                                          parameter_validation=False))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")






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
        wait_healthy(endpoint, process, log_path)
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
