"""Discovery (OpenID Connect Discovery 1.0 §3-4, RFC 8414 §3): the document at
``/<pool>/.well-known/openid-configuration`` and at ``/.well-known/oauth-authorization-server/
<pool>``; every endpoint it lists is served; its issuer is the tokens' ``iss``; a client that
knows only the issuer can bootstrap from it (Authlib's client for the token, revocation and
userInfo calls, joserfc for the ID token)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import LiveServer
from tests.web.oidc.conftest import CALLBACK, OAuthPool
from tests.web.oidc.test_token import (
    NONCE,
    add_user,
    issuer,
    new_code,
    tokens_for,
    verify,
)

ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "revocation_endpoint",
    "end_session_endpoint",
    "jwks_uri",
)


def oidc_url(live: LiveServer, pool_id: str) -> str:
    """OIDC Discovery §4.1: the issuer + ``/.well-known/openid-configuration``."""
    return f"{live.url}/{pool_id}/.well-known/openid-configuration"


def rfc8414_url(live: LiveServer, pool_id: str) -> str:
    """RFC 8414 §3.1: the well-known segment goes between host and the issuer's path."""
    return f"{live.url}/.well-known/oauth-authorization-server/{pool_id}"


def metadata(live: LiveServer, pool: OAuthPool) -> dict[str, Any]:
    response = httpx.get(oidc_url(live, pool.id))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_both_urls_serve_the_same_document(live: LiveServer, oauth_pool: OAuthPool) -> None:
    first = httpx.get(oidc_url(live, oauth_pool.id))
    second = httpx.get(rfc8414_url(live, oauth_pool.id))
    for response in (first, second):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["access-control-allow-origin"] == "*"
    assert first.json() == second.json()


def test_document_contents(live: LiveServer, oauth_pool: OAuthPool) -> None:
    meta = metadata(live, oauth_pool)
    # OIDC Discovery §4.3 / RFC 8414 §3.3: the issuer is the one the URL was built from.
    assert meta["issuer"] == issuer(live, oauth_pool)
    assert oidc_url(live, oauth_pool.id) == meta["issuer"] + "/.well-known/openid-configuration"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    assert "implicit" not in meta["grant_types_supported"]
    assert {"authorization_code", "refresh_token"} <= set(meta["grant_types_supported"])
    assert {"client_secret_basic", "client_secret_post", "none"} == set(
        meta["token_endpoint_auth_methods_supported"]
    )
    assert "openid" in meta["scopes_supported"]
    assert meta["subject_types_supported"] == ["public"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["authorization_response_iss_parameter_supported"] is True  # RFC 9207 §3
    for name in ENDPOINTS:
        assert meta[name].startswith(live.url + "/"), (name, meta[name])


def test_unknown_pool_is_404(live: LiveServer) -> None:
    for url in (oidc_url(live, "us-east-1_NOPOOL000"), rfc8414_url(live, "us-east-1_NOPOOL000")):
        assert httpx.get(url).status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_listed_endpoint_is_served(
    live: LiveServer, oauth_pool: OAuthPool, endpoint: str
) -> None:
    """Whatever a discovery client finds listed exists (not 404, not 405 for the method the
    specifications use)."""
    url = metadata(live, oauth_pool)[endpoint]
    if endpoint in ("token_endpoint", "revocation_endpoint"):
        response = httpx.post(url, data={"client_id": oauth_pool.client_id})
    else:
        response = httpx.get(url, follow_redirects=False)
    assert response.status_code not in (404, 405), (url, response.status_code, response.text)
    assert response.status_code < 500


def test_issuer_is_the_tokens_iss(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    meta = metadata(live, oauth_pool)
    assert grant.iss == meta["issuer"]  # RFC 9207 §2: the authorization response's iss
    tokens = tokens_for(live, oauth_pool)
    for kind in ("id_token", "access_token"):
        assert verify(live, oauth_pool, tokens[kind])["iss"] == meta["issuer"]


def test_a_client_bootstraps_from_discovery(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """Knowing only the issuer: fetch the document, exchange a code with Authlib at its
    token_endpoint, verify the ID token with joserfc against its jwks_uri, read the
    userinfo_endpoint, revoke at the revocation_endpoint."""
    attrs = add_user(cognito, oauth_pool)
    meta = httpx.get(f"{issuer(live, oauth_pool)}/.well-known/openid-configuration").json()
    grant = new_code(live, oauth_pool)
    with OAuth2Client(
        client_id=oauth_pool.client_id,
        token_endpoint_auth_method="none",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    ) as client:
        token = client.fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=grant.code,
            code_verifier=grant.verifier,
        )
        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"]).json())
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        claims = jwt.JWTClaimsRegistry(
            now=int(live.clock()),
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": oauth_pool.client_id},
            nonce={"essential": True, "value": NONCE},
            sub={"essential": True, "value": attrs["sub"]},
            auth_time={"essential": True},
        )
        claims.validate(id_token.claims)
        assert id_token.header["alg"] in meta["id_token_signing_alg_values_supported"]

        info = client.get(meta["userinfo_endpoint"])
        assert info.status_code == 200 and info.json()["sub"] == attrs["sub"]

        revoked = client.revoke_token(meta["revocation_endpoint"], token=token["refresh_token"])
        assert revoked.status_code == 200
        assert client.get(meta["userinfo_endpoint"]).status_code == 401
