"""Engine set-up (idmint.store.database): the guarantees the store's contract rests on."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.core.model import AdminKey
from idmint.store.database import is_sqlite, writer
from idmint.store.sql import SqlStore
from tests.conftest import Database, _pg_admin

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


async def test_a_read_survives_the_server_dropping_its_pooled_connection(
    database: Database, store: SqlStore
) -> None:
    """Pooled PostgreSQL connections are not pinged before use (a round trip per read); a read
    on one the server has dropped (restart, fail-over) is tried again on a new connection."""
    if is_sqlite(store.engine):
        pytest.skip("PostgreSQL only: SQLite has no server to drop connections")
    async with store.engine.connect() as conn:  # the connection the pool will hand out next
        pid = (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
    _pg_admin(f"SELECT pg_terminate_backend({int(pid)})")

    assert await store.get_user("us-east-1_nothere", "no-such-sub") is None
    async with store.engine.connect() as conn:
        assert (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one() != pid


async def test_sqlite_reads_see_the_last_commit_at_once(store: SqlStore) -> None:
    """SQLite reads run inline on their own connections (``inline_reader``): a write
    acknowledged on the writer is visible to the very next read, and those connections cannot
    write."""
    if not is_sqlite(store.engine):
        pytest.skip("SQLite only")
    assert store._inline is not None
    await store.add_admin_key(AdminKey("AKIAREADSEE", "secret", 1.0))
    assert await store.get_admin_key("AKIAREADSEE") is not None
    with store._inline.connect() as sync, pytest.raises(OperationalError, match="readonly"):
        sync.exec_driver_sql("DELETE FROM admin_keys")
