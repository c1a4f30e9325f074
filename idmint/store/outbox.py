"""The development outbox's table: messages kept instead of sent (``Store`` outbox methods)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from idmint.core.model import Channel, Message, OutboxMessage
from idmint.store.base import SqlBase
from idmint.store.schema import outbox_messages


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        created_at=row["created_at"],
        message=Message(
            channel=Channel(row["channel"]),
            to=row["recipient"],
            subject=row["subject"],
            body=row["body"],
            pool_id=row["pool_id"],
        ),
    )


class OutboxQueries(SqlBase):
    async def add_outbox_message(self, message: Message, created_at: float) -> int:
        async with self._writer.begin() as conn:
            result = await conn.execute(
                insert(outbox_messages)
                .values(
                    pool_id=message.pool_id,
                    channel=message.channel.value,
                    recipient=message.to,
                    subject=message.subject,
                    body=message.body,
                    created_at=created_at,
                )
                .returning(outbox_messages.c.id)
            )
            return int(result.scalar_one())

    async def list_outbox(self, to: str | None, limit: int) -> list[OutboxMessage]:
        query = select(outbox_messages).order_by(outbox_messages.c.id.desc()).limit(limit)
        if to is not None:
            query = query.where(func.lower(outbox_messages.c.recipient) == to.lower())
        return [_message(r) for r in await self._all(query)]
