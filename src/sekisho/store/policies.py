"""Stored policies: customer managed policies and their versions, inline policies,
and attachments of managed policies to users, groups and roles.

Entities are referred to by their unique id (`AIDA...`, `AGPA...`, `AROA...`)
and kind, so that users, groups and roles share these tables. AWS managed
policies are not stored: they are data (`sekisho.domain.aws_managed`), and an
attachment names them by ARN like any other policy.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
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

from sekisho.store.schema import groups as groups_table
from sekisho.store.schema import metadata
from sekisho.store.schema import tags as tags_table
from sekisho.store.schema import users as users_table
from sekisho.store.sql import Tx, utc

managed_policies = Table(
    "managed_policies",
    metadata,
    Column("policy_id", String(32), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(2048), nullable=False, unique=True),
    Column("description", String(1000), nullable=True),
    Column("default_version_id", String(16), nullable=False),
    Column("next_version", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("policy_id", String(32), primary_key=True),
    Column("version_id", String(16), primary_key=True),
    Column("document", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

inline_policies = Table(
    "inline_policies",
    metadata,
    Column("entity_id", String(32), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("document", Text, nullable=False),
)

policy_attachments = Table(
    "policy_attachments",
    metadata,
    Column("entity_id", String(32), primary_key=True),
    Column("policy_arn", String(2048), primary_key=True),
    Column("entity_kind", String(8), nullable=False),  # user | group | role
    Column("account_id", String(12), nullable=False),
    Column("attached_at", DateTime(timezone=True), nullable=False),
    Index("ix_policy_attachments_policy_arn", "policy_arn"),
)


@dataclass(frozen=True)
class ManagedPolicyRecord:
    policy_id: str
    account_id: str
    name: str
    path: str
    arn: str
    description: str | None
    default_version_id: str
    next_version: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PolicyVersionRecord:
    policy_id: str
    version_id: str
    document: str
    created_at: datetime


@dataclass(frozen=True)
class Attachment:
    entity_id: str
    entity_kind: str
    policy_arn: str


def _policy(row: Row[Any]) -> ManagedPolicyRecord:
    return ManagedPolicyRecord(row.policy_id, row.account_id, row.name, row.path, row.arn,
                               row.description, row.default_version_id, row.next_version,
                               utc(row.created_at), utc(row.updated_at))


def _version(row: Row[Any]) -> PolicyVersionRecord:
    return PolicyVersionRecord(row.policy_id, row.version_id, row.document, utc(row.created_at))


# --- managed policies and versions


def insert_policy(tx: Tx, policy: ManagedPolicyRecord, document: str) -> None:
    tx.insert_unique(managed_policies, policy_id=policy.policy_id, account_id=policy.account_id,
                     name=policy.name, name_lower=policy.name.lower(), path=policy.path,
                     arn=policy.arn, description=policy.description,
                     default_version_id=policy.default_version_id,
                     next_version=policy.next_version, created_at=policy.created_at,
                     updated_at=policy.updated_at)
    tx.insert_unique(policy_versions, policy_id=policy.policy_id,
                     version_id=policy.default_version_id, document=document,
                     created_at=policy.created_at)


def policy_by_arn(tx: Tx, arn: str) -> ManagedPolicyRecord | None:
    row = tx.conn.execute(select(managed_policies).where(managed_policies.c.arn == arn)).first()
    return None if row is None else _policy(row)


def list_policies(tx: Tx, account_id: str, path_prefix: str) -> list[ManagedPolicyRecord]:
    rows = tx.conn.execute(select(managed_policies).where(and_(
        managed_policies.c.account_id == account_id,
        managed_policies.c.path.startswith(path_prefix, autoescape=True)))
        .order_by(managed_policies.c.name_lower))
    return [_policy(r) for r in rows]


def count_policies(tx: Tx, account_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(managed_policies)
                               .where(managed_policies.c.account_id == account_id)).scalar() or 0)


def update_policy(tx: Tx, policy_id: str, **values: Any) -> None:
    tx.conn.execute(update(managed_policies).where(managed_policies.c.policy_id == policy_id)
                    .values(**values))


def delete_policy(tx: Tx, policy_id: str) -> None:
    tx.conn.execute(delete(policy_versions).where(policy_versions.c.policy_id == policy_id))
    tx.conn.execute(delete(managed_policies).where(managed_policies.c.policy_id == policy_id))


def insert_version(tx: Tx, version: PolicyVersionRecord) -> None:
    tx.insert_unique(policy_versions, policy_id=version.policy_id,
                     version_id=version.version_id, document=version.document,
                     created_at=version.created_at)


def versions(tx: Tx, policy_id: str) -> list[PolicyVersionRecord]:
    rows = tx.conn.execute(select(policy_versions)
                           .where(policy_versions.c.policy_id == policy_id)
                           .order_by(policy_versions.c.created_at.desc(),
                                     policy_versions.c.version_id.desc()))
    return [_version(r) for r in rows]


def version(tx: Tx, policy_id: str, version_id: str) -> PolicyVersionRecord | None:
    row = tx.conn.execute(select(policy_versions).where(and_(
        policy_versions.c.policy_id == policy_id,
        policy_versions.c.version_id == version_id))).first()
    return None if row is None else _version(row)


def delete_version(tx: Tx, policy_id: str, version_id: str) -> None:
    tx.conn.execute(delete(policy_versions).where(and_(
        policy_versions.c.policy_id == policy_id, policy_versions.c.version_id == version_id)))


# --- inline policies


def put_inline(tx: Tx, account_id: str, entity_id: str, name: str, document: str) -> None:
    tx.conn.execute(delete(inline_policies).where(and_(
        inline_policies.c.entity_id == entity_id, inline_policies.c.name == name)))
    tx.insert_unique(inline_policies, entity_id=entity_id, name=name, account_id=account_id,
                     document=document)


def inline(tx: Tx, entity_id: str, name: str) -> str | None:
    value = tx.conn.execute(select(inline_policies.c.document).where(and_(
        inline_policies.c.entity_id == entity_id, inline_policies.c.name == name))).scalar()
    return None if value is None else str(value)


def inline_of(tx: Tx, entity_id: str) -> list[tuple[str, str]]:
    """(name, document) of every inline policy of the entity, by name."""
    rows = tx.conn.execute(select(inline_policies.c.name, inline_policies.c.document)
                           .where(inline_policies.c.entity_id == entity_id)
                           .order_by(inline_policies.c.name))
    return [(r.name, r.document) for r in rows]


def delete_inline(tx: Tx, entity_id: str, name: str) -> bool:
    result = tx.conn.execute(delete(inline_policies).where(and_(
        inline_policies.c.entity_id == entity_id, inline_policies.c.name == name)))
    return bool(result.rowcount)


def delete_all_inline(tx: Tx, entity_id: str) -> None:
    tx.conn.execute(delete(inline_policies).where(inline_policies.c.entity_id == entity_id))


# --- attachments of managed policies to entities (a permissions boundary is not an
#     attachment: it is a column of the user or role)


def attach(tx: Tx, account_id: str, entity_kind: str, entity_id: str, policy_arn: str,
           at: datetime) -> bool:
    """Attaches; False when it was attached already (AWS treats that as success)."""
    exists = tx.conn.execute(select(policy_attachments.c.entity_id).where(and_(
        policy_attachments.c.entity_id == entity_id,
        policy_attachments.c.policy_arn == policy_arn))).first()
    if exists is not None:
        return False
    tx.insert_unique(policy_attachments, entity_id=entity_id, policy_arn=policy_arn,
                     entity_kind=entity_kind, account_id=account_id, attached_at=at)
    return True


def detach(tx: Tx, entity_id: str, policy_arn: str) -> bool:
    result = tx.conn.execute(delete(policy_attachments).where(and_(
        policy_attachments.c.entity_id == entity_id,
        policy_attachments.c.policy_arn == policy_arn)))
    return bool(result.rowcount)


def attached_to(tx: Tx, entity_id: str) -> list[str]:
    """ARNs of the managed policies attached to the entity."""
    rows = tx.conn.execute(select(policy_attachments.c.policy_arn)
        .where(policy_attachments.c.entity_id == entity_id)
        .order_by(policy_attachments.c.attached_at, policy_attachments.c.policy_arn))
    return [r.policy_arn for r in rows]


def entities_of(tx: Tx, account_id: str, policy_arn: str) -> list[Attachment]:
    rows = tx.conn.execute(select(policy_attachments).where(and_(
        policy_attachments.c.account_id == account_id,
        policy_attachments.c.policy_arn == policy_arn)))
    return [Attachment(r.entity_id, r.entity_kind, r.policy_arn) for r in rows]


def attachment_count(tx: Tx, account_id: str, policy_arn: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(policy_attachments).where(and_(
        policy_attachments.c.account_id == account_id,
        policy_attachments.c.policy_arn == policy_arn))).scalar() or 0)


def delete_all_attachments(tx: Tx, entity_id: str) -> None:
    tx.conn.execute(delete(policy_attachments).where(policy_attachments.c.entity_id == entity_id))


# --- usage counts and lookups for listing (AttachmentCount, PermissionsBoundaryUsageCount,
#     ListEntitiesForPolicy, OnlyAttached)


def attachment_counts(tx: Tx, account_id: str) -> dict[str, int]:
    """Policy ARN -> number of entities of the account it is attached to."""
    rows = tx.conn.execute(select(policy_attachments.c.policy_arn, func.count())
                           .where(policy_attachments.c.account_id == account_id)
                           .group_by(policy_attachments.c.policy_arn))
    return {r[0]: int(r[1]) for r in rows}


def attached_count(tx: Tx, entity_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(policy_attachments)
                               .where(policy_attachments.c.entity_id == entity_id)).scalar() or 0)


def _roles_table() -> Table | None:
    """The roles table, once the roles family's store module exists (it registers it)."""
    try:
        importlib.import_module("sekisho.store.roles")
    except ImportError:
        return None
    table = metadata.tables.get("roles")
    if table is None or "permissions_boundary_arn" not in table.c:
        return None
    return table


def _boundary_tables() -> list[tuple[str, Table, str]]:
    """(kind, table, id column) of every entity kind that can have a permissions boundary."""
    out = [("user", users_table, "user_id")]
    roles = _roles_table()
    if roles is not None:
        out.append(("role", roles, "role_id"))
    return out


def boundary_counts(tx: Tx, account_id: str) -> dict[str, int]:
    """Policy ARN -> number of users and roles of the account using it as their boundary."""
    counts: dict[str, int] = {}
    for _, table, _ in _boundary_tables():
        column = table.c.permissions_boundary_arn
        rows = tx.conn.execute(select(column, func.count()).where(and_(
            table.c.account_id == account_id, column.is_not(None))).group_by(column))
        for arn, n in rows:
            counts[arn] = counts.get(arn, 0) + int(n)
    return counts


@dataclass(frozen=True)
class EntityRef:
    """A user, group or role, as ListEntitiesForPolicy names it."""

    kind: str
    entity_id: str
    name: str
    path: str


def _entity_table(kind: str) -> tuple[Table, str] | None:
    if kind == "user":
        return users_table, "user_id"
    if kind == "group":
        return groups_table, "group_id"
    roles = _roles_table()
    return None if roles is None else (roles, "role_id")


def attached_entities(tx: Tx, account_id: str, policy_arn: str) -> list[EntityRef]:
    """The users, groups and roles of the account the policy is attached to."""
    out: list[EntityRef] = []
    for kind in ("user", "group", "role"):
        found = _entity_table(kind)
        if found is None:
            continue
        table, id_column = found
        rows = tx.conn.execute(
            select(table.c[id_column], table.c.name, table.c.path)
            .join(policy_attachments, policy_attachments.c.entity_id == table.c[id_column])
            .where(and_(policy_attachments.c.account_id == account_id,
                        policy_attachments.c.policy_arn == policy_arn)))
        out += [EntityRef(kind, r[0], r.name, r.path) for r in rows]
    return out


def boundary_entities(tx: Tx, account_id: str, policy_arn: str) -> list[EntityRef]:
    """The users and roles of the account that use the policy as their permissions boundary."""
    out: list[EntityRef] = []
    for kind, table, id_column in _boundary_tables():
        rows = tx.conn.execute(select(table.c[id_column], table.c.name, table.c.path).where(and_(
            table.c.account_id == account_id, table.c.permissions_boundary_arn == policy_arn)))
        out += [EntityRef(kind, r[0], r.name, r.path) for r in rows]
    return out


def set_user_boundary(tx: Tx, user_id: str, policy_arn: str | None) -> None:
    tx.conn.execute(update(users_table).where(users_table.c.user_id == user_id)
                    .values(permissions_boundary_arn=policy_arn))


def claim_version_number(tx: Tx, policy_id: str, expected: str, following: str) -> bool:
    """Moves `next_version` from `expected` to `following`; False if another write moved it."""
    result = tx.conn.execute(update(managed_policies).where(and_(
        managed_policies.c.policy_id == policy_id,
        managed_policies.c.next_version == expected)).values(next_version=following))
    return bool(result.rowcount)


def delete_policy_tags(tx: Tx, policy_id: str) -> None:
    tx.conn.execute(delete(tags_table).where(tags_table.c.entity_id == policy_id))
