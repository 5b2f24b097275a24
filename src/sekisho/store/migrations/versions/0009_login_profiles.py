"""Login profiles (console passwords) and password history.

Revision ID: 0009
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "login_profiles",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(12), sa.ForeignKey("accounts.account_id"),
                  nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_reset_required", sa.Boolean, nullable=False),
        sa.Column("password_last_used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_login_profiles_account_id", "login_profiles", ["account_id"])
    op.create_table(
        "password_history",
        sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_password_history_user_id", "password_history", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_password_history_user_id", "password_history")
    op.drop_table("password_history")
    op.drop_index("ix_login_profiles_account_id", "login_profiles")
    op.drop_table("login_profiles")
