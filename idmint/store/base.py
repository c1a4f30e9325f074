"""``SqlBase``: the connection handling every part of ``SqlStore`` shares.

Reads use plain connections; writes open a transaction on the writer engine (``BEGIN IMMEDIATE``
on SQLite). Each concern's queries live in their own module as a subclass of ``SqlBase``;
``idmint.store.sql.SqlStore`` combines them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Result, Select, Table, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.core.model import User
from idmint.store import codec
from idmint.store.database import SqliteWriter, inline_reader, is_sqlite, writer
from idmint.store.schema import users

T = TypeVar("T")


class SqlBase:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._inline = inline_reader(engine)
        self._sqlite_writer = SqliteWriter(engine) if is_sqlite(engine) else None
        # A single SELECT needs no transaction: without one, a read is one round trip to
        # PostgreSQL instead of three (BEGIN, the query, ROLLBACK when the pool takes it back).
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def close(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        if self._sqlite_writer is not None:
            self._sqlite_writer.close()
        await self.engine.dispose()

    async def _all(self, query: Select[Any]) -> list[Any]:
        return await self._read(query, lambda result: list(result.mappings()))

    async def _one(self, query: Select[Any]) -> Any:
        return await self._read(query, lambda result: result.mappings().first())

    async def _read(self, query: Select[Any], take: Callable[[Result[Any]], T]) -> T:
        """Run one read: on SQLite inline (``inline_reader``); on PostgreSQL on a pooled
        connection, tried once more on a new one if the server dropped the old (a restart or
        fail-over). Pooled connections are not pinged before each use, which would double the
        round trips of every read; a read is safe to repeat, a write is not, so a write on a
        dropped connection fails once, as any write does while the database is away. A read is
        one statement in autocommit: it sees every transaction committed before it began."""
        if self._inline is not None:
            with self._inline.connect() as sync:
                return take(sync.execute(query))
        for attempt in range(2):
            try:
                async with self._autocommit.connect() as conn:
                    return take(await conn.execute(query))
            except DBAPIError as exc:
                if attempt or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

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
        if self._sqlite_writer is not None:
            return await self._sqlite_writer.run(statements)
        count = 0
        async with self._writer.begin() as conn:
            for statement in statements:
                count = (await conn.execute(statement)).rowcount
        return count
