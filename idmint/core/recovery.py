"""Passwords after sign-up (Amazon Cognito API reference, same-named actions): ForgotPassword,
ConfirmForgotPassword, ChangePassword, AdminResetUserPassword.

Cognito keeps a user's existing sign-ins when the password changes; so does idmint (callers
that want them ended call GlobalSignOut or AdminUserGlobalSignOut).
"""

from __future__ import annotations

from dataclasses import replace

from idmint.core.codes import Codes
from idmint.core.context import Context
from idmint.core.errors import (
    CodeMismatch,
    InvalidCredentials,
    InvalidParameter,
    NotAuthorized,
    UserDisabled,
)
from idmint.core.flows import Auth
from idmint.core.messages import Courier, recovery_attribute, recovery_candidates
from idmint.core.model import CodeDelivery, CodePurpose, User, UserPool, UserStatus
from idmint.core.passwords import check_policy

RESET = CodePurpose.RESET_PASSWORD
NO_RECOVERY = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)


class Recovery:
    def __init__(self, ctx: Context, auth: Auth) -> None:
        self._ctx = ctx
        self._auth = auth
        self._codes = Codes(ctx)
        self._courier = Courier(ctx)

    async def _send_reset_code(self, pool: UserPool, user: User) -> CodeDelivery | None:
        attribute = recovery_attribute(pool, user)
        if attribute is None:
            return None
        destination = user.attributes[attribute]
        code = await self._codes.issue(user.sub, RESET, destination)
        return await self._courier.send(pool, user, attribute, code)

    async def forgot_password(
        self,
        client_id: str,
        username: str,
        secret_hash: str | None,
        *,
        hide_existence: bool = False,
    ) -> CodeDelivery:
        """Cognito ForgotPassword: a one-hour reset code to the first verified attribute in the
        pool's AccountRecoverySetting order. With PreventUserExistenceErrors, or
        ``hide_existence`` (the hosted pages), an unknown user gets a simulated answer after
        as long as a delivery takes."""
        _, pool, user = await self._ctx.public_user(
            client_id, username, secret_hash, hide=hide_existence
        )
        if user is None:
            candidates = recovery_candidates(pool)
            if not candidates:  # admin_only recovery: no user may reset by themselves
                raise InvalidParameter(NO_RECOVERY)
            await self._codes.issue(self._codes.phantom_id(pool, username), RESET, None)
            return await self._courier.simulate(pool, username, candidates)
        if not user.enabled:
            raise UserDisabled()
        delivery = await self._send_reset_code(pool, user)
        if delivery is None:
            raise InvalidParameter(NO_RECOVERY)
        return delivery

    async def confirm_forgot_password(
        self,
        client_id: str,
        username: str,
        code: str,
        password: str,
        secret_hash: str | None,
        *,
        hide_existence: bool = False,
    ) -> None:
        """Cognito ConfirmForgotPassword: the reset code and a new password that meets the
        policy. An unknown user (PreventUserExistenceErrors, or ``hide_existence``: the
        hosted pages) gets ``CodeMismatch`` after the same store work as a wrong code."""
        _, pool, user = await self._ctx.public_user(
            client_id, username, secret_hash, hide=hide_existence
        )
        check_policy(pool.password_policy, password)
        if user is None:
            await self._codes.redeem(self._codes.phantom_id(pool, username), RESET, code)
            raise CodeMismatch()  # a guess of the never-sent code: still no such user
        await self._codes.redeem(user.sub, RESET, code)
        credentials = await self._ctx.credentials(pool, user.username, password)
        status = user.status
        if status in (UserStatus.RESET_REQUIRED, UserStatus.FORCE_CHANGE_PASSWORD):
            status = UserStatus.CONFIRMED
        await self._ctx.store.update_user(
            replace(user, status=status, **credentials, updated_at=self._ctx.clock())
        )

    async def change_password(self, access_token: str, previous: str, proposed: str) -> None:
        """Cognito ChangePassword: the signed-in user replaces a password they can repeat."""
        ctx = self._ctx
        _, user = await self._auth.check_access_token(access_token)
        pool = await ctx.pool(user.pool_id)
        ok, _ = await ctx.hasher.verify(user.password_hash, previous)
        if not ok:
            raise InvalidCredentials()
        credentials = await ctx.credentials(pool, user.username, proposed)
        await ctx.store.update_user(replace(user, **credentials, updated_at=ctx.clock()))

    async def admin_reset_user_password(self, pool_id: str, username: str) -> None:
        """Cognito AdminResetUserPassword: the password stops working (RESET_REQUIRED: the next
        sign-in gets PasswordResetRequiredException) and a reset code goes to the user's
        verified email or phone, for ConfirmForgotPassword."""
        ctx = self._ctx
        pool = await ctx.pool(pool_id)
        user = await ctx.user(pool, username)
        if user.status is UserStatus.UNCONFIRMED:
            raise NotAuthorized("User password cannot be reset in the current state.")
        user = replace(user, status=UserStatus.RESET_REQUIRED, updated_at=ctx.clock())
        await ctx.store.update_user(user)
        await self._send_reset_code(pool, user)
