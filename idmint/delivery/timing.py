"""``pretend`` for any transport: wait as long as recent real sends took.

Answers about unknown users (ForgotPassword, ResendConfirmationCode, ...) call
``MessageSender.pretend`` instead of ``send`` so that they cannot be told apart from real ones by
their timing (DESIGN rule 4). A transport measures its successful sends with ``SendTimer.measure``
and pretends with ``SendTimer.pretend``, which sleeps for the mean of the last ``window`` of them.
Before any send has succeeded there is nothing to imitate, and nothing for a caller to compare
against, so ``pretend`` returns at once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator


class SendTimer:
    """Moving average of the durations of recent successful sends."""

    def __init__(
        self,
        window: int = 16,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._durations: collections.deque[float] = collections.deque(maxlen=window)
        self._monotonic = monotonic
        self._sleep = sleep

    @property
    def average(self) -> float:
        """Mean duration of the recorded sends, in seconds (0 before the first)."""
        if not self._durations:
            return 0.0
        return sum(self._durations) / len(self._durations)

    def record(self, seconds: float) -> None:
        self._durations.append(max(0.0, seconds))

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        """Time the block; record it only if it completes (failed sends are not imitated)."""
        started = self._monotonic()
        yield
        self.record(self._monotonic() - started)

    async def pretend(self) -> None:
        """Sleep as long as a send takes on average."""
        delay = self.average
        if delay > 0:
            await self._sleep(delay)
