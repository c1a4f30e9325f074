"""The mint API's use cases (seed 002): applications, the OAuth2 password grant (RFC 6749 §4.3),
registration, user tokens, token information and revocation (RFC 7009).

An application belongs to one user pool and its users are that pool's users: the password grant
runs the same password check and user-state rules as Cognito's USER_PASSWORD_AUTH
(``Auth.check_password``, ``Auth.check_state``), and registration is Cognito SignUp with the
user confirmed at once (``Users.register``). What mint adds is its credentials: application
secrets and opaque user tokens, both stored only as SHA-256 hashes.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from dataclasses import dataclass, replace

from idmint.core import tokens
from idmint.core.context import Context
from idmint.core.errors import (
    GrantNotAllowed,
    InvalidClient,
    InvalidParameter,
    InvalidPassword,
    InvalidToken,
    NotAuthorized,
    ResourceNotFound,
    TokenExpired,
    TokenRevoked,
)
from idmint.core.flows import Auth
from idmint.core.ids import new_client_id, new_client_secret
from idmint.core.model import MintApp, MintToken, User, UserPool, UserStatus
from idmint.core.ports import Clock, Store
from idmint.core.users import Users

MIN_PASSWORD_LENGTH = 6
"""Seed 002: "passwords length should be more than 5 characters" (the pool's policy also
applies, and is usually stricter)."""

MAX_TOKEN_SECONDS = 10 * 365 * 86400
_APP_ID = re.compile(r"[a-z0-9]{1,32}")
"""What an application id can be (``new_client_id``: 26 lowercase alphanumerics); anything
else is unknown without asking the store (PostgreSQL text refuses NUL, for one)."""
_DUMMY_SECRET_HASH = hashlib.sha256(b"no such application").digest()


class Unset(enum.Enum):
    """A setting left out (where None means something: tokens that never expire)."""

    UNSET = enum.auto()


UNSET = Unset.UNSET


def _secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


@dataclass(frozen=True, slots=True)
class Grant:
    """A user token as seed 002 answers it: ``{user, access_token, token_type, expires_in}``."""

    user_id: int
    access_token: str
    expires_in: int | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Seed 002 ``token_info``: the token's user, and the seconds it has left (None: never
    expires)."""

    user_id: int
    expires_in: int | None
    token: MintToken


class MintApps:
    """Applications: the ``idmint apps`` commands (create, list, update, rotate-secret)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def create_app(
        self,
        pool_id: str,
        name: str,
        *,
        token_seconds: int | None = 3600,
        password_grant: bool = True,
        default: bool = False,
    ) -> tuple[MintApp, str]:
        """A new application of ``pool_id`` and its secret, which is shown only now."""
        if await self._store.get_pool(pool_id) is None:
            raise ResourceNotFound(f"User pool {pool_id} does not exist.")
        if not name.strip() or len(name) > 128:
            raise InvalidParameter("The application name must be 1 to 128 characters.")
        _check_lifetime(token_seconds)
        secret = new_client_secret()
        now = self._clock()
        app = MintApp(
            id=new_client_id(),
            pool_id=pool_id,
            name=name,
            secret_hash=_secret_hash(secret),
            enabled=True,
            created_at=now,
            updated_at=now,
            token_seconds=token_seconds,
            password_grant=password_grant,
            is_default=default,
        )
        await self._store.create_mint_app(app)
        return app, secret

    async def get_app(self, app_id: str) -> MintApp:
        app = await self._store.get_mint_app(app_id)
        if app is None:
            raise ResourceNotFound(f"Application {app_id} does not exist.")
        return app

    async def list_apps(self, pool_id: str | None = None) -> list[MintApp]:
        return await self._store.list_mint_apps(pool_id)

    async def update_app(
        self,
        app_id: str,
        *,
        enabled: bool | None = None,
        password_grant: bool | None = None,
        default: bool | None = None,
        token_seconds: int | Unset | None = UNSET,
    ) -> MintApp:
        """Change an application's settings; those given as None (``token_seconds``: left
        out) stay as they are. ``token_seconds=None`` makes its new tokens never expire."""
        app = await self.get_app(app_id)
        if not isinstance(token_seconds, Unset):
            _check_lifetime(token_seconds)
            app = replace(app, token_seconds=token_seconds)
        app = replace(
            app,
            enabled=app.enabled if enabled is None else enabled,
            password_grant=app.password_grant if password_grant is None else password_grant,
            is_default=app.is_default if default is None else default,
            updated_at=self._clock(),
        )
        await self._store.update_mint_app(app)
        return app

    async def rotate_secret(self, app_id: str) -> tuple[MintApp, str]:
        """A new secret for the application; the old one stops working at once."""
        secret = new_client_secret()
        app = replace(
            await self.get_app(app_id),
            secret_hash=_secret_hash(secret),
            updated_at=self._clock(),
        )
        await self._store.update_mint_app(app)
        return app, secret


class Mint:
    def __init__(self, ctx: Context, auth: Auth, users: Users) -> None:
        self._ctx = ctx
        self._auth = auth
        self._users = users

    # Credentials --------------------------------------------------------------------------

    async def authenticate_app(self, app_id: str, secret: str) -> MintApp:
        """``Authorization: Application <id>:<secret>`` (seed 002), or the same pair as RFC
        6749 §2.3.1 client credentials. Every failure is the same ``InvalidClient``; the secret
        is compared in constant time, against a dummy for an unknown id."""
        app = await self._ctx.store.get_mint_app(app_id) if _APP_ID.fullmatch(app_id) else None
        expected = app.secret_hash if app is not None else _DUMMY_SECRET_HASH
        ok = hmac.compare_digest(expected, _secret_hash(secret))
        if app is None or not ok or not app.enabled:
            raise InvalidClient()
        return app

    async def public_app(self, app_id: str | None) -> MintApp:
        """The application of a password grant that sent no secret: the one named by
        ``client_id`` (RFC 6749 §2.2, a public client), else the default application, since
        seed 002's password grant sends no credentials at all."""
        store = self._ctx.store
        if app_id is None:
            app = await store.get_default_mint_app()
        else:
            app = await store.get_mint_app(app_id) if _APP_ID.fullmatch(app_id) else None
        if app is None or not app.enabled:
            raise InvalidClient(
                "Unknown application." if app_id else "Application credentials are required."
            )
        return app

    # Grants -------------------------------------------------------------------------------

    async def password_grant(self, app: MintApp, username: str, password: str) -> Grant:
        """RFC 6749 §4.3 through the core sign-in: the same password check, hashing and user
        rules (disabled, unconfirmed, reset required) as Cognito USER_PASSWORD_AUTH. Seed 002
        documents distinct answers for an unknown user and a wrong password; both cost the same
        argon2id work."""
        if not app.password_grant:
            raise GrantNotAllowed("The password grant is not enabled for this application.")
        self._ctx.hasher.refuse_if_full()
        pool = await self._ctx.pool(app.pool_id)
        user = await self._auth.check_password(pool, username, password, hide_unknown=False)
        self._auth.check_state(pool, user)
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            raise NotAuthorized(
                "The user must choose a new password before signing in here; sign in through "
                "the Cognito API to answer the NEW_PASSWORD_REQUIRED challenge."
            )
        return await self._issue(app, user)

    async def register(
        self, app: MintApp, firstname: str, lastname: str, username: str, password: str
    ) -> Grant:
        """Seed 002 registration (``grant_type=signup``): a confirmed user of the application's
        pool, signed in at once."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidPassword(
                "Password did not conform with policy: Password must be more than 5 characters"
            )
        pool: UserPool = await self._ctx.pool(app.pool_id)
        attributes = {"given_name": firstname, "family_name": lastname}
        user = await self._users.register(pool, username, password, attributes)
        return await self._issue(app, user)

    async def _issue(self, app: MintApp, user: User) -> Grant:
        ctx = self._ctx
        now = ctx.clock()
        token, token_hash = tokens.new_opaque_token()
        user_id = await ctx.store.mint_user_id(user.sub)
        expires_at = now + app.token_seconds if app.token_seconds is not None else None
        await ctx.store.create_mint_token(
            MintToken(
                token_hash=token_hash,
                app_id=app.id,
                pool_id=user.pool_id,
                user_sub=user.sub,
                user_id=user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        return Grant(user_id=user_id, access_token=token, expires_in=app.token_seconds)

    # User tokens --------------------------------------------------------------------------

    async def token_info(self, token: str) -> TokenInfo:
        """Seed 002 ``token_info``. A token never issued is ``InvalidToken``; one that was but
        has expired or been cancelled (revoked, signed out everywhere, its user disabled or
        deleted, its application disabled) is ``TokenExpired``/``TokenRevoked``, which the
        seed answers with 403 so the app asks the user to sign in again."""
        found = await self._ctx.store.get_mint_token(tokens.opaque_token_hash(token))
        if found is None:
            raise InvalidToken("The token is not valid.")
        record, app_enabled, user_enabled = found
        now = self._ctx.clock()
        if record.revoked_at is not None or not app_enabled or not user_enabled:
            raise TokenRevoked("The token has been cancelled.")
        if record.expires_at is not None and record.expires_at <= now:
            raise TokenExpired("The token has expired.")
        left = None if record.expires_at is None else max(1, int(record.expires_at - now))
        return TokenInfo(user_id=record.user_id, expires_in=left, token=record)

    async def revoke(
        self, caller: MintApp | str, token: str | None, *, everything: bool = False
    ) -> None:
        """RFC 7009 §2.1 for mint user tokens: end ``token``, or with ``everything`` every
        sign-in of its user (mint tokens and Cognito refresh tokens alike, as GlobalSignOut).

        ``caller`` is the application that authenticated (it may end only its own tokens) or
        the user token that did (``UserToken``; it may end itself, even when already ended,
        and while valid, its user's other tokens). A token that is unknown or not the caller's
        is ignored: the answer is the same, so nothing leaks (RFC 7009 §2.2).
        """
        store, now = self._ctx.store, self._ctx.clock()
        if isinstance(caller, MintApp):
            if token is None:
                raise InvalidParameter("token is required.")
            found = await store.get_mint_token(tokens.opaque_token_hash(token))
            if found is None or found[0].app_id != caller.id:
                return
            record = found[0]
        elif token in (None, caller) and not everything:
            found = await store.get_mint_token(tokens.opaque_token_hash(caller))
            if found is None:
                raise InvalidToken("The token is not valid.")
            record = found[0]
        else:
            record = (await self.token_info(caller)).token
            if token is not None and token != caller:
                found = await store.get_mint_token(tokens.opaque_token_hash(token))
                if found is None or found[0].user_sub != record.user_sub:
                    return
                record = found[0]
        if everything:
            await store.revoke_user_sessions(record.pool_id, record.user_sub, now)
        else:
            await store.revoke_mint_token(record.token_hash, now)


def _check_lifetime(seconds: int | None) -> None:
    if seconds is not None and not 60 <= seconds <= MAX_TOKEN_SECONDS:
        raise InvalidParameter(
            f"The token lifetime must be between 60 and {MAX_TOKEN_SECONDS} seconds, or none."
        )
