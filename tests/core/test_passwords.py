"""argon2id hashing, rehash-on-login and the pool password policy."""

from __future__ import annotations

from typing import Any

import pytest

from idmint.core.errors import InvalidPassword
from idmint.core.model import PasswordPolicy
from idmint.core.passwords import HashParams, PasswordHasher, check_policy
from tests.conftest import (
    Database,
    FrozenClock,
    make_pool,
    make_user,
    sign_in,
    start_server,
    stop_server,
)


@pytest.mark.anyio
async def test_hash_is_argon2id_with_configured_parameters() -> None:
    hasher = PasswordHasher(HashParams(memory_kib=8192, time_cost=1))
    digest = await hasher.hash("pässword")
    assert digest.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert await hasher.verify(digest, "pässword") == (True, None)
    assert await hasher.verify(digest, "password") == (False, None)
    hasher.close()


@pytest.mark.anyio
async def test_verify_reports_rehash_when_parameters_change() -> None:
    old = PasswordHasher(HashParams(memory_kib=8192, time_cost=1))
    new = PasswordHasher(HashParams(memory_kib=9216, time_cost=2))
    ok, rehashed = await new.verify(await old.hash("secret"), "secret")
    assert ok and rehashed is not None and rehashed.startswith("$argon2id$v=19$m=9216,t=2,p=1$")
    assert await new.verify(rehashed, "secret") == (True, None)
    old.close()
    new.close()


@pytest.mark.anyio
async def test_unknown_user_does_the_same_work_and_fails() -> None:
    hasher = PasswordHasher(HashParams(memory_kib=8192, time_cost=1))
    assert await hasher.verify(None, "anything") == (False, None)
    assert hasher.admitted == 0
    assert await hasher.verify("not-a-hash", "anything") == (False, None)
    hasher.close()


def test_policy_defaults_accept_strong_password() -> None:
    check_policy(PasswordPolicy(), "Corr3ct-horse!")


def test_policy_minimum_only() -> None:
    relaxed = PasswordPolicy(
        minimum_length=6,
        require_uppercase=False,
        require_lowercase=False,
        require_numbers=False,
        require_symbols=False,
    )
    check_policy(relaxed, "abcdef")
    with pytest.raises(InvalidPassword, match="Password not long enough"):
        check_policy(relaxed, "abcde")


def test_rehash_on_login_through_the_server(database: Database, clock: FrozenClock) -> None:
    weak = start_server(database, clock, argon2_memory_kib=8192, argon2_time_cost=1)
    cognito: Any = weak.client()
    pool = make_pool(cognito)
    sub = make_user(cognito, pool)
    before = weak.run(weak.store.get_user(pool.id, sub)).password_hash
    stop_server(weak)
    assert before.startswith("$argon2id$v=19$m=8192,t=1,p=1$")

    strong = start_server(database, clock)
    try:
        cognito = strong.client(
            access_key=weak.admin_key.access_key_id, secret_key=weak.admin_key.secret_access_key
        )
        assert sign_in(cognito, pool)["AccessToken"]
        after = strong.run(strong.store.get_user(pool.id, sub)).password_hash
        assert after.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert sign_in(cognito, pool)["AccessToken"]
    finally:
        stop_server(strong)
