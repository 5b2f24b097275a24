"""The tables, in SQLAlchemy Core; Alembic migrations create them.

Uniqueness rules live here as constraints, never as read-then-write checks:
entity names are unique per account ignoring case (`name_lower`), access key
ids and account aliases globally.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("alias", String(63), nullable=True, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Bumped by every IAM write in the account; caches compare against it.
    Column("generation", BigInteger, nullable=False, default=0),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_lower", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("permissions_boundary_arn", String(2048), nullable=True),
    UniqueConstraint("account_id", "name_lower"),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(32), ForeignKey("groups.group_id"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_group_members_user_id", "user_id"),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("last_used_service", String(64), nullable=True),
    Column("last_used_region", String(64), nullable=True),
    Index("ix_access_keys_user_id", "user_id"),
    Index("ix_access_keys_account_id", "account_id"),
)

# Tags of any taggable entity; IAM tag keys are unique per entity ignoring case.
tags = Table(
    "tags",
    metadata,
    Column("entity_id", String(64), primary_key=True),
    # A key lower-cases to at most twice its length (U+0130); see migration 0011.
    Column("key_lower", String(256), primary_key=True),
    Column("key", String(128), nullable=False),
    Column("value", String(256), nullable=False),
)
