"""``Store.list_users`` with a ``UserFilter`` (the Cognito ListUsers ``Filter``), on every backend.

The core parses the filter (idmint.core.filters) and hands the store an attribute, a value and
whether it is a prefix; the store matches it in SQL: exactly, case-sensitively, with no pattern
characters (``%``, ``_``, ``\\``) and users without the attribute never matching.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pytest

from idmint.core.model import User, UserFilter, UserPool, UserStatus
from idmint.store.sql import SqlStore

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.0
POOL = "us-east-1_FILTERAAA"
OTHER_POOL = "us-east-1_FILTERBBB"


async def seed(store: SqlStore) -> None:
    for pool_id in (POOL, OTHER_POOL):
        await store.create_pool(
            UserPool(id=pool_id, name=f"pool {pool_id}", created_at=T0, updated_at=T0)
        )


async def add(
    store: SqlStore,
    username: str,
    attributes: Mapping[str, str] | None = None,
    *,
    pool_id: str = POOL,
    status: UserStatus = UserStatus.CONFIRMED,
    enabled: bool = True,
    sub: str | None = None,
) -> User:
    user = User(
        pool_id=pool_id,
        sub=sub or str(uuid.uuid4()),
        username=username,
        status=status,
        enabled=enabled,
        attributes=dict(attributes or {}),
        created_at=T0,
        updated_at=T0,
    )
    await store.create_user(user, username.lower(), [])
    return user


async def names(store: SqlStore, where: UserFilter, pool_id: str = POOL) -> set[str]:
    return {u.username for u in await store.list_users(pool_id, 60, None, where)}


async def test_no_filter_lists_everyone(store: SqlStore) -> None:
    await seed(store)
    alice = await add(store, "alice", {"email": "a@example.com"})
    bob = await add(store, "bob")
    assert await store.list_users(POOL, 60, None, None) == sorted([alice, bob], key=lambda u: u.sub)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (UserFilter("email", "alice@example.com"), {"alice"}),
        (UserFilter("email", "ALICE@example.com"), set()),  # attributes match case-sensitively
        (UserFilter("email", "alice@"), set()),  # = is whole-value
        (UserFilter("email", "alice@", prefix=True), {"alice"}),
        (UserFilter("email", "", prefix=True), {"alice", "bob", "empty"}),  # has an email
        (UserFilter("email", ""), {"empty"}),
        (UserFilter("given_name", "Al", prefix=True), {"alice"}),
        (UserFilter("given_name", "al", prefix=True), set()),
        (UserFilter("family_name", "Smith"), set()),  # nobody has it
        (UserFilter("phone_number", "+1555", prefix=True), {"bob"}),
        (UserFilter("phone_number", "+15550100"), {"bob"}),
    ],
)
async def test_attribute_match(store: SqlStore, where: UserFilter, expected: set[str]) -> None:
    await seed(store)
    await add(store, "alice", {"email": "alice@example.com", "given_name": "Alice"})
    await add(store, "bob", {"email": "bob@example.com", "phone_number": "+15550100"})
    await add(store, "empty", {"email": ""})
    await add(store, "nobody")
    await add(store, "elsewhere", {"email": "alice@example.com"}, pool_id=OTHER_POOL)
    assert await names(store, where) == expected


@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "100%",
        "a_b",
        "back\\slash",
        "%",
        "_",
        "\\",
        "'; DROP TABLE users; --",
        "Zoë Ångström",
        "名前",
        "🔐 emoji",
        "tab\there",
    ],
)
async def test_awkward_values_match_literally(store: SqlStore, value: str) -> None:
    """No character in the value acts as a wildcard or escape, exact or prefix."""
    await seed(store)
    await add(store, "target", {"name": value})
    await add(store, "longer", {"name": value + "!"})
    # Look-alikes a LIKE pattern would match if % or _ or \ were left unescaped, or that a
    # quote mangled on the way would match.
    swaps = (("%", "x"), ("%", "x?"), ("_", "y"), ("\\", ""), ("\\", "\\\\"), ('"', "'"))
    lookalikes = {value.replace(old, new) for old, new in swaps} - {value}
    starting = {"target", "longer"}
    for n, lookalike in enumerate(sorted(lookalikes)):
        await add(store, f"lookalike{n}", {"name": lookalike})
        if lookalike.startswith(value):  # e.g. "\\\\" does start with "\\"
            starting.add(f"lookalike{n}")
    await add(store, "unnamed")
    assert await names(store, UserFilter("name", value)) == {"target"}
    assert await names(store, UserFilter("name", value, prefix=True)) == starting


async def test_prefix_counts_characters_not_bytes(store: SqlStore) -> None:
    await seed(store)
    await add(store, "u1", {"name": "Ångström"})
    await add(store, "u2", {"name": "Ånge"})
    await add(store, "u3", {"name": "🔐🔑"})
    assert await names(store, UserFilter("name", "Ång", prefix=True)) == {"u1", "u2"}
    assert await names(store, UserFilter("name", "Ångs", prefix=True)) == {"u1"}
    assert await names(store, UserFilter("name", "🔐", prefix=True)) == {"u3"}
    assert await names(store, UserFilter("name", "🔐🔑🔒", prefix=True)) == set()


async def test_username_matches_the_key_the_core_passes(store: SqlStore) -> None:
    """``username`` is matched on ``username_key`` (here the lower-cased username)."""
    await seed(store)
    await add(store, "Alice")
    await add(store, "alfred")
    await add(store, "bob", {"preferred_username": "alice"})
    assert await names(store, UserFilter("username", "alice")) == {"Alice"}
    assert await names(store, UserFilter("username", "Alice")) == set()
    assert await names(store, UserFilter("username", "al", prefix=True)) == {"Alice", "alfred"}


async def test_sub(store: SqlStore) -> None:
    await seed(store)
    sub = "0f0f0f0f-1111-4222-8333-444455556666"
    await add(store, "alice", sub=sub)
    await add(store, "bob", sub="0f0f0f0f-9999-4222-8333-444455556666")
    assert await names(store, UserFilter("sub", sub)) == {"alice"}
    assert await names(store, UserFilter("sub", sub.upper())) == set()
    assert await names(store, UserFilter("sub", "0f0f0f0f-", prefix=True)) == {"alice", "bob"}


async def test_user_status_and_enabled(store: SqlStore) -> None:
    await seed(store)
    await add(store, "new", status=UserStatus.UNCONFIRMED)
    await add(store, "ok", status=UserStatus.CONFIRMED)
    await add(store, "off", status=UserStatus.CONFIRMED, enabled=False)
    await add(store, "temp", status=UserStatus.FORCE_CHANGE_PASSWORD)
    await add(store, "other", {"status": "Disabled"}, status=UserStatus.CONFIRMED)

    def status(value: str, prefix: bool = False) -> UserFilter:
        return UserFilter("cognito:user_status", value, prefix)

    assert await names(store, status("CONFIRMED")) == {"ok", "off", "other"}
    assert await names(store, status("UNCONFIRMED")) == {"new"}
    assert await names(store, status("FORCE_CHANGE_PASSWORD")) == {"temp"}
    assert await names(store, status("RESET_REQUIRED")) == set()
    assert await names(store, status("confirmed")) == set()  # the core upper-cases it
    assert await names(store, status("UN", prefix=True)) == {"new"}

    def enabled(value: str, prefix: bool = False) -> UserFilter:
        return UserFilter("status", value, prefix)

    # ``status`` is the Enabled flag, not an attribute called "status".
    assert await names(store, enabled("Enabled")) == {"new", "ok", "temp", "other"}
    assert await names(store, enabled("Disabled")) == {"off"}
    assert await names(store, enabled("disabled")) == set()
    assert await names(store, enabled("Dis", prefix=True)) == {"off"}
    assert await names(store, enabled("true")) == set()


async def test_filter_keeps_sub_order_and_cursor(store: SqlStore) -> None:
    await seed(store)
    matching = [await add(store, f"m{n}", {"family_name": "Reddy"}) for n in range(7)]
    for n in range(5):
        await add(store, f"x{n}", {"family_name": "Other"})
    where = UserFilter("family_name", "Reddy")
    pages: list[list[User]] = []
    after: str | None = None
    while page := await store.list_users(POOL, 3, after, where):
        pages.append(page)
        after = page[-1].sub
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [u for p in pages for u in p] == sorted(matching, key=lambda u: u.sub)
