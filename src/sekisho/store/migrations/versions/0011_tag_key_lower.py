"""Room for a tag key's lower-case form, which can be longer than the key.

A valid 128-character tag key of "İ" (U+0130) lower-cases to 256 characters;
U+0130 is the one character whose lower case is two.

Revision ID: 0011
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0001"


def upgrade() -> None:
    # SQLite keeps no length on VARCHAR: only PostgreSQL needs the change.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("tags", "key_lower", type_=sa.String(256),
                        existing_type=sa.String(128), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("tags", "key_lower", type_=sa.String(128),
                        existing_type=sa.String(256), existing_nullable=False)
