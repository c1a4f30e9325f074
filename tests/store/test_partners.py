"""The Store contract for partners and their managed users (seed 000), on every backend."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest

from idmint.core.errors import Conflict
from idmint.core.model import Partner, User, UserStatus
from idmint.store.sql import SqlStore
from tests.store.test_groups import POOL, T0, add_pool, add_user

pytestmark = pytest.mark.anyio


def partner(n: int, user_sub: str, **changes: object) -> Partner:
    made = Partner(
        id=f"partner{n:019d}",
        name=f"Partner {n} ✓",
        pool_id=POOL,
        client_id=f"client{n:020d}",
        user_sub=user_sub,
        username=f"partner-{n}",
        enabled=True,
        created_at=T0 + n,
        updated_at=T0 + n,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def managed(partner_id: str, n: int, external_id: str | None = None) -> User:
    sub = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{partner_id}/{n}"))
    return User(
        pool_id=POOL,
        sub=sub,
        username=sub,
        status=UserStatus.CONFIRMED,
        enabled=True,
        attributes={},
        created_at=T0,
        updated_at=T0,
        partner_id=partner_id,
        external_id=external_id,
    )


async def test_partners_round_trip(store: SqlStore) -> None:
    await add_pool(store)
    api = await add_user(store, "api")
    first = partner(1, api.sub, max_managed_users=3)
    await store.create_partner(first)
    assert await store.get_partner(first.id) == first
    assert await store.get_partner_by_user(api.sub) == first
    assert await store.get_partner_by_user("nobody") is None
    await store.update_partner(replace(first, enabled=False, updated_at=T0 + 9))
    assert (await store.get_partner(first.id)).enabled is False  # type: ignore[union-attr]
    assert [p.id for p in await store.list_partners(POOL)] == [first.id]
    assert await store.list_partners("us-east-1_other") == []


async def test_managed_users_limit_is_atomic(store: SqlStore) -> None:
    await add_pool(store)
    owner = partner(1, (await add_user(store, "api")).sub)
    await store.create_partner(owner)
    made = await asyncio.gather(
        *[store.create_managed_user(managed(owner.id, n), f"key{n}", 3) for n in range(10)]
    )
    assert sorted(made) == [False] * 7 + [True] * 3
    assert len(await store.list_managed_users(owner.id, 100, None)) == 3
    assert await store.create_managed_user(managed(owner.id, 99), "key99", None)


async def test_external_ids_are_unique_per_partner(store: SqlStore) -> None:
    await add_pool(store)
    one = partner(1, (await add_user(store, "api1")).sub)
    two = partner(2, (await add_user(store, "api2")).sub)
    for p in (one, two):
        await store.create_partner(p)
    assert await store.create_managed_user(managed(one.id, 1, "ext-✓"), "a", None)
    with pytest.raises(Conflict):
        await store.create_managed_user(managed(one.id, 2, "ext-✓"), "b", None)
    assert await store.create_managed_user(managed(two.id, 1, "ext-✓"), "c", None)
    assert await store.create_managed_user(managed(one.id, 3), "d", None)  # NULLs never clash
    assert await store.create_managed_user(managed(one.id, 4), "e", None)


async def test_managed_users_page_by_sub_and_filter_by_external_id(store: SqlStore) -> None:
    await add_pool(store)
    one = partner(1, (await add_user(store, "api1")).sub)
    two = partner(2, (await add_user(store, "api2")).sub)
    for p in (one, two):
        await store.create_partner(p)
    mine = [managed(one.id, n, f"e{n}") for n in range(5)]
    for n, user in enumerate(mine):
        assert await store.create_managed_user(user, f"k{n}", None)
    assert await store.create_managed_user(managed(two.id, 0, "e0"), "other", None)
    subs = sorted(u.sub for u in mine)
    first = await store.list_managed_users(one.id, 3, None)
    assert [u.sub for u in first] == subs[:3]
    rest = await store.list_managed_users(one.id, 3, first[-1].sub)
    assert [u.sub for u in rest] == subs[3:]
    found = await store.list_managed_users(one.id, 10, None, "e2")
    assert [(u.external_id, u.partner_id) for u in found] == [("e2", one.id)]
    assert found[0] == mine[2]
