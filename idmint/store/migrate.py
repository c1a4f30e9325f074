"""Schema migrations with Alembic, run at start-up and by ``idmint migrate``.

On PostgreSQL an advisory lock serializes nodes that start together, so only one migrates.
A database already at the newest revision is recognised with one query and without importing
Alembic at all (a third of a second of start-up): revision ids are the four-digit prefixes of
the files in ``migrations/versions``, so the newest is the largest (a test holds Alembic to it).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from idmint.store.database import DatabaseUnavailable, redact, writer

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 0x1D_414E_7  # arbitrary, stable: "idmint migrations"


def newest_revision() -> str:
    """The head revision, from the file names alone (``0008_oauth.py`` -> ``0008``)."""
    return max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


async def _stored_revision(engine: AsyncEngine) -> str | None:
    """The revision in ``alembic_version``; None when there is none or it cannot be read yet
    (a new database: the full path below then creates it, or reports why it cannot)."""
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except (DBAPIError, OSError):
        return None


def _config(connection: Connection | None = None) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()  # type: ignore[arg-type]
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> str | None:
    from alembic import command

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    before = _current(connection)
    if before != head_revision():
        command.upgrade(_config(connection), "head")  # type: ignore[arg-type]
    return before


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; return (revision before, revision now).

    Raises ``DatabaseUnavailable`` when the database cannot be reached or opened.
    """
    newest = newest_revision()
    if await _stored_revision(engine) == newest:
        return newest, newest
    try:
        async with writer(engine).begin() as conn:
            before = await conn.run_sync(_upgrade)
    except (OperationalError, InterfaceError, OSError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise DatabaseUnavailable(
            f"cannot open the database {redact(engine.url.render_as_string())}: {first_line}"
        ) from exc
    return before, head_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
