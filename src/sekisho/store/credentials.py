"""Stored user credentials other than access keys: X.509 signing certificates, SSH
public keys and service-specific credentials.

A row names its owner by unique id (`AIDA...`); signing certificates of the
root user have no owner (`user_id` NULL), as its access keys do. Uniqueness
that AWS enforces lives in constraints: a certificate once per account, an SSH
key once per user. Service passwords are stored sealed, never in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    select,
    update,
)

from sekisho.store.schema import metadata
from sekisho.store.sql import Tx, opt_utc, utc

signing_certificates = Table(
    "signing_certificates",
    metadata,
    Column("certificate_id", String(128), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("user_id", String(32), nullable=True),
    Column("body", Text, nullable=False),
    # SHA-256 of the DER certificate: the same certificate is refused twice per account.
    Column("der_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "der_sha256"),
    Index("ix_signing_certificates_user_id", "user_id"),
)

ssh_public_keys = Table(
    "ssh_public_keys",
    metadata,
    Column("key_id", String(128), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("body", Text, nullable=False),  # as uploaded
    Column("blob_sha256", String(64), nullable=False),  # of the SSH wire-format key
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "blob_sha256"),
)

service_credentials = Table(
    "service_credentials",
    metadata,
    Column("credential_id", String(128), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("service_name", String(128), nullable=False),
    Column("service_user_name", String(200), nullable=False),
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Index("ix_service_credentials_user_id", "user_id"),
    Index("ix_service_credentials_account_id", "account_id"),
)


@dataclass(frozen=True)
class SigningCertificateRecord:
    certificate_id: str
    account_id: str
    user_id: str | None
    body: str
    der_sha256: str
    status: str
    uploaded_at: datetime


@dataclass(frozen=True)
class SSHPublicKeyRecord:
    key_id: str
    account_id: str
    user_id: str
    body: str
    blob_sha256: str
    fingerprint: str
    status: str
    uploaded_at: datetime


@dataclass(frozen=True)
class ServiceCredentialRecord:
    credential_id: str
    account_id: str
    user_id: str
    service_name: str
    service_user_name: str
    secret_sealed: bytes = field(repr=False)
    status: str
    created_at: datetime
    expires_at: datetime | None


def _certificate(row: Row[Any]) -> SigningCertificateRecord:
    return SigningCertificateRecord(row.certificate_id, row.account_id, row.user_id, row.body,
                                    row.der_sha256, row.status, utc(row.uploaded_at))


def _ssh_key(row: Row[Any]) -> SSHPublicKeyRecord:
    return SSHPublicKeyRecord(row.key_id, row.account_id, row.user_id, row.body,
                              row.blob_sha256, row.fingerprint, row.status,
                              utc(row.uploaded_at))


def _service_credential(row: Row[Any]) -> ServiceCredentialRecord:
    return ServiceCredentialRecord(row.credential_id, row.account_id, row.user_id,
                                   row.service_name, row.service_user_name,
                                   bytes(row.secret_sealed), row.status, utc(row.created_at),
                                   opt_utc(row.expires_at))


def _owner(column: Any, user_id: str | None) -> Any:
    return column.is_(None) if user_id is None else column == user_id


# --- signing certificates


def insert_certificate(tx: Tx, rec: SigningCertificateRecord) -> None:
    """Raises Conflict when the account holds the same certificate already."""
    tx.insert_unique(signing_certificates, certificate_id=rec.certificate_id,
                     account_id=rec.account_id, user_id=rec.user_id, body=rec.body,
                     der_sha256=rec.der_sha256, status=rec.status,
                     uploaded_at=rec.uploaded_at)


def certificates_of(tx: Tx, account_id: str, user_id: str | None) -> list[SigningCertificateRecord]:
    rows = tx.conn.execute(select(signing_certificates).where(and_(
        signing_certificates.c.account_id == account_id,
        _owner(signing_certificates.c.user_id, user_id)))
        .order_by(signing_certificates.c.uploaded_at, signing_certificates.c.certificate_id))
    return [_certificate(r) for r in rows]


def set_certificate_status(tx: Tx, certificate_id: str, status: str) -> None:
    tx.conn.execute(update(signing_certificates)
                    .where(signing_certificates.c.certificate_id == certificate_id)
                    .values(status=status))


def delete_certificate(tx: Tx, certificate_id: str) -> None:
    tx.conn.execute(delete(signing_certificates)
                    .where(signing_certificates.c.certificate_id == certificate_id))


# --- SSH public keys


def insert_ssh_key(tx: Tx, rec: SSHPublicKeyRecord) -> None:
    """Raises Conflict when the user holds the same key already."""
    tx.insert_unique(ssh_public_keys, key_id=rec.key_id, account_id=rec.account_id,
                     user_id=rec.user_id, body=rec.body, blob_sha256=rec.blob_sha256,
                     fingerprint=rec.fingerprint, status=rec.status,
                     uploaded_at=rec.uploaded_at)


def ssh_keys_of(tx: Tx, user_id: str) -> list[SSHPublicKeyRecord]:
    rows = tx.conn.execute(select(ssh_public_keys).where(ssh_public_keys.c.user_id == user_id)
                           .order_by(ssh_public_keys.c.uploaded_at, ssh_public_keys.c.key_id))
    return [_ssh_key(r) for r in rows]


def set_ssh_key_status(tx: Tx, key_id: str, status: str) -> None:
    tx.conn.execute(update(ssh_public_keys).where(ssh_public_keys.c.key_id == key_id)
                    .values(status=status))


def delete_ssh_key(tx: Tx, key_id: str) -> None:
    tx.conn.execute(delete(ssh_public_keys).where(ssh_public_keys.c.key_id == key_id))


# --- service-specific credentials


def insert_service_credential(tx: Tx, rec: ServiceCredentialRecord) -> None:
    tx.insert_unique(service_credentials, credential_id=rec.credential_id,
                     account_id=rec.account_id, user_id=rec.user_id,
                     service_name=rec.service_name, service_user_name=rec.service_user_name,
                     secret_sealed=rec.secret_sealed, status=rec.status,
                     created_at=rec.created_at, expires_at=rec.expires_at)


def service_credentials_of(tx: Tx, account_id: str, user_id: str | None,
                           service_name: str | None) -> list[ServiceCredentialRecord]:
    """The account's credentials, of one user (None: every user), of one service or all."""
    query = select(service_credentials).where(service_credentials.c.account_id == account_id)
    if user_id is not None:
        query = query.where(service_credentials.c.user_id == user_id)
    if service_name is not None:
        query = query.where(service_credentials.c.service_name == service_name)
    rows = tx.conn.execute(query.order_by(service_credentials.c.created_at,
                                          service_credentials.c.credential_id))
    return [_service_credential(r) for r in rows]


def count_service_credentials(tx: Tx, user_id: str, service_name: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(service_credentials).where(and_(
        service_credentials.c.user_id == user_id,
        service_credentials.c.service_name == service_name))).scalar() or 0)


def update_service_credential(tx: Tx, credential_id: str, **values: Any) -> None:
    tx.conn.execute(update(service_credentials)
                    .where(service_credentials.c.credential_id == credential_id)
                    .values(**values))


def delete_service_credential(tx: Tx, credential_id: str) -> None:
    tx.conn.execute(delete(service_credentials)
                    .where(service_credentials.c.credential_id == credential_id))


def has_credentials(tx: Tx, user_id: str) -> tuple[bool, bool, bool]:
    """(signing certificates, SSH keys, service-specific credentials) the user still owns."""
    def exists(table: Table) -> bool:
        return tx.conn.execute(select(table.c.user_id)
                               .where(table.c.user_id == user_id).limit(1)).first() is not None
    return exists(signing_certificates), exists(ssh_public_keys), exists(service_credentials)
