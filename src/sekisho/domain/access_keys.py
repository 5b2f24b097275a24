"""Access keys: at most two per user (and per root user), sealed secrets, last use.

The secret is returned once, at creation; the store keeps it sealed under the
master key with the key id as associated data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sekisho.domain import ids
from sekisho.domain.secretbox import SecretBox
from sekisho.errors import LimitExceeded, NoSuchEntity
from sekisho.store.records import AccessKeyRecord
from sekisho.store.sql import Tx

# IAM quotas: access keys assigned to an IAM user (and to the root user).
MAX_KEYS_PER_USER = 2


@dataclass(frozen=True)
class NewAccessKey:
    record: AccessKeyRecord
    secret: str

    def __repr__(self) -> str:
        return f"NewAccessKey(access_key_id={self.record.access_key_id!r}, secret=***)"


def not_found(access_key_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")


def create_access_key(tx: Tx, box: SecretBox, account_id: str, user_id: str | None,
                      now: datetime) -> NewAccessKey:
    if len(tx.access_keys_of(account_id, user_id)) >= MAX_KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}")
    key_id = ids.access_key_id(ids.LONG_TERM_KEY, account_id)
    secret = ids.secret_access_key()
    sealed = box.seal(secret.encode("ascii"), key_id.encode("ascii"))
    record = AccessKeyRecord(key_id, account_id, user_id, "Active", sealed, now)
    tx.insert_access_key(record)
    tx.bump_generation(account_id)
    return NewAccessKey(record, secret)


def owned_key(tx: Tx, account_id: str, user_id: str | None, access_key_id: str) -> AccessKeyRecord:
    """The key if the given user (None: root) owns it, else NoSuchEntity."""
    key = tx.access_key(access_key_id)
    if key is None or key.account_id != account_id or key.user_id != user_id:
        raise not_found(access_key_id)
    return key


def update_access_key(tx: Tx, account_id: str, user_id: str | None, access_key_id: str,
                      status: str) -> None:
    owned_key(tx, account_id, user_id, access_key_id)
    tx.set_access_key_status(access_key_id, status)
    tx.bump_generation(account_id)


def delete_access_key(tx: Tx, account_id: str, user_id: str | None, access_key_id: str) -> None:
    owned_key(tx, account_id, user_id, access_key_id)
    tx.delete_access_key(access_key_id)
    tx.bump_generation(account_id)


def open_secret(box: SecretBox, key: AccessKeyRecord) -> str:
    return box.open(key.secret_sealed, key.access_key_id.encode("ascii")).decode("ascii")
