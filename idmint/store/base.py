"""``SqlBase``: the connection handling every part of ``SqlStore`` shares.

Reads use plain connections; writes open a transaction on the writer engine (``BEGIN IMMEDIATE``
on SQLite). Each concern's queries live in their own module as a subclass of ``SqlBase``;
``idmint.store.sql.SqlStore`` combines them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.core.model import User
from idmint.store import codec
from idmint.store.database import writer
from idmint.store.schema import users


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

    async def _row_and_user(
        self, table: Table, where: ColumnElement[bool]
    ) -> tuple[dict[str, Any], User] | None:
        """One row of ``table`` (which has a ``user_sub``) joined with its user: the row as a
        dict of column values, and the user."""
        query = (
            select(
                *[c.label(f"r_{c.name}") for c in table.c],
                *[c.label(f"u_{c.name}") for c in users.c],
            )
            .join(users, users.c.sub == table.c.user_sub)
            .where(where)
        )
        row = await self._one(query)
        if row is None:
            return None
        user = codec.user_from_row({c.name: row[f"u_{c.name}"] for c in users.c})
        return {c.name: row[f"r_{c.name}"] for c in table.c}, user

    async def _write(self, *statements: Any) -> int:
        """Run statements in one transaction; return the rowcount of the last."""
        count = 0
        async with self._writer.begin() as conn:
            for statement in statements:
                count = (await conn.execute(statement)).rowcount
        return count
