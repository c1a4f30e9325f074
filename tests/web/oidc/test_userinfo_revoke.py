"""``GET|POST /oauth2/userInfo`` (OpenID Connect Core 1.0 §5.3-5.4, bearer tokens per RFC 6750
§2.1-2.2 and §3) and ``POST /oauth2/revoke`` (RFC 7009) over a real socket, plus the scope the
Cognito user API now asks of access tokens (``aws.cognito.signin.user.admin``).

Time moves only on the frozen clock; admin Cognito calls are made before it moves."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.web.oidc.conftest import OAuthPool, make_oauth_pool
from tests.web.oidc.test_token import (
    ADMIN,
    ALL_SCOPES,
    EMAIL,
    FORM,
    REVOKE,
    USERINFO,
    add_user,
    assert_error,
    assert_no_store,
    b64,
    client_post,
    confidential,
    post,
    refresh,
    tokens_for,
    user_info,
)

ATTRIBUTES = {
    "name": "Alice Liddell",
    "given_name": "Alice",
    "family_name": "Liddell",
    "locale": "en-GB",
    "phone_number": "+15555550100",
    "custom:tier": "gold",
}
# Cognito: "profile" grants every attribute the client can read, as the admin scope does.
EVERY = set(ATTRIBUTES) | {"email", "email_verified", "phone_number_verified"}


def rich_pool(cognito: Any, **kwargs: Any) -> OAuthPool:
    """A pool with a custom attribute and a client allowed every scope."""
    return make_oauth_pool(
        cognito,
        scopes=ALL_SCOPES,
        pool_args={
            "Schema": [{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        },
        **kwargs,
    )


def challenge(response: httpx.Response) -> dict[str, str]:
    """The parameters of a ``WWW-Authenticate: Bearer`` challenge (RFC 6750 §3)."""
    header = response.headers["www-authenticate"]
    assert header.startswith("Bearer"), header
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def assert_bearer_error(response: httpx.Response, status: int, error: str | None) -> None:
    """RFC 6750 §3: the status, and the error code in the challenge only when a token was
    sent (§3.1); the body is RFC 6749-style JSON, no-store."""
    assert response.status_code == status, (response.status_code, response.text)
    params = challenge(response)
    if error is None:
        assert "error" not in params, params
    else:
        assert params.get("error") == error, params
    assert "Traceback" not in response.text
    assert_no_store(response)


# userInfo --------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["get-bearer", "post-bearer", "post-form"])
def test_user_info_ways_to_send_the_token(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, how: str
) -> None:
    """RFC 6750 §2.1 (Authorization header, GET or POST) and §2.2 (form body, POST)."""
    attrs = add_user(cognito, oauth_pool)
    token = tokens_for(live, oauth_pool)["access_token"]
    url = f"{live.url}{USERINFO}"
    if how == "get-bearer":
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    elif how == "post-bearer":
        response = httpx.post(url, headers={"Authorization": f"Bearer {token}"})
    else:
        response = httpx.post(url, data={"access_token": token})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_no_store(response)
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["sub"] == attrs["sub"] and body["username"] == attrs["username"]
    assert body["email"] == EMAIL and body["email_verified"] is True


def test_bearer_scheme_is_case_insensitive(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 7235 §2.1: the auth-scheme is case-insensitive."""
    add_user(cognito, oauth_pool)
    token = tokens_for(live, oauth_pool)["access_token"]
    response = httpx.get(f"{live.url}{USERINFO}", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("openid", set()),
        ("openid email", {"email", "email_verified"}),
        ("openid phone", {"phone_number", "phone_number_verified"}),
        ("openid profile", EVERY),
        ("openid email profile", EVERY),
        (f"openid {ADMIN}", EVERY),
        (ADMIN, EVERY),
    ],
    ids=["openid", "email", "phone", "profile", "email-profile", "openid-admin", "admin"],
)
def test_claims_follow_the_scopes(
    live: LiveServer, cognito: Any, scope: str, expected: set[str]
) -> None:
    """OIDC Core §5.4 for the email and phone scopes; ``profile`` and
    ``aws.cognito.signin.user.admin`` for every readable attribute (Cognito's userInfo).
    ``sub`` and ``username`` always."""
    pool = rich_pool(cognito)
    attrs = add_user(cognito, pool, **ATTRIBUTES)
    token = tokens_for(live, pool, scope=scope)["access_token"]
    response = user_info(live, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == expected | {"sub", "username"}, body
    assert body["sub"] == attrs["sub"] and body["username"] == attrs["username"]
    for name in expected & set(ATTRIBUTES):
        assert body[name] == ATTRIBUTES[name]
    for flag in ("email_verified", "phone_number_verified"):
        if flag in body:
            assert isinstance(body[flag], bool), body  # OIDC Core §5.1: boolean


def test_claims_limited_to_readable_attributes(live: LiveServer, cognito: Any) -> None:
    """The client's ReadAttributes bound what userInfo shows, whatever the scope."""
    pool = rich_pool(cognito, client_args={"ReadAttributes": ["email", "email_verified", "name"]})
    add_user(cognito, pool, **ATTRIBUTES)
    for scope in (f"openid {ADMIN}", "openid profile email"):
        body = user_info(live, tokens_for(live, pool, scope=scope)["access_token"]).json()
        assert set(body) == {"sub", "username", "email", "email_verified", "name"}, body


def test_claims_are_current(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    """userInfo reads the user now, not the token's copy."""
    add_user(cognito, oauth_pool, name="Alice")
    token = tokens_for(live, oauth_pool)["access_token"]
    cognito.admin_update_user_attributes(
        UserPoolId=oauth_pool.id,
        Username=EMAIL,
        UserAttributes=[{"Name": "name", "Value": "Alice B"}],
    )
    assert user_info(live, token).json()["name"] == "Alice B"


def test_token_without_openid_or_admin_scope_is_insufficient(
    live: LiveServer, cognito: Any
) -> None:
    """OIDC Core §5.3: userInfo needs an OpenID Connect access token; RFC 6750 §3.1: 403
    insufficient_scope."""
    pool = rich_pool(cognito)
    add_user(cognito, pool)
    token = tokens_for(live, pool, scope="email profile")["access_token"]
    for method in ("GET", "POST"):
        response = httpx.request(
            method, f"{live.url}{USERINFO}", headers={"Authorization": f"Bearer {token}"}
        )
        assert_bearer_error(response, 403, "insufficient_scope")
        assert response.json()["error"] == "insufficient_scope"


def test_expired_access_token(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    token = tokens_for(live, oauth_pool)["access_token"]
    live.clock.advance(3599)
    assert user_info(live, token).status_code == 200
    live.clock.advance(1)
    assert_bearer_error(user_info(live, token), 401, "invalid_token")


def test_revoked_access_token(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    tokens = tokens_for(live, oauth_pool)
    response = post(live, REVOKE, {"token": tokens["refresh_token"]} | client_post(oauth_pool))
    assert response.status_code == 200
    assert_bearer_error(user_info(live, tokens["access_token"]), 401, "invalid_token")


def test_signed_out_and_disabled_users(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    add_user(cognito, oauth_pool, "bob@example.com")
    alice = tokens_for(live, oauth_pool)["access_token"]
    bob = tokens_for(live, oauth_pool, "bob@example.com")["access_token"]
    cognito.admin_user_global_sign_out(UserPoolId=oauth_pool.id, Username=EMAIL)
    cognito.admin_disable_user(UserPoolId=oauth_pool.id, Username="bob@example.com")
    assert_bearer_error(user_info(live, alice), 401, "invalid_token")
    assert_bearer_error(user_info(live, bob), 401, "invalid_token")


def test_id_token_is_not_an_access_token(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    id_token = tokens_for(live, oauth_pool)["id_token"]
    assert_bearer_error(user_info(live, id_token), 401, "invalid_token")


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "x" * 5000,
        "é",
    ],
    ids=["word", "dots", "alg-none", "long", "non-ascii"],
)
def test_garbage_token(live: LiveServer, token: str) -> None:
    response = httpx.get(
        f"{live.url}{USERINFO}", headers=[(b"Authorization", f"Bearer {token}".encode())]
    )
    assert_bearer_error(response, 401, "invalid_token")


def test_token_of_a_deleted_user(live: LiveServer, cognito: Any) -> None:
    """Signed by this server and unexpired, but its user is gone."""
    pool = make_oauth_pool(cognito)
    add_user(cognito, pool)
    token = tokens_for(live, pool)["access_token"]
    cognito.admin_delete_user(UserPoolId=pool.id, Username=EMAIL)
    assert_bearer_error(user_info(live, token), 401, "invalid_token")


@pytest.mark.parametrize(
    ("method", "headers", "data"),
    [
        ("GET", {}, None),
        ("POST", {}, None),
        ("POST", FORM, {}),
        ("POST", FORM, {"access_token": ""}),
        ("GET", {"Authorization": "Bearer"}, None),
        ("GET", {"Authorization": "Basic dXNlcjpwYXNz"}, None),
    ],
    ids=["get", "post", "post-empty-form", "post-empty-token", "bearer", "basic"],
)
def test_missing_token(
    live: LiveServer, method: str, headers: dict[str, str], data: dict[str, str] | None
) -> None:
    """RFC 6750 §3.1: without authentication information, a bare challenge (no error code)."""
    response = httpx.request(method, f"{live.url}{USERINFO}", headers=headers, data=data)
    assert_bearer_error(response, 401, None)
    assert challenge(response).get("realm")


def test_token_in_the_query_is_not_read(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 6750 §2.3's query parameter is not supported (it leaks into logs): no token."""
    add_user(cognito, oauth_pool)
    token = tokens_for(live, oauth_pool)["access_token"]
    response = httpx.get(f"{live.url}{USERINFO}", params={"access_token": token})
    assert_bearer_error(response, 401, None)


def test_two_ways_of_sending_the_token_is_invalid_request(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 6750 §2 ("Clients MUST NOT use more than one method to transmit the token in each
    request") and §3.1: invalid_request, 400."""
    add_user(cognito, oauth_pool)
    token = tokens_for(live, oauth_pool)["access_token"]
    response = httpx.post(
        f"{live.url}{USERINFO}",
        headers={"Authorization": f"Bearer {token}"},
        data={"access_token": token},
    )
    assert_bearer_error(response, 400, "invalid_request")


def test_user_info_cors(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    response = httpx.get(f"{live.url}{USERINFO}", headers={"Origin": "https://app.example.com"})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == "*"


# The Cognito user API and the admin scope -------------------------------------------------------


def test_cognito_api_needs_the_admin_scope(live: LiveServer, cognito: Any) -> None:
    """A hosted-UI access token without ``aws.cognito.signin.user.admin`` is refused by the
    Cognito user API; with it, accepted."""
    pool = rich_pool(cognito)
    attrs = add_user(cognito, pool)
    plain = tokens_for(live, pool, scope="openid email profile")["access_token"]
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=plain)
    assert exc.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert exc.value.response["Error"]["Message"] == "Access Token does not have required scopes"
    with pytest.raises(ClientError) as exc:
        cognito.global_sign_out(AccessToken=plain)
    assert exc.value.response["Error"]["Code"] == "NotAuthorizedException"
    # refused: the sign-in goes on
    assert user_info(live, plain).status_code == 200

    admin = tokens_for(live, pool, scope=f"openid {ADMIN}")["access_token"]
    user = cognito.get_user(AccessToken=admin)
    assert user["Username"] == attrs["username"]
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email"] == EMAIL


# revoke ------------------------------------------------------------------------------------------


def test_revoke_refresh_token_ends_the_sign_in(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    tokens = tokens_for(live, oauth_pool)
    refreshed = refresh(live, oauth_pool, tokens["refresh_token"]).json()
    response = post(live, REVOKE, {"token": tokens["refresh_token"]} | client_post(oauth_pool))
    assert response.status_code == 200
    assert response.content == b""
    assert_no_store(response)
    assert response.headers["access-control-allow-origin"] == "*"
    assert_error(refresh(live, oauth_pool, tokens["refresh_token"]), 400, "invalid_grant")
    for access_token in (tokens["access_token"], refreshed["access_token"]):
        assert user_info(live, access_token).status_code == 401
    # revoking again is still 200 (RFC 7009 §2.2)
    again = post(live, REVOKE, {"token": tokens["refresh_token"]} | client_post(oauth_pool))
    assert again.status_code == 200


def test_revoke_only_ends_that_sign_in(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    first, second = tokens_for(live, oauth_pool), tokens_for(live, oauth_pool)
    post(live, REVOKE, {"token": first["refresh_token"]} | client_post(oauth_pool))
    assert user_info(live, second["access_token"]).status_code == 200
    assert refresh(live, oauth_pool, second["refresh_token"]).status_code == 200


def test_revoke_with_client_secret(live: LiveServer, cognito: Any) -> None:
    pool = confidential(cognito)
    assert pool.secret is not None
    add_user(cognito, pool)
    tokens = tokens_for(live, pool)
    response = post(
        live,
        REVOKE,
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        auth=(pool.client_id, pool.secret),
    )
    assert response.status_code == 200
    assert user_info(live, tokens["access_token"]).status_code == 401


def test_revoke_ignores_a_wrong_hint(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    """RFC 7009 §2.1: token_type_hint is a hint; a wrong one does not stop the revocation."""
    add_user(cognito, oauth_pool)
    tokens = tokens_for(live, oauth_pool)
    data = {"token": tokens["refresh_token"], "token_type_hint": "access_token"}
    assert post(live, REVOKE, data | client_post(oauth_pool)).status_code == 200
    assert user_info(live, tokens["access_token"]).status_code == 401


@pytest.mark.parametrize(
    "token", ["unknown", "x" * 200, "\x00", "é"], ids=["word", "long", "nul", "non-ascii"]
)
def test_revoke_unknown_token_is_200(live: LiveServer, oauth_pool: OAuthPool, token: str) -> None:
    response = post(live, REVOKE, {"token": token} | client_post(oauth_pool))
    assert response.status_code == 200, response.text


def test_revoke_token_of_another_client(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 7009 §2.1: the token must have been issued to the requesting client; refused (400),
    and the refusal changes nothing."""
    add_user(cognito, oauth_pool)
    tokens = tokens_for(live, oauth_pool)
    other = make_oauth_pool(cognito)
    response = post(live, REVOKE, {"token": tokens["refresh_token"]} | client_post(other))
    assert_error(response, 400, {"unauthorized_client", "invalid_request", "invalid_grant"})
    assert user_info(live, tokens["access_token"]).status_code == 200
    assert refresh(live, oauth_pool, tokens["refresh_token"]).status_code == 200


def test_revoke_access_token_is_unsupported(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 7009 §2.2.1: unsupported_token_type for a token kind the server cannot revoke."""
    add_user(cognito, oauth_pool)
    tokens = tokens_for(live, oauth_pool)
    for kind in ("access_token", "id_token"):
        response = post(live, REVOKE, {"token": tokens[kind]} | client_post(oauth_pool))
        assert_error(response, 400, "unsupported_token_type")
    assert user_info(live, tokens["access_token"]).status_code == 200


def test_revoke_missing_token(live: LiveServer, oauth_pool: OAuthPool) -> None:
    assert_error(post(live, REVOKE, client_post(oauth_pool)), 400, "invalid_request")
    data = {"token": ""} | client_post(oauth_pool)
    assert_error(post(live, REVOKE, data), 400, "invalid_request")


@pytest.mark.parametrize(
    "creds",
    [
        {"client_id": "x" * 26},
        {},
        {"client_id": "\x00"},
        "wrong-secret",
        "missing-secret",
        "basic-wrong-secret",
        "basic-malformed",
    ],
    ids=["unknown", "none", "nul", "wrong-secret", "missing-secret", "basic-wrong", "basic-bad"],
)
def test_revoke_client_authentication(
    live: LiveServer, cognito: Any, creds: dict[str, str] | str
) -> None:
    pool = confidential(cognito)
    assert pool.secret is not None
    add_user(cognito, pool)
    tokens = tokens_for(live, pool)
    headers: dict[str, str] = {}
    body: dict[str, str]
    if creds == "wrong-secret":
        body = {"client_id": pool.client_id, "client_secret": "nope"}
    elif creds == "missing-secret":
        body = {"client_id": pool.client_id}
    elif creds == "basic-wrong-secret":
        body, headers = {}, {"Authorization": "Basic " + b64(f"{pool.client_id}:no".encode())}
    elif creds == "basic-malformed":
        body, headers = {}, {"Authorization": "Basic %%%"}
    else:
        assert isinstance(creds, dict)
        body = creds
    response = post(live, REVOKE, {"token": tokens["refresh_token"]} | body, headers=headers)
    assert_error(response, 401, "invalid_client")
    assert user_info(live, tokens["access_token"]).status_code == 200


def test_revoke_public_client_sending_a_secret(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    tokens = tokens_for(live, oauth_pool)
    data = {"token": tokens["refresh_token"], "client_secret": "x"} | client_post(oauth_pool)
    assert_error(post(live, REVOKE, data), 401, "invalid_client")


def test_revoke_two_authentication_methods(live: LiveServer, cognito: Any) -> None:
    pool = confidential(cognito)
    assert pool.secret is not None
    add_user(cognito, pool)
    tokens = tokens_for(live, pool)
    data = {"token": tokens["refresh_token"], "client_secret": pool.secret}
    response = post(live, REVOKE, data, auth=(pool.client_id, pool.secret))
    assert_error(response, 400, "invalid_request")
    assert user_info(live, tokens["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"token": "x"}', "application/json"),
        (b"token=x", "text/plain"),
        (b"token=x&token=y", FORM["Content-Type"]),
    ],
    ids=["json", "text", "repeated"],
)
def test_revoke_malformed_requests(
    live: LiveServer, oauth_pool: OAuthPool, content: bytes, content_type: str
) -> None:
    body = content + (f"&client_id={oauth_pool.client_id}".encode() if b"=" in content else b"")
    response = post(live, REVOKE, content=body, headers={"Content-Type": content_type})
    assert_error(response, 400, "invalid_request")


def test_revoke_when_revocation_is_disabled(live: LiveServer, cognito: Any) -> None:
    """A client with EnableTokenRevocation false cannot revoke (Cognito RevokeToken's
    UnsupportedOperationException): a 400 in RFC 6749 §5.2 shape, never a 500."""
    pool = make_oauth_pool(cognito, client_args={"EnableTokenRevocation": False})
    add_user(cognito, pool)
    tokens = tokens_for(live, pool)
    response = post(live, REVOKE, {"token": tokens["refresh_token"]} | client_post(pool))
    assert response.status_code == 400
    assert_error(
        response, 400, {"unsupported_token_type", "invalid_request", "unauthorized_client"}
    )
    assert user_info(live, tokens["access_token"]).status_code == 200
