"""The managed-users API (issue 7, seed 000 "Using anonymous managed user accounts"): the life
cycle of anonymous users, cursor pagination, isolation between partners, anonymity, quotas,
every documented error, and the managed users' tokens, verified with PyJWT against the pool's
JWKS and refreshed through boto3."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import LiveServer, Pool, error, make_pool, make_user, sign_in
from tests.web.partner.conftest import (
    API,
    NewPartner,
    PartnerAccount,
    claims,
    expect_error,
)

DAY = 86400
PERSONAL = {"email", "phone_number", "name", "given_name", "family_name", "middle_name"}


def verify(
    live: LiveServer, pool_id: str, token: str, audience: str | None = None
) -> dict[str, Any]:
    """Check a token as a resource server would: RS256, a key from the pool's JWKS, the issuer."""
    jwks = jwt.PyJWKClient(f"{live.url}/{pool_id}/.well-known/jwks.json", cache_keys=False)
    key = jwks.get_signing_key_from_jwt(token)
    return dict(
        jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=f"{live.url}/{pool_id}",
            audience=audience,
            options={
                "verify_aud": audience is not None,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    )


def _when(value: str) -> datetime:
    assert value.endswith("Z") or value.endswith("+00:00"), value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0
    return parsed


def _attributes(cognito: Any, pool_id: str, username: str) -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def _every_operation(
    acme: PartnerAccount, user_id: str, headers: dict[str, str]
) -> list[httpx.Response]:
    http = acme.http
    return [
        http.post(API, json={}, headers=headers),
        http.get(API, headers=headers),
        http.get(f"{API}/{user_id}", headers=headers),
        http.delete(f"{API}/{user_id}", headers=headers),
        http.post(f"{API}/{user_id}/tokens", headers=headers),
    ]


# Life cycle -------------------------------------------------------------------------------------


def test_the_managed_user_life_cycle(live: LiveServer, acme: PartnerAccount) -> None:
    empty = acme.http.post(API, headers=acme.auth())  # no body at all
    assert empty.status_code == 201, empty.text
    assert empty.headers["content-type"].startswith("application/json")
    plain = acme.create({})
    assert plain.status_code == 201, plain.text
    named = acme.create({"externalId": "shop-user-42"})
    assert named.status_code == 201, named.text
    users = [empty.json(), plain.json(), named.json()]
    for user in users:
        assert set(user) == {"userId", "externalId", "createdAt"}
        assert str(uuid.UUID(user["userId"])) == user["userId"].lower()
        assert abs(_when(user["createdAt"]).timestamp() - live.clock()) < 2
    assert [u["externalId"] for u in users] == [None, None, "shop-user-42"]
    assert len({u["userId"] for u in users}) == 3

    listed = acme.list()
    assert listed.status_code == 200, listed.text
    assert listed.headers["content-type"].startswith("application/json")
    page = listed.json()
    assert set(page) == {"users", "nextCursor"} and page["nextCursor"] is None
    assert sorted(page["users"], key=lambda u: u["userId"]) == sorted(
        users, key=lambda u: u["userId"]
    )
    for user in users:
        got = acme.get(user["userId"])
        assert got.status_code == 200 and got.json() == user
    found = acme.list(externalId="shop-user-42").json()
    assert found["users"] == [named.json()]
    assert acme.list(externalId="nobody").json()["users"] == []

    gone = acme.delete(plain.json()["userId"])
    assert gone.status_code == 204 and gone.content == b""
    expect_error(acme.get(plain.json()["userId"]), 404, "not_found")
    expect_error(acme.delete(plain.json()["userId"]), 404, "not_found")
    expect_error(acme.issue(plain.json()["userId"]), 404, "not_found")
    assert {u["userId"] for u in acme.all_users()} == {
        empty.json()["userId"],
        named.json()["userId"],
    }


def test_the_id_token_goes_bare_or_as_a_bearer_token(acme: PartnerAccount) -> None:
    user = acme.new_user()
    for headers in (acme.auth(bearer=False), acme.auth(bearer=True)):
        assert acme.http.get(f"{API}/{user['userId']}", headers=headers).json() == user
        assert acme.http.post(API, json={}, headers=headers).status_code == 201


def test_cursor_pagination_visits_every_user_once(acme: PartnerAccount) -> None:
    made = {acme.new_user(f"u{i}")["userId"] for i in range(5)}
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = acme.list(**params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["users"]) <= 2
        seen += [u["userId"] for u in page["users"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
        assert pages < 10
    assert pages == 3
    assert sorted(seen) == sorted(made)


def test_the_default_limit_is_50_and_the_largest_100(acme: PartnerAccount) -> None:
    made = {acme.new_user()["userId"] for _ in range(51)}
    first = acme.list().json()
    assert len(first["users"]) == 50 and first["nextCursor"]
    second = acme.list(cursor=first["nextCursor"]).json()
    assert len(second["users"]) == 1 and second["nextCursor"] is None
    assert {u["userId"] for u in first["users"] + second["users"]} == made
    everything = acme.list(limit=100).json()
    assert len(everything["users"]) == 51 and everything["nextCursor"] is None
    assert len(acme.list(limit=1).json()["users"]) == 1


# Tokens -----------------------------------------------------------------------------------------


def test_tokens_verify_against_the_jwks_and_refresh_through_boto3(
    live: LiveServer, acme: PartnerAccount, cognito: Any
) -> None:
    user = acme.new_user("player-1")
    response = acme.issue(user["userId"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    result = response.json()["AuthenticationResult"]
    assert set(result) == {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert result["TokenType"] == "Bearer" and isinstance(result["ExpiresIn"], int)
    id_claims = verify(live, acme.pool_id, result["IdToken"], audience=acme.client_id)
    access = verify(live, acme.pool_id, result["AccessToken"])
    assert jwt.get_unverified_header(result["IdToken"])["alg"] == "RS256"
    assert id_claims["sub"] == access["sub"] == user["userId"]
    assert id_claims["token_use"] == "id" and access["token_use"] == "access"
    assert access["client_id"] == acme.client_id
    assert id_claims["idmint:partner"] == access["idmint:partner"] == acme.id
    assert access["exp"] - access["iat"] == result["ExpiresIn"]
    assert not PERSONAL & set(id_claims), id_claims
    me = cognito.get_user(AccessToken=result["AccessToken"])
    attributes = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
    assert attributes["sub"] == user["userId"] and not PERSONAL & set(attributes)

    refreshed = cognito.initiate_auth(
        ClientId=acme.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    new_id = verify(live, acme.pool_id, refreshed["IdToken"], audience=acme.client_id)
    new_access = verify(live, acme.pool_id, refreshed["AccessToken"])
    assert new_id["sub"] == new_access["sub"] == user["userId"]
    assert new_id["idmint:partner"] == new_access["idmint:partner"] == acme.id
    assert new_access["client_id"] == acme.client_id
    assert cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == me["Username"]
    # Issuing again gives a new sign-in; the first one keeps working.
    again = acme.user_tokens(user["userId"])
    assert again["RefreshToken"] != result["RefreshToken"]
    assert cognito.get_user(AccessToken=result["AccessToken"])


def test_a_managed_users_tokens_are_not_partner_credentials(acme: PartnerAccount) -> None:
    """They name the partner and are issued to its client, yet act for no partner."""
    user = acme.new_user()
    tokens = acme.user_tokens(user["userId"])
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        for response in _every_operation(acme, user["userId"], acme.auth(token)):
            expect_error(response, 401, "invalid_token")
    assert acme.get(user["userId"]).status_code == 200


def test_deleting_a_managed_user_revokes_its_tokens(acme: PartnerAccount, cognito: Any) -> None:
    user = acme.new_user()
    keep = acme.new_user()
    tokens = acme.user_tokens(user["userId"])
    other = acme.user_tokens(keep["userId"])
    refreshed = cognito.initiate_auth(
        ClientId=acme.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert acme.delete(user["userId"]).status_code == 204
    for access in (tokens["AccessToken"], refreshed["AccessToken"]):
        with pytest.raises(ClientError) as exc:
            cognito.get_user(AccessToken=access)
        assert error(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=acme.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert error(exc)[0] == "NotAuthorizedException"
    assert cognito.get_user(AccessToken=other["AccessToken"])  # the other user is untouched


# Isolation --------------------------------------------------------------------------------------


def test_two_partners_see_only_their_own_users(
    acme: PartnerAccount, globex: PartnerAccount
) -> None:
    mine = acme.new_user("same-id")
    theirs = globex.new_user("same-id")  # the same externalId, another partner: allowed
    assert mine["userId"] != theirs["userId"]
    for a, b, user in ((acme, globex, theirs), (globex, acme, mine)):
        assert user["userId"] not in {u["userId"] for u in a.all_users()}
        expect_error(a.get(user["userId"]), 404, "not_found")
        expect_error(a.issue(user["userId"]), 404, "not_found")
        expect_error(a.delete(user["userId"]), 404, "not_found")
        assert b.get(user["userId"]).json() == user  # still there
        found = a.list(externalId="same-id").json()["users"]
        assert [u["userId"] for u in found] == [(mine if a is acme else theirs)["userId"]]
    assert [u["userId"] for u in acme.all_users()] == [mine["userId"]]
    assert [u["userId"] for u in globex.all_users()] == [theirs["userId"]]


def test_partners_of_other_pools_are_isolated_too(
    cognito: Any, acme: PartnerAccount, new_partner: NewPartner
) -> None:
    elsewhere = new_partner("initech", pool_id=make_pool(cognito).id)
    theirs = elsewhere.new_user("x")
    mine = acme.new_user("x")
    expect_error(acme.get(theirs["userId"]), 404, "not_found")
    expect_error(elsewhere.get(mine["userId"]), 404, "not_found")
    expect_error(elsewhere.delete(mine["userId"]), 404, "not_found")
    expect_error(elsewhere.issue(mine["userId"]), 404, "not_found")
    assert [u["userId"] for u in elsewhere.all_users()] == [theirs["userId"]]
    tokens = elsewhere.user_tokens(theirs["userId"])
    assert claims(tokens["IdToken"])["iss"].endswith(f"/{elsewhere.pool_id}")


def test_users_that_are_not_managed_users_are_not_found(
    acme: PartnerAccount, globex: PartnerAccount, cognito: Any, pool: Pool
) -> None:
    """The pool's ordinary users and the partners' own API users are no partner's to touch."""
    ordinary = make_user(cognito, pool)
    api_users = [claims(p.id_token)["sub"] for p in (acme, globex)]
    for sub in (ordinary, *api_users):
        expect_error(acme.get(sub), 404, "not_found")
        expect_error(acme.issue(sub), 404, "not_found")
        expect_error(acme.delete(sub), 404, "not_found")
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="alice")["Enabled"]
    assert acme.sign_in() and globex.sign_in()
    assert sign_in(cognito, pool)["IdToken"]
    assert acme.all_users() == []


def test_unknown_and_malformed_user_ids_are_not_found(acme: PartnerAccount) -> None:
    acme.new_user()
    for user_id in (str(uuid.uuid4()), "not-a-uuid", "1", "x" * 300, "%20", "ü"):
        expect_error(acme.get(user_id), 404, "not_found")
        expect_error(acme.delete(user_id), 404, "not_found")
        expect_error(acme.issue(user_id), 404, "not_found")


# Anonymity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"email": "kate@example.com"},
        {"name": "Kate Smith"},
        {"phone_number": "+15555550100"},
        {"given_name": "Kate"},
        {"family_name": "Smith"},
        {"birthdate": "1990-01-01"},
        {"custom:team": "blue"},
        {"anything": "else"},
        {"externalId": "ok-id", "email": "kate@example.com"},
        {"externalId": "ok-id", "userId": str(uuid.UUID(int=1))},
    ],
)
def test_personal_data_is_refused_and_nothing_is_created(
    acme: PartnerAccount, body: dict[str, Any]
) -> None:
    expect_error(acme.create(body), 400, "personal_data_not_allowed")
    assert acme.all_users() == []
    assert acme.create({"externalId": "ok-id"}).status_code == 201  # the id was not taken


def test_cognito_admin_cannot_put_personal_data_on_a_managed_user(
    acme: PartnerAccount, cognito: Any
) -> None:
    user = acme.new_user()
    username = claims(acme.user_tokens(user["userId"])["AccessToken"])["username"]
    before = _attributes(cognito, acme.pool_id, username)
    assert before["sub"] == user["userId"] and not PERSONAL & set(before)
    for name, value in [
        ("email", "kate@example.com"),
        ("phone_number", "+15555550100"),
        ("name", "Kate Smith"),
    ]:
        with pytest.raises(ClientError) as exc:
            cognito.admin_update_user_attributes(
                UserPoolId=acme.pool_id,
                Username=username,
                UserAttributes=[{"Name": name, "Value": value}],
            )
        assert error(exc)[0] == "InvalidParameterException", (name, error(exc))
    assert _attributes(cognito, acme.pool_id, username) == before


def test_a_managed_user_cannot_put_personal_data_on_itself(
    acme: PartnerAccount, cognito: Any
) -> None:
    """Issue 7: "a request that tries to store personal attributes on one is refused": the
    managed user's own access token and UpdateUserAttributes included."""
    user = acme.new_user()
    tokens = acme.user_tokens(user["userId"])
    username = claims(tokens["AccessToken"])["username"]
    before = _attributes(cognito, acme.pool_id, username)
    with pytest.raises(ClientError) as exc:
        cognito.update_user_attributes(
            AccessToken=tokens["AccessToken"],
            UserAttributes=[{"Name": "email", "Value": "kate@example.com"}],
        )
    assert error(exc)[0] == "InvalidParameterException", error(exc)
    assert _attributes(cognito, acme.pool_id, username) == before


# Errors -----------------------------------------------------------------------------------------


def _forge(token: str, **changes: Any) -> str:
    """The token's claims (changed) signed with a key of our own under the same kid."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header = jwt.get_unverified_header(token)
    return jwt.encode(
        claims(token) | changes, key, algorithm="RS256", headers={"kid": header["kid"]}
    )


def _tamper(token: str, **changes: Any) -> str:
    """The token's claims changed under its original signature."""
    head, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(claims(token) | changes).encode())
    return f"{head}.{payload.decode().rstrip('=')}.{signature}"


def _unsigned(token: str) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(json.dumps(claims(token)).encode()).decode().rstrip("=")
    return f"{header}.{payload}."


def test_bad_credentials_are_401_invalid_token(
    acme: PartnerAccount, globex: PartnerAccount, cognito: Any, pool: Pool
) -> None:
    user = acme.new_user()
    token = acme.id_token
    make_user(cognito, pool)
    outsider = sign_in(cognito, pool)["IdToken"]  # a non-partner user of the same pool
    cases: dict[str, dict[str, str]] = {
        "missing": {},
        "empty": {"Authorization": ""},
        "bearer alone": {"Authorization": "Bearer"},
        "garbage": {"Authorization": "Bearer not.a.token"},
        "basic": {"Authorization": "Basic YWNtZTpzZWNyZXQ="},
        "forged": acme.auth(_forge(token)),
        "forged other partner": acme.auth(_forge(globex.id_token, sub=claims(token)["sub"])),
        "tampered": acme.auth(_tamper(token, sub=claims(globex.id_token)["sub"])),
        "unsigned": acme.auth(_unsigned(token)),
        "access token": acme.auth(acme.tokens["AccessToken"]),
        "non-partner": acme.auth(outsider),
    }
    for name, headers in cases.items():
        for response in _every_operation(acme, user["userId"], headers):
            assert response.status_code == 401, (name, response.request.method, response.text)
            expect_error(response, 401, "invalid_token")
    assert [u["userId"] for u in acme.all_users()] == [user["userId"]]  # nothing changed


def test_an_expired_id_token_is_401(live: LiveServer, acme: PartnerAccount) -> None:
    user = acme.new_user()
    live.clock.advance(DAY + 1)
    for response in _every_operation(acme, user["userId"], acme.auth()):
        expect_error(response, 401, "invalid_token")
    acme.sign_in()
    assert acme.get(user["userId"]).status_code == 200


def test_a_signed_out_id_token_is_401(acme: PartnerAccount, cognito: Any) -> None:
    user = acme.new_user()
    old = acme.id_token
    cognito.global_sign_out(AccessToken=acme.tokens["AccessToken"])
    for response in _every_operation(acme, user["userId"], acme.auth(old)):
        expect_error(response, 401, "invalid_token")
    acme.sign_in()
    assert acme.get(user["userId"]).status_code == 200


def test_a_disabled_partner_is_401(acme: PartnerAccount, globex: PartnerAccount) -> None:
    user = acme.new_user()
    token = acme.id_token
    globex.new_user()
    acme.set_enabled(False)
    for response in _every_operation(acme, user["userId"], acme.auth(token)):
        expect_error(response, 401, "invalid_token")
    assert len(globex.all_users()) == 1  # others go on
    acme.set_enabled(True)
    acme.sign_in()
    assert [u["userId"] for u in acme.all_users()] == [user["userId"]]


def test_a_partner_whose_api_user_is_disabled_is_401(acme: PartnerAccount, cognito: Any) -> None:
    user = acme.new_user()
    cognito.admin_disable_user(UserPoolId=acme.pool_id, Username=f"partner-{acme.id}")
    for response in _every_operation(acme, user["userId"], acme.auth()):
        expect_error(response, 401, "invalid_token")


@pytest.mark.parametrize(
    "content",
    [b"{", b"{'externalId': 'x'}", b"[]", b'"x"', b"42", b"null", b"\xff\xfe"],
    ids=["truncated", "single-quotes", "array", "string", "number", "null", "not-utf8"],
)
def test_a_body_that_is_not_a_json_object_is_400(acme: PartnerAccount, content: bytes) -> None:
    headers = acme.auth() | {"Content-Type": "application/json"}
    expect_error(acme.http.post(API, content=content, headers=headers), 400, "invalid_request")
    assert acme.all_users() == []


@pytest.mark.parametrize(
    "external_id",
    [42, True, ["a"], {"a": "b"}, "", "x" * 129, "a\nb", "a\x00b", "\tx", "x\x1f", "x\x7f"],
    ids=["int", "bool", "list", "object", "empty", "129", "newline", "nul", "tab", "us", "del"],
)
def test_a_bad_external_id_is_400(acme: PartnerAccount, external_id: Any) -> None:
    expect_error(acme.create({"externalId": external_id}), 400, "invalid_request")
    assert acme.all_users() == []


def test_external_ids_of_1_to_128_characters_are_kept_exactly(acme: PartnerAccount) -> None:
    for external_id in ("x", "y" * 128, "é" * 128, "Ünïcode ✓ id", " padded "):
        made = acme.new_user(external_id)
        assert made["externalId"] == external_id
        found = acme.list(externalId=external_id).json()["users"]
        assert found == [made]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"cursor": "not a cursor!"},
        {"cursor": "AAAA"},
    ],
)
def test_a_bad_limit_or_cursor_is_400(acme: PartnerAccount, params: dict[str, str]) -> None:
    acme.new_user()
    acme.new_user()
    expect_error(acme.list(**params), 400, "invalid_request")


def test_a_duplicate_external_id_is_409(acme: PartnerAccount, globex: PartnerAccount) -> None:
    first = acme.new_user("player-7")
    expect_error(acme.create({"externalId": "player-7"}), 409, "external_id_taken")
    assert acme.list(externalId="player-7").json()["users"] == [first]
    assert globex.new_user("player-7")["externalId"] == "player-7"
    assert len(acme.all_users()) == 1
    assert acme.delete(first["userId"]).status_code == 204
    assert acme.new_user("player-7")["userId"] != first["userId"]  # deleting frees the id


def test_the_quota_is_403_and_deleting_frees_a_slot(
    acme: PartnerAccount, new_partner: NewPartner
) -> None:
    limited = new_partner("limited", max_managed_users=2)
    first, _ = limited.new_user(), limited.new_user()
    expect_error(limited.create(), 403, "quota_exceeded")
    expect_error(limited.create({"externalId": "later"}), 403, "quota_exceeded")
    assert len(limited.all_users()) == 2
    assert limited.delete(first["userId"]).status_code == 204
    assert limited.new_user("later")["externalId"] == "later"
    expect_error(limited.create(), 403, "quota_exceeded")
    for _ in range(3):  # an unlimited partner of the same pool is not held back
        acme.new_user()
    assert len(acme.all_users()) == 3


def test_the_managed_users_api_is_in_the_openapi_document(http: httpx.Client) -> None:
    response = http.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    operations = {
        (path, method)
        for path, item in paths.items()
        for method in item
        if path.startswith("/api/v1/managed-users")
    }
    assert {
        ("/api/v1/managed-users", "post"),
        ("/api/v1/managed-users", "get"),
        ("/api/v1/managed-users/{userId}", "get"),
        ("/api/v1/managed-users/{userId}", "delete"),
        ("/api/v1/managed-users/{userId}/tokens", "post"),
    } <= operations


def test_created_at_is_the_servers_clock(live: LiveServer, acme: PartnerAccount) -> None:
    live.clock.advance(3600)
    acme.sign_in()
    made = acme.new_user()
    assert abs(_when(made["createdAt"]).timestamp() - live.clock()) < 2
    assert _when(made["createdAt"]) > datetime.now(UTC)


def test_a_limit_of_unicode_digits_is_400(
    acme: PartnerAccount,
) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: still a bad limit, not a 500."""
    for limit in ("²", "1²", "٣٣٣"):
        expect_error(acme.list(limit=limit), 400, "invalid_request")


@pytest.mark.parametrize("external_id", ["x\x85", "\x9bx", "a\x80b"], ids=["nel", "csi", "pad"])
def test_an_external_id_with_a_c1_control_character_is_400(
    acme: PartnerAccount, external_id: str
) -> None:
    """U+0080 to U+009F are control characters too (Unicode category Cc)."""
    expect_error(acme.create({"externalId": external_id}), 400, "invalid_request")
    assert acme.all_users() == []


def _concurrently(acme: PartnerAccount, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body to the managed-users API at once."""
    headers = acme.auth()

    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=acme.live.url, timeout=30) as http:
            return list(
                await asyncio.gather(*(http.post(API, json=b, headers=headers) for b in bodies))
            )

    return asyncio.run(post_all())


def test_concurrent_creates_do_not_exceed_the_quota(new_partner: NewPartner) -> None:
    limited = new_partner("limited", max_managed_users=2)
    responses = _concurrently(limited, [{} for _ in range(12)])
    statuses = sorted(r.status_code for r in responses)
    created = len(limited.all_users())
    assert statuses == [201, 201] + [403] * 10, f"{created} made with a quota of 2: {statuses}"
    assert created == 2


def test_concurrent_creates_with_one_external_id_make_one_user(acme: PartnerAccount) -> None:
    responses = _concurrently(acme, [{"externalId": "race"} for _ in range(8)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7, [(r.status_code, r.text) for r in responses]
    for response in responses:
        if response.status_code == 409:
            expect_error(response, 409, "external_id_taken")
    assert len(acme.all_users()) == 1


def test_a_disabled_managed_user_gets_no_tokens(acme: PartnerAccount, cognito: Any) -> None:
    user = acme.new_user()
    cognito.admin_disable_user(UserPoolId=acme.pool_id, Username=user["userId"])
    expect_error(acme.issue(user["userId"]), 409, "user_disabled")
    cognito.admin_enable_user(UserPoolId=acme.pool_id, Username=user["userId"])
    assert acme.issue(user["userId"]).status_code == 200
