"""The OAuth 2.0 endpoints of a user pool's domain, on Cognito's paths (Amazon Cognito
developer guide, "User pool endpoints"): ``POST /oauth2/token`` (RFC 6749 §3.2, §4.1.3, §4.4,
§6 with RFC 7636 §4.5), ``GET|POST /oauth2/userInfo`` (OpenID Connect Core 1.0 §5.3, bearer
tokens per RFC 6750 §2.1-2.2) and ``POST /oauth2/revoke`` (RFC 7009 §2).

``/oauth2/authorize`` is the browser's side and lives with the hosted pages
(``idmint.web.hosted_ui``). Errors are RFC 6749 §5.2 JSON (``error``, ``error_description``);
userInfo's are RFC 6750 §3 ``WWW-Authenticate`` challenges. Every answer is ``no-store``
(RFC 6749 §5.1). The endpoints answer CORS requests from any origin: they are authenticated
by client credentials or bearer tokens, never by cookies, so a browser app with PKCE can use
them.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from idmint.core import errors as core
from idmint.core.authorization import TokenResponse, describe
from idmint.core.model import AppClient
from idmint.core.service import Service
from idmint.settings import Settings
from idmint.web.http import BodyTooLarge, form_fields, guarded, json_response, read_body

log = logging.getLogger("idmint.oauth2")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
}
_FORM = "application/x-www-form-urlencoded"
_MAX_PARAM = 4096

# RFC 6749 §5.2 / RFC 6750 §3.1 / RFC 7009 §2.2.1: the status of each error code.
STATUS = {
    "invalid_client": 401,
    "invalid_token": 401,
    "insufficient_scope": 403,
    "server_error": 500,
    "temporarily_unavailable": 503,
}

# DESIGN rule 3: every core error's answer here (status, RFC error code). ``AuthorizationError``
# carries its own code; the rest are what the use cases behind these endpoints can raise, and
# a row for each other core error so that none is unanswered.
_INVALID = (400, "invalid_request")
ERRORS: dict[type[core.IdmintError], tuple[int, str]] = {
    core.IdmintError: (500, "server_error"),
    core.AuthorizationError: (400, "invalid_request"),
    core.InvalidParameter: _INVALID,
    core.InvalidPassword: _INVALID,
    core.ResourceNotFound: (401, "invalid_client"),
    core.InvalidClient: (401, "invalid_client"),
    core.SecretHashMismatch: (401, "invalid_client"),
    core.NotAuthorized: (400, "invalid_grant"),
    core.InvalidCredentials: (400, "invalid_grant"),
    core.PasswordAttemptsExceeded: (400, "invalid_grant"),
    core.UserDisabled: (400, "invalid_grant"),
    core.UserNotFound: (400, "invalid_grant"),
    core.UserNotConfirmed: (400, "invalid_grant"),
    core.PasswordResetRequired: (400, "invalid_grant"),
    core.InvalidRefreshToken: (400, "invalid_grant"),
    core.InvalidSession: (400, "invalid_grant"),
    core.CodeMismatch: (400, "invalid_grant"),
    core.ExpiredCode: (400, "invalid_grant"),
    core.InvalidToken: (401, "invalid_token"),
    core.TokenExpired: (401, "invalid_token"),
    core.TokenRevoked: (401, "invalid_token"),
    core.Unauthenticated: (401, "invalid_token"),
    # RFC 7009 §2.1: a token of another client is refused.
    core.Unauthorized: (400, "unauthorized_client"),
    core.GrantNotAllowed: (400, "unauthorized_client"),
    core.UnsupportedTokenType: (400, "unsupported_token_type"),
    core.UnsupportedOperation: (400, "unsupported_token_type"),
    core.UnsupportedUserState: _INVALID,
    core.CsrfFailed: _INVALID,
    core.UsernameExists: _INVALID,
    core.AliasExists: _INVALID,
    core.GroupExists: _INVALID,
    core.Conflict: _INVALID,
    core.LimitExceeded: (429, "slow_down"),
    core.Overloaded: (503, "temporarily_unavailable"),
    core.CodeDeliveryFailure: (503, "temporarily_unavailable"),
}


class OAuthError(Exception):
    """An error of this front-end itself (content type, body, credentials' form)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error_response(status: int, code: str, message: str) -> Response:
    """RFC 6749 §5.2: ``{"error", "error_description"}``; a 401 names the Basic scheme
    (RFC 6749 §5.2 for client authentication; RFC 6750 §3 for bearer tokens)."""
    headers = {**NO_STORE, **_CORS}
    if status == 401 and code == "invalid_client":
        headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
    body = {"error": code, "error_description": describe(message)}
    return json_response(body, status, headers)


def _wire(exc: Exception) -> tuple[int, str, str] | None:
    if isinstance(exc, OAuthError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, core.AuthorizationError):
        return STATUS.get(exc.error, 400), exc.error, exc.message
    if isinstance(exc, core.IdmintError):
        status, code = ERRORS.get(type(exc), ERRORS[core.IdmintError])
        return status, code, exc.message
    return None


def _render(request: Request, exc: Exception) -> Response | None:
    wire = _wire(exc)
    return error_response(*wire) if wire is not None else None


def _internal(rid: str) -> Response:
    return error_response(500, "server_error", f"Internal error (request id {rid}).")


def _bearer_challenge(request: Request, exc: Exception) -> Response | None:
    """RFC 6750 §3: userInfo errors as a ``WWW-Authenticate: Bearer`` challenge, with the
    error code only when a token was sent (§3.1)."""
    wire = _wire(exc)
    if wire is None:
        return None
    status, code, message = wire
    if code in ("invalid_client", "invalid_grant"):
        status, code = 401, "invalid_token"
    response = error_response(status, code, message)
    if status in (400, 401, 403):
        challenge = 'Bearer realm="userInfo"'
        if getattr(exc, "token_sent", True):
            challenge += f', error="{code}", error_description="{describe(message)}"'
        response.headers["WWW-Authenticate"] = challenge
    return response


class _NoToken(OAuthError):
    token_sent = False


class OAuthApi:
    service: Service

    def __init__(self, settings: Settings) -> None:
        self._max_body = settings.max_body_bytes

    def routes(self) -> list[BaseRoute]:
        def cors(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
            async def run(request: Request) -> Response:
                if request.method == "OPTIONS":
                    return Response(status_code=204, headers=_CORS)
                response: Response = await handler(request)
                response.headers.update(_CORS)
                return response

            return run

        return [
            Route(
                "/oauth2/token",
                cors(guarded(self.token, _render, _internal, log)),
                methods=["POST", "OPTIONS"],
            ),
            Route(
                "/oauth2/userInfo",
                cors(guarded(self.user_info, _bearer_challenge, _internal, log)),
                methods=["GET", "POST", "OPTIONS"],
            ),
            Route(
                "/oauth2/revoke",
                cors(guarded(self.revoke, _render, _internal, log)),
                methods=["POST", "OPTIONS"],
            ),
        ]

    @staticmethod
    def owns(path: str) -> bool:
        """Whether a routing error on ``path`` is answered here: ``/oauth2/`` but for the
        browser's ``/oauth2/authorize``."""
        return path.startswith("/oauth2/") and not path.startswith("/oauth2/authorize")

    @staticmethod
    def http_error(exc: HTTPException) -> Response:
        """A routing error (404, 405) on these paths, in RFC 6749 §5.2's shape."""
        response = error_response(exc.status_code, "invalid_request", str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    # Requests -------------------------------------------------------------------------------

    async def _form(self, request: Request) -> dict[str, str]:
        """The form body (RFC 6749 §3.2: ``application/x-www-form-urlencoded``), bounded."""
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind != _FORM:
            raise OAuthError("invalid_request", f"The body must be {_FORM}.")
        try:
            body = await read_body(request, self._max_body)
        except BodyTooLarge:
            raise OAuthError("invalid_request", "The body is too large.", 413) from None
        try:
            params = form_fields(body)
        except ValueError as exc:
            raise OAuthError("invalid_request", str(exc)) from None
        for name, value in params.items():
            if len(value) > _MAX_PARAM:
                raise OAuthError("invalid_request", f"{describe(name[:64])} is too long.")
        return params

    async def _client(self, request: Request, params: dict[str, str]) -> AppClient:
        """RFC 6749 §2.3.1: HTTP Basic (client id and secret form-encoded, then base64) or
        ``client_id`` and ``client_secret`` in the body; a public client sends only its
        ``client_id``. One method only (§2.3)."""
        header = request.headers.get("authorization")
        client_id, secret = params.get("client_id"), params.get("client_secret")
        if header is not None:
            scheme, _, value = header.strip().partition(" ")
            if scheme.lower() != "basic":
                raise OAuthError("invalid_client", "Use HTTP Basic authentication.", 401)
            try:
                pair = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError(
                    "invalid_client", "The Authorization header is malformed.", 401
                ) from None
            basic_id, sep, basic_secret = pair.partition(":")
            if not sep:
                raise OAuthError("invalid_client", "The Authorization header is malformed.", 401)
            if secret is not None:
                raise OAuthError(
                    "invalid_request",
                    "Authenticate the client one way only (RFC 6749 section 2.3).",
                )
            basic_id, basic_secret = unquote_plus(basic_id), unquote_plus(basic_secret)
            if client_id is not None and client_id != basic_id:
                raise OAuthError("invalid_client", "client_id does not match.", 401)
            client_id, secret = basic_id, basic_secret
        return await self.service.authorization.authenticate_client(client_id, secret)

    @staticmethod
    def _tokens(result: TokenResponse) -> Response:
        """RFC 6749 §5.1 (OIDC Core §3.1.3.3: with ``id_token`` when ``openid`` was asked)."""
        body: dict[str, Any] = {"access_token": result.access_token}
        if result.id_token is not None:
            body["id_token"] = result.id_token
        if result.refresh_token is not None:
            body["refresh_token"] = result.refresh_token
        body["token_type"] = result.token_type
        body["expires_in"] = result.expires_in
        if result.scope is not None:
            body["scope"] = result.scope
        return json_response(body, headers=NO_STORE)

    # Handlers -------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        """``POST /oauth2/token``: ``authorization_code`` (with PKCE), ``refresh_token`` and
        ``client_credentials``."""
        params = await self._form(request)
        grant_type = params.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required.")
        authorization = self.service.authorization
        if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
            await self._client(request, params)  # a wrong client is still invalid_client
            raise OAuthError("unsupported_grant_type", "This grant_type is not supported.")
        client = await self._client(request, params)
        if grant_type == "authorization_code":
            result = await authorization.exchange_code(
                client, params.get("code"), params.get("redirect_uri"), params.get("code_verifier")
            )
        elif grant_type == "refresh_token":
            result = await authorization.refresh(client, params.get("refresh_token"))
        else:
            result = await authorization.client_credentials(client, params.get("scope"))
        return self._tokens(result)

    async def user_info(self, request: Request) -> Response:
        """``GET|POST /oauth2/userInfo`` (OIDC Core §5.3): the bearer token in the
        Authorization header, or for POST in a form body's ``access_token`` (RFC 6750 §2.2)."""
        header = request.headers.get("authorization")
        token: str | None = None
        if request.method == "POST" and request.headers.get("content-type", "").startswith(_FORM):
            token = (await self._form(request)).get("access_token")
        if header is not None:
            if token is not None:  # RFC 6750 §2: "MUST NOT use more than one method"
                raise OAuthError("invalid_request", "Send the access token one way only.")
            scheme, _, value = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise _NoToken("invalid_request", "Send the access token as a Bearer token.", 401)
            token = value.strip()
        if not token:
            raise _NoToken("invalid_request", "An access token is required.", 401)
        claims = await self.service.authorization.user_info(token)
        return json_response(claims, headers=NO_STORE)

    async def revoke(self, request: Request) -> Response:
        """``POST /oauth2/revoke`` (RFC 7009 §2.1): a refresh token of the authenticated
        client and the access tokens of its sign-in; 200 for unknown tokens (§2.2)."""
        params = await self._form(request)
        client = await self._client(request, params)
        await self.service.authorization.revoke(client, params.get("token"))
        return Response(status_code=200, headers=NO_STORE)
