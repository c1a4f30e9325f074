"""The web-session API fuzzed from its own OpenAPI document (issue 5, point 8): schemathesis
generates requests from ``idmint.web.openapi.SESSION_OPENAPI`` and checks every answer against
it (no 5xx, documented status codes, content types and response schemas), and that requests
the document calls valid are not refused as malformed. Derandomized, so CI sees the same cases
every run; run with ``--hypothesis-seed`` and without ``derandomize`` to explore further."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from idmint.web.openapi import SESSION_OPENAPI
from tests.conftest import LiveServer

schema = schemathesis.openapi.from_dict(SESSION_OPENAPI)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_session_api_matches_its_openapi_document(case: Any, live: LiveServer) -> None:
    response = case.call(base_url=live.url)
    assert response.status_code < 500, response.text
    case.validate_response(response)
