"""Engine set-up (idmint.store.database): the guarantees the store's contract rests on."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.store.database import is_sqlite, writer

pytestmark = pytest.mark.anyio


async def _pragma(engine: AsyncEngine, name: str) -> object:
    async with engine.connect() as conn:
        return (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()


async def test_sqlite_connections_are_durable_and_enforce_foreign_keys(engine: AsyncEngine) -> None:
    """WAL with synchronous=FULL: an acknowledged write survives a crash or power loss."""
    if not is_sqlite(engine):
        pytest.skip("SQLite only")
    assert str(await _pragma(engine, "journal_mode")).lower() == "wal"
    assert await _pragma(engine, "synchronous") == 2  # FULL
    assert await _pragma(engine, "foreign_keys") == 1
    assert int(str(await _pragma(engine, "busy_timeout"))) >= 1000


async def test_writer_engine_is_the_same_database(engine: AsyncEngine) -> None:
    async with writer(engine).begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE probe (n INTEGER)")
        await conn.exec_driver_sql("INSERT INTO probe (n) VALUES (7)")
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("SELECT n FROM probe")).scalar_one() == 7


async def test_writer_rolls_back_on_error(engine: AsyncEngine) -> None:
    async with writer(engine).begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE probe (n INTEGER)")
    with pytest.raises(RuntimeError):
        async with writer(engine).begin() as conn:
            await conn.exec_driver_sql("INSERT INTO probe (n) VALUES (1)")
            raise RuntimeError("abort")
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("SELECT count(*) FROM probe")).scalar_one() == 0
