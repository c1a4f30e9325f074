"""The Store contract for web accounts and web sessions (seed 001), on every backend."""

from __future__ import annotations

from dataclasses import replace

import pytest

from idmint.core.errors import Conflict, UsernameExists
from idmint.core.model import Account, WebSession
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.25
ISSUER = "http://127.0.0.1:8790/us-east-1_Abc123"


def account(n: int, username: str | None = None, subject: str | None = None) -> Account:
    return Account(
        id=f"00000000-0000-4000-8000-{n:012d}",
        issuer=ISSUER,
        subject=subject or f"sub-{n}",
        username=username or f"user{n}",
        created_at=T0,
        updated_at=T0,
        profile="Ünïcödé ✓ profile",
        emblem="b9f756f4-7786-4841-8767-992ec750fdb8",
    )


def session(n: int, account_id: str, token_hash: bytes) -> WebSession:
    return WebSession(
        id=f"10000000-0000-4000-8000-{n:012d}",
        token_hash=token_hash,
        account_id=account_id,
        origin_jti=None,
        created_at=T0,
        last_seen_at=T0,
        expires_at=T0 + 3600,
    )


async def test_account_round_trip_and_lookups(store: SqlStore) -> None:
    first = account(1, "Alice")
    await store.create_account(first, "alice")
    assert await store.get_account(first.id) == first
    assert await store.find_account(ISSUER, "sub-1") == first
    assert await store.find_account("http://other", "sub-1") is None
    assert await store.find_account_by_username("alice") == first
    assert await store.get_account("00000000-0000-4000-8000-999999999999") is None


async def test_usernames_and_identities_are_unique(store: SqlStore) -> None:
    await store.create_account(account(1, "Alice"), "alice")
    with pytest.raises(UsernameExists):
        await store.create_account(account(2, "ALICE"), "alice")
    with pytest.raises(Conflict):
        await store.create_account(account(3, "carol", subject="sub-1"), "carol")
    bob = account(4, "bob")
    await store.create_account(bob, "bob")
    with pytest.raises(UsernameExists):
        await store.update_account(replace(bob, username="Alice"), "alice")
    assert (await store.get_account(bob.id)) == bob  # unchanged
    renamed = replace(
        bob, username="Bobby", is_admin=True, avatar="public/a.jpg", updated_at=T0 + 1
    )
    await store.update_account(renamed, "bobby")
    assert await store.get_account(bob.id) == renamed
    assert await store.find_account_by_username("bob") is None


async def test_list_accounts_pages_by_id(store: SqlStore) -> None:
    for n in range(5):
        await store.create_account(account(n), f"user{n}")
    first = await store.list_accounts(3, None)
    rest = await store.list_accounts(3, first[-1].id)
    assert [a.id for a in first + rest] == [account(n).id for n in range(5)]


async def test_web_sessions(store: SqlStore) -> None:
    owner = account(1)
    await store.create_account(owner, "user1")
    awkward = bytes(range(200, 232))  # not UTF-8
    made = session(1, owner.id, awkward)
    await store.create_web_session(made)
    assert await store.get_web_session(made.id) == made
    assert await store.get_web_session_by_hash(awkward) == made
    assert await store.get_web_session_by_hash(b"\x00" * 32) is None
    await store.touch_web_session(made.id, T0 + 60)
    await store.revoke_web_session(made.id, T0 + 90)
    await store.revoke_web_session(made.id, T0 + 120)  # the first end stands
    assert await store.get_web_session(made.id) == replace(
        made, last_seen_at=T0 + 60, revoked_at=T0 + 90
    )
