"""Password hashing (argon2id) and per-pool password policy.

Hashing runs on a fixed set of threads: argon2-cffi releases the GIL, so sign-ins use every core
while the event loop keeps serving other requests. Parameters default to OWASP's argon2id
recommendation (m=19 MiB, t=2, p=1); hashes made with other parameters are rehashed at the next
successful sign-in (``verify`` returns the new hash).

Admission is bounded (issue 9, "overload"): at most ``workers`` hashes run at once (one per core
the process owns) and at most ``queue`` more wait behind them. Past that, a request is refused at
once with ``Overloaded`` (Cognito's TooManyRequestsException, 429/503 with Retry-After
elsewhere) before any work, so a flood of sign-ins neither waits nor holds memory without bound,
and requests that need no hash (refresh, GetUser) keep their share of the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import string
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from idmint.core.errors import InvalidPassword, Overloaded
from idmint.core.model import PasswordPolicy

T = TypeVar("T")

# Cognito's symbol set for RequireSymbols (Cognito developer guide, "password requirements").
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


@dataclass(frozen=True, slots=True)
class HashParams:
    memory_kib: int = 19 * 1024
    time_cost: int = 2
    parallelism: int = 1


def default_hash_workers(processes: int = 1) -> int:
    """Hashing threads per server process: the machine's cores shared among its processes, so
    the node never hashes more than one password per core at once."""
    return max(1, (os.cpu_count() or 1) // max(1, processes))


@dataclass(slots=True)
class Slot:
    """A place reserved in the hashing admission (``PasswordHasher.slot``)."""

    used: bool = False


class PasswordHasher:
    """argon2id hash/verify off the event loop, with rehash-on-login, equal work for unknown
    users and bounded admission (``workers`` running, ``queue`` waiting, then ``Overloaded``)."""

    def __init__(
        self, params: HashParams | None = None, workers: int | None = None, queue: int | None = None
    ) -> None:
        self.params = params or HashParams()
        self._argon2 = _Argon2(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_kib,
            parallelism=self.params.parallelism,
            type=Type.ID,
        )
        self.workers = workers or default_hash_workers()
        self.queue = self.workers * 8 if queue is None else queue
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="argon2")
        self._admitted = 0

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now, and places reserved (at most ``workers + queue``)."""
        return self._admitted

    @contextlib.contextmanager
    def slot(self) -> Iterator[Slot]:
        """Reserve a place for one job now, or raise ``Overloaded``: for callers that must not
        act (count a sign-in attempt, spend a challenge) and then be refused. Pass it to the
        one ``compute``/``verify`` it is for; a place not used by then is given back on exit."""
        reserved = self._admit()
        try:
            yield reserved
        finally:
            if not reserved.used:
                self._release()

    def refuse_if_full(self) -> None:
        """Raise ``Overloaded`` now if no place is free: an early refusal that spares a flood of
        sign-ins every database read before their places would be reserved (``slot`` still
        decides; a place may fill up in between)."""
        if self._admitted >= self.workers + self.queue:
            raise Overloaded()

    def _admit(self) -> Slot:
        self.refuse_if_full()
        self._admitted += 1
        return Slot()

    async def compute(self, fn: Callable[..., T], *args: Any, slot: Slot | None = None) -> T:
        """Run CPU-heavy credential work (argon2id; SRP's big-number arithmetic) on the hashing
        threads, under the admission bound (in ``slot`` when one was reserved). A job's place is
        freed when its thread finishes it (or when it is cancelled before starting), not when
        its caller stops waiting, so abandoned requests cannot pile up more than
        ``workers + queue`` jobs."""
        if slot is None or slot.used:
            slot = self._admit()
        slot.used = True
        loop = asyncio.get_running_loop()
        try:
            future: Future[T] = self._executor.submit(fn, *args)
        except BaseException:  # shut down: the job never runs
            self._release()
            raise

        def release(_: Future[T]) -> None:
            # RuntimeError: the loop has closed (shutdown), so there is nothing left to count.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._release)

        future.add_done_callback(release)
        return await asyncio.wrap_future(future)

    def _release(self) -> None:
        self._admitted -= 1

    async def hash(self, password: str) -> str:
        return await self.compute(self._argon2.hash, password)

    async def hash_with(self, password: str, fn: Callable[..., T], *args: Any) -> tuple[str, T]:
        """The password's hash and ``fn(*args)`` (an SRP verifier) made by one job, so setting a
        password needs one place, not two."""
        return await self.compute(self._hash_with, password, fn, *args)

    def _hash_with(self, password: str, fn: Callable[..., T], *args: Any) -> tuple[str, T]:
        return self._argon2.hash(password), fn(*args)

    async def verify(
        self, stored: str | None, password: str, *, slot: Slot | None = None
    ) -> tuple[bool, str | None]:
        """Check ``password`` against ``stored``; with no stored hash, do the same work (hash
        the password with the current parameters: one argon2id run, as a verification is) and
        fail.

        Returns ``(ok, new_hash)``; ``new_hash`` is set when the stored hash used other
        parameters and has been recomputed with the current ones.
        """
        if stored is None:
            await self.compute(self._argon2.hash, password, slot=slot)
            return False, None
        ok = await self.compute(self._verify_quiet, stored, password, slot=slot)
        if not ok:
            return False, None
        if self._argon2.check_needs_rehash(stored):
            try:
                return True, await self.hash(password)
            except Overloaded:  # the password was right: rehash at a quieter sign-in
                return True, None
        return True, None

    def _verify_quiet(self, stored: str, password: str) -> bool:
        try:
            return bool(self._argon2.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def check_policy(policy: PasswordPolicy, password: str) -> None:
    """Enforce a pool's ``PasswordPolicyType`` with Cognito's InvalidPasswordException messages."""
    prefix = "Password did not conform with policy: "
    if len(password) < policy.minimum_length:
        raise InvalidPassword(prefix + "Password not long enough")
    if policy.require_uppercase and not any(c.isupper() for c in password):
        raise InvalidPassword(prefix + "Password must have uppercase characters")
    if policy.require_lowercase and not any(c.islower() for c in password):
        raise InvalidPassword(prefix + "Password must have lowercase characters")
    if policy.require_numbers and not any(c.isdigit() for c in password):
        raise InvalidPassword(prefix + "Password must have numeric characters")
    if policy.require_symbols and not any(c in SYMBOLS for c in password):
        raise InvalidPassword(prefix + "Password must have symbol characters")


def temporary_password(policy: PasswordPolicy) -> str:
    """A CSPRNG password meeting ``policy``: at least 16 characters, one of every class
    (AdminCreateUser without TemporaryPassword)."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "^$*.!@#%&-_=+?")
    alphabet = "".join(classes)
    length = max(16, policy.minimum_length)
    chars = [secrets.choice(c) for c in classes]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    for i in range(len(chars) - 1, 0, -1):  # Fisher-Yates with the CSPRNG
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
