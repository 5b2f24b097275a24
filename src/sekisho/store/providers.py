"""Stored identity providers: SAML providers (metadata document, assertion decryption
keys sealed under the master key) and OpenID Connect providers (URL, client ids,
thumbprints).

A SAML provider is unique per account by name ignoring case; an OIDC provider
by the host and path of its URL (its ARN's resource), ignoring case. Client ids
and thumbprints are short ordered lists, kept as JSON text. Tags live in the
shared `tags` table under the provider's internal id.
"""

from __future__ import annotations

import json
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

saml_providers = Table(
    "saml_providers",
    metadata,
    Column("provider_id", String(64), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("metadata_document", Text, nullable=False),
    Column("encryption_mode", String(16), nullable=True),
    Column("valid_until", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

saml_private_keys = Table(
    "saml_private_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("key_sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

oidc_providers = Table(
    "oidc_providers",
    metadata,
    Column("provider_id", String(64), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("url", String(255), nullable=False),
    Column("resource_lower", String(255), nullable=False),  # host/path, lower case
    Column("client_ids", Text, nullable=False),  # JSON list
    Column("thumbprints", Text, nullable=False),  # JSON list
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "resource_lower"),
)


@dataclass(frozen=True)
class SamlProviderRecord:
    provider_id: str
    account_id: str
    name: str
    metadata_document: str
    encryption_mode: str | None
    valid_until: datetime
    created_at: datetime


@dataclass(frozen=True)
class SamlPrivateKeyRecord:
    key_id: str
    provider_id: str
    key_sealed: bytes = field(repr=False)
    created_at: datetime


@dataclass(frozen=True)
class OidcProviderRecord:
    provider_id: str
    account_id: str
    url: str
    resource: str  # host/path as given: the ARN's resource after `oidc-provider/`
    client_ids: tuple[str, ...]
    thumbprints: tuple[str, ...]
    created_at: datetime


def _saml(row: Row[Any]) -> SamlProviderRecord:
    return SamlProviderRecord(row.provider_id, row.account_id, row.name,
                              row.metadata_document, row.encryption_mode,
                              utc(row.valid_until), utc(row.created_at))


def _oidc(row: Row[Any]) -> OidcProviderRecord:
    url = str(row.url)
    resource = url.split("://", 1)[-1]
    return OidcProviderRecord(row.provider_id, row.account_id, url, resource,
                              tuple(json.loads(row.client_ids)),
                              tuple(json.loads(row.thumbprints)), utc(row.created_at))


# --- SAML providers


def insert_saml(tx: Tx, rec: SamlProviderRecord) -> None:
    """Raises Conflict when the account has a provider of that name (any case)."""
    tx.insert_unique(saml_providers, provider_id=rec.provider_id, account_id=rec.account_id,
                     name=rec.name, name_lower=rec.name.lower(),
                     metadata_document=rec.metadata_document,
                     encryption_mode=rec.encryption_mode, valid_until=rec.valid_until,
                     created_at=rec.created_at)


def saml_by_name(tx: Tx, account_id: str, name: str) -> SamlProviderRecord | None:
    row = tx.conn.execute(select(saml_providers).where(and_(
        saml_providers.c.account_id == account_id,
        saml_providers.c.name_lower == name.lower()))).first()
    return None if row is None else _saml(row)


def saml_list(tx: Tx, account_id: str) -> list[SamlProviderRecord]:
    rows = tx.conn.execute(select(saml_providers)
                           .where(saml_providers.c.account_id == account_id)
                           .order_by(saml_providers.c.name_lower))
    return [_saml(r) for r in rows]


def count_saml(tx: Tx, account_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(saml_providers)
                               .where(saml_providers.c.account_id == account_id)).scalar() or 0)


def update_saml(tx: Tx, provider_id: str, **values: Any) -> None:
    tx.conn.execute(update(saml_providers).where(saml_providers.c.provider_id == provider_id)
                    .values(**values))


def delete_saml(tx: Tx, provider_id: str) -> None:
    tx.conn.execute(delete(saml_private_keys)
                    .where(saml_private_keys.c.provider_id == provider_id))
    tx.conn.execute(delete(saml_providers).where(saml_providers.c.provider_id == provider_id))


def insert_saml_key(tx: Tx, rec: SamlPrivateKeyRecord) -> None:
    tx.insert_unique(saml_private_keys, key_id=rec.key_id, provider_id=rec.provider_id,
                     key_sealed=rec.key_sealed, created_at=rec.created_at)


def saml_keys(tx: Tx, provider_id: str) -> list[SamlPrivateKeyRecord]:
    rows = tx.conn.execute(select(saml_private_keys)
                           .where(saml_private_keys.c.provider_id == provider_id)
                           .order_by(saml_private_keys.c.created_at, saml_private_keys.c.key_id))
    return [SamlPrivateKeyRecord(r.key_id, r.provider_id, bytes(r.key_sealed),
                                 utc(r.created_at)) for r in rows]


def delete_saml_key(tx: Tx, provider_id: str, key_id: str) -> bool:
    result = tx.conn.execute(delete(saml_private_keys).where(and_(
        saml_private_keys.c.provider_id == provider_id, saml_private_keys.c.key_id == key_id)))
    return bool(result.rowcount)


# --- OpenID Connect providers


def insert_oidc(tx: Tx, rec: OidcProviderRecord) -> None:
    """Raises Conflict when the account has a provider for that host and path (any case)."""
    tx.insert_unique(oidc_providers, provider_id=rec.provider_id, account_id=rec.account_id,
                     url=rec.url, resource_lower=rec.resource.lower(),
                     client_ids=json.dumps(list(rec.client_ids)),
                     thumbprints=json.dumps(list(rec.thumbprints)), created_at=rec.created_at)


def oidc_by_resource(tx: Tx, account_id: str, resource: str) -> OidcProviderRecord | None:
    row = tx.conn.execute(select(oidc_providers).where(and_(
        oidc_providers.c.account_id == account_id,
        oidc_providers.c.resource_lower == resource.lower()))).first()
    return None if row is None else _oidc(row)


def oidc_list(tx: Tx, account_id: str) -> list[OidcProviderRecord]:
    rows = tx.conn.execute(select(oidc_providers)
                           .where(oidc_providers.c.account_id == account_id)
                           .order_by(oidc_providers.c.resource_lower))
    return [_oidc(r) for r in rows]


def count_oidc(tx: Tx, account_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(oidc_providers)
                               .where(oidc_providers.c.account_id == account_id)).scalar() or 0)


def set_oidc_lists(tx: Tx, provider_id: str, client_ids: tuple[str, ...],
                   thumbprints: tuple[str, ...]) -> None:
    tx.conn.execute(update(oidc_providers).where(oidc_providers.c.provider_id == provider_id)
                    .values(client_ids=json.dumps(list(client_ids)),
                            thumbprints=json.dumps(list(thumbprints))))


def delete_oidc(tx: Tx, provider_id: str) -> None:
    tx.conn.execute(delete(oidc_providers).where(oidc_providers.c.provider_id == provider_id))
