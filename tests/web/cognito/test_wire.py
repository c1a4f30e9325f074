"""Wire details of the Cognito JSON protocol, spoken with raw HTTP (httpx) to a live server.

``POST /`` with ``X-Amz-Target: AWSCognitoIdentityProviderService.<Action>``; bodies in
``application/x-amz-json-1.0`` or ``-1.1``; responses in ``application/x-amz-json-1.1`` with an
``x-amzn-RequestId``; errors as ``{"__type", "message"}`` with ``x-amzn-ErrorType: <Name>:``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import httpx
import jwt
import orjson
import pytest

from tests.conftest import PASSWORD, LiveServer, Pool, make_pool, make_user

TARGET = "AWSCognitoIdentityProviderService."
JSON_11 = "application/x-amz-json-1.1"
JSON_10 = "application/x-amz-json-1.0"


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def call(
    http: httpx.Client,
    action: str | None,
    body: Any,
    *,
    content_type: str = JSON_11,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST / with ``body`` (bytes as is, anything else as JSON) for ``action``."""
    sent = {"Content-Type": content_type, **(headers or {})}
    if action is not None:
        sent["X-Amz-Target"] = TARGET + action
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return http.post("/", content=content, headers=sent)


def assert_request_id(response: httpx.Response) -> None:
    rid = response.headers.get("x-amzn-RequestId")
    assert rid is not None, response.headers
    assert str(uuid.UUID(rid)) == rid.lower()


def assert_success(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON_11
    assert_request_id(response)
    body = response.json()
    assert isinstance(body, dict)
    return body


def assert_error(response: httpx.Response, type_name: str, status: int = 400) -> str:
    """Check the whole error envelope; return the message."""
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON_11
    assert response.headers["x-amzn-ErrorType"] == f"{type_name}:"
    assert_request_id(response)
    body = response.json()
    assert set(body) == {"__type", "message"}, body
    assert body["__type"] == type_name
    assert isinstance(body["message"], str) and body["message"]
    return str(body["message"])


def sign_up_body(pool: Pool, username: str = "bob", password: str = PASSWORD) -> dict[str, Any]:
    return {
        "ClientId": pool.client_id,
        "Username": username,
        "Password": password,
        "UserAttributes": [{"Name": "email", "Value": f"{username}@example.com"}],
    }


def password_auth_body(pool: Pool, username: str, password: str) -> dict[str, Any]:
    """The seed document's curl request, byte for byte in shape."""
    return {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": pool.client_id,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password},
    }


def assert_no_user(cognito: Any, pool: Pool, username: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        cognito.admin_get_user(UserPoolId=pool.id, Username=username)
    assert caught.value.response["Error"]["Code"] == "UserNotFoundException"


# Content types and successes ---------------------------------------------------------------


@pytest.mark.parametrize("content_type", [JSON_10, JSON_11, f"{JSON_11}; charset=utf-8"])
def test_sign_up_accepts_both_json_content_types(
    http: httpx.Client, pool: Pool, cognito: Any, content_type: str
) -> None:
    body = assert_success(call(http, "SignUp", sign_up_body(pool), content_type=content_type))
    assert body["UserConfirmed"] is False
    assert str(uuid.UUID(body["UserSub"])) == body["UserSub"]
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["Username"] == "bob"


@pytest.mark.parametrize("content_type", [JSON_10, JSON_11])
def test_initiate_auth_accepts_both_json_content_types(
    http: httpx.Client, pool: Pool, cognito: Any, content_type: str
) -> None:
    make_user(cognito, pool)
    response = call(
        http, "InitiateAuth", password_auth_body(pool, "alice", PASSWORD), content_type=content_type
    )
    assert "AccessToken" in assert_success(response)["AuthenticationResult"]


def test_password_sign_in_returns_the_authentication_result(
    http: httpx.Client, pool: Pool, cognito: Any
) -> None:
    make_user(cognito, pool)
    body = assert_success(call(http, "InitiateAuth", password_auth_body(pool, "alice", PASSWORD)))
    assert body["ChallengeParameters"] == {}
    result = body["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "IdToken", "RefreshToken", "TokenType"}
    assert result["ExpiresIn"] == 3600
    assert result["TokenType"] == "Bearer"
    for name in ("AccessToken", "IdToken", "RefreshToken"):
        assert isinstance(result[name], str) and result[name]
    assert jwt.get_unverified_header(result["AccessToken"])["alg"] == "RS256"


def test_wrong_password_is_not_authorized(http: httpx.Client, pool: Pool, cognito: Any) -> None:
    make_user(cognito, pool)
    response = call(http, "InitiateAuth", password_auth_body(pool, "alice", "Wr0ng-horse!"))
    assert assert_error(response, "NotAuthorizedException") == "Incorrect username or password."


# Protocol errors ---------------------------------------------------------------------------


def test_unknown_action(http: httpx.Client) -> None:
    assert_error(call(http, "FlyToTheMoon", {}), "UnknownOperationException")


@pytest.mark.parametrize("target", [None, "", "SomeOtherService.SignUp"])
def test_missing_or_foreign_target(http: httpx.Client, pool: Pool, target: str | None) -> None:
    headers = {"Content-Type": JSON_11}
    if target is not None:
        headers["X-Amz-Target"] = target
    response = http.post("/", content=orjson.dumps(sign_up_body(pool)), headers=headers)
    assert_error(response, "UnknownOperationException")


@pytest.mark.parametrize("raw", [b"{", b'{"ClientId": }', b"{'ClientId': 'x'}", b"\xff\xfe{}"])
def test_malformed_json(http: httpx.Client, raw: bytes) -> None:
    assert_error(call(http, "SignUp", raw), "SerializationException")


def test_wrong_field_type(http: httpx.Client, pool: Pool) -> None:
    body = sign_up_body(pool) | {"Username": 123}
    message = assert_error(call(http, "SignUp", body), "SerializationException")
    assert message == "NUMBER_VALUE can not be converted to a String"


def test_short_password_is_a_validation_error(http: httpx.Client, pool: Pool) -> None:
    message = assert_error(
        call(http, "SignUp", sign_up_body(pool, password="abc")), "ValidationException"
    )
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy "
        "constraint: Member must have length greater than or equal to 6"
    )


def test_missing_required_field(http: httpx.Client, pool: Pool) -> None:
    body = sign_up_body(pool)
    del body["ClientId"]
    message = assert_error(call(http, "SignUp", body), "ValidationException")
    assert message == (
        "1 validation error detected: Value null at 'clientId' failed to satisfy "
        "constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_unsupported_content_type(http: httpx.Client, pool: Pool, content_type: str) -> None:
    response = call(http, "SignUp", sign_up_body(pool), content_type=content_type)
    assert_error(response, "SerializationException")


def test_body_over_the_limit_is_413(http: httpx.Client, live: LiveServer, pool: Pool) -> None:
    padding = "x" * (live.settings.max_body_bytes + 1)
    response = call(http, "SignUp", sign_up_body(pool) | {"Padding": padding})
    assert_error(response, "SerializationException", 413)


def test_chunked_body_over_the_limit_is_413(http: httpx.Client, live: LiveServer) -> None:
    chunk = b" " * 65536
    count = live.settings.max_body_bytes // len(chunk) + 2
    response = http.post(
        "/",
        content=iter([b"{"] + [chunk] * count + [b"}"]),
        headers={"Content-Type": JSON_11, "X-Amz-Target": TARGET + "SignUp"},
    )
    assert "content-length" not in response.request.headers
    assert_error(response, "SerializationException", 413)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("SetUserMFAPreference", {"AccessToken": "a" * 40}),
        ("ListDevices", {"AccessToken": "a" * 40}),
    ],
)
def test_unimplemented_cognito_action(
    http: httpx.Client, action: str, body: dict[str, Any]
) -> None:
    response = call(http, action, body)
    assert action in assert_error(response, "UnsupportedOperationException")


def test_sign_in_of_unknown_user_is_not_authorized(http: httpx.Client, pool: Pool) -> None:
    response = call(http, "InitiateAuth", password_auth_body(pool, "nobody", PASSWORD))
    assert assert_error(response, "NotAuthorizedException") == "Incorrect username or password."


# Bad input changes nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "type_name"),
    [
        ({"Password": "abc"}, "ValidationException"),
        ({"Password": 123456789}, "SerializationException"),
        ({"UserAttributes": {"email": "bob@example.com"}}, "SerializationException"),
        ({"Password": "alllowercase"}, "InvalidPasswordException"),
        ({"ClientId": "nosuchclient"}, "ResourceNotFoundException"),
    ],
)
def test_rejected_sign_up_creates_no_user(
    http: httpx.Client, pool: Pool, cognito: Any, change: dict[str, Any], type_name: str
) -> None:
    assert_error(call(http, "SignUp", sign_up_body(pool) | change), type_name)
    assert_no_user(cognito, pool, "bob")
    assert cognito.list_users(UserPoolId=pool.id)["Users"] == []


def test_rejected_sign_up_of_existing_user_keeps_the_old_password(
    http: httpx.Client, pool: Pool, cognito: Any
) -> None:
    make_user(cognito, pool, "bob")
    response = call(http, "SignUp", sign_up_body(pool, password="An0ther-horse!"))
    assert_error(response, "UsernameExistsException")
    assert_success(call(http, "InitiateAuth", password_auth_body(pool, "bob", PASSWORD)))
    response = call(http, "InitiateAuth", password_auth_body(pool, "bob", "An0ther-horse!"))
    assert_error(response, "NotAuthorizedException")


def assert_not_internal(response: httpx.Response) -> None:
    """Bad input is the client's fault: success or a 400, never our 500."""
    assert "Traceback" not in response.text and 'File "' not in response.text
    if response.status_code != 200:
        assert_error(response, response.json().get("__type", "?"))
        assert response.json()["__type"] != "InternalErrorException"


def test_nul_in_a_username_is_an_ordinary_failed_sign_in(
    http: httpx.Client, pool: Pool, cognito: Any
) -> None:
    make_user(cognito, pool)
    response = call(http, "InitiateAuth", password_auth_body(pool, "alice\u0000", PASSWORD))
    assert assert_error(response, "NotAuthorizedException") == "Incorrect username or password."


def test_nul_in_a_sign_in_alias_is_not_an_internal_error(http: httpx.Client, cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"AliasAttributes": ["preferred_username"]})
    body = sign_up_body(pool) | {
        "UserAttributes": [{"Name": "preferred_username", "Value": "b\u0000b"}]
    }
    assert_not_internal(call(http, "SignUp", body))


@pytest.mark.parametrize(
    ("operation", "token_member"),
    [
        ("list_users", "PaginationToken"),
        ("list_user_pool_clients", "NextToken"),
        ("list_user_pools", "NextToken"),
    ],
)
def test_nul_in_a_pagination_token_is_not_an_internal_error(
    cognito: Any, pool: Pool, operation: str, token_member: str
) -> None:
    args = {"MaxResults": 10} if operation == "list_user_pools" else {"UserPoolId": pool.id}
    try:
        getattr(cognito, operation)(**args, **{token_member: "a\u0000b"})
    except botocore.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] != "InternalErrorException"
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# CORS ---------------------------------------------------------------------------------------


def _csv(response: httpx.Response, header: str) -> set[str]:
    return {item.strip().lower() for item in response.headers[header].split(",")}


def test_cors_preflight(http: httpx.Client) -> None:
    response = http.options(
        "/",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in {"*", "https://app.example.com"}
    assert "post" in _csv(response, "access-control-allow-methods")
    allowed = _csv(response, "access-control-allow-headers")
    assert {"content-type", "x-amz-target", "x-amz-user-agent"} <= allowed
    assert "Traceback" not in response.text


def test_cors_headers_on_success_and_error(http: httpx.Client, pool: Pool) -> None:
    origin = {"Origin": "https://app.example.com"}
    ok = call(http, "SignUp", sign_up_body(pool), headers=origin)
    bad = call(http, "SignUp", sign_up_body(pool, "carol", password="abc"), headers=origin)
    assert_success(ok)
    assert_error(bad, "ValidationException")
    for response in (ok, bad):
        assert response.headers["access-control-allow-origin"] in {"*", "https://app.example.com"}
        exposed = _csv(response, "access-control-expose-headers")
        assert {"x-amzn-requestid", "x-amzn-errortype"} <= exposed


# Discovery ----------------------------------------------------------------------------------


def test_jwks(http: httpx.Client, pool: Pool) -> None:
    response = http.get(f"/{pool.id}/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    keys = response.json()["keys"]
    assert keys
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert key["kid"] and key["n"] and key["e"]
        assert "d" not in key and "p" not in key and "q" not in key
    assert len({key["kid"] for key in keys}) == len(keys)


def test_openid_configuration_matches_the_tokens(
    http: httpx.Client, pool: Pool, cognito: Any
) -> None:
    make_user(cognito, pool)
    response = call(http, "InitiateAuth", password_auth_body(pool, "alice", PASSWORD))
    result = assert_success(response)["AuthenticationResult"]
    response = http.get(f"/{pool.id}/.well-known/openid-configuration")
    assert response.status_code == 200
    config = response.json()
    jwks = httpx.get(config["jwks_uri"], timeout=30)
    assert jwks.status_code == 200
    keys = {key["kid"]: key for key in jwks.json()["keys"]}
    for name, audience in (("IdToken", pool.client_id), ("AccessToken", None)):
        token = result[name]
        key = jwt.PyJWK(keys[jwt.get_unverified_header(token)["kid"]])
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            options={
                "verify_aud": audience is not None,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        assert claims["iss"] == config["issuer"]
    assert config["issuer"].endswith(f"/{pool.id}")
    assert "RS256" in config["id_token_signing_alg_values_supported"]


@pytest.mark.parametrize("document", ["jwks.json", "openid-configuration"])
def test_unknown_pool_discovery_is_404_json(http: httpx.Client, document: str) -> None:
    response = http.get(f"/us-east-1_NoSuchPoo/.well-known/{document}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json(), dict)
    assert "Traceback" not in response.text
