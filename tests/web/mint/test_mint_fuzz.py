"""The mint API fuzzed from the server's OpenAPI document: schemathesis generates requests for
the mint operations of ``idmint.web.openapi.OPENAPI`` and checks every answer against it (no
5xx, documented statuses, content types, headers and response schemas).

Each operation runs twice: with the credentials schemathesis makes up (so it probes the
refusals), and with real ones (so it gets past them: the application's for ``authorize`` and
``register``, a live user token for ``token_info`` and ``revoke``). A user registered with the
document's example credentials exists, so the examples phase signs in for real. Derandomized,
so CI sees the same cases every run."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from idmint.web.openapi import OPENAPI
from tests.web.mint.conftest import MINT_PASSWORD, PREFIX, Mint

schema = schemathesis.openapi.from_dict(OPENAPI).include(path_regex="^/mint/")
# With real credentials in the header, whatever the body says about the client is not read,
# so only requests the document calls valid are sent.
valid_only = schemathesis.openapi.from_dict(OPENAPI).include(path_regex="^/mint/")
valid_only.config.generation.update(modes=[GenerationMode.POSITIVE])
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Seed 002 answers a well-formed sign-in of an unknown user with 400 ("The requested resource
# was not found on server"), which schemathesis would read as a valid request refused.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def user_token(mint: Mint) -> Iterator[str]:
    """A user registered with the document's example credentials, and a token of theirs."""
    registered = mint.register("kc@goact.com.au", MINT_PASSWORD)
    assert registered.status_code == 200, registered.text
    yield str(registered.json()["access_token"])


def _check(case: Any, mint: Mint, headers: dict[str, str] | None = None) -> None:
    response = case.call(base_url=mint.live.url, headers=headers)
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
    case.validate_response(response, excluded_checks=EXCLUDED)


@schema.parametrize()
@FUZZ
def test_mint_api_with_generated_credentials(case: Any, mint: Mint, user_token: str) -> None:
    _check(case, mint)


@valid_only.parametrize()
@FUZZ
def test_mint_api_with_real_credentials(case: Any, mint: Mint, user_token: str) -> None:
    path = case.operation.path
    if path in (f"{PREFIX}/token_info", f"{PREFIX}/revoke"):
        # A fresh token each time: revoke may end the one before.
        token = mint.sign_in("kc@goact.com.au", MINT_PASSWORD).json().get("access_token")
        headers = {"Authorization": f"UserToken {token or user_token}"}
    elif path == f"{PREFIX}/register":
        pair = base64.b64encode(f"{mint.app.id}:{mint.secret}".encode()).decode()
        headers = {"Authorization": f"Basic {pair}"}
    else:
        headers = mint.app_auth
    _check(case, mint, headers)
