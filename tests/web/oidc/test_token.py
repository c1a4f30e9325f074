"""``POST /oauth2/token`` over a real socket (issue 8, points 2-4): the authorization_code grant
with PKCE (RFC 7636) for public clients and with client_secret_basic / client_secret_post for
confidential ones (RFC 6749 §2.3.1, §4.1.3), refresh_token (§6) and client_credentials (§4.4);
every error branch answered in RFC 6749 §5.2's JSON with ``Cache-Control: no-store``; a refused
request changes nothing. Codes come from the core (``Authorization.check`` + ``issue_code``) run
on the live server's loop, so these tests do not need the browser pages.

Time moves only on the frozen clock; admin Cognito calls (SigV4 signed with the real time) are
made before it moves.

The helpers at the top are shared with the other modules of this package.
"""

from __future__ import annotations

import base64
import secrets
import string
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import jwt
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from botocore.exceptions import ClientError

from idmint.core.authorization import AuthorizeParams, AuthorizeRequest, s256
from idmint.core.model import User
from tests.conftest import PASSWORD, LiveServer
from tests.web.oidc.conftest import CALLBACK, OAuthPool, make_oauth_pool

TOKEN = "/oauth2/token"
USERINFO = "/oauth2/userInfo"
REVOKE = "/oauth2/revoke"
EMAIL = "alice@example.com"
NONCE = "n-0S6_WzA2Mj"
STATE = "af0ifjsldkj"
ADMIN = "aws.cognito.signin.user.admin"
ALL_SCOPES = ("openid", "email", "phone", "profile", ADMIN)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# RFC 6749 §5.2, RFC 6750 §3.1 and RFC 7009 §2.2.1: the error codes these endpoints may use.
OAUTH_ERRORS = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_token",
    "insufficient_scope",
    "unsupported_token_type",
}


# Helpers (shared with test_userinfo_revoke, test_authorize and test_discovery) ----------------


def new_verifier() -> str:
    """A fresh RFC 7636 §4.1 code_verifier (64 unreserved characters)."""
    return secrets.token_urlsafe(48)


def add_user(
    cognito: Any, pool: OAuthPool, email: str = EMAIL, **attributes: str
) -> dict[str, str]:
    """A confirmed user with a verified email (made by an administrator so that it works for
    clients with and without a secret); returns the user's attributes, ``sub`` included."""
    attrs = {"email": email, "email_verified": "true", **attributes}
    cognito.admin_create_user(
        UserPoolId=pool.id,
        Username=email,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username=email, Password=PASSWORD, Permanent=True
    )
    user = cognito.admin_get_user(UserPoolId=pool.id, Username=email)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]} | {"username": user["Username"]}


def authorize(
    live: LiveServer,
    pool: OAuthPool,
    *,
    client_id: str | None = None,
    redirect_uri: str | None = CALLBACK,
    scope: str | None = "openid email profile",
    state: str | None = STATE,
    nonce: str | None = NONCE,
    challenge: str | None = None,
    method: str | None = "S256",
) -> AuthorizeRequest:
    """A validated authorization request, as ``/oauth2/authorize`` would make it."""
    params = AuthorizeParams(
        client_id=client_id or pool.client_id,
        redirect_uri=redirect_uri,
        response_type="code",
        scope=scope,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method=method if challenge is not None else None,
    )
    service = live.app.state.service
    request: AuthorizeRequest = live.run(service.authorization.check(params))
    return request


def find_user(live: LiveServer, pool_id: str, email: str = EMAIL) -> User:
    service = live.app.state.service
    pool = live.run(service.ctx.pool(pool_id))
    user: User | None = live.run(service.ctx.find_user(pool, email))
    assert user is not None, email
    return user


@dataclass
class Grant:
    """An authorization code and what its exchange needs."""

    code: str
    client_id: str
    verifier: str | None
    redirect_uri: str
    auth_time: float
    state: str | None
    iss: str
    scope: str | None = None
    nonce: str | None = NONCE
    extra: dict[str, str] = field(default_factory=dict)


def new_code(
    live: LiveServer,
    pool: OAuthPool,
    email: str = EMAIL,
    *,
    pkce: bool | None = None,
    verifier: str | None = None,
    auth_time: float | None = None,
    **params: Any,
) -> Grant:
    """A code issued to ``pool``'s client for ``email`` through the core, with PKCE (S256)
    unless ``pkce`` is False (default: PKCE for a public client only)."""
    if pkce is None:
        pkce = pool.secret is None or verifier is not None
    if pkce and verifier is None:
        verifier = new_verifier()
    request = authorize(live, pool, challenge=s256(verifier) if verifier else None, **params)
    user = find_user(live, pool.id, email)
    when = live.clock() if auth_time is None else auth_time
    service = live.app.state.service
    url: str = live.run(service.authorization.issue_code(request, user, when))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == request.redirect_uri
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return Grant(
        code=query["code"],
        client_id=request.client.id,
        verifier=verifier,
        redirect_uri=request.redirect_uri,
        auth_time=when,
        state=query.get("state"),
        iss=query["iss"],
        scope=params.get("scope", "openid email profile"),
        nonce=params.get("nonce", NONCE),
    )


def post(
    live: LiveServer,
    path: str,
    data: dict[str, str] | None = None,
    *,
    auth: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """A POST over the socket; ``data`` form-encoded, ``auth`` as HTTP Basic."""
    return httpx.post(
        f"{live.url}{path}",
        data=data,
        content=content,
        auth=auth,
        headers=headers,
        timeout=30,
    )


def client_post(pool: OAuthPool) -> dict[str, str]:
    """The client's credentials as client_secret_post (just ``client_id`` when public)."""
    creds = {"client_id": pool.client_id}
    if pool.secret is not None:
        creds["client_secret"] = pool.secret
    return creds


def exchange(
    live: LiveServer,
    pool: OAuthPool,
    grant: Grant,
    changes: Mapping[str, str | None] | None = None,
    *,
    basic: bool = False,
    **more: str | None,
) -> httpx.Response:
    """Exchange ``grant`` at the token endpoint (client_secret_post, or Basic); ``changes``
    and ``more`` replace or (with None) drop parameters."""
    data: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "code": grant.code,
        "redirect_uri": grant.redirect_uri,
        "code_verifier": grant.verifier,
    }
    auth = None
    if basic:
        assert pool.secret is not None
        auth = (pool.client_id, pool.secret)
    else:
        data |= client_post(pool)
    data |= dict(changes or {}) | more
    sent = {k: v for k, v in data.items() if v is not None}
    return post(live, TOKEN, sent, auth=auth)


def tokens_for(
    live: LiveServer, pool: OAuthPool, email: str = EMAIL, **params: Any
) -> dict[str, Any]:
    """Tokens from a fresh code exchange."""
    response = exchange(live, pool, new_code(live, pool, email, **params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refresh(live: LiveServer, pool: OAuthPool, refresh_token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return post(live, TOKEN, data | client_post(pool))


def user_info(live: LiveServer, access_token: str) -> httpx.Response:
    return httpx.get(
        f"{live.url}{USERINFO}",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=30,
    )


def issuer(live: LiveServer, pool: OAuthPool) -> str:
    return f"{live.url}/{pool.id}"


def verify(
    live: LiveServer, pool: OAuthPool, token: str, audience: str | None = None
) -> dict[str, Any]:
    """A JWT's claims, its RS256 signature checked against the pool's JWKS fetched over HTTP;
    the frozen clock is not the wall clock, so the times are checked by the tests."""
    jwks = jwt.PyJWKClient(f"{live.url}/{pool.id}/.well-known/jwks.json", cache_keys=False)
    key = jwks.get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=issuer(live, pool),
        audience=audience,
        options={
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
            "verify_aud": audience is not None,
        },
    )
    return claims


def assert_no_store(response: httpx.Response) -> None:
    """RFC 6749 §5.1: ``Cache-Control: no-store`` and ``Pragma: no-cache``."""
    assert response.headers.get("cache-control") == "no-store", response.headers
    assert response.headers.get("pragma") == "no-cache", response.headers


def assert_error(response: httpx.Response, status: int, error: str | set[str]) -> dict[str, str]:
    """An RFC 6749 §5.2 error: exactly ``error`` and ``error_description``, JSON, no-store,
    never a traceback; ``invalid_client`` 401s name the Basic scheme."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, str] = response.json()
    assert set(body) == {"error", "error_description"}, body
    expected = {error} if isinstance(error, str) else error
    assert body["error"] in expected, body
    assert isinstance(body["error_description"], str) and body["error_description"]
    # RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E
    assert all(c == " " or (c.isascii() and c.isprintable()) for c in body["error_description"])
    assert '"' not in body["error_description"] and "\\" not in body["error_description"]
    assert "Traceback" not in response.text
    assert_no_store(response)
    if status == 401 and body["error"] == "invalid_client":
        assert response.headers["www-authenticate"].startswith("Basic"), response.headers
    return body


def assert_tokens(response: httpx.Response, *, id_token: bool, refresh_token: bool) -> None:
    """RFC 6749 §5.1 (OIDC Core §3.1.3.3): a Bearer token response, no-store."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_no_store(response)
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert body["expires_in"] == 3600
    assert ("id_token" in body) is id_token, body
    assert ("refresh_token" in body) is refresh_token, body


def confidential(cognito: Any, **kwargs: Any) -> OAuthPool:
    return make_oauth_pool(cognito, secret=True, **kwargs)


@pytest.fixture
def secret_pool(cognito: Any) -> OAuthPool:
    """A pool whose OAuth client has a secret (code grant, no PKCE needed)."""
    return confidential(cognito)


# Happy paths ---------------------------------------------------------------------------------


def test_public_client_with_pkce(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    attrs = add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    assert grant.state == STATE and grant.iss == issuer(live, oauth_pool)
    response = exchange(live, oauth_pool, grant)
    assert_tokens(response, id_token=True, refresh_token=True)
    body = response.json()
    id_claims = verify(live, oauth_pool, body["id_token"], audience=oauth_pool.client_id)
    access = verify(live, oauth_pool, body["access_token"])
    assert id_claims["nonce"] == NONCE
    assert id_claims["aud"] == oauth_pool.client_id
    assert id_claims["iss"] == issuer(live, oauth_pool)
    assert id_claims["auth_time"] == int(grant.auth_time)
    assert id_claims["token_use"] == "id" and access["token_use"] == "access"
    assert id_claims["sub"] == access["sub"] == attrs["sub"]
    assert id_claims["email"] == EMAIL and id_claims["email_verified"] is True
    assert access["client_id"] == oauth_pool.client_id
    assert access["scope"].split() == ["openid", "email", "profile"]
    assert "nonce" not in access
    assert id_claims["iat"] == int(live.clock()) and id_claims["exp"] == id_claims["iat"] + 3600


def test_auth_time_is_the_sign_in_time(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    signed_in = live.clock() - 1000
    grant = new_code(live, oauth_pool, auth_time=signed_in)
    live.clock.advance(30)
    body = exchange(live, oauth_pool, grant).json()
    id_claims = verify(live, oauth_pool, body["id_token"], audience=oauth_pool.client_id)
    assert id_claims["auth_time"] == int(signed_in)
    assert id_claims["iat"] == int(live.clock())


def test_confidential_client_secret_basic(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    assert grant.verifier is None
    response = exchange(live, secret_pool, grant, basic=True)
    assert_tokens(response, id_token=True, refresh_token=True)
    claims = verify(live, secret_pool, response.json()["id_token"], audience=secret_pool.client_id)
    assert claims["nonce"] == NONCE


def test_confidential_client_secret_post(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    add_user(cognito, secret_pool)
    response = exchange(live, secret_pool, new_code(live, secret_pool))
    assert_tokens(response, id_token=True, refresh_token=True)


def test_confidential_client_may_use_pkce(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool, pkce=True)
    assert grant.verifier is not None
    assert_error(exchange(live, secret_pool, grant, code_verifier=None), 400, "invalid_grant")
    grant = new_code(live, secret_pool, pkce=True)
    assert_tokens(exchange(live, secret_pool, grant), id_token=True, refresh_token=True)


def test_basic_credentials_are_form_decoded(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    """RFC 6749 §2.3.1: id and secret are form-urlencoded before base64; every character
    percent-encoded must still authenticate (the server decodes them)."""
    assert secret_pool.secret is not None
    add_user(cognito, secret_pool)
    encoded_id = "".join(f"%{b:02X}" for b in secret_pool.client_id.encode())
    encoded_secret = "".join(f"%{b:02X}" for b in secret_pool.secret.encode())
    grant = new_code(live, secret_pool)
    data = {"grant_type": "authorization_code", "code": grant.code, "redirect_uri": CALLBACK}
    response = post(live, TOKEN, data, auth=(encoded_id, encoded_secret))
    assert_tokens(response, id_token=True, refresh_token=True)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:10] + "+" + s[10:],
        lambda s: s[:10] + "%2B" + s[10:],
        lambda s: s + "%",
        lambda s: s + "%zz",
        lambda s: s + "%ff%fe",
        lambda s: s.replace(s[5], " ", 1),
        lambda s: "%00" + s,
    ],
    ids=["plus", "escaped-plus", "lone-percent", "bad-escape", "not-utf8", "space", "nul"],
)
def test_basic_with_odd_escapes_is_invalid_client_not_500(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool, mangle: Any
) -> None:
    assert secret_pool.secret is not None
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    data = {"grant_type": "authorization_code", "code": grant.code, "redirect_uri": CALLBACK}
    response = post(live, TOKEN, data, auth=(secret_pool.client_id, mangle(secret_pool.secret)))
    assert_error(response, 401, "invalid_client")
    response = post(live, TOKEN, data, auth=(mangle(secret_pool.client_id), secret_pool.secret))
    assert_error(response, 401, "invalid_client")
    # the refused attempts did not use the code up
    assert_tokens(exchange(live, secret_pool, grant, basic=True), id_token=True, refresh_token=True)


def test_authlib_client_public_with_pkce(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    with OAuth2Client(
        client_id=oauth_pool.client_id,
        token_endpoint_auth_method="none",
        redirect_uri=CALLBACK,
    ) as client:
        token = client.fetch_token(
            f"{live.url}{TOKEN}",
            grant_type="authorization_code",
            code=grant.code,
            code_verifier=grant.verifier,
        )
        assert token["token_type"] == "Bearer" and "id_token" in token
        info = client.get(f"{live.url}{USERINFO}")
        assert info.status_code == 200 and info.json()["email"] == EMAIL
        refreshed = client.refresh_token(f"{live.url}{TOKEN}")
        assert refreshed["access_token"] != token["access_token"]


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_confidential(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool, method: str
) -> None:
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    with OAuth2Client(
        client_id=secret_pool.client_id,
        client_secret=secret_pool.secret,
        token_endpoint_auth_method=method,
        redirect_uri=CALLBACK,
    ) as client:
        token = client.fetch_token(
            f"{live.url}{TOKEN}", grant_type="authorization_code", code=grant.code
        )
        claims = verify(live, secret_pool, token["id_token"], audience=secret_pool.client_id)
        assert claims["nonce"] == NONCE
        refreshed = client.refresh_token(f"{live.url}{TOKEN}")
        assert "id_token" in refreshed


def test_without_openid_there_is_no_id_token(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(cognito, scopes=ALL_SCOPES)
    add_user(cognito, pool)
    for scope in (ADMIN, "email", "phone profile"):
        response = exchange(live, pool, new_code(live, pool, scope=scope))
        assert_tokens(response, id_token=False, refresh_token=True)
        access = verify(live, pool, response.json()["access_token"])
        assert access["scope"].split() == scope.split()
        # and none on refresh either
        again = refresh(live, pool, response.json()["refresh_token"])
        assert_tokens(again, id_token=False, refresh_token=False)


def test_access_token_scope_is_what_was_granted(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(cognito, scopes=ALL_SCOPES)
    add_user(cognito, pool)
    body = tokens_for(live, pool, scope="openid phone")
    assert verify(live, pool, body["access_token"])["scope"].split() == ["openid", "phone"]


def test_omitted_scope_is_returned_in_the_response(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 6749 §3.3: a scope the client did not ask for (the default, all its scopes) is
    different from the requested one, so the token response MUST include ``scope``."""
    add_user(cognito, oauth_pool)
    body = tokens_for(live, oauth_pool, scope=None)
    granted = set(verify(live, oauth_pool, body["access_token"])["scope"].split())
    assert granted == {"openid", "email", "profile"}
    assert set(body.get("scope", "").split()) == granted, body


# Client authentication -----------------------------------------------------------------------


def b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


BAD_CLIENTS: list[tuple[str, Any]] = [
    ("unknown-id-post", lambda p: ({"client_id": "x" * 26, "client_secret": "s"}, {})),
    ("unknown-id-basic", lambda p: ({}, {"Authorization": "Basic " + b64(b"nobody:s")})),
    ("no-client", lambda p: ({}, {})),
    ("empty-client-id", lambda p: ({"client_id": ""}, {})),
    ("wrong-secret-post", lambda p: ({"client_id": p.client_id, "client_secret": "nope"}, {})),
    (
        "wrong-secret-basic",
        lambda p: ({}, {"Authorization": "Basic " + b64(f"{p.client_id}:nope".encode())}),
    ),
    ("missing-secret", lambda p: ({"client_id": p.client_id}, {})),
    (
        "empty-secret-basic",
        lambda p: ({}, {"Authorization": "Basic " + b64(f"{p.client_id}:".encode())}),
    ),
    (
        "secret-case",
        lambda p: ({"client_id": p.client_id, "client_secret": p.secret.upper()}, {}),
    ),
    ("basic-not-base64", lambda p: ({}, {"Authorization": "Basic !!!not base64!!!"})),
    ("basic-no-colon", lambda p: ({}, {"Authorization": "Basic " + b64(p.client_id.encode())})),
    ("basic-empty", lambda p: ({}, {"Authorization": "Basic"})),
    ("basic-not-utf8", lambda p: ({}, {"Authorization": "Basic " + b64(b"\xff\xfe:\xff")})),
    ("bearer-scheme", lambda p: ({}, {"Authorization": f"Bearer {p.secret}"})),
    (
        "basic-id-differs-from-body",
        lambda p: (
            {"client_id": "y" * 26},
            {"Authorization": "Basic " + b64(f"{p.client_id}:{p.secret}".encode())},
        ),
    ),
    ("nul-in-client-id", lambda p: ({"client_id": p.client_id + "\x00"}, {})),
    ("long-client-id", lambda p: ({"client_id": "a" * 4000, "client_secret": "s"}, {})),
    ("unicode-client-id", lambda p: ({"client_id": "é" * 26, "client_secret": "s"}, {})),
]


@pytest.mark.parametrize("make", [m for _, m in BAD_CLIENTS], ids=[n for n, _ in BAD_CLIENTS])
def test_bad_client_is_invalid_client(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool, make: Any
) -> None:
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    body, headers = make(secret_pool)
    data = {"grant_type": "authorization_code", "code": grant.code, "redirect_uri": CALLBACK}
    response = post(live, TOKEN, data | body, headers=headers)
    assert_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")
    # a refused request changes nothing: the code still works
    assert_tokens(exchange(live, secret_pool, grant), id_token=True, refresh_token=True)


def test_public_client_sending_a_secret_is_invalid_client(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    response = exchange(live, oauth_pool, grant, client_secret="made-up")
    assert_error(response, 401, "invalid_client")
    basic = {"Authorization": "Basic " + b64(f"{oauth_pool.client_id}:made-up".encode())}
    data = {
        "grant_type": "authorization_code",
        "code": grant.code,
        "redirect_uri": CALLBACK,
        "code_verifier": grant.verifier or "",
    }
    assert_error(post(live, TOKEN, data, headers=basic), 401, "invalid_client")
    assert_tokens(exchange(live, oauth_pool, grant), id_token=True, refresh_token=True)


def test_two_authentication_methods_is_invalid_request(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request."""
    assert secret_pool.secret is not None
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    response = exchange(live, secret_pool, grant, basic=True, client_secret=secret_pool.secret)
    assert_error(response, 400, "invalid_request")
    assert_tokens(exchange(live, secret_pool, grant, basic=True), id_token=True, refresh_token=True)


def test_client_not_allowed_oauth_is_unauthorized_client(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    """A client with AllowedOAuthFlowsUserPoolClient false authenticates but may not use
    these endpoints (RFC 6749 §5.2 unauthorized_client)."""
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    cognito.update_user_pool_client(
        UserPoolId=secret_pool.id,
        ClientId=secret_pool.client_id,
        CallbackURLs=[CALLBACK],
        AllowedOAuthFlowsUserPoolClient=False,
    )
    assert_error(exchange(live, secret_pool, grant), 400, "unauthorized_client")
    assert_error(exchange(live, secret_pool, grant, basic=True), 400, "unauthorized_client")


# The code grant's errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"redirect_uri": CALLBACK + "/"}, "invalid_grant"),
        ({"redirect_uri": CALLBACK.upper()}, "invalid_grant"),
        ({"redirect_uri": CALLBACK + "?x=1"}, "invalid_grant"),
        ({"redirect_uri": "http://localhost:8701/callback"}, "invalid_grant"),
        ({"redirect_uri": None}, "invalid_request"),
        ({"redirect_uri": ""}, "invalid_request"),
        ({"code": None}, "invalid_request"),
        ({"code": ""}, "invalid_request"),
        ({"code_verifier": None}, "invalid_grant"),
        ({"code_verifier": new_verifier()}, "invalid_grant"),
        ({"code_verifier": "a" * 42}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": "a" * 129}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": "a" * 42 + "+"}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": "a" * 42 + "/"}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": "a" * 42 + "="}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": "a" * 42 + " "}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": "é" * 43}, {"invalid_request", "invalid_grant"}),
        ({"code_verifier": ""}, {"invalid_request", "invalid_grant"}),
    ],
    ids=[
        "redirect-trailing-slash",
        "redirect-case",
        "redirect-extra-query",
        "redirect-other-port",
        "redirect-missing",
        "redirect-empty",
        "code-missing",
        "code-empty",
        "verifier-missing",
        "verifier-incorrect",
        "verifier-42",
        "verifier-129",
        "verifier-plus",
        "verifier-slash",
        "verifier-equals",
        "verifier-space",
        "verifier-non-ascii",
        "verifier-empty",
    ],
)
def test_code_exchange_errors(
    live: LiveServer,
    cognito: Any,
    oauth_pool: OAuthPool,
    changes: dict[str, str | None],
    error: str | set[str],
) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    assert_error(exchange(live, oauth_pool, grant, changes), 400, error)


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": None},
        {"code": None},
        {"code_verifier": "a" * 42},
        {"code_verifier": "a" * 42 + "+"},
        {"grant_type": "password"},
        {"grant_type": None},
        {"client_id": "x" * 26},
    ],
    ids=["no-redirect", "no-code", "short-verifier", "bad-verifier", "grant", "no-grant", "client"],
)
def test_malformed_exchange_does_not_use_the_code(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, changes: dict[str, str | None]
) -> None:
    """A refused request changes nothing: the code still works afterwards."""
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    assert exchange(live, oauth_pool, grant, changes).status_code in (400, 401)
    assert_tokens(exchange(live, oauth_pool, grant), id_token=True, refresh_token=True)


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": CALLBACK + "/"},
        {"code_verifier": None},
        {"code_verifier": new_verifier()},
    ],
    ids=["wrong-redirect", "no-verifier", "wrong-verifier"],
)
def test_refused_exchange_does_not_burn_the_code(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, changes: dict[str, str | None]
) -> None:
    """'A refused request changes nothing' (the brief; RFC 6749 §4.1.3 and RFC 7636 §4.6 only
    ask for invalid_grant): after an exchange refused for a wrong redirect_uri or verifier, the
    legitimate exchange still works."""
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    assert_error(exchange(live, oauth_pool, grant, changes), 400, "invalid_grant")
    assert_tokens(exchange(live, oauth_pool, grant), id_token=True, refresh_token=True)


@pytest.mark.parametrize("length", [43, 128])
def test_verifier_length_bounds_are_accepted(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, length: int
) -> None:
    """RFC 7636 §4.1: 43 to 128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~"."""
    add_user(cognito, oauth_pool)
    alphabet = string.ascii_letters + string.digits + "-._~"
    verifier = (alphabet * 3)[:length]
    grant = new_code(live, oauth_pool, verifier=verifier)
    assert_tokens(exchange(live, oauth_pool, grant), id_token=True, refresh_token=True)


def test_verifier_without_a_challenge_is_refused(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    """RFC 9700 §2.1.1: a code_verifier for a code issued without a code_challenge is refused
    (PKCE downgrade)."""
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool, pkce=False)
    response = exchange(live, secret_pool, grant, code_verifier=new_verifier())
    assert_error(response, 400, "invalid_grant")


def test_code_of_another_client(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    other = cognito.create_user_pool_client(
        UserPoolId=oauth_pool.id,
        ClientName="other-app",
        CallbackURLs=[CALLBACK],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    other_pool = OAuthPool(oauth_pool.id, other["ClientId"], None)
    grant = new_code(live, oauth_pool)
    response = exchange(live, other_pool, grant)
    assert_error(response, 400, "invalid_grant")
    # another pool's client, too
    elsewhere = make_oauth_pool(cognito)
    assert_error(exchange(live, elsewhere, new_code(live, oauth_pool)), 400, "invalid_grant")


def test_another_clients_attempt_leaves_the_code_usable(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """A refused request changes nothing: a client presenting a code issued to another client
    must not consume it (else any client holding a leaked code can void the real one's
    exchange; RFC 6749 §4.1.3 only asks to refuse it)."""
    add_user(cognito, oauth_pool)
    other = make_oauth_pool(cognito)
    grant = new_code(live, oauth_pool)
    assert_error(exchange(live, other, grant), 400, "invalid_grant")
    assert_tokens(exchange(live, oauth_pool, grant), id_token=True, refresh_token=True)


def test_code_reuse_revokes_what_it_issued(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """RFC 6749 §4.1.2 / §10.5: a code used twice is refused and what its first exchange
    issued is revoked (refresh token, access tokens, refreshed tokens)."""
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    first = exchange(live, oauth_pool, grant)
    assert_tokens(first, id_token=True, refresh_token=True)
    tokens = first.json()
    refreshed = refresh(live, oauth_pool, tokens["refresh_token"])
    assert_tokens(refreshed, id_token=True, refresh_token=False)
    assert user_info(live, tokens["access_token"]).status_code == 200

    assert_error(exchange(live, oauth_pool, grant), 400, "invalid_grant")

    assert_error(refresh(live, oauth_pool, tokens["refresh_token"]), 400, "invalid_grant")
    for access_token in (tokens["access_token"], refreshed.json()["access_token"]):
        response = user_info(live, access_token)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
    # and a third try is refused just the same
    assert_error(exchange(live, oauth_pool, grant), 400, "invalid_grant")


def test_concurrent_exchanges_of_one_code(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """Racing exchanges of one code: at most one gets tokens (none, if the replay is seen
    while the first is being issued), and since the code was used more than once, whatever
    was issued ends (RFC 6749 §4.1.2, §10.5)."""
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: exchange(live, oauth_pool, grant), range(6)))
    won = [r for r in responses if r.status_code == 200]
    assert len(won) <= 1, [r.text for r in responses]
    for response in responses:
        if response.status_code != 200:
            assert_error(response, 400, "invalid_grant")
    for tokens in (r.json() for r in won):
        assert_error(refresh(live, oauth_pool, tokens["refresh_token"]), 400, "invalid_grant")
        assert user_info(live, tokens["access_token"]).status_code == 401
    assert_error(exchange(live, oauth_pool, grant), 400, "invalid_grant")


def test_code_reuse_by_a_confidential_client(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool
) -> None:
    add_user(cognito, secret_pool)
    grant = new_code(live, secret_pool)
    tokens = exchange(live, secret_pool, grant, basic=True).json()
    assert_error(exchange(live, secret_pool, grant, basic=True), 400, "invalid_grant")
    assert_error(refresh(live, secret_pool, tokens["refresh_token"]), 400, "invalid_grant")
    assert user_info(live, tokens["access_token"]).status_code == 401


def test_code_expires_after_five_minutes(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    late = new_code(live, oauth_pool)
    in_time = new_code(live, oauth_pool)
    live.clock.advance(299)
    assert_tokens(exchange(live, oauth_pool, in_time), id_token=True, refresh_token=True)
    live.clock.advance(2)
    assert_error(exchange(live, oauth_pool, late), 400, "invalid_grant")


@pytest.mark.parametrize(
    "code",
    ["unknown", secrets.token_urlsafe(32), "\x00", "é" * 40, "a" * 4000],
    ids=["word", "random", "nul", "unicode", "long"],
)
def test_unknown_code(live: LiveServer, cognito: Any, oauth_pool: OAuthPool, code: str) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    grant.code = code
    assert_error(exchange(live, oauth_pool, grant), 400, "invalid_grant")


def test_disabled_user(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    cognito.admin_disable_user(UserPoolId=oauth_pool.id, Username=EMAIL)
    assert_error(exchange(live, oauth_pool, grant), 400, "invalid_grant")


def test_code_grant_not_enabled_for_the_client(live: LiveServer, cognito: Any) -> None:
    """A client allowed only client_credentials may not exchange codes (unauthorized_client)."""
    service = confidential(
        cognito,
        scopes=(ADMIN,),
        client_args={"AllowedOAuthFlows": ["client_credentials"]},
    )
    data = {"grant_type": "authorization_code", "code": "x" * 43, "redirect_uri": CALLBACK}
    assert_error(
        post(live, TOKEN, data | client_post(service)),
        400,
        "unauthorized_client",
    )


# refresh_token --------------------------------------------------------------------------------


def test_refresh_keeps_the_scope_and_the_sign_in(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(cognito, scopes=ALL_SCOPES)
    attrs = add_user(cognito, pool)
    first = tokens_for(live, pool, scope="openid email")
    live.clock.advance(600)
    response = refresh(live, pool, first["refresh_token"])
    assert_tokens(response, id_token=True, refresh_token=False)
    again = response.json()
    before = verify(live, pool, first["access_token"])
    after = verify(live, pool, again["access_token"])
    assert after["scope"].split() == ["openid", "email"]
    assert after["sub"] == attrs["sub"] and after["origin_jti"] == before["origin_jti"]
    assert after["iat"] == before["iat"] + 600
    # OIDC Core §12.2: same iss, sub, aud and auth_time as the original ID token; new iat
    original = verify(live, pool, first["id_token"], audience=pool.client_id)
    id_claims = verify(live, pool, again["id_token"], audience=pool.client_id)
    for claim in ("iss", "sub", "aud", "auth_time"):
        assert id_claims[claim] == original[claim], claim
    assert id_claims["iat"] == original["iat"] + 600
    assert id_claims.get("nonce", original["nonce"]) == original["nonce"]
    # the scope does not grow into the Cognito API's
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=again["access_token"])
    assert exc.value.response["Error"]["Code"] == "NotAuthorizedException"
    info = user_info(live, again["access_token"]).json()
    assert info["email"] == EMAIL and "name" not in info


def test_refresh_with_basic_auth(live: LiveServer, cognito: Any, secret_pool: OAuthPool) -> None:
    assert secret_pool.secret is not None
    add_user(cognito, secret_pool)
    first = tokens_for(live, secret_pool)
    data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    response = post(live, TOKEN, data, auth=(secret_pool.client_id, secret_pool.secret))
    assert_tokens(response, id_token=True, refresh_token=False)
    wrong = post(live, TOKEN, data, auth=(secret_pool.client_id, "nope"))
    assert_error(wrong, 401, "invalid_client")


def test_refresh_token_revoked(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    first = tokens_for(live, oauth_pool)
    revoked = post(live, REVOKE, {"token": first["refresh_token"]} | client_post(oauth_pool))
    assert revoked.status_code == 200
    assert_error(refresh(live, oauth_pool, first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_signed_out(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    first = tokens_for(live, oauth_pool)
    cognito.admin_user_global_sign_out(UserPoolId=oauth_pool.id, Username=EMAIL)
    assert_error(refresh(live, oauth_pool, first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_expired(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(
        cognito,
        client_args={"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    )
    add_user(cognito, pool)
    first = tokens_for(live, pool)
    live.clock.advance(59 * 60)
    assert_tokens(refresh(live, pool, first["refresh_token"]), id_token=True, refresh_token=False)
    live.clock.advance(61)
    assert_error(refresh(live, pool, first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_of_another_client(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    first = tokens_for(live, oauth_pool)
    other = make_oauth_pool(cognito)
    assert_error(refresh(live, other, first["refresh_token"]), 400, "invalid_grant")
    # refused: nothing changed for the owner
    assert_tokens(
        refresh(live, oauth_pool, first["refresh_token"]), id_token=True, refresh_token=False
    )


@pytest.mark.parametrize(
    ("token", "error"),
    [
        (None, "invalid_request"),
        ("", "invalid_request"),
        ("garbage", "invalid_grant"),
        ("\x00", "invalid_grant"),
        ("a.b.c", "invalid_grant"),
    ],
    ids=["missing", "empty", "garbage", "nul", "jwt-shaped"],
)
def test_refresh_token_malformed(
    live: LiveServer, oauth_pool: OAuthPool, token: str | None, error: str
) -> None:
    data = {"grant_type": "refresh_token"} | client_post(oauth_pool)
    if token is not None:
        data["refresh_token"] = token
    assert_error(post(live, TOKEN, data), 400, error)


def test_refresh_disabled_user(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    add_user(cognito, oauth_pool)
    first = tokens_for(live, oauth_pool)
    cognito.admin_disable_user(UserPoolId=oauth_pool.id, Username=EMAIL)
    assert_error(refresh(live, oauth_pool, first["refresh_token"]), 400, "invalid_grant")


# client_credentials --------------------------------------------------------------------------


def service_client(cognito: Any, scopes: tuple[str, ...] = ("openid", ADMIN)) -> OAuthPool:
    """A confidential client allowed only client_credentials (Cognito refuses it with code or
    implicit, and without a secret: ``idmint.core.client_oauth``). Custom resource-server
    scopes do not exist here, so the only scopes such a client can have are the user ones."""
    return confidential(
        cognito,
        scopes=scopes,
        client_args={"AllowedOAuthFlows": ["client_credentials"]},
    )


def test_client_credentials(live: LiveServer, cognito: Any) -> None:
    pool = service_client(cognito)
    assert pool.secret is not None
    data = {"grant_type": "client_credentials", "scope": ADMIN}
    response = post(live, TOKEN, data, auth=(pool.client_id, pool.secret))
    assert_tokens(response, id_token=False, refresh_token=False)
    claims = verify(live, pool, response.json()["access_token"])
    assert claims["sub"] == claims["client_id"] == pool.client_id
    assert claims["token_use"] == "access" and claims["scope"] == ADMIN
    assert claims["exp"] == claims["iat"] + 3600 and claims["iat"] == int(live.clock())
    assert "username" not in claims and "origin_jti" not in claims
    # client_secret_post works too
    response = post(live, TOKEN, data | client_post(pool))
    assert_tokens(response, id_token=False, refresh_token=False)


def test_client_credentials_token_is_not_a_user_token(live: LiveServer, cognito: Any) -> None:
    """A machine token, even one carrying the user scopes its client was allowed, is refused
    by userInfo and by the Cognito user API: it names no user."""
    pool = service_client(cognito)
    data = {"grant_type": "client_credentials"} | client_post(pool)
    token = post(live, TOKEN, data).json()["access_token"]
    assert set(verify(live, pool, token)["scope"].split()) == {"openid", ADMIN}
    response = user_info(live, token)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=token)
    assert exc.value.response["Error"]["Code"] == "NotAuthorizedException"
    # and it cannot be revoked as a refresh token
    assert_error(
        post(live, REVOKE, {"token": token} | client_post(pool)), 400, {"unsupported_token_type"}
    )


def test_client_credentials_omitted_scope_is_returned(live: LiveServer, cognito: Any) -> None:
    """RFC 6749 §3.3: the default scope differs from the (empty) request: say what it is."""
    pool = service_client(cognito)
    response = post(live, TOKEN, {"grant_type": "client_credentials"} | client_post(pool))
    assert_tokens(response, id_token=False, refresh_token=False)
    granted = set(verify(live, pool, response.json()["access_token"])["scope"].split())
    assert set(response.json().get("scope", "").split()) == granted, response.json()


@pytest.mark.parametrize(
    "scope",
    ["email", "openid email", "phone", "custom/read", "a\x00b", 'quote"s'],
)
def test_client_credentials_scope_not_allowed(live: LiveServer, cognito: Any, scope: str) -> None:
    pool = service_client(cognito)
    data = {"grant_type": "client_credentials", "scope": scope} | client_post(pool)
    assert_error(post(live, TOKEN, data), 400, "invalid_scope")


def test_client_credentials_needs_the_flow(
    live: LiveServer, cognito: Any, secret_pool: OAuthPool, oauth_pool: OAuthPool
) -> None:
    """A code-grant client, with or without a secret, is unauthorized_client."""
    for pool in (secret_pool, oauth_pool):
        data = {"grant_type": "client_credentials"} | client_post(pool)
        assert_error(post(live, TOKEN, data), 400, "unauthorized_client")


def test_client_credentials_bad_secret(live: LiveServer, cognito: Any) -> None:
    pool = service_client(cognito)
    data = {"grant_type": "client_credentials", "client_id": pool.client_id}
    assert_error(post(live, TOKEN, data), 401, "invalid_client")
    assert_error(post(live, TOKEN, data | {"client_secret": "x"}), 401, "invalid_client")


# The wire ------------------------------------------------------------------------------------


def test_unsupported_grant_type(live: LiveServer, oauth_pool: OAuthPool) -> None:
    for grant_type in ("password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"):
        data = {"grant_type": grant_type, "username": "a", "password": "b"}
        response = post(live, TOKEN, data | client_post(oauth_pool))
        assert_error(response, 400, "unsupported_grant_type")
    # an unknown client is still an unknown client
    data = {"grant_type": "password", "client_id": "nobody"}
    assert_error(post(live, TOKEN, data), 401, "invalid_client")


def test_missing_grant_type(live: LiveServer, oauth_pool: OAuthPool) -> None:
    assert_error(post(live, TOKEN, client_post(oauth_pool)), 400, "invalid_request")
    data = {"grant_type": ""} | client_post(oauth_pool)
    assert_error(post(live, TOKEN, data), 400, "invalid_request")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json"),
        (b"grant_type=client_credentials", "text/plain"),
        (b"grant_type=client_credentials", None),
        (
            b"--b\r\nContent-Disposition: form-data; name=grant_type\r\n\r\nx\r\n--b--",
            "multipart/form-data; boundary=b",
        ),
    ],
    ids=["json", "text", "none", "multipart"],
)
def test_wrong_content_type(
    live: LiveServer, oauth_pool: OAuthPool, content: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = post(live, TOKEN, content=content, headers=headers)
    assert_error(response, 400, "invalid_request")


def test_form_with_charset_is_accepted(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    body = (
        f"grant_type=authorization_code&code={grant.code}&redirect_uri={quote(CALLBACK, safe='')}"
        f"&code_verifier={grant.verifier}&client_id={oauth_pool.client_id}"
    ).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    assert_tokens(
        post(live, TOKEN, content=body, headers=headers), id_token=True, refresh_token=True
    )


@pytest.mark.parametrize(
    "content",
    [
        b"grant_type=refresh_token&grant_type=refresh_token&refresh_token=x",
        b"grant_type=refresh_token&refresh_token=x&refresh_token=y",
        b"grant_type=refresh_token&refresh_token",
        b"grant_type=refresh_token&refresh_token=%ff",
        b"grant_type=refresh_token&refresh_token=\xff",
    ],
    ids=["grant-twice", "token-twice", "no-equals", "bad-escape", "not-utf8"],
)
def test_malformed_form(live: LiveServer, oauth_pool: OAuthPool, content: bytes) -> None:
    """RFC 6749 §3.1-3.2: parameters MUST NOT be repeated; the body is UTF-8 form data."""
    body = content + f"&client_id={oauth_pool.client_id}".encode()
    response = post(live, TOKEN, content=body, headers=FORM)
    assert_error(response, 400, "invalid_request")


def test_body_too_large(live: LiveServer, oauth_pool: OAuthPool) -> None:
    big = b"grant_type=refresh_token&refresh_token=" + b"a" * (live.settings.max_body_bytes + 1)
    response = post(live, TOKEN, content=big, headers=FORM)
    assert_error(response, 413, "invalid_request")


def test_parameter_too_long(live: LiveServer, oauth_pool: OAuthPool) -> None:
    data = {"grant_type": "refresh_token", "refresh_token": "a" * 5000} | client_post(oauth_pool)
    assert_error(post(live, TOKEN, data), 400, "invalid_request")


def test_cors_preflight(live: LiveServer) -> None:
    for path in (TOKEN, USERINFO, REVOKE):
        response = httpx.options(
            f"{live.url}{path}",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert response.status_code == 204, (path, response.text)
        assert response.headers["access-control-allow-origin"] == "*"
        assert "POST" in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed and "content-type" in allowed


def test_cors_on_answers_and_errors(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    headers = {"Origin": "https://app.example.com"}
    add_user(cognito, oauth_pool)
    grant = new_code(live, oauth_pool)
    data = {
        "grant_type": "authorization_code",
        "code": grant.code,
        "redirect_uri": CALLBACK,
        "code_verifier": grant.verifier or "",
        "client_id": oauth_pool.client_id,
    }
    ok = post(live, TOKEN, data, headers=headers)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "*"
    refused = post(live, TOKEN, data, headers=headers)
    assert refused.status_code == 400 and refused.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", TOKEN, 405),
        ("PUT", TOKEN, 405),
        ("DELETE", REVOKE, 405),
        ("GET", REVOKE, 405),
        ("PUT", USERINFO, 405),
        ("GET", "/oauth2/nothing-here", 404),
        ("POST", "/oauth2/introspect", 404),
        ("GET", "/oauth2/token/extra", 404),
    ],
)
def test_routing_errors_are_oauth_json(
    live: LiveServer, method: str, path: str, status: int
) -> None:
    response = httpx.request(method, f"{live.url}{path}")
    assert_error(response, status, "invalid_request")
    if status == 405:
        assert "POST" in response.headers["allow"]


def test_every_error_is_rfc_shaped(live: LiveServer, cognito: Any, oauth_pool: OAuthPool) -> None:
    """A sweep of odd requests: each a 4xx RFC 6749 §5.2 body, never a 500."""
    odd: list[dict[str, str]] = [
        {"grant_type": "authorization_code"},
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "\x00"},
        {"grant_type": "refresh_token", "refresh_token": "x" * 4096},
        {"grant_type": "client_credentials", "scope": " "},
        {"grant_type": "client_credentials", "scope": "openid  openid"},
        {"grant_type": "\x00"},
        {"grant_type": "a" * 4096},
        {"grant_type": "authorization_code", "code_verifier": "\u2028" * 50, "code": "c"},
        {"grant_type": "password\u2028é"},
        {"grant_type": 'pass"word\\'},
        {"grant_type": "refresh_token", "é\u2028\x01": "x" * 5000},
        {"grant_type": "refresh_token", '"\\': "x" * 5000},
    ]
    for data in odd:
        for creds in (client_post(oauth_pool), {"client_id": "\x00"}, {}):
            response = post(live, TOKEN, data | creds)
            assert 400 <= response.status_code < 500, (data, creds, response.text)
            assert_error(response, response.status_code, OAUTH_ERRORS)


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "pass\x00word"},
        {"grant_type": "passwörd"},
        {"grant_type": 'pass"word'},
        {"grant_type": "pass\\word"},
        {"grant_type": "refresh_token", "rëfresh": "x" * 5000},
    ],
    ids=["nul", "non-ascii", "quote", "backslash", "long-param-name"],
)
def test_error_description_never_echoes_unsafe_characters(
    live: LiveServer, oauth_pool: OAuthPool, data: dict[str, str]
) -> None:
    """RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E, so text
    taken from the request cannot be copied into it as is."""
    response = post(live, TOKEN, data | client_post(oauth_pool))
    assert_error(response, 400, {"unsupported_grant_type", "invalid_request"})
