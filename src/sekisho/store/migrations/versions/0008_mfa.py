"""Virtual MFA devices.

Revision ID: 0008
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "mfa_devices",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("serial", sa.String(256), nullable=False),
        sa.Column("serial_lower", sa.String(256), nullable=False),
        sa.Column("seed_sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger, nullable=True),
        sa.Column("drift_steps", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("serial_lower", name="uq_mfa_devices_serial_lower"),
    )
    op.create_index("ix_mfa_devices_account_id", "mfa_devices", ["account_id"])
    op.create_index("ix_mfa_devices_user_id", "mfa_devices", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_mfa_devices_user_id", "mfa_devices")
    op.drop_index("ix_mfa_devices_account_id", "mfa_devices")
    op.drop_table("mfa_devices")
