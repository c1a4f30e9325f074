"""``GET /admin/outbox?to=ADDR&limit=N``: the development outbox over HTTP, for admin keys only.

Answers ``{"messages": [...]}``, newest first, each message as ``idmint outbox --json`` prints it;
``to`` matches the recipient exactly, case-insensitively (write a phone number's ``+`` as ``%2B``).

Authenticated as Cognito's admin actions are: AWS Signature Version 4 (``AWS4-HMAC-SHA256``,
checked by ``idmint.web.cognito.sigv4``) made with an idmint admin key (``idmint admin-key
create``), credential scope ``<date>/<any region>/cognito-idp/aws4_request``. So curl can read it::

    curl --aws-sigv4 "aws:amz:us-east-1:cognito-idp" --user KEY:SECRET \\
        http://127.0.0.1:8790/admin/outbox

A missing, malformed or wrong signature, or an unknown or disabled key, is answered 403 with
``{"error": <AWS error type>, "message": ...}``; with ``insecure_accept_any_admin_signature``
anything is accepted, as on the Cognito endpoint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from idmint.core.ports import Clock, Store
from idmint.delivery.outbox import outbox_json
from idmint.web.adminauth import authenticate_admin
from idmint.web.cognito import sigv4
from idmint.web.http import BodyTooLarge, json_response, read_body

log = logging.getLogger("idmint.admin")

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
NO_STORE = {"Cache-Control": "no-store"}


class _Forbidden(Exception):
    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message


def _error(status: int, type_name: str, message: str) -> Response:
    return json_response({"error": type_name, "message": message}, status, headers=NO_STORE)


@dataclass
class AdminEndpoint:
    store: Store
    clock: Clock
    insecure_accept_any_admin_signature: bool = False
    max_body_bytes: int = 256 * 1024

    async def outbox(self, request: Request) -> Response:
        """The outbox's messages, newest first (``Store.list_outbox``)."""
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            too_large = f"Request body exceeds {self.max_body_bytes} bytes."
            return _error(413, "RequestTooLarge", too_large)
        try:
            await self._authenticate(request, body)
        except _Forbidden as exc:
            log.info("admin outbox refused: %s", exc.type_name)
            return _error(403, exc.type_name, exc.message)
        raw_limit = request.query_params.get("limit", str(DEFAULT_LIMIT))
        if not (raw_limit.isascii() and raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_LIMIT):
            return _error(
                400, "InvalidParameterException", f"limit must be an integer from 1 to {MAX_LIMIT}."
            )
        to = request.query_params.get("to") or None
        messages = await self.store.list_outbox(to, int(raw_limit))
        return json_response({"messages": [outbox_json(m) for m in messages]}, headers=NO_STORE)

    async def _authenticate(self, request: Request, body: bytes) -> None:
        """SigV4 with an idmint admin key, exactly as the Cognito endpoint checks admin actions."""
        if self.insecure_accept_any_admin_signature:
            return
        try:
            await authenticate_admin(request, body, self.store, self.clock())
        except sigv4.SigV4Error as exc:
            raise _Forbidden(exc.type_name, exc.message) from None
