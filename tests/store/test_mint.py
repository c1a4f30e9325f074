"""The Store contract for the mint API (seed 002): applications, users' integer ids and user
tokens, on every backend."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace

import pytest

from idmint.core.model import MintApp, MintToken
from idmint.store.sql import SqlStore
from tests.store.test_groups import POOL, T0, add_pool, add_user

pytestmark = pytest.mark.anyio


def app(n: int, **changes: object) -> MintApp:
    made = MintApp(
        id=f"app{n:023d}",
        pool_id=POOL,
        name=f"app {n} ✓",
        secret_hash=hashlib.sha256(f"secret {n}".encode()).digest(),
        enabled=True,
        created_at=T0 + n,
        updated_at=T0 + n,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def token(n: int, app_id: str, sub: str, user_id: int, **changes: object) -> MintToken:
    made = MintToken(
        token_hash=hashlib.sha256(f"token {n}".encode()).digest(),
        app_id=app_id,
        pool_id=POOL,
        user_sub=sub,
        user_id=user_id,
        created_at=T0,
        expires_at=T0 + 3600,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


async def test_applications_round_trip_and_one_default(store: SqlStore) -> None:
    await add_pool(store)
    first = app(1, is_default=True)
    await store.create_mint_app(first)
    assert await store.get_mint_app(first.id) == first
    assert await store.get_default_mint_app() == first
    second = app(2, is_default=True, token_seconds=None, password_grant=False)
    await store.create_mint_app(second)
    assert await store.get_default_mint_app() == second
    assert await store.get_mint_app(first.id) == replace(first, is_default=False)
    await store.update_mint_app(replace(first, is_default=True, enabled=False))
    assert (await store.get_default_mint_app()).id == first.id  # type: ignore[union-attr]
    assert [a.id for a in await store.list_mint_apps(POOL)] == [first.id, second.id]
    assert await store.list_mint_apps("us-east-1_nopool") == []
    assert await store.get_mint_app("missing") is None


async def test_user_ids_are_stable_distinct_and_never_reused(store: SqlStore) -> None:
    await add_pool(store)
    alice, bob = await add_user(store, "alice"), await add_user(store, "bob")
    ids = await asyncio.gather(*[store.mint_user_id(alice.sub) for _ in range(5)])
    assert len(set(ids)) == 1
    bob_id = await store.mint_user_id(bob.sub)
    assert bob_id != ids[0]
    await store.delete_user(POOL, bob.sub)
    carol = await add_user(store, "carol")
    assert await store.mint_user_id(carol.sub) > bob_id


async def test_tokens_report_their_application_and_user_state(store: SqlStore) -> None:
    await add_pool(store)
    alice = await add_user(store, "alice")
    owner = app(1)
    await store.create_mint_app(owner)
    issued = token(1, owner.id, alice.sub, 7)
    await store.create_mint_token(issued)
    assert await store.get_mint_token(issued.token_hash) == (issued, True, True)
    await store.update_mint_app(replace(owner, enabled=False))
    assert await store.get_mint_token(issued.token_hash) == (issued, False, True)
    await store.update_user(replace(alice, enabled=False))
    assert await store.get_mint_token(issued.token_hash) == (issued, False, False)
    await store.delete_user(POOL, alice.sub)
    assert await store.get_mint_token(issued.token_hash) == (issued, False, False)
    assert await store.get_mint_token(b"\x00" * 32) is None


async def test_revocation_of_one_token_and_of_every_sign_in(store: SqlStore) -> None:
    await add_pool(store)
    alice, bob = await add_user(store, "alice"), await add_user(store, "bob")
    owner = app(1)
    await store.create_mint_app(owner)
    one, two = token(1, owner.id, alice.sub, 1), token(2, owner.id, alice.sub, 1)
    bobs = token(3, owner.id, bob.sub, 2, expires_at=None)
    for t in (one, two, bobs):
        await store.create_mint_token(t)
    await store.revoke_mint_token(one.token_hash, T0 + 1)
    await store.revoke_mint_token(one.token_hash, T0 + 2)  # the first revocation time stays
    assert (await store.get_mint_token(one.token_hash))[0].revoked_at == T0 + 1  # type: ignore[index]
    await store.revoke_user_sessions(POOL, alice.sub, T0 + 3)
    assert (await store.get_mint_token(two.token_hash))[0].revoked_at == T0 + 3  # type: ignore[index]
    assert (await store.get_mint_token(bobs.token_hash))[0] == bobs  # type: ignore[index]


async def test_deleting_the_pool_removes_its_applications_and_tokens(store: SqlStore) -> None:
    await add_pool(store)
    alice = await add_user(store, "alice")
    owner = app(1)
    await store.create_mint_app(owner)
    issued = token(1, owner.id, alice.sub, 1)
    await store.create_mint_token(issued)
    assert await store.delete_pool(POOL)
    assert await store.get_mint_app(owner.id) is None
    assert await store.get_mint_token(issued.token_hash) is None
