"""Store fixtures: each test gets a freshly migrated database (SQLite file or PostgreSQL schema).

The ``database`` fixture (tests/conftest.py) is parametrized over both backends, so every test
here runs on SQLite and, when IDMINT_TEST_DATABASE_URL is set, on PostgreSQL (DESIGN rule 6).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Database


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    """A bare engine on a fresh, empty (unmigrated) database; disposed after the test."""
    bare: AsyncEngine = database.engine()
    try:
        yield bare
    finally:
        await bare.dispose()
