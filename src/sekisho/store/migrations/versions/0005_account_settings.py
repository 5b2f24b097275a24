"""Account settings: the password policy and the last credential report.

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "password_policies",
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("minimum_password_length", sa.Integer, nullable=False),
        sa.Column("require_symbols", sa.Boolean, nullable=False),
        sa.Column("require_numbers", sa.Boolean, nullable=False),
        sa.Column("require_uppercase_characters", sa.Boolean, nullable=False),
        sa.Column("require_lowercase_characters", sa.Boolean, nullable=False),
        sa.Column("allow_users_to_change_password", sa.Boolean, nullable=False),
        sa.Column("max_password_age", sa.Integer, nullable=True),
        sa.Column("password_reuse_prevention", sa.Integer, nullable=True),
        sa.Column("hard_expiry", sa.Boolean, nullable=False),
    )
    op.create_table(
        "credential_reports",
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("credential_reports", "password_policies"):
        op.drop_table(table)
