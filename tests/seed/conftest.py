"""Fixtures for the seeding tests: a migrated store in a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sekisho.app import Opened, open_state
from sekisho.settings import Settings, settings_from_env


def settings_for(data_dir: Path) -> Settings:
    return settings_from_env().with_overrides(data_dir=data_dir)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Opened]:
    opened = open_state(settings_for(tmp_path / "data"))
    yield opened
    opened.store.dispose()


@pytest.fixture
def other_state(tmp_path: Path) -> Iterator[Opened]:
    """A second, empty data directory (for round trips)."""
    opened = open_state(settings_for(tmp_path / "other"))
    yield opened
    opened.store.dispose()
