"""One-time codes and sign-in challenges: short-lived secrets stored only as hashes.

Both are answered at most once: consuming is a conditional DELETE, so of two concurrent
answers (on one node or several) exactly one sees a deleted row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from idmint.core.model import AuthChallenge, CodePurpose, VerificationCode
from idmint.store.base import SqlBase
from idmint.store.schema import auth_challenges, spent_challenges, verification_codes


def _code(row: Any) -> VerificationCode:
    return VerificationCode(
        user_sub=row["user_sub"],
        purpose=CodePurpose(row["purpose"]),
        code_hash=bytes(row["code_hash"]),
        salt=bytes(row["salt"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        destination=row["destination"],
    )


def _key(sub: str, purpose: CodePurpose) -> tuple[Any, ...]:
    return (verification_codes.c.user_sub == sub, verification_codes.c.purpose == purpose.value)


class CodeQueries(SqlBase):
    async def put_code(self, code: VerificationCode) -> None:
        await self._write(
            # Codes expired for a day answer nothing different from no code: drop them here,
            # so codes of unknown usernames cannot pile up.
            delete(verification_codes).where(
                verification_codes.c.expires_at < code.created_at - 86400
            ),
            delete(verification_codes).where(*_key(code.user_sub, code.purpose)),
            insert(verification_codes).values(
                user_sub=code.user_sub,
                purpose=code.purpose.value,
                code_hash=code.code_hash,
                salt=code.salt,
                destination=code.destination,
                attempts=code.attempts,
                created_at=code.created_at,
                expires_at=code.expires_at,
            ),
        )

    async def get_code(self, sub: str, purpose: CodePurpose) -> VerificationCode | None:
        row = await self._one(select(verification_codes).where(*_key(sub, purpose)))
        return _code(row) if row else None

    async def count_code_attempt(self, sub: str, purpose: CodePurpose, limit: int) -> bool:
        counted = await self._write(
            update(verification_codes)
            .where(*_key(sub, purpose), verification_codes.c.attempts < limit)
            .values(attempts=verification_codes.c.attempts + 1)
        )
        return counted == 1

    async def consume_code(self, sub: str, purpose: CodePurpose, code_hash: bytes) -> bool:
        deleted = await self._write(
            delete(verification_codes).where(
                *_key(sub, purpose), verification_codes.c.code_hash == code_hash
            )
        )
        return deleted == 1


class ChallengeQueries(SqlBase):
    async def create_challenge(self, challenge: AuthChallenge) -> None:
        await self._write(
            insert(auth_challenges).values(
                id_hash=challenge.id_hash,
                client_id=challenge.client_id,
                user_sub=challenge.user_sub,
                name=challenge.name,
                created_at=challenge.created_at,
                expires_at=challenge.expires_at,
            )
        )

    async def get_challenge(self, id_hash: bytes) -> AuthChallenge | None:
        row = await self._one(select(auth_challenges).where(auth_challenges.c.id_hash == id_hash))
        if row is None:
            return None
        return AuthChallenge(
            id_hash=bytes(row["id_hash"]),
            client_id=row["client_id"],
            user_sub=row["user_sub"],
            name=row["name"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
        )

    async def consume_challenge(self, id_hash: bytes) -> bool:
        deleted = await self._write(
            delete(auth_challenges).where(auth_challenges.c.id_hash == id_hash)
        )
        return deleted == 1

    async def spend_challenge(self, id_hash: bytes, expires_at: float, now: float) -> bool:
        try:
            await self._write(
                delete(spent_challenges).where(spent_challenges.c.expires_at < now),
                insert(spent_challenges).values(id_hash=id_hash, expires_at=expires_at),
            )
        except IntegrityError:  # spent before, here or on another node
            return False
        return True
