"""Managed policies and versions, inline policies, attachments.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "managed_policies",
        sa.Column("policy_id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_lower", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("arn", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("default_version_id", sa.String(16), nullable=False),
        sa.Column("next_version", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("arn", name="uq_managed_policies_arn"),
        sa.UniqueConstraint("account_id", "name_lower",
                            name="uq_managed_policies_account_id_name_lower"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("policy_id", sa.String(32), primary_key=True),
        sa.Column("version_id", sa.String(16), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "inline_policies",
        sa.Column("entity_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "policy_attachments",
        sa.Column("entity_id", sa.String(32), primary_key=True),
        sa.Column("policy_arn", sa.String(2048), primary_key=True),
        sa.Column("entity_kind", sa.String(8), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_policy_attachments_policy_arn", "policy_attachments", ["policy_arn"])


def downgrade() -> None:
    for table in ("policy_attachments", "inline_policies", "policy_versions",
                  "managed_policies"):
        op.drop_table(table)
