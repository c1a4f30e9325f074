"""The Store contract for OAuth 2.0 authorization codes and hosted-page sessions, on SQLite and
PostgreSQL (DESIGN rule 6): a code is redeemed first exactly once, even by concurrent exchanges;
every later redemption is a replay, after which the exchange's sign-in can no longer be attached
(RFC 6749 §4.1.2, §10.5); hosted sessions are found by their hash, revoked one by one, and with
every other sign-in of their user (``revoke_user_sessions``)."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace

import pytest

from idmint.core.model import (
    AppClient,
    AuthorizationCode,
    HostedSession,
    RefreshSession,
    User,
    UserPool,
    UserStatus,
)
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.5
POOL = "us-east-1_OAUTHSTOR"
OTHER_POOL = "us-east-1_OTHERPOOL"
CLIENT = "oauthclient0000000000000a1"
OTHER_CLIENT = "oauthclient0000000000000b2"
SUB = "6f1c2a34-0000-4000-8000-00000000000a"
OTHER = "6f1c2a34-0000-4000-8000-00000000000b"
ELSEWHERE = "6f1c2a34-0000-4000-8000-00000000000c"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def user(sub: str, name: str, pool: str = POOL) -> User:
    return User(
        pool_id=pool,
        sub=sub,
        username=name,
        status=UserStatus.CONFIRMED,
        enabled=True,
        attributes={"email": f"{name}@example.com"},
        created_at=T0,
        updated_at=T0,
    )


@pytest.fixture
async def seeded(store: SqlStore) -> SqlStore:
    for pool_id, client_id in ((POOL, CLIENT), (OTHER_POOL, OTHER_CLIENT)):
        await store.create_pool(UserPool(id=pool_id, name="p", created_at=T0, updated_at=T0))
        await store.create_client(
            AppClient(id=client_id, pool_id=pool_id, name="c", created_at=T0, updated_at=T0)
        )
    for sub, name, pool_id in ((SUB, "alice", POOL), (OTHER, "bob", POOL)):
        await store.create_user(user(sub, name, pool_id), name, [])
    await store.create_user(user(ELSEWHERE, "alice", OTHER_POOL), "alice", [])
    return store


def code(label: str = "code", **changes: object) -> AuthorizationCode:
    stored = AuthorizationCode(
        code_hash=digest(label),
        pool_id=POOL,
        client_id=CLIENT,
        user_sub=SUB,
        redirect_uri="https://app.example.com/cb?x=1",
        scope="openid email",
        nonce="n-0S6_WzA2Mj",
        code_challenge=CHALLENGE,
        auth_time=T0 - 30,
        created_at=T0,
        expires_at=T0 + 300,
    )
    return replace(stored, **changes)  # type: ignore[arg-type]


def hosted(label: str = "h", sub: str = SUB, pool: str = POOL, **changes: object) -> HostedSession:
    stored = HostedSession(
        id=f"00000000-0000-4000-8000-{digest(label).hex()[:12]}",
        pool_id=pool,
        user_sub=sub,
        token_hash=digest(f"hosted-{label}"),
        auth_time=T0,
        created_at=T0,
        expires_at=T0 + 3600,
    )
    return replace(stored, **changes)  # type: ignore[arg-type]


def refresh_session(label: str, sub: str = SUB, pool: str = POOL) -> RefreshSession:
    return RefreshSession(
        id=f"00000000-0000-4000-9000-{digest(label).hex()[:12]}",
        pool_id=pool,
        client_id=CLIENT if pool == POOL else OTHER_CLIENT,
        user_sub=sub,
        token_hash=digest(f"refresh-{label}"),
        auth_time=T0,
        created_at=T0,
        expires_at=T0 + 86400,
        scope="openid",
    )


# Codes ----------------------------------------------------------------------------------------


async def test_first_redeem_then_replays(seeded: SqlStore) -> None:
    stored = code()
    await seeded.create_authorization_code(stored)
    first = await seeded.redeem_authorization_code(stored.code_hash, T0 + 10)
    assert first == (replace(stored, used_at=T0 + 10), True)
    second = await seeded.redeem_authorization_code(stored.code_hash, T0 + 20)
    assert second == (replace(stored, used_at=T0 + 10), False)
    third = await seeded.redeem_authorization_code(stored.code_hash, T0 + 30)
    assert third is not None and third[1] is False and third[0].used_at == T0 + 10


async def test_round_trip_of_optional_fields(seeded: SqlStore) -> None:
    stored = code("bare", nonce=None, code_challenge=None, scope="", redirect_uri="myapp://cb")
    await seeded.create_authorization_code(stored)
    assert await seeded.redeem_authorization_code(stored.code_hash, T0) == (
        replace(stored, used_at=T0),
        True,
    )


async def test_unknown_code(seeded: SqlStore) -> None:
    await seeded.create_authorization_code(code())
    assert await seeded.redeem_authorization_code(digest("unknown"), T0) is None
    assert await seeded.redeem_authorization_code(b"", T0) is None


async def test_codes_are_independent(seeded: SqlStore) -> None:
    a, b = code("a"), code("b", user_sub=OTHER)
    await seeded.create_authorization_code(a)
    await seeded.create_authorization_code(b)
    assert (await seeded.redeem_authorization_code(a.code_hash, T0))[1] is True  # type: ignore[index]
    assert (await seeded.redeem_authorization_code(b.code_hash, T0))[1] is True  # type: ignore[index]


async def test_expired_code_is_still_redeemed_by_the_store(seeded: SqlStore) -> None:
    """Expiry is the core's to judge (it answers invalid_grant); the store only marks use."""
    stored = code()
    await seeded.create_authorization_code(stored)
    found = await seeded.redeem_authorization_code(stored.code_hash, T0 + 10_000)
    assert found is not None and found[1] is True and found[0].expires_at == T0 + 300


async def test_duplicate_code_hash_is_refused(seeded: SqlStore) -> None:
    await seeded.create_authorization_code(code())
    with pytest.raises(Exception):  # any integrity error
        await seeded.create_authorization_code(code(user_sub=OTHER))


async def test_concurrent_redeems_have_exactly_one_first_use(seeded: SqlStore) -> None:
    stored = code()
    await seeded.create_authorization_code(stored)
    results = await asyncio.gather(
        *(seeded.redeem_authorization_code(stored.code_hash, T0 + i) for i in range(12))
    )
    assert all(r is not None for r in results)
    firsts = [r for r in results if r is not None and r[1]]
    assert len(firsts) == 1
    used_at = firsts[0][0].used_at
    again = await seeded.redeem_authorization_code(stored.code_hash, T0 + 100)
    assert again is not None and again[0].used_at == used_at and again[1] is False


async def test_concurrent_redeems_of_many_codes(seeded: SqlStore) -> None:
    labels = [f"c{i}" for i in range(5)]
    for label in labels:
        await seeded.create_authorization_code(code(label))
    calls = [
        seeded.redeem_authorization_code(digest(label), T0) for label in labels for _ in range(3)
    ]
    results = await asyncio.gather(*calls)
    firsts = [r[0].code_hash for r in results if r is not None and r[1]]
    assert sorted(firsts) == sorted(digest(label) for label in labels)


async def test_attach_session_after_first_use(seeded: SqlStore) -> None:
    stored = code()
    await seeded.create_authorization_code(stored)
    await seeded.redeem_authorization_code(stored.code_hash, T0)
    assert await seeded.attach_code_session(stored.code_hash, "session-1") is True
    replay = await seeded.redeem_authorization_code(stored.code_hash, T0 + 1)
    assert replay is not None
    assert replay[0].session_id == "session-1" and replay[1] is False


async def test_attach_session_refused_after_a_replay(seeded: SqlStore) -> None:
    """The replay happened while the first exchange was issuing tokens: it could not see a
    session to revoke, so attaching one must fail (the exchange then revokes it itself)."""
    stored = code()
    await seeded.create_authorization_code(stored)
    await seeded.redeem_authorization_code(stored.code_hash, T0)
    await seeded.redeem_authorization_code(stored.code_hash, T0 + 1)
    assert await seeded.attach_code_session(stored.code_hash, "session-1") is False
    again = await seeded.redeem_authorization_code(stored.code_hash, T0 + 2)
    assert again is not None and again[0].session_id is None


async def test_attach_session_to_unknown_code(seeded: SqlStore) -> None:
    assert await seeded.attach_code_session(digest("unknown"), "session-1") is False


async def test_code_goes_with_its_user(seeded: SqlStore) -> None:
    stored = code()
    await seeded.create_authorization_code(stored)
    assert await seeded.delete_user(POOL, SUB) is True
    assert await seeded.redeem_authorization_code(stored.code_hash, T0) is None


# Hosted sessions -------------------------------------------------------------------------------


async def test_hosted_session_round_trip(seeded: SqlStore) -> None:
    session = hosted()
    await seeded.create_hosted_session(session)
    found = await seeded.get_hosted_session(session.token_hash)
    assert found is not None
    got, who = found
    assert got == session
    assert who.sub == SUB and who.username == "alice" and who.pool_id == POOL
    assert who.attributes == {"email": "alice@example.com"} and who.enabled is True


async def test_hosted_session_unknown(seeded: SqlStore) -> None:
    await seeded.create_hosted_session(hosted())
    assert await seeded.get_hosted_session(digest("nope")) is None


async def test_hosted_session_revoke(seeded: SqlStore) -> None:
    session, other = hosted("a"), hosted("b")
    await seeded.create_hosted_session(session)
    await seeded.create_hosted_session(other)
    await seeded.revoke_hosted_session(session.id, T0 + 5)
    await seeded.revoke_hosted_session(session.id, T0 + 50)  # the first revocation stands
    found = await seeded.get_hosted_session(session.token_hash)
    assert found is not None and found[0] == replace(session, revoked_at=T0 + 5)
    untouched = await seeded.get_hosted_session(other.token_hash)
    assert untouched is not None and untouched[0].revoked_at is None
    await seeded.revoke_hosted_session("no-such-session", T0)  # not an error


async def test_hosted_session_reflects_the_user_now(seeded: SqlStore) -> None:
    session = hosted()
    await seeded.create_hosted_session(session)
    alice = await seeded.get_user(POOL, SUB)
    assert alice is not None
    await seeded.update_user(replace(alice, enabled=False, updated_at=T0 + 1))
    found = await seeded.get_hosted_session(session.token_hash)
    assert found is not None and found[1].enabled is False


async def test_hosted_session_goes_with_its_user(seeded: SqlStore) -> None:
    session = hosted()
    await seeded.create_hosted_session(session)
    assert await seeded.delete_user(POOL, SUB) is True
    assert await seeded.get_hosted_session(session.token_hash) is None


async def test_revoke_user_sessions_ends_hosted_sessions(seeded: SqlStore) -> None:
    mine = [hosted("a"), hosted("b")]
    bobs = hosted("bob", sub=OTHER)
    elsewhere = hosted("elsewhere", sub=ELSEWHERE, pool=OTHER_POOL)
    ended = hosted("ended", revoked_at=T0 + 1)
    for session in [*mine, bobs, elsewhere, ended]:
        await seeded.create_hosted_session(session)
    for label in ("r1", "r2"):
        await seeded.create_session(refresh_session(label))
    await seeded.create_session(refresh_session("bob", sub=OTHER))

    count = await seeded.revoke_user_sessions(POOL, SUB, T0 + 9)

    assert count == 2  # the refresh sessions, as the port documents
    for session in mine:
        found = await seeded.get_hosted_session(session.token_hash)
        assert found is not None and found[0].revoked_at == T0 + 9
    for session in (bobs, elsewhere):
        found = await seeded.get_hosted_session(session.token_hash)
        assert found is not None and found[0].revoked_at is None
    found = await seeded.get_hosted_session(ended.token_hash)
    assert found is not None and found[0].revoked_at == T0 + 1
    bob_refresh = await seeded.get_session_by_token_hash(digest("refresh-bob"))
    assert bob_refresh is not None and bob_refresh.revoked_at is None


async def test_revoke_user_sessions_without_refresh_sessions(seeded: SqlStore) -> None:
    """A user signed in only to the hosted pages is still signed out everywhere."""
    session = hosted()
    await seeded.create_hosted_session(session)
    assert await seeded.revoke_user_sessions(POOL, SUB, T0 + 9) == 0
    found = await seeded.get_hosted_session(session.token_hash)
    assert found is not None and found[0].revoked_at == T0 + 9


async def test_codes_expired_a_day_ago_are_forgotten(seeded: SqlStore) -> None:
    """Creating a code forgets codes that expired a day or more before it (a replay that late
    has nothing left to revoke); younger ones stay for replay detection."""
    old, recent = code("old"), code("recent", created_at=T0 + 1000, expires_at=T0 + 1300)
    await seeded.create_authorization_code(old)
    await seeded.create_authorization_code(recent)
    later = T0 + 300 + 86400 + 1
    await seeded.create_authorization_code(code("new", created_at=later, expires_at=later + 300))
    assert await seeded.redeem_authorization_code(old.code_hash, later) is None
    assert await seeded.redeem_authorization_code(recent.code_hash, later) is not None


async def test_hosted_sessions_ended_a_day_ago_are_forgotten(seeded: SqlStore) -> None:
    old, recent = hosted("old"), hosted("recent", expires_at=T0 + 90_000)
    await seeded.create_hosted_session(old)
    await seeded.create_hosted_session(recent)
    later = T0 + 3600 + 86400 + 1
    await seeded.create_hosted_session(hosted("new", created_at=later, expires_at=later + 3600))
    assert await seeded.get_hosted_session(old.token_hash) is None
    assert await seeded.get_hosted_session(recent.token_hash) is not None
