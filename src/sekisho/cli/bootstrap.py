"""First start: an account, its root access key and the files that hand them over.

The secret is written only to `<data-dir>/root-credentials` (mode 0600, AWS
shared-credentials format); nothing prints it.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from sekisho.domain import accounts
from sekisho.domain.access_keys import NewAccessKey
from sekisho.domain.clock import Clock
from sekisho.domain.secretbox import SecretBox
from sekisho.settings import Settings
from sekisho.store.records import AccountRecord
from sekisho.store.sql import Store

ROOT_PROFILE = "sekisho-root"


def credentials_file(settings: Settings) -> Path:
    return settings.data_dir / "root-credentials"


def config_file(settings: Settings) -> Path:
    return settings.data_dir / "config"


def endpoint_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}"


def _write_private(path: Path, parser: configparser.ConfigParser) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        parser.write(fh)
    os.chmod(path, 0o600)


def write_profile(settings: Settings, profile: str, key: NewAccessKey) -> None:
    """Adds (or replaces) `profile` in the credentials file and its endpoint in the config."""
    creds = configparser.ConfigParser()
    creds.read(credentials_file(settings))
    creds[profile] = {"aws_access_key_id": key.record.access_key_id,
                      "aws_secret_access_key": key.secret}
    _write_private(credentials_file(settings), creds)
    config = configparser.ConfigParser()
    config.read(config_file(settings))
    config[f"profile {profile}"] = {"region": settings.default_region,
                                    "endpoint_url": endpoint_url(settings)}
    _write_private(config_file(settings), config)


def create_account(settings: Settings, store: Store, box: SecretBox, clock: Clock,
                   profile: str | None = None,
                   account_id: str | None = None) -> tuple[AccountRecord, str]:
    """A new account; its root key goes into the credentials file. Returns (account, profile)."""
    with store.write() as tx:
        account, key = accounts.create_account(tx, box, clock(), account_id)
    chosen = profile or f"sekisho-{account.account_id}"
    write_profile(settings, chosen, key)
    return account, chosen


def ensure_first_account(settings: Settings, store: Store, box: SecretBox,
                         clock: Clock) -> AccountRecord | None:
    """Creates the first account on an empty database; None if one exists already."""
    with store.read() as tx:
        if tx.list_accounts():
            return None
    account, _ = create_account(settings, store, box, clock, ROOT_PROFILE)
    return account
