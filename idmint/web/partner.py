"""The managed-users API (seed 000): ``/api/v1/managed-users``, authenticated by a partner's
IdToken in ``Authorization`` (bare, as the seed sends it, or ``Bearer``).

Translation only: each handler parses the request, makes one ``Partners`` call and renders the
result. Errors are ``{"error": <stable code>, "message": <text>}``, as the web-session API's;
anything unmapped is our fault: a 500 with the request id, logged, no traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from idmint.core import errors as core
from idmint.core.model import Partner, User
from idmint.core.partners import Partners
from idmint.delivery.outbox import iso_time
from idmint.web.cognito.render import authentication_result
from idmint.web.http import (
    BodyTooLarge,
    Handler,
    guarded,
    json_object,
    json_response,
    read_body,
)
from idmint.web.session import ApiError, error_response

log = logging.getLogger("idmint.partner")

BASE = "/api/v1/managed-users"
ALLOWED_FIELDS = frozenset({"externalId"})
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
_LIMIT = re.compile(r"[0-9]{1,3}")  # ASCII digits only: str.isdigit takes "²"

_UNAUTHORIZED = (401, "invalid_token")
_INVALID = (400, "invalid_request")

# Core errors -> (HTTP status, stable code). A test fails when a core error has no row.
ERRORS: dict[type[core.IdmintError], tuple[int, str]] = {
    core.IdmintError: (500, "internal_error"),
    core.InvalidParameter: _INVALID,
    core.InvalidPassword: _INVALID,
    core.ResourceNotFound: (404, "not_found"),
    core.UserNotFound: (404, "not_found"),
    core.Conflict: (409, "external_id_taken"),
    core.LimitExceeded: (403, "quota_exceeded"),
    core.Overloaded: (503, "temporarily_unavailable"),
    core.UnsupportedUserState: (409, "user_disabled"),
    # Every credential failure is one 401.
    core.NotAuthorized: _UNAUTHORIZED,
    core.InvalidCredentials: _UNAUTHORIZED,
    core.PasswordAttemptsExceeded: _UNAUTHORIZED,
    core.UserDisabled: _UNAUTHORIZED,
    core.InvalidToken: _UNAUTHORIZED,
    core.TokenExpired: _UNAUTHORIZED,
    core.TokenRevoked: _UNAUTHORIZED,
    core.InvalidRefreshToken: _UNAUTHORIZED,
    core.SecretHashMismatch: _UNAUTHORIZED,
    core.InvalidSession: _UNAUTHORIZED,
    core.Unauthenticated: _UNAUTHORIZED,
    core.InvalidClient: _UNAUTHORIZED,
    # Not raised by these use cases; here so that every core error has an answer.
    core.UserNotConfirmed: (403, "forbidden"),
    core.PasswordResetRequired: (403, "forbidden"),
    core.Unauthorized: (403, "forbidden"),
    core.CsrfFailed: (403, "forbidden"),
    core.GrantNotAllowed: (403, "forbidden"),
    core.UsernameExists: (409, "conflict"),
    core.AliasExists: (409, "conflict"),
    core.GroupExists: (409, "conflict"),
    core.UnsupportedTokenType: _INVALID,
    core.UnsupportedOperation: _INVALID,
    core.CodeMismatch: _INVALID,
    core.ExpiredCode: _INVALID,
    core.CodeDeliveryFailure: (503, "delivery_failed"),
    core.AuthorizationError: _INVALID,
}


def _render(request: Request, exc: Exception) -> Response | None:
    if isinstance(exc, ApiError):
        response = error_response(exc.status, exc.code, exc.message)
    elif isinstance(exc, core.IdmintError):
        status, code = ERRORS.get(type(exc), ERRORS[core.IdmintError])
        response = error_response(status, code, exc.message)
    else:
        return None
    if response.status_code == 401:  # RFC 6750 §3
        response.headers["WWW-Authenticate"] = 'Bearer realm="managed-users", error="invalid_token"'
    return response


def _internal(rid: str) -> Response:
    return error_response(500, "internal_error", f"An internal error occurred. Request id: {rid}")


def managed_user(user: User) -> dict[str, Any]:
    return {
        "userId": user.sub,
        "externalId": user.external_id,
        "createdAt": iso_time(user.created_at),
    }


class PartnerApi:
    partners: Partners
    """Set when the app starts (the use cases need the store, which the lifespan opens)."""

    def __init__(self, *, max_body_bytes: int = 64 * 1024) -> None:
        self.max_body_bytes = max_body_bytes

    def routes(self) -> list[Route]:
        one = f"{BASE}/{{userId}}"
        return [
            self._route(BASE, POST=self.create, GET=self.list),
            self._route(one, GET=self.get, DELETE=self.delete),
            self._route(f"{one}/tokens", POST=self.tokens),
        ]

    def _route(self, path: str, **handlers: Handler) -> Route:
        """One route per path, so a 405's ``Allow`` lists every method the path serves."""
        wrapped = {method: self._wrap(handler) for method, handler in handlers.items()}
        wrapped.setdefault("HEAD", wrapped.get("GET", next(iter(wrapped.values()))))

        async def dispatch(request: Request) -> Response:
            return await wrapped[request.method](request)

        return Route(path, dispatch, methods=list(handlers))

    def _wrap(self, handler: Handler) -> Handler:
        return guarded(handler, _render, _internal, log)

    async def _partner(self, request: Request) -> Partner:
        """The partner whose IdToken is in ``Authorization`` (seed 000 sends it bare)."""
        header = request.headers.get("authorization", "").strip()
        scheme, _, rest = header.partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else header
        if not token or " " in token:
            raise core.InvalidToken("Send the partner's IdToken in the Authorization header.")
        return await self.partners.authenticate(token)

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            raise ApiError(
                413, "body_too_large", f"The body exceeds {self.max_body_bytes} bytes."
            ) from None
        if not body.strip():
            return {}
        try:
            return json_object(body)
        except ValueError as exc:
            raise ApiError(400, "invalid_request", str(exc)) from None

    # Handlers ------------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        """``POST /api/v1/managed-users``: a new anonymous user; only ``externalId`` may be
        given (no personal data is ever stored on a managed user)."""
        partner = await self._partner(request)
        data = await self._body(request)
        refused = sorted(set(data) - ALLOWED_FIELDS)
        if refused:
            raise ApiError(
                400,
                "personal_data_not_allowed",
                "Managed users are anonymous: only externalId may be stored, not "
                + ", ".join(name[:64] for name in refused[:5])
                + ".",
            )
        external_id = data.get("externalId")
        if external_id is not None and not isinstance(external_id, str):
            raise ApiError(400, "invalid_request", "externalId must be a string or null.")
        user = await self.partners.create_user(partner, external_id)
        return json_response(managed_user(user), 201, headers={"Cache-Control": "no-store"})

    async def list(self, request: Request) -> Response:
        """``GET /api/v1/managed-users?limit=&cursor=&externalId=``: the partner's own users."""
        partner = await self._partner(request)
        query = request.query_params
        raw_limit = query.get("limit", str(DEFAULT_LIMIT))
        if not _LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise ApiError(400, "invalid_request", f"limit must be 1 to {MAX_LIMIT}.")
        page = await self.partners.list_users(
            partner, int(raw_limit), query.get("cursor"), query.get("externalId")
        )
        body = {"users": [managed_user(u) for u in page.users], "nextCursor": page.next_cursor}
        return json_response(body, headers={"Cache-Control": "no-store"})

    async def get(self, request: Request) -> Response:
        partner = await self._partner(request)
        user = await self.partners.get_user(partner, request.path_params["userId"])
        return json_response(managed_user(user), headers={"Cache-Control": "no-store"})

    async def delete(self, request: Request) -> Response:
        partner = await self._partner(request)
        await self.partners.delete_user(partner, request.path_params["userId"])
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    async def tokens(self, request: Request) -> Response:
        """``POST /api/v1/managed-users/{userId}/tokens``: Cognito-shaped tokens for the user,
        issued to the partner's client (refresh with REFRESH_TOKEN_AUTH)."""
        partner = await self._partner(request)
        issued = await self.partners.issue_tokens(partner, request.path_params["userId"])
        body = {"AuthenticationResult": authentication_result(issued)}
        return json_response(body, headers={"Cache-Control": "no-store"})
