"""Alembic migrations (idmint.store.migrate) and database URLs (idmint.store.database).

The hand-written migrations must build exactly the schema of ``idmint.store.schema.metadata``,
on every backend, so the two cannot drift apart.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, String, UniqueConstraint, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.store import migrate
from idmint.store.database import DatabaseUrlError, async_url
from idmint.store.schema import metadata
from tests.conftest import Database

anyio = pytest.mark.anyio


def _length(type_: Any) -> int | None:
    """A string column's declared length (BLOB and BYTEA carry none in their DDL)."""
    return getattr(type_, "length", None) if isinstance(type_, String) else None


def _table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _describe(conn: Connection) -> dict[str, dict[str, Any]]:
    """What the database says about each table of the metadata, in comparable form."""
    inspector = inspect(conn)
    described: dict[str, dict[str, Any]] = {}
    for name in metadata.tables:
        columns = inspector.get_columns(name)
        described[name] = {
            "columns": {c["name"]: c["nullable"] for c in columns},
            "affinity": {c["name"]: c["type"]._type_affinity for c in columns},
            "lengths": {c["name"]: _length(c["type"]) for c in columns},
            "primary_key": tuple(inspector.get_pk_constraint(name)["constrained_columns"]),
            "foreign_keys": {
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk.get("options") or {}).get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(name)
            },
            "unique": {tuple(uc["column_names"]) for uc in inspector.get_unique_constraints(name)},
            "indexes": {
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(name)
                if not ix.get("duplicates_constraint")
            },
        }
    return described


def _expected() -> dict[str, dict[str, Any]]:
    """The same description, from the SQLAlchemy metadata."""
    expected: dict[str, dict[str, Any]] = {}
    for name, table in metadata.tables.items():
        expected[name] = {
            "columns": {c.name: c.nullable for c in table.columns},
            "affinity": {c.name: c.type._type_affinity for c in table.columns},
            "lengths": {c.name: _length(c.type) for c in table.columns},
            "primary_key": tuple(c.name for c in table.primary_key.columns),
            "foreign_keys": {
                (
                    tuple(fk.parent.name for fk in constraint.elements),
                    constraint.referred_table.name,
                    tuple(fk.column.name for fk in constraint.elements),
                    constraint.ondelete,
                )
                for constraint in table.foreign_key_constraints
            },
            "unique": {
                tuple(c.name for c in constraint.columns)
                for constraint in table.constraints
                if isinstance(constraint, UniqueConstraint)
            }
            | {(c.name,) for c in table.columns if c.unique},
            "indexes": {
                (ix.name, tuple(c.name for c in ix.columns), bool(ix.unique))
                for ix in table.indexes
            },
        }
    return expected


def _compare(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), metadata))


# Upgrades -----------------------------------------------------------------------------------


@anyio
async def test_upgrade_empty_database_reaches_head(engine: AsyncEngine) -> None:
    head = migrate.head_revision()
    assert head
    assert await migrate.current_revision(engine) is None

    assert await migrate.upgrade(engine) == (None, head)

    assert await migrate.current_revision(engine) == head


def test_newest_revision_from_file_names_is_alembics_head() -> None:
    """The start-up fast path (no Alembic import on a current database) trusts file names."""
    assert migrate.newest_revision() == migrate.head_revision()


@anyio
async def test_upgrade_of_an_older_database_is_not_mistaken_for_current(
    engine: AsyncEngine,
) -> None:
    from alembic import command

    await migrate.upgrade(engine)

    def downgrade(conn: Connection) -> None:
        command.downgrade(migrate._config(conn), "0007")  # type: ignore[arg-type]

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)

    assert await migrate.upgrade(engine) == ("0007", migrate.head_revision())
    async with engine.connect() as conn:
        assert await conn.run_sync(_compare) == []


@anyio
async def test_upgrade_again_is_a_no_op(engine: AsyncEngine) -> None:
    head = migrate.head_revision()
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        before = await conn.run_sync(_describe)

    assert await migrate.upgrade(engine) == (head, head)
    assert await migrate.upgrade(engine) == (head, head)

    assert await migrate.current_revision(engine) == head
    async with engine.connect() as conn:
        assert await conn.run_sync(_describe) == before


@anyio
async def test_upgrade_keeps_existing_data(database: Database, engine: AsyncEngine) -> None:
    from idmint.core.model import AdminKey
    from idmint.store.sql import SqlStore

    await migrate.upgrade(engine)
    key = AdminKey(access_key_id="AKIAKEEP", secret_access_key="s", created_at=1.0)
    store = SqlStore(database.engine())
    try:
        await store.add_admin_key(key)
        assert await migrate.upgrade(store.engine) == (migrate.head_revision(),) * 2
        assert await store.get_admin_key("AKIAKEEP") == key
    finally:
        await store.close()


@anyio
async def test_current_revision_of_an_empty_database_creates_nothing(engine: AsyncEngine) -> None:
    assert await migrate.current_revision(engine) is None
    async with engine.connect() as conn:
        assert await conn.run_sync(_table_names) == set()


# Schema drift -------------------------------------------------------------------------------


@anyio
async def test_migrated_tables_match_the_metadata(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        tables = await conn.run_sync(_table_names)
        described = await conn.run_sync(_describe)

    assert tables == set(metadata.tables) | {"alembic_version"}
    expected = _expected()
    for name in metadata.tables:
        for aspect in (
            "columns",
            "primary_key",
            "foreign_keys",
            "unique",
            "indexes",
            "affinity",
            "lengths",
        ):
            assert described[name][aspect] == expected[name][aspect], (name, aspect)


@anyio
async def test_migrated_columns_match_names_and_nullability(engine: AsyncEngine) -> None:
    """The brief's minimum: same column names, in the same order, with the same nullability."""
    await migrate.upgrade(engine)

    def columns(conn: Connection) -> dict[str, list[tuple[str, bool]]]:
        inspector = inspect(conn)
        return {
            name: [(c["name"], bool(c["nullable"])) for c in inspector.get_columns(name)]
            for name in metadata.tables
        }

    async with engine.connect() as conn:
        actual = await conn.run_sync(columns)
    assert actual == {
        name: [(c.name, bool(c.nullable)) for c in table.columns]
        for name, table in metadata.tables.items()
    }


@anyio
async def test_alembic_autogenerate_finds_no_difference(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        diffs = await conn.run_sync(_compare)
    assert diffs == []


# Concurrent start-up ------------------------------------------------------------------------


@anyio
async def test_concurrent_upgrades_both_succeed(database: Database) -> None:
    """Two nodes starting together: the advisory lock (PostgreSQL) or ``BEGIN IMMEDIATE``
    (SQLite) lets exactly one migrate; the other sees the migrated schema."""
    engines = [database.engine(), database.engine()]
    head = migrate.head_revision()
    try:
        results = await asyncio.gather(*(migrate.upgrade(e) for e in engines))
        assert sorted(results, key=lambda r: r[0] is not None) == [(None, head), (head, head)]
        for engine in engines:
            assert await migrate.current_revision(engine) == head
        async with engines[0].connect() as conn:
            assert await conn.run_sync(_compare) == []
    finally:
        for engine in engines:
            await engine.dispose()


@anyio
async def test_many_concurrent_upgrades_migrate_once(database: Database) -> None:
    engines = [database.engine() for _ in range(5)]
    head = migrate.head_revision()
    try:
        results = await asyncio.gather(*(migrate.upgrade(e) for e in engines))
        assert sorted(r[0] is None for r in results) == [False] * 4 + [True]
        assert all(r[1] == head for r in results)
    finally:
        for engine in engines:
            await engine.dispose()


# Database URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "driver", "database"),
    [
        ("sqlite:///idmint-data/idmint.db", "sqlite+aiosqlite", "idmint-data/idmint.db"),
        ("sqlite:////var/lib/idmint/idmint.db", "sqlite+aiosqlite", "/var/lib/idmint/idmint.db"),
        ("postgresql://idmint@db.example:5432/idmint", "postgresql+asyncpg", "idmint"),
        ("postgres://idmint@db.example:5432/idmint", "postgresql+asyncpg", "idmint"),
    ],
)
def test_async_url_maps_to_async_drivers(url: str, driver: str, database: str) -> None:
    mapped = async_url(url)
    assert mapped.drivername == driver
    assert mapped.database == database


def test_async_url_keeps_credentials_host_port_and_query() -> None:
    mapped = async_url("postgresql://alice:p%40ss@db.example:6543/idmint?ssl=require")
    assert mapped.drivername == "postgresql+asyncpg"
    assert (mapped.username, mapped.password, mapped.host, mapped.port) == (
        "alice",
        "p@ss",
        "db.example",
        6543,
    )
    assert dict(mapped.query) == {"ssl": "require"}


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:hunter2@localhost/idmint",
        "mysql+pymysql://root@localhost/idmint",
        "oracle://scott:tiger@db/orcl",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite+aiosqlite:///:memory:",
        "garbage",
        "",
        "://nothing",
        "not a url at all",
    ],
)
def test_async_url_rejects(url: str) -> None:
    with pytest.raises(DatabaseUrlError):
        async_url(url)


def test_async_url_error_does_not_echo_the_password() -> None:
    with pytest.raises(DatabaseUrlError) as raised:
        async_url("mysql://root:hunter2@localhost/idmint")
    assert "hunter2" not in str(raised.value)
    assert "mysql" in str(raised.value)


def test_database_url_error_is_a_value_error() -> None:
    assert issubclass(DatabaseUrlError, ValueError)


@anyio
async def test_upgrade_from_0001_keeps_users_aliases_and_sessions(engine: AsyncEngine) -> None:
    """An idmint 0.1 database (revision 0001) with data upgrades to head losing nothing: no
    table rebuild may cascade-delete a user's aliases or sessions."""
    from alembic import command
    from sqlalchemy import text

    def to_0001(conn: Connection) -> None:
        command.upgrade(migrate._config(conn), "0001")  # type: ignore[arg-type]

    rows = {
        "user_pools": "INSERT INTO user_pools VALUES ('p', 'pool', 1.0, 1.0, :config)",
        "app_clients": "INSERT INTO app_clients VALUES ('c', 'p', 'client', NULL, 1.0, 1.0, :cc)",
        "users": "INSERT INTO users (sub, pool_id, username, username_key, status, enabled, "
        "attributes, password_hash, created_at, updated_at) "
        "VALUES ('u', 'p', 'Alice', 'alice', 'CONFIRMED', true, '{}', 'h', 1.0, 1.0)",
        "user_aliases": "INSERT INTO user_aliases VALUES ('p', 'alice@example.com', 'u')",
        "refresh_sessions": "INSERT INTO refresh_sessions VALUES "
        "('s', 'p', 'c', 'u', :hash, 1.0, 1.0, 99.0, NULL)",
    }
    params = {"config": "{}", "cc": "{}", "hash": b"\x01" * 32}
    async with engine.begin() as conn:
        await conn.run_sync(to_0001)
        for statement in rows.values():
            await conn.execute(text(statement), params)
    assert await migrate.current_revision(engine) == "0001"

    assert await migrate.upgrade(engine) == ("0001", migrate.head_revision())

    async with engine.connect() as conn:
        for table in rows:
            count = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            assert count == 1, table
        password_set_at = (
            await conn.execute(text("SELECT password_set_at FROM users"))
        ).scalar_one()
        assert password_set_at is None
