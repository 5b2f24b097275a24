"""Stored instance profiles.

An instance profile holds at most one role ("An instance profile can contain
only one role, and this quota cannot be increased", AddRoleToInstanceProfile
in the IAM API reference), so the role is a column: adding one is a single
conditional UPDATE, which two concurrent requests cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Row,
    String,
    Table,
    UniqueConstraint,
    and_,
    delete,
    func,
    select,
    update,
)

from sekisho.store import roles as _roles  # noqa: F401  (the `roles` table the key refers to)
from sekisho.store import schema as t
from sekisho.store.schema import metadata
from sekisho.store.sql import Tx, utc

instance_profiles = Table(
    "instance_profiles",
    metadata,
    Column("instance_profile_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("role_id", String(32), ForeignKey("roles.role_id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
    Index("ix_instance_profiles_role_id", "role_id"),
)


@dataclass(frozen=True)
class InstanceProfileRecord:
    instance_profile_id: str
    account_id: str
    name: str
    path: str
    role_id: str | None
    created_at: datetime


def _profile(row: Row[Any]) -> InstanceProfileRecord:
    return InstanceProfileRecord(row.instance_profile_id, row.account_id, row.name, row.path,
                                 row.role_id, utc(row.created_at))


def insert_profile(tx: Tx, profile: InstanceProfileRecord) -> None:
    """Raises `store.errors.Conflict` when the account has a profile of that name (any case)."""
    tx.insert_unique(instance_profiles, instance_profile_id=profile.instance_profile_id,
                     account_id=profile.account_id, name=profile.name,
                     name_lower=profile.name.lower(), path=profile.path,
                     role_id=profile.role_id, created_at=profile.created_at)


def profile_by_name(tx: Tx, account_id: str, name: str) -> InstanceProfileRecord | None:
    row = tx.conn.execute(select(instance_profiles).where(and_(
        instance_profiles.c.account_id == account_id,
        instance_profiles.c.name_lower == name.lower()))).first()
    return None if row is None else _profile(row)


def list_profiles(tx: Tx, account_id: str, path_prefix: str, after: str | None,
                  limit: int) -> list[InstanceProfileRecord]:
    query = select(instance_profiles).where(and_(
        instance_profiles.c.account_id == account_id,
        instance_profiles.c.path.startswith(path_prefix, autoescape=True)))
    if after is not None:
        query = query.where(instance_profiles.c.name_lower > after)
    rows = tx.conn.execute(query.order_by(instance_profiles.c.name_lower).limit(limit))
    return [_profile(r) for r in rows]


def count_profiles(tx: Tx, account_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(instance_profiles)
                               .where(instance_profiles.c.account_id == account_id)).scalar()
               or 0)


def profiles_of_role(tx: Tx, role_id: str, after: str | None,
                     limit: int) -> list[InstanceProfileRecord]:
    query = select(instance_profiles).where(instance_profiles.c.role_id == role_id)
    if after is not None:
        query = query.where(instance_profiles.c.name_lower > after)
    rows = tx.conn.execute(query.order_by(instance_profiles.c.name_lower).limit(limit))
    return [_profile(r) for r in rows]


def set_role_if_empty(tx: Tx, profile_id: str, role_id: str) -> bool:
    """Puts the role in the profile; False (nothing written) if it holds a role already."""
    result = tx.conn.execute(update(instance_profiles).where(and_(
        instance_profiles.c.instance_profile_id == profile_id,
        instance_profiles.c.role_id.is_(None))).values(role_id=role_id))
    return bool(result.rowcount)


def clear_role(tx: Tx, profile_id: str, role_id: str) -> bool:
    """Takes the role out of the profile; False if the profile did not hold that role."""
    result = tx.conn.execute(update(instance_profiles).where(and_(
        instance_profiles.c.instance_profile_id == profile_id,
        instance_profiles.c.role_id == role_id)).values(role_id=None))
    return bool(result.rowcount)


def clear_role_everywhere(tx: Tx, role_id: str) -> None:
    tx.conn.execute(update(instance_profiles).where(instance_profiles.c.role_id == role_id)
                    .values(role_id=None))


def delete_profile(tx: Tx, profile_id: str) -> None:
    tx.conn.execute(delete(t.tags).where(t.tags.c.entity_id == profile_id))
    tx.conn.execute(delete(instance_profiles)
                    .where(instance_profiles.c.instance_profile_id == profile_id))
