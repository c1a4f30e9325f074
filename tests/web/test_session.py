"""The web-session API (seed 001 ``POST /api/v1/auth/cognito/login`` and the surface around it)
on a live server, driven by httpx: ID token verification, signup, cookies, CSRF, refresh,
logout, idle and absolute session ends, the user endpoints, errors and the OpenAPI document.

Cookies are read from the raw ``Set-Cookie`` headers; the server runs with
``insecure_localhost_cookies`` so that httpx's cookie jar sends them back over plain HTTP. Time
moves only on the frozen clock (admin Cognito calls are made before it moves: they are SigV4
signed with the real time)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.routing import Route

from idmint.core.errors import ALL_ERRORS
from idmint.core.model import Account, SigningKey
from idmint.core.websessions import LEEWAY
from idmint.web.mint import MintApi
from idmint.web.openapi import SESSION_OPENAPI
from idmint.web.partner import PartnerApi
from idmint.web.session import ERRORS, SessionApi
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

LOGIN = "/api/v1/auth/cognito/login"
SIGNUP = "/api/v1/auth/cognito/signup"
SESSION = "/api/v1/auth/session"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
V2 = {"X-Endless-Auth": "v2"}
ACCESS_SECONDS = 15 * 60
IDLE_SECONDS = 24 * 3600
ABSOLUTE_SECONDS = 30 * 24 * 3600
HOUR = 3600
USER_INFO_KEYS = {"id", "username", "avatar", "emblem", "profile"}
AVATAR = (
    "public/us-west-2:5f40aa7b-817d-4a9d-a92f-5cbfad3e6dc2/04139ff8-0b26-4fae-ad1a-78da55f26443.jpg"
)
EMBLEM = "b9f756f4-7786-4841-8767-992ec750fdb8"


# Helpers -------------------------------------------------------------------------------------


@dataclass
class Identity:
    """A confirmed user of a pool of the server under test, signed in once."""

    pool: Pool
    username: str
    sub: str
    tokens: dict[str, Any]

    @property
    def id_token(self) -> str:
        return str(self.tokens["IdToken"])


def new_identity(cognito: Any, pool: Pool, username: str) -> Identity:
    sub = make_user(cognito, pool, username)
    return Identity(pool, username, sub, sign_in(cognito, pool, username))


def login(client: httpx.Client, id_token: str) -> httpx.Response:
    return client.post(LOGIN, json={"idToken": id_token}, headers=V2)


def signup(
    client: httpx.Client, id_token: str, username: object, **extra: object
) -> httpx.Response:
    return client.post(
        SIGNUP, json={"idToken": id_token, "username": username, **extra}, headers=V2
    )


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def expect_error(response: httpx.Response, status: int, code: str | None = None) -> str:
    """The response is ``{"error", "message"}`` JSON with this status; returns the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) == {"error", "message"}, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["error"] == code, body
    return str(body["message"])


def set_cookies(response: httpx.Response) -> dict[str, tuple[str, dict[str, str]]]:
    """The raw ``Set-Cookie`` headers: name -> (value, attributes with lower-cased names)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for header in response.headers.get_list("set-cookie"):
        first, *rest = (part.strip() for part in header.split(";"))
        name, _, value = first.partition("=")
        attributes: dict[str, str] = {}
        for attribute in rest:
            key, _, val = attribute.partition("=")
            attributes[key.lower()] = val
        assert name not in found, f"{name} set twice"
        found[name] = (value.strip('"'), attributes)
    return found


def with_cookies(
    live: LiveServer, method: str, path: str, cookies: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """One request carrying exactly ``cookies`` (no jar)."""
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers = {"Cookie": header} if header else {}
    headers |= kwargs.pop("headers", {})
    return httpx.request(method, live.url + path, headers=headers, **kwargs)


def accounts(live: LiveServer) -> list[Account]:
    return list(live.run(live.store.list_accounts(1000, None)))


def active_key(server: LiveServer) -> SigningKey:
    stored: list[SigningKey] = server.run(server.store.list_signing_keys())
    return max((k for k in stored if k.retired_at is None), key=lambda k: k.created_at)


def unverified(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(claims: dict[str, Any], pem: bytes, kid: str) -> str:
    """An RS256 JWS over any claims (no library checks them), signed with ``pem``."""
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signing_input = (
        _b64url(orjson.dumps({"kid": kid, "alg": "RS256"})) + "." + _b64url(orjson.dumps(claims))
    )
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def fresh_rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def tamper_payload(token: str, **changes: Any) -> str:
    """The same header and signature over a modified payload."""
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims |= changes
    new_payload = base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=").decode()
    return f"{header}.{new_payload}.{signature}"


@dataclass
class Signed:
    """A web client signed in: its jar holds the cookies; ``body`` is the login answer."""

    client: httpx.Client
    body: dict[str, Any]
    response: httpx.Response

    @property
    def csrf(self) -> str:
        return str(self.body["csrf"])

    @property
    def account_id(self) -> str:
        return str(self.body["userInfo"]["id"])

    @property
    def cookies(self) -> dict[str, str]:
        return {name: value for name, (value, _) in set_cookies(self.response).items()}

    def refresh(self, csrf: str | None = None) -> httpx.Response:
        return self.client.post(REFRESH, headers={"X-CSRF-Token": csrf or self.csrf})

    def session(self) -> httpx.Response:
        return self.client.get(SESSION)

    def patch(self, changes: Any, csrf: str | None = None) -> httpx.Response:
        return self.client.patch(ME, json=changes, headers={"X-CSRF-Token": csrf or self.csrf})


# Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def server_options() -> dict[str, Any]:
    return {"insecure_localhost_cookies": True}


@pytest.fixture
def alice(cognito: Any, pool: Pool) -> Identity:
    return new_identity(cognito, pool, "alice")


@pytest.fixture
def bob(cognito: Any, pool: Pool) -> Identity:
    return new_identity(cognito, pool, "bob")


@pytest.fixture
def clients(live: LiveServer) -> Iterator[list[httpx.Client]]:
    made: list[httpx.Client] = []
    yield made
    for client in made:
        client.close()


@pytest.fixture
def new_client(live: LiveServer, clients: list[httpx.Client]) -> Any:
    def make() -> httpx.Client:
        client = httpx.Client(base_url=live.url)
        clients.append(client)
        return client

    return make


@pytest.fixture
def web(new_client: Any) -> httpx.Client:
    return new_client()  # type: ignore[no-any-return]


def open_signup(client: httpx.Client, identity: Identity, username: str, **extra: Any) -> Signed:
    response = signup(client, identity.id_token, username, **extra)
    return Signed(client, ok(response), response)


def open_login(client: httpx.Client, identity: Identity) -> Signed:
    response = login(client, identity.id_token)
    return Signed(client, ok(response), response)


@pytest.fixture
def signed(web: httpx.Client, alice: Identity) -> Signed:
    """Alice, signed up as ``alice_web``."""
    return open_signup(web, alice, "alice_web")


# 1. Login ------------------------------------------------------------------------------------


def test_the_v2_auth_header_is_mandatory(live: LiveServer, alice: Identity) -> None:
    body = {"idToken": alice.id_token, "username": "alice_web"}
    for path in (LOGIN, SIGNUP):
        for header in (None, "v1", "V3", "", "v2,v2"):
            headers = {} if header is None else {"X-Endless-Auth": header}
            response = httpx.post(live.url + path, json=body, headers=headers)
            message = expect_error(response, 400)
            assert "X-Endless-Auth" in message and "v2" in message, (path, header, message)
            assert "set-cookie" not in response.headers
    assert accounts(live) == []


def test_login_answers_as_seed_001(
    live: LiveServer, web: httpx.Client, new_client: Any, alice: Identity, clock: FrozenClock
) -> None:
    created = open_signup(web, alice, "tcoles+test01", profile="This is my profile!")
    response = login(new_client(), alice.id_token)
    body = ok(response)
    assert set(body) == {"newAccount", "userInfo", "isAdmin", "csrf", "expires"}
    assert body["newAccount"] is False
    assert body["userInfo"] == {
        "id": created.account_id,
        "username": "tcoles+test01",
        "avatar": None,
        "emblem": None,
        "profile": "This is my profile!",
    }
    assert str(uuid.UUID(body["userInfo"]["id"])) == body["userInfo"]["id"]
    assert body["isAdmin"] is False
    assert isinstance(body["csrf"], str) and len(body["csrf"]) >= 16
    assert isinstance(body["expires"], int)
    assert body["expires"] == int(clock() + ACCESS_SECONDS)
    cookies = set_cookies(response)
    assert {"access", "session"} <= set(cookies)
    assert all(value for value, _ in cookies.values())
    assert response.headers["content-type"].startswith("application/json")


def test_login_reports_admins(live: LiveServer, web: httpx.Client, alice: Identity) -> None:
    created = open_signup(web, alice, "alice_web")
    assert created.body["isAdmin"] is False
    account = live.run(live.store.get_account(created.account_id))
    live.run(
        live.store.update_account(
            Account(**{**_fields(account), "is_admin": True}), account.username.lower()
        )
    )
    body = ok(login(web, alice.id_token))
    assert body["isAdmin"] is True
    assert ok(web.get(SESSION))["isAdmin"] is True


def _fields(account: Account) -> dict[str, Any]:
    return {name: getattr(account, name) for name in Account.__dataclass_fields__}


def test_login_needs_an_id_token_string(live: LiveServer) -> None:
    bodies: list[dict[str, Any]] = [
        {},
        {"idToken": ""},
        {"idToken": 5},
        {"idToken": None},
        {"idToken": ["x"]},
        {"id_token": "x"},
    ]
    for body in bodies:
        for path in (LOGIN, SIGNUP):
            response = httpx.post(live.url + path, json=body | {"username": "abc"}, headers=V2)
            assert "idToken" in expect_error(response, 400), body


def test_login_without_an_account_is_404(live: LiveServer, alice: Identity) -> None:
    response = httpx.post(live.url + LOGIN, json={"idToken": alice.id_token}, headers=V2)
    message = expect_error(response, 404)
    assert "sign up" in message.lower()
    assert "set-cookie" not in response.headers
    assert accounts(live) == []


# 2. ID token verification --------------------------------------------------------------------


def _rejected(live: LiveServer, token: str, case: str = "") -> None:
    """Both login and signup refuse the token with 401, and nothing is created."""
    before = accounts(live)
    for response in (
        httpx.post(live.url + LOGIN, json={"idToken": token}, headers=V2),
        httpx.post(live.url + SIGNUP, json={"idToken": token, "username": "mallory"}, headers=V2),
    ):
        assert response.status_code == 401, (case, response.text)
        expect_error(response, 401)
        assert "set-cookie" not in response.headers
    assert accounts(live) == before, case


def test_malformed_tokens_are_401(live: LiveServer) -> None:
    for token in ("garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "a" * 2000):
        _rejected(live, token)


def test_an_access_token_is_not_an_id_token(live: LiveServer, alice: Identity) -> None:
    _rejected(live, alice.tokens["AccessToken"])


def test_a_modified_payload_is_401(live: LiveServer, bob: Identity, alice: Identity) -> None:
    _rejected(live, tamper_payload(alice.id_token, sub=bob.sub))
    _rejected(live, tamper_payload(alice.id_token, exp=unverified(alice.id_token)["exp"] + 9999))
    signature = alice.id_token.rsplit(".", 1)[1]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    _rejected(live, alice.id_token.rsplit(".", 1)[0] + "." + flipped)


def test_a_token_signed_with_a_key_we_do_not_hold_is_401(live: LiveServer, alice: Identity) -> None:
    claims = unverified(alice.id_token)
    our_kid = active_key(live).kid
    _rejected(live, mint(claims, fresh_rsa_pem(), our_kid))
    _rejected(live, mint(claims, fresh_rsa_pem(), "some-other-kid"))
    _rejected(live, jwt.encode(claims, "a" * 32, algorithm="HS256", headers={"kid": our_kid}))


@pytest.fixture
def other_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Another idmint, with its own database and keys (trusted by nobody)."""
    server = start_server(Database(f"sqlite:///{tmp_path / 'other.db'}"), FrozenClock())
    try:
        yield server
    finally:
        stop_server(server)


def test_a_token_from_another_server_is_401_even_with_a_forged_iss(
    live: LiveServer, other_server: LiveServer, alice: Identity
) -> None:
    other_cognito = other_server.client()
    other_pool = make_pool(other_cognito)
    make_user(other_cognito, other_pool, "alice")
    genuine = sign_in(other_cognito, other_pool, "alice")["IdToken"]
    _rejected(live, genuine)  # an issuer nobody configured
    # The other server's key signs a token that claims to come from our pool and client.
    forged = unverified(genuine) | {
        "iss": unverified(alice.id_token)["iss"],
        "aud": alice.pool.client_id,
        "sub": alice.sub,
    }
    key = active_key(other_server)
    _rejected(live, mint(forged, key.private_pem, key.kid))
    _rejected(live, mint(forged, key.private_pem, active_key(live).kid))


@dataclass
class Forge:
    """What a test needs to mint tokens with this server's real key."""

    live: LiveServer
    key: SigningKey
    claims: dict[str, Any]
    other_pool: Pool
    second_client: str
    now: int

    def token(self, claims: dict[str, Any]) -> str:
        return mint(claims, self.key.private_pem, self.key.kid)


@pytest.fixture
def forge(live: LiveServer, cognito: Any, alice: Identity, clock: FrozenClock) -> Forge:
    other_pool = make_pool(cognito)
    second = cognito.create_user_pool_client(UserPoolId=alice.pool.id, ClientName="second")
    return Forge(
        live,
        active_key(live),
        unverified(alice.id_token),
        other_pool,
        second["UserPoolClient"]["ClientId"],
        int(clock()),
    )


def _without(claims: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k != name}


BAD_CLAIMS: dict[str, Any] = {
    "access-token-use": lambda f: f.claims | {"token_use": "access"},
    "no-token-use": lambda f: _without(f.claims, "token_use"),
    "aud-of-another-pool": lambda f: f.claims | {"aud": f.other_pool.client_id},
    "aud-unknown": lambda f: f.claims | {"aud": "nosuchclient0000000000000"},
    "aud-list": lambda f: f.claims | {"aud": [f.claims["aud"]]},
    "aud-object": lambda f: f.claims | {"aud": {"x": 1}},
    "no-aud": lambda f: _without(f.claims, "aud"),
    "iss-other-host": lambda f: f.claims | {"iss": f"http://evil.example/{f.other_pool.id}"},
    "iss-unknown-pool": lambda f: f.claims | {"iss": f"{f.live.url}/{f.other_pool.id}x"},
    "iss-not-a-string": lambda f: f.claims | {"iss": 5},
    "no-iss": lambda f: _without(f.claims, "iss"),
    "no-sub": lambda f: _without(f.claims, "sub"),
    "sub-not-a-string": lambda f: f.claims | {"sub": 42},
    "no-exp": lambda f: _without(f.claims, "exp"),
    "exp-not-a-number": lambda f: f.claims | {"exp": "never"},
    "expired": lambda f: f.claims | {"exp": f.now - LEEWAY - 1},
    "issued-in-the-future": lambda f: f.claims | {"iat": f.now + LEEWAY + 120},
}


def test_claims_are_checked_on_correctly_signed_tokens(forge: Forge) -> None:
    """Tokens signed with this server's real key, so only the claims are wrong."""
    for case, make in BAD_CLAIMS.items():
        _rejected(forge.live, forge.token(make(forge)), case)


def test_a_correctly_signed_token_for_another_client_of_the_pool_works(
    forge: Forge, web: httpx.Client
) -> None:
    """The control for the test above: the same key and claims, with a good aud."""
    good = forge.token(forge.claims | {"aud": forge.second_client})
    assert ok(signup(web, good, "alice_web"))["newAccount"] is True


def test_an_expired_id_token_is_401(live: LiveServer, alice: Identity, clock: FrozenClock) -> None:
    assert LEEWAY <= 300, "the leeway on exp should be small"
    exp = unverified(alice.id_token)["exp"]
    clock.advance(exp - clock() + LEEWAY + 1)
    _rejected(live, alice.id_token)


def test_exp_has_a_small_leeway(
    live: LiveServer, alice: Identity, clock: FrozenClock, web: httpx.Client
) -> None:
    exp = unverified(alice.id_token)["exp"]
    clock.advance(exp - clock() + min(LEEWAY, 60) / 2)
    assert ok(signup(web, alice.id_token, "alice_web"))


def test_tokens_from_any_of_our_pools_are_trusted(
    live: LiveServer, cognito: Any, alice: Identity, web: httpx.Client, new_client: Any
) -> None:
    other_pool = make_pool(cognito)
    carol = new_identity(cognito, other_pool, "carol")
    assert ok(signup(web, alice.id_token, "alice_web"))["newAccount"] is True
    assert ok(signup(new_client(), carol.id_token, "carol_web"))["newAccount"] is True


class TestOwnPoolsNotTrusted:
    @pytest.fixture
    def server_options(self) -> dict[str, Any]:
        return {"insecure_localhost_cookies": True, "session_trust_own_pools": False}

    def test_own_pool_tokens_are_refused(self, live: LiveServer, alice: Identity) -> None:
        _rejected(live, alice.id_token)


# 3. Signup -----------------------------------------------------------------------------------


def test_signup_creates_the_account_and_opens_a_session(
    live: LiveServer, web: httpx.Client, alice: Identity, clock: FrozenClock
) -> None:
    response = signup(web, alice.id_token, "Alice_Web", profile="Hello")
    body = ok(response)
    assert set(body) == {"newAccount", "userInfo", "isAdmin", "csrf", "expires"}
    assert body["newAccount"] is True
    assert body["isAdmin"] is False
    assert body["expires"] == int(clock() + ACCESS_SECONDS)
    info = body["userInfo"]
    assert set(info) == USER_INFO_KEYS
    assert info["username"] == "Alice_Web" and info["profile"] == "Hello"
    assert info["avatar"] is None and info["emblem"] is None
    assert {"access", "session"} <= set(set_cookies(response))
    (account,) = accounts(live)
    iss = unverified(alice.id_token)["iss"]
    assert (account.id, account.issuer, account.subject) == (info["id"], iss, alice.sub)
    assert ok(web.get(SESSION))["userInfo"] == info
    # Then login finds it.
    again = ok(login(web, alice.id_token))
    assert again["newAccount"] is False and again["userInfo"] == info


def test_signup_without_profile_has_null_profile(web: httpx.Client, alice: Identity) -> None:
    body = ok(signup(web, alice.id_token, "alice_web"))
    assert body["userInfo"]["profile"] is None


def test_usernames_are_unique_without_regard_to_case(
    live: LiveServer, web: httpx.Client, new_client: Any, alice: Identity, bob: Identity
) -> None:
    ok(signup(web, alice.id_token, "Alice_Web"))
    for taken in ("alice_web", "ALICE_WEB", "Alice_Web"):
        response = signup(new_client(), bob.id_token, taken)
        assert "taken" in expect_error(response, 409).lower()
        assert "set-cookie" not in response.headers
    assert len(accounts(live)) == 1
    assert ok(signup(new_client(), bob.id_token, "bob_web"))["newAccount"] is True


def test_the_same_identity_cannot_sign_up_twice(
    live: LiveServer, web: httpx.Client, alice: Identity
) -> None:
    first = ok(signup(web, alice.id_token, "alice_web"))
    for username in ("alice_web", "alice_two"):
        response = signup(web, alice.id_token, username)
        expect_error(response, 409)
        assert "set-cookie" not in response.headers
    (account,) = accounts(live)
    assert account.id == first["userInfo"]["id"] and account.username == "alice_web"


BAD_USERNAMES: list[object] = [
    "ab",
    "a" * 33,
    "",
    " alice",
    "alice web",
    "-alice",
    "_alice",
    ".alice",
    "al/ice",
    "al@ice",
    "ålice",
    "alice\n",
    "alice\x00",
    None,
    123,
    ["alice"],
]


def test_bad_usernames_are_400(live: LiveServer, web: httpx.Client, alice: Identity) -> None:
    for username in BAD_USERNAMES:
        response = signup(web, alice.id_token, username)
        assert response.status_code == 400, (username, response.text)
        expect_error(response, 400)
        assert "set-cookie" not in response.headers
    assert accounts(live) == []


def test_signup_needs_a_username(live: LiveServer, alice: Identity) -> None:
    response = httpx.post(live.url + SIGNUP, json={"idToken": alice.id_token}, headers=V2)
    expect_error(response, 400)
    assert accounts(live) == []


def test_good_usernames(web: httpx.Client, alice: Identity) -> None:
    signed = open_signup(web, alice, "tcoles+test01")
    assert signed.body["userInfo"]["username"] == "tcoles+test01"
    for username in ("abc", "a" * 32, "A.b_c-d+e", "007"):
        assert ok(signed.patch({"username": username}))["username"] == username


def test_bad_profiles_are_400(live: LiveServer, web: httpx.Client, alice: Identity) -> None:
    for profile in (5, ["x"], {"a": 1}, "x" * 1001, "bell\x07"):
        response = signup(web, alice.id_token, "alice_web", profile=profile)
        assert response.status_code == 400, (profile, response.text)
        expect_error(response, 400)
    assert accounts(live) == []
    assert ok(signup(web, alice.id_token, "alice_web", profile="x" * 1000))["userInfo"]["profile"]


# 4. Cookies ----------------------------------------------------------------------------------


def _check_cookie_attributes(response: httpx.Response, *, secure: bool) -> None:
    cookies = set_cookies(response)
    for name in ("access", "session"):
        value, attributes = cookies[name]
        assert value
        assert "httponly" in attributes, (name, attributes)
        assert attributes.get("samesite", "").lower() == "lax", (name, attributes)
        assert attributes.get("path") == "/", (name, attributes)
        assert ("secure" in attributes) is secure, (name, attributes)
        assert "domain" not in attributes, (name, attributes)
    assert int(cookies["access"][1]["max-age"]) == ACCESS_SECONDS
    assert int(cookies["session"][1]["max-age"]) > ACCESS_SECONDS


class TestSecureByDefault:
    @pytest.fixture
    def server_options(self) -> dict[str, Any]:
        return {}

    def test_cookies_are_secure_httponly_lax(self, live: LiveServer, alice: Identity) -> None:
        response = httpx.post(
            live.url + SIGNUP, json={"idToken": alice.id_token, "username": "alice"}, headers=V2
        )
        ok(response)
        _check_cookie_attributes(response, secure=True)
        response = httpx.post(live.url + LOGIN, json={"idToken": alice.id_token}, headers=V2)
        ok(response)
        _check_cookie_attributes(response, secure=True)


def test_insecure_localhost_drops_only_secure(web: httpx.Client, alice: Identity) -> None:
    response = signup(web, alice.id_token, "alice_web")
    ok(response)
    _check_cookie_attributes(response, secure=False)


def test_refresh_cookie_attributes(signed: Signed, clock: FrozenClock) -> None:
    clock.advance(60)
    response = signed.refresh()
    ok(response)
    cookies = set_cookies(response)
    value, attributes = cookies["access"]
    assert value and value != signed.cookies["access"]
    assert "httponly" in attributes and attributes["path"] == "/"
    assert attributes["samesite"].lower() == "lax"
    assert int(attributes["max-age"]) == ACCESS_SECONDS


def test_the_access_cookie_is_self_contained_and_the_session_cookie_opaque(
    live: LiveServer, signed: Signed
) -> None:
    cookies = signed.cookies
    # The access cookie alone opens GET session; the session cookie alone does not.
    body = ok(with_cookies(live, "GET", SESSION, {"access": cookies["access"]}))
    assert body["userInfo"]["id"] == signed.account_id
    expect_error(with_cookies(live, "GET", SESSION, {"session": cookies["session"]}), 401)
    # The session cookie is opaque: random bytes, not a readable structure.
    session = cookies["session"]
    assert len(session) >= 32 and "." not in session
    assert signed.account_id not in session
    decoded = base64.urlsafe_b64decode(session + "=" * (-len(session) % 4))
    assert len(decoded) >= 16
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(decoded)


def test_a_tampered_access_cookie_is_refused(
    live: LiveServer, signed: Signed, web: httpx.Client, bob: Identity, new_client: Any
) -> None:
    access = signed.cookies["access"]
    other = open_signup(new_client(), bob, "bob_web")
    variants = [
        access[:-2] + ("AA" if not access.endswith("AA") else "BB"),
        access.split(".")[0],
        access + ".x",
        "x" + access,
        access.split(".")[0] + "." + other.cookies["access"].split(".")[1],
        other.cookies["access"].split(".")[0] + "." + access.split(".")[1],
    ]
    for variant in variants:
        expect_error(with_cookies(live, "GET", SESSION, {"access": variant}), 401)


def test_every_login_makes_a_new_session(
    live: LiveServer, web: httpx.Client, new_client: Any, alice: Identity
) -> None:
    open_signup(web, alice, "alice_web")
    one, two = open_login(new_client(), alice), open_login(new_client(), alice)
    assert one.cookies["session"] != two.cookies["session"]
    assert one.cookies["access"] != two.cookies["access"]
    assert one.csrf != two.csrf
    ok(one.refresh())
    ok(two.refresh())
    # Ending one leaves the other alive.
    ok(one.client.post(LOGOUT, headers={"X-CSRF-Token": one.csrf}), 204)
    expect_error(with_cookies(live, "POST", REFRESH, one.cookies, headers=_csrf(one)), 401)
    ok(two.refresh())
    ok(two.session())
    assert ok(two.patch({"profile": "still here"}))["profile"] == "still here"


def _csrf(signed: Signed) -> dict[str, str]:
    return {"X-CSRF-Token": signed.csrf}


# 5. CSRF -------------------------------------------------------------------------------------


def _wrong_csrfs(signed: Signed, other: Signed) -> list[dict[str, str]]:
    return [
        {},
        {"X-CSRF-Token": ""},
        {"X-CSRF-Token": str(uuid.uuid4())},
        {"X-CSRF-Token": signed.csrf.upper()},
        {"X-CSRF-Token": signed.csrf[:-1]},
        {"X-CSRF-Token": other.csrf},  # another session's token
    ]


@pytest.fixture
def pair(new_client: Any, alice: Identity, bob: Identity) -> tuple[Signed, Signed, Signed]:
    """Alice (two sessions) and Bob."""
    first = open_signup(new_client(), alice, "alice_web")
    second = open_login(new_client(), alice)
    other = open_signup(new_client(), bob, "bob_web")
    return first, second, other


def test_refresh_needs_the_sessions_csrf_token(pair: tuple[Signed, Signed, Signed]) -> None:
    signed, same_user, other_user = pair
    for other in (same_user, other_user):
        for headers in _wrong_csrfs(signed, other):
            response = signed.client.post(REFRESH, headers=headers)
            expect_error(response, 403, "csrf_failed")
            assert "set-cookie" not in response.headers
    ok(signed.refresh())


def test_logout_needs_the_sessions_csrf_token(pair: tuple[Signed, Signed, Signed]) -> None:
    signed, same_user, other_user = pair
    for other in (same_user, other_user):
        for headers in _wrong_csrfs(signed, other):
            response = signed.client.post(LOGOUT, headers=headers)
            expect_error(response, 403, "csrf_failed")
            assert "set-cookie" not in response.headers
    # Still alive: the session opens GET session and refreshes.
    ok(signed.session())
    ok(signed.refresh())
    ok(same_user.refresh())


def test_patch_needs_the_sessions_csrf_token(
    live: LiveServer, pair: tuple[Signed, Signed, Signed]
) -> None:
    signed, same_user, other_user = pair
    for other in (same_user, other_user):
        for headers in _wrong_csrfs(signed, other):
            response = signed.client.patch(
                ME, json={"username": "renamed", "profile": "changed"}, headers=headers
            )
            expect_error(response, 403, "csrf_failed")
    info = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))
    assert info["username"] == "alice_web" and info["profile"] is None
    # The other session's cookies with this session's CSRF token: refused too.
    response = with_cookies(
        live, "PATCH", ME, same_user.cookies, headers=_csrf(signed), json={"username": "renamed"}
    )
    expect_error(response, 403, "csrf_failed")
    assert ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))["username"] == "alice_web"


# 6. Session, refresh, logout ------------------------------------------------------------------


def test_get_session(signed: Signed, clock: FrozenClock) -> None:
    body = ok(signed.session())
    assert set(body) >= {"userInfo", "isAdmin", "expires", "csrf"}
    assert body["userInfo"] == signed.body["userInfo"]
    assert body["isAdmin"] is False
    assert body["csrf"] == signed.csrf
    assert body["expires"] == signed.body["expires"]


def test_get_session_needs_a_valid_session(live: LiveServer) -> None:
    expect_error(httpx.get(live.url + SESSION), 401)
    expect_error(with_cookies(live, "GET", SESSION, {"access": "nonsense"}), 401)
    expect_error(with_cookies(live, "GET", SESSION, {"access": ""}), 401)


def test_refresh_renews_the_access_cookie(
    live: LiveServer, signed: Signed, clock: FrozenClock
) -> None:
    old_access = signed.cookies["access"]
    clock.advance(ACCESS_SECONDS + 1)
    expect_error(with_cookies(live, "GET", SESSION, {"access": old_access}), 401)
    response = signed.refresh()
    body = ok(response)
    assert body["expires"] == int(clock() + ACCESS_SECONDS)
    assert body["userInfo"] == signed.body["userInfo"]
    assert body["csrf"] == signed.csrf
    assert body["isAdmin"] is False
    cookies = set_cookies(response)
    assert set(cookies) == {"access"}, "refresh renews access only"
    new_access = cookies["access"][0]
    assert new_access != old_access
    assert (
        ok(with_cookies(live, "GET", SESSION, {"access": new_access}))["expires"]
        == (body["expires"])
    )
    assert ok(signed.session())["expires"] == body["expires"]


def test_refresh_needs_a_session_cookie(live: LiveServer, signed: Signed) -> None:
    response = with_cookies(live, "POST", REFRESH, {}, headers=_csrf(signed))
    assert response.status_code in (401, 403)
    expect_error(response, response.status_code)
    response = with_cookies(
        live, "POST", REFRESH, {"session": "made-up"}, headers={"X-CSRF-Token": signed.csrf}
    )
    assert response.status_code in (401, 403)
    expect_error(response, response.status_code)


def test_logout(live: LiveServer, signed: Signed) -> None:
    cookies = signed.cookies
    response = signed.client.post(LOGOUT, headers=_csrf(signed))
    ok(response, 204)
    cleared = set_cookies(response)
    assert set(cleared) == {"access", "session"}
    for value, attributes in cleared.values():
        assert value == ""
        assert attributes.get("max-age") == "0" or "expires" in attributes
        assert attributes.get("path") == "/"
    assert not signed.client.cookies
    expect_error(signed.session(), 401)
    # The old cookies, replayed: the session cannot refresh, the access cookie opens nothing.
    expect_error(with_cookies(live, "POST", REFRESH, cookies, headers=_csrf(signed)), 401)
    expect_error(with_cookies(live, "GET", SESSION, {"access": cookies["access"]}), 401)
    expect_error(
        with_cookies(
            live, "PATCH", ME, cookies, headers=_csrf(signed), json={"username": "renamed"}
        ),
        401,
    )
    # Logging out twice: the session is already gone.
    expect_error(with_cookies(live, "POST", LOGOUT, cookies, headers=_csrf(signed)), 401)


def test_idle_timeout(live: LiveServer, signed: Signed, clock: FrozenClock) -> None:
    clock.advance(IDLE_SECONDS - 60)
    ok(signed.refresh())  # used: the idle clock starts again
    clock.advance(IDLE_SECONDS - 60)
    ok(signed.refresh())
    clock.advance(IDLE_SECONDS + 1)
    response = signed.refresh()
    expect_error(response, 401)
    assert "set-cookie" not in response.headers
    expect_error(signed.session(), 401)
    clock.advance(-IDLE_SECONDS)  # ended for good, not merely idle
    expect_error(signed.refresh(), 401)


def test_absolute_lifetime(live: LiveServer, signed: Signed, clock: FrozenClock) -> None:
    start = clock()
    while clock() + 23 * HOUR < start + ABSOLUTE_SECONDS - HOUR:
        clock.advance(23 * HOUR)
        ok(signed.refresh())
    clock.advance(start + ABSOLUTE_SECONDS - 60 - clock())
    body = ok(signed.refresh())
    assert body["expires"] <= start + ABSOLUTE_SECONDS, "access must not outlive the session"
    clock.advance(61)
    expect_error(signed.refresh(), 401)
    expect_error(signed.session(), 401)


def test_disabling_the_user_ends_the_session(
    live: LiveServer, cognito: Any, pair: tuple[Signed, Signed, Signed], alice: Identity
) -> None:
    signed, same_user, other_user = pair
    ok(signed.refresh())
    cognito.admin_disable_user(UserPoolId=alice.pool.id, Username="alice")
    expect_error(signed.refresh(), 401)
    expect_error(same_user.refresh(), 401)
    ok(other_user.refresh())
    cognito.admin_enable_user(UserPoolId=alice.pool.id, Username="alice")
    expect_error(signed.refresh(), 401)


def test_deleting_the_user_ends_the_session(
    live: LiveServer, cognito: Any, pair: tuple[Signed, Signed, Signed], alice: Identity
) -> None:
    signed, _, other_user = pair
    cognito.admin_delete_user(UserPoolId=alice.pool.id, Username="alice")
    expect_error(signed.refresh(), 401)
    ok(other_user.refresh())


def test_global_sign_out_ends_the_session(
    cognito: Any, signed: Signed, alice: Identity, bob: Identity, new_client: Any
) -> None:
    other = open_signup(new_client(), bob, "bob_web")
    cognito.global_sign_out(AccessToken=alice.tokens["AccessToken"])
    expect_error(signed.refresh(), 401)
    ok(other.refresh())


def test_a_disabled_user_cannot_open_a_new_session(
    live: LiveServer, cognito: Any, signed: Signed, alice: Identity, new_client: Any
) -> None:
    """The ID token from before the disabling is still unexpired; it must not start a session
    that the next refresh would end anyway."""
    cognito.admin_disable_user(UserPoolId=alice.pool.id, Username="alice")
    expect_error(login(new_client(), alice.id_token), 401)


def test_a_signed_out_sign_in_cannot_open_a_new_session(
    live: LiveServer, cognito: Any, signed: Signed, alice: Identity, new_client: Any
) -> None:
    cognito.global_sign_out(AccessToken=alice.tokens["AccessToken"])
    expect_error(login(new_client(), alice.id_token), 401)


def test_revoking_the_refresh_token_ends_the_session(
    live: LiveServer, cognito: Any, signed: Signed, alice: Identity
) -> None:
    cognito.revoke_token(Token=alice.tokens["RefreshToken"], ClientId=alice.pool.client_id)
    expect_error(signed.refresh(), 401)


# 6. Users ------------------------------------------------------------------------------------


def test_get_user_is_public(live: LiveServer, signed: Signed) -> None:
    info = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))
    assert info == signed.body["userInfo"]
    assert set(info) == USER_INFO_KEYS
    upper = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id.upper()}"))
    assert upper["id"] == signed.account_id


def test_get_unknown_user_is_404(live: LiveServer, signed: Signed) -> None:
    for user_id in (str(uuid.uuid4()), "not-a-uuid", "me", "alice_web", "1", "%00", "x" * 300):
        response = httpx.get(f"{live.url}/api/v1/users/{user_id}")
        assert response.status_code == 404, (user_id, response.text)
        expect_error(response, 404)


def test_patch_me(live: LiveServer, signed: Signed, new_client: Any, alice: Identity) -> None:
    info = ok(signed.patch({"username": "Alice2", "profile": "Hi!"}))
    assert info == signed.body["userInfo"] | {"username": "Alice2", "profile": "Hi!"}
    info = ok(signed.patch({"emblem": EMBLEM, "avatar": AVATAR}))
    assert (info["emblem"], info["avatar"]) == (EMBLEM, AVATAR)
    assert info["username"] == "Alice2" and info["profile"] == "Hi!"
    assert ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}")) == info
    assert ok(signed.session())["userInfo"] == info
    assert ok(login(new_client(), alice.id_token))["userInfo"] == info
    info = ok(signed.patch({"emblem": None, "avatar": None, "profile": None}))
    assert (info["emblem"], info["avatar"], info["profile"]) == (None, None, None)
    assert ok(signed.patch({}))["username"] == "Alice2"
    # A change of case of one's own name is not a clash with oneself.
    assert ok(signed.patch({"username": "ALICE2"}))["username"] == "ALICE2"
    assert ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))["username"] == "ALICE2"


def test_patch_frees_the_old_username(
    live: LiveServer, signed: Signed, new_client: Any, bob: Identity
) -> None:
    ok(signed.patch({"username": "alice_new"}))
    assert ok(signup(new_client(), bob.id_token, "Alice_Web"))["userInfo"]["username"] == (
        "Alice_Web"
    )


def test_patch_to_a_taken_username_is_409(
    live: LiveServer, signed: Signed, new_client: Any, bob: Identity
) -> None:
    open_signup(new_client(), bob, "bob_web")
    for taken in ("bob_web", "BOB_WEB"):
        expect_error(signed.patch({"username": taken, "profile": "x"}), 409, "username_taken")
    info = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))
    assert info["username"] == "alice_web" and info["profile"] is None


INVALID_CHANGES: list[dict[str, Any]] = [
    {"username": "ab"},
    {"username": None},
    {"username": 5},
    {"username": "bad name"},
    {"profile": 5},
    {"profile": "x" * 1001},
    {"profile": "nul\x00"},
    {"emblem": "not-a-guid"},
    {"emblem": 5},
    {"emblem": ""},
    {"emblem": [EMBLEM]},
    {"avatar": 5},
    {"avatar": ""},
    {"avatar": "../etc/passwd"},
    {"avatar": "public/../../secret.jpg"},
    {"avatar": "public//x.jpg"},
    {"avatar": "/absolute.jpg"},
    {"avatar": "https://evil.example/x.jpg"},
    {"avatar": "a b.jpg"},
    {"avatar": "x" * 513},
    {"avatar": "public/x.jpg?y=1"},
    {"username": "fine_name", "emblem": "not-a-guid"},
]


def test_patch_rejects_invalid_values(live: LiveServer, signed: Signed) -> None:
    for changes in INVALID_CHANGES:
        response = signed.patch(changes)
        assert response.status_code == 400, (changes, response.text)
        expect_error(response, 400)
    info = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))
    assert info == signed.body["userInfo"], "nothing changes"


def test_patch_rejects_unknown_fields(live: LiveServer, signed: Signed) -> None:
    for changes in (
        {"isAdmin": True},
        {"is_admin": True},
        {"id": str(uuid.uuid4())},
        {"email": "x@example.com"},
    ):
        message = expect_error(signed.patch(changes | {"profile": "changed"}), 400)
        assert next(iter(changes)) in message
    info = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))
    assert info == signed.body["userInfo"]
    assert ok(signed.session())["isAdmin"] is False


def test_patch_needs_a_session(live: LiveServer, signed: Signed) -> None:
    response = httpx.patch(live.url + ME, json={"username": "x_y_z"}, headers=_csrf(signed))
    expect_error(response, 401)


# 7. Errors -----------------------------------------------------------------------------------


MALFORMED_BODIES = [
    b"{",
    b"not json",
    b"",
    b"{'idToken': 'x'}",
    b"\xff\xfe",
    b'{"idToken": "x"} trailing',
]
NON_OBJECTS: list[Any] = [[], ["idToken"], "idToken", 1, None, True]


def test_malformed_or_non_object_json_is_400_invalid_json(live: LiveServer, signed: Signed) -> None:
    headers = V2 | {"Content-Type": "application/json"}
    for body in MALFORMED_BODIES + [orjson.dumps(value) for value in NON_OBJECTS]:
        for path in (LOGIN, SIGNUP):
            response = httpx.post(live.url + path, content=body, headers=headers)
            assert response.status_code == 400, (body, response.text)
            expect_error(response, 400, "invalid_json")
        response = signed.client.patch(ME, content=body, headers=headers | _csrf(signed))
        assert response.status_code == 400, (body, response.text)
        expect_error(response, 400, "invalid_json")
    assert ok(signed.session())["userInfo"] == signed.body["userInfo"]
    assert accounts(live) == [live.run(live.store.get_account(signed.account_id))]


class TestBodyLimit:
    LIMIT = 4096

    @pytest.fixture
    def server_options(self) -> dict[str, Any]:
        return {"insecure_localhost_cookies": True, "max_body_bytes": self.LIMIT}

    def test_oversized_bodies_are_413(
        self, live: LiveServer, web: httpx.Client, alice: Identity
    ) -> None:
        signed = open_signup(web, alice, "alice_web")
        big = {"idToken": alice.id_token, "username": "x_y_z", "profile": "p" * self.LIMIT}
        for path in (LOGIN, SIGNUP):
            response = httpx.post(live.url + path, json=big, headers=V2)
            expect_error(response, 413)
        expect_error(signed.patch({"profile": "p" * self.LIMIT}), 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
            yield b'{"idToken": "'
            for _ in range(self.LIMIT // 512 + 2):
                yield b"a" * 512
            yield b'"}'

        response = httpx.post(live.url + LOGIN, content=chunks(), headers=V2)
        expect_error(response, 413)
        assert len(accounts(live)) == 1
        info = ok(httpx.get(f"{live.url}/api/v1/users/{signed.account_id}"))
        assert info["profile"] is None
        # Exactly the limit is fine; one byte more is not.
        base = len(orjson.dumps({"idToken": alice.id_token, "pad": ""}))
        exact = orjson.dumps({"idToken": alice.id_token, "pad": "x" * (self.LIMIT - base)})
        assert len(exact) == self.LIMIT
        headers = V2 | {"Content-Type": "application/json"}
        ok(httpx.post(live.url + LOGIN, content=exact, headers=headers))
        over = orjson.dumps({"idToken": alice.id_token, "pad": "x" * (self.LIMIT - base + 1)})
        expect_error(httpx.post(live.url + LOGIN, content=over, headers=headers), 413)


def test_errors_are_json_not_tracebacks(live: LiveServer) -> None:
    """A sample of every error status of the API."""
    expect_error(httpx.post(live.url + LOGIN, json={"idToken": "x"}), 400)
    expect_error(httpx.post(live.url + LOGIN, json={"idToken": "x"}, headers=V2), 401)
    expect_error(httpx.post(live.url + REFRESH), 403)
    expect_error(httpx.get(live.url + "/api/v1/users/nobody"), 404)
    expect_error(httpx.get(live.url + SESSION), 401)


# 8. OpenAPI and the error table ---------------------------------------------------------------


def test_openapi_describes_every_route(live: LiveServer) -> None:
    response = httpx.get(live.url + "/api/v1/openapi.json")
    document = ok(response)
    assert response.headers["content-type"].startswith("application/json")
    assert document == orjson.loads(orjson.dumps(SESSION_OPENAPI))
    assert document["openapi"].startswith("3.")
    served = {
        (route.path, method.lower())
        for route in [*SessionApi().routes(), *MintApi().routes(), *PartnerApi().routes()]
        if isinstance(route, Route)
        for method in (route.methods or ())
        if method != "HEAD"
    }
    documented = {
        (path, method) for path, operations in document["paths"].items() for method in operations
    }
    assert served - documented == set(), "routes the document does not describe"
    assert documented - served == set(), "documented routes that are not served"


def test_openapi_names_the_headers_and_schemas(live: LiveServer) -> None:
    document = ok(httpx.get(live.url + "/api/v1/openapi.json"))
    paths = document["paths"]

    def header_names(path: str, method: str) -> set[str]:
        return {
            p["name"].lower()
            for p in paths[path][method].get("parameters", [])
            if p.get("in") == "header"
        }

    for path in (LOGIN, SIGNUP):
        assert "x-endless-auth" in header_names(path, "post")
    for path, method in ((REFRESH, "post"), (LOGOUT, "post"), (ME, "patch")):
        assert "x-csrf-token" in header_names(path, method)
    schemas = document["components"]["schemas"]
    refs = {
        part.rsplit("/", 1)[-1]
        for part in _strings(document)
        if part.startswith("#/components/schemas/")
    }
    assert refs <= set(schemas)
    assert set(schemas["UserInfo"]["properties"]) == USER_INFO_KEYS
    login_response = schemas["LoginResponse"]["properties"]
    assert set(login_response) == {"newAccount", "userInfo", "isAdmin", "csrf", "expires"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_every_core_error_has_a_row() -> None:
    missing = [cls.__name__ for cls in ALL_ERRORS if cls not in ERRORS]
    assert missing == []
    for status, code in ERRORS.values():
        assert 400 <= status < 600 and code


def test_routing_errors_under_api_are_json(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as http:
        wrong_method = http.get("/api/v1/auth/cognito/login")
        assert wrong_method.status_code == 405 and "POST" in wrong_method.headers["allow"]
        assert wrong_method.json()["error"] == "method_not_allowed"
        missing = http.get("/api/v1/nothing-here")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        assert http.get("/nothing-here").status_code == 404  # outside /api: not ours to shape
