"""SigV4 on admin actions, driven by boto3 (and httpx for hand-made headers) against a live server.

Admin actions need a signature made with an idmint admin key; public ones (botocore's
``authtype: none``: SignUp, InitiateAuth, GetUser, ...) need none and ignore one if present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore
import httpx
import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import (
    PASSWORD,
    Database,
    FrozenClock,
    LiveServer,
    Pool,
    make_pool,
    start_server,
    stop_server,
)

TARGET = "AWSCognitoIdentityProviderService."
JSON_11 = "application/x-amz-json-1.1"


def unsigned_client(live: LiveServer) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=live.url,
        region_name="us-east-1",
        config=Config(
            signature_version=botocore.UNSIGNED,
            retries={"max_attempts": 1},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


def garbage_client(live: LiveServer) -> Any:
    return live.client(access_key="AKIAGARBAGEGARBAGE00", secret_key="not-a-secret-at-all")


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    """Run a boto3 call expected to fail; return (code, HTTP status, message)."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"].get("Message", ""),
    )


def pool_names(cognito: Any) -> list[str]:
    return [p["Name"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]]


def sigv4_headers(
    url: str, action: str, body: bytes, access_key: str, secret_key: str
) -> dict[str, str]:
    """Headers of a request correctly signed by botocore with the given (maybe bogus) key."""
    request = AWSRequest(
        method="POST",
        url=url + "/",
        data=body,
        headers={"Content-Type": JSON_11, "X-Amz-Target": TARGET + action},
    )
    SigV4Auth(Credentials(access_key, secret_key), "cognito-idp", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def assert_error_body(response: httpx.Response, type_name: str, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == f"{type_name}:"
    body = response.json()
    assert set(body) == {"__type", "message"}
    assert body["__type"] == type_name
    assert "Traceback" not in response.text and 'File "' not in response.text


# Admin actions -------------------------------------------------------------------------------


def test_valid_admin_key_works(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="signed")["UserPool"]
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "signed"
    assert pool_names(cognito) == ["signed"]


def test_wrong_secret_is_an_invalid_signature(live: LiveServer, cognito: Any) -> None:
    bad = live.client(secret_key="the-wrong-secret-access-key-000000000")
    code, status, message = error_of(lambda: bad.create_user_pool(PoolName="evil"))
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith("The request signature we calculated does not match")
    assert live.admin_key.secret_access_key not in message
    assert pool_names(cognito) == []


def test_unknown_access_key_is_unrecognized(live: LiveServer, cognito: Any) -> None:
    code, status, _ = error_of(lambda: garbage_client(live).create_user_pool(PoolName="evil"))
    assert (code, status) == ("UnrecognizedClientException", 400)
    assert pool_names(cognito) == []


def test_no_signature_is_a_missing_token(live: LiveServer, cognito: Any) -> None:
    code, status, _ = error_of(lambda: unsigned_client(live).create_user_pool(PoolName="evil"))
    assert (code, status) == ("MissingAuthenticationTokenException", 403)
    assert pool_names(cognito) == []


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/cognito-idp/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKIAX, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=AKIAX/{date}/us-east-1/cognito-idp/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=not-hex",
        "AWS4-HMAC-SHA256 Credential=AKIAX/{date}/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        "Bearer eyJhbGciOiJub25lIn0.e30.",
        "AWS AKIAX:c2lnbmF0dXJl",
    ],
)
def test_malformed_authorization_is_an_incomplete_signature(
    live: LiveServer, cognito: Any, authorization: str
) -> None:
    amz_date = "20260101T000000Z"
    headers = {
        "Content-Type": JSON_11,
        "X-Amz-Target": TARGET + "CreateUserPool",
        "X-Amz-Date": amz_date,
        "Authorization": authorization.format(date=amz_date[:8]),
    }
    response = httpx.post(
        live.url + "/", content=b'{"PoolName": "evil"}', headers=headers, timeout=30
    )
    assert_error_body(response, "IncompleteSignatureException", 400)
    assert pool_names(cognito) == []


def test_signature_for_another_body_is_rejected(live: LiveServer, cognito: Any) -> None:
    key = live.admin_key
    headers = sigv4_headers(
        live.url,
        "CreateUserPool",
        b'{"PoolName": "signed"}',
        key.access_key_id,
        key.secret_access_key,
    )
    response = httpx.post(
        live.url + "/", content=b'{"PoolName": "tampered"}', headers=headers, timeout=30
    )
    assert_error_body(response, "InvalidSignatureException", 400)
    assert pool_names(cognito) == []


def test_signature_made_with_httpx_headers_works(live: LiveServer, cognito: Any) -> None:
    key = live.admin_key
    body = b'{"PoolName": "by-hand"}'
    headers = sigv4_headers(
        live.url, "CreateUserPool", body, key.access_key_id, key.secret_access_key
    )
    response = httpx.post(live.url + "/", content=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert pool_names(cognito) == ["by-hand"]


# Request time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "prefix"),
    [
        (3600, "Signature expired"),
        (-3600, "Signature not yet current"),
    ],
)
def test_request_time_far_from_the_server_clock_is_rejected(
    live: LiveServer, cognito: Any, seconds: float, prefix: str
) -> None:
    live.clock.advance(seconds)
    code, status, message = error_of(lambda: live.client().create_user_pool(PoolName="late"))
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith(prefix), message
    live.clock.advance(-seconds)
    assert pool_names(cognito) == []


@pytest.mark.parametrize("seconds", [60, -60])
def test_small_clock_skew_is_tolerated(live: LiveServer, cognito: Any, seconds: float) -> None:
    live.clock.advance(seconds)
    cognito.create_user_pool(PoolName="close-enough")
    assert pool_names(cognito) == ["close-enough"]


# Public actions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_client", [unsigned_client, garbage_client], ids=["unsigned", "garbage-credentials"]
)
def test_public_actions_need_no_signature(
    live: LiveServer, cognito: Any, pool: Pool, make_client: Callable[[LiveServer], Any]
) -> None:
    public = make_client(live)
    public.sign_up(
        ClientId=pool.client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="alice")
    result = public.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    token = result["AuthenticationResult"]["AccessToken"]
    assert public.get_user(AccessToken=token)["Username"] == "alice"


@pytest.mark.parametrize(
    "authorization",
    [
        "signed-with-an-unknown-key",
        "AWS4-HMAC-SHA256 Credential=garbage",
        "Bearer nonsense",
    ],
)
def test_public_actions_ignore_a_bad_signature(
    live: LiveServer, cognito: Any, pool: Pool, authorization: str
) -> None:
    def post(action: str, payload: dict[str, Any]) -> httpx.Response:
        body = orjson.dumps(payload)
        if authorization == "signed-with-an-unknown-key":
            headers = sigv4_headers(live.url, action, body, "AKIAGARBAGEGARBAGE00", "garbage")
        else:
            headers = {
                "Content-Type": JSON_11,
                "X-Amz-Target": TARGET + action,
                "Authorization": authorization,
            }
        return httpx.post(live.url + "/", content=body, headers=headers, timeout=30)

    response = post(
        "SignUp", {"ClientId": pool.client_id, "Username": "alice", "Password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="alice")
    response = post(
        "InitiateAuth",
        {
            "ClientId": pool.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        },
    )
    assert response.status_code == 200, response.text
    token = response.json()["AuthenticationResult"]["AccessToken"]
    response = post("GetUser", {"AccessToken": token})
    assert response.status_code == 200, response.text
    assert response.json()["Username"] == "alice"


# Development mode -----------------------------------------------------------------------------


@pytest.fixture
def insecure(database: Database, clock: FrozenClock) -> Iterator[LiveServer]:
    server = start_server(database, clock, insecure_accept_any_admin_signature=True)
    try:
        yield server
    finally:
        stop_server(server)


def test_insecure_mode_accepts_a_wrong_secret(insecure: LiveServer) -> None:
    bad = insecure.client(secret_key="the-wrong-secret-access-key-000000000")
    pool = make_pool(bad)
    assert bad.describe_user_pool(UserPoolId=pool.id)["UserPool"]["Id"] == pool.id
    assert pool_names(insecure.client()) == ["test-pool"]


def test_insecure_mode_accepts_no_signature(insecure: LiveServer) -> None:
    unsigned = unsigned_client(insecure)
    pool = make_pool(unsigned)
    unsigned.sign_up(ClientId=pool.client_id, Username="alice", Password=PASSWORD)
    unsigned.admin_confirm_sign_up(UserPoolId=pool.id, Username="alice")
    assert unsigned.admin_get_user(UserPoolId=pool.id, Username="alice")["Username"] == "alice"
    assert pool_names(insecure.client()) == ["test-pool"]


def test_insecure_mode_accepts_unknown_keys_and_stale_signatures(insecure: LiveServer) -> None:
    insecure.clock.advance(3600)
    garbage_client(insecure).create_user_pool(PoolName="anything-goes")
    assert pool_names(unsigned_client(insecure)) == ["anything-goes"]
