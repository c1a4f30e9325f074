"""``SqlBase``: the connection handling every part of ``SqlStore`` shares.

Reads use plain connections; writes open a transaction on the writer engine (``BEGIN IMMEDIATE``
on SQLite). Each concern's queries live in their own module as a subclass of ``SqlBase``;
``idmint.store.sql.SqlStore`` combines them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.store.database import writer


class SqlBase:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def _all(self, query: Select[Any]) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).mappings())

    async def _one(self, query: Select[Any]) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).mappings().first()

    async def _write(self, *statements: Any) -> int:
        """Run statements in one transaction; return the rowcount of the last."""
        count = 0
        async with self._writer.begin() as conn:
            for statement in statements:
                count = (await conn.execute(statement)).rowcount
        return count
