"""The hosted pages' browser state: the sign-in session cookie, CSRF tokens and short-lived
signed values (what the Cognito hosted UI keeps in its cookies).

* A **hosted session** (``HostedSession``) is a browser's sign-in to one pool's pages: a second
  app sends the user to ``/oauth2/authorize`` and gets a code without the password being typed
  again, for ``HOSTED_SESSION_SECONDS`` (Cognito's hosted-UI session lasts one hour). Its cookie
  value is ``<token>.<mac>``: 256 CSPRNG bits, stored only as SHA-256, plus an HMAC under the
  server secret so that forged cookies are refused before any database work. It ends at
  ``/logout``, and with every other sign-in of its user (GlobalSignOut, AdminUserGlobalSignOut,
  AdminDisableUser): OWASP ASVS V3.3.
* **CSRF tokens** follow OWASP's signed double-submit pattern: a random per-browser value in a
  cookie, and in every form the HMAC of that value, compared in constant time.
* **Signed values** (``seal``/``unseal``) carry small facts between pages with an expiry, such
  as "this browser just signed up as X" so that confirming the code signs the user in.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass

from idmint.core import tokens
from idmint.core.context import Context
from idmint.core.ids import new_uuid
from idmint.core.model import HostedSession, User

HOSTED_SESSION_SECONDS = 3600
_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live hosted session and its user (enabled, as the store holds it now)."""

    session: HostedSession
    user: User

    @property
    def auth_time(self) -> float:
        return self.session.auth_time


class HostedSessions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def _mac(self, purpose: str, value: str) -> str:
        return _b64(self._ctx.derive("hosted", purpose, value)[:_MAC_BYTES])

    def _check_mac(self, purpose: str, value: str, mac: str) -> bool:
        return hmac.compare_digest(self._mac(purpose, value).encode(), mac.encode())

    async def open(self, user: User) -> str:
        """A new hosted session for ``user``, signed in now; returns the cookie value."""
        now = self._ctx.clock()
        token, token_hash = tokens.new_opaque_token()
        await self._ctx.store.create_hosted_session(
            HostedSession(
                id=new_uuid(),
                pool_id=user.pool_id,
                user_sub=user.sub,
                token_hash=token_hash,
                auth_time=now,
                created_at=now,
                expires_at=now + HOSTED_SESSION_SECONDS,
            )
        )
        return f"{token}.{self._mac('session', token)}"

    async def current(self, pool_id: str, cookie: str | None) -> SignedIn | None:
        """The live session a cookie value names, in ``pool_id``; None for a missing, forged,
        expired or ended session, or a user who is gone or disabled."""
        if not cookie or cookie.count(".") != 1 or len(cookie) > 200:
            return None
        token, mac = cookie.split(".")
        if not self._check_mac("session", token, mac):
            return None
        found = await self._ctx.store.get_hosted_session(tokens.opaque_token_hash(token))
        if found is None:
            return None
        session, user = found
        if (
            session.pool_id != pool_id
            or session.revoked_at is not None
            or session.expires_at <= self._ctx.clock()
            or not user.enabled
        ):
            return None
        return SignedIn(session, user)

    async def close(self, pool_id: str, cookie: str | None) -> None:
        """End the session a cookie value names (``/logout``); nothing for an unknown one."""
        signed_in = await self.current(pool_id, cookie)
        if signed_in is not None:
            await self._ctx.store.revoke_hosted_session(signed_in.session.id, self._ctx.clock())

    @staticmethod
    def new_csrf_cookie() -> str:
        """A fresh per-browser CSRF secret (for the CSRF cookie)."""
        return secrets.token_urlsafe(32)

    def csrf_token(self, csrf_cookie: str) -> str:
        """The token every form carries for the browser holding ``csrf_cookie``."""
        return self._mac("csrf", csrf_cookie)

    def check_csrf(self, csrf_cookie: str | None, given: str | None) -> bool:
        """Whether a form's token matches the browser's CSRF cookie (constant time)."""
        if not csrf_cookie or not given or len(given) > 64:
            return False
        return self._check_mac("csrf", csrf_cookie, given)

    def seal(self, purpose: str, value: str, seconds: int) -> str:
        """``value`` signed for ``purpose`` until ``seconds`` from now (not encrypted)."""
        expires = int(self._ctx.clock()) + seconds
        body = _b64(f"{expires}:{value}".encode())
        return f"{body}.{self._mac(purpose, body)}"

    def unseal(self, purpose: str, sealed: str | None) -> str | None:
        """The value ``seal`` signed for ``purpose``, or None if forged, altered or expired."""
        if not sealed or sealed.count(".") != 1 or len(sealed) > 1024:
            return None
        body, mac = sealed.split(".")
        if not self._check_mac(purpose, body, mac):
            return None
        try:
            expires, _, value = _unb64(body).decode().partition(":")
            if int(expires) <= self._ctx.clock():
                return None
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return value
