"""Initial schema: keys, admin keys, user pools, app clients, users, aliases, refresh sessions.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("private_pem", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("retired_at", sa.Float, nullable=True),
    )
    op.create_table(
        "admin_keys",
        sa.Column("access_key_id", sa.String(32), primary_key=True),
        sa.Column("secret_access_key", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "user_pools",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
    )
    op.create_table(
        "app_clients",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("secret", sa.String(128), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
    )
    op.create_index("ix_app_clients_pool", "app_clients", ["pool_id", "id"])
    op.create_table(
        "users",
        sa.Column("sub", sa.String(36), primary_key=True),
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("username_key", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
    )
    op.create_table(
        "user_aliases",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("alias_key", sa.String(400), primary_key=True),
        sa.Column(
            "user_sub",
            sa.String(36),
            sa.ForeignKey("users.sub", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_index("ix_user_aliases_user", "user_aliases", ["user_sub"])
    op.create_table(
        "refresh_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column(
            "client_id",
            sa.String(32),
            sa.ForeignKey("app_clients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "user_sub",
            sa.String(36),
            sa.ForeignKey("users.sub", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("auth_time", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
    )
    op.create_index("ix_refresh_sessions_user", "refresh_sessions", ["user_sub"])


def downgrade() -> None:
    for table in (
        "refresh_sessions",
        "user_aliases",
        "users",
        "app_clients",
        "user_pools",
        "admin_keys",
        "signing_keys",
    ):
        op.drop_table(table)
