"""Failed-sign-in throttling: one row per (pool, subject) counting consecutive failed password
attempts and the time until which further attempts are refused (idmint.core.throttle).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # A user's ``sub``, or for an unknown username a derived hex id, hence no foreign key.
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_sign_in_attempts_locked_until", "sign_in_attempts", ["locked_until"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_attempts_locked_until", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
