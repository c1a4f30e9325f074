"""User use cases: SignUp, AdminConfirmSignUp, AdminGetUser, AdminDeleteUser,
AdminSetUserPassword, ListUsers (Amazon Cognito API reference, same-named actions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from idmint.core.attributes import EMAIL, PHONE, alias_keys, check_writable
from idmint.core.context import Context
from idmint.core.errors import AliasExists, InvalidParameter, NotAuthorized, UsernameExists
from idmint.core.ids import new_uuid
from idmint.core.model import User, UserPool, UserStatus
from idmint.core.passwords import check_policy


def _username_for(pool: UserPool, username: str, attributes: dict[str, str], sub: str) -> str:
    """Apply the pool's username rules; with UsernameAttributes the username becomes the sub.

    Cognito: in a pool whose users sign in with email or phone, the value given as Username is
    stored as that attribute and the user's username is a generated UUID.
    """
    if pool.username_attributes:
        kinds = [
            name
            for name, pattern in (("email", EMAIL), ("phone_number", PHONE))
            if name in pool.username_attributes and pattern.match(username)
        ]
        if not kinds:
            wanted = " or ".join(
                "an email" if a == "email" else "a phone number" for a in pool.username_attributes
            )
            raise InvalidParameter(
                f"Username should be {'either ' if len(kinds) > 1 else ''}{wanted}."
            )
        given = attributes.get(kinds[0])
        if given is not None and given.lower() != username.lower():
            raise InvalidParameter(f"{kinds[0]} attribute must match the username.")
        attributes[kinds[0]] = username
        return sub
    if "email" in pool.alias_attributes and EMAIL.match(username):
        raise InvalidParameter(
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    if "phone_number" in pool.alias_attributes and PHONE.match(username):
        raise InvalidParameter(
            "Username cannot be of phone format, since user pool is configured "
            "for phone_number alias."
        )
    return username


class Users:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def sign_up(
        self,
        client_id: str,
        username: str,
        password: str,
        attributes: Mapping[str, str],
        secret_hash: str | None,
    ) -> User:
        """Cognito SignUp: a new UNCONFIRMED user; the password meets the pool's policy."""
        ctx = self._ctx
        client = await ctx.client(client_id)
        ctx.check_secret_hash(client, secret_hash, username)
        pool = await ctx.pool(client.pool_id)
        check_policy(pool.password_policy, password)
        check_writable(pool, attributes, writable=client.write_attributes, creating=True)
        return await self._create(
            pool, username, password, dict(attributes), UserStatus.UNCONFIRMED
        )

    async def _create(
        self,
        pool: UserPool,
        username: str,
        password: str,
        attributes: dict[str, str],
        status: UserStatus,
    ) -> User:
        sub = new_uuid()
        name = _username_for(pool, username, attributes, sub)
        now = self._ctx.clock()
        user = User(
            pool_id=pool.id,
            sub=sub,
            username=name,
            status=status,
            enabled=True,
            attributes=attributes,
            created_at=now,
            updated_at=now,
            password_hash=await self._ctx.hasher.hash(password),
        )
        keys = alias_keys(pool, attributes)
        try:
            await self._ctx.store.create_user(user, self._ctx.username_key(pool, name), keys)
        except AliasExists as exc:
            if pool.username_attributes:  # the alias is the username (Cognito's answer)
                raise UsernameExists(exc.message) from exc
            raise
        return user

    async def admin_confirm_sign_up(self, pool_id: str, username: str) -> None:
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        if user.status is not UserStatus.UNCONFIRMED:
            raise NotAuthorized(f"User cannot be confirmed. Current status is {user.status.value}")
        await self._ctx.store.update_user(
            replace(user, status=UserStatus.CONFIRMED, updated_at=self._ctx.clock())
        )

    async def admin_get_user(self, pool_id: str, username: str) -> User:
        pool = await self._ctx.pool(pool_id)
        return await self._ctx.user(pool, username)

    async def admin_delete_user(self, pool_id: str, username: str) -> None:
        """Delete the user; its refresh sessions go with it, so its tokens stop working."""
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        await self._ctx.store.delete_user(pool.id, user.sub)

    async def admin_set_user_password(
        self, pool_id: str, username: str, password: str, permanent: bool
    ) -> None:
        """Permanent: CONFIRMED with this password; otherwise a temporary one the user must
        replace at next sign-in (FORCE_CHANGE_PASSWORD)."""
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        check_policy(pool.password_policy, password)
        status = UserStatus.CONFIRMED if permanent else UserStatus.FORCE_CHANGE_PASSWORD
        await self._ctx.store.update_user(
            replace(
                user,
                status=status,
                password_hash=await self._ctx.hasher.hash(password),
                updated_at=self._ctx.clock(),
            )
        )

    async def list_users(
        self, pool_id: str, limit: int, after: str | None
    ) -> tuple[list[User], str | None]:
        await self._ctx.pool(pool_id)
        users = await self._ctx.store.list_users(pool_id, limit, self._ctx.page_token(after))
        return users, self._ctx.next_page_token([u.sub for u in users], limit)
