"""The development outbox: messages are stored and logged instead of sent.

The default transport, so a person trying idmint locally (``idmint outbox``, ``GET /admin/outbox``)
and the test suite can read confirmation codes and invitations. Never use it where real users
sign up: codes are visible to anyone who can read the log or the database.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from idmint.core.model import Message, OutboxMessage
from idmint.core.ports import Clock, Store
from idmint.delivery.timing import SendTimer

log = logging.getLogger("idmint.outbox")


class OutboxSender:
    """``MessageSender`` that keeps every message in the store's outbox table."""

    def __init__(self, store: Store, clock: Clock, *, timer: SendTimer | None = None) -> None:
        self._store = store
        self._clock = clock
        self._timer = timer or SendTimer()

    async def send(self, message: Message) -> None:
        with self._timer.measure():
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
        """Wait as long as storing a message takes (a database write), storing nothing."""
        await self._timer.pretend()


def iso_time(epoch: float) -> str:
    """``2024-05-01T12:00:00Z`` (UTC, whole seconds)."""
    moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def outbox_json(item: OutboxMessage) -> dict[str, Any]:
    """One outbox message as JSON, the same for ``idmint outbox --json`` and ``/admin/outbox``."""
    message = item.message
    return {
        "id": item.id,
        "created_at": iso_time(item.created_at),
        "channel": message.channel.value,
        "to": message.to,
        "subject": message.subject,
        "body": message.body,
        "pool_id": message.pool_id,
    }
