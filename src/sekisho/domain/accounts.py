"""Accounts: creation with a root access key, and the account alias."""

from __future__ import annotations

from datetime import datetime

from sekisho.domain import ids
from sekisho.domain.access_keys import NewAccessKey, create_access_key
from sekisho.domain.secretbox import SecretBox
from sekisho.errors import EntityAlreadyExists, NoSuchEntity
from sekisho.store.errors import Conflict
from sekisho.store.records import AccountRecord
from sekisho.store.sql import Tx


def create_account(tx: Tx, box: SecretBox, now: datetime,
                   account_id: str | None = None) -> tuple[AccountRecord, NewAccessKey]:
    """A new account and its root user's first access key."""
    chosen = account_id or ids.new_account_id()
    try:
        tx.insert_account(chosen, now)
    except Conflict:
        raise EntityAlreadyExists(f"Account {chosen} already exists.") from None
    key = create_access_key(tx, box, chosen, None, now)
    return AccountRecord(chosen, None, now), key


def create_alias(tx: Tx, account_id: str, alias: str) -> None:
    """Sets the alias; an account has one, so a new alias replaces the old one."""
    holder = tx.account_by_alias(alias)
    if holder is not None and holder.account_id == account_id:
        return
    try:
        tx.set_alias(account_id, alias)
    except Conflict:
        raise EntityAlreadyExists(f"The account alias {alias} already exists.") from None
    tx.bump_generation(account_id)


def delete_alias(tx: Tx, account_id: str, alias: str) -> None:
    account = tx.get_account(account_id)
    if account is None or account.alias != alias:
        raise NoSuchEntity(f"The account alias {alias} cannot be found.")
    tx.set_alias(account_id, None)
    tx.bump_generation(account_id)
