"""User use cases (Amazon Cognito API reference, same-named actions): SignUp, ConfirmSignUp,
ResendConfirmationCode, AdminConfirmSignUp, AdminCreateUser, AdminGetUser, AdminDeleteUser,
DeleteUser, AdminDisableUser, AdminEnableUser, AdminSetUserPassword, ListUsers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from idmint.core.attributes import EMAIL, PHONE, alias_keys, check_writable, effective_schema
from idmint.core.codes import Codes
from idmint.core.context import Context
from idmint.core.errors import (
    AliasExists,
    CodeMismatch,
    InvalidParameter,
    NotAuthorized,
    UnsupportedUserState,
    UsernameExists,
)
from idmint.core.filters import USERNAME, parse_filter
from idmint.core.flows import Auth
from idmint.core.ids import new_uuid
from idmint.core.messages import Courier, sign_up_attribute, sign_up_candidates
from idmint.core.model import CodeDelivery, CodePurpose, User, UserPool, UserStatus
from idmint.core.passwords import temporary_password

SIGN_UP = CodePurpose.SIGN_UP


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
    def __init__(self, ctx: Context, auth: Auth) -> None:
        self._ctx = ctx
        self._auth = auth
        self._codes = Codes(ctx)
        self._courier = Courier(ctx)

    async def sign_up(
        self,
        client_id: str,
        username: str,
        password: str,
        attributes: Mapping[str, str],
        secret_hash: str | None,
    ) -> tuple[User, CodeDelivery | None]:
        """Cognito SignUp: a new UNCONFIRMED user; the password meets the pool's policy. When
        the pool auto-verifies email or phone, a confirmation code is sent there.

        If the code cannot be delivered the user still exists (``CodeDeliveryFailure`` is
        raised after the insert) and can ask again with ResendConfirmationCode, as in Cognito.
        """
        ctx = self._ctx
        client = await ctx.client(client_id)
        ctx.check_secret_hash(client, secret_hash, username)
        pool = await ctx.pool(client.pool_id)
        if pool.allow_admin_create_user_only:
            raise NotAuthorized("SignUp is not permitted for this user pool")
        check_writable(pool, attributes, writable=client.write_attributes, creating=True)
        user = await self._create(
            pool, username, password, dict(attributes), UserStatus.UNCONFIRMED
        )
        return user, await self._send_confirmation(pool, user)

    async def register(
        self, pool: UserPool, username: str, password: str, attributes: Mapping[str, str]
    ) -> User:
        """A CONFIRMED user, for a front-end that signs users up and in at once (seed 002's
        mint registration): Cognito SignUp with a pre-sign-up trigger that sets
        ``autoConfirmUser``, so no code is sent. An email given as the username is stored as
        the (unverified) email attribute; the username rules, the policy and the pool's
        required attributes are SignUp's."""
        if pool.allow_admin_create_user_only:
            raise NotAuthorized("SignUp is not permitted for this user pool")
        return await self.create_confirmed(pool, username, password, attributes)

    async def create_confirmed(
        self, pool: UserPool, username: str, password: str, attributes: Mapping[str, str]
    ) -> User:
        """A CONFIRMED user with a permanent password (``register``, Partner API Accounts)."""
        given = dict(attributes)
        if EMAIL.match(username) and "email" not in pool.alias_attributes:
            given.setdefault("email", username)
        check_writable(pool, given, writable=None, creating=True)
        return await self._create(pool, username, password, given, UserStatus.CONFIRMED)

    async def _send_confirmation(self, pool: UserPool, user: User) -> CodeDelivery | None:
        attribute = sign_up_attribute(pool, user)
        if attribute is None:
            return None
        destination = user.attributes[attribute]
        code = await self._codes.issue(user.sub, CodePurpose.SIGN_UP, destination)
        return await self._courier.send(pool, user, attribute, code)

    async def _create(
        self,
        pool: UserPool,
        username: str,
        password: str,
        attributes: dict[str, str],
        status: UserStatus,
        force_alias: bool = False,
    ) -> User:
        sub = new_uuid()
        name = _username_for(pool, username, attributes, sub)
        credentials = await self._ctx.credentials(pool, name, password)
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
            **credentials,
        )
        keys = alias_keys(pool, attributes)
        store, key = self._ctx.store, self._ctx.username_key(pool, name)
        try:
            await store.create_user(user, key, keys)
        except AliasExists as exc:
            if pool.username_attributes:  # the alias is the username (Cognito's answer)
                raise UsernameExists(exc.message) from exc
            if not force_alias:
                raise
            await self._take_aliases(pool, attributes, sub)
            await store.create_user(user, key, keys)
        return user

    async def confirm_sign_up(
        self,
        client_id: str,
        username: str,
        code: str,
        secret_hash: str | None,
        *,
        force_alias_creation: bool = False,
        hide_existence: bool = False,
    ) -> None:
        """Cognito ConfirmSignUp: the code from SignUp confirms the user and verifies the
        attribute it was sent to. With PreventUserExistenceErrors an unknown user gets the
        answer of a wrong code. With ``hide_existence`` (the hosted pages), whatever the
        client's setting, so do an unknown user and one already confirmed, their attempts
        counted alike, so that no answer tells an account exists."""
        _, pool, user = await self._ctx.public_user(
            client_id, username, secret_hash, hide=hide_existence
        )
        if hide_existence and user is not None and user.status is not UserStatus.UNCONFIRMED:
            user = None
        if user is None:
            await self._codes.redeem(self._codes.phantom_id(pool, username), SIGN_UP, code)
            raise CodeMismatch()
        if user.status is not UserStatus.UNCONFIRMED:
            raise NotAuthorized(f"User cannot be confirmed. Current status is {user.status.value}")
        spent = await self._codes.redeem(user.sub, SIGN_UP, code)
        attributes = dict(user.attributes)
        for name in ("phone_number", "email"):
            if spent.destination is not None and attributes.get(name) == spent.destination:
                attributes[f"{name}_verified"] = "true"
        await self._confirm(pool, user, attributes, force_alias_creation)

    async def _confirm(
        self, pool: UserPool, user: User, attributes: dict[str, str], force_alias: bool
    ) -> None:
        user = replace(
            user, status=UserStatus.CONFIRMED, attributes=attributes, updated_at=self._ctx.clock()
        )
        try:
            await self._ctx.save_user(pool, user)
        except AliasExists:
            if not force_alias:
                raise
            await self._take_aliases(pool, user.attributes, user.sub)
            await self._ctx.save_user(pool, user)

    async def _take_aliases(self, pool: UserPool, attributes: Mapping[str, str], sub: str) -> None:
        """ForceAliasCreation: the users now holding these attributes' aliases lose them (the
        attribute becomes unverified), as Cognito migrates the alias to the new owner."""
        for key in alias_keys(pool, attributes):
            # "" is no one's username key (usernames are not empty): look the alias up only.
            other = await self._ctx.store.find_user(pool.id, "", key)
            if other is None or other.sub == sub:
                continue
            taken = dict(other.attributes)
            for name in ("email", "phone_number"):
                if taken.get(name, "").lower() == key:
                    taken[f"{name}_verified"] = "false"
            if taken.get("preferred_username", "").lower() == key:
                del taken["preferred_username"]
            await self._ctx.save_user(pool, replace(other, attributes=taken))

    async def resend_confirmation_code(
        self,
        client_id: str,
        username: str,
        secret_hash: str | None,
        *,
        hide_existence: bool = False,
    ) -> CodeDelivery:
        """Cognito ResendConfirmationCode: a new sign-up code replaces the old one. With
        ``hide_existence`` (the hosted pages) an unknown user is answered as with
        PreventUserExistenceErrors, whatever the client's setting."""
        _, pool, user = await self._ctx.public_user(
            client_id, username, secret_hash, hide=hide_existence
        )
        if user is not None and user.status is not UserStatus.UNCONFIRMED:
            raise InvalidParameter("User is already confirmed.")
        candidates = sign_up_candidates(pool)
        if not candidates:
            raise InvalidParameter("Cannot resend codes. Auto verification not turned on.")
        if user is None:
            await self._codes.issue(self._codes.phantom_id(pool, username), SIGN_UP, None)
            return await self._courier.simulate(pool, username, candidates)
        delivery = await self._send_confirmation(pool, user)
        if delivery is None:  # the user has none of the auto-verified attributes
            raise InvalidParameter("Cannot resend codes. Auto verification not turned on.")
        return delivery

    async def admin_confirm_sign_up(self, pool_id: str, username: str) -> None:
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        if user.status is not UserStatus.UNCONFIRMED:
            raise NotAuthorized(f"User cannot be confirmed. Current status is {user.status.value}")
        await self._confirm(pool, user, dict(user.attributes), False)

    async def admin_create_user(
        self,
        pool_id: str,
        username: str,
        attributes: Mapping[str, str],
        *,
        temporary: str | None = None,
        message_action: str | None = None,
        mediums: Sequence[str] | None = None,
        force_alias_creation: bool = False,
    ) -> User:
        """Cognito AdminCreateUser: a FORCE_CHANGE_PASSWORD user with a temporary password
        (from the CSPRNG when none is given) and an invitation through the pool's template.

        ``MessageAction`` SUPPRESS sends nothing; RESEND gives an existing
        FORCE_CHANGE_PASSWORD user a new temporary password and invitation. The invitation goes
        to each of ``DesiredDeliveryMediums`` (default SMS) the user has an attribute for; when
        none is given and the user has no phone, to the email.
        """
        ctx = self._ctx
        pool = await ctx.pool(pool_id)
        password = temporary or temporary_password(pool.password_policy)
        if message_action == "RESEND":
            user = await ctx.user(pool, username)
            if user.status is not UserStatus.FORCE_CHANGE_PASSWORD:
                raise UnsupportedUserState(
                    f"Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD."
                )
            credentials = await ctx.credentials(pool, user.username, password)
            user = replace(user, **credentials, updated_at=ctx.clock())
            await ctx.store.update_user(user)
        else:
            check_writable(pool, attributes, writable=None, creating=True, admin=True)
            user = await self._create(
                pool,
                username,
                password,
                dict(attributes),
                UserStatus.FORCE_CHANGE_PASSWORD,
                force_alias=force_alias_creation,
            )
        if message_action != "SUPPRESS":
            wanted = list(mediums or ())
            if not wanted:
                wanted = ["SMS"] if user.attributes.get("phone_number") else ["EMAIL"]
            for medium in dict.fromkeys(wanted):
                attribute = "phone_number" if medium == "SMS" else "email"
                if user.attributes.get(attribute):
                    await self._courier.send(
                        pool,
                        user,
                        attribute,
                        password,
                        template=pool.invitation_message,
                        username=username,
                    )
        return user

    async def admin_get_user(self, pool_id: str, username: str) -> User:
        pool = await self._ctx.pool(pool_id)
        return await self._ctx.user(pool, username)

    async def admin_delete_user(self, pool_id: str, username: str) -> None:
        """Delete the user; its refresh sessions go with it, so its tokens stop working."""
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        await self._ctx.store.delete_user(pool.id, user.sub)

    async def delete_user(self, access_token: str) -> None:
        """Cognito DeleteUser: users delete themselves with a valid access token."""
        _, user = await self._auth.check_access_token(access_token)
        await self._ctx.store.delete_user(user.pool_id, user.sub)

    async def admin_set_enabled(self, pool_id: str, username: str, enabled: bool) -> None:
        """Cognito AdminDisableUser/AdminEnableUser. Disabling also revokes every sign-in, so
        tokens issued before stay dead when the user is enabled again."""
        ctx = self._ctx
        pool = await ctx.pool(pool_id)
        user = await ctx.user(pool, username)
        now = ctx.clock()
        await ctx.store.update_user(replace(user, enabled=enabled, updated_at=now))
        if not enabled:
            await ctx.store.revoke_user_sessions(pool.id, user.sub, now)

    async def admin_set_user_password(
        self, pool_id: str, username: str, password: str, permanent: bool
    ) -> None:
        """Permanent: CONFIRMED with this password; otherwise a temporary one the user must
        replace at next sign-in (FORCE_CHANGE_PASSWORD)."""
        ctx = self._ctx
        pool = await ctx.pool(pool_id)
        user = await ctx.user(pool, username)
        status = UserStatus.CONFIRMED if permanent else UserStatus.FORCE_CHANGE_PASSWORD
        credentials = await ctx.credentials(pool, user.username, password)
        await ctx.store.update_user(
            replace(user, status=status, **credentials, updated_at=ctx.clock())
        )

    async def list_users(
        self,
        pool_id: str,
        limit: int,
        after: str | None,
        filter_text: str | None = None,
        attributes_to_get: Sequence[str] | None = None,
    ) -> tuple[list[User], str | None]:
        """Cognito ListUsers: a page of the pool's users, in ``sub`` order, that match
        ``Filter`` (idmint.core.filters), and the token for the next page.

        ``username`` is compared the way the pool compares usernames (folding case unless the
        pool is case-sensitive). Every name in ``AttributesToGet`` must be an attribute of the
        pool's schema; which of them to show is left to the caller's rendering.
        """
        where = parse_filter(filter_text)
        pool = await self._ctx.pool(pool_id)
        if attributes_to_get is not None:
            known = {a.name for a in effective_schema(pool)}
            if any(name not in known for name in attributes_to_get):
                raise InvalidParameter("One or more requested attributes do not exist.")
        after = self._ctx.page_token(after)
        if where is not None and "\x00" in where.value:
            return [], None  # no stored value holds NUL (and PostgreSQL text refuses it)
        if where is not None and where.attribute == USERNAME:
            where = replace(where, value=self._ctx.username_key(pool, where.value))
        users = await self._ctx.store.list_users(pool_id, limit, after, where)
        return users, self._ctx.next_page_token([u.sub for u in users], limit)
