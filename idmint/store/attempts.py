"""Failed password sign-ins: one row per (pool, subject), counted by compare-and-set.

``count_sign_in_attempt`` writes the next count only if the row is still the one its caller
read: an ``UPDATE ... WHERE`` on every column read, or an ``INSERT`` that fails on the primary
key when there was no row. Of concurrent callers that read the same row (on one node or many,
SQLite or PostgreSQL), exactly one succeeds; the others read again (``idmint.core.throttle``).
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from idmint.core.model import SignInAttempts
from idmint.store.base import SqlBase
from idmint.store.schema import sign_in_attempts

_t = sign_in_attempts.c
PRUNE_AFTER = 86400.0


class AttemptQueries(SqlBase):
    async def get_sign_in_attempts(self, pool_id: str, subject: str) -> SignInAttempts | None:
        row = await self._one(
            select(sign_in_attempts).where(_t.pool_id == pool_id, _t.subject == subject)
        )
        if row is None:
            return None
        return SignInAttempts(
            pool_id=row["pool_id"],
            subject=row["subject"],
            failures=row["failures"],
            locked_until=row["locked_until"],
            updated_at=row["updated_at"],
        )

    async def count_sign_in_attempt(
        self, attempts: SignInAttempts, previous: SignInAttempts | None
    ) -> bool:
        values = {
            "failures": attempts.failures,
            "locked_until": attempts.locked_until,
            "updated_at": attempts.updated_at,
        }
        if previous is None:
            try:
                await self._write(
                    # Counts whose lock ended a day ago have long decayed (the core forgets
                    # them after 15 minutes): drop them here, so the rows of unknown usernames
                    # cannot pile up.
                    delete(sign_in_attempts).where(
                        _t.locked_until < attempts.updated_at - PRUNE_AFTER
                    ),
                    insert(sign_in_attempts).values(
                        pool_id=attempts.pool_id, subject=attempts.subject, **values
                    ),
                )
            except IntegrityError:  # another attempt inserted the row first
                return False
            return True
        # Every column read is compared, not only ``failures``: a count that was cleared and
        # climbed back to the same number meanwhile is another row (floats round-trip exactly
        # through REAL and double precision).
        changed = await self._write(
            update(sign_in_attempts)
            .where(
                _t.pool_id == attempts.pool_id,
                _t.subject == attempts.subject,
                _t.failures == previous.failures,
                _t.locked_until == previous.locked_until,
                _t.updated_at == previous.updated_at,
            )
            .values(**values)
        )
        return changed == 1

    async def clear_sign_in_attempts(self, pool_id: str, subject: str) -> None:
        await self._write(
            delete(sign_in_attempts).where(_t.pool_id == pool_id, _t.subject == subject)
        )
