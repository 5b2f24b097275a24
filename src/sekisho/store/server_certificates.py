"""Stored server certificates: the certificate, its chain, and the private key sealed
under the master key (never stored or returned in clear).

Names are unique per account ignoring case (`name_lower`); tags live in the
shared `tags` table under the certificate's id (`ASCA...`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
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
from sekisho.store.sql import Tx, utc

server_certificates = Table(
    "server_certificates",
    metadata,
    Column("certificate_id", String(32), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("body", Text, nullable=False),
    Column("chain", Text, nullable=True),
    Column("private_key_sealed", LargeBinary, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)


@dataclass(frozen=True)
class ServerCertificateRecord:
    certificate_id: str
    account_id: str
    name: str
    path: str
    body: str
    chain: str | None
    private_key_sealed: bytes = field(repr=False)
    expires_at: datetime
    uploaded_at: datetime


def _record(row: Row[Any]) -> ServerCertificateRecord:
    return ServerCertificateRecord(row.certificate_id, row.account_id, row.name, row.path,
                                   row.body, row.chain, bytes(row.private_key_sealed),
                                   utc(row.expires_at), utc(row.uploaded_at))


def insert(tx: Tx, rec: ServerCertificateRecord) -> None:
    """Raises Conflict when the account has a certificate of that name (any case)."""
    tx.insert_unique(server_certificates, certificate_id=rec.certificate_id,
                     account_id=rec.account_id, name=rec.name, name_lower=rec.name.lower(),
                     path=rec.path, body=rec.body, chain=rec.chain,
                     private_key_sealed=rec.private_key_sealed, expires_at=rec.expires_at,
                     uploaded_at=rec.uploaded_at)


def by_name(tx: Tx, account_id: str, name: str) -> ServerCertificateRecord | None:
    row = tx.conn.execute(select(server_certificates).where(and_(
        server_certificates.c.account_id == account_id,
        server_certificates.c.name_lower == name.lower()))).first()
    return None if row is None else _record(row)


def listed(tx: Tx, account_id: str, path_prefix: str, after: str | None,
           limit: int) -> list[ServerCertificateRecord]:
    query = select(server_certificates).where(and_(
        server_certificates.c.account_id == account_id,
        server_certificates.c.path.startswith(path_prefix, autoescape=True)))
    if after is not None:
        query = query.where(server_certificates.c.name_lower > after)
    rows = tx.conn.execute(query.order_by(server_certificates.c.name_lower).limit(limit))
    return [_record(r) for r in rows]


def count(tx: Tx, account_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(server_certificates)
                               .where(server_certificates.c.account_id == account_id))
               .scalar() or 0)


def rename(tx: Tx, certificate_id: str, name: str, path: str) -> None:
    """Raises Conflict when the new name is taken (any case)."""
    tx.update_unique(update(server_certificates)
                     .where(server_certificates.c.certificate_id == certificate_id)
                     .values(name=name, name_lower=name.lower(), path=path))


def remove(tx: Tx, certificate_id: str) -> None:
    tx.conn.execute(delete(server_certificates)
                    .where(server_certificates.c.certificate_id == certificate_id))
