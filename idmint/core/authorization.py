"""The OAuth 2.0 authorization server behind Cognito's hosted UI: ``/oauth2/authorize``,
``/oauth2/token``, ``/oauth2/userInfo`` and ``/oauth2/revoke`` (Amazon Cognito developer guide,
"User pool endpoints"), as RFC 6749, RFC 7636 (PKCE), RFC 9700 (security BCP), RFC 9207 (``iss``
in the authorization response) and OpenID Connect Core 1.0 require.

* Authorization requests (``check``) are validated in RFC 6749 §4.1.2.1's order: an unknown
  client or a redirect URI that is not one of its CallbackURLs (exact string match, RFC 9700
  §4.1.1) is never redirected to; every later error is sent to the redirect URI.
* PKCE (RFC 7636) is required of clients without a secret and accepted from all; only ``S256``
  (``plain`` is refused, RFC 9700 §2.1.1).
* Codes are 256 CSPRNG bits stored as SHA-256, live ``CODE_SECONDS``, are bound to client,
  redirect URI and challenge, and work once: a replayed code revokes the sign-in its first
  exchange started (RFC 6749 §4.1.2, §10.5).
* The app-client settings that govern all this are Cognito's (``OAuthSettings``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn
from urllib.parse import urlencode

from idmint.core import tokens
from idmint.core.context import Context
from idmint.core.errors import (
    AuthorizationError,
    IdmintError,
    NotAuthorized,
    ResourceNotFound,
    UserDisabled,
)
from idmint.core.flows import Auth
from idmint.core.hosted import SignedIn
from idmint.core.ids import new_uuid
from idmint.core.model import (
    COGNITO_PROVIDER,
    AppClient,
    AuthorizationCode,
    RefreshSession,
    User,
    UserPool,
    UserStatus,
)

CODE_SECONDS = 300
"""Authorization codes expire within 5 minutes (Cognito's codes live 5 minutes)."""

OPENID = "openid"
# RFC 7636 §4.1: code_verifier = 43*128unreserved; §4.2: an S256 challenge is 43 base64url.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
_PROMPTS = frozenset({"none", "login", "consent", "select_account"})
_MAX_STATE = 2048
# OIDC Core §5.4: the claims the email and phone scopes ask for at the UserInfo endpoint. The
# profile scope, as in Cognito, grants every attribute the client may read.
SCOPE_CLAIMS: Mapping[str, tuple[str, ...]] = {
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
}
_ALL_ATTRIBUTES = frozenset({"profile", tokens.ACCESS_SCOPE})


@dataclass(frozen=True, slots=True)
class AuthorizeParams:
    """The query of an authorization request, as sent (None: absent). RFC 6749 §4.1.1,
    RFC 7636 §4.3, OIDC Core §3.1.2.1."""

    client_id: str | None = None
    redirect_uri: str | None = None
    response_type: str | None = None
    scope: str | None = None
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompt: str | None = None
    max_age: str | None = None

    def query(self) -> dict[str, str]:
        """The parameters that were present, to carry the request from page to page."""
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) is not None}


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """A validated authorization request."""

    params: AuthorizeParams
    pool: UserPool
    client: AppClient
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    prompt: frozenset[str]
    max_age: int | None


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """A successful token response (RFC 6749 §5.1; OIDC Core §3.1.3.3)."""

    access_token: str
    expires_in: int
    id_token: str | None = None
    refresh_token: str | None = None
    scope: str | None = None
    token_type: str = "Bearer"


def describe(text: str) -> str:
    """``text`` as an ``error_description``: RFC 6749 §4.1.2.1 and §5.2 allow only
    ``%x20-21 / %x23-5B / %x5D-7E``, so anything else becomes ``?``."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)


def _error(error: AuthorizationError) -> dict[str, str]:
    return {"error": error.error, "error_description": describe(error.message)}


def _refuse(error: str, message: str, redirect: bool = True) -> AuthorizationError:
    return AuthorizationError(message, error=error, redirect=redirect)


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def with_query(uri: str, params: Mapping[str, str]) -> str:
    """``uri`` with ``params`` added to its query (RFC 6749 §4.1.2: keep the existing query)."""
    if not params:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"


class Authorization:
    def __init__(self, ctx: Context, auth: Auth) -> None:
        self._ctx = ctx
        self._auth = auth

    # ----------------------------------------------------------------- /oauth2/authorize

    async def check(self, params: AuthorizeParams) -> AuthorizeRequest:
        """Validate an authorization request (RFC 6749 §4.1.1, §4.1.2.1; RFC 7636 §4.3; OIDC
        Core §3.1.2.2). Raises ``AuthorizationError``: with ``redirect`` False for an unknown
        client or an unregistered redirect URI, else with ``location``, the redirect URI
        carrying the error, ``state`` and ``iss``."""
        if not params.client_id:
            raise _refuse("invalid_request", "client_id is required.", redirect=False)
        try:
            client = await self._ctx.client(params.client_id)
        except ResourceNotFound:
            raise _refuse("invalid_client", "The client does not exist.", redirect=False) from None
        oauth = client.oauth
        redirect_uri = params.redirect_uri
        if redirect_uri is None:  # RFC 6749 §3.1.2.3: only when it cannot be ambiguous
            redirect_uri = oauth.default_redirect_uri or (
                oauth.callback_urls[0] if len(oauth.callback_urls) == 1 else None
            )
            if redirect_uri is None:
                raise _refuse("invalid_request", "redirect_uri is required.", redirect=False)
        if redirect_uri not in oauth.callback_urls:
            raise _refuse(
                "invalid_request",
                "redirect_uri is not one of this client's callback URLs.",
                redirect=False,
            )
        pool = await self._ctx.pool(client.pool_id)
        try:
            return self._check_verified(params, pool, client, redirect_uri)
        except AuthorizationError as exc:  # RFC 6749 §4.1.2.1: to the verified redirect URI
            exc.location = self._location(pool.id, redirect_uri, params.state, _error(exc))
            raise

    def _check_verified(
        self, params: AuthorizeParams, pool: UserPool, client: AppClient, redirect_uri: str
    ) -> AuthorizeRequest:
        """The checks of ``check`` made once client and redirect URI are verified."""
        oauth = client.oauth
        if not oauth.allowed or COGNITO_PROVIDER not in oauth.identity_providers:
            raise _refuse("unauthorized_client", "This client may not use the OAuth 2.0 flows.")
        if params.response_type != "code":
            raise _refuse(
                "unsupported_response_type" if params.response_type else "invalid_request",
                "response_type must be code.",
            )
        if "code" not in oauth.flows:
            raise _refuse("unauthorized_client", "The code grant is not enabled for this client.")
        scopes = self._scopes(client, params.scope)
        challenge = self._challenge(client, params)
        prompt = frozenset((params.prompt or "").split())
        if not prompt <= _PROMPTS or ("none" in prompt and len(prompt) > 1):
            raise _refuse("invalid_request", "prompt is not valid.")
        max_age = None
        if params.max_age is not None:
            if not params.max_age.isdigit() or len(params.max_age) > 10:
                raise _refuse("invalid_request", "max_age must be a number of seconds.")
            max_age = int(params.max_age)
        if params.state is not None and len(params.state) > _MAX_STATE:
            raise _refuse("invalid_request", "state is too long.")
        if params.nonce is not None and len(params.nonce) > _MAX_STATE:
            raise _refuse("invalid_request", "nonce is too long.")
        return AuthorizeRequest(
            params=replace(params, redirect_uri=redirect_uri),
            pool=pool,
            client=client,
            redirect_uri=redirect_uri,
            scopes=scopes,
            state=params.state,
            nonce=params.nonce,
            code_challenge=challenge,
            prompt=prompt,
            max_age=max_age,
        )

    @staticmethod
    def _scopes(client: AppClient, scope: str | None) -> tuple[str, ...]:
        """RFC 6749 §3.3: the requested scopes, each allowed to the client; none requested
        means all the client's scopes (as Cognito does)."""
        allowed = client.oauth.scopes
        if scope is None or not scope.strip():
            return tuple(sorted(allowed))
        requested = scope.split(" ")
        if any(not _SCOPE_TOKEN.fullmatch(s) for s in requested):
            raise _refuse("invalid_scope", "scope is malformed.")
        unknown = [s for s in requested if s not in allowed]
        if unknown:
            raise _refuse("invalid_scope", f"Scope not allowed for this client: {unknown[0]}")
        return tuple(dict.fromkeys(requested))

    @staticmethod
    def _challenge(client: AppClient, params: AuthorizeParams) -> str | None:
        """RFC 7636 §4.3, RFC 9700 §2.1.1: S256 only; required without a client secret."""
        method, challenge = params.code_challenge_method, params.code_challenge
        if challenge is None:
            if method is not None:
                raise _refuse("invalid_request", "code_challenge is required with its method.")
            if client.secret is None:
                raise _refuse(
                    "invalid_request", "code_challenge is required (PKCE, S256) for this client."
                )
            return None
        if method != "S256":
            raise _refuse("invalid_request", "code_challenge_method must be S256.")
        if not _S256_CHALLENGE.fullmatch(challenge):
            raise _refuse("invalid_request", "code_challenge is not a valid S256 challenge.")
        return challenge

    def needs_sign_in(self, request: AuthorizeRequest, signed_in: SignedIn | None) -> bool:
        """Whether the user must type their password: no hosted session, ``prompt=login``, or
        a sign-in older than ``max_age`` seconds (OIDC Core §3.1.2.1). With ``prompt=none``
        the caller answers ``login_required`` instead of showing a page."""
        if signed_in is None or "login" in request.prompt:
            return True
        if request.max_age is not None:
            return self._ctx.clock() - signed_in.auth_time > request.max_age
        return False

    async def issue_code(self, request: AuthorizeRequest, user: User, auth_time: float) -> str:
        """A code for ``user`` (signed in at ``auth_time``) and the redirect URI that carries
        it with ``state`` and ``iss`` (RFC 6749 §4.1.2, RFC 9207 §2)."""
        self._auth.check_state(request.pool, user)
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            raise NotAuthorized("You must choose a new password before you can sign in here.")
        now = self._ctx.clock()
        code, code_hash = tokens.new_opaque_token()
        await self._ctx.store.create_authorization_code(
            AuthorizationCode(
                code_hash=code_hash,
                pool_id=request.pool.id,
                client_id=request.client.id,
                user_sub=user.sub,
                redirect_uri=request.redirect_uri,
                scope=" ".join(request.scopes),
                nonce=request.nonce,
                code_challenge=request.code_challenge,
                auth_time=auth_time,
                created_at=now,
                expires_at=now + CODE_SECONDS,
            )
        )
        return self._answer(request, {"code": code})

    def error_redirect(self, request: AuthorizeRequest, error: AuthorizationError) -> str:
        """The redirect URI carrying an error (RFC 6749 §4.1.2.1) with ``state`` and ``iss``."""
        return self._answer(request, _error(error))

    def _answer(self, request: AuthorizeRequest, params: dict[str, str]) -> str:
        return self._location(request.pool.id, request.redirect_uri, request.state, params)

    def _location(
        self, pool_id: str, redirect_uri: str, state: str | None, params: dict[str, str]
    ) -> str:
        """``redirect_uri`` with ``params``, ``state`` unchanged and ``iss`` (RFC 9207 §2)."""
        if state is not None:
            params["state"] = state
        params["iss"] = self._ctx.issuer(pool_id)
        return with_query(redirect_uri, params)

    # ----------------------------------------------------------------- /oauth2/token

    async def authenticate_client(
        self, client_id: str | None, client_secret: str | None
    ) -> AppClient:
        """RFC 6749 §2.3.1 / §3.2.1: the client of a token or revocation request. A client
        with a secret must present it; a public client must not claim one. Every failure is
        ``invalid_client`` (RFC 6749 §5.2), after the same constant-time comparison."""
        client = None
        if client_id:
            try:
                client = await self._ctx.client(client_id)
            except ResourceNotFound:
                client = None
        expected = (client.secret if client is not None else None) or ""
        given = client_secret or ""
        matches = hmac.compare_digest(expected.encode(), given.encode())
        if client is None or not matches:
            raise _refuse("invalid_client", "Client authentication failed.", redirect=False)
        if not client.oauth.allowed:
            raise _refuse(
                "unauthorized_client", "This client may not use the OAuth 2.0 flows.", False
            )
        return client

    async def exchange_code(
        self,
        client: AppClient,
        code: str | None,
        redirect_uri: str | None,
        code_verifier: str | None,
    ) -> TokenResponse:
        """RFC 6749 §4.1.3 with RFC 7636 §4.5-4.6: the code's tokens, once.

        A refused exchange (another client, wrong redirect URI or verifier, expired) changes
        nothing. A code presented again by its client after a successful exchange revokes the
        sign-in that exchange started (RFC 6749 §4.1.2, §10.5); the first use is a
        compare-and-set, so of concurrent exchanges at most one gets tokens."""
        if "code" not in client.oauth.flows:
            raise _refuse("unauthorized_client", "The code grant is not enabled for this client.")
        if not code or not redirect_uri:
            raise _refuse("invalid_request", "code and redirect_uri are required.")
        if code_verifier is not None and not _VERIFIER.fullmatch(code_verifier):
            raise _refuse("invalid_request", "code_verifier is malformed.")
        ctx = self._ctx
        code_hash = tokens.opaque_token_hash(code)
        grant = await ctx.store.get_authorization_code(code_hash)
        if grant is None or grant.client_id != client.id:
            raise _refuse("invalid_grant", "The authorization code is not valid.")
        if grant.used_at is not None:
            await self._replayed(code_hash)
        if grant.expires_at <= ctx.clock():
            raise _refuse("invalid_grant", "The authorization code has expired.")
        if not hmac.compare_digest(grant.redirect_uri.encode(), redirect_uri.encode()):
            raise _refuse("invalid_grant", "redirect_uri does not match the authorization request.")
        if grant.code_challenge is not None:
            if code_verifier is None:
                raise _refuse("invalid_grant", "code_verifier is required.")
            if not hmac.compare_digest(s256(code_verifier).encode(), grant.code_challenge.encode()):
                raise _refuse("invalid_grant", "code_verifier does not match the code_challenge.")
        elif code_verifier is not None:
            raise _refuse("invalid_grant", "No code_challenge was sent for this code.")
        redeemed = await ctx.store.redeem_authorization_code(code_hash, ctx.clock())
        if redeemed is None or not redeemed[1]:
            await self._replayed(code_hash)
        user = await ctx.store.get_user(grant.pool_id, grant.user_sub)
        if user is None:
            raise _refuse("invalid_grant", "The authorization code is not valid.")
        if not user.enabled:
            raise _refuse("invalid_grant", UserDisabled.default_message)
        session, refresh_token = await self._auth.open_session(
            client, user, auth_time=grant.auth_time, scope=grant.scope
        )
        if not await ctx.store.attach_code_session(grant.code_hash, session.id):
            # replayed while we were issuing: the replay could not revoke what we issue now
            await ctx.store.revoke_session(session.id, ctx.clock())
            raise _refuse("invalid_grant", "The authorization code has already been used.")
        return await self._tokens(client, user, session, refresh_token, nonce=grant.nonce)

    async def _replayed(self, code_hash: bytes) -> NoReturn:
        """A used code presented again: mark it replayed, revoke the sign-in its exchange
        started (an exchange still issuing sees the mark and revokes its own), refuse."""
        ctx = self._ctx
        found = await ctx.store.redeem_authorization_code(code_hash, ctx.clock())
        if found is not None and found[0].session_id is not None:
            await ctx.store.revoke_session(found[0].session_id, ctx.clock())
        raise _refuse("invalid_grant", "The authorization code has already been used.")

    async def _tokens(
        self,
        client: AppClient,
        user: User,
        session: RefreshSession,
        refresh_token: str | None,
        *,
        nonce: str | None = None,
    ) -> TokenResponse:
        scope = session.scope or tokens.ACCESS_SCOPE
        issued = await self._auth.issue(client, user, session, refresh_token, nonce=nonce)
        return TokenResponse(
            access_token=issued.access_token,
            id_token=issued.id_token if OPENID in scope.split() else None,
            refresh_token=issued.refresh_token,
            expires_in=issued.expires_in,
            scope=session.scope,
        )

    async def refresh(self, client: AppClient, refresh_token: str | None) -> TokenResponse:
        """RFC 6749 §6: new tokens from a refresh token issued to this client (the scope of
        the original sign-in; no new refresh token, as Cognito without rotation)."""
        if not refresh_token:
            raise _refuse("invalid_request", "refresh_token is required.")
        try:
            session, user = await self._auth.live_session(client, refresh_token)
        except (NotAuthorized, UserDisabled) as exc:
            raise _refuse("invalid_grant", exc.message) from None
        return await self._tokens(client, user, session, None)

    async def client_credentials(self, client: AppClient, scope: str | None) -> TokenResponse:
        """RFC 6749 §4.4: an access token for the client itself (``sub`` is its id), for
        clients with a secret that allow ``client_credentials``."""
        if "client_credentials" not in client.oauth.flows or client.secret is None:
            raise _refuse(
                "unauthorized_client", "client_credentials is not enabled for this client."
            )
        scopes = self._scopes(client, scope)
        now = self._ctx.clock()
        ring = await self._ctx.keys.ring()
        iat = int(now)
        claims: dict[str, Any] = {
            "sub": client.id,
            "iss": self._ctx.issuer(client.pool_id),
            "client_id": client.id,
            "token_use": "access",
            "scope": " ".join(scopes),
            "auth_time": iat,
            "iat": iat,
            "exp": iat + client.access_token_validity.seconds,
            "jti": new_uuid(),
        }
        return TokenResponse(
            access_token=tokens.sign(ring, claims),
            expires_in=client.access_token_validity.seconds,
            scope=claims["scope"],
        )

    # ----------------------------------------------------------------- userInfo, revoke

    async def user_info(self, access_token: str) -> dict[str, Any]:
        """OIDC Core §5.3: ``sub``, ``username`` and the claims of the token's user its scopes
        grant: ``email`` and ``phone`` as OIDC Core §5.4 lists them, and every attribute the
        client may read with ``profile`` or ``aws.cognito.signin.user.admin``, as Cognito
        does. Needs ``openid`` or ``aws.cognito.signin.user.admin``."""
        try:
            claims, user = await self._auth.check_token(access_token, "access")
        except IdmintError as exc:
            raise _refuse("invalid_token", exc.message, redirect=False) from None
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes & {OPENID, tokens.ACCESS_SCOPE}:
            raise _refuse("insufficient_scope", "The access token does not grant userInfo.", False)
        client = await self._ctx.store.get_client(str(claims.get("client_id")))
        attributes = (
            tokens.user_claims(user, client) if client is not None else dict(user.attributes)
        )
        if scopes & _ALL_ATTRIBUTES:
            shown = attributes
        else:
            wanted = {name for s in scopes for name in SCOPE_CLAIMS.get(s, ())}
            shown = {k: v for k, v in attributes.items() if k in wanted}
        shown.pop("sub", None)
        return {"sub": user.sub, **shown, "username": user.username}

    async def revoke(self, client: AppClient, token: str | None) -> None:
        """RFC 7009 §2.1: revoke a refresh token of this client and its access tokens; an
        unknown token is not an error (§2.2)."""
        if not token:
            raise _refuse("invalid_request", "token is required.", redirect=False)
        await self._auth.revoke_for(client, token)
