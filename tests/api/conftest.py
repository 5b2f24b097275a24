"""API tests drive the real server with boto3, on SQLite and on PostgreSQL.

Every test module here runs once per backend: the `backend` parameter starts
a server on a fresh SQLite data directory or on a fresh PostgreSQL database
(never skipped: if PostgreSQL is not reachable the tests fail).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import RunningServer, postgres_database, run_server


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir: Path = tmp_path_factory.mktemp(f"sekisho-{request.param}") / "data"
    if request.param == "sqlite":
        with run_server(data_dir) as running:
            yield running
    else:
        with postgres_database() as url, run_server(data_dir, url) as running:
            yield running


@pytest.fixture
def iam(server: RunningServer) -> Any:
    return server.client("iam")


@pytest.fixture
def sts(server: RunningServer) -> Any:
    return server.client("sts")


@pytest.fixture
def unique() -> str:
    """A fresh name suffix, so tests sharing one server never collide."""
    return secrets.token_hex(4)
