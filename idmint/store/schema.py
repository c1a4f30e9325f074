"""The relational schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` create it.

Timestamps are epoch seconds (double precision). Cognito settings that are read and written as a
unit (password policy, schema, token validities, ...) live in one JSON text column per row.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("private_pem", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("retired_at", Float, nullable=True),
)

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
)

admin_keys = Table(
    "admin_keys",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("secret_access_key", String(128), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("enabled", Boolean, nullable=False),
)

user_pools = Table(
    "user_pools",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("config", Text, nullable=False),
)

app_clients = Table(
    "app_clients",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("secret", String(128), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("config", Text, nullable=False),
    Index("ix_app_clients_pool", "pool_id", "id"),
)

users = Table(
    "users",
    metadata,
    Column("sub", String(36), primary_key=True),
    Column("pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(128), nullable=False),
    Column("username_key", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("password_set_at", Float, nullable=True),
    Column("srp_salt", String(64), nullable=True),
    Column("srp_verifier", LargeBinary, nullable=True),
    Column("partner_id", String(32), nullable=True),
    Column("external_id", String(128), nullable=True),
    UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
    Index("ix_users_partner", "partner_id", "sub"),
    Index("uq_users_partner_external", "partner_id", "external_id", unique=True),
)

user_aliases = Table(
    "user_aliases",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("alias_key", String(400), primary_key=True),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), nullable=False),
    Index("ix_user_aliases_user", "user_sub"),
)

refresh_sessions = Table(
    "refresh_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column(
        "client_id", String(32), ForeignKey("app_clients.id", ondelete="CASCADE"), nullable=False
    ),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), nullable=False),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("auth_time", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    Column("scope", String(1024), nullable=True),
    Index("ix_refresh_sessions_user", "user_sub"),
)

verification_codes = Table(
    "verification_codes",
    metadata,
    # No foreign key: unknown usernames get codes too, under a derived id (idmint.core.codes),
    # so their answers match a real user's. SqlStore.delete_user removes a user's codes.
    Column("user_sub", String(36), primary_key=True),
    Column("purpose", String(64), primary_key=True),
    Column("code_hash", LargeBinary(32), nullable=False),
    Column("salt", LargeBinary(16), nullable=False),
    Column("destination", String(400), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_verification_codes_expires", "expires_at"),
)

sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column(
        "pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True
    ),
    # A user's sub, or for an unknown username a derived hex id (idmint.core.throttle), so no
    # foreign key to users: SqlStore.delete_user removes a user's row.
    Column("subject", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_sign_in_attempts_locked_until", "locked_until"),
)

auth_challenges = Table(
    "auth_challenges",
    metadata,
    Column("id_hash", LargeBinary(32), primary_key=True),
    Column(
        "client_id", String(32), ForeignKey("app_clients.id", ondelete="CASCADE"), nullable=False
    ),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_auth_challenges_user", "user_sub"),
)

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pool_id", String(64), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(400), nullable=False),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # No index on recipient: ``--to`` matches case-insensitively, and a development outbox is
    # small enough to scan newest-first.
)

groups = Table(
    "groups",
    metadata,
    Column(
        "pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("name", String(128), primary_key=True),
    Column("description", Text, nullable=True),
    Column("role_arn", String(2048), nullable=True),
    Column("precedence", Integer, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("group_name", String(128), primary_key=True),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True),
    ForeignKeyConstraint(
        ["pool_id", "group_name"], ["groups.pool_id", "groups.name"], ondelete="CASCADE"
    ),
    Index("ix_group_members_user", "user_sub"),
)

spent_challenges = Table(
    "spent_challenges",
    metadata,
    Column("id_hash", LargeBinary(32), primary_key=True),
    Column("expires_at", Float, nullable=False),
    Index("ix_spent_challenges_expires", "expires_at"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("issuer", String(512), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("username", String(64), nullable=False),
    Column("username_key", String(64), nullable=False, unique=True),
    Column("avatar", String(512), nullable=True),
    Column("emblem", String(36), nullable=True),
    Column("profile", Text, nullable=True),
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("issuer", "subject", name="uq_accounts_identity"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("account_id", String(36), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("origin_jti", String(36), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    Index("ix_web_sessions_account", "account_id"),
)

mint_apps = Table(
    "mint_apps",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("secret_hash", LargeBinary(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("token_seconds", Integer, nullable=True),
    Column("password_grant", Boolean, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

mint_user_ids = Table(
    "mint_user_ids",
    metadata,
    # AUTOINCREMENT on SQLite: an id is never handed out again, even after its user is deleted.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("user_sub", name="uq_mint_user_ids_sub"),
    sqlite_autoincrement=True,
)

mint_tokens = Table(
    "mint_tokens",
    metadata,
    Column("token_hash", LargeBinary(32), primary_key=True),
    Column("app_id", String(32), ForeignKey("mint_apps.id", ondelete="CASCADE"), nullable=False),
    Column("pool_id", String(64), nullable=False),
    # No foreign key to users: a deleted user's token stays known, so it answers 403
    # ("cancelled", seed 002) rather than 401 (never issued).
    Column("user_sub", String(36), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
    Index("ix_mint_tokens_user", "user_sub"),
)

partners = Table(
    "partners",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(32), nullable=False),
    Column("user_sub", String(36), nullable=False, unique=True),
    Column("username", String(128), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("max_managed_users", Integer, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

authorization_codes = Table(
    "authorization_codes",
    metadata,
    Column("code_hash", LargeBinary(32), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column(
        "client_id", String(32), ForeignKey("app_clients.id", ondelete="CASCADE"), nullable=False
    ),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), nullable=False),
    Column("redirect_uri", String(1024), nullable=False),
    Column("scope", String(1024), nullable=False),
    Column("nonce", String(2048), nullable=True),
    Column("code_challenge", String(64), nullable=True),
    Column("auth_time", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float, nullable=True),
    Column("replayed_at", Float, nullable=True),
    Column("session_id", String(36), nullable=True),
    Index("ix_authorization_codes_expires", "expires_at"),
)

hosted_sessions = Table(
    "hosted_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("user_sub", String(36), ForeignKey("users.sub", ondelete="CASCADE"), nullable=False),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("auth_time", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    Index("ix_hosted_sessions_user", "user_sub"),
)

ui_customizations = Table(
    "ui_customizations",
    metadata,
    Column(
        "pool_id", String(64), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("client_id", String(32), primary_key=True),
    Column("css", Text, nullable=True),
    Column("image", LargeBinary, nullable=True),
    Column("image_type", String(32), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
