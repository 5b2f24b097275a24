"""Settings: SEKISHO_* variables, overrides, and refusing what cannot be right."""

from __future__ import annotations

from pathlib import Path

import pytest

from sekisho.settings import Secret, SettingsError, settings_from_env, settings_to_env


def test_defaults() -> None:
    s = settings_from_env({})
    assert (s.host, s.port, s.data_dir, s.workers, s.enforcement) == (
        "127.0.0.1", 4599, Path(".sekisho"), 1, "enforce")
    assert s.effective_database_url.startswith("sqlite:///")


def test_every_documented_variable_is_read() -> None:
    s = settings_from_env({"SEKISHO_HOST": "0.0.0.0", "SEKISHO_PORT": "8000",
                           "SEKISHO_DATA_DIR": "/tmp/x", "SEKISHO_WORKERS": "2",
                           "SEKISHO_DATABASE_URL": "postgresql://u@h/db"})
    assert (s.host, s.port, s.data_dir, s.workers) == ("0.0.0.0", 8000, Path("/tmp/x"), 2)
    assert s.effective_database_url == "postgresql://u@h/db"


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(SettingsError, match="unknown setting SEKISHO_PORTT"):
        settings_from_env({"SEKISHO_PORTT": "1"})


@pytest.mark.parametrize(("name", "value"), [("SEKISHO_PORT", "http"), ("SEKISHO_PORT", "70000"),
                                             ("SEKISHO_WORKERS", "0"),
                                             ("SEKISHO_ENFORCEMENT", "maybe")])
def test_unusable_values_are_errors(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        settings_from_env({name: value})


def test_overrides_ignore_none_and_roundtrip_through_env() -> None:
    s = settings_from_env({}).with_overrides(port=9000, host=None)
    assert s.port == 9000 and s.host == "127.0.0.1"
    assert settings_from_env(settings_to_env(s)) == s


def test_secret_never_prints() -> None:
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret)
