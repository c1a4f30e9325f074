"""Standard OAuth2 client libraries against the mint API on a live server: the password grant
(RFC 6749 §4.3) form-encoded, with the application as client_secret_basic, client_secret_post
or a public client, as requests-oauthlib and Authlib send it; the tokens they get work on
token_info, and our errors reach them as their own OAuth errors.

What a client of seed 002 adds to a standard library, shown here: ``token_type`` is ``user``
(seed 002), which neither library signs requests with by itself (they know Bearer): register
it, as ``UserToken`` or as Bearer, which the server also takes. Error messages need nothing:
the server sends seed 002's ``response`` and RFC 6749's ``error_description`` alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import (
    InvalidClientError,
    InvalidGrantError,
    LegacyApplicationClient,
    UnauthorizedClientError,
)
from requests_oauthlib import OAuth2Session

from tests.web.mint.conftest import MINT_PASSWORD, PREFIX, Mint

EMAIL = "kc@goact.com.au"
WRONG_PASSWORD = "The password does not match, suggest reset?"
NOT_FOUND = "The requested resource was not found on server"


@pytest.fixture
def kate(mint: Mint, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A registered user (their id); oauthlib is told plain HTTP on localhost is fine."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    registered = mint.register(EMAIL, MINT_PASSWORD)
    assert registered.status_code == 200, registered.text
    yield int(registered.json()["user"])


def url(mint: Mint, endpoint: str) -> str:
    return f"{mint.live.url}{PREFIX}/{endpoint}"


def token_info(mint: Mint, token: str) -> httpx.Response:
    return mint.http.get(f"{PREFIX}/token_info", headers={"Authorization": f"UserToken {token}"})


def check_token(mint: Mint, token: dict[str, Any], user: int) -> None:
    assert token["token_type"] == "user"
    assert token["user"] == user
    assert token["expires_in"] == 3600
    info = token_info(mint, str(token["access_token"]))
    assert info.status_code == 200, info.text
    assert info.json()["user"] == user


# requests-oauthlib -----------------------------------------------------------------------------


class UserTokenClient(LegacyApplicationClient):  # type: ignore[misc]
    """oauthlib's password-grant client, signing requests with seed 002's ``user`` tokens as
    Bearer tokens (RFC 6750 §2.1), which the server takes as well as ``UserToken``."""

    @property
    def token_types(self) -> dict[str, Any]:
        return {**super().token_types, "user": self._add_bearer_token}


def oauthlib_session(mint: Mint, client_id: str) -> OAuth2Session:
    return OAuth2Session(client=UserTokenClient(client_id=client_id))


def test_requests_oauthlib_client_secret_basic(mint: Mint, kate: int) -> None:
    session = OAuth2Session(client=UserTokenClient(client_id=mint.app.id))
    token = session.fetch_token(
        url(mint, "authorize"),
        username=EMAIL,
        password=MINT_PASSWORD,
        client_id=mint.app.id,
        client_secret=mint.secret,
    )
    check_token(mint, token, kate)
    assert token["expires_at"] > 0
    # The library signs its own requests with the token.
    info = session.get(url(mint, "token_info"))
    assert info.status_code == 200, info.text
    assert info.json() == {"user": kate, "token_type": "user", "expires_in": 3600}


def test_requests_oauthlib_client_secret_post(mint: Mint, kate: int) -> None:
    other, secret = mint.new_app(name="other")
    session = OAuth2Session(client=UserTokenClient(client_id=other.id))
    token = session.fetch_token(
        url(mint, "authorize"),
        username=EMAIL,
        password=MINT_PASSWORD,
        client_id=other.id,
        client_secret=secret,
        include_client_id=True,
    )
    check_token(mint, token, kate)
    # The token is the named application's: disabling it ends the token.
    mint.update_app(other.id, enabled=False)
    assert token_info(mint, token["access_token"]).status_code == 403


def test_requests_oauthlib_public_client(mint: Mint, kate: int) -> None:
    session = OAuth2Session(client=UserTokenClient(client_id=mint.app.id))
    token = session.fetch_token(
        url(mint, "authorize"),
        username=EMAIL,
        password=MINT_PASSWORD,
        include_client_id=True,
    )
    check_token(mint, token, kate)


def test_requests_oauthlib_surfaces_our_errors(mint: Mint, kate: int) -> None:
    def fetch(**overrides: Any) -> None:
        arguments = {
            "username": EMAIL,
            "password": MINT_PASSWORD,
            "client_id": mint.app.id,
            "client_secret": mint.secret,
        } | overrides
        oauthlib_session(mint, mint.app.id).fetch_token(url(mint, "authorize"), **arguments)

    with pytest.raises(InvalidGrantError) as wrong:
        fetch(password="Wr0ng-horse!")
    assert (wrong.value.error, wrong.value.description) == ("invalid_grant", WRONG_PASSWORD)
    with pytest.raises(InvalidGrantError) as unknown:
        fetch(username="nobody@goact.com.au")
    assert unknown.value.description == NOT_FOUND
    with pytest.raises(InvalidClientError) as client:
        fetch(client_secret="wrong")
    assert client.value.error == "invalid_client"
    mint.update_app(mint.app.id, password_grant=False)
    with pytest.raises(UnauthorizedClientError):
        fetch()


# Authlib ---------------------------------------------------------------------------------------


def user_token(
    token: str, uri: str, headers: dict[str, str], body: Any, placement: str = "header"
) -> tuple[str, dict[str, str], Any]:
    """An Authlib sign method for seed 002's ``user`` tokens: ``Authorization: UserToken``."""
    return uri, {**headers, "Authorization": f"UserToken {token}"}, body


AUTHLIB_CLIENTS = {"httpx": OAuth2Client, "requests": AuthlibSession}


@pytest.fixture(params=sorted(AUTHLIB_CLIENTS))
def authlib_client(request: pytest.FixtureRequest, mint: Mint) -> Iterator[Any]:
    """Build an Authlib client (httpx or requests flavour) for this server."""
    made: list[Any] = []

    def build(client_id: str, secret: str | None, method: str) -> Any:
        client = AUTHLIB_CLIENTS[request.param](
            client_id=client_id, client_secret=secret, token_endpoint_auth_method=method
        )
        client.token_auth.SIGN_METHODS = {**client.token_auth.SIGN_METHODS, "user": user_token}
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "none"])
def test_authlib_password_grant(mint: Mint, kate: int, authlib_client: Any, method: str) -> None:
    other, secret = mint.new_app(name="other")
    client = authlib_client(other.id, None if method == "none" else secret, method)
    token = client.fetch_token(
        url(mint, "authorize"), username=EMAIL, password=MINT_PASSWORD, grant_type="password"
    )
    check_token(mint, dict(token), kate)
    assert not token.is_expired()
    info = client.get(url(mint, "token_info"))
    assert info.status_code == 200, info.text
    assert info.json()["user"] == kate
    mint.update_app(other.id, enabled=False)
    assert token_info(mint, token["access_token"]).status_code == 403


def test_authlib_revokes_with_rfc_7009(mint: Mint, kate: int, authlib_client: Any) -> None:
    client = authlib_client(mint.app.id, mint.secret, "client_secret_basic")
    token = client.fetch_token(
        url(mint, "authorize"), username=EMAIL, password=MINT_PASSWORD, grant_type="password"
    )
    kept = client.fetch_token(
        url(mint, "authorize"), username=EMAIL, password=MINT_PASSWORD, grant_type="password"
    )
    revoked = client.revoke_token(
        url(mint, "revoke"), token=token["access_token"], token_type_hint="access_token"
    )
    assert revoked.status_code == 200 and revoked.json() == {}
    assert token_info(mint, token["access_token"]).status_code == 403
    assert token_info(mint, kept["access_token"]).status_code == 200


def test_authlib_surfaces_our_errors(mint: Mint, kate: int, authlib_client: Any) -> None:
    def fetch(secret: str = mint.secret, **overrides: str) -> None:
        client = authlib_client(mint.app.id, secret, "client_secret_basic")
        arguments = {"username": EMAIL, "password": MINT_PASSWORD} | overrides
        client.fetch_token(url(mint, "authorize"), grant_type="password", **arguments)

    with pytest.raises(OAuthError) as wrong:
        fetch(password="Wr0ng-horse!")
    assert (wrong.value.error, wrong.value.description) == ("invalid_grant", WRONG_PASSWORD)
    with pytest.raises(OAuthError) as unknown:
        fetch(username="nobody@goact.com.au")
    assert (unknown.value.error, unknown.value.description) == ("invalid_grant", NOT_FOUND)
    with pytest.raises(OAuthError) as client:
        fetch(secret="wrong")
    assert client.value.error == "invalid_client"
