"""The hosted sign-up and sign-in pages and ``GET /oauth2/authorize``, on Cognito's paths (Amazon
Cognito developer guide, "User pool endpoints": the authorize, login, signup, confirm, forgot
password and logout endpoints), server-rendered with Jinja2 (autoescaped, one base template).

* ``/oauth2/authorize`` validates the request (``Authorization.check``: RFC 6749 §4.1.1,
  §4.1.2.1, RFC 7636 §4.3) and answers with a code when the browser's hosted session is usable
  (OIDC Core §3.1.2.1: ``prompt``, ``max_age``), with ``login_required`` for ``prompt=none``,
  else with the sign-in page.
* Every page takes the authorization request in its query as Cognito's ``/login`` does,
  validates it again, and carries it unchanged in each form and link. An unknown client or an
  unregistered redirect URI gets an error page, never a redirect (RFC 9700 §4.1.1); later
  errors go to the verified redirect URI with ``error``, ``state`` and ``iss`` (RFC 6749
  §4.1.2.1, RFC 9207 §2).
* Forms carry a CSRF token (OWASP CSRF Prevention Cheat Sheet: signed double-submit cookie,
  plus an ``Origin``/``Sec-Fetch-Site`` check); bodies are form-encoded, bounded by
  ``max_body_bytes``; a successful POST answers 303 (RFC 9110 §15.4.4).
* No answer tells whether an account exists (OWASP Authentication Cheat Sheet, "Authentication
  and Error Messages"): unknown user and wrong password read the same, signing up with a taken
  name looks like success, and so do password-reset and resend requests for unknown names.
* Every answer carries a Content-Security-Policy with a per-response nonce and
  ``frame-ancestors 'none'`` (RFC 9700 §4.16 clickjacking), ``X-Frame-Options``, ``nosniff``,
  ``Referrer-Policy: no-referrer`` (codes travel in URLs, RFC 9700 §4.2.4) and ``no-store``.

Core errors become (status, message) through ``ERRORS`` (DESIGN rule 3); anything else is an
error page with a logged request id, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib.resources import files
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from idmint.core import errors as core
from idmint.core.attributes import effective_schema
from idmint.core.authorization import AuthorizeParams, AuthorizeRequest
from idmint.core.branding import Look
from idmint.core.context import secret_hash
from idmint.core.hosted import HOSTED_SESSION_SECONDS
from idmint.core.messages import sign_up_candidates
from idmint.core.model import AppClient, User, UserPool, UserStatus
from idmint.core.service import Service
from idmint.settings import Settings
from idmint.web.http import BodyTooLarge, Handler, form_fields, guarded, read_body

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger("idmint.hosted")

PATHS = (
    "/login",
    "/signup",
    "/confirm",
    "/confirm/resend",
    "/forgot-password",
    "/reset-password",
    "/logout",
)
SSO_COOKIE = "idmint-sso-"
"""Prefix of the hosted-session cookie; the pool id follows (one sign-in per pool)."""
CSRF_COOKIE = "idmint-csrf"
SIGNUP_COOKIE = "idmint-signup"
"""Sealed "this browser signed up as <pool>:<sub>": confirming the code then signs in."""
SIGNUP_SECONDS = 3600
CSRF_FIELD = "_csrf"
STYLESHEET = "hosted.css"
_FORM = "application/x-www-form-urlencoded"
_MAX_FIELD = 4096
_AUTHORIZE = tuple(f.name for f in fields(AuthorizeParams))
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

NOTICES: Mapping[str, str] = {
    "confirmed": "Your account is confirmed; sign in.",
    "password_changed": "Your password has been changed; sign in with the new one.",
    "code_sent": "We have sent you a verification code. Enter it below to confirm your account.",
    "code_resent": "If this account is waiting for confirmation, a new code is on its way.",
    "not_confirmed": "Your account is not confirmed yet. Enter the code we have sent you.",
    "reset_sent": "If an account can be reset this way, we have sent it a verification code.",
    "pending": "Thank you for signing up. You can sign in once your account is confirmed.",
}
"""The only notices a page shows, by the key in its ``notice`` parameter: text from the query
is never echoed."""

CSRF_MESSAGE = (
    "This form has expired or did not come from this site. Go back, reload the page and try again."
)

# DESIGN rule 3: every core error's answer on these pages: (status, message); None shows the
# core's message, written for people already. The nearest class in the MRO answers.
ERRORS: dict[type[core.IdmintError], tuple[int, str | None]] = {
    core.IdmintError: (500, "Something went wrong on our side. Try again later."),
    core.InvalidParameter: (400, None),
    core.InvalidPassword: (400, None),
    core.ResourceNotFound: (400, "This application is not known here."),
    core.NotAuthorized: (403, None),
    core.InvalidCredentials: (401, "Incorrect username or password."),
    core.PasswordAttemptsExceeded: (429, "Too many failed sign-in attempts. Try again later."),
    core.UserDisabled: (403, "Your account is disabled. Contact the administrator."),
    core.InvalidToken: (401, "Your sign-in has expired. Sign in again."),
    core.TokenExpired: (401, "Your sign-in has expired. Sign in again."),
    core.TokenRevoked: (401, "Your sign-in has expired. Sign in again."),
    core.InvalidRefreshToken: (401, "Your sign-in has expired. Sign in again."),
    core.SecretHashMismatch: (400, "This application is not set up correctly."),
    core.InvalidSession: (401, "Your sign-in has expired. Sign in again."),
    core.Unauthenticated: (401, "Your sign-in has expired. Sign in again."),
    # Reached only where an unknown name must read as a wrong code (confirm, reset).
    core.UserNotFound: (400, core.CodeMismatch.default_message),
    core.UserNotConfirmed: (403, "Your account is not confirmed yet."),
    core.PasswordResetRequired: (
        403,
        "You must choose a new password before you sign in: use “Forgot your password?”.",
    ),
    core.UsernameExists: (400, "This account cannot be created."),
    core.AliasExists: (400, "This account cannot be created."),
    core.CodeMismatch: (400, None),
    core.ExpiredCode: (400, None),
    core.LimitExceeded: (400, "Attempt limit exceeded. Wait a while, then try again."),
    core.Overloaded: (503, "We are very busy right now. Try again in a moment."),
    core.CodeDeliveryFailure: (503, "We could not send you a message. Try again later."),
    core.CsrfFailed: (403, CSRF_MESSAGE),
    core.Unauthorized: (403, None),
    core.GroupExists: (400, None),
    core.UnsupportedUserState: (400, None),
    core.UnsupportedTokenType: (400, None),
    core.UnsupportedOperation: (400, None),
    core.Conflict: (409, None),
    core.InvalidClient: (400, "This application is not set up correctly."),
    core.GrantNotAllowed: (403, "This application may not sign people in here."),
    core.AuthorizationError: (400, None),
}

_ROUTING = {
    404: "This page does not exist.",
    405: "This page does not accept that kind of request.",
}

# Signup inputs for the pool's required attributes: label, input type, autocomplete token
# (WHATWG HTML "Autofill").
_ATTRIBUTES: Mapping[str, tuple[str, str, str]] = {
    "email": ("Email", "email", "email"),
    "phone_number": ("Phone number", "tel", "tel"),
    "name": ("Full name", "text", "name"),
    "given_name": ("Given name", "text", "given-name"),
    "family_name": ("Family name", "text", "family-name"),
    "middle_name": ("Middle name", "text", "additional-name"),
    "nickname": ("Nickname", "text", "nickname"),
    "preferred_username": ("Preferred username", "text", "nickname"),
    "birthdate": ("Date of birth", "date", "bday"),
    "gender": ("Gender", "text", "sex"),
    "address": ("Address", "text", "street-address"),
    "website": ("Website", "url", "url"),
    "profile": ("Profile page", "url", "url"),
    "picture": ("Picture", "url", "photo"),
    "locale": ("Language", "text", "language"),
    "zoneinfo": ("Time zone", "text", "off"),
}


def wire(exc: core.IdmintError) -> tuple[int, str]:
    """The status and message a page shows for a core error (``ERRORS``)."""
    for cls in type(exc).__mro__:
        if cls in ERRORS:
            status, message = ERRORS[cls]
            return status, message or exc.message
    raise AssertionError("IdmintError has a row")  # pragma: no cover


class _Answer(Exception):
    """A response decided deep in a handler: a redirect or an error page."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _PageError(Exception):
    """An error of these pages themselves (request shape, CSRF), shown on the error page."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a form."""

    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    value: str = ""
    required: bool = True
    inputmode: str | None = None

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(":", "-")


@dataclass(frozen=True, slots=True)
class _Page:
    """One request to a page: its query, the validated authorization request, the look and the
    browser's CSRF secret (``new_csrf``: made for this answer, to be set as a cookie)."""

    query: Mapping[str, str]
    params: AuthorizeParams
    authz: AuthorizeRequest
    look: Look
    csrf_cookie: str
    new_csrf: bool
    nonce: str

    @property
    def pool(self) -> UserPool:
        return self.authz.pool

    @property
    def client(self) -> AppClient:
        return self.authz.client


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an absolute URL, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS.get(scheme)


def _csp_source(url: str) -> str | None:
    """The CSP source expression of a redirect URI's origin (``form-action``: Chromium checks
    the redirect that follows a form POST against it); a scheme source for app schemes."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not scheme or not all(c.isalnum() or c in "+-." for c in scheme):
        return None
    if scheme not in ("http", "https"):
        return f"{scheme}:"
    host = parts.hostname
    if not host or not all(c.isalnum() or c in "-.:[]" for c in host):
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}{'' if port is None else f':{port}'}"


def _location(url: str) -> str:
    """A URL fit for a Location header (non-ASCII and spaces percent-encoded)."""
    return quote(url, safe=":/%#?=@[]!$&'()*+,;~")


def _url(path: str, params: AuthorizeParams, **extra: str) -> str:
    """``path`` with the authorization request's query and ``extra`` (empty values left out)."""
    query = params.query() | {k: v for k, v in extra.items() if v}
    return f"{path}?{urlencode(query)}" if query else path


def _style(look: Look) -> Markup | None:
    """The pool's CSS for a ``<style>`` element. It is sanitised CSS; ``<`` never has a
    meaning in CSS outside strings, where ``\\3c`` is the same character, so the element
    cannot be closed early whatever the CSS holds."""
    if not look.css:
        return None
    return Markup(look.css.replace("<", "\\3c "))  # noqa: S704 - neutralised above


def _wait(seconds: int) -> str:
    if seconds < 60:
        return "a minute"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def _username_field(pool: UserPool, value: str, autocomplete: str = "username") -> Field:
    """The username input, labelled as the pool's users sign in (Cognito UsernameAttributes)."""
    kinds = pool.username_attributes
    if "email" in kinds:
        kind = "email" if len(kinds) == 1 else "text"
        return Field("username", "Email", kind, autocomplete, value, inputmode="email")
    if "phone_number" in kinds:
        return Field("username", "Phone number", "tel", autocomplete, value, inputmode="tel")
    return Field("username", "Username", "text", autocomplete, value)


def _attribute_fields(pool: UserPool, form: Mapping[str, str]) -> list[Field]:
    """Signup inputs besides username and password: the email when it is not the username,
    and every other attribute the pool requires (Cognito SignUp ``UserAttributes``)."""
    by_username = set(pool.username_attributes)
    schema = effective_schema(pool)
    result: list[Field] = []
    if "email" not in by_username:
        needed = "email" in sign_up_candidates(pool) or any(
            a.name == "email" and a.required for a in schema
        )
        result.append(Field("email", "Email", "email", "email", form.get("email", ""), needed))
    for attr in schema:
        if (
            not attr.required
            or attr.developer_only
            or attr.name in ("sub", "email")
            or attr.name in by_username
        ):
            continue
        label, kind, autocomplete = _ATTRIBUTES.get(
            attr.name,
            (attr.name.removeprefix("custom:").replace("_", " ").capitalize(), "text", "off"),
        )
        result.append(Field(attr.name, label, kind, autocomplete, form.get(attr.name, "")))
    return result


def _password_field(label: str = "Password", autocomplete: str = "current-password") -> Field:
    return Field("password", label, "password", autocomplete)


def _code_field() -> Field:
    return Field("code", "Verification code", "text", "one-time-code", inputmode="numeric")


class HostedUi:
    service: Service
    """Set when the app starts (the use cases need the store, which the lifespan opens)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jinja: jinja2.Environment | None = None
        static = files("idmint.web") / "static"
        self._static = {STYLESHEET: (static / STYLESHEET).read_bytes()}
        version = hashlib.sha256(self._static[STYLESHEET]).hexdigest()[:12]
        self._css_url = f"/hosted/static/{STYLESHEET}?v={version}"

    @property
    def _env(self) -> jinja2.Environment:
        """The templates, loaded at the first page: a server never asked for one does not pay
        Jinja2's import at start-up."""
        if self._jinja is None:
            import jinja2

            self._jinja = jinja2.Environment(
                loader=jinja2.PackageLoader("idmint.web", "templates"),
                autoescape=True,
                undefined=jinja2.StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
        return self._jinja

    def routes(self) -> list[BaseRoute]:
        def wrap(handler: Handler) -> Handler:
            return guarded(handler, self._render, self._internal, log)

        both = ["GET", "POST"]
        return [
            Route("/oauth2/authorize", wrap(self.authorize), methods=["GET"]),
            Route("/login", wrap(self.login), methods=both),
            Route("/signup", wrap(self.signup), methods=both),
            Route("/confirm", wrap(self.confirm), methods=both),
            Route("/confirm/resend", wrap(self.resend), methods=["POST"]),
            Route("/forgot-password", wrap(self.forgot_password), methods=both),
            Route("/reset-password", wrap(self.reset_password), methods=both),
            Route("/logout", wrap(self.logout), methods=["GET"]),
            Route("/hosted/static/{name}", wrap(self.static), methods=["GET"]),
        ]

    def owns(self, path: str) -> bool:
        """Whether a routing error on ``path`` is answered with the hosted error page."""
        return path in PATHS or path.startswith(("/oauth2/authorize", "/hosted/"))

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        """A routing error (404, 405) on these paths, as the error page."""
        message = _ROUTING.get(exc.status_code, "The request could not be completed.")
        response = self._error_page(request, exc.status_code, message)
        response.headers.update(exc.headers or {})
        return response

    # Answers --------------------------------------------------------------------------------

    @staticmethod
    def _secure(response: Response, nonce: str, form_source: str | None = None) -> Response:
        """The headers of every answer (see the module docstring)."""
        form_action = "'self'" + (f" {form_source}" if form_source else "")
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.headers["Permissions-Policy"] = _PERMISSIONS
        return response

    def _redirect(self, location: str, status: int = 302) -> Response:
        response = Response(status_code=status, headers={"Location": _location(location)})
        return self._secure(response, secrets.token_urlsafe(16))

    def _see_other(self, location: str) -> Response:
        """RFC 9110 §15.4.4: after a POST, the browser GETs the next page."""
        return self._redirect(location, 303)

    def _html(
        self,
        template: str,
        status: int,
        *,
        look: Look | None,
        nonce: str,
        form_source: str | None = None,
        **context: object,
    ) -> Response:
        shown = look or Look(name="Sign in")
        body = self._env.get_template(template).render(
            {"error": None, "notice": None}
            | context
            | {"look": shown, "style": _style(shown), "nonce": nonce, "css_url": self._css_url}
        )
        response = self._secure(HTMLResponse(body, status), nonce, form_source)
        if status == 503:  # busy, or mail not sent: both worth another try soon (RFC 9110 §10.2.3)
            response.headers["Retry-After"] = str(core.Overloaded().retry_after)
        return response

    def _show(
        self,
        request: Request,
        page: _Page,
        template: str,
        *,
        status: int = 200,
        error: str | None = None,
        notice: str | None = None,
        **context: object,
    ) -> Response:
        """A page with a form, for the browser holding ``page.csrf_cookie``."""
        response = self._html(
            template,
            status,
            look=page.look,
            nonce=page.nonce,
            form_source=_csp_source(page.authz.redirect_uri),
            csrf=self.service.hosted.csrf_token(page.csrf_cookie),
            error=error,
            notice=notice or NOTICES.get(page.query.get("notice", "")),
            **context,
        )
        if page.new_csrf:
            self._set_cookie(request, response, CSRF_COOKIE, page.csrf_cookie, None)
        return response

    def _error_page(
        self, request: Request | None, status: int, message: str, code: str | None = None
    ) -> Response:
        look = getattr(request.state, "look", None) if request is not None else None
        return self._html(
            "error.html",
            status,
            look=look,
            nonce=secrets.token_urlsafe(16),
            title="Something went wrong",
            message=message,
            code=code,
            request_id=None,
        )

    def _render(self, request: Request, exc: Exception) -> Response | None:
        if isinstance(exc, _Answer):
            return exc.response
        if isinstance(exc, _PageError):
            return self._error_page(request, exc.status, exc.message, exc.code)
        if isinstance(exc, core.AuthorizationError):
            return self._error_page(request, 400, exc.message, exc.error)
        if isinstance(exc, core.IdmintError):
            return self._error_page(request, *wire(exc))
        return None

    def _internal(self, rid: str) -> Response:
        return self._html(
            "error.html",
            500,
            look=None,
            nonce=secrets.token_urlsafe(16),
            title="Something went wrong",
            message="Something went wrong on our side. Try again later.",
            code=None,
            request_id=rid,
        )

    # Cookies --------------------------------------------------------------------------------

    def _plain(self, request: Request) -> bool:
        """Whether cookies go without ``Secure`` (and so without ``__Host-``): only with
        ``insecure_localhost_cookies`` for plain HTTP to this machine."""
        host = (request.url.hostname or "").lower()
        return (
            self._settings.insecure_localhost_cookies
            and request.url.scheme == "http"
            and host in _LOCAL_HOSTS
        )

    def _cookie_name(self, request: Request, name: str) -> str:
        """RFC 6265bis §4.1.3.2: ``__Host-`` cookies are Secure, host-only, ``Path=/``."""
        return name if self._plain(request) else f"__Host-{name}"

    def _set_cookie(
        self, request: Request, response: Response, name: str, value: str, age: int | None
    ) -> None:
        response.set_cookie(
            self._cookie_name(request, name),
            value,
            max_age=age,
            path="/",
            httponly=True,
            secure=not self._plain(request),
            samesite="lax",  # the top-level redirect from another app must carry it
        )

    def _cookie(self, request: Request, name: str) -> str | None:
        return request.cookies.get(self._cookie_name(request, name))

    # Requests -------------------------------------------------------------------------------

    @staticmethod
    def _query(request: Request) -> dict[str, str]:
        """The query, each parameter once (RFC 6749 §3.1), none empty-named or oversized."""
        try:
            query = form_fields(request.scope.get("query_string", b""))
        except ValueError as exc:
            raise _PageError(400, f"The request is not valid. {exc}", "invalid_request") from None
        if any(len(v) > _MAX_FIELD or "\x00" in v for v in query.values()):
            raise _PageError(400, "The request is not valid.", "invalid_request")
        return query

    @staticmethod
    def _params(query: Mapping[str, str]) -> AuthorizeParams:
        """RFC 6749 §3.1: a parameter sent without a value is treated as omitted."""
        return AuthorizeParams(**{name: query.get(name) or None for name in _AUTHORIZE})

    async def _check(self, params: AuthorizeParams, status: int) -> AuthorizeRequest:
        try:
            return await self.service.authorization.check(params)
        except core.AuthorizationError as exc:
            if not exc.redirect or exc.location is None:
                raise _PageError(400, exc.message, exc.error) from None
            raise _Answer(self._redirect(exc.location, status)) from None

    async def _page(self, request: Request) -> _Page:
        """The page's authorization request (validated), look, CSRF secret and nonce."""
        post = request.method == "POST"
        if post:
            self._check_origin(request)
        query = self._query(request)
        params = self._params(query)
        authz = await self._check(params, 303 if post else 302)
        look = await self.service.branding.look(authz.pool, authz.client.id)
        request.state.look = look
        csrf_cookie = self._cookie(request, CSRF_COOKIE)
        new = not csrf_cookie or len(csrf_cookie) > 64
        if new:
            csrf_cookie = self.service.hosted.new_csrf_cookie()
        assert csrf_cookie is not None
        return _Page(query, params, authz, look, csrf_cookie, new, secrets.token_urlsafe(16))

    def _check_origin(self, request: Request) -> None:
        """Refuse a form POST another site made (OWASP: verify the origin with standard
        headers): ``Sec-Fetch-Site`` other than same-origin, or an ``Origin`` that is not this
        server's (as the request reached it, or its public URL).

        ``Origin: null`` is what browsers send for our own forms under ``Referrer-Policy:
        no-referrer`` (Fetch, "serializing a request origin"), so it proves nothing either
        way: ``Sec-Fetch-Site`` and the CSRF token decide then, as for browsers that send no
        ``Origin``."""
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise _PageError(403, CSRF_MESSAGE, "csrf")
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return
        own = {_origin(str(request.base_url))}
        if self._settings.public_url:
            own.add(_origin(self._settings.public_url))
        if _origin(origin) is None or _origin(origin) not in own:
            raise _PageError(403, CSRF_MESSAGE, "csrf")

    async def _form(self, request: Request, page: _Page) -> dict[str, str]:
        """The POSTed form (``application/x-www-form-urlencoded``, bounded, each field once),
        after its CSRF token is checked against the browser's CSRF cookie."""
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind != _FORM:
            raise _PageError(415, "The form must be sent as " + _FORM + ".")
        try:
            body = await read_body(request, self._settings.max_body_bytes)
        except BodyTooLarge:
            raise _PageError(413, "The form is too large.") from None
        try:
            form = form_fields(body)
        except ValueError as exc:
            raise _PageError(400, f"The form is not valid. {exc}") from None
        if any(len(v) > _MAX_FIELD or "\x00" in v for v in form.values()):
            raise _PageError(400, "The form is not valid.")
        if page.new_csrf or not self.service.hosted.check_csrf(
            page.csrf_cookie, form.get(CSRF_FIELD)
        ):
            raise _PageError(403, CSRF_MESSAGE, "csrf")
        return form

    @staticmethod
    def _secret_hash(client: AppClient, username: str) -> str | None:
        """The pages are the server itself: they compute SECRET_HASH for a client with one."""
        return secret_hash(client.secret, username, client.id) if client.secret else None

    # Sign-in --------------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        """``GET /oauth2/authorize`` (RFC 6749 §4.1.1; OIDC Core §3.1.2.1): a code at once
        for a usable hosted session, ``login_required`` for ``prompt=none``, else the sign-in
        page with the same query."""
        query = self._query(request)
        params = self._params(query)
        authz = await self._check(params, 302)
        authorization = self.service.authorization
        signed_in = await self.service.hosted.current(
            authz.pool.id, self._cookie(request, SSO_COOKIE + authz.pool.id)
        )
        if signed_in is not None and not authorization.needs_sign_in(authz, signed_in):
            try:
                return self._redirect(
                    await authorization.issue_code(authz, signed_in.user, signed_in.auth_time)
                )
            except core.IdmintError:
                pass  # the user may not sign in as things stand: the page will say why
        if "none" in authz.prompt:
            refusal = core.AuthorizationError(
                message="The user is not signed in.", error="login_required"
            )
            return self._redirect(authorization.error_redirect(authz, refusal))
        return self._redirect(_url("/login", params))

    def _login_page(
        self, request: Request, page: _Page, status: int = 200, error: str | None = None, **kw: str
    ) -> Response:
        can_sign_up = not page.pool.allow_admin_create_user_only
        return self._show(
            request,
            page,
            "login.html",
            status=status,
            error=error,
            title="Sign in",
            action=_url("/login", page.params),
            fields=[
                _username_field(page.pool, kw.get("username", page.query.get("username", ""))),
                _password_field(),
            ],
            signup_url=_url("/signup", page.params) if can_sign_up else None,
            forgot_url=_url("/forgot-password", page.params),
        )

    async def login(self, request: Request) -> Response:
        """``/login``: the sign-in form; its POST checks the password (the same check and
        lockout as Cognito USER_PASSWORD_AUTH), opens the hosted session and answers with the
        code (RFC 6749 §4.1.2)."""
        page = await self._page(request)
        if request.method == "GET":
            return self._login_page(request, page)
        form = await self._form(request, page)
        username, password = form.get("username", "").strip(), form.get("password", "")
        if not username or not password:
            label = _username_field(page.pool, "").label.lower()
            return self._login_page(
                request, page, 400, f"Enter your {label} and password.", username=username
            )
        pool, auth = page.pool, self.service.auth
        try:
            user = await auth.check_password(pool, username, password, hide_unknown=True)
            auth.check_state(pool, user)
        except core.PasswordAttemptsExceeded as exc:
            message = f"Too many failed sign-in attempts. Try again in {_wait(exc.retry_after)}."
            response = self._login_page(request, page, 429, message, username=username)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except core.UserNotConfirmed:
            # the password was right: send a fresh code and ask for it
            await self._resend_quietly(page, username)
            return self._see_other(
                _url("/confirm", page.params, username=username, notice="not_confirmed")
            )
        except core.IdmintError as exc:
            return self._login_page(request, page, *wire(exc), username=username)
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            message = (
                "Your account has a temporary password. Choose your own with "
                "“Forgot your password?”, then sign in."
            )
            return self._login_page(request, page, 403, message, username=username)
        return await self._signed_in(request, page, user)

    async def _signed_in(self, request: Request, page: _Page, user: User) -> Response:
        """Open the hosted session (ending this browser's previous one in the pool) and
        answer with the code."""
        hosted, name = self.service.hosted, SSO_COOKIE + page.pool.id
        await hosted.close(page.pool.id, self._cookie(request, name))
        cookie = await hosted.open(user)
        location = await self.service.authorization.issue_code(
            page.authz, user, self.service.ctx.clock()
        )
        response = self._see_other(location)
        self._set_cookie(request, response, name, cookie, HOSTED_SESSION_SECONDS)
        return response

    async def _resend_quietly(self, page: _Page, username: str) -> None:
        try:
            await self.service.users.resend_confirmation_code(
                page.client.id,
                username,
                self._secret_hash(page.client, username),
                hide_existence=True,
            )
        except core.IdmintError as exc:
            log.info("hosted sign-in: no new confirmation code (%s)", type(exc).__name__)

    # Sign-up --------------------------------------------------------------------------------

    def _signup_page(
        self,
        request: Request,
        page: _Page,
        status: int = 200,
        error: str | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        form = form or {}
        return self._show(
            request,
            page,
            "signup.html",
            status=status,
            error=error,
            title="Sign up",
            action=_url("/signup", page.params),
            fields=[
                _username_field(page.pool, form.get("username", "").strip()),
                *_attribute_fields(page.pool, form),
                _password_field(autocomplete="new-password"),
            ],
            login_url=_url("/login", page.params),
        )

    async def signup(self, request: Request) -> Response:
        """``/signup``: Cognito SignUp from a form; then the confirm page. A taken name answers
        exactly as a new one (nothing is sent), so the page tells no one who has an account."""
        page = await self._page(request)
        if request.method == "GET":
            return self._signup_page(request, page)
        form = await self._form(request, page)
        username, password = form.get("username", "").strip(), form.get("password", "")
        if not username or not password:
            label = _username_field(page.pool, "").label.lower()
            return self._signup_page(
                request, page, 400, f"Enter your {label} and a password.", form
            )
        attributes = {
            f.name: value
            for f in _attribute_fields(page.pool, {})
            if (value := form.get(f.name, "").strip())
        }
        client = page.client
        sub = str(uuid.uuid4())  # what a taken name seals: as opaque as a new account's sub
        try:
            user, _ = await self.service.users.sign_up(
                client.id, username, password, attributes, self._secret_hash(client, username)
            )
            sub = user.sub
        except (core.UsernameExists, core.AliasExists):
            pass
        except core.CodeDeliveryFailure as exc:
            # the account exists; resending may work later
            return self._signup_page(request, page, *wire(exc), form)
        except core.IdmintError as exc:
            return self._signup_page(request, page, *wire(exc), form)
        if sign_up_candidates(page.pool):
            target = _url("/confirm", page.params, username=username, notice="code_sent")
        else:  # no code is sent: an administrator confirms
            target = _url("/login", page.params, notice="pending")
        response = self._see_other(target)
        sealed = self.service.hosted.seal("signup", f"{page.pool.id}:{sub}", SIGNUP_SECONDS)
        self._set_cookie(request, response, SIGNUP_COOKIE, sealed, SIGNUP_SECONDS)
        return response

    def _confirm_page(
        self,
        request: Request,
        page: _Page,
        status: int = 200,
        error: str | None = None,
        username: str | None = None,
        notice: str | None = None,
    ) -> Response:
        if username is None:
            username = page.query.get("username", "")
        return self._show(
            request,
            page,
            "confirm.html",
            status=status,
            error=error,
            notice=notice,
            title="Confirm your account",
            action=_url("/confirm", page.params),
            resend_action=_url("/confirm/resend", page.params),
            fields=[_username_field(page.pool, username), _code_field()],
            login_url=_url("/login", page.params),
        )

    async def confirm(self, request: Request) -> Response:
        """``/confirm``: Cognito ConfirmSignUp with the emailed code. The browser that signed
        up (its sealed cookie) is signed in at once and gets the code; others sign in."""
        page = await self._page(request)
        if request.method == "GET":
            return self._confirm_page(request, page)
        form = await self._form(request, page)
        username, code = form.get("username", "").strip(), form.get("code", "").strip()
        if not username or not code:
            return self._confirm_page(
                request, page, 400, "Enter the verification code.", username=username
            )
        client = page.client
        try:
            await self.service.users.confirm_sign_up(
                client.id, username, code, self._secret_hash(client, username), hide_existence=True
            )
        except (core.UserNotFound, core.NotAuthorized):
            # unknown name, or already confirmed: either would tell who has an account
            message = core.CodeMismatch.default_message
            return self._confirm_page(request, page, 400, message, username=username)
        except core.IdmintError as exc:
            return self._confirm_page(request, page, *wire(exc), username=username)
        sealed = self.service.hosted.unseal("signup", self._cookie(request, SIGNUP_COOKIE))
        user = await self.service.ctx.find_user(page.pool, username) if sealed else None
        if user is not None and sealed == f"{page.pool.id}:{user.sub}":
            response = await self._signed_in(request, page, user)
            self._set_cookie(request, response, SIGNUP_COOKIE, "", 0)
            return response
        return self._see_other(_url("/login", page.params, username=username, notice="confirmed"))

    async def resend(self, request: Request) -> Response:
        """``POST /confirm/resend``: Cognito ResendConfirmationCode; the same answer whether
        or not the name has an account waiting."""
        page = await self._page(request)
        form = await self._form(request, page)
        username = form.get("username", "").strip()
        if not username:
            return self._confirm_page(request, page, 400, "Enter your username.", username="")
        client = page.client
        try:
            await self.service.users.resend_confirmation_code(
                client.id, username, self._secret_hash(client, username), hide_existence=True
            )
        except (core.UserNotFound, core.InvalidParameter):
            pass  # unknown, already confirmed, or nowhere to send: said alike
        except core.IdmintError as exc:
            return self._confirm_page(request, page, *wire(exc), username=username)
        return self._see_other(
            _url("/confirm", page.params, username=username, notice="code_resent")
        )

    # Password reset -------------------------------------------------------------------------

    def _forgot_page(
        self, request: Request, page: _Page, status: int = 200, error: str | None = None
    ) -> Response:
        return self._show(
            request,
            page,
            "forgot_password.html",
            status=status,
            error=error,
            title="Reset your password",
            action=_url("/forgot-password", page.params),
            fields=[_username_field(page.pool, page.query.get("username", ""))],
            login_url=_url("/login", page.params),
        )

    async def forgot_password(self, request: Request) -> Response:
        """``/forgot-password``: Cognito ForgotPassword, then the reset page, whatever the
        name (the core simulates a delivery for unknown ones)."""
        page = await self._page(request)
        if request.method == "GET":
            return self._forgot_page(request, page)
        form = await self._form(request, page)
        username = form.get("username", "").strip()
        if not username:
            label = _username_field(page.pool, "").label.lower()
            return self._forgot_page(request, page, 400, f"Enter your {label}.")
        client = page.client
        try:
            await self.service.recovery.forgot_password(
                client.id, username, self._secret_hash(client, username), hide_existence=True
            )
        except (core.UserNotFound, core.UserDisabled, core.InvalidParameter):
            pass  # unknown, disabled, or nowhere to send: said alike
        except core.IdmintError as exc:
            return self._forgot_page(request, page, *wire(exc))
        return self._see_other(
            _url("/reset-password", page.params, username=username, notice="reset_sent")
        )

    def _reset_page(
        self,
        request: Request,
        page: _Page,
        status: int = 200,
        error: str | None = None,
        username: str | None = None,
    ) -> Response:
        if username is None:
            username = page.query.get("username", "")
        return self._show(
            request,
            page,
            "reset_password.html",
            status=status,
            error=error,
            title="Choose a new password",
            action=_url("/reset-password", page.params),
            fields=[
                _username_field(page.pool, username),
                _code_field(),
                _password_field("New password", "new-password"),
            ],
            login_url=_url("/login", page.params),
        )

    async def reset_password(self, request: Request) -> Response:
        """``/reset-password``: Cognito ConfirmForgotPassword with the code and a new
        password; then the sign-in page."""
        page = await self._page(request)
        if request.method == "GET":
            return self._reset_page(request, page)
        form = await self._form(request, page)
        username = form.get("username", "").strip()
        code, password = form.get("code", "").strip(), form.get("password", "")
        if not username or not code or not password:
            message = "Enter the verification code and a new password."
            return self._reset_page(request, page, 400, message, username)
        client = page.client
        try:
            await self.service.recovery.confirm_forgot_password(
                client.id,
                username,
                code,
                password,
                self._secret_hash(client, username),
                hide_existence=True,
            )
        except core.IdmintError as exc:
            return self._reset_page(request, page, *wire(exc), username)
        return self._see_other(
            _url("/login", page.params, username=username, notice="password_changed")
        )

    # Sign-out -------------------------------------------------------------------------------

    async def logout(self, request: Request) -> Response:
        """``GET /logout`` (Cognito's logout endpoint): end this browser's hosted session in
        the client's pool, then go to ``logout_uri`` when it is exactly one of the client's
        LogoutURLs; with ``redirect_uri`` and ``response_type`` instead, to the sign-in page
        for that request; with neither, a signed-out page."""
        query = self._query(request)
        client_id = query.get("client_id")
        if not client_id:
            raise _PageError(400, "client_id is required.", "invalid_request")
        try:
            client = await self.service.ctx.client(client_id)
        except core.ResourceNotFound:
            raise _PageError(400, "The client does not exist.", "invalid_client") from None
        pool = await self.service.ctx.pool(client.pool_id)
        request.state.look = look = await self.service.branding.look(pool, client.id)
        logout_uri = query.get("logout_uri")
        target: str | None = None
        if logout_uri:
            if logout_uri not in client.oauth.logout_urls:
                raise _PageError(
                    400, "logout_uri is not one of this client's sign-out URLs.", "invalid_request"
                )
            target = logout_uri
        elif query.get("redirect_uri") or query.get("response_type"):
            params = self._params(query)
            await self._check(params, 302)
            target = _url("/login", params)
        name = SSO_COOKIE + pool.id
        await self.service.hosted.close(pool.id, self._cookie(request, name))
        if target is not None:
            response = self._redirect(target)
        else:
            response = self._html(
                "signed_out.html",
                200,
                look=look,
                nonce=secrets.token_urlsafe(16),
                title="You are signed out",
            )
        self._set_cookie(request, response, name, "", 0)
        return response

    # Static ---------------------------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        """The pages' stylesheet (no external CDN); its URL changes with its content."""
        body = self._static.get(request.path_params["name"])
        if body is None:
            raise _PageError(404, _ROUTING[404])
        return Response(
            body,
            headers={
                "Content-Type": "text/css; charset=utf-8",
                "Cache-Control": "public, max-age=86400",
                "X-Content-Type-Options": "nosniff",
            },
        )
