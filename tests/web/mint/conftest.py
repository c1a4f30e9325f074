"""Mint API fixtures: a live server, a pool made through boto3, and a mint application of it
made through the same use case as ``idmint apps create``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from idmint.core.mint import MintApps
from idmint.core.model import MintApp
from tests.conftest import LiveServer, Pool, make_pool

PREFIX = "/mint/api/v1/auth"
MINT_PASSWORD = "Corr3ct-horse!"


@dataclass
class Mint:
    live: LiveServer
    pool: Pool
    app: MintApp
    secret: str
    http: httpx.Client

    @property
    def app_auth(self) -> dict[str, str]:
        """Seed 002's application credentials header."""
        return {"Authorization": f"Application {self.app.id}:{self.secret}"}

    def new_app(self, **settings: Any) -> tuple[MintApp, str]:
        """Another application of this pool (``idmint apps create``'s use case)."""
        apps = MintApps(self.live.store, self.live.clock)
        created: tuple[MintApp, str] = self.live.run(
            apps.create_app(self.pool.id, settings.pop("name", "other"), **settings)
        )
        return created

    def update_app(self, app_id: str, **changes: Any) -> MintApp:
        updated: MintApp = self.live.run(
            MintApps(self.live.store, self.live.clock).update_app(app_id, **changes)
        )
        return updated

    def register(
        self, username: str = "kc@goact.com.au", password: str = MINT_PASSWORD, **extra: Any
    ) -> httpx.Response:
        body = {
            "grant_type": "signup",
            "firstname": "Kate",
            "lastname": "Smith",
            "username": username,
            "password": password,
        } | extra
        return self.http.post(f"{PREFIX}/register", json=body, headers=self.app_auth)

    def sign_in(
        self, username: str = "kc@goact.com.au", password: str = MINT_PASSWORD, **kwargs: Any
    ) -> httpx.Response:
        body = {"grant_type": "password", "username": username, "password": password}
        return self.http.post(f"{PREFIX}/authorize", json=body, **kwargs)

    def token_info(self, token: str, scheme: str = "UserToken") -> httpx.Response:
        return self.http.get(f"{PREFIX}/token_info", headers={"Authorization": f"{scheme} {token}"})


def make_mint(live: LiveServer, cognito: Any, **app_settings: Any) -> Iterator[Mint]:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    settings = {"default": True} | app_settings
    app, secret = live.run(
        MintApps(live.store, live.clock).create_app(pool.id, "mobile", **settings)
    )
    with httpx.Client(base_url=live.url, timeout=30) as http:
        yield Mint(live, pool, app, secret, http)


@pytest.fixture
def mint(live: LiveServer, cognito: Any) -> Iterator[Mint]:
    """A pool whose users sign in with their email (seed 002: "username, typically the email
    address") and its default mint application."""
    yield from make_mint(live, cognito)
