"""Partners and their anonymous managed users (seed 000).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: a batch rebuild of ``users`` on SQLite would
    # cascade-delete its rows' aliases and sessions.
    op.add_column("users", sa.Column("partner_id", sa.String(32), nullable=True))
    op.add_column("users", sa.Column("external_id", sa.String(128), nullable=True))
    op.create_index("ix_users_partner", "users", ["partner_id", "sub"])
    op.create_index(
        "uq_users_partner_external", "users", ["partner_id", "external_id"], unique=True
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=False, unique=True),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("max_managed_users", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("partners")
    op.drop_index("uq_users_partner_external", table_name="users")
    op.drop_index("ix_users_partner", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("external_id")
        batch.drop_column("partner_id")
