"""``GET /admin/outbox`` on a live server: SigV4 with an admin key (botocore signing an httpx
request, and curl's ``--aws-sigv4``), filters, limits, and 403 for everything else."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import httpx
import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from idmint.core.model import AdminKey, Channel, Message
from tests.conftest import LiveServer

EMAIL = Message(Channel.EMAIL, "Alice@Example.com", "Your code is 120394", "Your code", "p_1")
SMS = Message(Channel.SMS, "+15555550100", "Your code is 554433")
LATER = Message(Channel.EMAIL, "alice@example.com", "Your code is 771100", "Your code", "p_1")


def signed_get(
    live: LiveServer,
    path: str,
    *,
    key: str | None = None,
    secret: str | None = None,
    service: str = "cognito-idp",
    region: str = "us-east-1",
) -> httpx.Response:
    """GET ``path`` signed by botocore's SigV4Auth (as the AWS SDKs sign), sent with httpx."""
    request = AWSRequest(method="GET", url=live.url + path)
    credentials = Credentials(
        key or live.admin_key.access_key_id, secret or live.admin_key.secret_access_key
    )
    SigV4Auth(credentials, service, region).add_auth(request)
    prepared = request.prepare()
    return httpx.get(prepared.url, headers=dict(prepared.headers.items()))


def fill_outbox(live: LiveServer) -> None:
    for offset, message in enumerate((EMAIL, SMS, LATER)):
        live.run(live.store.add_outbox_message(message, live.clock() + offset))


def bodies(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    return [m["body"] for m in response.json()["messages"]]


def test_signed_request_reads_the_outbox_newest_first(live: LiveServer) -> None:
    assert bodies(signed_get(live, "/admin/outbox")) == []
    fill_outbox(live)
    response = signed_get(live, "/admin/outbox")
    assert bodies(response) == ["Your code is 771100", "Your code is 554433", "Your code is 120394"]
    first = response.json()["messages"][0]
    assert set(first) == {"id", "created_at", "channel", "to", "subject", "body", "pool_id"}
    assert (first["channel"], first["to"], first["subject"]) == ("EMAIL", LATER.to, "Your code")


def test_filter_by_recipient_and_limit(live: LiveServer) -> None:
    fill_outbox(live)
    both = ["Your code is 771100", "Your code is 120394"]
    assert bodies(signed_get(live, "/admin/outbox?to=ALICE%40example.com")) == both
    assert bodies(signed_get(live, "/admin/outbox?to=alice%40example.com&limit=1")) == both[:1]
    assert bodies(signed_get(live, "/admin/outbox?limit=2&to=%2B15555550100")) == [
        "Your code is 554433"
    ]
    assert bodies(signed_get(live, "/admin/outbox?to=nobody%40example.com")) == []


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "ten", ""])
def test_bad_limit(live: LiveServer, limit: str) -> None:
    response = signed_get(live, f"/admin/outbox?limit={limit}")
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidParameterException"


def forbidden(response: httpx.Response) -> str:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/json"
    assert "messages" not in response.json()
    return str(response.json()["error"])


def test_unsigned_and_badly_signed_requests_are_forbidden(live: LiveServer) -> None:
    fill_outbox(live)
    url = live.url + "/admin/outbox"
    assert forbidden(httpx.get(url)) == "MissingAuthenticationTokenException"
    assert forbidden(signed_get(live, "/admin/outbox", secret="wrong-secret")) == (
        "InvalidSignatureException"
    )
    assert forbidden(signed_get(live, "/admin/outbox", key="AKIAUNKNOWNKEY0000000")) == (
        "UnrecognizedClientException"
    )
    assert forbidden(signed_get(live, "/admin/outbox", service="s3")) == (
        "IncompleteSignatureException"
    )
    garbage = {"Authorization": "AWS4-HMAC-SHA256 Credential=x", "X-Amz-Date": "20240101T000000Z"}
    assert forbidden(httpx.get(url, headers=garbage)) == "IncompleteSignatureException"


def test_signature_covers_the_query(live: LiveServer) -> None:
    """A signature made for one filter does not open another."""
    request = AWSRequest(method="GET", url=live.url + "/admin/outbox?to=a%40example.com")
    credentials = Credentials(live.admin_key.access_key_id, live.admin_key.secret_access_key)
    SigV4Auth(credentials, "cognito-idp", "us-east-1").add_auth(request)
    headers = dict(request.prepare().headers.items())
    response = httpx.get(live.url + "/admin/outbox?to=b%40example.com", headers=headers)
    assert forbidden(response) == "InvalidSignatureException"


def test_stale_signature_is_forbidden(live: LiveServer) -> None:
    live.clock.advance(3600)
    assert forbidden(signed_get(live, "/admin/outbox")) == "InvalidSignatureException"


def test_disabled_key_is_forbidden(live: LiveServer) -> None:
    key = AdminKey("AKIADISABLED00000000", "disabled-secret", live.clock(), enabled=False)
    live.run(live.store.add_admin_key(key))
    response = signed_get(live, "/admin/outbox", key=key.access_key_id, secret="disabled-secret")
    assert forbidden(response) == "UnrecognizedClientException"


def test_any_region_like_the_cognito_endpoint(live: LiveServer) -> None:
    assert signed_get(live, "/admin/outbox", region="eu-west-1").status_code == 200


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_aws_sigv4(live: LiveServer) -> None:
    fill_outbox(live)

    def curl(*args: str) -> Any:
        key = live.admin_key
        result = subprocess.run(
            [
                "curl",
                "--silent",
                "--show-error",
                "--aws-sigv4",
                "aws:amz:us-east-1:cognito-idp",
                "--user",
                f"{key.access_key_id}:{key.secret_access_key}",
                *args,
            ],
            capture_output=True,
            timeout=30,
            check=True,
        )
        return orjson.loads(result.stdout)

    listing = curl(f"{live.url}/admin/outbox")
    assert [m["to"] for m in listing["messages"]] == [LATER.to, SMS.to, EMAIL.to]
    filtered = curl(f"{live.url}/admin/outbox?limit=1&to=alice%40example.com")
    assert [m["body"] for m in filtered["messages"]] == ["Your code is 771100"]


class TestInsecureMode:
    @pytest.fixture
    def server_options(self) -> dict[str, Any]:
        return {"insecure_accept_any_admin_signature": True}

    def test_accepts_any_or_no_signature(self, live: LiveServer) -> None:
        fill_outbox(live)
        assert len(bodies(httpx.get(live.url + "/admin/outbox"))) == 3
        assert len(bodies(signed_get(live, "/admin/outbox", secret="anything"))) == 3
