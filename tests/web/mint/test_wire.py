"""The mint API (seed 002) on the wire, driven by httpx against a live server: the seed's own
curl requests replayed byte for byte, every row of its error tables, every way a request can be
malformed (each a 400 in the seed's ``{"response", "error"}`` shape that changes nothing), form
bodies, every kind of application credentials, revocation (RFC 7009), routing errors under
``/mint/``, the error table and the OpenAPI document.

Time moves only on the frozen clock; admin Cognito calls (SigV4 signed with the real time) are
made before it moves."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema_rs
import orjson
import pytest
from botocore.exceptions import ClientError
from starlette.routing import Route

from idmint.core.errors import ALL_ERRORS, InvalidCredentials, UsernameExists, UserNotFound
from idmint.web.mint import ERRORS, MintApi
from idmint.web.openapi import OPENAPI
from tests.conftest import error
from tests.web.mint.conftest import MINT_PASSWORD, PREFIX, Mint

AUTHORIZE = f"{PREFIX}/authorize"
REGISTER = f"{PREFIX}/register"
TOKEN_INFO = f"{PREFIX}/token_info"
REVOKE = f"{PREFIX}/revoke"
EMAIL = "kc@goact.com.au"
HOUR = 3600

# Seed 002's messages.
NOT_FOUND = "The requested resource was not found on server"
WRONG_PASSWORD = "The password does not match, suggest reset?"
TAKEN = "The username has already existed"

# Seed 002's curl requests, byte for byte.
SEED_HEADERS = {"Content-Type": "application/json", "User-Agent": "curl/8.5.0", "Accept": "*/*"}
SEED_SIGN_IN = b'{"grant_type" : "password", "username":"kc@goact.com.au","password":"xyz"}'
SEED_SIGN_UP = (
    b'{"grant_type" : "signup", "firstname":"Kate", "lastname":"Smith", '
    b'"username":"kc@goact.com.au","password":"xyz"}'
)
SEED_TOKEN = "2YotnFZFEjr1zCsicMWpAA"

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
OAUTH_CODES = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_token",
    "unsupported_token_type",
    "access_denied",
    "server_error",
    "temporarily_unavailable",
    "slow_down",
    "not_found",
}
TOKEN_KEYS = {"user", "access_token", "token_type", "expires_in"}
LEAKS = ("Traceback", 'File "', ".py", "sqlalchemy", "asyncpg", "sqlite3", "Exception")


# Helpers ---------------------------------------------------------------------------------------


def no_traceback(response: httpx.Response) -> None:
    for leak in LEAKS:
        assert leak not in response.text, response.text


def expect_error(
    response: httpx.Response, status: int, code: str | None = None, message: str | None = None
) -> dict[str, str]:
    """The seed's error shape, ``{"response": message}``, with RFC 6749's ``error`` and
    ``error_description``, uncached."""
    no_traceback(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"response", "error", "error_description"}, body
    assert isinstance(body["response"], str) and body["response"]
    assert body["error_description"] == body["response"]
    assert body["error"] in OAUTH_CODES
    if code is not None:
        assert body["error"] == code, body
    if message is not None:
        assert body["response"] == message, body
    if status == 401:
        assert response.headers["www-authenticate"], "a 401 names a scheme (RFC 7235)"
    return dict(body)


def expect_token(response: httpx.Response) -> dict[str, Any]:
    """Seed 002's token response, with RFC 6749 §5.1's cache headers."""
    no_traceback(response)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body: dict[str, Any] = response.json()
    assert {"user", "access_token", "token_type"} <= set(body) <= TOKEN_KEYS, body
    assert isinstance(body["user"], int) and not isinstance(body["user"], bool)
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert body["token_type"] == "user"
    if "expires_in" in body:
        assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    return body


def challenge(response: httpx.Response) -> str:
    """The scheme a 401's WWW-Authenticate names."""
    return response.headers["www-authenticate"].split(" ", 1)[0]


def basic(app_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{app_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def raw_basic(value: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(value).decode()}


def users(mint: Mint) -> list[dict[str, Any]]:
    """The pool's users, through the Cognito admin API."""
    listed: list[dict[str, Any]] = mint.live.client().list_users(UserPoolId=mint.pool.id)["Users"]
    return listed


def token_of(mint: Mint, **kwargs: Any) -> str:
    return str(expect_token(mint.sign_in(EMAIL, MINT_PASSWORD, **kwargs))["access_token"])


def alive(mint: Mint, token: str) -> bool:
    response = mint.token_info(token)
    if response.status_code == 200:
        return True
    expect_error(response, 403, "invalid_token")
    return False


def sign_up(**extra: Any) -> dict[str, Any]:
    return {
        "grant_type": "signup",
        "firstname": "Kate",
        "lastname": "Smith",
        "username": EMAIL,
        "password": MINT_PASSWORD,
    } | extra


def password_grant(**extra: Any) -> dict[str, Any]:
    return {"grant_type": "password", "username": EMAIL, "password": MINT_PASSWORD} | extra


@pytest.fixture
def kate(mint: Mint) -> Iterator[dict[str, Any]]:
    """Seed 002's Kate Smith, registered through the mint API."""
    yield expect_token(mint.register(EMAIL, MINT_PASSWORD))


# 1. Seed 002's curl requests, byte for byte ----------------------------------------------------


def test_seed_sign_in_request(mint: Mint) -> None:
    """The seed's sign-in example: its password "xyz" is shorter than its own registration rule
    allows, so it is an unknown user (400), then a wrong password (404); with a real password the
    same bytes sign in, in the shape of the seed's example response."""
    send = mint.http.post
    expect_error(
        send(AUTHORIZE, content=SEED_SIGN_IN, headers=SEED_HEADERS), 400, message=NOT_FOUND
    )
    registered = expect_token(mint.register(EMAIL, MINT_PASSWORD))
    expect_error(
        send(AUTHORIZE, content=SEED_SIGN_IN, headers=SEED_HEADERS), 404, message=WRONG_PASSWORD
    )
    right = SEED_SIGN_IN.replace(b'"xyz"', b'"' + MINT_PASSWORD.encode() + b'"')
    body = expect_token(send(AUTHORIZE, content=right, headers=SEED_HEADERS))
    assert set(body) == TOKEN_KEYS
    assert body["user"] == registered["user"]
    assert body["expires_in"] == HOUR
    assert body["access_token"] != registered["access_token"]


def test_seed_token_info_request(mint: Mint, kate: dict[str, Any]) -> None:
    """The seed's token_info example: its made-up token was never issued (401, as built); a real
    one answers ``{user, token_type, expires_in}``."""
    seed = SEED_HEADERS | {"Authorization": f"UserToken {SEED_TOKEN}"}
    unknown = mint.http.get(TOKEN_INFO, headers=seed)
    expect_error(unknown, 401, "invalid_token")
    assert challenge(unknown) == "UserToken"
    real = SEED_HEADERS | {"Authorization": f"UserToken {kate['access_token']}"}
    info = mint.http.get(TOKEN_INFO, headers=real)
    assert info.status_code == 200, info.text
    assert info.json() == {"user": kate["user"], "token_type": "user", "expires_in": HOUR}
    assert info.headers["cache-control"] == "no-store"
    assert info.headers["pragma"] == "no-cache"


def test_seed_token_info_of_a_token_that_never_expires(mint: Mint, kate: dict[str, Any]) -> None:
    """The seed's example response exactly: no ``expires_in`` when the token does not expire."""
    forever, secret = mint.new_app(name="forever", token_seconds=None)
    auth = {"Authorization": f"Application {forever.id}:{secret}"}
    granted = expect_token(mint.sign_in(EMAIL, MINT_PASSWORD, headers=auth))
    assert "expires_in" not in granted
    mint.live.clock.advance(10 * 365 * 86400)
    info = mint.token_info(granted["access_token"])
    assert info.json() == {"user": kate["user"], "token_type": "user"}


def test_seed_sign_up_request(mint: Mint) -> None:
    """The seed's registration example, posted to /authorize as the seed shows it: without the
    Application header the seed says it needs (401), with it (400: "xyz" is not "more than 5
    characters"), with a real password (200), and again (403)."""
    send = mint.http.post
    no_credentials = send(AUTHORIZE, content=SEED_SIGN_UP, headers=SEED_HEADERS)
    expect_error(no_credentials, 401, "invalid_client")
    assert challenge(no_credentials) == "Application"
    with_app = SEED_HEADERS | mint.app_auth
    expect_error(send(AUTHORIZE, content=SEED_SIGN_UP, headers=with_app), 400, "invalid_request")
    assert users(mint) == []

    valid = SEED_SIGN_UP.replace(b'"xyz"', b'"' + MINT_PASSWORD.encode() + b'"')
    created = expect_token(send(AUTHORIZE, content=valid, headers=with_app))
    assert set(created) == TOKEN_KEYS
    assert created["expires_in"] == HOUR
    assert mint.token_info(created["access_token"]).json()["user"] == created["user"]
    signed_in = expect_token(mint.sign_in(EMAIL, MINT_PASSWORD))
    assert signed_in["user"] == created["user"]
    attributes = {a["Name"]: a["Value"] for a in users(mint)[0]["Attributes"]}
    assert attributes["given_name"] == "Kate"
    assert attributes["family_name"] == "Smith"
    assert attributes["email"] == EMAIL

    expect_error(send(AUTHORIZE, content=valid, headers=with_app), 403, message=TAKEN)
    expect_error(send(REGISTER, content=valid, headers=with_app), 403, message=TAKEN)
    assert len(users(mint)) == 1


def test_seed_register_endpoint(mint: Mint) -> None:
    """``/register`` takes the same body, and ``grant_type`` may be left out."""
    body = orjson.loads(SEED_SIGN_UP) | {"password": MINT_PASSWORD}
    del body["grant_type"]
    created = expect_token(mint.http.post(REGISTER, json=body, headers=mint.app_auth))
    assert expect_token(mint.sign_in(EMAIL, MINT_PASSWORD))["user"] == created["user"]


# 2. The seed's error tables --------------------------------------------------------------------


def test_unknown_user_is_400(mint: Mint) -> None:
    response = mint.sign_in("nobody@goact.com.au", MINT_PASSWORD)
    expect_error(response, 400)
    assert response.json() == {
        "response": NOT_FOUND,
        "error": "invalid_grant",
        "error_description": NOT_FOUND,
    }


def test_wrong_password_is_404(mint: Mint, kate: dict[str, Any]) -> None:
    response = mint.sign_in(EMAIL, MINT_PASSWORD + "x")
    expect_error(response, 404)
    assert response.json() == {
        "response": WRONG_PASSWORD,
        "error": "invalid_grant",
        "error_description": WRONG_PASSWORD,
    }
    assert "www-authenticate" not in response.headers


def test_taken_username_is_403(mint: Mint, kate: dict[str, Any]) -> None:
    for username in (EMAIL, EMAIL.upper(), "Kc@GoAct.com.au"):
        expect_error(mint.register(username, MINT_PASSWORD), 403, message=TAKEN)
        expect_error(
            mint.http.post(AUTHORIZE, json=sign_up(username=username), headers=mint.app_auth),
            403,
            message=TAKEN,
        )
    assert len(users(mint)) == 1
    # The first registration's password still signs in; the refused ones changed nothing.
    assert expect_token(mint.sign_in(EMAIL, MINT_PASSWORD))["user"] == kate["user"]


def test_token_info_counts_down_then_expires_with_403(mint: Mint, kate: dict[str, Any]) -> None:
    token = kate["access_token"]
    mint.live.clock.advance(600)
    assert mint.token_info(token).json()["expires_in"] == HOUR - 600
    mint.live.clock.advance(HOUR - 601)
    assert mint.token_info(token).json()["expires_in"] == 1
    mint.live.clock.advance(1)
    expect_error(mint.token_info(token), 403, "invalid_token")
    expect_error(mint.token_info(token, "Bearer"), 403, "invalid_token")
    # Signing in again is the answer the seed asks for.
    assert alive(mint, token_of(mint))


def test_token_info_of_cancelled_tokens_is_403(mint: Mint, kate: dict[str, Any]) -> None:
    admin = mint.live.client()
    revoked = token_of(mint)
    assert mint.http.post(REVOKE, headers={"Authorization": f"UserToken {revoked}"}).json() == {}
    assert not alive(mint, revoked)
    assert alive(mint, kate["access_token"])

    admin.admin_disable_user(UserPoolId=mint.pool.id, Username=EMAIL)
    assert not alive(mint, kate["access_token"])
    admin.admin_enable_user(UserPoolId=mint.pool.id, Username=EMAIL)
    assert not alive(mint, kate["access_token"]), "disabling ends the sign-ins for good"

    other, secret = mint.new_app(name="other")
    app_token = token_of(mint, headers={"Authorization": f"Application {other.id}:{secret}"})
    default_token = token_of(mint)
    mint.update_app(other.id, enabled=False)
    assert not alive(mint, app_token)
    assert alive(mint, default_token), "only the disabled application's tokens end"

    admin.admin_delete_user(UserPoolId=mint.pool.id, Username=EMAIL)
    assert not alive(mint, default_token)
    again = expect_token(mint.register(EMAIL, MINT_PASSWORD))
    assert again["user"] != kate["user"], "a new user is a new id"
    assert not alive(mint, default_token)


def test_token_info_without_a_usable_token_is_401(mint: Mint, kate: dict[str, Any]) -> None:
    get = mint.http.get
    cases: list[tuple[dict[str, str], str]] = [
        ({}, "UserToken"),
        ({"Authorization": "UserToken never-issued"}, "UserToken"),
        ({"Authorization": "Bearer never-issued"}, "Bearer"),
        ({"Authorization": "UserToken"}, "UserToken"),
        ({"Authorization": "Bearer"}, "Bearer"),
        ({"Authorization": f"Application {mint.app.id}:{mint.secret}"}, "UserToken"),
        (basic(mint.app.id, mint.secret), "UserToken"),
        ({"Authorization": kate["access_token"]}, "UserToken"),
        ({"Authorization": "UserToken " + "x" * 10_000}, "UserToken"),
    ]
    for headers, scheme in cases:
        response = get(TOKEN_INFO, headers=headers)
        expect_error(response, 401, "invalid_token")
        assert challenge(response) == scheme, headers
    ok = get(TOKEN_INFO, headers={"Authorization": f"usertoken {kate['access_token']}"})
    assert ok.status_code == 200, "the scheme is case-insensitive (RFC 9110 §11.1)"


def test_user_states_refuse_the_password_grant(mint: Mint) -> None:
    admin = mint.live.client()
    admin.sign_up(
        ClientId=mint.pool.client_id, Username="unconfirmed@x.com", Password=MINT_PASSWORD
    )
    admin.admin_create_user(
        UserPoolId=mint.pool.id,
        Username="invited@x.com",
        TemporaryPassword=MINT_PASSWORD,
        MessageAction="SUPPRESS",
    )
    expect_token(mint.register("disabled@x.com", MINT_PASSWORD))
    admin.admin_disable_user(UserPoolId=mint.pool.id, Username="disabled@x.com")
    for username in ("unconfirmed@x.com", "invited@x.com", "disabled@x.com"):
        expect_error(mint.sign_in(username, MINT_PASSWORD), 403, "invalid_grant")
    # The password is checked first: a wrong one is the seed's 404, whatever the state.
    expect_error(mint.sign_in("disabled@x.com", "Wr0ng-horse!"), 404, message=WRONG_PASSWORD)


def test_a_cognito_user_signs_in_with_a_stable_id(mint: Mint) -> None:
    admin = mint.live.client()
    admin.sign_up(ClientId=mint.pool.client_id, Username="bob@x.com", Password=MINT_PASSWORD)
    admin.admin_confirm_sign_up(UserPoolId=mint.pool.id, Username="bob@x.com")
    kate = expect_token(mint.register(EMAIL, MINT_PASSWORD))
    first = expect_token(mint.sign_in("bob@x.com", MINT_PASSWORD))
    second = expect_token(mint.sign_in("BOB@x.com", MINT_PASSWORD))
    assert first["user"] == second["user"] != kate["user"]
    assert first["access_token"] != second["access_token"]


def test_repeated_wrong_passwords_lock_with_429(mint: Mint, kate: dict[str, Any]) -> None:
    statuses = []
    for _ in range(10):
        response = mint.sign_in(EMAIL, "Wr0ng-horse!")
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[0] == 404 and statuses[-1] == 429, statuses
    expect_error(response, 429)
    assert int(response.headers["retry-after"]) >= 1
    # Locked: even the right password is refused unchecked until the lock ends.
    expect_error(mint.sign_in(EMAIL, MINT_PASSWORD), 429)
    mint.live.clock.advance(int(response.headers["retry-after"]))
    expect_token(mint.sign_in(EMAIL, MINT_PASSWORD))


# 3. Malformed requests: 400 in the seed's shape, and nothing changes ------------------------


def _chunks(size: int) -> Iterator[bytes]:
    yield b'{"grant_type": "password", "pad": "'
    for _ in range(size // 4096 + 1):
        yield b"x" * 4096
    yield b'"}'


def _malformed_bodies(limit: int) -> list[tuple[str, bytes | Iterator[bytes], dict[str, str]]]:
    oversized = orjson.dumps(sign_up(pad="x" * limit))
    return [
        ("bad JSON", b'{"grant_type": "password",', JSON),
        ("JSON array", b"[]", JSON),
        ("JSON string", b'"password"', JSON),
        ("JSON number", b"1", JSON),
        ("JSON null", b"null", JSON),
        ("JSON true", b"true", JSON),
        ("deeply nested JSON", b"[" * 100_000, JSON),
        ("JSON that is not UTF-8", b'{"grant_type": "\xff"}', JSON),
        ("JSON with a byte order mark", b'\xef\xbb\xbf{"grant_type": "password"}', JSON),
        ("form that is not UTF-8", b"grant_type=\xff\xfe", FORM),
        ("form field without =", b"grant_type", FORM),
        ("form with a repeated parameter", b"grant_type=signup&grant_type=signup", FORM),
        (
            "form with a repeated password",
            b"grant_type=password&username=kc%40goact.com.au&password=a&password=b",
            FORM,
        ),
        ("JSON sent as a form", orjson.dumps(sign_up()), FORM),
        ("text/plain", orjson.dumps(sign_up()), {"Content-Type": "text/plain"}),
        ("XML", b"<grant_type>signup</grant_type>", {"Content-Type": "application/xml"}),
        (
            "multipart",
            b'--b\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nsignup\r\n--b--\r\n',
            {"Content-Type": "multipart/form-data; boundary=b"},
        ),
        ("oversized, with Content-Length", oversized, JSON),
        ("oversized, chunked", _chunks(limit), JSON),
        ("empty", b"", JSON),
        ("whitespace", b"  \r\n ", JSON),
    ]


@pytest.mark.parametrize("path", [AUTHORIZE, REGISTER])
def test_malformed_bodies_are_400(mint: Mint, path: str) -> None:
    for name, content, headers in _malformed_bodies(mint.live.settings.max_body_bytes):
        response = mint.http.post(path, content=content, headers=headers | mint.app_auth)
        body = expect_error(response, 400, "invalid_request")
        assert body["response"], name
    assert users(mint) == []


def test_malformed_revoke_bodies_are_400_and_end_nothing(mint: Mint, kate: dict[str, Any]) -> None:
    token = kate["access_token"]
    auth = {"Authorization": f"UserToken {token}"}
    for name, content, headers in _malformed_bodies(mint.live.settings.max_body_bytes):
        if name in ("empty", "whitespace"):
            continue  # RFC 7009 with a UserToken: no body ends the caller's own token
        response = mint.http.post(REVOKE, content=content, headers=headers | auth)
        assert response.status_code == 400, (name, response.text)
        expect_error(response, 400, "invalid_request")
    for fields in (
        {"all": "yes"},
        {"all": 1},
        {"all": None},
        {"all": [True]},
        {"token": 5},
        {"token": [token]},
        {"token": {"token": token}},
        {"token": "x" * 4096},
        {"token_type_hint": 1},
    ):
        expect_error(mint.http.post(REVOKE, json=fields, headers=auth), 400, "invalid_request")
    expect_error(
        mint.http.post(REVOKE, content=b"token=a&token=b", headers=FORM | auth),
        400,
        "invalid_request",
    )
    expect_error(mint.http.post(REVOKE, json={}, headers=mint.app_auth), 400, "invalid_request")
    assert alive(mint, token)


NOT_STRINGS: list[Any] = [None, 1, 1.5, True, [], ["kc@goact.com.au"], {}, {"a": "b"}, ""]


def test_password_grant_fields_are_checked(mint: Mint, kate: dict[str, Any]) -> None:
    post = mint.http.post
    for field in ("grant_type", "username", "password"):
        missing = password_grant()
        del missing[field]
        expect_error(post(AUTHORIZE, json=missing), 400, "invalid_request")
        for value in NOT_STRINGS:
            response = post(AUTHORIZE, json=password_grant(**{field: value}))
            expect_error(response, 400, "invalid_request")
    for grant_type in ("client_credentials", "Password", "refresh_token", "x" * 100):
        response = post(AUTHORIZE, json=password_grant(grant_type=grant_type))
        expect_error(response, 400, "unsupported_grant_type")
    expect_error(post(AUTHORIZE, json=password_grant(username="k" * 129)), 400, "invalid_request")
    expect_error(post(AUTHORIZE, json=password_grant(password="p" * 257)), 400, "invalid_request")
    for credential in ("client_id", "client_secret"):
        for value in (1, [], {}, True, "c" * 2049):
            response = post(AUTHORIZE, json=password_grant(**{credential: value}))
            expect_error(response, 400, "invalid_request")
    # None of these reached the password check: the right password still signs in at once.
    assert expect_token(mint.sign_in(EMAIL, MINT_PASSWORD))["user"] == kate["user"]


@pytest.mark.parametrize("path", [REGISTER, AUTHORIZE])
def test_registration_fields_are_checked_and_refusals_create_no_user(mint: Mint, path: str) -> None:
    post = mint.http.post

    def refused(body: dict[str, Any], code: str = "invalid_request") -> None:
        expect_error(post(path, json=body, headers=mint.app_auth), 400, code)

    for field in ("firstname", "lastname", "username", "password"):
        missing = sign_up()
        del missing[field]
        refused(missing)
        for value in NOT_STRINGS:
            refused(sign_up(**{field: value}))
    refused(sign_up(password="abcde"))  # seed 002: "more than 5 characters"
    refused(sign_up(password="abcdefgh"))  # the pool's policy
    refused(sign_up(username="not-an-email"))  # the pool signs in with emails
    refused(sign_up(username="k" * 120 + "@goact.com.au"))
    refused(sign_up(firstname="Kate\x00"))
    refused(sign_up(lastname="Smith\x07"))
    refused(sign_up(firstname="K" * 257))
    refused(sign_up(username="kc\x00@goact.com.au"))
    if path == REGISTER:
        refused(sign_up(grant_type="password"), "unsupported_grant_type")
        refused(sign_up(grant_type=1))
    assert users(mint) == []
    expect_error(mint.sign_in(EMAIL, MINT_PASSWORD), 400, message=NOT_FOUND)


# 4. Form-encoded bodies (RFC 6749 §4.3.2) ------------------------------------------------------


def test_form_bodies(mint: Mint) -> None:
    password = "Corr3ct horse+batt&ry=%!"  # a space, and characters a form must escape
    created = expect_token(
        mint.http.post(REGISTER, data=sign_up(password=password), headers=mint.app_auth)
    )
    by_form = expect_token(mint.http.post(AUTHORIZE, data=password_grant(password=password)))
    by_json = expect_token(mint.sign_in(EMAIL, password))
    assert created["user"] == by_form["user"] == by_json["user"]
    charset = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    raw = b"grant_type=password&username=kc%40goact.com.au&password=" + (
        b"Corr3ct+horse%2Bbatt%26ry%3D%25%21"
    )
    expect_token(mint.http.post(AUTHORIZE, content=raw, headers=charset))
    signup = b"grant_type=signup&firstname=Jo&lastname=Bloggs&username=jo%40x.com&password=" + (
        b"Corr3ct-horse%21"
    )
    expect_token(mint.http.post(AUTHORIZE, content=signup, headers=FORM | mint.app_auth))
    expect_token(mint.sign_in("jo@x.com", MINT_PASSWORD))

    token = by_form["access_token"]
    kept = by_json["access_token"]
    revoked = mint.http.post(REVOKE, data={"token": token}, headers=mint.app_auth)
    assert revoked.status_code == 200 and revoked.json() == {}
    assert not alive(mint, token) and alive(mint, kept)
    everything = mint.http.post(
        REVOKE, content=b"all=true", headers=FORM | {"Authorization": f"UserToken {kept}"}
    )
    assert everything.json() == {}
    assert not alive(mint, kept)


# 5. Application credentials --------------------------------------------------------------------


def test_password_grant_credential_variants(mint: Mint, kate: dict[str, Any]) -> None:
    """Each way of naming the application issues a token of that application (disabling it ends
    them all), and without any the default application's."""
    other, secret = mint.new_app(name="other")
    variants: dict[str, httpx.Response] = {
        "Application header": mint.sign_in(
            EMAIL, MINT_PASSWORD, headers={"Authorization": f"Application {other.id}:{secret}"}
        ),
        "Application header, lower-case scheme": mint.sign_in(
            EMAIL, MINT_PASSWORD, headers={"Authorization": f"application {other.id}:{secret}"}
        ),
        "Basic (client_secret_basic)": mint.sign_in(
            EMAIL, MINT_PASSWORD, headers=basic(other.id, secret)
        ),
        "JSON body (client_secret_post)": mint.http.post(
            AUTHORIZE, json=password_grant(client_id=other.id, client_secret=secret)
        ),
        "form body (client_secret_post)": mint.http.post(
            AUTHORIZE, data=password_grant(client_id=other.id, client_secret=secret)
        ),
        "client_id alone (public client)": mint.http.post(
            AUTHORIZE, data=password_grant(client_id=other.id)
        ),
    }
    tokens = {name: expect_token(response)["access_token"] for name, response in variants.items()}
    default = token_of(mint)
    assert all(alive(mint, token) for token in tokens.values())
    mint.update_app(other.id, enabled=False)
    for name, token in tokens.items():
        assert not alive(mint, token), name
    assert alive(mint, default)


def test_wrong_application_credentials_are_401(mint: Mint, kate: dict[str, Any]) -> None:
    app, secret = mint.app.id, mint.secret
    disabled, disabled_secret = mint.new_app(name="disabled")
    mint.update_app(disabled.id, enabled=False)
    cases: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
        ("wrong secret, Application", {"Authorization": f"Application {app}:x"}, {}, "Application"),
        ("wrong secret, Basic", basic(app, "x"), {}, "Basic"),
        ("wrong secret, body", {}, {"client_id": app, "client_secret": "x"}, "Application"),
        ("empty secret, body", {}, {"client_id": app, "client_secret": ""}, "Application"),
        ("secret without id, body", {}, {"client_secret": secret}, "Application"),
        ("unknown id", {"Authorization": f"Application nope:{secret}"}, {}, "Application"),
        ("unknown id, Basic", basic("nope", secret), {}, "Basic"),
        ("unknown public client", {}, {"client_id": "nope"}, "Application"),
        (
            "disabled application",
            {"Authorization": f"Application {disabled.id}:{disabled_secret}"},
            {},
            "Application",
        ),
        ("disabled public client", {}, {"client_id": disabled.id}, "Application"),
    ]
    for name, headers, fields, scheme in cases:
        response = mint.http.post(AUTHORIZE, json=password_grant(**fields), headers=headers)
        expect_error(response, 401, "invalid_client")
        assert challenge(response) == scheme, name
        registering = mint.http.post(
            REGISTER, json=sign_up(username="new@x.com", **fields), headers=headers
        )
        expect_error(registering, 401, "invalid_client")
        assert challenge(registering) == scheme, name
    assert len(users(mint)) == 1


def test_registration_needs_application_credentials(mint: Mint, kate: dict[str, Any]) -> None:
    token = kate["access_token"]
    for headers, fields in (
        ({}, {}),
        ({}, {"client_id": mint.app.id}),  # a public client may sign in, not register
        ({"Authorization": f"UserToken {token}"}, {}),
        ({"Authorization": f"Bearer {token}"}, {}),
    ):
        for path in (REGISTER, AUTHORIZE):
            body = sign_up(username="new@x.com", **fields)
            response = mint.http.post(path, json=body, headers=headers)
            expect_error(response, 401, "invalid_client")
            assert challenge(response) == "Application"
    assert len(users(mint)) == 1
    expect_error(mint.sign_in("new@x.com", MINT_PASSWORD), 400, message=NOT_FOUND)


def test_without_a_default_application_the_password_grant_needs_one(
    mint: Mint, kate: dict[str, Any]
) -> None:
    mint.update_app(mint.app.id, default=False)
    expect_error(mint.sign_in(EMAIL, MINT_PASSWORD), 401, "invalid_client")
    expect_token(mint.sign_in(EMAIL, MINT_PASSWORD, headers=mint.app_auth))
    expect_token(mint.http.post(AUTHORIZE, json=password_grant(client_id=mint.app.id)))


def test_an_application_without_the_password_grant(mint: Mint, kate: dict[str, Any]) -> None:
    mint.update_app(mint.app.id, password_grant=False)
    for response in (
        mint.sign_in(EMAIL, MINT_PASSWORD),
        mint.sign_in(EMAIL, MINT_PASSWORD, headers=mint.app_auth),
        mint.sign_in(EMAIL, "Wr0ng-horse!", headers=mint.app_auth),
    ):
        expect_error(response, 400, "unauthorized_client")


MALFORMED_AUTHORIZATION: list[dict[str, str]] = [
    {"Authorization": "Application"},
    {"Authorization": "Application nocolon"},
    {"Authorization": "Application :"},
    {"Authorization": "Application :secret"},
    {"Authorization": "Application id:"},
    {"Authorization": "Basic"},
    {"Authorization": "Basic !!!not-base64!!!"},
    {"Authorization": "Basic YWJj"},  # "abc": no colon
    {"Authorization": "Basic YWJjOmRlZg"},  # unpadded
    raw_basic(b"\xff\xfe:secret"),
    raw_basic(b":"),
    {"Authorization": "Digest username=x"},
    {"Authorization": "Bearer"},
    {"Authorization": "x"},
    {"Authorization": "x" * 8000},
    {"Authorization": "Application " + "a" * 8000 + ":" + "b" * 8000},
]


def test_malformed_authorization_headers_are_401(mint: Mint, kate: dict[str, Any]) -> None:
    latin1 = {"Authorization": "Application \xff\xe9:secret".encode("latin-1")}
    for headers in [*MALFORMED_AUTHORIZATION, latin1]:
        for path, body in (
            (AUTHORIZE, password_grant()),
            (AUTHORIZE, sign_up(username="new@x.com")),
            (REGISTER, sign_up(username="new@x.com")),
            (REVOKE, {"token": kate["access_token"]}),
        ):
            response = mint.http.post(path, json=body, headers=headers)
            expect_error(response, 401)
        expect_error(mint.http.get(TOKEN_INFO, headers=headers), 401)
    assert len(users(mint)) == 1
    assert alive(mint, kate["access_token"])


def _nul_client_ids(mint: Mint) -> list[tuple[dict[str, str], dict[str, Any]]]:
    return [
        (raw_basic(b"a\x00:" + mint.secret.encode()), {}),
        ({}, {"client_id": "a\x00", "client_secret": mint.secret}),
        ({}, {"client_id": "a\x00"}),
    ]


def test_a_nul_in_the_application_id_is_401(mint: Mint, kate: dict[str, Any]) -> None:
    """PostgreSQL refuses NUL in text, so an id with one is no application's: it is never
    looked up (it would be a 500 on PostgreSQL)."""
    for headers, fields in _nul_client_ids(mint):
        response = mint.http.post(AUTHORIZE, json=password_grant(**fields), headers=headers)
        expect_error(response, 401, "invalid_client")


def test_server_errors_name_a_request_id_not_a_traceback(mint: Mint) -> None:
    """Whatever the answer to the requests above, nothing of our internals shows."""
    for headers, fields in _nul_client_ids(mint):
        response = mint.http.post(AUTHORIZE, json=password_grant(**fields), headers=headers)
        no_traceback(response)
        if response.status_code == 500:
            body = expect_error(response, 500, "server_error")
            assert body["response"].startswith("An internal error occurred. Request id: ")


# 6. Revocation (RFC 7009) ----------------------------------------------------------------------


def test_revoke_own_token(mint: Mint, kate: dict[str, Any]) -> None:
    first, second = token_of(mint), token_of(mint)
    for token, scheme in ((first, "UserToken"), (second, "Bearer")):
        auth = {"Authorization": f"{scheme} {token}"}
        response = mint.http.post(REVOKE, headers=auth)
        assert response.status_code == 200 and response.json() == {}
        assert response.headers["cache-control"] == "no-store"
        assert not alive(mint, token)
        # Ending it again is still 200 {}, as is naming it in the body.
        assert mint.http.post(REVOKE, headers=auth).json() == {}
        assert mint.http.post(REVOKE, json={"token": token}, headers=auth).json() == {}
    assert alive(mint, kate["access_token"])


def test_revoke_everything_ends_mint_and_cognito_sign_ins(mint: Mint, kate: dict[str, Any]) -> None:
    admin = mint.live.client()
    cognito_tokens = admin.initiate_auth(
        ClientId=mint.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": MINT_PASSWORD},
    )["AuthenticationResult"]
    other = token_of(mint)
    caller = token_of(mint)
    response = mint.http.post(
        REVOKE, json={"all": True}, headers={"Authorization": f"UserToken {caller}"}
    )
    assert response.status_code == 200 and response.json() == {}
    for token in (kate["access_token"], other, caller):
        assert not alive(mint, token)
    with pytest.raises(ClientError) as refused:
        admin.initiate_auth(
            ClientId=mint.pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": cognito_tokens["RefreshToken"]},
        )
    assert error(refused)[0] == "NotAuthorizedException"
    # A cancelled token cannot end more sign-ins: 403, as token_info says.
    fresh = token_of(mint)
    cancelled = mint.http.post(
        REVOKE, json={"all": True}, headers={"Authorization": f"UserToken {caller}"}
    )
    expect_error(cancelled, 403, "invalid_token")
    assert alive(mint, fresh)


def test_revoke_by_the_application(mint: Mint, kate: dict[str, Any]) -> None:
    other, secret = mint.new_app(name="other")
    others_token = token_of(mint, headers={"Authorization": f"Application {other.id}:{secret}"})
    mine = token_of(mint)
    for headers, fields in (
        (mint.app_auth, {"token": others_token}),  # not this application's: ignored
        (mint.app_auth, {"token": "never-issued"}),
        (mint.app_auth, {"token": SEED_TOKEN, "token_type_hint": "access_token"}),
    ):
        response = mint.http.post(REVOKE, json=fields, headers=headers)
        assert response.status_code == 200 and response.json() == {}
    assert alive(mint, others_token) and alive(mint, mine)
    by_basic = mint.http.post(REVOKE, json={"token": mine}, headers=basic(mint.app.id, mint.secret))
    assert by_basic.json() == {}
    assert not alive(mint, mine)
    by_body = mint.http.post(
        REVOKE, data={"token": others_token, "client_id": other.id, "client_secret": secret}
    )
    assert by_body.json() == {}
    assert not alive(mint, others_token)
    assert alive(mint, kate["access_token"])


def test_revoke_by_another_users_token_is_ignored(mint: Mint, kate: dict[str, Any]) -> None:
    bob = expect_token(mint.register("bob@x.com", MINT_PASSWORD))["access_token"]
    response = mint.http.post(
        REVOKE, json={"token": kate["access_token"]}, headers={"Authorization": f"UserToken {bob}"}
    )
    assert response.status_code == 200 and response.json() == {}
    assert alive(mint, kate["access_token"]) and alive(mint, bob)


def test_revoke_needs_credentials(mint: Mint, kate: dict[str, Any]) -> None:
    for headers, body in (
        ({}, {"token": kate["access_token"]}),
        ({}, {}),
        ({"Authorization": f"Application {mint.app.id}:wrong"}, {"token": kate["access_token"]}),
        ({"Authorization": "UserToken never-issued"}, {}),
        ({"Authorization": "UserToken never-issued"}, {"all": True}),
    ):
        expect_error(mint.http.post(REVOKE, json=body, headers=headers), 401)
    assert alive(mint, kate["access_token"])


# 7. The error table, routing errors, cache headers ---------------------------------------------


def test_every_core_error_has_a_row() -> None:
    missing = [cls.__name__ for cls in ALL_ERRORS if cls not in ERRORS]
    assert missing == [], "core errors the mint front-end cannot answer"
    for cls, wire in ERRORS.items():
        assert 400 <= wire.status < 600, cls
        assert wire.code in OAUTH_CODES, cls
    assert (ERRORS[UserNotFound].status, ERRORS[UserNotFound].message) == (400, NOT_FOUND)
    assert (ERRORS[InvalidCredentials].status, ERRORS[InvalidCredentials].message) == (
        404,
        WRONG_PASSWORD,
    )
    assert (ERRORS[UsernameExists].status, ERRORS[UsernameExists].message) == (403, TAKEN)


def test_routing_errors_under_mint_are_json(mint: Mint) -> None:
    for method, path in (
        ("GET", "/mint/api/v1/nothing"),
        ("POST", "/mint/"),
        ("GET", "/mint/api/v1/auth/"),
        ("POST", "/mint/api/v2/auth/authorize"),
    ):
        response = mint.http.request(method, path)
        expect_error(response, 404, message=NOT_FOUND)
    for method, path, allowed in (
        ("GET", AUTHORIZE, "POST"),
        ("PUT", REGISTER, "POST"),
        ("DELETE", TOKEN_INFO, "GET"),
        ("POST", TOKEN_INFO, "GET"),
        ("GET", REVOKE, "POST"),
        ("OPTIONS", AUTHORIZE, "POST"),
        ("POST", "/mint/api/v1/openapi.json", "GET"),
    ):
        response = mint.http.request(method, path)
        expect_error(response, 405)
        assert allowed in response.headers["allow"], (method, path)


def test_every_error_is_uncached_json(mint: Mint, kate: dict[str, Any]) -> None:
    """A sample of every status the API answers with; ``expect_error`` checks each."""
    expect_error(mint.sign_in("nobody@x.com", MINT_PASSWORD), 400)
    expect_error(mint.register(EMAIL, MINT_PASSWORD, firstname=""), 400)
    expect_error(mint.token_info("never-issued"), 401)
    expect_error(mint.register(EMAIL, MINT_PASSWORD), 403)
    expect_error(mint.sign_in(EMAIL, "Wr0ng-horse!"), 404)
    expect_error(mint.http.get(AUTHORIZE), 405)


# 8. The OpenAPI document -----------------------------------------------------------------------


def _routes() -> set[tuple[str, str]]:
    return {
        (route.path, method.lower())
        for route in MintApi().routes()
        if isinstance(route, Route)
        for method in (route.methods or ())
        if method != "HEAD"
    }


def test_openapi_document_is_served_under_mint(mint: Mint) -> None:
    mine = mint.http.get("/mint/api/v1/openapi.json")
    assert mine.status_code == 200
    assert mine.headers["content-type"].startswith("application/json")
    document = mine.json()
    assert document == orjson.loads(orjson.dumps(OPENAPI))
    assert document == mint.http.get("/api/v1/openapi.json").json(), "one document"
    assert document["openapi"] == "3.1.0"
    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        if path.startswith("/mint/")
        for method in operations
    }
    assert documented == _routes()


def test_openapi_describes_the_mint_wire(mint: Mint) -> None:
    document = mint.http.get("/mint/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    schemes = document["components"]["securitySchemes"]
    assert (
        "Application <application id>:<application secret>" in schemes["Application"]["description"]
    )
    assert "UserToken <user token>" in schemes["UserToken"]["description"]
    assert schemes["ClientBasic"] == schemes["ClientBasic"] | {"type": "http", "scheme": "basic"}
    assert schemes["Bearer"] == schemes["Bearer"] | {"type": "http", "scheme": "bearer"}

    assert schemas["MintError"]["required"] == ["response", "error", "error_description"]
    assert set(schemas["MintToken"]["properties"]) == TOKEN_KEYS
    assert "expires_in" not in schemas["MintToken"]["required"]
    assert "expires_in" not in schemas["MintTokenInfo"]["required"]

    authorize = document["paths"][AUTHORIZE]["post"]
    assert "RFC 9700" in authorize["description"]
    assert "RFC 9700" in document["info"]["description"]
    assert set(authorize["responses"]) == {"200", "400", "401", "403", "404", "429"}
    assert set(document["paths"][REGISTER]["post"]["responses"]) >= {"200", "401", "403"}
    assert set(document["paths"][TOKEN_INFO]["get"]["responses"]) == {"200", "401", "403"}
    for path in (AUTHORIZE, REGISTER, REVOKE):
        content = document["paths"][path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/json", "application/x-www-form-urlencoded"}
    for path, operations in document["paths"].items():
        if not path.startswith(PREFIX):
            continue
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                schema = answer["content"]["application/json"]["schema"]["$ref"]
                assert (schema == "#/components/schemas/MintError") == (status != "200")
                assert answer["headers"]["Cache-Control"]["required"]
                if status == "401":
                    assert answer["headers"]["WWW-Authenticate"]["required"]


def test_responses_match_the_document(mint: Mint, kate: dict[str, Any]) -> None:
    """The token schema holds for real answers, with and without ``expires_in``."""
    schemas = OPENAPI["components"]["schemas"]
    token = jsonschema_rs.validator_for(schemas["MintToken"])
    info = jsonschema_rs.validator_for(schemas["MintTokenInfo"])
    mint_error = jsonschema_rs.validator_for(schemas["MintError"])
    token.validate(kate)
    info.validate(mint.token_info(kate["access_token"]).json())
    forever, secret = mint.new_app(name="forever", token_seconds=None)
    granted = mint.sign_in(
        EMAIL, MINT_PASSWORD, headers={"Authorization": f"Application {forever.id}:{secret}"}
    ).json()
    token.validate(granted)
    info.validate(mint.token_info(granted["access_token"]).json())
    mint_error.validate(mint.sign_in(EMAIL, "Wr0ng-horse!").json())
    mint_error.validate(mint.http.get("/mint/nothing").json())
