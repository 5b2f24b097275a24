"""Last accessed data (uses and report jobs) and STS preferences.

Revision ID: 0010
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0002"


def upgrade() -> None:
    # No foreign key to accounts: uses are written in the background and may outlive
    # what they describe; an orphan row is harmless, a failed batch would lose the others.
    op.create_table(
        "service_last_accessed",
        sa.Column("entity_id", sa.String(32), primary_key=True),
        sa.Column("namespace", sa.String(64), primary_key=True),
        sa.Column("action", sa.String(128), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("entity_arn", sa.String(2048), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_service_last_accessed_account_id", "service_last_accessed",
                    ["account_id"])
    op.create_table(
        "last_accessed_jobs",
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("arn", sa.String(2048), nullable=False),
        sa.Column("granularity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.Text, nullable=False),
    )
    op.create_index("ix_last_accessed_jobs_account_id", "last_accessed_jobs", ["account_id"])
    op.create_table(
        "sts_preferences",
        sa.Column("account_id", sa.String(12), sa.ForeignKey("accounts.account_id"),
                  primary_key=True),
        sa.Column("global_endpoint_token_version", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sts_preferences")
    op.drop_index("ix_last_accessed_jobs_account_id", "last_accessed_jobs")
    op.drop_table("last_accessed_jobs")
    op.drop_index("ix_service_last_accessed_account_id", "service_last_accessed")
    op.drop_table("service_last_accessed")
