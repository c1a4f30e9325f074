"""The Store contract for one-time codes and sign-in challenges, on every backend."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace

import pytest

from idmint.core.model import (
    AppClient,
    AuthChallenge,
    CodePurpose,
    User,
    UserPool,
    UserStatus,
    VerificationCode,
)
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.5
POOL = "us-east-1_CCCCCCCCC"
CLIENT = "client0000000000000000000c"
SUB = "6f1c2a34-0000-4000-8000-000000000001"
OTHER = "6f1c2a34-0000-4000-8000-000000000002"


@pytest.fixture
async def users(store: SqlStore) -> SqlStore:
    await store.create_pool(UserPool(id=POOL, name="p", created_at=T0, updated_at=T0))
    await store.create_client(
        AppClient(id=CLIENT, pool_id=POOL, name="c", created_at=T0, updated_at=T0)
    )
    for sub, name in ((SUB, "alice"), (OTHER, "bob")):
        user = User(
            pool_id=POOL,
            sub=sub,
            username=name,
            status=UserStatus.CONFIRMED,
            enabled=True,
            attributes={},
            created_at=T0,
            updated_at=T0,
        )
        await store.create_user(user, name, [])
    return store


def code(
    sub: str = SUB, purpose: CodePurpose = CodePurpose.SIGN_UP, digest: bytes = b"a"
) -> VerificationCode:
    return VerificationCode(
        user_sub=sub,
        purpose=purpose,
        code_hash=hashlib.sha256(digest).digest(),
        salt=bytes(range(16)),
        attempts=0,
        created_at=T0,
        expires_at=T0 + 3600,
        destination="alice@example.com",
    )


async def test_round_trip_and_replace(users: SqlStore) -> None:
    await users.put_code(code())
    assert await users.get_code(SUB, CodePurpose.SIGN_UP) == code()
    assert await users.get_code(SUB, CodePurpose.RESET_PASSWORD) is None
    assert await users.get_code(OTHER, CodePurpose.SIGN_UP) is None
    newer = replace(code(digest=b"b"), created_at=T0 + 1)
    await users.put_code(newer)
    assert await users.get_code(SUB, CodePurpose.SIGN_UP) == newer
    await users.put_code(code(purpose=CodePurpose.VERIFY_EMAIL))
    assert await users.get_code(SUB, CodePurpose.SIGN_UP) == newer  # purposes are separate


async def test_attempts_stop_at_the_limit(users: SqlStore) -> None:
    await users.put_code(code())
    counted = [await users.count_code_attempt(SUB, CodePurpose.SIGN_UP, 5) for _ in range(7)]
    assert counted == [True] * 5 + [False] * 2
    stored = await users.get_code(SUB, CodePurpose.SIGN_UP)
    assert stored is not None and stored.attempts == 5
    assert not await users.count_code_attempt(OTHER, CodePurpose.SIGN_UP, 5)


async def test_concurrent_attempts_never_exceed_the_limit(users: SqlStore) -> None:
    await users.put_code(code())
    counted = await asyncio.gather(
        *(users.count_code_attempt(SUB, CodePurpose.SIGN_UP, 5) for _ in range(20))
    )
    assert sum(counted) == 5


async def test_consume_once(users: SqlStore) -> None:
    await users.put_code(code())
    digest = hashlib.sha256(b"a").digest()
    assert not await users.consume_code(SUB, CodePurpose.SIGN_UP, hashlib.sha256(b"x").digest())
    results = await asyncio.gather(
        *(users.consume_code(SUB, CodePurpose.SIGN_UP, digest) for _ in range(5))
    )
    assert sorted(results) == [False] * 4 + [True]
    assert await users.get_code(SUB, CodePurpose.SIGN_UP) is None


async def test_codes_go_with_their_user(users: SqlStore) -> None:
    await users.put_code(code())
    await users.delete_user(POOL, SUB)
    assert await users.get_code(SUB, CodePurpose.SIGN_UP) is None


def challenge(id_hash: bytes = b"\x00" * 32) -> AuthChallenge:
    return AuthChallenge(
        id_hash=id_hash,
        client_id=CLIENT,
        user_sub=SUB,
        name="NEW_PASSWORD_REQUIRED",
        created_at=T0,
        expires_at=T0 + 180,
    )


async def test_challenge_round_trip_and_single_use(users: SqlStore) -> None:
    awkward = bytes(range(224, 256))  # not UTF-8, so a text column would mangle it
    await users.create_challenge(challenge(awkward))
    assert await users.get_challenge(awkward) == challenge(awkward)
    assert await users.get_challenge(b"\x01" * 32) is None
    results = await asyncio.gather(*(users.consume_challenge(awkward) for _ in range(4)))
    assert sorted(results) == [False] * 3 + [True]
    assert await users.get_challenge(awkward) is None


async def test_challenges_go_with_their_user(users: SqlStore) -> None:
    await users.create_challenge(challenge())
    await users.delete_user(POOL, SUB)
    assert await users.get_challenge(b"\x00" * 32) is None


async def test_server_secret_is_set_once(users: SqlStore) -> None:
    first = await users.server_secret("root", b"A" * 32, T0)
    second = await users.server_secret("root", b"B" * 32, T0)
    assert first == second == b"A" * 32
    assert await users.server_secret("other", b"C" * 32, T0) == b"C" * 32
