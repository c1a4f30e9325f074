"""Small HTTP helpers shared by the front-ends: request ids, bounded bodies, JSON responses."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_plus

import orjson
from starlette.requests import Request
from starlette.responses import Response

from idmint.core.errors import Overloaded


class BodyTooLarge(Exception):
    pass


def request_id() -> str:
    return str(uuid.uuid4())


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def json_response(
    body: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=media_type)


Handler = Callable[[Request], Awaitable[Response]]


def guarded(
    handler: Handler,
    render: Callable[[Request, Exception], Response | None],
    internal: Callable[[str], Response],
    log: logging.Logger,
) -> Handler:
    """``handler`` with its errors answered: an exception ``render`` knows becomes its wire
    error; anything else is our fault, logged with a request id and answered by
    ``internal(request_id)``, never with a traceback. An ``Overloaded`` refusal carries
    ``Retry-After`` (RFC 9110 §10.2.3) whatever the front-end's status for it."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:
            response = render(request, exc)
            if response is not None:
                if isinstance(exc, Overloaded):
                    response.headers["Retry-After"] = str(exc.retry_after)
                return response
            rid = request_id()
            log.exception("internal error request_id=%s path=%s", rid, request.url.path)
            return internal(rid)

    return run


def json_object(body: bytes) -> dict[str, Any]:
    """``body`` as a JSON object; ``ValueError`` with a message for the client otherwise."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ValueError("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValueError("The body must be a JSON object.")
    return data


def form_fields(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (WHATWG URL §5.1, UTF-8) as a dict.
    Empty segments (a trailing ``&``) are skipped. ``ValueError``, with a message for the
    client, for a segment without ``=``, bytes that are not UTF-8, or a repeated name
    (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once")."""
    fields: dict[str, str] = {}
    try:
        for part in body.decode("utf-8").split("&"):
            if not part:
                continue
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError("The form body is malformed.")
            name = unquote_plus(name, errors="strict")
            if name in fields:
                raise ValueError("A parameter is repeated.")
            fields[name] = unquote_plus(value, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("The form body is malformed.") from None
    return fields
