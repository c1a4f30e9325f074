"""The development outbox: messages are stored and logged instead of sent.

The default transport, so a person trying idmint locally (``idmint outbox``) and the test suite
can read confirmation codes and invitations. Never use it where real users sign up: codes are
visible to anyone who can read the log or the database.
"""

from __future__ import annotations

import logging

from idmint.core.model import Message
from idmint.core.ports import Clock, Store

log = logging.getLogger("idmint.outbox")


class OutboxSender:
    """``MessageSender`` that keeps every message in the store's outbox table."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def send(self, message: Message) -> None:
        message_id = await self._store.add_outbox_message(message, self._clock())
        # The outbox exists so that a developer can read codes: printing them is its purpose.
        log.info(
            "outbox #%d %s to %s: %s%s",
            message_id,
            message.channel.value,
            message.to,
            f"[{message.subject}] " if message.subject else "",
            message.body,
        )

    async def pretend(self, message: Message) -> None:
        """Nothing to wait for: storing is all ``send`` does, and it is fast."""
