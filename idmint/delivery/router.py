"""Route each message to the transport for its channel (email through SMTP, SMS to the outbox)."""

from __future__ import annotations

from collections.abc import Mapping

from idmint.core.model import Channel, Message
from idmint.core.ports import MessageSender


class ChannelRouter:
    """``MessageSender`` that hands each message to ``routes[channel]``, else to ``default``."""

    def __init__(self, routes: Mapping[Channel, MessageSender], default: MessageSender) -> None:
        self._routes = dict(routes)
        self._default = default

    def sender_for(self, channel: Channel) -> MessageSender:
        return self._routes.get(channel, self._default)

    async def send(self, message: Message) -> None:
        await self.sender_for(message.channel).send(message)

    async def pretend(self, message: Message) -> None:
        await self.sender_for(message.channel).pretend(message)
