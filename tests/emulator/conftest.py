"""Servers for the emulator and enforcement-mode tests, started with `sekisho.testing`.

Each is session-scoped and started on first use: the emulator in `enforce` mode,
a plain server (no emulator), and emulators in `audit` and `off` mode (the
latter with another default account).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sekisho.testing.server import SekishoServer, start_server

OTHER_DEFAULT_ACCOUNT = "210987654321"


def _started(tmp: pytest.TempPathFactory, name: str, **options: object) -> Iterator[SekishoServer]:
    data_dir: Path = tmp.mktemp(name) / "data"
    server = start_server(data_dir, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SekishoServer]:
    yield from _started(tmp_path_factory, "emulator", emulator=True)


@pytest.fixture(scope="session")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SekishoServer]:
    yield from _started(tmp_path_factory, "plain", emulator=False)


@pytest.fixture(scope="session")
def auditing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SekishoServer]:
    yield from _started(tmp_path_factory, "audit", emulator=True, enforcement="audit")


@pytest.fixture(scope="session")
def unenforced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SekishoServer]:
    yield from _started(tmp_path_factory, "off", emulator=True, enforcement="off",
                        emulator_account=OTHER_DEFAULT_ACCOUNT)
