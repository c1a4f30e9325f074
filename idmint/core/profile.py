"""User attributes after sign-up (Amazon Cognito API reference, same-named actions):
UpdateUserAttributes, AdminUpdateUserAttributes, DeleteUserAttributes,
AdminDeleteUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute.

A changed email or phone number is unverified until its code comes back (Cognito clears
``email_verified``/``phone_number_verified`` and, for auto-verified attributes, sends a code);
an administrator may mark it verified in the same AdminUpdateUserAttributes call. A client's
WriteAttributes limit what its users may change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from idmint.core.attributes import VERIFIABLE, check_writable, effective_schema
from idmint.core.codes import Codes, verify_purpose
from idmint.core.context import Context
from idmint.core.errors import CodeMismatch, InvalidParameter, NotAuthorized
from idmint.core.flows import Auth
from idmint.core.messages import Courier
from idmint.core.model import AppClient, CodeDelivery, User, UserPool

_FLAGS = frozenset(f"{name}_verified" for name in VERIFIABLE)


class Profile:
    def __init__(self, ctx: Context, auth: Auth) -> None:
        self._ctx = ctx
        self._auth = auth
        self._codes = Codes(ctx)
        self._courier = Courier(ctx)

    async def _me(self, access_token: str) -> tuple[AppClient, UserPool, User]:
        claims, user = await self._auth.check_access_token(access_token)
        client = await self._ctx.client(str(claims.get("client_id")), user.pool_id)
        return client, await self._ctx.pool(user.pool_id), user

    async def update_user_attributes(
        self, access_token: str, changes: Mapping[str, str]
    ) -> list[CodeDelivery]:
        """Cognito UpdateUserAttributes: the user changes their own attributes; the verified
        flags are the server's to set."""
        client, pool, user = await self._me(access_token)
        if _FLAGS.intersection(changes):
            raise NotAuthorized("A client attempted to write unauthorized attribute")
        check_writable(pool, changes, writable=client.write_attributes, creating=False)
        return await self._update(pool, user, changes)

    async def admin_update_user_attributes(
        self, pool_id: str, username: str, changes: Mapping[str, str]
    ) -> list[CodeDelivery]:
        """Cognito AdminUpdateUserAttributes: any mutable attribute, verified flags included."""
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        check_writable(pool, changes, writable=None, creating=False, admin=True)
        return await self._update(pool, user, changes)

    async def _update(
        self, pool: UserPool, user: User, changes: Mapping[str, str]
    ) -> list[CodeDelivery]:
        if user.partner_id is not None and changes:
            raise InvalidParameter(
                "Managed users are anonymous: no attribute can be stored on them (seed 000)."
            )
        attributes = {**user.attributes, **changes}
        changed = [
            name
            for name in ("email", "phone_number")
            if name in changes and changes[name] != user.attributes.get(name)
        ]
        for name in changed:
            if changes.get(f"{name}_verified") != "true":
                attributes[f"{name}_verified"] = "false"
        user = replace(user, attributes=attributes, updated_at=self._ctx.clock())
        await self._ctx.save_user(pool, user)
        deliveries = []
        for name in changed:
            if name in pool.auto_verified_attributes and attributes[f"{name}_verified"] != "true":
                deliveries.append(await self._send_code(pool, user, name))
        return deliveries

    async def delete_user_attributes(self, access_token: str, names: Sequence[str]) -> None:
        """Cognito DeleteUserAttributes, limited by the client's WriteAttributes."""
        client, pool, user = await self._me(access_token)
        writable = client.write_attributes
        if writable is not None and any(n not in writable for n in names):
            raise NotAuthorized("A client attempted to write unauthorized attribute")
        await self._delete(pool, user, names)

    async def admin_delete_user_attributes(
        self, pool_id: str, username: str, names: Sequence[str]
    ) -> None:
        """Cognito AdminDeleteUserAttributes."""
        pool = await self._ctx.pool(pool_id)
        await self._delete(pool, await self._ctx.user(pool, username), names)

    async def _delete(self, pool: UserPool, user: User, names: Iterable[str]) -> None:
        schema = {a.name: a for a in effective_schema(pool)}
        names = list(names)
        for name in names:
            attr = schema.get(name)
            if attr is None:
                raise InvalidParameter(
                    f"Attributes did not conform to the schema: {name}: "
                    "Attribute does not exist in the schema."
                )
            if attr.required or name == "sub":
                raise InvalidParameter(
                    f"Attributes did not conform to the schema: {name}: "
                    "Required attribute cannot be deleted."
                )
            if not attr.mutable:
                raise InvalidParameter(
                    f"Attributes did not conform to the schema: {name}: "
                    "Attribute cannot be updated. (changing an immutable attribute)"
                )
            if name in pool.username_attributes:
                raise InvalidParameter(f"Cannot delete {name}: users of this pool sign in with it.")
        attributes = dict(user.attributes)
        for name in names:
            attributes.pop(name, None)
            if name in VERIFIABLE:
                attributes.pop(f"{name}_verified", None)
        user = replace(user, attributes=attributes, updated_at=self._ctx.clock())
        await self._ctx.save_user(pool, user)

    async def _send_code(self, pool: UserPool, user: User, attribute: str) -> CodeDelivery:
        destination = user.attributes[attribute]
        code = await self._codes.issue(user.sub, verify_purpose(attribute), destination)
        return await self._courier.send(pool, user, attribute, code)

    async def get_verification_code(self, access_token: str, attribute: str) -> CodeDelivery:
        """Cognito GetUserAttributeVerificationCode: a 24-hour code to the email or phone."""
        _, pool, user = await self._me(access_token)
        if attribute not in VERIFIABLE or not user.attributes.get(attribute):
            raise InvalidParameter(f"Invalid attribute name or the user has no {attribute}.")
        return await self._send_code(pool, user, attribute)

    async def verify_attribute(self, access_token: str, attribute: str, code: str) -> None:
        """Cognito VerifyUserAttribute: the code marks the attribute verified, if it is still
        the value the code was sent to. A verified email or phone may become a sign-in alias
        (``AliasExists`` if another user already has it)."""
        _, pool, user = await self._me(access_token)
        if attribute not in VERIFIABLE or not user.attributes.get(attribute):
            raise InvalidParameter(f"Invalid attribute name or the user has no {attribute}.")
        spent = await self._codes.redeem(user.sub, verify_purpose(attribute), code)
        if spent.destination != user.attributes[attribute]:
            raise CodeMismatch()
        attributes = {**user.attributes, f"{attribute}_verified": "true"}
        await self._ctx.save_user(
            pool, replace(user, attributes=attributes, updated_at=self._ctx.clock())
        )
