"""App clients' OAuth settings in the store (CreateUserPoolClient's CallbackURLs, LogoutURLs,
DefaultRedirectURI, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient,
SupportedIdentityProviders), on SQLite and PostgreSQL (DESIGN rule 6).

Clients stored before ``OAuthSettings`` existed kept these settings opaquely in ``extra`` under
their Cognito names; they must read back as typed settings, with no migration.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select, update

from idmint.core.model import AppClient, OAuthSettings, UserPool
from idmint.store.schema import app_clients
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.5
POOL = "us-east-1_OAUTHPOOL"
CLIENT = "oauthclient000000000000000"

LEGACY_OAUTH: dict[str, Any] = {
    "CallbackURLs": ["https://app.example.com/cb", "myapp://callback"],
    "LogoutURLs": ["https://app.example.com/bye"],
    "DefaultRedirectURI": "https://app.example.com/cb",
    "AllowedOAuthFlows": ["implicit", "code"],
    "AllowedOAuthScopes": ["openid", "email"],
    "AllowedOAuthFlowsUserPoolClient": True,
    "SupportedIdentityProviders": ["COGNITO"],
}
EXPECTED = OAuthSettings(
    callback_urls=("https://app.example.com/cb", "myapp://callback"),
    logout_urls=("https://app.example.com/bye",),
    default_redirect_uri="https://app.example.com/cb",
    flows=frozenset({"code", "implicit"}),
    scopes=frozenset({"openid", "email"}),
    allowed=True,
    identity_providers=("COGNITO",),
)


def client(**changes: Any) -> AppClient:
    return AppClient(id=CLIENT, pool_id=POOL, name="web", created_at=T0, updated_at=T0, **changes)


async def seed(store: SqlStore, stored: AppClient) -> None:
    await store.create_pool(UserPool(id=POOL, name="pool", created_at=T0, updated_at=T0))
    await store.create_client(stored)


async def rewrite_config(store: SqlStore, change: Any) -> dict[str, Any]:
    """Edit the stored JSON config the way an older idmint wrote it; return it."""
    async with store.engine.begin() as conn:
        row = (await conn.execute(select(app_clients.c.config))).one()
        config: dict[str, Any] = orjson.loads(row.config)
        change(config)
        text = orjson.dumps(config).decode()
        await conn.execute(update(app_clients).values(config=text))
    return config


async def test_oauth_settings_round_trip(store: SqlStore) -> None:
    stored = client(oauth=EXPECTED, extra={"AnalyticsConfiguration": {"ApplicationId": "x"}})
    await seed(store, stored)
    assert await store.get_client(CLIENT) == stored
    assert await store.list_clients(POOL, limit=10, after=None) == [stored]


async def test_default_oauth_settings_round_trip(store: SqlStore) -> None:
    await seed(store, client())
    got = await store.get_client(CLIENT)
    assert got is not None and got.oauth == OAuthSettings()


async def test_legacy_settings_in_extra_are_read_as_oauth(store: SqlStore) -> None:
    await seed(store, client())

    def legacy(config: dict[str, Any]) -> None:
        del config["oauth"]
        config["extra"] = {**LEGACY_OAUTH, "AnalyticsConfiguration": {"ApplicationId": "x"}}

    config = await rewrite_config(store, legacy)
    assert "oauth" not in config

    got = await store.get_client(CLIENT)
    assert got is not None
    assert got.oauth == EXPECTED
    # taken out of extra, so nothing is echoed twice; genuinely unknown keys stay
    assert got.extra == {"AnalyticsConfiguration": {"ApplicationId": "x"}}
    assert await store.list_clients(POOL, limit=10, after=None) == [got]

    # written back, the settings move to their own key
    await store.update_client(got)
    config = await rewrite_config(store, lambda c: None)
    assert "CallbackURLs" not in config["extra"]
    assert config["oauth"]["callback_urls"] == list(EXPECTED.callback_urls)
    assert await store.get_client(CLIENT) == got


async def test_legacy_partial_settings_get_defaults(store: SqlStore) -> None:
    await seed(store, client())

    def legacy(config: dict[str, Any]) -> None:
        del config["oauth"]
        config["extra"] = {"CallbackURLs": ["myapp://cb"], "AllowedOAuthFlows": ["code"]}

    await rewrite_config(store, legacy)
    got = await store.get_client(CLIENT)
    assert got is not None
    assert got.oauth == OAuthSettings(callback_urls=("myapp://cb",), flows=frozenset({"code"}))
    assert got.extra == {}


async def test_legacy_row_without_oauth_settings(store: SqlStore) -> None:
    await seed(store, client(extra={"AnalyticsConfiguration": {"ApplicationId": "x"}}))
    await rewrite_config(store, lambda c: c.pop("oauth"))
    got = await store.get_client(CLIENT)
    assert got is not None
    assert got.oauth == OAuthSettings()
    assert got.extra == {"AnalyticsConfiguration": {"ApplicationId": "x"}}
