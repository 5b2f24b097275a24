"""One frozen settings object, read from `SEKISHO_*` variables (and CLI flags).

Every knob of the server lives here, so that the composition root can hand
one value to everything it builds. An unknown `SEKISHO_*` variable is an
error rather than a silent default: a typo in a deployment must not quietly
turn a setting off.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sekisho.domain import quotas

ENV_PREFIX = "SEKISHO_"
ENFORCEMENT_MODES = ("enforce", "audit", "off")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Secret:
    """A secret string whose repr and str never show the value."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4599
    data_dir: Path = Path(".sekisho")
    database_url: str | None = None
    workers: int = 1
    master_key_file: Path | None = None
    enforcement: str = "enforce"
    partition: str = "aws"
    default_region: str = "us-east-1"
    # AWS rejects requests signed more than 15 minutes from its clock.
    max_clock_skew_seconds: int = 900
    # Requests above this are refused before they are parsed (RequestEntityTooLarge).
    max_body_bytes: int = 1_048_576
    # Only peers in these networks may set X-Forwarded-For (aws:SourceIp).
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # How often, at most, a key's last-used record is written per (service, region).
    last_used_write_interval_seconds: int = 60
    log_level: str = "info"
    # IAM quotas that differ from AWS's defaults (sekisho.domain.quotas), as
    # SEKISHO_QUOTA_OVERRIDES=Users=10000,Roles=2000; an unknown name is an error.
    quota_overrides: quotas.Overrides = ()
    # Emulator mode, for test suites (never the default): unknown access keys act as the
    # root user of an account, and the reset endpoints exist (sekisho.domain.emulator).
    emulator: bool = False
    emulator_account: str = "123456789012"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sekisho.db').resolve()}"

    @property
    def effective_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def uses_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied and checked."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return _checked(replace(self, **given))


_FIELD_NAMES = {f.name for f in fields(Settings)}
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _convert(name: str, raw: str) -> Any:
    if name in {"port", "workers", "max_clock_skew_seconds", "max_body_bytes",
                "last_used_write_interval_seconds"}:
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(
                f"{ENV_PREFIX}{name.upper()} must be an integer, not {raw!r}") from None
    if name in {"data_dir", "master_key_file"}:
        return Path(raw)
    if name == "trusted_proxies":
        try:
            return tuple(ipaddress.ip_network(p.strip()) for p in raw.split(",") if p.strip())
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}TRUSTED_PROXIES: {exc}") from None
    if name == "quota_overrides":
        try:
            return quotas.parse_overrides(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}QUOTA_OVERRIDES: {exc}") from None
    if name == "emulator":
        # Only these spellings: anything else is a typo, not "false".
        flag = _BOOLEANS.get(raw.strip().lower())
        if flag is None:
            raise SettingsError(f"{ENV_PREFIX}EMULATOR must be true or false, not {raw!r}")
        return flag
    return raw


def _checked(settings: Settings) -> Settings:
    if not 0 <= settings.port <= 65535:
        raise SettingsError(f"port must be between 0 and 65535, not {settings.port}")
    if settings.workers < 1:
        raise SettingsError(f"workers must be at least 1, not {settings.workers}")
    if settings.enforcement not in ENFORCEMENT_MODES:
        raise SettingsError(
            f"enforcement must be one of {', '.join(ENFORCEMENT_MODES)}, "
            f"not {settings.enforcement!r}"
        )
    if settings.max_body_bytes < 1024:
        raise SettingsError("max_body_bytes must be at least 1024")
    if not (len(settings.emulator_account) == 12 and settings.emulator_account.isdigit()):
        raise SettingsError(f"emulator_account must be a 12-digit account id, "
                            f"not {settings.emulator_account!r}")
    return settings


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `SEKISHO_*` variables; unknown `SEKISHO_*` names are an error."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):].lower()
        if name not in _FIELD_NAMES:
            raise SettingsError(f"unknown setting {key}")
        values[name] = _convert(name, raw)
    return _checked(Settings(**values))


def settings_to_env(settings: Settings) -> dict[str, str]:
    """The `SEKISHO_*` variables that reproduce these settings (for worker processes)."""
    out: dict[str, str] = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if value is None:
            continue
        if f.name == "trusted_proxies":
            value = ",".join(str(n) for n in value)
        if f.name == "quota_overrides":
            value = quotas.format_overrides(value)
        out[ENV_PREFIX + f.name.upper()] = str(value)
    return out
