"""Stored STS preferences: the global endpoint token version, one row per account.

An account without a row has never called SetSecurityTokenServicePreferences and
keeps AWS's default (version 1 tokens from the global endpoint).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, select, update

from sekisho.store.errors import Conflict
from sekisho.store.schema import metadata
from sekisho.store.sql import Tx

sts_preferences = Table(
    "sts_preferences",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id"), primary_key=True),
    Column("global_endpoint_token_version", String(16), nullable=False),
)


def token_version(tx: Tx, account_id: str) -> str | None:
    """The stored `GlobalEndpointTokenVersion` (`v1Token` | `v2Token`), or None when unset."""
    value = tx.conn.execute(select(sts_preferences.c.global_endpoint_token_version).where(
        sts_preferences.c.account_id == account_id)).scalar()
    return None if value is None else str(value)


def put_token_version(tx: Tx, account_id: str, version: str) -> None:
    """Stores the account's token version, replacing any earlier one."""
    try:
        tx.insert_unique(sts_preferences, account_id=account_id,
                         global_endpoint_token_version=version)
    except Conflict:
        tx.conn.execute(update(sts_preferences)
                        .where(sts_preferences.c.account_id == account_id)
                        .values(global_endpoint_token_version=version))
