"""Fixtures for the hosted pages and the OAuth 2.0 endpoints: a pool whose users sign up with
their email address (auto-verified), and an app client set up for the code grant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

CALLBACK = "http://localhost:8700/callback"
LOGOUT = "http://localhost:8700/signed-out"


@dataclass
class OAuthPool:
    """A user pool and one OAuth app client (``secret`` set for a confidential client)."""

    id: str
    client_id: str
    secret: str | None
    callback: str = CALLBACK
    logout: str = LOGOUT


def make_oauth_pool(
    cognito: Any,
    *,
    secret: bool = False,
    scopes: tuple[str, ...] = ("openid", "email", "profile"),
    pool_args: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
) -> OAuthPool:
    """A pool with email usernames, auto-verified email, and an app client allowed the code
    grant through ``CALLBACK`` (CallbackURLs, LogoutURLs, AllowedOAuthFlows, ...)."""
    pool = cognito.create_user_pool(
        PoolName="Hosted Test",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        **(pool_args or {}),
    )["UserPool"]
    args: dict[str, Any] = {
        "UserPoolId": pool["Id"],
        "ClientName": "web-app",
        "GenerateSecret": secret,
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "CallbackURLs": [CALLBACK],
        "LogoutURLs": [LOGOUT],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": list(scopes),
        "AllowedOAuthFlowsUserPoolClient": True,
        "SupportedIdentityProviders": ["COGNITO"],
    }
    client = cognito.create_user_pool_client(**(args | (client_args or {})))["UserPoolClient"]
    return OAuthPool(pool["Id"], client["ClientId"], client.get("ClientSecret"))


@pytest.fixture
def oauth_pool(cognito: Any) -> OAuthPool:
    return make_oauth_pool(cognito)
