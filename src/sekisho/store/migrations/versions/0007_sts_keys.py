"""The STS sealing key ring.

Revision ID: 0007
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "sts_keys",
        sa.Column("key_id", sa.String(16), primary_key=True),
        sa.Column("material_sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sts_keys")
