"""Stored account settings: the password policy and the last credential report,
one row each per account; and the counts GetAccountSummary reports.

The credential report lives in the database (not in a worker's memory) so that
every worker process and every node serves the same report, and a restart
keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    Row,
    String,
    Table,
    delete,
    func,
    select,
    update,
)

from sekisho.store import credentials, policies, schema
from sekisho.store.errors import Conflict
from sekisho.store.records import AccessKeyRecord
from sekisho.store.schema import metadata
from sekisho.store.sql import Tx, opt_utc, utc

password_policies = Table(
    "password_policies",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("minimum_password_length", Integer, nullable=False),
    Column("require_symbols", Boolean, nullable=False),
    Column("require_numbers", Boolean, nullable=False),
    Column("require_uppercase_characters", Boolean, nullable=False),
    Column("require_lowercase_characters", Boolean, nullable=False),
    Column("allow_users_to_change_password", Boolean, nullable=False),
    # NULL: not set (passwords never expire / reuse is not prevented).
    Column("max_password_age", Integer, nullable=True),
    Column("password_reuse_prevention", Integer, nullable=True),
    Column("hard_expiry", Boolean, nullable=False),
)

credential_reports = Table(
    "credential_reports",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("generated_at", DateTime(timezone=True), nullable=False),
    Column("content", LargeBinary, nullable=False),
)


@dataclass(frozen=True)
class PasswordPolicyRecord:
    minimum_password_length: int = 6
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase_characters: bool = False
    require_lowercase_characters: bool = False
    allow_users_to_change_password: bool = False
    max_password_age: int | None = None
    password_reuse_prevention: int | None = None
    hard_expiry: bool = False


@dataclass(frozen=True)
class CredentialReportRecord:
    account_id: str
    generated_at: datetime
    content: bytes


def _policy(row: Row[Any]) -> PasswordPolicyRecord:
    return PasswordPolicyRecord(
        row.minimum_password_length, bool(row.require_symbols), bool(row.require_numbers),
        bool(row.require_uppercase_characters), bool(row.require_lowercase_characters),
        bool(row.allow_users_to_change_password), row.max_password_age,
        row.password_reuse_prevention, bool(row.hard_expiry))


# --- password policy


def password_policy(tx: Tx, account_id: str) -> PasswordPolicyRecord | None:
    row = tx.conn.execute(select(password_policies)
                          .where(password_policies.c.account_id == account_id)).first()
    return None if row is None else _policy(row)


def put_password_policy(tx: Tx, account_id: str, policy: PasswordPolicyRecord) -> None:
    """Creates or replaces the account's policy (the update replaces every field)."""
    values = {
        "minimum_password_length": policy.minimum_password_length,
        "require_symbols": policy.require_symbols,
        "require_numbers": policy.require_numbers,
        "require_uppercase_characters": policy.require_uppercase_characters,
        "require_lowercase_characters": policy.require_lowercase_characters,
        "allow_users_to_change_password": policy.allow_users_to_change_password,
        "max_password_age": policy.max_password_age,
        "password_reuse_prevention": policy.password_reuse_prevention,
        "hard_expiry": policy.hard_expiry,
    }
    result = tx.conn.execute(update(password_policies)
                             .where(password_policies.c.account_id == account_id)
                             .values(**values))
    if result.rowcount:
        return
    try:
        tx.insert_unique(password_policies, account_id=account_id, **values)
    except Conflict:
        # Another writer created it between our UPDATE and INSERT: last writer wins.
        tx.conn.execute(update(password_policies)
                        .where(password_policies.c.account_id == account_id).values(**values))


def delete_password_policy(tx: Tx, account_id: str) -> bool:
    result = tx.conn.execute(delete(password_policies)
                             .where(password_policies.c.account_id == account_id))
    return bool(result.rowcount)


# --- credential report


def credential_report(tx: Tx, account_id: str) -> CredentialReportRecord | None:
    row = tx.conn.execute(select(credential_reports)
                          .where(credential_reports.c.account_id == account_id)).first()
    if row is None:
        return None
    return CredentialReportRecord(row.account_id, utc(row.generated_at), bytes(row.content))


def put_credential_report(tx: Tx, report: CredentialReportRecord) -> None:
    values = {"generated_at": report.generated_at, "content": report.content}
    result = tx.conn.execute(update(credential_reports)
                             .where(credential_reports.c.account_id == report.account_id)
                             .values(**values))
    if result.rowcount:
        return
    try:
        tx.insert_unique(credential_reports, account_id=report.account_id, **values)
    except Conflict:
        tx.conn.execute(update(credential_reports)
                        .where(credential_reports.c.account_id == report.account_id)
                        .values(**values))


def account_access_keys(tx: Tx, account_id: str) -> list[AccessKeyRecord]:
    """Every access key of the account (users' and root's), oldest first, in one query."""
    keys = schema.access_keys
    rows = tx.conn.execute(select(keys).where(keys.c.account_id == account_id)
                           .order_by(keys.c.created_at, keys.c.access_key_id))
    return [AccessKeyRecord(r.access_key_id, r.account_id, r.user_id, r.status,
                            bytes(r.secret_sealed), utc(r.created_at), opt_utc(r.last_used_at),
                            r.last_used_service, r.last_used_region) for r in rows]


@dataclass(frozen=True)
class CertificateUse:
    """A signing certificate, as the credential report needs it."""

    user_id: str | None  # None: the account's root user
    active: bool
    uploaded_at: datetime


def account_certificates(tx: Tx, account_id: str) -> list[CertificateUse]:
    """Every signing certificate of the account (users' and root's), oldest first."""
    certs = credentials.signing_certificates
    rows = tx.conn.execute(select(certs.c.user_id, certs.c.status, certs.c.uploaded_at)
                           .where(certs.c.account_id == account_id)
                           .order_by(certs.c.uploaded_at, certs.c.certificate_id))
    return [CertificateUse(r.user_id, r.status == "Active", utc(r.uploaded_at)) for r in rows]


def count_attachments(tx: Tx, account_id: str) -> int:
    """Attachments of managed policies to the account's users, groups and roles."""
    table = policies.policy_attachments
    return int(tx.conn.execute(select(func.count()).select_from(table)
                               .where(table.c.account_id == account_id)).scalar() or 0)
