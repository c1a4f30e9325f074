"""Message delivery: the transports behind ``idmint.core.ports.MessageSender``."""

from __future__ import annotations

from idmint.core.ports import Clock, MessageSender, Store
from idmint.delivery.outbox import OutboxSender
from idmint.settings import Settings


def build_sender(settings: Settings, store: Store, clock: Clock) -> MessageSender:
    """The configured transport: the development outbox unless SMTP is configured."""
    return OutboxSender(store, clock)
