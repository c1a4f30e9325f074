"""Messages to users: which attribute a code goes to, the pool's templates, masking.

Cognito developer guide, "Customizing email verification messages" and "Customizing user
invitation messages" (``{####}`` is the code or temporary password, ``{username}`` the
username); API reference, ``CodeDeliveryDetailsType`` (the destination is masked).
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from idmint.core.attributes import EMAIL, PHONE
from idmint.core.context import Context
from idmint.core.errors import CodeDeliveryFailure
from idmint.core.model import Channel, CodeDelivery, Message, MessageTemplate, User, UserPool
from idmint.core.ports import DeliveryFailed

MEDIUM = {"email": Channel.EMAIL, "phone_number": Channel.SMS}
_PLACEHOLDER = re.compile(r"\{####\}|\{username\}")


def mask(attribute: str, value: str) -> str:
    """Cognito's masked destination: ``t***@e***`` for an email, ``+*******0100`` for a phone."""
    if attribute == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(value) - 5, 0) + value[-4:]


def fill(text: str, secret: str, username: str) -> str:
    """Replace the placeholders in one pass, so a username cannot smuggle in ``{####}``."""
    return _PLACEHOLDER.sub(lambda m: secret if m.group() == "{####}" else username, text)


def compose(
    pool: UserPool, template: MessageTemplate, attribute: str, to: str, secret: str, username: str
) -> Message:
    channel = MEDIUM[attribute]
    if channel is Channel.EMAIL:
        return Message(
            channel=channel,
            to=to,
            subject=fill(template.email_subject, secret, username),
            body=fill(template.email_message, secret, username),
            pool_id=pool.id,
        )
    return Message(
        channel=channel, to=to, body=fill(template.sms_message, secret, username), pool_id=pool.id
    )


def verified(user: User, attribute: str) -> bool:
    return bool(user.attributes.get(attribute)) and (
        user.attributes.get(f"{attribute}_verified") == "true"
    )


def sign_up_candidates(pool: UserPool) -> list[str]:
    """Where sign-up codes may go, in order: the phone, then the email, if auto-verified."""
    return [name for name in ("phone_number", "email") if name in pool.auto_verified_attributes]


def recovery_candidates(pool: UserPool) -> list[str]:
    """Where reset codes may go, in the pool's AccountRecoverySetting order."""
    names = {"verified_email": "email", "verified_phone_number": "phone_number"}
    return [names[m] for m in pool.recovery_mechanisms if m in names]


def sign_up_attribute(pool: UserPool, user: User) -> str | None:
    """Where SignUp's code goes: the first candidate the user has a value for."""
    return next((n for n in sign_up_candidates(pool) if user.attributes.get(n)), None)


def recovery_attribute(pool: UserPool, user: User) -> str | None:
    """Where ForgotPassword's code goes: the first candidate the user has verified."""
    return next((n for n in recovery_candidates(pool) if verified(user, n)), None)


class Courier:
    """Sends codes and invitations through the configured ``MessageSender``."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def send(
        self,
        pool: UserPool,
        user: User,
        attribute: str,
        secret: str,
        template: MessageTemplate | None = None,
        username: str | None = None,
    ) -> CodeDelivery:
        """Send ``secret`` to the user's ``attribute``; ``CodeDeliveryFailure`` if the transport
        refuses it. ``{username}`` is ``username`` if given (the name the user signs in with),
        else the user's username."""
        destination = user.attributes[attribute]
        message = compose(
            pool,
            template or pool.verification_message,
            attribute,
            destination,
            secret,
            username or user.username,
        )
        try:
            await self._ctx.sender.send(message)
        except DeliveryFailed as exc:
            raise CodeDeliveryFailure() from exc
        return CodeDelivery(mask(attribute, destination), MEDIUM[attribute], attribute)

    async def simulate(
        self, pool: UserPool, username: str, candidates: Sequence[str]
    ) -> CodeDelivery:
        """What ``send`` would answer for a user who does not exist (PreventUserExistenceErrors):
        the medium a real user most likely gets (of ``candidates``: the one the username itself
        is, in pools that sign in with email or phone; else one the pool verifies; else email),
        a plausible destination stable for the name, after as long as a real delivery takes."""
        # The medium most of the pool's users have: one it verifies or signs in with, else email.
        used = [
            c
            for c in candidates
            if c in (*pool.auto_verified_attributes, *pool.username_attributes)
        ]
        attribute = (used or [c for c in candidates if c == "email"] or list(candidates))[0]
        for name in pool.username_attributes:
            if name in candidates and (EMAIL if name == "email" else PHONE).match(username):
                attribute = name
        if attribute in pool.username_attributes:
            destination = username
        else:
            digest = self._ctx.derive("simulated-destination", pool.id, username.lower())
            if attribute == "email":
                letters = string.ascii_lowercase
                destination = f"{letters[digest[0] % 26]}@{letters[digest[1] % 26]}"
            else:
                destination = "+1" + "".join(str(b % 10) for b in digest[:10])
        message = compose(
            pool, pool.verification_message, attribute, destination, "000000", username
        )
        await self._ctx.sender.pretend(message)
        return CodeDelivery(mask(attribute, destination), MEDIUM[attribute], attribute)
