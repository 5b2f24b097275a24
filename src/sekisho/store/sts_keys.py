"""The STS sealing key ring: keys that seal session tokens, themselves sealed under
the master key. The newest key seals; every key not yet retired opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Column, DateTime, LargeBinary, String, Table, select

from sekisho.store.schema import metadata
from sekisho.store.sql import Tx, utc

sts_keys = Table(
    "sts_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("material_sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class StsKeyRecord:
    key_id: str
    material_sealed: bytes = field(repr=False)
    created_at: datetime


def insert_key(tx: Tx, record: StsKeyRecord) -> None:
    tx.insert_unique(sts_keys, key_id=record.key_id, material_sealed=record.material_sealed,
                     created_at=record.created_at)


def all_keys(tx: Tx) -> list[StsKeyRecord]:
    rows = tx.conn.execute(select(sts_keys).order_by(sts_keys.c.created_at, sts_keys.c.key_id))
    return [StsKeyRecord(r.key_id, bytes(r.material_sealed), utc(r.created_at)) for r in rows]
