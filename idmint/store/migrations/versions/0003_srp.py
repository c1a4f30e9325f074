"""SRP sign-in: each user's verifier and its salt, and the challenges already answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of ``users`` on SQLite would cascade-delete its rows'
    # aliases and sessions.
    op.add_column("users", sa.Column("srp_salt", sa.String(64), nullable=True))
    op.add_column("users", sa.Column("srp_verifier", sa.LargeBinary, nullable=True))
    op.create_table(
        "spent_challenges",
        sa.Column("id_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_spent_challenges_expires", "spent_challenges", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_spent_challenges_expires", table_name="spent_challenges")
    op.drop_table("spent_challenges")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("srp_verifier")
        batch.drop_column("srp_salt")
