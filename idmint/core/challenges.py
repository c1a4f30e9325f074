"""Sign-in challenges: NEW_PASSWORD_REQUIRED and its answer.

Cognito InitiateAuth/AdminInitiateAuth answer a user in FORCE_CHANGE_PASSWORD with
``ChallengeName`` NEW_PASSWORD_REQUIRED, a ``Session`` and ``ChallengeParameters``
(``USER_ID_FOR_SRP``, ``requiredAttributes`` and ``userAttributes`` as JSON strings);
RespondToAuthChallenge/AdminRespondToAuthChallenge with ``NEW_PASSWORD`` (and any
``userAttributes.<name>``) finish the sign-in. A Session is a 256-bit CSPRNG value stored as its
SHA-256, bound to one user, client and challenge, valid for the client's AuthSessionValidity
(minutes) and answered at most once; anything else is "Invalid session for the user."
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import replace

import orjson

from idmint.core.attributes import check_writable, effective_schema
from idmint.core.context import Context
from idmint.core.errors import InvalidParameter, InvalidSession
from idmint.core.model import AppClient, AuthChallenge, Challenge, User, UserPool, UserStatus

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
_ATTRIBUTE_PREFIX = "userAttributes."


def _session_hash(session: str) -> bytes:
    return hashlib.sha256(session.encode("utf-8")).digest()


def missing_required(pool: UserPool, user: User) -> list[str]:
    """Required schema attributes the user has no value for (``sub`` is always there)."""
    return [
        a.name
        for a in effective_schema(pool)
        if a.required and a.name != "sub" and not user.attributes.get(a.name)
    ]


class Challenges:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def new_password_required(
        self, pool: UserPool, client: AppClient, user: User
    ) -> Challenge:
        """Start the NEW_PASSWORD_REQUIRED challenge for a user holding a temporary password."""
        session = secrets.token_urlsafe(48)
        now = self._ctx.clock()
        await self._ctx.store.create_challenge(
            AuthChallenge(
                id_hash=_session_hash(session),
                client_id=client.id,
                user_sub=user.sub,
                name=NEW_PASSWORD_REQUIRED,
                created_at=now,
                expires_at=now + client.auth_session_validity * 60,
            )
        )
        readable = client.read_attributes
        shown = {k: v for k, v in user.attributes.items() if readable is None or k in readable}
        required = [f"{_ATTRIBUTE_PREFIX}{name}" for name in missing_required(pool, user)]
        return Challenge(
            name=NEW_PASSWORD_REQUIRED,
            session=session,
            parameters={
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": orjson.dumps(required).decode(),
                "userAttributes": orjson.dumps(shown).decode(),
            },
        )

    async def answer_new_password(
        self,
        pool: UserPool,
        client: AppClient,
        session: str | None,
        responses: Mapping[str, str],
    ) -> User:
        """Check the Session and the answer; set the new password (and attributes) and return
        the user, CONFIRMED, ready for tokens."""
        ctx = self._ctx
        username = responses.get("USERNAME")
        if not username:
            raise InvalidParameter("Missing required parameter USERNAME")
        ctx.check_secret_hash(client, responses.get("SECRET_HASH"), username)
        challenge = await ctx.store.get_challenge(_session_hash(session)) if session else None
        user = await ctx.find_user(pool, username)
        if (
            challenge is None
            or user is None
            or challenge.expires_at <= ctx.clock()
            or challenge.client_id != client.id
            or challenge.name != NEW_PASSWORD_REQUIRED
            or challenge.user_sub != user.sub
            or user.status is not UserStatus.FORCE_CHANGE_PASSWORD
        ):
            raise InvalidSession()
        password = responses.get("NEW_PASSWORD")
        if not password:
            raise InvalidParameter("Missing required parameter NEW_PASSWORD")
        changes = {
            k.removeprefix(_ATTRIBUTE_PREFIX): v
            for k, v in responses.items()
            if k.startswith(_ATTRIBUTE_PREFIX)
        }
        check_writable(pool, changes, writable=client.write_attributes, creating=False)
        attributes = {**user.attributes, **changes}
        missing = missing_required(pool, replace(user, attributes=attributes))
        if missing:
            raise InvalidParameter(f"Invalid attributes given, {missing[0]} is missing")
        credentials = await ctx.credentials(pool, user.username, password)
        # Everything is checked: now spend the Session, so a failed answer can be retried.
        if not await ctx.store.consume_challenge(challenge.id_hash):
            raise InvalidSession()
        for name in ("email", "phone_number"):
            if name in changes and changes[name] != user.attributes.get(name):
                attributes[f"{name}_verified"] = "false"
        user = replace(
            user,
            status=UserStatus.CONFIRMED,
            attributes=attributes,
            **credentials,
            updated_at=ctx.clock(),
        )
        await ctx.save_user(pool, user)
        return user
