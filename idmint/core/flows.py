"""Authentication: password sign-in, refresh, access-token checks, sign-out and revocation.

Cognito InitiateAuth/AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
REFRESH_TOKEN_AUTH), GetTokensFromRefreshToken, GetUser, GlobalSignOut, AdminUserGlobalSignOut
and RevokeToken (RFC 7009 semantics). Front-ends name the flow; this module does the work, so
every dialect's password grant reaches ``sign_in_with_password``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from idmint.core import srp, tokens
from idmint.core.challenges import NEW_PASSWORD_REQUIRED, Challenges
from idmint.core.context import Context
from idmint.core.errors import (
    InvalidCredentials,
    InvalidParameter,
    InvalidRefreshToken,
    InvalidToken,
    NotAuthorized,
    Overloaded,
    PasswordResetRequired,
    TokenExpired,
    TokenRevoked,
    Unauthorized,
    UnsupportedOperation,
    UnsupportedTokenType,
    UserDisabled,
    UserNotConfirmed,
    UserNotFound,
)
from idmint.core.groups import claim_order
from idmint.core.ids import new_uuid
from idmint.core.model import (
    AppClient,
    AuthFlow,
    Challenge,
    RefreshSession,
    Tokens,
    User,
    UserPool,
    UserStatus,
)
from idmint.core.srp_flow import PASSWORD_VERIFIER, SrpSignIn
from idmint.core.throttle import SignInThrottle


class Auth:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._challenges = Challenges(ctx)
        self._srp = SrpSignIn(ctx)
        self._throttle = SignInThrottle(ctx)

    async def sign_in_with_password(
        self,
        client_id: str,
        username: str,
        password: str,
        *,
        flow: AuthFlow,
        secret_hash: str | None = None,
        pool_id: str | None = None,
    ) -> Tokens | Challenge:
        """Check a username and password and start a session (Cognito USER_PASSWORD_AUTH), or
        the NEW_PASSWORD_REQUIRED challenge for a user holding a temporary password. With
        PreventUserExistenceErrors an unknown user answers ``InvalidCredentials``."""
        ctx = self._ctx
        ctx.hasher.refuse_if_full()
        client = await self._client_for(client_id, pool_id, flow)
        ctx.check_secret_hash(client, secret_hash, username)
        pool = await ctx.pool(client.pool_id)
        user = await self.check_password(
            pool, username, password, hide_unknown=client.prevent_user_existence_errors
        )
        return await self._signed_in(pool, client, user)

    async def check_password(
        self, pool: UserPool, username: str, password: str, *, hide_unknown: bool
    ) -> User:
        """The password check of every password sign-in, whatever its dialect (Cognito
        USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH, the mint password grant of seed 002).

        Unknown user and wrong password cost the same argon2id verification. An unknown user
        is ``InvalidCredentials`` when ``hide_unknown``, else ``UserNotFound``. The user's state
        (disabled, unconfirmed, ...) is for the caller to judge, with ``check_state``.

        Each attempt is counted before the check, and refused unchecked with
        ``PasswordAttemptsExceeded`` after too many failures (``idmint.core.throttle``);
        unknown names are counted and locked alike. The hashing place is reserved first, so a
        sign-in refused as ``Overloaded`` is not counted against the user.
        """
        ctx = self._ctx
        with ctx.hasher.slot() as slot:
            user = await ctx.find_user(pool, username)
            subject = self._throttle.subject(pool, user, username)
            await self._throttle.attempt(pool.id, subject)
            stored = user.password_hash if user else None
            ok, new_hash = await ctx.hasher.verify(stored, password, slot=slot)
        if user is None:
            raise InvalidCredentials() if hide_unknown else UserNotFound()
        if not ok:
            raise InvalidCredentials()
        await self._throttle.succeeded(pool.id, subject)
        if user.enabled and (new_hash is not None or user.srp_verifier is None):
            user = await self._refresh_credentials(pool, user, password, new_hash)
        return user

    async def _refresh_credentials(
        self, pool: UserPool, user: User, password: str, new_hash: str | None
    ) -> User:
        """After a good password: store the hash made with the current argon2 parameters, and
        an SRP verifier for users who have none (made before SRP sign-in existed)."""
        ctx = self._ctx
        changes: dict[str, Any] = {"updated_at": ctx.clock()}
        if new_hash is not None:
            changes["password_hash"] = new_hash
        if user.srp_verifier is None:
            salt = srp.new_salt()
            try:
                v = await ctx.hasher.compute(srp.verifier, pool.id, user.username, password, salt)
                changes.update(srp_salt=salt, srp_verifier=srp.to_bytes(v))
            except Overloaded:  # the password was right: make the verifier at a quieter sign-in
                if new_hash is None:
                    return user
        user = replace(user, **changes)
        await ctx.store.update_user(user)
        return user

    async def _signed_in(self, pool: UserPool, client: AppClient, user: User) -> Tokens | Challenge:
        """What a proven password leads to, whatever proved it (password, SRP): tokens, the
        NEW_PASSWORD_REQUIRED challenge, or the error the user's state calls for."""
        self.check_state(pool, user)
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            return await self._challenges.new_password_required(pool, client, user)
        return await self._start_session(client, user)

    def check_state(self, pool: UserPool, user: User) -> None:
        """Refuse a user whose password was proven but who may not sign in: disabled,
        unconfirmed, reset required, or holding an expired temporary password. A user with a
        valid temporary password passes; what follows (a challenge) is the caller's."""
        if not user.enabled:
            raise UserDisabled()
        if user.status is UserStatus.UNCONFIRMED:
            raise UserNotConfirmed()
        if user.status is UserStatus.RESET_REQUIRED:
            raise PasswordResetRequired()
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            validity = pool.password_policy.temporary_password_validity_days * 86400
            if (user.password_set_at or user.created_at) + validity <= self._ctx.clock():
                raise NotAuthorized(
                    "Temporary password has expired and must be reset by an administrator."
                )

    async def start_srp(
        self,
        client_id: str,
        username: str,
        srp_a: str,
        *,
        secret_hash: str | None = None,
        pool_id: str | None = None,
    ) -> Challenge:
        """Cognito USER_SRP_AUTH: the PASSWORD_VERIFIER challenge (``idmint.core.srp_flow``)."""
        ctx = self._ctx
        client = await self._client_for(client_id, pool_id, AuthFlow.USER_SRP)
        ctx.check_secret_hash(client, secret_hash, username)
        pool = await ctx.pool(client.pool_id)
        return await self._srp.start(pool, client, username, srp_a)

    async def _client_for(self, client_id: str, pool_id: str | None, flow: AuthFlow) -> AppClient:
        client = await self._ctx.client(client_id, pool_id)
        if not client.allows(flow):
            raise InvalidParameter(
                f"{flow.value.removeprefix('ALLOW_')} flow not enabled for this client"
            )
        return client

    async def respond_to_challenge(
        self,
        client_id: str,
        name: str,
        session: str | None,
        responses: Mapping[str, str],
        *,
        pool_id: str | None = None,
    ) -> Tokens | Challenge:
        """Cognito RespondToAuthChallenge/AdminRespondToAuthChallenge."""
        ctx = self._ctx
        client = await ctx.client(client_id, pool_id)
        pool = await ctx.pool(client.pool_id)
        if name == PASSWORD_VERIFIER:
            user = await self._srp.answer(pool, client, responses)
            return await self._signed_in(pool, client, user)
        if name != NEW_PASSWORD_REQUIRED:
            raise InvalidParameter(f"{name} is not a challenge this server answers.")
        user = await self._challenges.answer_new_password(pool, client, session, responses)
        if not user.enabled:
            raise UserDisabled()
        return await self._start_session(client, user)

    async def start_session(self, client: AppClient, user: User) -> Tokens:
        """A new sign-in of ``user`` through ``client``: a refresh token and the first pair of
        tokens. Callers have proven who the user is."""
        return await self._start_session(client, user)

    async def _start_session(self, client: AppClient, user: User) -> Tokens:
        session, refresh_token = await self.open_session(client, user)
        return await self.issue(client, user, session, refresh_token)

    async def open_session(
        self,
        client: AppClient,
        user: User,
        *,
        auth_time: float | None = None,
        scope: str | None = None,
    ) -> tuple[RefreshSession, str]:
        """Record a new sign-in (its refresh token stored as a hash); return it and the
        refresh token. ``auth_time`` defaults to now; ``scope`` is that of an OAuth 2.0
        sign-in (None: the API sign-ins' ``aws.cognito.signin.user.admin``)."""
        now = self._ctx.clock()
        refresh_token, token_hash = tokens.new_opaque_token()
        session = RefreshSession(
            id=new_uuid(),
            pool_id=user.pool_id,
            client_id=client.id,
            user_sub=user.sub,
            token_hash=token_hash,
            auth_time=now if auth_time is None else auth_time,
            created_at=now,
            expires_at=now + client.refresh_token_validity.seconds,
            scope=scope,
        )
        await self._ctx.store.create_session(session)
        return session, refresh_token

    async def issue(
        self,
        client: AppClient,
        user: User,
        session: RefreshSession,
        refresh_token: str | None,
        *,
        nonce: str | None = None,
    ) -> Tokens:
        """Sign the ID and access tokens of a sign-in (first issue or refresh)."""
        ring = await self._ctx.keys.ring()
        groups = await self._ctx.store.list_user_groups(user.pool_id, user.sub)
        id_token, access_token = tokens.issue_pair(
            ring,
            issuer=self._ctx.issuer(user.pool_id),
            client=client,
            user=user,
            origin_jti=session.id,
            auth_time=session.auth_time,
            now=self._ctx.clock(),
            groups=claim_order(groups),
            scope=session.scope or tokens.ACCESS_SCOPE,
            nonce=nonce,
        )
        return Tokens(
            id_token=id_token,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=client.access_token_validity.seconds,
        )

    async def refresh(
        self,
        client_id: str,
        refresh_token: str,
        *,
        secret_hash: str | None = None,
        client_secret: str | None = None,
        pool_id: str | None = None,
    ) -> Tokens:
        """New ID and access tokens from a refresh token bound to this client (no new refresh
        token: Cognito rotates refresh tokens only when rotation is configured)."""
        ctx = self._ctx
        client = await ctx.client(client_id, pool_id)
        session, user = await self.live_session(client, refresh_token, authenticated=False)
        if client_secret is not None or secret_hash is None:
            ctx.check_client_secret(client, client_secret)
        else:
            ctx.check_secret_hash(client, secret_hash, user.username, user.sub)
        if not user.enabled:
            raise UserDisabled()
        return await self.issue(client, user, session, None)

    async def live_session(
        self, client: AppClient, refresh_token: str, *, authenticated: bool = True
    ) -> tuple[RefreshSession, User]:
        """The sign-in a refresh token of ``client`` belongs to, and its user: refused if
        unknown, another client's, revoked or expired (``InvalidRefreshToken``), or, once the
        client is ``authenticated``, if the user is disabled."""
        ctx = self._ctx
        session = await ctx.store.get_session_by_token_hash(tokens.opaque_token_hash(refresh_token))
        now = ctx.clock()
        if session is None or session.client_id != client.id:
            raise InvalidRefreshToken()
        if session.revoked_at is not None:
            raise InvalidRefreshToken("Refresh Token has been revoked")
        if session.expires_at <= now:
            raise InvalidRefreshToken("Refresh Token has expired")
        user = await ctx.store.get_user(session.pool_id, session.user_sub)
        if user is None:
            raise InvalidRefreshToken()
        if authenticated and not user.enabled:
            raise UserDisabled()
        return session, user

    async def check_access_token(self, access_token: str) -> tuple[dict[str, Any], User]:
        """Verify an access token fully: signature, expiry, issuer, and that its sign-in has not
        been signed out or revoked and its user still exists and is enabled. The Cognito
        user-pool API needs the ``aws.cognito.signin.user.admin`` scope (tokens from
        ``/oauth2/token`` carry it only when it was asked for)."""
        claims, user = await self.check_token(access_token, "access")
        if tokens.ACCESS_SCOPE not in str(claims.get("scope", "")).split():
            raise NotAuthorized("Access Token does not have required scopes")
        return claims, user

    async def check_token(self, token: str, use: str) -> tuple[dict[str, Any], User]:
        """Verify one of this server's tokens (``token_use`` ``use``: access or id) as fully as
        ``check_access_token``; its audience is for the caller to judge."""
        ctx = self._ctx
        header = tokens.unverified_header(token)
        ring = await ctx.keys.ring_for(header.get("kid"))
        now = ctx.clock()
        claims = tokens.verify(ring, token, now)
        iss, exp = claims.get("iss"), claims.get("exp")
        if claims.get("token_use") != use or not isinstance(iss, str) or not isinstance(exp, int):
            raise InvalidToken()
        if iss != ctx.issuer(iss.rsplit("/", 1)[-1]):
            raise InvalidToken()
        if exp <= now:
            raise TokenExpired()
        origin = claims.get("origin_jti")
        found = await ctx.store.get_session_and_user(origin) if isinstance(origin, str) else None
        if found is None:
            raise TokenRevoked()
        session, user = found
        if session.revoked_at is not None:
            raise TokenRevoked()
        if user.sub != claims.get("sub"):
            raise InvalidToken()
        if not user.enabled:
            raise UserDisabled()
        return claims, user

    async def get_user(self, access_token: str) -> User:
        """Cognito GetUser: the token's user, with only the attributes its client may read."""
        claims, user = await self.check_access_token(access_token)
        client = await self._ctx.store.get_client(str(claims.get("client_id")))
        readable = client.read_attributes if client is not None else None
        if readable is None:
            return user
        shown = {k: v for k, v in user.attributes.items() if k in readable}
        return replace(user, attributes=shown)

    async def global_sign_out(self, access_token: str) -> None:
        """Revoke every refresh token of the token's user; their access tokens stop working."""
        _, user = await self.check_access_token(access_token)
        await self._ctx.store.revoke_user_sessions(user.pool_id, user.sub, self._ctx.clock())

    async def admin_global_sign_out(self, pool_id: str, username: str) -> None:
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        await self._ctx.store.revoke_user_sessions(pool.id, user.sub, self._ctx.clock())

    async def revoke(self, token: str, client_id: str, client_secret: str | None) -> None:
        """Revoke a refresh token and the access tokens of its sign-in (RFC 7009 §2.1).

        An unknown token is not an error (RFC 7009 §2.2); another client's token is refused.
        """
        client = await self._ctx.client(client_id)
        self._ctx.check_client_secret(client, client_secret)
        await self.revoke_for(client, token)

    async def revoke_for(self, client: AppClient, token: str) -> None:
        """RevokeToken for an authenticated ``client`` (also ``/oauth2/revoke``)."""
        ctx = self._ctx
        if not client.enable_token_revocation:
            raise UnsupportedOperation("Token revocation is not enabled for this app client.")
        if token.count(".") == 2:
            raise UnsupportedTokenType("Only refresh tokens can be revoked.")
        session = await ctx.store.get_session_by_token_hash(tokens.opaque_token_hash(token))
        if session is None:
            return
        if session.client_id != client.id:
            raise Unauthorized("The token was not issued to this client.")
        await ctx.store.revoke_session(session.id, ctx.clock())

    async def jwks(self, pool_id: str) -> dict[str, Any]:
        """The public keys that verify this pool's tokens (Cognito's ``/.well-known/jwks.json``)."""
        await self._ctx.pool(pool_id)
        return (await self._ctx.keys.ring()).jwks(self._ctx.clock())
