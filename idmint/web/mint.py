"""The mint API (seed 002): ``/mint/api/v1/auth/*``, the OAuth2 password grant with application
and user tokens, filled in by RFC 6749 §4.3 and §5, RFC 6750 and RFC 7009 where the seed is silent.

Translation only: each handler parses the request, makes one ``Mint`` call and renders the result.
Errors are the seed's ``{"response": "<message>"}`` with its documented statuses (unknown user 400,
wrong password 404, taken username 403, expired or cancelled token 403), plus RFC 6749's
``error`` code so standard OAuth2 clients understand them. Anything unmapped is our fault: a 500
with the request id, logged, no traceback.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from idmint.core import errors as core
from idmint.core.mint import Grant, Mint
from idmint.core.model import MintApp
from idmint.web.http import (
    BodyTooLarge,
    Handler,
    form_fields,
    guarded,
    json_object,
    json_response,
    read_body,
)
from idmint.web.openapi import OPENAPI

log = logging.getLogger("idmint.mint")

PREFIX = "/mint/api/v1/auth"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


@dataclass(frozen=True)
class Wire:
    """One row of ``ERRORS``: the HTTP status, RFC 6749 §5.2 / RFC 6750 §3.1 error code, and
    the seed's own message where it documents one (else the core error's message)."""

    status: int
    code: str
    message: str | None = None


_NOT_FOUND = "The requested resource was not found on server"
_TAKEN = Wire(403, "invalid_request", "The username has already existed")
_INVALID = Wire(400, "invalid_request")
_CANCELLED = Wire(403, "invalid_token")
_REFUSED = Wire(403, "invalid_grant")

# Core errors -> wire. A test fails when a core error has no row.
ERRORS: dict[type[core.IdmintError], Wire] = {
    core.IdmintError: Wire(500, "server_error"),
    # Seed 002's tables.
    core.UserNotFound: Wire(400, "invalid_grant", _NOT_FOUND),
    core.InvalidCredentials: Wire(
        404, "invalid_grant", "The password does not match, suggest reset?"
    ),
    core.UsernameExists: _TAKEN,
    core.AliasExists: _TAKEN,
    core.TokenExpired: _CANCELLED,
    core.TokenRevoked: _CANCELLED,
    # RFC 6749 §5.2 and RFC 6750 §3.1 for what the seed leaves out.
    core.InvalidClient: Wire(401, "invalid_client"),
    core.InvalidToken: Wire(401, "invalid_token"),
    core.GrantNotAllowed: Wire(400, "unauthorized_client"),
    core.PasswordAttemptsExceeded: Wire(429, "invalid_grant"),
    core.UserDisabled: _REFUSED,
    core.UserNotConfirmed: _REFUSED,
    core.PasswordResetRequired: _REFUSED,
    core.NotAuthorized: _REFUSED,
    core.InvalidParameter: _INVALID,
    core.InvalidPassword: _INVALID,
    core.ResourceNotFound: Wire(400, "invalid_request", _NOT_FOUND),
    # Not raised by the mint use cases; here so that every core error has an answer.
    core.InvalidRefreshToken: Wire(401, "invalid_token"),
    core.SecretHashMismatch: Wire(401, "invalid_client"),
    core.InvalidSession: Wire(401, "invalid_token"),
    core.Unauthenticated: Wire(401, "invalid_token"),
    core.CsrfFailed: Wire(403, "access_denied"),
    core.Unauthorized: Wire(403, "access_denied"),
    core.Conflict: Wire(409, "invalid_request"),
    core.GroupExists: Wire(409, "invalid_request"),
    core.UnsupportedTokenType: Wire(400, "unsupported_token_type"),
    core.UnsupportedOperation: _INVALID,
    core.UnsupportedUserState: _INVALID,
    core.CodeMismatch: _INVALID,
    core.ExpiredCode: _INVALID,
    core.LimitExceeded: Wire(429, "slow_down"),
    core.Overloaded: Wire(503, "temporarily_unavailable"),
    core.CodeDeliveryFailure: Wire(503, "temporarily_unavailable"),
    core.AuthorizationError: _INVALID,
}

_FIELD_LIMITS = {"username": 128, "password": 256, "firstname": 256, "lastname": 256}


class MintError(Exception):
    """An error of this front-end itself (headers, body), already in wire terms."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Seed 002's error shape, ``{"response": message}``, with RFC 6749 §5.2's ``error`` and
    ``error_description`` (the same message) so standard OAuth2 clients show it."""
    body = {"response": message, "error": code, "error_description": message}
    return json_response(body, status, {**NO_STORE, **(headers or {})})


def _challenge(status: int, code: str, scheme: str) -> dict[str, str]:
    """RFC 6750 §3 / RFC 7235: a 401 names the scheme that would have worked."""
    if status != 401:
        return {}
    return {"WWW-Authenticate": f'{scheme} realm="mint", error="{code}"'}


def _scheme(request: Request, code: str) -> str:
    """The scheme a 401 names: the one the client used where it fits (RFC 6749 §5.2: Basic for
    Basic; RFC 6750 §3: Bearer for Bearer), else seed 002's."""
    used = request.headers.get("authorization", "").strip().partition(" ")[0].lower()
    if code == "invalid_client":
        return "Basic" if used == "basic" else "Application"
    return "Bearer" if used == "bearer" else "UserToken"


def _render(request: Request, exc: Exception) -> Response | None:
    if isinstance(exc, MintError):
        return error_response(exc.status, exc.code, exc.message)
    if not isinstance(exc, core.IdmintError):
        return None
    wire = ERRORS.get(type(exc), ERRORS[core.IdmintError])
    headers = _challenge(wire.status, wire.code, _scheme(request, wire.code))
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    return error_response(wire.status, wire.code, wire.message or exc.message, headers)


def _internal(rid: str) -> Response:
    return error_response(500, "server_error", f"An internal error occurred. Request id: {rid}")


class MintApi:
    mint: Mint
    """Set when the app starts (the use cases need the store, which the lifespan opens)."""

    def __init__(self, *, max_body_bytes: int = 64 * 1024) -> None:
        self.max_body_bytes = max_body_bytes

    def routes(self) -> list[Route]:
        return [
            Route(f"{PREFIX}/authorize", self._wrap(self.authorize), methods=["POST"]),
            Route(f"{PREFIX}/register", self._wrap(self.register), methods=["POST"]),
            Route(f"{PREFIX}/token_info", self._wrap(self.token_info), methods=["GET"]),
            Route(f"{PREFIX}/revoke", self._wrap(self.revoke), methods=["POST"]),
            Route("/mint/api/v1/openapi.json", self._wrap(self.openapi), methods=["GET"]),
        ]

    def _wrap(self, handler: Handler) -> Handler:
        return guarded(handler, _render, _internal, log)

    # Request parsing -----------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        """The body as JSON (as seed 002 shows) or form-encoded (as RFC 6749 §4.3.2 requires);
        an empty body is no parameters. Repeated form parameters are refused (RFC 6749 §3.2)."""
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            raise MintError(
                400, "invalid_request", f"The body exceeds {self.max_body_bytes} bytes."
            ) from None
        if not body.strip():
            return {}
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            try:
                return dict(form_fields(body))
            except ValueError as exc:
                raise MintError(400, "invalid_request", str(exc)) from None
        if kind not in ("application/json", ""):
            raise MintError(
                400,
                "invalid_request",
                "Send the body as application/json or application/x-www-form-urlencoded.",
            )
        try:
            return json_object(body)
        except ValueError as exc:
            raise MintError(400, "invalid_request", str(exc)) from None

    @staticmethod
    def _string(params: dict[str, Any], name: str) -> str:
        value = params.get(name)
        if not isinstance(value, str) or not value:
            raise MintError(400, "invalid_request", f"{name} is required and must be a string.")
        limit = _FIELD_LIMITS.get(name, 2048)
        if len(value) > limit:
            raise MintError(400, "invalid_request", f"{name} must be at most {limit} characters.")
        return value

    @staticmethod
    def _optional(params: dict[str, Any], name: str) -> str | None:
        value = params.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 2048:
            raise MintError(400, "invalid_request", f"{name} must be a string.")
        return value

    @staticmethod
    def _credentials(
        request: Request, malformed: type[core.IdmintError] = core.InvalidClient
    ) -> tuple[str, str] | None:
        """The Authorization header as (scheme, value), the scheme lower-cased; ``malformed``
        is raised for a header without a value."""
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if not value:
            raise malformed("The Authorization header is malformed.")
        return scheme.lower(), value

    async def _application(self, request: Request, params: dict[str, Any]) -> MintApp | None:
        """The application a request authenticates as: ``Authorization: Application
        <id>:<secret>`` (seed 002), ``Basic`` (RFC 6749 §2.3.1), or ``client_id`` and
        ``client_secret`` in the body (RFC 6749 §2.3.1). None if it sends none of them."""
        credentials = self._credentials(request)
        pair: str | None = None
        if credentials is not None and credentials[0] == "application":
            pair = credentials[1]
        elif credentials is not None and credentials[0] == "basic":
            try:
                pair = base64.b64decode(credentials[1], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise core.InvalidClient("The Authorization header is malformed.") from None
        elif credentials is not None:
            raise core.InvalidClient(
                "Authenticate the application with Authorization: Application <id>:<secret>."
            )
        if pair is not None:
            app_id, sep, secret = pair.partition(":")
            if not sep:
                raise core.InvalidClient("The Authorization header is malformed.")
            if credentials is not None and credentials[0] == "basic":  # RFC 6749 §2.3.1
                app_id, secret = unquote_plus(app_id), unquote_plus(secret)
            app = await self.mint.authenticate_app(app_id, secret)
            if params.get("client_secret"):  # wrong credentials first: they are the 401
                raise MintError(
                    400,
                    "invalid_request",
                    "Authenticate the application one way only: header or body (RFC 6749 §2.3).",
                )
            return app
        body_secret = self._optional(params, "client_secret")
        if body_secret is not None:
            return await self.mint.authenticate_app(
                self._optional(params, "client_id") or "", body_secret
            )
        return None

    async def _required_application(self, request: Request, params: dict[str, Any]) -> MintApp:
        app = await self._application(request, params)
        if app is None:
            raise core.InvalidClient(
                "This request must be authenticated with Authorization: Application <id>:<secret>."
            )
        return app

    def _user_token(self, request: Request) -> str:
        """``Authorization: UserToken <token>`` (seed 002) or ``Bearer`` (RFC 6750 §2.1)."""
        credentials = self._credentials(request, core.InvalidToken)
        if credentials is None or credentials[0] not in ("usertoken", "bearer"):
            raise core.InvalidToken(
                "This request must be authenticated with Authorization: UserToken <token>."
            )
        return credentials[1]

    @staticmethod
    def _granted(grant: Grant) -> Response:
        """RFC 6749 §5.1 in seed 002's shape: ``expires_in`` only when the token expires."""
        body: dict[str, Any] = {
            "user": grant.user_id,
            "access_token": grant.access_token,
            "token_type": "user",
        }
        if grant.expires_in is not None:
            body["expires_in"] = grant.expires_in
        return json_response(body, headers=NO_STORE)

    # Handlers ------------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        """Seed 002 ``POST /mint/api/v1/auth/authorize``: ``grant_type`` password (RFC 6749
        §4.3; no application credentials needed) or signup (as ``register``)."""
        params = await self._params(request)
        grant_type = self._string(params, "grant_type")
        if grant_type == "signup":
            return await self._register(request, params)
        if grant_type != "password":
            raise MintError(
                400,
                "unsupported_grant_type",
                f"Unsupported grant_type {grant_type[:64]!r}: use password or signup.",
            )
        app = await self._application(request, params)
        if app is None:
            app = await self.mint.public_app(self._optional(params, "client_id"))
        grant = await self.mint.password_grant(
            app, self._string(params, "username"), self._string(params, "password")
        )
        return self._granted(grant)

    async def register(self, request: Request) -> Response:
        """Seed 002 ``POST /mint/api/v1/auth/register`` (``grant_type`` signup, or none)."""
        params = await self._params(request)
        grant_type = self._optional(params, "grant_type")
        if grant_type not in (None, "signup"):
            raise MintError(400, "unsupported_grant_type", "Registration takes grant_type signup.")
        return await self._register(request, params)

    async def _register(self, request: Request, params: dict[str, Any]) -> Response:
        app = await self._required_application(request, params)
        grant = await self.mint.register(
            app,
            self._string(params, "firstname"),
            self._string(params, "lastname"),
            self._string(params, "username"),
            self._string(params, "password"),
        )
        return self._granted(grant)

    async def token_info(self, request: Request) -> Response:
        """Seed 002 ``GET /mint/api/v1/auth/token_info``: ``{user, token_type}``, and
        ``expires_in`` (the seconds left) when the token expires."""
        info = await self.mint.token_info(self._user_token(request))
        body: dict[str, Any] = {"user": info.user_id, "token_type": "user"}
        if info.expires_in is not None:
            body["expires_in"] = info.expires_in
        return json_response(body, headers=NO_STORE)

    async def revoke(self, request: Request) -> Response:
        """RFC 7009 §2.1: ``token`` (default: the caller's own user token), ``all`` to end every
        sign-in of its user; ``token_type_hint`` is accepted and not needed (§2.1). The caller
        authenticates as the application or with the user token. 200 ``{}`` whenever the
        request is well-formed, even for an unknown token (§2.2)."""
        params = await self._params(request)
        everything = params.get("all", False)
        if isinstance(everything, str) and everything.lower() in ("true", "false"):
            everything = everything.lower() == "true"
        if not isinstance(everything, bool):
            raise MintError(400, "invalid_request", "all must be true or false.")
        self._optional(params, "token_type_hint")
        token = self._optional(params, "token")
        credentials = self._credentials(request)
        caller: MintApp | str
        if credentials is not None and credentials[0] in ("usertoken", "bearer"):
            caller = credentials[1]
        else:
            caller = await self._required_application(request, params)
        await self.mint.revoke(caller, token or None, everything=everything)
        return json_response({}, headers=NO_STORE)

    async def openapi(self, request: Request) -> Response:
        """The server's OpenAPI document, which describes this API (``idmint.web.openapi``)."""
        return json_response(OPENAPI)


def routing_error(status: int, detail: str) -> Response:
    """A routing error (no such path, method not allowed) under /mint/, in the seed's shape."""
    code = "invalid_request" if status == 405 else "not_found"
    message = _NOT_FOUND if status == 404 else detail
    return error_response(status, code, message)
