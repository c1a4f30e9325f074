"""Store fixtures: each test gets a freshly migrated database (SQLite file or PostgreSQL schema).

The ``database`` fixture (tests/conftest.py) is parametrized over both backends, so every test
here runs on SQLite and, when IDMINT_TEST_DATABASE_URL is set, on PostgreSQL (DESIGN rule 6).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.store import migrate
from idmint.store.sql import SqlStore
from tests.conftest import Database


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(database: Database) -> AsyncIterator[SqlStore]:
    """A ``SqlStore`` on a fresh, migrated database; closed after the test."""
    sql_store = SqlStore(database.engine())
    await migrate.upgrade(sql_store.engine)
    try:
        yield sql_store
    finally:
        await sql_store.close()


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    """A bare engine on a fresh, empty (unmigrated) database; disposed after the test."""
    bare: AsyncEngine = database.engine()
    try:
        yield bare
    finally:
        await bare.dispose()
