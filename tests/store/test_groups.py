"""The ``Store`` group contract (groups and memberships) on every backend (DESIGN rule 6)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from idmint.core.errors import GroupExists
from idmint.core.model import Group, User, UserPool, UserStatus
from idmint.store.schema import group_members, groups
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.125
POOL = "us-east-1_GGGGGGGGG"
OTHER_POOL = "us-east-1_HHHHHHHHH"
ROLE = "arn:aws:iam::123456789012:role/Admins"
# Code-point order differs from most linguistic collations: "B" < "a" < "~" < "Ä" < "日本".
AWKWARD_NAMES = ["日本", "a", "Ä", "-x", "B", "~", "a.b@c+d/e", "✓"]


async def add_pool(store: SqlStore, pool_id: str = POOL) -> None:
    await store.create_pool(UserPool(id=pool_id, name=pool_id, created_at=T0, updated_at=T0))


async def add_user(store: SqlStore, username: str, pool_id: str = POOL) -> User:
    user = User(
        pool_id=pool_id,
        sub=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{pool_id}/{username}")),
        username=username,
        status=UserStatus.CONFIRMED,
        enabled=True,
        attributes={},
        created_at=T0,
        updated_at=T0,
    )
    await store.create_user(user, username, ())
    return user


def make_group(name: str, pool_id: str = POOL, **changes: Any) -> Group:
    return replace(Group(pool_id=pool_id, name=name, created_at=T0, updated_at=T0), **changes)


async def add_group(store: SqlStore, name: str, pool_id: str = POOL, **changes: Any) -> Group:
    group = make_group(name, pool_id, **changes)
    await store.create_group(group)
    return group


async def count_rows(store: SqlStore, table: Table, **where: str) -> int:
    """``select count(*)`` straight from the table, bypassing the store's own queries."""
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with store.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def names(found: list[Group]) -> list[str]:
    return [g.name for g in found]


# Groups -------------------------------------------------------------------------------------


async def test_group_every_field_round_trips(store: SqlStore) -> None:
    await add_pool(store)
    group = make_group(
        "Ädmins ✓",
        description="Les administrateurs — 日本語\nsecond line",
        role_arn=ROLE,
        precedence=0,
        updated_at=T0 + 2.5,
    )
    await store.create_group(group)
    assert await store.get_group(POOL, "Ädmins ✓") == group


async def test_group_defaults_round_trip(store: SqlStore) -> None:
    await add_pool(store)
    group = await add_group(store, "plain")
    assert await store.get_group(POOL, "plain") == group
    assert group.description is None and group.role_arn is None and group.precedence is None


async def test_unknown_group_is_none(store: SqlStore) -> None:
    await add_pool(store)
    await add_pool(store, OTHER_POOL)
    await add_group(store, "admins", OTHER_POOL)
    assert await store.get_group(POOL, "admins") is None
    assert await store.get_group(POOL, "nope") is None


async def test_duplicate_group_raises_group_exists_and_keeps_the_first(store: SqlStore) -> None:
    await add_pool(store)
    first = await add_group(store, "admins", description="first", precedence=1)
    with pytest.raises(GroupExists):
        await store.create_group(make_group("admins", description="second", precedence=2))
    assert await store.get_group(POOL, "admins") == first
    assert await count_rows(store, groups) == 1


async def test_group_names_are_case_sensitive_and_per_pool(store: SqlStore) -> None:
    await add_pool(store)
    await add_pool(store, OTHER_POOL)
    await add_group(store, "Admins")
    await add_group(store, "admins")
    await add_group(store, "admins", OTHER_POOL)
    assert names(await store.list_groups(POOL, 60, None)) == ["Admins", "admins"]
    assert names(await store.list_groups(OTHER_POOL, 60, None)) == ["admins"]


async def test_list_groups_in_code_point_order_and_paginates(store: SqlStore) -> None:
    await add_pool(store)
    await add_pool(store, OTHER_POOL)
    for name in AWKWARD_NAMES:
        await add_group(store, name)
    await add_group(store, "0-other-pool", OTHER_POOL)
    expected = sorted(AWKWARD_NAMES)
    assert names(await store.list_groups(POOL, 60, None)) == expected
    seen: list[str] = []
    after: str | None = None
    while True:
        page = await store.list_groups(POOL, 3, after)
        seen += names(page)
        if len(page) < 3:
            break
        after = page[-1].name
    assert seen == expected
    assert await store.list_groups(POOL, 60, expected[-1]) == []


async def test_update_group_replaces_its_fields_only(store: SqlStore) -> None:
    await add_pool(store)
    group = await add_group(store, "admins", description="old", role_arn=ROLE, precedence=3)
    other = await add_group(store, "others", description="keep")
    changed = replace(group, description=None, role_arn=None, precedence=0, updated_at=T0 + 10.75)
    await store.update_group(changed)
    assert await store.get_group(POOL, "admins") == changed
    assert await store.get_group(POOL, "others") == other


async def test_delete_group_removes_it_and_its_memberships(store: SqlStore) -> None:
    await add_pool(store)
    await add_pool(store, OTHER_POOL)
    alice = await add_user(store, "alice")
    await add_group(store, "admins")
    kept = await add_group(store, "admins", OTHER_POOL)
    await add_group(store, "staff")
    await store.add_group_member(POOL, "admins", alice.sub)
    await store.add_group_member(POOL, "staff", alice.sub)

    assert await store.delete_group(POOL, "admins") is True
    assert await store.get_group(POOL, "admins") is None
    assert await store.delete_group(POOL, "admins") is False
    assert names(await store.list_user_groups(POOL, alice.sub)) == ["staff"]
    assert await count_rows(store, group_members, group_name="admins") == 0
    assert await store.get_group(OTHER_POOL, "admins") == kept


# Memberships --------------------------------------------------------------------------------


async def test_add_member_is_idempotent(store: SqlStore) -> None:
    await add_pool(store)
    alice = await add_user(store, "alice")
    await add_group(store, "admins")
    await store.add_group_member(POOL, "admins", alice.sub)
    await store.add_group_member(POOL, "admins", alice.sub)
    assert await store.list_group_members(POOL, "admins", 60, None) == [alice]
    assert await count_rows(store, group_members) == 1


async def test_list_user_groups_by_name_all_or_paged(store: SqlStore) -> None:
    await add_pool(store)
    alice = await add_user(store, "alice")
    bob = await add_user(store, "bob")
    for name in AWKWARD_NAMES:
        await add_group(store, name, precedence=len(name))
        await store.add_group_member(POOL, name, alice.sub)
    await add_group(store, "bob-only")
    await store.add_group_member(POOL, "bob-only", bob.sub)
    expected = sorted(AWKWARD_NAMES)

    everything = await store.list_user_groups(POOL, alice.sub)
    assert names(everything) == expected
    assert everything[0] == await store.get_group(POOL, expected[0])
    assert names(await store.list_user_groups(POOL, alice.sub, 3)) == expected[:3]
    assert names(await store.list_user_groups(POOL, alice.sub, 3, expected[2])) == expected[3:6]
    assert names(await store.list_user_groups(POOL, alice.sub, None, expected[5])) == expected[6:]
    assert names(await store.list_user_groups(POOL, bob.sub)) == ["bob-only"]
    assert await store.list_user_groups(OTHER_POOL, alice.sub) == []


async def test_remove_member(store: SqlStore) -> None:
    await add_pool(store)
    alice = await add_user(store, "alice")
    bob = await add_user(store, "bob")
    await add_group(store, "admins")
    await store.add_group_member(POOL, "admins", alice.sub)
    await store.add_group_member(POOL, "admins", bob.sub)
    await store.remove_group_member(POOL, "admins", alice.sub)
    await store.remove_group_member(POOL, "admins", alice.sub)  # not a member: no error
    assert await store.list_group_members(POOL, "admins", 60, None) == [bob]
    assert await store.list_user_groups(POOL, alice.sub) == []


async def test_list_group_members_by_sub_and_paginates(store: SqlStore) -> None:
    await add_pool(store)
    await add_pool(store, OTHER_POOL)
    members = [await add_user(store, f"user{i}") for i in range(7)]
    await add_user(store, "outsider")
    await add_group(store, "admins")
    await add_group(store, "admins", OTHER_POOL)
    for user in members:
        await store.add_group_member(POOL, "admins", user.sub)
    expected = sorted(members, key=lambda u: u.sub)

    assert await store.list_group_members(POOL, "admins", 60, None) == expected
    assert await store.list_group_members(POOL, "admins", 3, None) == expected[:3]
    assert await store.list_group_members(POOL, "admins", 3, expected[2].sub) == expected[3:6]
    assert await store.list_group_members(POOL, "admins", 3, expected[5].sub) == expected[6:]
    assert await store.list_group_members(OTHER_POOL, "admins", 60, None) == []
    assert await store.list_group_members(POOL, "nope", 60, None) == []


async def test_delete_user_removes_its_memberships(store: SqlStore) -> None:
    await add_pool(store)
    alice = await add_user(store, "alice")
    bob = await add_user(store, "bob")
    await add_group(store, "admins")
    await add_group(store, "staff")
    for user in (alice, bob):
        await store.add_group_member(POOL, "admins", user.sub)
        await store.add_group_member(POOL, "staff", user.sub)

    assert await store.delete_user(POOL, alice.sub) is True
    assert await count_rows(store, group_members, user_sub=alice.sub) == 0
    assert await store.list_group_members(POOL, "admins", 60, None) == [bob]
    assert names(await store.list_user_groups(POOL, bob.sub)) == ["admins", "staff"]
    assert await count_rows(store, groups, pool_id=POOL) == 2


async def test_delete_pool_removes_its_groups_and_memberships(store: SqlStore) -> None:
    await add_pool(store)
    await add_pool(store, OTHER_POOL)
    alice = await add_user(store, "alice")
    carol = await add_user(store, "carol", OTHER_POOL)
    await add_group(store, "admins")
    kept = await add_group(store, "admins", OTHER_POOL)
    await store.add_group_member(POOL, "admins", alice.sub)
    await store.add_group_member(OTHER_POOL, "admins", carol.sub)

    assert await store.delete_pool(POOL) is True
    assert await count_rows(store, groups, pool_id=POOL) == 0
    assert await count_rows(store, group_members, pool_id=POOL) == 0
    assert await store.list_groups(OTHER_POOL, 60, None) == [kept]
    assert await store.list_group_members(OTHER_POOL, "admins", 60, None) == [carol]
