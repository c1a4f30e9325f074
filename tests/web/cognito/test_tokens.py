"""Tokens as Cognito's: RS256 with kid, the claims Cognito puts in them, verified by PyJWT from
the JWKS fetched over HTTP; issuer styles; key rotation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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
    make_pool,
    make_user,
    sign_in,
    start_server,
    stop_server,
)


def verify(live: LiveServer, pool: Pool, token: str, **options: Any) -> dict[str, Any]:
    jwks = jwt.PyJWKClient(f"{live.url}/{pool.id}/.well-known/jwks.json", cache_keys=False)
    key = jwks.get_signing_key_from_jwt(token)
    return dict(
        jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=f"{live.url}/{pool.id}",
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            **options,
        )
    )


def test_id_and_access_token_claims(live: LiveServer, cognito: Any, pool: Pool) -> None:
    sub = make_user(cognito, pool, name="Alice A")
    tokens = sign_in(cognito, pool)
    id_claims = verify(live, pool, tokens["IdToken"], audience=pool.client_id)
    access = verify(live, pool, tokens["AccessToken"])
    header = jwt.get_unverified_header(tokens["IdToken"])
    assert header["alg"] == "RS256" and header["kid"]
    assert id_claims["sub"] == access["sub"] == sub
    assert id_claims["token_use"] == "id" and access["token_use"] == "access"
    assert id_claims["cognito:username"] == "alice" and access["username"] == "alice"
    assert id_claims["email"] == "alice@example.com" and id_claims["name"] == "Alice A"
    assert id_claims["email_verified"] is False
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["client_id"] == pool.client_id
    assert id_claims["auth_time"] == access["auth_time"] == int(live.clock())
    assert id_claims["exp"] - id_claims["iat"] == 3600 and access["exp"] - access["iat"] == 3600
    assert id_claims["origin_jti"] == access["origin_jti"]
    assert id_claims["event_id"] == access["event_id"]
    assert id_claims["jti"] != access["jti"]
    for claims in (id_claims, access):
        for field in ("jti", "origin_jti", "event_id"):
            uuid.UUID(claims[field])


def test_origin_jti_survives_refresh(live: LiveServer, cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    first = sign_in(cognito, pool)
    live.clock.advance(600)
    again = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    refreshed = again["AuthenticationResult"]
    before = verify(live, pool, first["AccessToken"])
    after = verify(live, pool, refreshed["AccessToken"])
    assert after["origin_jti"] == before["origin_jti"]
    assert after["auth_time"] == before["auth_time"] and after["iat"] == before["iat"] + 600
    assert (
        verify(live, pool, refreshed["IdToken"], audience=pool.client_id)["origin_jti"]
        == before["origin_jti"]
    )


def test_read_attributes_limit_id_token(live: LiveServer, cognito: Any, pool: Pool) -> None:
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="narrow",
        ReadAttributes=["name"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    make_user(cognito, pool, name="Alice")
    narrow = Pool(pool.id, client["ClientId"])
    claims = verify(live, pool, sign_in(cognito, narrow)["IdToken"], audience=narrow.client_id)
    assert claims["name"] == "Alice" and "email" not in claims


def test_key_rotation_keeps_old_key_published(live: LiveServer, cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    old = sign_in(cognito, pool)
    new_key = live.run(rotate_signing_key(live.store, live.clock))
    live.clock.advance(61)  # nodes reload the key ring at most a minute later
    new = sign_in(cognito, pool)
    assert jwt.get_unverified_header(new["IdToken"])["kid"] == new_key.kid
    kids = [
        k["kid"] for k in httpx.get(f"{live.url}/{pool.id}/.well-known/jwks.json").json()["keys"]
    ]
    assert kids[0] == new_key.kid and jwt.get_unverified_header(old["IdToken"])["kid"] in kids
    verify(live, pool, old["IdToken"], audience=pool.client_id)
    cognito.get_user(AccessToken=old["AccessToken"])


@pytest.fixture
def aws_issuer(database: Database, clock: FrozenClock) -> Iterator[LiveServer]:
    server = start_server(database, clock, issuer_style="aws")
    yield server
    stop_server(server)


def test_aws_issuer_style(aws_issuer: LiveServer) -> None:
    cognito = aws_issuer.client()
    pool = make_pool(cognito)
    make_user(cognito, pool)
    token = sign_in(cognito, pool)["IdToken"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool.id}"
    config = httpx.get(f"{aws_issuer.url}/{pool.id}/.well-known/openid-configuration").json()
    assert config["issuer"] == claims["iss"]
    cognito.get_user(AccessToken=sign_in(cognito, pool)["AccessToken"])


def test_forged_tokens_rejected(live: LiveServer, cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    forged = [
        jwt.encode(
            {**claims, "username": "mallory"},
            "s" * 32,
            algorithm="HS256",
            headers={"kid": jwt.get_unverified_header(tokens["AccessToken"])["kid"]},
        ),
        jwt.encode(claims, None, algorithm="none"),
        tokens["IdToken"],  # an ID token is not an access token
        tokens["AccessToken"][:-4] + "AAAA",
        "garbage",
    ]
    for token in forged:
        with pytest.raises(Exception) as exc:
            cognito.get_user(AccessToken=token)
        assert exc.value.response["Error"] == {
            "Code": "NotAuthorizedException",
            "Message": "Invalid Access Token",
        }  # type: ignore[attr-defined]
