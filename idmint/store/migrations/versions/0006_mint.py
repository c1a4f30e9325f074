"""The mint API (seed 002): applications, users' stable integer ids, and user tokens.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mint_apps",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("token_seconds", sa.Integer, nullable=True),
        sa.Column("password_grant", sa.Boolean, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "mint_user_ids",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_sub",
            sa.String(36),
            sa.ForeignKey("users.sub", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.UniqueConstraint("user_sub", name="uq_mint_user_ids_sub"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "mint_tokens",
        sa.Column("token_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column(
            "app_id",
            sa.String(32),
            sa.ForeignKey("mint_apps.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=True),
        sa.Column("revoked_at", sa.Float, nullable=True),
    )
    op.create_index("ix_mint_tokens_user", "mint_tokens", ["user_sub"])


def downgrade() -> None:
    op.drop_index("ix_mint_tokens_user", table_name="mint_tokens")
    op.drop_table("mint_tokens")
    op.drop_table("mint_user_ids")
    op.drop_table("mint_apps")
