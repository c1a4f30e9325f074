"""USER_SRP_AUTH and its PASSWORD_VERIFIER challenge (Cognito InitiateAuth/AdminInitiateAuth and
RespondToAuthChallenge/AdminRespondToAuthChallenge), on the maths of ``idmint.core.srp``.

The challenge is stateless across nodes: the server's ephemeral ``b``, ``A``, ``B``, the user,
client and pool and an expiry travel in the SECRET_BLOCK, sealed with AES-256-GCM under a key
derived from the server secret, so only this server can read or forge one. Every node can
answer it, and the store remembers each answered block (``Store.spend_challenge``) so it is
answered at most once, right or wrong.

Unknown users (PreventUserExistenceErrors ENABLED), and users who have no verifier yet (made
before SRP was supported: one is stored at their next password sign-in), get a stable salt and
verifier derived from the server secret, do the same arithmetic, and fail at the verifier step
exactly like a wrong password.

Each answer is a password attempt of ``idmint.core.throttle``, counted before the proof is
checked (the start is not); the block carries whose count it is, so an unknown name shares one
count with its password sign-ins even where USER_ID_FOR_SRP is a derived UUID.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from idmint.core import srp
from idmint.core.context import Context
from idmint.core.errors import (
    InvalidCredentials,
    InvalidParameter,
    InvalidSession,
    NotAuthorized,
    UserNotFound,
)
from idmint.core.model import AppClient, Challenge, User, UserPool
from idmint.core.passwords import Slot
from idmint.core.throttle import SignInThrottle

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
BLOCK_LIFETIME = 300.0
"""Seconds a SECRET_BLOCK can be answered in (Cognito's clients answer at once)."""
TIMESTAMP_SKEW = 300.0
"""How far the client's TIMESTAMP may be from the server's clock."""
_AAD = b"idmint SRP secret block v1"
_VERSION = b"\x01"


@dataclass(frozen=True, slots=True)
class _Block:
    pool_id: str
    client_id: str
    sub: str
    user_id: str
    b: int
    a: int
    big_b: int
    expires_at: float
    subject: str
    """Whose failed sign-ins the answer counts towards (``SignInThrottle.subject``)."""


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSession() from exc


class SrpSignIn:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._aead = AESGCM(ctx.derive("srp-secret-block"))
        self._throttle = SignInThrottle(ctx)

    def _verifier(self, pool: UserPool, user: User | None, username: str) -> tuple[str, int]:
        """The user's salt and verifier; for a name without one, a salt and verifier stable per
        name and unguessable, as cheap to get as a stored one (no exponentiation: nobody knows
        a password for it, so any group element will do)."""
        if user is not None and user.srp_salt and user.srp_verifier:
            return user.srp_salt, int.from_bytes(user.srp_verifier, "big")
        key = self._ctx.username_key(pool, username)
        salt = srp.stable_salt(self._ctx.derive("srp-salt", pool.id, key))
        stream = b"".join(self._ctx.derive("srp-v", pool.id, key, str(i)) for i in range(13))
        return salt, int.from_bytes(stream, "big") % srp.N

    def _user_id(self, pool: UserPool, user: User | None, username: str) -> str:
        """USER_ID_FOR_SRP: the internal username. In pools that sign in with email or phone
        that is a UUID, so an unknown name gets a stable UUID too, not its own echo."""
        if user is not None:
            return user.username
        if pool.username_attributes:
            key = self._ctx.username_key(pool, username)
            digest = self._ctx.derive("srp-user-id", pool.id, key)
            return str(uuid.UUID(bytes=digest[:16], version=4))
        return username

    async def start(
        self, pool: UserPool, client: AppClient, username: str, srp_a: str
    ) -> Challenge:
        """InitiateAuth USER_SRP_AUTH: the PASSWORD_VERIFIER challenge for ``A``."""
        try:
            a = srp.parse_a(srp_a)
        except srp.SrpError as exc:
            raise InvalidParameter(f"Invalid SRP_A: {exc}") from exc
        user = await self._ctx.find_user(pool, username)
        if user is None and not client.prevent_user_existence_errors:
            raise UserNotFound()
        salt, v = self._verifier(pool, user, username)
        b = srp.new_private()
        big_b = await self._ctx.hasher.compute(srp.public_b, v, b)
        user_id = self._user_id(pool, user, username)
        block = self._seal(
            _Block(
                pool_id=pool.id,
                client_id=client.id,
                sub=user.sub if user is not None else "",
                user_id=user_id,
                b=b,
                a=a,
                big_b=big_b,
                expires_at=self._ctx.clock() + BLOCK_LIFETIME,
                subject=self._throttle.subject(pool, user, username),
            )
        )
        return Challenge(
            name=PASSWORD_VERIFIER,
            session=None,
            parameters={
                "SALT": salt,
                "SRP_B": f"{big_b:x}",
                "SECRET_BLOCK": base64.b64encode(block).decode("ascii"),
                "USER_ID_FOR_SRP": user_id,
                "USERNAME": user_id,
            },
        )

    async def answer(self, pool: UserPool, client: AppClient, responses: Mapping[str, str]) -> User:
        """RespondToAuthChallenge PASSWORD_VERIFIER: the user, if the signature proves the
        password; ``InvalidCredentials`` otherwise, ``InvalidSession`` for a secret block that
        is not this server's, for this client, still valid and unanswered, and
        ``PasswordAttemptsExceeded`` while the user is locked out (nothing is computed then)."""
        ctx = self._ctx
        username = responses.get("USERNAME")
        if not username:
            raise InvalidParameter("Missing required parameter USERNAME")
        ctx.check_secret_hash(client, responses.get("SECRET_HASH"), username)
        for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
            if not responses.get(name):
                raise InvalidParameter(f"Missing required parameter {name}")
        raw = _b64decode(responses["PASSWORD_CLAIM_SECRET_BLOCK"])
        block = self._open(raw)
        now = ctx.clock()
        if (
            block.pool_id != pool.id
            or block.client_id != client.id
            or block.expires_at <= now
            or username not in (block.user_id, block.sub)
        ):
            raise InvalidSession()
        stamp = srp.parse_timestamp(responses["TIMESTAMP"])
        if stamp is None or abs(stamp - now) > TIMESTAMP_SKEW:
            raise NotAuthorized("Timestamp is not within the allowed clock skew.")
        with ctx.hasher.slot() as slot:  # reserved first: an Overloaded answer spends nothing
            return await self._check_claim(pool, username, raw, block, responses, now, slot)

    async def _check_claim(
        self,
        pool: UserPool,
        username: str,
        raw: bytes,
        block: _Block,
        responses: Mapping[str, str],
        now: float,
        slot: Slot,
    ) -> User:
        """Spend the challenge, count the attempt and check the claim's signature."""
        ctx = self._ctx
        if not await ctx.store.spend_challenge(hashlib.sha256(raw).digest(), block.expires_at, now):
            raise InvalidSession()
        subject = block.subject or self._throttle.subject(pool, None, username)
        await self._throttle.attempt(pool.id, subject)
        # Looked up even for an unknown name ("" is no one's sub), so both take the same time.
        user = await ctx.store.get_user(pool.id, block.sub)
        _, v = self._verifier(pool, user, username)
        try:
            key = await ctx.hasher.compute(
                srp.session_key, block.a, block.big_b, block.b, v, slot=slot
            )
        except srp.SrpError as exc:
            raise InvalidCredentials() from exc
        expected = srp.claim_signature(key, pool.id, block.user_id, raw, responses["TIMESTAMP"])
        try:
            given = base64.b64decode(responses["PASSWORD_CLAIM_SIGNATURE"], validate=True)
        except (binascii.Error, ValueError):
            given = b""
        if not hmac.compare_digest(expected, given) or user is None or not user.srp_verifier:
            raise InvalidCredentials()
        await self._throttle.succeeded(pool.id, subject)
        return user

    def _seal(self, block: _Block) -> bytes:
        payload = orjson.dumps(
            {
                "p": block.pool_id,
                "c": block.client_id,
                "s": block.sub,
                "u": block.user_id,
                "b": f"{block.b:x}",
                "a": f"{block.a:x}",
                "B": f"{block.big_b:x}",
                "e": block.expires_at,
                "t": block.subject,
            }
        )
        nonce = secrets.token_bytes(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, payload, _AAD)

    def _open(self, raw: bytes) -> _Block:
        if len(raw) < 1 + 12 + 16 or raw[:1] != _VERSION:
            raise InvalidSession()
        try:
            payload = orjson.loads(self._aead.decrypt(raw[1:13], raw[13:], _AAD))
            return _Block(
                pool_id=payload["p"],
                client_id=payload["c"],
                sub=payload["s"],
                user_id=payload["u"],
                b=int(payload["b"], 16),
                a=int(payload["a"], 16),
                big_b=int(payload["B"], 16),
                expires_at=float(payload["e"]),
                # Blocks sealed before throttling carry no "t": a user's sub is its subject;
                # for an unknown name (no sub) ``answer`` derives one from USERNAME.
                subject=payload.get("t") or payload["s"],
            )
        except (InvalidTag, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InvalidSession() from exc
