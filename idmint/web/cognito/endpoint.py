"""``POST /``: the Amazon Cognito Identity Provider JSON protocol (awsJson1_1).

``X-Amz-Target: AWSCognitoIdentityProviderService.<Action>``; request bodies in
``application/x-amz-json-1.0`` or ``-1.1``; responses in ``application/x-amz-json-1.1`` with an
``x-amzn-RequestId``; errors as HTTP 400 (500 only for our own faults) with
``{"__type": "<Name>", "message": "..."}`` and ``x-amzn-ErrorType: <Name>:``. Admin actions need a
SigV4 signature made with an idmint admin key; public ones (botocore's ``authtype: none``) need
none. CORS is open (``*``): the API carries no cookies, only tokens in bodies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from idmint.core.errors import IdmintError, Overloaded
from idmint.core.ports import Clock, Store
from idmint.web.adminauth import authenticate_admin
from idmint.web.cognito import sigv4
from idmint.web.cognito.actions import ACTIONS, Env
from idmint.web.cognito.errors import CognitoError
from idmint.web.cognito.validation import OPERATIONS, RequestRejected, validate
from idmint.web.http import BodyTooLarge, read_body, request_id

log = logging.getLogger("idmint.cognito")

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPES = frozenset(
    {"application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json", ""}
)
RESPONSE_TYPE = "application/x-amz-json-1.1"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "content-type,x-amz-target,x-amz-user-agent,authorization,"
    "x-amz-date,x-amz-security-token,x-amz-content-sha256,"
    "amz-sdk-invocation-id,amz-sdk-request,cache-control",
    "Access-Control-Max-Age": "86400",
}


@dataclass
class CognitoEndpoint:
    env: Env
    store: Store
    clock: Clock
    insecure_accept_any_admin_signature: bool = False
    max_body_bytes: int = 256 * 1024

    async def preflight(self, request: Request) -> Response:
        """CORS preflight for browser SDKs (Amplify, amazon-cognito-identity-js)."""
        return Response(status_code=200, headers=PREFLIGHT_HEADERS)

    async def __call__(self, request: Request) -> Response:
        rid = request_id()
        action = "-"
        try:
            action, body = await self._parse(request)
            operation = OPERATIONS.get(action)
            if operation is None:
                raise CognitoError("UnknownOperationException", f"Unknown operation {action}")
            if not operation.public:
                await self._authenticate_admin(request, body)
            payload = self._decode(body)
            validate(action, payload)
            handler = ACTIONS.get(action)
            if handler is None:
                raise CognitoError(
                    "UnsupportedOperationException", f"idmint does not implement {action} yet."
                )
            result = await handler(self.env, payload)
        except CognitoError as exc:
            return self._error(rid, action, exc)
        except RequestRejected as exc:
            return self._error(rid, action, CognitoError(exc.type_name, exc.message))
        except sigv4.SigV4Error as exc:
            return self._error(rid, action, CognitoError(exc.type_name, exc.message, exc.status))
        except IdmintError as exc:
            response = self._error(rid, action, CognitoError.from_core(exc))
            if isinstance(exc, Overloaded):  # RFC 9110 §10.2.3, besides the SDKs' own backoff
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except Exception:
            log.exception("internal error request_id=%s action=%s", rid, action)
            return self._error(
                rid,
                action,
                CognitoError(
                    "InternalErrorException", f"An internal error occurred. Request id: {rid}", 500
                ),
            )
        return Response(
            orjson.dumps(result),
            media_type=RESPONSE_TYPE,
            headers={"x-amzn-RequestId": rid, **CORS_HEADERS},
        )

    async def _parse(self, request: Request) -> tuple[str, bytes]:
        target = request.headers.get("x-amz-target", "")
        if not target.startswith(TARGET_PREFIX):
            raise CognitoError(
                "UnknownOperationException", "Missing or unknown X-Amz-Target header."
            )
        action = target[len(TARGET_PREFIX) :]
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in CONTENT_TYPES:
            raise CognitoError(
                "SerializationException", "Content-Type must be application/x-amz-json-1.1."
            )
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            raise CognitoError(
                "SerializationException", f"Request body exceeds {self.max_body_bytes} bytes.", 413
            ) from None
        return action, body

    @staticmethod
    def _decode(body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise CognitoError(
                "SerializationException", "Malformed JSON in request body."
            ) from None

    async def _authenticate_admin(self, request: Request, body: bytes) -> None:
        """AWS SigV4 with an idmint admin key (``idmint admin-key create``)."""
        if not self.insecure_accept_any_admin_signature:
            await authenticate_admin(request, body, self.store, self.clock())

    @staticmethod
    def _error(rid: str, action: str, exc: CognitoError) -> Response:
        if exc.status >= 500:
            log.error("request_id=%s action=%s error=%s", rid, action, exc.type_name)
        else:
            log.info("request_id=%s action=%s error=%s", rid, action, exc.type_name)
        return Response(
            # AWS omits "message" when it has none (e.g. a body that is not a JSON object).
            orjson.dumps(
                {"__type": exc.type_name, **({"message": exc.message} if exc.message else {})}
            ),
            status_code=exc.status,
            media_type=RESPONSE_TYPE,
            headers={
                "x-amzn-RequestId": rid,
                "x-amzn-ErrorType": f"{exc.type_name}:",
                **CORS_HEADERS,
            },
        )
