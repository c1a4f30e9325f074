"""The Store contract for failed password sign-ins (``idmint.core.throttle``), on every backend:
one row per (pool, subject), written by compare-and-set."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from idmint.core.model import SignInAttempts, User, UserPool, UserStatus
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.25
POOL = "us-east-1_AAAAAAAAA"
OTHER_POOL = "us-east-1_BBBBBBBBB"
SUB = "6f1c2a34-0000-4000-8000-00000000000a"
PHANTOM = "ab" * 32  # a derived id for an unknown username: 64 hex characters


@pytest.fixture
async def pools(store: SqlStore) -> SqlStore:
    for pool_id in (POOL, OTHER_POOL):
        await store.create_pool(UserPool(id=pool_id, name="p", created_at=T0, updated_at=T0))
    user = User(
        pool_id=POOL,
        sub=SUB,
        username="alice",
        status=UserStatus.CONFIRMED,
        enabled=True,
        attributes={},
        created_at=T0,
        updated_at=T0,
    )
    await store.create_user(user, "alice", [])
    return store


def attempts(
    failures: int = 1, at: float = T0, lock: float = 0.0, subject: str = SUB, pool: str = POOL
) -> SignInAttempts:
    return SignInAttempts(
        pool_id=pool, subject=subject, failures=failures, locked_until=at + lock, updated_at=at
    )


async def test_first_count_inserts_and_reads_back(pools: SqlStore) -> None:
    assert await pools.get_sign_in_attempts(POOL, SUB) is None
    assert await pools.count_sign_in_attempt(attempts(), None)
    assert await pools.get_sign_in_attempts(POOL, SUB) == attempts()
    assert await pools.get_sign_in_attempts(OTHER_POOL, SUB) is None  # per pool
    assert await pools.get_sign_in_attempts(POOL, PHANTOM) is None  # per subject


async def test_insert_when_a_row_exists_is_a_conflict(pools: SqlStore) -> None:
    assert await pools.count_sign_in_attempt(attempts(), None)
    assert not await pools.count_sign_in_attempt(attempts(at=T0 + 1), None)
    assert await pools.get_sign_in_attempts(POOL, SUB) == attempts()


async def test_update_only_if_the_row_is_as_read(pools: SqlStore) -> None:
    first = attempts()
    await pools.count_sign_in_attempt(first, None)
    second = attempts(2, T0 + 1)
    assert await pools.count_sign_in_attempt(second, first)
    assert not await pools.count_sign_in_attempt(attempts(3, T0 + 2), first)  # stale read
    fifth = attempts(5, T0 + 3.125, lock=1.0)
    assert await pools.count_sign_in_attempt(fifth, second)
    assert await pools.get_sign_in_attempts(POOL, SUB) == fifth


async def test_update_compares_every_column_not_only_the_count(pools: SqlStore) -> None:
    """A count cleared and climbed back to the same number is another row (no ABA)."""
    read = attempts(3, T0)
    await pools.count_sign_in_attempt(read, None)
    await pools.clear_sign_in_attempts(POOL, SUB)
    again = attempts(3, T0 + 10)
    await pools.count_sign_in_attempt(again, None)
    assert not await pools.count_sign_in_attempt(attempts(4, T0 + 11), read)
    assert not await pools.count_sign_in_attempt(
        attempts(4, T0 + 11), replace(again, locked_until=again.locked_until + 1)
    )
    assert await pools.count_sign_in_attempt(attempts(4, T0 + 11), again)


async def test_update_of_a_missing_row_is_a_conflict(pools: SqlStore) -> None:
    assert not await pools.count_sign_in_attempt(attempts(2), attempts(1))
    assert await pools.get_sign_in_attempts(POOL, SUB) is None


async def test_concurrent_counts_from_one_read_let_exactly_one_through(pools: SqlStore) -> None:
    inserted = await asyncio.gather(
        *(pools.count_sign_in_attempt(attempts(1, T0 + i), None) for i in range(10))
    )
    assert sum(inserted) == 1
    read = await pools.get_sign_in_attempts(POOL, SUB)
    assert read is not None
    updated = await asyncio.gather(
        *(pools.count_sign_in_attempt(attempts(2, T0 + 20 + i), read) for i in range(10))
    )
    assert sum(updated) == 1
    stored = await pools.get_sign_in_attempts(POOL, SUB)
    assert stored is not None and stored.failures == 2


async def test_read_and_set_loop_counts_every_concurrent_attempt(pools: SqlStore) -> None:
    """What the core does: read, compare-and-set, read again on conflict. No count is lost."""

    async def count_one() -> None:
        while True:
            row = await pools.get_sign_in_attempts(POOL, PHANTOM)
            n = row.failures + 1 if row else 1
            if await pools.count_sign_in_attempt(attempts(n, subject=PHANTOM), row):
                return

    await asyncio.gather(*(count_one() for _ in range(12)))
    stored = await pools.get_sign_in_attempts(POOL, PHANTOM)
    assert stored is not None and stored.failures == 12


async def test_clear(pools: SqlStore) -> None:
    await pools.count_sign_in_attempt(attempts(), None)
    await pools.count_sign_in_attempt(attempts(subject=PHANTOM), None)
    await asyncio.gather(*(pools.clear_sign_in_attempts(POOL, SUB) for _ in range(3)))
    assert await pools.get_sign_in_attempts(POOL, SUB) is None
    assert await pools.get_sign_in_attempts(POOL, PHANTOM) is not None  # others kept
    await pools.clear_sign_in_attempts(POOL, "no-such-subject")  # not an error


async def test_decay_inputs_round_trip_exactly(pools: SqlStore) -> None:
    """The core decides decay and locks from ``locked_until`` and ``updated_at``: both come
    back bit for bit (fractions of a second included), and so compare equal in the CAS."""
    row = attempts(9, T0 + 0.123456789, lock=16.0)
    await pools.count_sign_in_attempt(row, None)
    stored = await pools.get_sign_in_attempts(POOL, SUB)
    assert stored == row
    assert stored is not None and stored.locked_until - stored.updated_at == 16.0
    assert await pools.count_sign_in_attempt(attempts(10, T0 + 30, lock=32.0), stored)


async def test_day_old_counts_are_pruned_by_a_new_count(pools: SqlStore) -> None:
    stale = attempts(3, subject=PHANTOM)
    await pools.count_sign_in_attempt(stale, None)
    recent = attempts(7, T0 + 86000, lock=4.0)
    await pools.count_sign_in_attempt(recent, None)
    await pools.count_sign_in_attempt(attempts(pool=OTHER_POOL, at=T0 + 86401), None)
    assert await pools.get_sign_in_attempts(POOL, PHANTOM) is None
    assert await pools.get_sign_in_attempts(POOL, SUB) == recent
    # A caller that read the pruned row loses its compare-and-set and reads again.
    assert not await pools.count_sign_in_attempt(attempts(4, subject=PHANTOM), stale)


async def test_rows_go_with_their_user_and_pool(pools: SqlStore) -> None:
    await pools.count_sign_in_attempt(attempts(), None)
    await pools.count_sign_in_attempt(attempts(subject=PHANTOM), None)
    await pools.count_sign_in_attempt(attempts(pool=OTHER_POOL), None)
    await pools.delete_user(POOL, SUB)
    assert await pools.get_sign_in_attempts(POOL, SUB) is None
    assert await pools.get_sign_in_attempts(POOL, PHANTOM) is not None
    assert await pools.get_sign_in_attempts(OTHER_POOL, SUB) is not None  # another pool's
    await pools.delete_pool(POOL)
    assert await pools.get_sign_in_attempts(POOL, PHANTOM) is None
    assert await pools.get_sign_in_attempts(OTHER_POOL, SUB) is not None
