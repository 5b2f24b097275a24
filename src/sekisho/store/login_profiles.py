"""Stored login profiles (console passwords) and each user's recent password hashes.

A login profile is one row per user (the primary key makes a second one a
Conflict). Only argon2id hashes are stored, never a password. The history
keeps the hashes of the last passwords set for the user (the current one
included), newest first by `entry_id`, for PasswordReusePrevention; it is
trimmed on every write and removed with the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Table,
    and_,
    bindparam,
    delete,
    select,
    update,
)

from sekisho.store.schema import metadata
from sekisho.store.sql import Tx, opt_utc, utc

login_profiles = Table(
    "login_profiles",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
    Column("password_reset_required", Boolean, nullable=False),
    Column("password_last_used_at", DateTime(timezone=True), nullable=True),
    Index("ix_login_profiles_account_id", "account_id"),
)

password_history = Table(
    "password_history",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(32), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    Index("ix_password_history_user_id", "user_id"),
)


# GetUser reads the last sign-in on every call: built once, as the store's other hot reads.
_PROFILE = select(login_profiles).where(login_profiles.c.user_id == bindparam("user_id"))
_LAST_USED = select(login_profiles.c.password_last_used_at).where(
    login_profiles.c.user_id == bindparam("user_id"))


@dataclass(frozen=True)
class LoginProfileRecord:
    user_id: str
    account_id: str
    password_hash: str
    created_at: datetime
    password_changed_at: datetime
    password_reset_required: bool
    password_last_used_at: datetime | None = None

    def __repr__(self) -> str:
        # A hash is not a password, but it still has no business in a log line.
        return f"LoginProfileRecord(user_id={self.user_id!r}, password_hash=<hidden>)"


def _profile(row: Row[Any]) -> LoginProfileRecord:
    return LoginProfileRecord(row.user_id, row.account_id, row.password_hash,
                              utc(row.created_at), utc(row.password_changed_at),
                              bool(row.password_reset_required),
                              opt_utc(row.password_last_used_at))


def insert_profile(tx: Tx, profile: LoginProfileRecord) -> None:
    """Raises store.errors.Conflict when the user has a login profile already."""
    tx.insert_unique(login_profiles, user_id=profile.user_id, account_id=profile.account_id,
                     password_hash=profile.password_hash, created_at=profile.created_at,
                     password_changed_at=profile.password_changed_at,
                     password_reset_required=profile.password_reset_required,
                     password_last_used_at=profile.password_last_used_at)


def profile_of(tx: Tx, user_id: str) -> LoginProfileRecord | None:
    row = tx.conn.execute(_PROFILE, {"user_id": user_id}).first()
    return None if row is None else _profile(row)


def password_last_used(tx: Tx, user_id: str) -> datetime | None:
    """None when the user has no login profile or never signed in with it."""
    return opt_utc(tx.conn.execute(_LAST_USED, {"user_id": user_id}).scalar())


def profiles_of_account(tx: Tx, account_id: str) -> list[LoginProfileRecord]:
    """Every login profile of the account's users, in one query (credential report)."""
    rows = tx.conn.execute(select(login_profiles)
                           .where(login_profiles.c.account_id == account_id))
    return [_profile(r) for r in rows]


def has_login_profile(tx: Tx, user_id: str) -> bool:
    return tx.conn.execute(select(login_profiles.c.user_id)
                           .where(login_profiles.c.user_id == user_id)).first() is not None


def set_password(tx: Tx, user_id: str, expected_hash: str | None, new_hash: str,
                 at: datetime, reset_required: bool | None) -> bool:
    """Replaces the password hash (and the reset flag unless None); with `expected_hash`,
    only if the stored hash still is that one. False when no row was changed."""
    condition = login_profiles.c.user_id == user_id
    if expected_hash is not None:
        condition = and_(condition, login_profiles.c.password_hash == expected_hash)
    values: dict[str, Any] = {"password_hash": new_hash, "password_changed_at": at}
    if reset_required is not None:
        values["password_reset_required"] = reset_required
    result = tx.conn.execute(update(login_profiles).where(condition).values(**values))
    return bool(result.rowcount)


def set_reset_required(tx: Tx, user_id: str, reset_required: bool) -> None:
    tx.conn.execute(update(login_profiles).where(login_profiles.c.user_id == user_id)
                    .values(password_reset_required=reset_required))


def set_last_used(tx: Tx, user_id: str, at: datetime) -> bool:
    result = tx.conn.execute(update(login_profiles).where(login_profiles.c.user_id == user_id)
                             .values(password_last_used_at=at))
    return bool(result.rowcount)


def delete_profile(tx: Tx, user_id: str) -> bool:
    """Removes the profile and the user's password history; False if there was none."""
    tx.conn.execute(delete(password_history).where(password_history.c.user_id == user_id))
    result = tx.conn.execute(delete(login_profiles).where(login_profiles.c.user_id == user_id))
    return bool(result.rowcount)


# --- history


def recent_hashes(tx: Tx, user_id: str, count: int) -> list[str]:
    """The hashes of the user's last `count` passwords, newest first."""
    if count <= 0:
        return []
    rows = tx.conn.execute(select(password_history.c.password_hash)
                           .where(password_history.c.user_id == user_id)
                           .order_by(password_history.c.entry_id.desc()).limit(count))
    return [r.password_hash for r in rows]


def remember(tx: Tx, user_id: str, password_hash: str, at: datetime, keep: int) -> None:
    """Adds a hash to the user's history and drops all but the newest `keep`."""
    tx.conn.execute(password_history.insert().values(user_id=user_id,
                                                     password_hash=password_hash, set_at=at))
    newest = (select(password_history.c.entry_id)
              .where(password_history.c.user_id == user_id)
              .order_by(password_history.c.entry_id.desc()).limit(keep))
    kept = [r.entry_id for r in tx.conn.execute(newest)]
    tx.conn.execute(delete(password_history).where(and_(
        password_history.c.user_id == user_id, password_history.c.entry_id.not_in(kept))))
