"""OAuth 2.0 and the hosted pages: authorization codes, hosted-page sessions, the scope of a
sign-in, and the pages' customization (Cognito SetUICustomization).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of refresh_sessions is not needed for a nullable column.
    op.add_column("refresh_sessions", sa.Column("scope", sa.String(1024), nullable=True))
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.LargeBinary(32), primary_key=True),
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
        sa.Column("redirect_uri", sa.String(1024), nullable=False),
        sa.Column("scope", sa.String(1024), nullable=False),
        sa.Column("nonce", sa.String(2048), nullable=True),
        sa.Column("code_challenge", sa.String(64), nullable=True),
        sa.Column("auth_time", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float, nullable=True),
        sa.Column("replayed_at", sa.Float, nullable=True),
        sa.Column("session_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_authorization_codes_expires", "authorization_codes", ["expires_at"])
    op.create_table(
        "hosted_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
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
    op.create_index("ix_hosted_sessions_user", "hosted_sessions", ["user_sub"])
    op.create_table(
        "ui_customizations",
        sa.Column(
            "pool_id",
            sa.String(64),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("client_id", sa.String(32), primary_key=True),
        sa.Column("css", sa.Text, nullable=True),
        sa.Column("image", sa.LargeBinary, nullable=True),
        sa.Column("image_type", sa.String(32), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ui_customizations")
    op.drop_index("ix_hosted_sessions_user", table_name="hosted_sessions")
    op.drop_table("hosted_sessions")
    op.drop_index("ix_authorization_codes_expires", table_name="authorization_codes")
    op.drop_table("authorization_codes")
    with op.batch_alter_table("refresh_sessions") as batch:
        batch.drop_column("scope")
