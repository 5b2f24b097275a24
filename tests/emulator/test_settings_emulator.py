"""Settings for emulator mode: SEKISHO_EMULATOR and SEKISHO_EMULATOR_ACCOUNT."""

from __future__ import annotations

import pytest

from sekisho.settings import Settings, SettingsError, settings_from_env, settings_to_env


def test_emulator_mode_is_never_the_default() -> None:
    settings = settings_from_env({})
    assert (settings.emulator, settings.emulator_account) == (False, "123456789012")


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("TRUE", True), ("1", True),
                                            ("yes", True), ("false", False), ("0", False),
                                            ("no", False)])
def test_emulator_flag_spellings(raw: str, value: bool) -> None:
    assert settings_from_env({"SEKISHO_EMULATOR": raw}).emulator is value


@pytest.mark.parametrize("raw", ["", "on", "ture", "2"])
def test_an_unclear_emulator_flag_is_an_error(raw: str) -> None:
    with pytest.raises(SettingsError, match="SEKISHO_EMULATOR must be true or false"):
        settings_from_env({"SEKISHO_EMULATOR": raw})


@pytest.mark.parametrize("account", ["12345678901", "1234567890123", "12345678901a", ""])
def test_the_emulator_account_must_be_twelve_digits(account: str) -> None:
    with pytest.raises(SettingsError, match="12-digit"):
        settings_from_env({"SEKISHO_EMULATOR_ACCOUNT": account})


def test_emulator_settings_roundtrip_through_env() -> None:
    settings = Settings().with_overrides(emulator=True, emulator_account="210987654321",
                                         enforcement="audit")
    assert settings_from_env(settings_to_env(settings)) == settings
