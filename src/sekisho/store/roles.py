"""Stored roles, and the deletion tasks of service-linked roles.

A role's tags live in the shared `tags` table under its unique id (`AROA...`),
its inline policies and managed policy attachments in `store.policies`, its
instance profiles in `store.instance_profiles`. A service-linked role is a
role whose `linked_service` names the AWS service it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)

from sekisho.store import schema as t
from sekisho.store.schema import metadata
from sekisho.store.sql import Tx, opt_utc, utc

roles = Table(
    "roles",
    metadata,
    Column("role_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_lower", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("trust_policy", Text, nullable=False),
    Column("description", String(1000), nullable=True),
    Column("max_session_duration", Integer, nullable=False),
    Column("permissions_boundary_arn", String(2048), nullable=True),
    Column("linked_service", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("last_used_region", String(64), nullable=True),
    UniqueConstraint("account_id", "name_lower"),
)

# DeleteServiceLinkedRole answers with a task id that GetServiceLinkedRoleDeletionStatus
# looks up later; the deletion itself is done at once, so every task is finished.
slr_deletion_tasks = Table(
    "slr_deletion_tasks",
    metadata,
    Column("task_id", String(512), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class RoleRecord:
    """One IAM role; `trust_policy` is the JSON text as the caller sent it."""

    role_id: str
    account_id: str
    name: str
    path: str
    trust_policy: str
    max_session_duration: int
    permissions_boundary_arn: str | None
    description: str | None
    created_at: datetime
    last_used_at: datetime | None = None
    last_used_region: str | None = None
    linked_service: str | None = None  # the service of a service-linked role


def _role(row: Row[Any]) -> RoleRecord:
    return RoleRecord(row.role_id, row.account_id, row.name, row.path, row.trust_policy,
                      int(row.max_session_duration), row.permissions_boundary_arn,
                      row.description, utc(row.created_at), opt_utc(row.last_used_at),
                      row.last_used_region, row.linked_service)


def insert_role(tx: Tx, role: RoleRecord) -> None:
    """Raises `store.errors.Conflict` when the account has a role of that name (any case)."""
    tx.insert_unique(roles, role_id=role.role_id, account_id=role.account_id, name=role.name,
                     name_lower=role.name.lower(), path=role.path,
                     trust_policy=role.trust_policy, description=role.description,
                     max_session_duration=role.max_session_duration,
                     permissions_boundary_arn=role.permissions_boundary_arn,
                     linked_service=role.linked_service, created_at=role.created_at)


def role_by_name(tx: Tx, account_id: str, name: str) -> RoleRecord | None:
    row = tx.conn.execute(select(roles).where(and_(
        roles.c.account_id == account_id, roles.c.name_lower == name.lower()))).first()
    return None if row is None else _role(row)


def role_by_id(tx: Tx, role_id: str) -> RoleRecord | None:
    row = tx.conn.execute(select(roles).where(roles.c.role_id == role_id)).first()
    return None if row is None else _role(row)


def list_roles(tx: Tx, account_id: str, path_prefix: str, after: str | None,
               limit: int) -> list[RoleRecord]:
    query = select(roles).where(and_(
        roles.c.account_id == account_id,
        roles.c.path.startswith(path_prefix, autoescape=True)))
    if after is not None:
        query = query.where(roles.c.name_lower > after)
    rows = tx.conn.execute(query.order_by(roles.c.name_lower).limit(limit))
    return [_role(r) for r in rows]


def count_roles(tx: Tx, account_id: str) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(roles)
                               .where(roles.c.account_id == account_id)).scalar() or 0)


def roles_mentioning(tx: Tx, text: str) -> list[RoleRecord]:
    """Every role, in any account, whose trust policy may name `text`: its text contains
    it, or holds a backslash (a JSON escape such as `\\/` can spell it otherwise)."""
    rows = tx.conn.execute(select(roles).where(or_(
        roles.c.trust_policy.contains(text, autoescape=True),
        roles.c.trust_policy.contains("\\", autoescape=True))))
    return [_role(r) for r in rows]


def update_role(tx: Tx, role_id: str, **values: Any) -> None:
    tx.conn.execute(update(roles).where(roles.c.role_id == role_id).values(**values))


def delete_role(tx: Tx, role_id: str) -> None:
    tx.conn.execute(delete(t.tags).where(t.tags.c.entity_id == role_id))
    tx.conn.execute(delete(roles).where(roles.c.role_id == role_id))


# --- deletion tasks of service-linked roles


def insert_deletion_task(tx: Tx, account_id: str, task_id: str, status: str,
                         at: datetime) -> None:
    tx.insert_unique(slr_deletion_tasks, task_id=task_id, account_id=account_id, status=status,
                     created_at=at)


def deletion_task_status(tx: Tx, account_id: str, task_id: str) -> str | None:
    value = tx.conn.execute(select(slr_deletion_tasks.c.status).where(and_(
        slr_deletion_tasks.c.account_id == account_id,
        slr_deletion_tasks.c.task_id == task_id))).scalar()
    return None if value is None else str(value)
