"""The web-session API (seed 001 and what a web app needs around it): ``/api/v1/auth/*`` and
``/api/v1/users/*``.

Translation only: each handler parses the request, makes one ``WebSessions`` call and renders
the result. Errors are ``{"error": <code>, "message": <text>}`` with the status and code from
``ERRORS``; anything unmapped is our fault: a 500 with the request id, logged, no traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from idmint.core import errors as core
from idmint.core.model import Account
from idmint.core.websessions import Opened, WebSessions
from idmint.web.http import BodyTooLarge, Handler, guarded, json_object, json_response, read_body
from idmint.web.openapi import SESSION_OPENAPI

log = logging.getLogger("idmint.session")

AUTH_HEADER = "X-Endless-Auth"
AUTH_VERSION = "v2"
ACCESS, SESSION = "access", "session"
CSRF_HEADER = "X-CSRF-Token"

# Core errors -> (HTTP status, stable code). A test fails when a core error has no row.
ERRORS: dict[type[core.IdmintError], tuple[int, str]] = {
    core.IdmintError: (500, "internal_error"),
    core.InvalidParameter: (400, "invalid_request"),
    core.InvalidPassword: (400, "invalid_request"),
    core.ResourceNotFound: (404, "not_found"),
    core.UserNotFound: (404, "not_found"),
    core.NotAuthorized: (401, "not_authorized"),
    core.InvalidCredentials: (401, "not_authorized"),
    core.PasswordAttemptsExceeded: (429, "limit_exceeded"),
    core.UserDisabled: (401, "not_authorized"),
    core.InvalidToken: (401, "invalid_token"),
    core.TokenExpired: (401, "invalid_token"),
    core.TokenRevoked: (401, "invalid_token"),
    core.InvalidRefreshToken: (401, "invalid_token"),
    core.SecretHashMismatch: (401, "not_authorized"),
    core.InvalidSession: (401, "not_signed_in"),
    core.Unauthenticated: (401, "not_signed_in"),
    core.CsrfFailed: (403, "csrf_failed"),
    core.Unauthorized: (403, "forbidden"),
    core.UsernameExists: (409, "username_taken"),
    core.AliasExists: (409, "username_taken"),
    core.Conflict: (409, "account_exists"),
    core.GroupExists: (409, "conflict"),
    core.UserNotConfirmed: (403, "forbidden"),
    core.PasswordResetRequired: (403, "forbidden"),
    core.UnsupportedTokenType: (400, "invalid_request"),
    core.UnsupportedOperation: (400, "invalid_request"),
    core.UnsupportedUserState: (400, "invalid_request"),
    core.LimitExceeded: (429, "limit_exceeded"),
    core.Overloaded: (503, "temporarily_unavailable"),
    core.CodeMismatch: (400, "invalid_request"),
    core.ExpiredCode: (400, "invalid_request"),
    core.CodeDeliveryFailure: (503, "delivery_failed"),
    core.InvalidClient: (401, "not_authorized"),
    core.GrantNotAllowed: (403, "forbidden"),
    core.AuthorizationError: (400, "invalid_request"),
}


class ApiError(Exception):
    """An error of this front-end itself (headers, JSON), already in wire terms."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> Response:
    return json_response(
        {"error": code, "message": message}, status, headers={"Cache-Control": "no-store"}
    )


def user_info(account: Account) -> dict[str, Any]:
    """Seed 001 ``UserInfo``."""
    return {
        "id": account.id,
        "username": account.username,
        "avatar": account.avatar,
        "emblem": account.emblem,
        "profile": account.profile,
    }


def _render(request: Request, exc: Exception) -> Response | None:
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message)
    if isinstance(exc, core.IdmintError):
        status, code = ERRORS.get(type(exc), ERRORS[core.IdmintError])
        return error_response(status, code, exc.message)
    return None


def _internal(rid: str) -> Response:
    return error_response(500, "internal_error", f"An internal error occurred. Request id: {rid}")


class SessionApi:
    sessions: WebSessions
    """Set when the app starts (the use cases need the store, which the lifespan opens)."""

    def __init__(
        self, *, max_body_bytes: int = 64 * 1024, insecure_localhost_cookies: bool = False
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self.insecure_localhost_cookies = insecure_localhost_cookies

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1/auth/cognito/login", self._wrap(self.login), methods=["POST"]),
            Route("/api/v1/auth/cognito/signup", self._wrap(self.signup), methods=["POST"]),
            Route("/api/v1/auth/session", self._wrap(self.session), methods=["GET"]),
            Route("/api/v1/auth/refresh", self._wrap(self.refresh), methods=["POST"]),
            Route("/api/v1/auth/logout", self._wrap(self.logout), methods=["POST"]),
            Route("/api/v1/users/me", self._wrap(self.update_me), methods=["PATCH"]),
            Route("/api/v1/users/{user_id}", self._wrap(self.get_user), methods=["GET"]),
            Route("/api/v1/openapi.json", self._wrap(self.openapi), methods=["GET"]),
        ]

    def _wrap(self, handler: Handler) -> Handler:
        return guarded(handler, _render, _internal, log)

    # Request parsing -----------------------------------------------------------------------

    async def _json(self, request: Request) -> dict[str, Any]:
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            raise ApiError(
                413, "body_too_large", f"The body exceeds {self.max_body_bytes} bytes."
            ) from None
        try:
            return json_object(body)
        except ValueError as exc:
            raise ApiError(400, "invalid_json", str(exc)) from None

    @staticmethod
    def _auth_version(request: Request) -> None:
        version = request.headers.get(AUTH_HEADER)
        if version != AUTH_VERSION:
            raise ApiError(
                400,
                "unsupported_auth_version",
                f"The {AUTH_HEADER} header is required and must be {AUTH_VERSION}.",
            )

    @staticmethod
    def _string(data: dict[str, Any], name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ApiError(400, "invalid_request", f"{name} is required and must be a string.")
        return value

    # Cookies -------------------------------------------------------------------------------

    def _cookie(
        self, request: Request, response: Response, name: str, value: str, age: int
    ) -> None:
        host = (request.url.hostname or "").lower()
        local = host in ("localhost", "127.0.0.1", "::1") and request.url.scheme == "http"
        response.set_cookie(
            name,
            value,
            max_age=age,
            path="/",
            httponly=True,
            secure=not (self.insecure_localhost_cookies and local),
            samesite="lax",
        )

    def _opened(self, request: Request, opened: Opened, *, login: bool) -> Response:
        body: dict[str, Any] = {}
        if login:
            body["newAccount"] = opened.new_account
        body |= {
            "userInfo": user_info(opened.account),
            "isAdmin": opened.account.is_admin,
            "csrf": opened.csrf,
            "expires": opened.expires,
        }
        response = json_response(body, headers={"Cache-Control": "no-store"})
        policy = self.sessions.policy
        access_age = self.sessions.seconds_left(opened.expires)
        self._cookie(request, response, ACCESS, opened.access_token, access_age)
        if opened.session_token is not None:
            self._cookie(request, response, SESSION, opened.session_token, policy.absolute_seconds)
        return response

    # Handlers ------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        """Seed 001 ``POST /api/v1/auth/cognito/login``."""
        self._auth_version(request)
        data = await self._json(request)
        opened = await self.sessions.login(self._string(data, "idToken"))
        return self._opened(request, opened, login=True)

    async def signup(self, request: Request) -> Response:
        """``POST /api/v1/auth/cognito/signup``: make the account, then answer like login."""
        self._auth_version(request)
        data = await self._json(request)
        opened = await self.sessions.signup(
            self._string(data, "idToken"), data.get("username"), data.get("profile")
        )
        return self._opened(request, opened, login=True)

    async def session(self, request: Request) -> Response:
        account, access = await self.sessions.current(request.cookies.get(ACCESS))
        body: dict[str, Any] = {
            "userInfo": user_info(account),
            "isAdmin": account.is_admin,
            "expires": access.expires,
        }
        session_token = request.cookies.get(SESSION)
        if session_token:
            body["csrf"] = self.sessions.csrf_for(session_token)
        return json_response(body, headers={"Cache-Control": "no-store"})

    async def refresh(self, request: Request) -> Response:
        opened = await self.sessions.refresh(
            request.cookies.get(SESSION), request.headers.get(CSRF_HEADER)
        )
        return self._opened(request, opened, login=False)

    async def logout(self, request: Request) -> Response:
        await self.sessions.logout(request.cookies.get(SESSION), request.headers.get(CSRF_HEADER))
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        for name in (ACCESS, SESSION):
            self._cookie(request, response, name, "", 0)
        return response

    async def get_user(self, request: Request) -> Response:
        account = await self.sessions.user_info(request.path_params["user_id"])
        return json_response(user_info(account))

    async def update_me(self, request: Request) -> Response:
        data = await self._json(request)
        account = await self.sessions.update_me(
            request.cookies.get(ACCESS),
            request.cookies.get(SESSION),
            request.headers.get(CSRF_HEADER),
            data,
        )
        return json_response(user_info(account), headers={"Cache-Control": "no-store"})

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Routing errors (no such path, method not allowed): JSON under /api/, as the rest of
        the API answers; Starlette's plain text elsewhere."""
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
            response = error_response(exc.status_code, code, str(exc.detail))
            for name, value in (exc.headers or {}).items():
                response.headers[name] = value
            return response
        return Response(str(exc.detail), exc.status_code, headers=exc.headers)

    async def openapi(self, request: Request) -> Response:
        return json_response(SESSION_OPENAPI)
