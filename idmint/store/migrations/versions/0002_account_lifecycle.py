"""Account lifecycle: verification codes, challenge sessions, the outbox, groups, server
secrets, and when a user's password was set (temporary passwords expire).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on every backend: a batch rebuild of ``users`` on SQLite would drop the
    # table and, with foreign keys on, cascade-delete its aliases and sessions.
    op.add_column("users", sa.Column("password_set_at", sa.Float, nullable=True))
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "verification_codes",
        sa.Column("user_sub", sa.String(36), primary_key=True),
        sa.Column("purpose", sa.String(64), primary_key=True),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("salt", sa.LargeBinary(16), nullable=False),
        sa.Column("destination", sa.String(400), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_verification_codes_expires", "verification_codes", ["expires_at"])
    op.create_table(
        "auth_challenges",
        sa.Column("id_hash", sa.LargeBinary(32), primary_key=True),
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
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_auth_challenges_user", "auth_challenges", ["user_sub"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pool_id", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(400), nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "groups",
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("role_arn", sa.String(2048), nullable=True),
        sa.Column("precedence", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "group_members",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("group_name", sa.String(128), primary_key=True),
        sa.Column(
            "user_sub",
            sa.String(36),
            sa.ForeignKey("users.sub", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.ForeignKeyConstraint(
            ["pool_id", "group_name"], ["groups.pool_id", "groups.name"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_group_members_user", "group_members", ["user_sub"])


def downgrade() -> None:
    for index, table in (
        ("ix_group_members_user", "group_members"),
        ("ix_auth_challenges_user", "auth_challenges"),
        ("ix_verification_codes_expires", "verification_codes"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("group_members", "groups", "outbox_messages", "auth_challenges"):
        op.drop_table(table)
    op.drop_table("verification_codes")
    op.drop_table("server_secrets")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_set_at")
