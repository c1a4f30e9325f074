"""Web sessions opened with ID tokens of an external OIDC issuer (``session_issuers``): a second
idmint, with its own database and keys, plays the external issuer; the server under test
fetches its JWKS over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from idmint.core.operators import rotate_signing_key
from tests.conftest import (
    Database,
    FrozenClock,
    LiveServer,
    Pool,
    free_port,
    make_pool,
    make_user,
    sign_in,
    start_server,
    stop_server,
)
from tests.web.test_session import (
    LOGIN,
    SESSION,
    V2,
    accounts,
    active_key,
    expect_error,
    fresh_rsa_pem,
    login,
    mint,
    ok,
    signup,
    tamper_payload,
    unverified,
)


@dataclass
class Issuer:
    """The external issuer: another idmint with a pool, a listed and an unlisted client."""

    live: LiveServer
    cognito: Any
    pool: Pool
    unlisted_client_id: str

    @property
    def iss(self) -> str:
        return f"{self.live.url}/{self.pool.id}"

    def id_token(self, username: str = "alice", client_id: str | None = None) -> str:
        pool = self.pool if client_id is None else Pool(self.pool.id, client_id)
        return str(sign_in(self.cognito, pool, username)["IdToken"])


@pytest.fixture
def issuer(tmp_path: Path, clock: FrozenClock) -> Iterator[Issuer]:
    """Shares the frozen clock with the server under test, so both see time move together."""
    server = start_server(Database(f"sqlite:///{tmp_path / 'issuer.db'}"), clock)
    try:
        cognito = server.client()
        pool = make_pool(cognito)
        unlisted = cognito.create_user_pool_client(
            UserPoolId=pool.id,
            ClientName="unlisted",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        make_user(cognito, pool, "alice")
        make_user(cognito, pool, "bob")
        yield Issuer(server, cognito, pool, unlisted)
    finally:
        stop_server(server)


@pytest.fixture
def server_options(issuer: Issuer) -> dict[str, Any]:
    return {
        "insecure_localhost_cookies": True,
        "session_issuers": [{"issuer": issuer.iss, "client_ids": [issuer.pool.client_id]}],
    }


@pytest.fixture
def web(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url) as client:
        yield client


def _rejected(live: LiveServer, token: str) -> None:
    before = accounts(live)
    for response in (
        httpx.post(live.url + LOGIN, json={"idToken": token}, headers=V2),
        httpx.post(
            live.url + "/api/v1/auth/cognito/signup",
            json={"idToken": token, "username": "mallory"},
            headers=V2,
        ),
    ):
        expect_error(response, 401)
        assert "set-cookie" not in response.headers
    assert accounts(live) == before


def test_signup_and_login_with_an_external_token(
    live: LiveServer, issuer: Issuer, web: httpx.Client
) -> None:
    token = issuer.id_token()
    claims = unverified(token)
    assert claims["iss"] == issuer.iss
    created = ok(signup(web, token, "alice_ext", profile="from afar"))
    assert created["newAccount"] is True
    (account,) = accounts(live)
    assert (account.issuer, account.subject) == (issuer.iss, claims["sub"])
    assert account.id == created["userInfo"]["id"]
    with httpx.Client(base_url=live.url) as other:
        again = ok(login(other, issuer.id_token()))
        assert again["newAccount"] is False
        assert again["userInfo"] == created["userInfo"]
        assert ok(other.get(SESSION))["userInfo"]["username"] == "alice_ext"
        ok(other.post("/api/v1/auth/refresh", headers={"X-CSRF-Token": again["csrf"]}))
    # Another user of the same issuer is another identity.
    response = httpx.post(live.url + LOGIN, json={"idToken": issuer.id_token("bob")}, headers=V2)
    expect_error(response, 404)


def test_login_with_an_external_token_and_no_account_is_404(
    live: LiveServer, issuer: Issuer
) -> None:
    response = httpx.post(live.url + LOGIN, json={"idToken": issuer.id_token()}, headers=V2)
    expect_error(response, 404)


def test_an_unlisted_client_id_is_401(live: LiveServer, issuer: Issuer) -> None:
    token = issuer.id_token(client_id=issuer.unlisted_client_id)
    assert unverified(token)["iss"] == issuer.iss
    _rejected(live, token)


def test_external_tokens_are_verified(live: LiveServer, issuer: Issuer, web: httpx.Client) -> None:
    token = issuer.id_token()
    claims = unverified(token)
    kid = active_key(issuer.live).kid
    _rejected(live, mint(claims, fresh_rsa_pem(), kid))  # the issuer's kid, not its key
    _rejected(live, mint(claims, fresh_rsa_pem(), "unknown-kid"))
    _rejected(live, tamper_payload(token, sub="someone-else"))
    _rejected(live, str(sign_in(issuer.cognito, issuer.pool)["AccessToken"]))
    # The server under test's own key cannot speak for the external issuer either.
    own = active_key(live)
    _rejected(live, mint(claims, own.private_pem, own.kid))
    # The issuer's real key, with claims that are wrong here.
    real = active_key(issuer.live)
    _rejected(live, mint(claims | {"token_use": "access"}, real.private_pem, real.kid))
    _rejected(live, mint(claims | {"aud": "someone-else"}, real.private_pem, real.kid))
    # Control: the issuer's real key and claims verify.
    good = mint(claims, real.private_pem, real.kid)
    assert ok(signup(web, good, "alice_ext"))["newAccount"] is True


def test_an_audience_array_is_not_a_500(live: LiveServer, issuer: Issuer) -> None:
    """OIDC Core §2 allows ``aud`` to be an array; an issuer that sends one gets a verdict (a
    session if it names a listed client, 401 otherwise), never an internal error."""
    real = active_key(issuer.live)
    claims = unverified(issuer.id_token())
    listed = issuer.pool.client_id
    verdicts: list[tuple[dict[str, Any], tuple[int, ...]]] = [
        ({"aud": [listed]}, (401, 404)),
        ({"aud": ["someone-else"]}, (401,)),
        ({"aud": []}, (401,)),
        ({"aud": [listed, "someone-else"]}, (401,)),  # several audiences and no azp
        ({"aud": [listed, "someone-else"], "azp": "someone-else"}, (401,)),
        ({"aud": [listed, "someone-else"], "azp": listed}, (401, 404)),
        ({"aud": {"x": listed}}, (401,)),
    ]
    for changes, statuses in verdicts:
        token = mint(claims | changes, real.private_pem, real.kid)
        response = httpx.post(live.url + LOGIN, json={"idToken": token}, headers=V2)
        assert response.status_code in statuses, (changes, response.text)
        expect_error(response, response.status_code)


def test_an_unconfigured_issuer_is_401(live: LiveServer, issuer: Issuer) -> None:
    """An idmint pool not in session_issuers: the same server, another pool."""
    other_pool = make_pool(issuer.cognito)
    make_user(issuer.cognito, other_pool, "carol")
    token = str(sign_in(issuer.cognito, other_pool, "carol")["IdToken"])
    _rejected(live, token)


def test_own_pools_are_still_trusted(live: LiveServer, cognito: Any, web: httpx.Client) -> None:
    pool = make_pool(cognito)
    make_user(cognito, pool, "dave")
    assert ok(signup(web, sign_in(cognito, pool, "dave")["IdToken"], "dave"))["newAccount"]


def test_a_rotated_issuer_key_is_fetched(
    live: LiveServer, issuer: Issuer, web: httpx.Client, clock: FrozenClock
) -> None:
    before = issuer.id_token()
    ok(signup(web, before, "alice_ext"))  # the JWKS is fetched and cached
    old_kid = unverified_kid(before)
    issuer.live.run(rotate_signing_key(issuer.live.store, issuer.live.clock))
    # The issuer's nodes reload their key ring within a minute; time moves for both servers.
    clock.advance(61)
    after = issuer.id_token()
    new_kid = unverified_kid(after)
    assert new_kid != old_kid
    published = httpx.get(f"{issuer.iss}/.well-known/jwks.json").json()["keys"]
    assert {old_kid, new_kid} <= {k["kid"] for k in published}
    body = ok(login(web, after))
    assert body["newAccount"] is False and body["userInfo"]["username"] == "alice_ext"
    # A token signed by the retired key still verifies while the issuer publishes it.
    assert ok(login(web, before))["newAccount"] is False


def unverified_kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


class TestUnreachableIssuer:
    """A configured issuer whose JWKS cannot be fetched: the token cannot be verified, which is
    the client's problem or the issuer's, never an internal error of ours."""

    @pytest.fixture
    def server_options(self, issuer: Issuer) -> dict[str, Any]:
        return {
            "insecure_localhost_cookies": True,
            "session_issuers": [
                {
                    "issuer": "https://down.example/pool",
                    "client_ids": ["client"],
                    "jwks_url": f"http://127.0.0.1:{free_port()}/jwks.json",
                }
            ],
        }

    def test_unverifiable_token_is_not_a_500(self, live: LiveServer, clock: FrozenClock) -> None:
        now = int(clock())
        claims = {
            "iss": "https://down.example/pool",
            "aud": "client",
            "sub": "someone",
            "token_use": "id",
            "iat": now,
            "exp": now + 3600,
        }
        token = mint(claims, fresh_rsa_pem(), "kid-1")
        response = httpx.post(live.url + LOGIN, json={"idToken": token}, headers=V2)
        assert response.status_code in (401, 503), response.text
        expect_error(response, response.status_code)
        assert accounts(live) == []
