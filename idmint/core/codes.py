"""One-time codes: confirmation, password reset and attribute verification.

Cognito behaviour (developer guide, "Signing up and confirming user accounts" and "Recovering
user accounts"): six digits; sign-up and attribute codes live 24 hours, password-reset codes one
hour; a new code replaces the previous one for the same purpose. Each code is stored as a salted
HMAC-SHA256 (never in clear), is spent by the first correct answer, and allows ``MAX_ATTEMPTS``
wrong answers, after which only a new code helps (``LimitExceededException``, as Cognito).

A six-digit code cannot resist an offline search of its hash; the hash keeps codes out of
backups and logs, while the attempt limit and expiry are what protect the online guess.

Unknown usernames (PreventUserExistenceErrors) get codes too, stored under a derived id
(``phantom_id``) and never sent: asking for one, guessing wrong, running into the attempt limit
and expiry then go through the same steps, store writes and answers as for a real user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from idmint.core.context import Context
from idmint.core.errors import CodeMismatch, ExpiredCode, LimitExceeded
from idmint.core.model import CodePurpose, UserPool, VerificationCode

MAX_ATTEMPTS = 5
LIFETIME = {
    CodePurpose.SIGN_UP: 24 * 3600,
    CodePurpose.RESET_PASSWORD: 3600,
    CodePurpose.VERIFY_EMAIL: 24 * 3600,
    CodePurpose.VERIFY_PHONE: 24 * 3600,
}
ATTEMPTS_EXCEEDED = "Attempt limit exceeded, please try after some time."


def verify_purpose(attribute: str) -> CodePurpose:
    return CodePurpose.VERIFY_PHONE if attribute == "phone_number" else CodePurpose.VERIFY_EMAIL


def _digest(salt: bytes, code: str) -> bytes:
    return hmac.new(salt, code.encode("utf-8"), hashlib.sha256).digest()


class Codes:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def phantom_id(self, pool: UserPool, username: str) -> str:
        """The id an unknown username's codes are kept under: stable, unguessable without the
        server secret, and never a user's ``sub`` (those are version-4 UUIDs)."""
        key = self._ctx.username_key(pool, username)
        return "~" + self._ctx.derive("phantom-user", pool.id, key).hex()[:35]

    async def issue(
        self, sub: str, purpose: CodePurpose, destination: str | None, *, attempts: int = 0
    ) -> str:
        """A fresh code for user ``sub`` (replacing any earlier one for ``purpose``); returns it
        in clear, once, for the message."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_bytes(16)
        now = self._ctx.clock()
        await self._ctx.store.put_code(
            VerificationCode(
                user_sub=sub,
                purpose=purpose,
                code_hash=_digest(salt, code),
                salt=salt,
                attempts=attempts,
                created_at=now,
                expires_at=now + LIFETIME[purpose],
                destination=destination,
            )
        )
        return code

    async def redeem(self, sub: str, purpose: CodePurpose, given: str) -> VerificationCode:
        """Spend user ``sub``'s code if ``given`` is it.

        ``CodeMismatch`` for a wrong code, ``ExpiredCode`` past its lifetime, ``LimitExceeded``
        after ``MAX_ATTEMPTS`` tries. The try is counted first, atomically, so parallel guesses
        cannot exceed the limit. With no code at all, the try is kept against a code nobody
        holds, so the limit answers alike whether or not a code (or the user) exists.
        """
        store = self._ctx.store
        counted = await store.count_code_attempt(sub, purpose, MAX_ATTEMPTS)
        code = await store.get_code(sub, purpose)
        if code is None:
            await self.issue(sub, purpose, None, attempts=1)
            raise CodeMismatch()
        if not counted:
            raise LimitExceeded(ATTEMPTS_EXCEEDED)
        if code.expires_at <= self._ctx.clock():
            raise ExpiredCode()
        digest = _digest(code.salt, given)
        if not hmac.compare_digest(digest, code.code_hash):
            raise CodeMismatch()
        if not await store.consume_code(sub, purpose, digest):
            raise CodeMismatch()  # a concurrent answer spent it first
        return code
