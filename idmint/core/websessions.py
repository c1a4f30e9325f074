"""First-party web sessions (seed 001, ``POST /api/v1/auth/cognito/login``): an ID token from a
trusted issuer is traded for an ``access`` cookie, a ``session`` cookie and a CSRF token.

- The ID token is verified in full: RS256 signature against the issuer's keys (this server's
  own, or an external issuer's JWKS), ``token_use`` "id", ``exp`` and ``iat`` (with
  ``LEEWAY``), ``iss`` one of this server's pools or a configured external issuer, and ``aud``
  one of that issuer's app clients.
- ``access`` is self-contained and short-lived: ``<payload>.<HMAC-SHA256>`` over the account id,
  the admin flag, the session id and the expiry, keyed by the server secret, so any node checks
  it without a database read.
- ``session`` is 256 bits from the CSPRNG, stored only as SHA-256, with an idle timeout and an
  absolute lifetime (OWASP Session Management Cheat Sheet). A new one is made at every login.
- The CSRF token is an HMAC of the session (so it is bound to it, unguessable, and can be given
  again after a page reload without being stored); every cookie-authenticated request that
  changes state must echo it in ``X-CSRF-Token`` (OWASP CSRF Prevention Cheat Sheet).
- Sessions from this server's own pools are tied to the Cognito sign-in behind the ID token
  (``origin_jti``): GlobalSignOut, RevokeToken, disabling or deleting the user end the web
  session at its next refresh, so within one access-cookie lifetime at most.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from idmint.core import tokens
from idmint.core.accounts import create_account
from idmint.core.context import Context
from idmint.core.errors import (
    CsrfFailed,
    InvalidParameter,
    InvalidToken,
    ResourceNotFound,
    Unauthenticated,
)
from idmint.core.ids import new_uuid
from idmint.core.model import Account, WebSession
from idmint.core.ports import KeySource, KeysUnavailable
from idmint.core.profiles import (
    check_avatar,
    check_emblem,
    check_profile,
    check_username,
    username_key,
)

LEEWAY = 60
"""Seconds of clock skew allowed on an ID token's ``exp`` and ``iat``."""
EDITABLE = frozenset({"username", "profile", "emblem", "avatar"})


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """An external OIDC issuer whose ID tokens may open a session (a real Cognito pool, say)."""

    issuer: str
    client_ids: frozenset[str]
    jwks_url: str


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    access_seconds: int = 15 * 60
    idle_seconds: int = 24 * 3600
    absolute_seconds: int = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Opened:
    """A session just opened (login, signup) or its access renewed (refresh)."""

    account: Account
    access_token: str
    expires: int
    csrf: str
    session_token: str | None = None
    new_account: bool = False


@dataclass(frozen=True, slots=True)
class Access:
    """What a verified access cookie says."""

    account_id: str
    is_admin: bool
    session_id: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _audience_ok(claims: Mapping[str, Any], audiences: frozenset[str]) -> bool:
    """OIDC Core 3.1.3.7: ``aud`` is (or contains) one of our client ids; with several
    audiences, ``azp`` names ours."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return aud in audiences
    if not isinstance(aud, list) or not aud or not all(isinstance(a, str) for a in aud):
        return False
    if len(aud) > 1 and claims.get("azp") not in audiences:
        return False
    return any(a in audiences for a in aud)


class WebSessions:
    def __init__(
        self,
        ctx: Context,
        *,
        keys: KeySource | None = None,
        issuers: Sequence[TrustedIssuer] = (),
        policy: SessionPolicy | None = None,
        trust_own_pools: bool = True,
    ) -> None:
        self._ctx = ctx
        self._keys = keys
        self._issuers = {i.issuer: i for i in issuers}
        self.policy = policy or SessionPolicy()
        self._trust_own_pools = trust_own_pools
        self._access_key = ctx.derive("web-access-cookie")
        self._csrf_key = ctx.derive("web-csrf")

    # ID tokens -----------------------------------------------------------------------------

    async def verify_id_token(self, id_token: str) -> dict[str, Any]:
        """Every check an ID token must pass to open a session; ``InvalidToken`` otherwise."""
        ctx = self._ctx
        kid = tokens.signing_kid(id_token)
        issuer = tokens.unverified_claims(id_token).get("iss")
        if not isinstance(issuer, str):
            raise InvalidToken("The ID token has no issuer.")
        now = ctx.clock()
        external = self._issuers.get(issuer)
        if external is not None:
            if self._keys is None:
                raise InvalidToken("The ID token's issuer is not trusted.")
            try:
                key = await self._keys.key(external.jwks_url, kid)
            except KeysUnavailable as exc:
                raise InvalidToken(
                    "The ID token cannot be checked now: its issuer's keys are unavailable."
                ) from exc
            claims = tokens.verify_with(key, id_token)
            audiences = external.client_ids
        else:
            pool_id = issuer.rsplit("/", 1)[-1]
            if not self._trust_own_pools or issuer != ctx.issuer(pool_id):
                raise InvalidToken("The ID token's issuer is not trusted.")
            claims = tokens.verify(await ctx.keys.ring_for(kid), id_token, now)
            aud = claims.get("aud")
            client = await ctx.store.get_client(aud) if isinstance(aud, str) and aud else None
            audiences = (
                frozenset({client.id}) if client and client.pool_id == pool_id else frozenset()
            )
        exp, iat = claims.get("exp"), claims.get("iat", 0)
        if (
            claims.get("iss") != issuer
            or claims.get("token_use") != "id"
            or not _audience_ok(claims, audiences)
            or not isinstance(claims.get("sub"), str)
            or not isinstance(exp, int | float)
            or not isinstance(iat, int | float)
        ):
            raise InvalidToken("The ID token is not valid here.")
        if exp + LEEWAY <= now:
            raise InvalidToken("The ID token has expired.")
        if iat - LEEWAY > now:
            raise InvalidToken("The ID token was issued in the future.")
        origin = claims.get("origin_jti")
        if external is None and not await self._sign_in_alive(
            origin if isinstance(origin, str) else None
        ):
            raise InvalidToken("The sign-in behind this ID token has ended.")
        return claims

    # Opening sessions ----------------------------------------------------------------------

    async def login(self, id_token: str) -> Opened:
        """Seed 001 login: the account linked to the token's issuer and subject must exist
        (accounts are made out of band, by signup or ``idmint accounts create``)."""
        claims = await self.verify_id_token(id_token)
        account = await self._ctx.store.find_account(claims["iss"], claims["sub"])
        if account is None:
            raise ResourceNotFound("No account is linked to this identity yet: sign up first.")
        return await self._open(account, claims, new_account=False)

    async def signup(self, id_token: str, username: object, profile: object) -> Opened:
        """Create the account for the token's identity, then open a session like login."""
        claims = await self.verify_id_token(id_token)
        ctx = self._ctx
        account = await create_account(
            ctx.store, ctx.clock, claims["iss"], claims["sub"], username, profile=profile
        )
        return await self._open(account, claims, new_account=True)

    async def _open(self, account: Account, claims: Mapping[str, Any], new_account: bool) -> Opened:
        now = self._ctx.clock()
        token = secrets.token_urlsafe(32)
        origin = claims.get("origin_jti") if claims["iss"] not in self._issuers else None
        session = WebSession(
            id=new_uuid(),
            token_hash=_token_hash(token),
            account_id=account.id,
            origin_jti=origin if isinstance(origin, str) else None,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.policy.absolute_seconds,
        )
        await self._ctx.store.create_web_session(session)
        access, expires = self._access_for(account, session)
        return Opened(
            account=account,
            access_token=access,
            expires=expires,
            csrf=self.csrf_for(token),
            session_token=token,
            new_account=new_account,
        )

    # Cookies -------------------------------------------------------------------------------

    def seconds_left(self, expires: int) -> int:
        """Max-Age for a cookie that must not outlive ``expires``."""
        return max(0, expires - int(self._ctx.clock()))

    def _access_for(self, account: Account, session: WebSession) -> tuple[str, int]:
        now = self._ctx.clock()
        expires = int(min(now + self.policy.access_seconds, session.expires_at))
        payload = _b64(
            orjson.dumps(
                {"a": account.id, "adm": account.is_admin, "sid": session.id, "exp": expires}
            )
        )
        mac = hmac.new(self._access_key, payload.encode("ascii"), hashlib.sha256).digest()
        return f"{payload}.{_b64(mac)}", expires

    def verify_access(self, access_token: str | None) -> Access:
        """Check an access cookie with no database read: signature and expiry."""
        if not access_token or access_token.count(".") != 1:
            raise Unauthenticated()
        payload, mac = access_token.split(".")
        expected = hmac.new(self._access_key, payload.encode("ascii"), hashlib.sha256).digest()
        try:
            valid = hmac.compare_digest(_unb64(mac), expected)
            claims = orjson.loads(_unb64(payload)) if valid else None
        except (ValueError, binascii.Error, orjson.JSONDecodeError):
            claims = None
        if not isinstance(claims, dict) or claims.get("exp", 0) <= self._ctx.clock():
            raise Unauthenticated()
        return Access(
            account_id=str(claims["a"]),
            is_admin=bool(claims["adm"]),
            session_id=str(claims["sid"]),
            expires=int(claims["exp"]),
        )

    def csrf_for(self, session_token: str) -> str:
        """The session's CSRF token: an HMAC of it, shaped like the seed's GUID."""
        digest = hmac.new(self._csrf_key, _token_hash(session_token), hashlib.sha256).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def check_csrf(self, session_token: str | None, given: str | None) -> None:
        """``CsrfFailed`` unless ``given`` is the CSRF token of this session (constant time)."""
        if not session_token or not given:
            raise CsrfFailed()
        if not hmac.compare_digest(self.csrf_for(session_token).encode(), given.encode()):
            raise CsrfFailed()

    # Using sessions ------------------------------------------------------------------------

    async def current(self, access_token: str | None) -> tuple[Account, Access]:
        """The signed-in account: a valid access cookie whose session has not been ended
        (logout takes effect at once, not at the access cookie's expiry)."""
        access = self.verify_access(access_token)
        session = await self._ctx.store.get_web_session(access.session_id)
        account = await self._ctx.store.get_account(access.account_id)
        if session is None or session.revoked_at is not None or account is None:
            raise Unauthenticated()
        return account, access

    async def _live_session(self, session_token: str | None) -> WebSession:
        """The session behind a session cookie, if it is still alive; ends it otherwise."""
        if not session_token:
            raise Unauthenticated()
        ctx = self._ctx
        session = await ctx.store.get_web_session_by_hash(_token_hash(session_token))
        now = ctx.clock()
        if session is None or session.revoked_at is not None:
            raise Unauthenticated()
        dead = (
            session.expires_at <= now
            or session.last_seen_at + self.policy.idle_seconds <= now
            or not await self._sign_in_alive(session.origin_jti)
        )
        if dead:
            await ctx.store.revoke_web_session(session.id, now)
            raise Unauthenticated("Your session has ended; sign in again.")
        return session

    async def _sign_in_alive(self, origin_jti: str | None) -> bool:
        """For this server's own pools: the Cognito sign-in (``origin_jti``) behind an ID token
        or a web session still stands (not signed out or revoked, the user still there and
        enabled). Sessions from external issuers have none to check."""
        if origin_jti is None:
            return True
        found = await self._ctx.store.get_session_and_user(origin_jti)
        if found is None:
            return False
        cognito_session, user = found
        return cognito_session.revoked_at is None and user.enabled

    async def refresh(self, session_token: str | None, csrf: str | None) -> Opened:
        """A new access cookie from a live session cookie (CSRF token required)."""
        self.check_csrf(session_token, csrf)
        session = await self._live_session(session_token)
        account = await self._ctx.store.get_account(session.account_id)
        if account is None:
            raise Unauthenticated()
        await self._ctx.store.touch_web_session(session.id, self._ctx.clock())
        access, expires = self._access_for(account, session)
        assert session_token is not None
        return Opened(
            account=account, access_token=access, expires=expires, csrf=self.csrf_for(session_token)
        )

    async def logout(self, session_token: str | None, csrf: str | None) -> None:
        """End the session server-side (CSRF token required)."""
        self.check_csrf(session_token, csrf)
        assert session_token is not None
        session = await self._ctx.store.get_web_session_by_hash(_token_hash(session_token))
        if session is None or session.revoked_at is not None:
            raise Unauthenticated()
        await self._ctx.store.revoke_web_session(session.id, self._ctx.clock())

    async def user_info(self, account_id: str) -> Account:
        """Public UserInfo of an account; ``ResourceNotFound`` for anything else."""
        try:
            key = str(uuid.UUID(account_id))
        except ValueError as exc:
            raise ResourceNotFound("No such user.") from exc
        account = await self._ctx.store.get_account(key)
        if account is None:
            raise ResourceNotFound("No such user.")
        return account

    async def update_me(
        self,
        access_token: str | None,
        session_token: str | None,
        csrf: str | None,
        changes: Mapping[str, object],
    ) -> Account:
        """PATCH /api/v1/users/me: username, profile, emblem, avatar, each validated."""
        account, access = await self.current(access_token)
        self.check_csrf(session_token, csrf)
        session = await self._ctx.store.get_web_session_by_hash(_token_hash(session_token or ""))
        if session is None or session.id != access.session_id:
            raise CsrfFailed()
        unknown = sorted(set(changes) - EDITABLE)
        if unknown:
            raise InvalidParameter(f"Unknown field: {unknown[0]}.")
        updated = account
        if "username" in changes:
            updated = replace(updated, username=check_username(changes["username"]))
        if "profile" in changes:
            updated = replace(updated, profile=check_profile(changes["profile"]))
        if "emblem" in changes:
            updated = replace(updated, emblem=check_emblem(changes["emblem"]))
        if "avatar" in changes:
            updated = replace(updated, avatar=check_avatar(changes["avatar"]))
        updated = replace(updated, updated_at=self._ctx.clock())
        await self._ctx.store.update_account(updated, username_key(updated.username))
        return updated
