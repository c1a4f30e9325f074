"""Database URLs and engines: SQLite (default, embedded) and PostgreSQL (shared by many nodes).

Users write ``sqlite:///path/to/idmint.db`` or ``postgresql://user@host:5432/db``; we pick the
async drivers (aiosqlite, asyncpg). SQLite runs in WAL mode with ``synchronous=FULL`` so an
acknowledged write survives a crash or power loss, with foreign keys on, and write transactions
start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class DatabaseUrlError(ValueError):
    """The configured URL is not one idmint can use."""


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or opened (message safe to show: no password)."""


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def async_url(url: str) -> URL:
    """Map a user-facing database URL to its async driver; reject anything else clearly."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it
        raise DatabaseUrlError(
            "not a database URL (expected sqlite:///... or postgresql://...)"
        ) from exc
    backend = parsed.get_backend_name()
    driver = _DRIVERS.get(backend)
    if driver is None:
        raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise DatabaseUrlError("SQLite needs a file path, e.g. sqlite:///idmint-data/idmint.db")
    return parsed.set(drivername=driver)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """An async engine for ``url``; ``schema`` sets PostgreSQL's search_path (used by tests)."""
    target = async_url(url)
    kwargs: dict[str, Any] = {}
    if target.get_backend_name() == "postgresql":
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 10
        if schema:
            kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    else:
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_async_engine(target, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried: on a new database, connections opening together
    race to switch it, and SQLite answers the loser "database is locked" at once, without
    its busy handler. Runs on the driver's thread, so the short sleeps block no event loop."""
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as exc:  # sqlite3.OperationalError, as the driver adapter passes it
            if "database is locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.02 + 0.01 * (attempt % 5))


def _configure_sqlite(engine: AsyncEngine) -> None:
    _configure_sqlite_connections(engine.sync_engine)


def _configure_sqlite_connections(sync_engine: Engine) -> None:
    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below own transactions (pysqlite's are broken).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # busy_timeout first: switching to WAL takes a lock another new connection may hold.
        cursor.execute("PRAGMA busy_timeout=30000")
        _switch_to_wal(cursor)
        for pragma in ("synchronous=FULL", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("idmint_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def inline_reader(engine: AsyncEngine) -> Engine | None:
    """For SQLite, a synchronous engine on the same file for single reads run on the event
    loop's own thread; None for PostgreSQL (asyncpg needs no thread).

    aiosqlite runs every call (cursor, execute, fetch, close, rollback) on a thread of its own
    and back, about five round trips between threads per query, each of which waits for the
    scheduler; the read itself, an index lookup in WAL mode, takes tens of microseconds and
    never waits for a writer (readers see the last commit; only writers queue). So one read is
    cheaper done where it is asked for. Connections are ``query_only``; writes and multi-step
    transactions stay on the async engine.
    """
    if not is_sqlite(engine):
        return None
    sync = sqlalchemy.create_engine(
        engine.url.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": 5, "check_same_thread": False},
        pool_size=2,
        max_overflow=8,
    )

    @event.listens_for(sync, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("busy_timeout=5000", "foreign_keys=ON", "query_only=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return sync


class SqliteWriter:
    """Single write transactions on SQLite, each in one hop to this process's writing thread.

    Through aiosqlite a transaction costs about eight round trips between threads (begin,
    cursor, execute, commit, ...). Here the whole transaction runs on one thread of its own, on
    one connection (``BEGIN IMMEDIATE``, ``synchronous=FULL``, as the async engine's), so one
    hop there and back. Writers of all processes (``serve --workers``) also queue on an
    advisory ``flock`` of the database file before they begin: the kernel hands the lock to the
    next writer the moment it is released, where SQLite's busy handler would poll for it with
    sleeps growing to 100 ms. (SQLite's own locks are POSIX byte-range locks, which a ``flock``
    does not touch on Linux; the flock only orders idmint's writers among themselves.)
    """

    def __init__(self, engine: AsyncEngine) -> None:
        path = engine.url.database
        assert path, "SQLite needs a file path"
        self._path = path
        self._sync = sqlalchemy.create_engine(
            engine.url.set(drivername="sqlite+pysqlite"),
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=1,
            max_overflow=0,
        )
        _configure_sqlite_connections(self._sync)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._lock_fd: int | None = None

    async def run(self, statements: Sequence[Any]) -> int:
        """Run ``statements`` in one transaction; the rowcount of the last."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._run, statements)

    def _run(self, statements: Sequence[Any]) -> int:
        if self._lock_fd is None:
            self._lock_fd = os.open(self._path, os.O_RDONLY)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            count = 0
            with self._sync.execution_options(idmint_begin="IMMEDIATE").begin() as conn:
                for statement in statements:
                    count = conn.execute(statement).rowcount
            return count
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._sync.dispose()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The engine to open write transactions on (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(idmint_begin="IMMEDIATE") if is_sqlite(engine) else engine
