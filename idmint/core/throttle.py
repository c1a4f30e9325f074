"""Failed-password throttling, shared by every password sign-in (Cognito USER_PASSWORD_AUTH,
ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH's PASSWORD_VERIFIER, the mint password grant).

Amazon Cognito developer guide, "Authentication flows", *Lockout behavior for failed sign-in
attempts*: after five failed sign-in attempts with a password, Cognito locks the user out for
one second; the lockout doubles after each further failed attempt, up to about 15 minutes.
Attempts during a lockout get ``NotAuthorizedException`` "Password attempts exceeded" and do
not lengthen later lockouts. The count starts again after a successful sign-in, or after 15
minutes without attempts following a lockout. This module does the same, as OWASP ASVS 4.0.3
V2.2.1 asks (anti-automation against brute force and credential stuffing):

- Attempt ``n`` (counted since the last success) may be checked only once the lock set by
  attempt ``n - 1`` has ended; it sets the lock to ``now + delay(n)``, where ``delay(n)`` is 0
  for ``n < 5`` and ``min(2 ** (n - 5), 900)`` seconds from then on.
- A refused attempt is not counted and costs no password check (no argon2, no SRP
  exponentiation): ``PasswordAttemptsExceeded`` with the seconds left.
- A count whose lock ended more than ``DECAY`` seconds ago starts afresh, so a user who
  mistypes now and then is never locked.

The attempt is counted *before* the password is checked, by a compare-and-set on the store's
row (``Store.count_sign_in_attempt``), so parallel guesses, on one node or many, cannot get
more passwords checked than the rule allows: of concurrent attempts that read the same count,
one is counted and the others read again, and see the new count or its lock.

A user is counted by its ``sub``, so its username and its sign-in aliases share one count. An
unknown username is counted under an id derived from the pool and the name with the server
secret, so it locks exactly as a real user would and the answers do not tell them apart.
"""

from __future__ import annotations

import math

from idmint.core.context import Context
from idmint.core.errors import PasswordAttemptsExceeded
from idmint.core.model import SignInAttempts, User, UserPool

FREE_ATTEMPTS = 5
"""Failures allowed before the first lock (which follows the fifth)."""
MAX_LOCK = 900.0
"""The longest lock, in seconds (Cognito: about 15 minutes)."""
DECAY = 900.0
"""Seconds without attempts after the lock ends (or after a failure that set none) that make
the count start again."""
MAX_TRIES = 8
"""Compare-and-set rounds before giving up; each lost round means another attempt was counted,
so a few rounds reach a lock or a win unless an account is flooded, and then refusing is the
safe answer."""


def delay(n: int) -> float:
    """Seconds attempt ``n`` (1-based, since the last success) locks further attempts for."""
    if n < FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** min(n - FREE_ATTEMPTS, 10), MAX_LOCK)


class SignInThrottle:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def subject(self, pool: UserPool, user: User | None, username: str) -> str:
        """Whose count an attempt goes to: the user's ``sub``, or for an unknown name a hex id
        stable per pool and normalised name, unguessable without the server secret (64
        characters, so never a ``sub``, which is a 36-character UUID)."""
        if user is not None:
            return user.sub
        key = self._ctx.username_key(pool, username)
        return self._ctx.derive("sign-in-attempts", pool.id, key).hex()

    async def attempt(self, pool_id: str, subject: str) -> None:
        """Count one password attempt before its check, or refuse it with
        ``PasswordAttemptsExceeded`` while the subject is locked out."""
        store = self._ctx.store
        for _ in range(MAX_TRIES):
            now = self._ctx.clock()
            row = await store.get_sign_in_attempts(pool_id, subject)
            previous = 0
            if row is not None and now - row.locked_until <= DECAY:
                previous = row.failures
                # Only a real lock refuses: a count below the threshold sets ``locked_until`` to
                # its own time, which another node's clock may not have reached yet.
                if previous >= FREE_ATTEMPTS and now < row.locked_until:
                    raise PasswordAttemptsExceeded(retry_after=math.ceil(row.locked_until - now))
            n = previous + 1
            counted = SignInAttempts(
                pool_id=pool_id,
                subject=subject,
                failures=n,
                locked_until=now + delay(n),
                updated_at=now,
            )
            if await store.count_sign_in_attempt(counted, row):
                return
        raise PasswordAttemptsExceeded()

    async def succeeded(self, pool_id: str, subject: str) -> None:
        """The password was right: the count starts again."""
        await self._ctx.store.clear_sign_in_attempts(pool_id, subject)
