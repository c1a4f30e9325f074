"""Rows <-> domain objects. The JSON ``config`` columns hold settings read as a unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import orjson

from idmint.core.model import (
    DEFAULT_RECOVERY,
    INVITATION_TEMPLATE,
    VERIFICATION_TEMPLATE,
    AppClient,
    AttributeSchema,
    AuthFlow,
    MessageTemplate,
    OAuthSettings,
    PasswordPolicy,
    RefreshSession,
    User,
    UserPool,
    UserStatus,
    Validity,
)


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def pool_row(pool: UserPool) -> dict[str, Any]:
    config = {
        "password_policy": asdict(pool.password_policy),
        "username_attributes": list(pool.username_attributes),
        "alias_attributes": list(pool.alias_attributes),
        "auto_verified_attributes": list(pool.auto_verified_attributes),
        "case_sensitive": pool.case_sensitive,
        "schema": [asdict(a) for a in pool.schema],
        "deletion_protection": pool.deletion_protection,
        "verification_message": asdict(pool.verification_message),
        "invitation_message": asdict(pool.invitation_message),
        "allow_admin_create_user_only": pool.allow_admin_create_user_only,
        "recovery_mechanisms": list(pool.recovery_mechanisms),
        "extra": dict(pool.extra),
    }
    return {
        "id": pool.id,
        "name": pool.name,
        "created_at": pool.created_at,
        "updated_at": pool.updated_at,
        "config": dumps(config),
    }


def pool_from_row(row: Mapping[str, Any]) -> UserPool:
    config = orjson.loads(row["config"])
    return UserPool(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        password_policy=PasswordPolicy(**config["password_policy"]),
        username_attributes=tuple(config["username_attributes"]),
        alias_attributes=tuple(config["alias_attributes"]),
        auto_verified_attributes=tuple(config["auto_verified_attributes"]),
        case_sensitive=config["case_sensitive"],
        schema=tuple(AttributeSchema(**a) for a in config["schema"]),
        deletion_protection=config["deletion_protection"],
        # Settings added after 0001: absent from older rows, which get Cognito's defaults.
        verification_message=MessageTemplate(
            **config.get("verification_message", asdict(VERIFICATION_TEMPLATE))
        ),
        invitation_message=MessageTemplate(
            **config.get("invitation_message", asdict(INVITATION_TEMPLATE))
        ),
        allow_admin_create_user_only=config.get("allow_admin_create_user_only", False),
        recovery_mechanisms=tuple(config.get("recovery_mechanisms", DEFAULT_RECOVERY)),
        extra=config["extra"],
    )


def _validity(value: Validity) -> list[Any]:
    return [value.amount, value.unit]


def _oauth(oauth: OAuthSettings) -> dict[str, Any]:
    return {
        "callback_urls": list(oauth.callback_urls),
        "logout_urls": list(oauth.logout_urls),
        "default_redirect_uri": oauth.default_redirect_uri,
        "flows": sorted(oauth.flows),
        "scopes": sorted(oauth.scopes),
        "allowed": oauth.allowed,
        "identity_providers": list(oauth.identity_providers),
    }


# Where clients stored before OAuthSettings existed kept these settings: in ``extra``, under
# their Cognito request names, as CreateUserPoolClient received them.
_LEGACY_OAUTH_KEYS = {
    "CallbackURLs": "callback_urls",
    "LogoutURLs": "logout_urls",
    "DefaultRedirectURI": "default_redirect_uri",
    "AllowedOAuthFlows": "flows",
    "AllowedOAuthScopes": "scopes",
    "AllowedOAuthFlowsUserPoolClient": "allowed",
    "SupportedIdentityProviders": "identity_providers",
}


def _oauth_from(config: dict[str, Any]) -> tuple[OAuthSettings, dict[str, Any]]:
    """The client's OAuth settings and its remaining ``extra``. A row written before the
    ``oauth`` key existed has them in ``extra`` under their Cognito names: take them from there
    (and out of ``extra``, so they are not echoed twice)."""
    extra = dict(config["extra"])
    stored = config.get("oauth")
    if stored is None:
        stored = {new: extra.pop(old) for old, new in _LEGACY_OAUTH_KEYS.items() if old in extra}
    return OAuthSettings(
        callback_urls=tuple(u for u in stored.get("callback_urls") or () if u is not None),
        logout_urls=tuple(u for u in stored.get("logout_urls") or () if u is not None),
        default_redirect_uri=stored.get("default_redirect_uri"),
        flows=frozenset(f for f in stored.get("flows") or () if f is not None),
        scopes=frozenset(s for s in stored.get("scopes") or () if s is not None),
        allowed=bool(stored.get("allowed") or False),
        identity_providers=tuple(
            p for p in stored.get("identity_providers") or () if p is not None
        ),
    ), extra


def client_row(client: AppClient) -> dict[str, Any]:
    flows = client.explicit_auth_flows
    config = {
        "explicit_auth_flows": sorted(flows) if flows is not None else None,
        "access_token_validity": _validity(client.access_token_validity),
        "id_token_validity": _validity(client.id_token_validity),
        "refresh_token_validity": _validity(client.refresh_token_validity),
        "prevent_user_existence_errors": client.prevent_user_existence_errors,
        "enable_token_revocation": client.enable_token_revocation,
        "read_attributes": list(client.read_attributes)
        if client.read_attributes is not None
        else None,
        "write_attributes": list(client.write_attributes)
        if client.write_attributes is not None
        else None,
        "auth_session_validity": client.auth_session_validity,
        "oauth": _oauth(client.oauth),
        "extra": dict(client.extra),
    }
    return {
        "id": client.id,
        "pool_id": client.pool_id,
        "name": client.name,
        "secret": client.secret,
        "created_at": client.created_at,
        "updated_at": client.updated_at,
        "config": dumps(config),
    }


def client_from_row(row: Mapping[str, Any]) -> AppClient:
    config = orjson.loads(row["config"])
    flows = config["explicit_auth_flows"]
    read, write = config["read_attributes"], config["write_attributes"]
    oauth, extra = _oauth_from(config)
    return AppClient(
        id=row["id"],
        pool_id=row["pool_id"],
        name=row["name"],
        secret=row["secret"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        explicit_auth_flows=frozenset(AuthFlow(f) for f in flows) if flows is not None else None,
        access_token_validity=Validity(*config["access_token_validity"]),
        id_token_validity=Validity(*config["id_token_validity"]),
        refresh_token_validity=Validity(*config["refresh_token_validity"]),
        prevent_user_existence_errors=config["prevent_user_existence_errors"],
        enable_token_revocation=config["enable_token_revocation"],
        read_attributes=tuple(read) if read is not None else None,
        write_attributes=tuple(write) if write is not None else None,
        auth_session_validity=config.get("auth_session_validity", 3),  # absent before 0002
        oauth=oauth,
        extra=extra,
    )


def user_row(user: User, username_key: str) -> dict[str, Any]:
    return {
        "sub": user.sub,
        "pool_id": user.pool_id,
        "username": user.username,
        "username_key": username_key,
        "status": user.status.value,
        "enabled": user.enabled,
        "attributes": dumps(dict(user.attributes)),
        "password_hash": user.password_hash,
        "password_set_at": user.password_set_at,
        "srp_salt": user.srp_salt,
        "srp_verifier": user.srp_verifier,
        "partner_id": user.partner_id,
        "external_id": user.external_id,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def user_from_row(row: Mapping[str, Any]) -> User:
    return User(
        pool_id=row["pool_id"],
        sub=row["sub"],
        username=row["username"],
        status=UserStatus(row["status"]),
        enabled=bool(row["enabled"]),
        attributes=orjson.loads(row["attributes"]),
        password_hash=row["password_hash"],
        password_set_at=row["password_set_at"],
        srp_salt=row["srp_salt"],
        srp_verifier=bytes(row["srp_verifier"]) if row["srp_verifier"] is not None else None,
        partner_id=row["partner_id"],
        external_id=row["external_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def session_row(session: RefreshSession) -> dict[str, Any]:
    return asdict(session)


def session_from_row(row: Mapping[str, Any]) -> RefreshSession:
    return RefreshSession(
        id=row["id"],
        pool_id=row["pool_id"],
        client_id=row["client_id"],
        user_sub=row["user_sub"],
        token_hash=bytes(row["token_hash"]),
        auth_time=row["auth_time"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        scope=row["scope"],
    )
