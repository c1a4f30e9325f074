"""Bulk seeding of benchmark users straight into idmint's database (bench/load.py uses it).

Creating a million users through SignUp would take hours: every SignUp hashes the password
with argon2id (tens of milliseconds of CPU) and computes an SRP verifier. This module writes the
rows directly instead, with idmint's own table definition (``idmint.store.schema.users``) and
the row encoding the store itself uses (``idmint.store.codec.user_row``, as
``SqlStore.create_user`` does): CONFIRMED, enabled, an ``email`` attribute, no sign-in aliases
(the benchmark pool has no alias attributes), usernames ``user0000001`` ... .

Two shortcuts, both invisible to the password sign-in being measured:

* **One hash for everyone.** Every row carries the same argon2id hash of the benchmark
  password, computed once with idmint's own ``PasswordHasher`` and the configured parameters
  (``Settings``: 19 MiB, t=2, p=1 by default, or the ``IDMINT_ARGON2_*`` environment). The
  hash embeds its own random salt; sharing it changes nothing in the work of a sign-in: every
  sign-in still runs one full argon2id verification with those parameters, and since the
  parameters are the current ones no rehash is triggered.
* **A placeholder SRP verifier.** idmint gives a user without an SRP verifier one at the next
  successful password sign-in (a 3072-bit modular exponentiation, ~7 ms in Python, plus a
  write): a real user base has them, so leaving them out would measure a one-off upgrade path
  instead of a sign-in. Computing a million real ones would take hours, so each row gets a
  random salt and random 384 bytes. Password sign-ins never read them; SRP sign-in
  (``USER_SRP_AUTH``, not benchmarked) fails for seeded users like a wrong password.

SQLite: ``sqlite3.executemany`` in batches inside one transaction (the server may be running:
the database is in WAL mode, and idmint caches nothing about users). PostgreSQL: asyncpg
``copy_records_to_table`` in batches, then ``VACUUM (ANALYZE)``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from idmint.core.model import User, UserStatus
from idmint.core.passwords import HashParams, PasswordHasher
from idmint.settings import Settings
from idmint.store import codec
from idmint.store.schema import users

BATCH = 20_000
COLUMNS: tuple[str, ...] = tuple(column.name for column in users.columns)


def username(n: int) -> str:
    """The n-th benchmark user (1-based): ``user0000001``."""
    return f"user{n:07d}"


def hash_params() -> HashParams:
    """idmint's configured argon2id parameters (the same settings the server reads)."""
    settings = Settings()
    return HashParams(
        settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
    )


def password_hash(password: str) -> str:
    """One argon2id hash of ``password`` made by idmint's own hasher and parameters."""
    hasher = PasswordHasher(hash_params(), workers=1)
    try:
        return asyncio.run(hasher.hash(password))
    finally:
        hasher.close()


def _tuples(
    pool_id: str, first: int, count: int, hashed: str, now: float
) -> Iterator[tuple[Any, ...]]:
    for n in range(first, first + count):
        name = username(n)
        user = User(
            pool_id=pool_id,
            sub=str(uuid.UUID(bytes=os.urandom(16), version=4)),
            username=name,
            status=UserStatus.CONFIRMED,
            enabled=True,
            attributes={"email": f"{name}@bench.example"},
            created_at=now,
            updated_at=now,
            password_hash=hashed,
            password_set_at=now,
            srp_salt=_srp_salt(),
            srp_verifier=os.urandom(384),
        )
        # The pool is case sensitive and the names are lower case: the key is the name.
        row = codec.user_row(user, name)
        yield tuple(row[column] for column in COLUMNS)


def _srp_salt() -> str:
    """Same shape as ``idmint.core.srp.new_salt``: 16 bytes, hex, first digit not 0."""
    salt = bytearray(os.urandom(16))
    salt[0] |= 0x10
    return bytes(salt).hex()


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class Seeded:
    rows: int
    seconds: float
    checkpoint_complete: bool = True
    """SQLite: whether the WAL could be checkpointed and truncated after seeding (no reader
    held it)."""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def seed_sqlite(
    db_path: str, pool_id: str, count: int, hashed: str, *, first: int = 1, now: float | None = None
) -> Seeded:
    """Insert ``count`` users into the SQLite database at ``db_path`` in one transaction."""
    started = time.perf_counter()
    stamp = time.time() if now is None else now
    placeholders = ", ".join("?" for _ in COLUMNS)
    statement = f"INSERT INTO {users.name} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    conn = sqlite3.connect(db_path, timeout=60, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB for this connection's B-trees
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for batch in _batches(_tuples(pool_id, first, count, hashed, stamp), BATCH):
                conn.executemany(statement, batch)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        # Copy the WAL (the whole seed) into the database file now, not in the middle of a
        # scenario: SQLite checkpoints on a commit once the WAL passes 1000 pages, so the
        # server's first write would otherwise pay for this one.
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        conn.close()
    return Seeded(count, time.perf_counter() - started, checkpoint_complete=not busy)


async def _seed_postgres(
    url: str, pool_id: str, count: int, hashed: str, first: int, now: float
) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            for batch in _batches(_tuples(pool_id, first, count, hashed, now), BATCH):
                await conn.copy_records_to_table(users.name, records=batch, columns=COLUMNS)
        # Leave the table as a settled database has it (visibility map, hint bits, planner
        # statistics), rather than to autovacuum in the middle of a scenario.
        await conn.execute(f"VACUUM (ANALYZE) {users.name}")
    finally:
        await conn.close()


def seed_postgres(
    url: str, pool_id: str, count: int, hashed: str, *, first: int = 1, now: float | None = None
) -> Seeded:
    """COPY ``count`` users into the PostgreSQL database at ``url`` (``postgresql://...``)."""
    started = time.perf_counter()
    stamp = time.time() if now is None else now
    asyncio.run(_seed_postgres(url, pool_id, count, hashed, first, stamp))
    return Seeded(count, time.perf_counter() - started)
