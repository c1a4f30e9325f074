"""Partners and their anonymous managed users (seed 000).

A partner signs in with its Partner API Account through the Cognito API (InitiateAuth with
USER_PASSWORD_AUTH, then REFRESH_TOKEN_AUTH): the account is an ordinary user of the pool, and
the partner's app client is an ordinary app client. The IdToken it gets authenticates the
managed-users API, whose users are users of the same pool that hold no personal data: no
attributes at all, only an opaque ``externalId`` the partner chooses. Their tokens are issued to
the partner's client and carry the ``idmint:partner`` claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from idmint.core.context import Context
from idmint.core.errors import (
    InvalidParameter,
    InvalidToken,
    LimitExceeded,
    NotAuthorized,
    ResourceNotFound,
    TokenExpired,
    TokenRevoked,
    UnsupportedUserState,
    UserDisabled,
)
from idmint.core.flows import Auth
from idmint.core.ids import new_client_id, new_uuid
from idmint.core.model import (
    AuthFlow,
    ClientSettings,
    Partner,
    Tokens,
    User,
    UserStatus,
    Validity,
)
from idmint.core.passwords import temporary_password
from idmint.core.pools import PoolAdmin
from idmint.core.users import Users

MAX_EXTERNAL_ID = 128
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1


def partner_client(name: str) -> ClientSettings:
    """The partner's app client. Seed 000: "The IdToken ... expires after 1 day"; "The
    RefreshToken has a validity of 30 days"; sign-in is USER_PASSWORD_AUTH."""
    return ClientSettings(
        name=f"partner {name}"[:128],
        explicit_auth_flows=frozenset({AuthFlow.USER_PASSWORD, AuthFlow.REFRESH_TOKEN}),
        id_token_validity=Validity(1, "days"),
        access_token_validity=Validity(1, "days"),
        refresh_token_validity=Validity(30, "days"),
        prevent_user_existence_errors=True,
    )


@dataclass(frozen=True, slots=True)
class Page:
    users: list[User]
    next_cursor: str | None


def check_external_id(value: str | None) -> None:
    if value is None:
        return
    if not 1 <= len(value) <= MAX_EXTERNAL_ID or _CONTROL.search(value):
        raise InvalidParameter(
            f"externalId must be 1 to {MAX_EXTERNAL_ID} characters without control characters."
        )


class Partners:
    def __init__(self, ctx: Context, auth: Auth, pools: PoolAdmin, users: Users) -> None:
        self._ctx = ctx
        self._auth = auth
        self._pools = pools
        self._users = users

    # Administration (``idmint partners``) -------------------------------------------------

    async def create(
        self, pool_id: str, name: str, *, max_managed_users: int | None = None
    ) -> tuple[Partner, str]:
        """A partner, its app client and its Partner API Account (a CONFIRMED user with a
        generated password, returned here and never again)."""
        ctx = self._ctx
        pool = await ctx.pool(pool_id)
        if not name.strip() or len(name) > 128:
            raise InvalidParameter("The partner name must be 1 to 128 characters.")
        if max_managed_users is not None and max_managed_users < 0:
            raise InvalidParameter("max_managed_users must be zero or more.")
        partner_id = new_client_id()
        username = f"partner-{partner_id}"
        if "email" in pool.username_attributes:
            username += "@partners.invalid"  # RFC 2606: never a deliverable address
        elif pool.username_attributes:
            raise InvalidParameter(
                "A Partner API Account needs a pool whose usernames are plain names or emails, "
                "not phone numbers."
            )
        password = temporary_password(pool.password_policy)
        user = await self._users.create_confirmed(pool, username, password, {})
        try:
            client = await self._pools.create_client(pool_id, partner_client(name))
        except BaseException:
            await ctx.store.delete_user(pool.id, user.sub)
            raise
        now = ctx.clock()
        partner = Partner(
            id=partner_id,
            name=name,
            pool_id=pool_id,
            client_id=client.id,
            user_sub=user.sub,
            username=username,
            enabled=True,
            created_at=now,
            updated_at=now,
            max_managed_users=max_managed_users,
        )
        await ctx.store.create_partner(partner)
        return partner, password

    async def get(self, partner_id: str) -> Partner:
        partner = await self._ctx.store.get_partner(partner_id)
        if partner is None:
            raise ResourceNotFound(f"Partner {partner_id} does not exist.")
        return partner

    async def list(self, pool_id: str | None = None) -> list[Partner]:
        return await self._ctx.store.list_partners(pool_id)

    async def set_enabled(self, partner_id: str, enabled: bool) -> Partner:
        """Enable or disable a partner: a disabled partner's IdTokens open nothing."""
        partner = replace(await self.get(partner_id), enabled=enabled, updated_at=self._ctx.clock())
        await self._ctx.store.update_partner(partner)
        return partner

    # The managed-users API ----------------------------------------------------------------

    async def authenticate(self, id_token: str) -> Partner:
        """The partner whose Partner API Account this IdToken belongs to (seed 000: "The IdToken
        is used to authenticate all requests made by the Partner"). The token must verify fully
        (``Auth.check_token``: signature, expiry, issuer, a sign-in not signed out or revoked,
        an enabled user) and be issued to the partner's own client; the partner must be
        enabled. Anything else is ``InvalidToken``."""
        try:
            claims, user = await self._auth.check_token(id_token, "id")
        except NotAuthorized as exc:  # forged, expired, revoked, disabled user: all one 401
            message = {
                TokenExpired: "The IdToken has expired.",
                TokenRevoked: "The IdToken's sign-in has ended.",
                UserDisabled: "User is disabled.",
            }.get(type(exc), "Invalid IdToken.")
            raise InvalidToken(message) from exc
        partner = await self._ctx.store.get_partner_by_user(user.sub)
        if partner is None or claims.get("aud") != partner.client_id:
            raise InvalidToken("The token is not a Partner API Account's ID token.")
        if not partner.enabled:
            raise InvalidToken("The partner is disabled.")
        return partner

    async def create_user(self, partner: Partner, external_id: str | None) -> User:
        """A new anonymous managed user: no password, no attributes."""
        ctx = self._ctx
        check_external_id(external_id)
        pool = await ctx.pool(partner.pool_id)
        sub, now = new_uuid(), ctx.clock()
        user = User(
            pool_id=pool.id,
            sub=sub,
            username=sub,
            status=UserStatus.CONFIRMED,
            enabled=True,
            attributes={},
            created_at=now,
            updated_at=now,
            partner_id=partner.id,
            external_id=external_id,
        )
        limit = partner.max_managed_users
        if not await ctx.store.create_managed_user(user, ctx.username_key(pool, sub), limit):
            raise LimitExceeded(f"The partner may have at most {limit} managed users.")
        return user

    async def get_user(self, partner: Partner, user_id: str) -> User:
        """The partner's own managed user; any other id is ``ResourceNotFound``, whether it
        exists or not (so existence does not leak)."""
        user = (
            await self._ctx.store.get_user(partner.pool_id, user_id)
            if _UUID.fullmatch(user_id)
            else None
        )
        if user is None or user.partner_id != partner.id:
            raise ResourceNotFound("No such managed user.")
        return user

    async def list_users(
        self, partner: Partner, limit: int, cursor: str | None, external_id: str | None
    ) -> Page:
        if cursor is not None and not _UUID.fullmatch(cursor):
            raise InvalidParameter("Invalid cursor.")
        check_external_id(external_id)
        found = await self._ctx.store.list_managed_users(partner.id, limit, cursor, external_id)
        return Page(found, self._ctx.next_page_token([u.sub for u in found], limit))

    async def delete_user(self, partner: Partner, user_id: str) -> None:
        """Delete a managed user; its refresh tokens go with it, so its tokens stop working."""
        user = await self.get_user(partner, user_id)
        await self._ctx.store.delete_user(user.pool_id, user.sub)

    async def issue_tokens(self, partner: Partner, user_id: str) -> Tokens:
        """A sign-in of the managed user through the partner's client: Cognito-shaped tokens
        whose ``sub`` is the user id, refreshable with REFRESH_TOKEN_AUTH."""
        user = await self.get_user(partner, user_id)
        if not user.enabled:
            raise UnsupportedUserState("The managed user is disabled.")
        client = await self._ctx.client(partner.client_id, partner.pool_id)
        return await self._auth.start_session(client, user)
