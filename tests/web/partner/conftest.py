"""Partner fixtures (issue 7, seed 000): partners made in-process through the same use case as
``idmint partners create``, their Partner API Account signing in exactly as the seed's curl
examples do, and an httpx client for the managed-users API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import LiveServer, Pool

API = "/api/v1/managed-users"
TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"
SEED_HEADERS = {"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"}
"""The seed's two curl requests send exactly these headers."""


def seed_sign_in_body(client_id: str, username: str, password: str) -> str:
    """The seed's first ``--data-raw`` body, laid out as the seed lays it out."""
    return (
        "{\n"
        '    "AuthFlow": "USER_PASSWORD_AUTH",\n'
        f'    "ClientId": {json.dumps(client_id)},\n'
        '    "AuthParameters": {\n'
        f'        "USERNAME": {json.dumps(username)},\n'
        f'        "PASSWORD": {json.dumps(password)}\n'
        "    }\n"
        "}"
    )


def seed_refresh_body(client_id: str, refresh_token: str) -> str:
    """The seed's second ``--data-raw`` body (tab-indented, as in the seed)."""
    return (
        "{\n"
        '\t"AuthFlow": "REFRESH_TOKEN_AUTH",\n'
        f'\t"ClientId": {json.dumps(client_id)},\n'
        '\t"AuthParameters": {\n'
        f'\t\t"REFRESH_TOKEN": {json.dumps(refresh_token)}\n'
        "\t}\n"
        "}"
    )


def seed_sign_in(
    http: httpx.Client, client_id: str, username: str, password: str
) -> httpx.Response:
    """``curl --location --request POST '<endpoint>/'`` with the seed's sign-in body."""
    body = seed_sign_in_body(client_id, username, password)
    return http.post("/", content=body.encode(), headers=SEED_HEADERS)


def seed_refresh(http: httpx.Client, client_id: str, refresh_token: str) -> httpx.Response:
    body = seed_refresh_body(client_id, refresh_token)
    return http.post("/", content=body.encode(), headers=SEED_HEADERS)


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def expect_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """A managed-users API error: the status and ``{"error": code, "message": ...}``."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("error") == code, body
    assert isinstance(body.get("message"), str) and body["message"], body
    return dict(body)


@dataclass
class PartnerAccount:
    """One partner, its Partner API Account's credentials, and calls to the managed-users API
    authenticated by the account's IdToken."""

    live: LiveServer
    http: httpx.Client
    partner: Any
    """The ``Partner`` dataclass the use case returned."""
    password: str
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.partner.id)

    @property
    def client_id(self) -> str:
        return str(self.partner.client_id)

    @property
    def pool_id(self) -> str:
        return str(self.partner.pool_id)

    @property
    def username(self) -> str:
        return str(self.partner.username)

    def sign_in(self) -> dict[str, Any]:
        """Sign the Partner API Account in as the seed does; keep and return the result."""
        response = seed_sign_in(self.http, self.client_id, self.username, self.password)
        assert response.status_code == 200, response.text
        self.tokens = dict(response.json()["AuthenticationResult"])
        return self.tokens

    @property
    def id_token(self) -> str:
        if not self.tokens:
            self.sign_in()
        return str(self.tokens["IdToken"])

    def auth(self, token: str | None = None, *, bearer: bool = True) -> dict[str, str]:
        token = token or self.id_token
        return {"Authorization": f"Bearer {token}" if bearer else token}

    def create(self, body: Any = None, *, token: str | None = None) -> httpx.Response:
        return self.http.post(API, json={} if body is None else body, headers=self.auth(token))

    def new_user(self, external_id: str | None = None) -> dict[str, Any]:
        body = {} if external_id is None else {"externalId": external_id}
        response = self.create(body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def list(self, token: str | None = None, **params: Any) -> httpx.Response:
        return self.http.get(API, params=params, headers=self.auth(token))

    def get(self, user_id: str, token: str | None = None) -> httpx.Response:
        return self.http.get(f"{API}/{user_id}", headers=self.auth(token))

    def delete(self, user_id: str, token: str | None = None) -> httpx.Response:
        return self.http.delete(f"{API}/{user_id}", headers=self.auth(token))

    def issue(self, user_id: str, token: str | None = None) -> httpx.Response:
        return self.http.post(f"{API}/{user_id}/tokens", headers=self.auth(token))

    def user_tokens(self, user_id: str) -> dict[str, Any]:
        response = self.issue(user_id)
        assert response.status_code == 200, response.text
        return dict(response.json()["AuthenticationResult"])

    def all_users(self) -> list[dict[str, Any]]:
        response = self.list(limit=100)
        assert response.status_code == 200, response.text
        return list(response.json()["users"])

    def set_enabled(self, enabled: bool) -> None:
        service = self.live.app.state.service
        self.live.run(service.partners.set_enabled(self.partner.id, enabled))


NewPartner = Callable[..., PartnerAccount]


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


@pytest.fixture
def new_partner(live: LiveServer, http: httpx.Client, pool: Pool) -> NewPartner:
    """Make a partner (``partners.create``, as ``idmint partners create`` does); by default in
    the ``pool`` fixture's pool."""

    def make(
        name: str = "acme", *, pool_id: str | None = None, max_managed_users: int | None = None
    ) -> PartnerAccount:
        service = live.app.state.service
        partner, password = live.run(
            service.partners.create(pool_id or pool.id, name, max_managed_users=max_managed_users)
        )
        return PartnerAccount(live, http, partner, password)

    return make


@pytest.fixture
def acme(new_partner: NewPartner) -> PartnerAccount:
    return new_partner("acme")


@pytest.fixture
def globex(new_partner: NewPartner) -> PartnerAccount:
    return new_partner("globex")
