"""The ``Store`` contract (idmint.core.ports.Store), run against ``SqlStore`` on every backend.

Each test gets a freshly migrated database (see tests/store/conftest.py); the ``database``
fixture runs it on SQLite and on PostgreSQL (DESIGN rule 6).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from idmint.core.errors import AliasExists, UsernameExists
from idmint.core.model import (
    AdminKey,
    AppClient,
    AttributeSchema,
    AuthFlow,
    OAuthSettings,
    PasswordPolicy,
    RefreshSession,
    SigningKey,
    User,
    UserPool,
    UserStatus,
    Validity,
)
from idmint.store.schema import (
    admin_keys,
    app_clients,
    refresh_sessions,
    signing_keys,
    user_aliases,
    user_pools,
    users,
)
from idmint.store.sql import SqlStore
from tests.conftest import Database

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.125  # exactly representable: timestamps must round-trip bit for bit
POOL = "us-east-1_AAAAAAAAA"
OTHER_POOL = "us-east-1_BBBBBBBBB"
CLIENT = "client0000000000000000000a"
OTHER_CLIENT = "client0000000000000000000b"

# Bytes that are not UTF-8 and include NUL, so a text column or a decode would mangle them.
AWKWARD_BYTES = bytes(range(256))

EXTRA: dict[str, Any] = {
    "EmailVerificationMessage": "Votre code est {####} — merci ✓",
    "UserPoolTags": {"équipe": "sécurité", "emoji": "🔐", "empty": ""},
    "LambdaConfig": {"nested": {"deeper": [1, 2.5, None, True, False, {"k": ["v"]}]}},
    "MfaConfiguration": "OFF",
    "count": 0,
    "big": 2**53,
    "null": None,
    "日本語キー": "値",
}


# Factories ----------------------------------------------------------------------------------


def make_pool(pool_id: str = POOL, **changes: Any) -> UserPool:
    return replace(
        UserPool(id=pool_id, name=f"pool {pool_id}", created_at=T0, updated_at=T0), **changes
    )


def full_pool(pool_id: str = POOL) -> UserPool:
    """A pool with every field away from its default."""
    return UserPool(
        id=pool_id,
        name="Ünïcödé pool ☃",
        created_at=T0,
        updated_at=T0 + 1.5,
        password_policy=PasswordPolicy(
            minimum_length=12,
            require_uppercase=False,
            require_lowercase=True,
            require_numbers=False,
            require_symbols=False,
            temporary_password_validity_days=3,
        ),
        username_attributes=("email", "phone_number"),
        alias_attributes=(),
        auto_verified_attributes=("email",),
        case_sensitive=True,
        schema=(
            AttributeSchema(name="email", required=True, mutable=True),
            AttributeSchema(
                name="custom:tier",
                data_type="Number",
                mutable=False,
                developer_only=True,
                min_value=0,
                max_value=10,
            ),
            AttributeSchema(name="custom:nick", data_type="String", min_length=1, max_length=40),
            AttributeSchema(name="custom:flag", data_type="Boolean"),
        ),
        deletion_protection=True,
        extra=EXTRA,
    )


def make_client(client_id: str = CLIENT, pool_id: str = POOL, **changes: Any) -> AppClient:
    return replace(
        AppClient(
            id=client_id, pool_id=pool_id, name=f"client {client_id}", created_at=T0, updated_at=T0
        ),
        **changes,
    )


def full_client(client_id: str = CLIENT, pool_id: str = POOL) -> AppClient:
    """A client with every field away from its default."""
    return AppClient(
        id=client_id,
        pool_id=pool_id,
        name="mobile app ✈",
        created_at=T0,
        updated_at=T0 + 2.25,
        secret="s3cr3t-" + "x" * 45,
        explicit_auth_flows=frozenset(
            {AuthFlow.USER_PASSWORD, AuthFlow.ADMIN_USER_PASSWORD, AuthFlow.REFRESH_TOKEN}
        ),
        access_token_validity=Validity(5, "minutes"),
        id_token_validity=Validity(2, "hours"),
        refresh_token_validity=Validity(3650, "days"),
        prevent_user_existence_errors=False,
        enable_token_revocation=False,
        read_attributes=("email", "custom:tier", "name"),
        write_attributes=("name",),
        oauth=OAuthSettings(
            callback_urls=("https://example.com/cb", "myapp://callback"),
            logout_urls=("https://example.com/bye",),
            default_redirect_uri="myapp://callback",
            flows=frozenset({"code", "implicit"}),
            scopes=frozenset({"openid", "email", "aws.cognito.signin.user.admin"}),
            allowed=True,
            identity_providers=("COGNITO",),
        ),
        extra={"AnalyticsConfiguration": {"ApplicationId": "ä"}},
    )


def make_user(username: str, pool_id: str = POOL, **changes: Any) -> User:
    sub = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{pool_id}/{username}"))
    user = User(
        pool_id=pool_id,
        sub=sub,
        username=username,
        status=UserStatus.CONFIRMED,
        enabled=True,
        attributes={"email": f"{username}@example.com"},
        created_at=T0,
        updated_at=T0,
        password_hash="$argon2id$v=19$m=19456,t=2,p=1$abc$def",
    )
    return replace(user, **changes)


async def add_user(
    store: SqlStore, username: str, pool_id: str = POOL, aliases: Sequence[str] = (), **changes: Any
) -> User:
    user = make_user(username, pool_id, **changes)
    await store.create_user(user, username.lower(), aliases)
    return user


def make_session(
    session_id: str, user: User, client_id: str = CLIENT, **changes: Any
) -> RefreshSession:
    session = RefreshSession(
        id=session_id,
        pool_id=user.pool_id,
        client_id=client_id,
        user_sub=user.sub,
        token_hash=hashlib.sha256(session_id.encode()).digest(),
        auth_time=T0,
        created_at=T0 + 1,
        expires_at=T0 + 30 * 86400,
    )
    return replace(session, **changes)


async def add_session(
    store: SqlStore, session_id: str, user: User, client_id: str = CLIENT, **changes: Any
) -> RefreshSession:
    session = make_session(session_id, user, client_id, **changes)
    await store.create_session(session)
    return session


async def seed_pool(store: SqlStore, pool_id: str = POOL, client_id: str = CLIENT) -> None:
    await store.create_pool(make_pool(pool_id))
    await store.create_client(make_client(client_id, pool_id))


async def count_rows(store: SqlStore, table: Table, **where: str) -> int:
    """``select count(*)`` straight from the table, bypassing the store's own queries."""
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with store.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


# Signing keys -------------------------------------------------------------------------------


async def test_signing_keys_empty(store: SqlStore) -> None:
    assert await store.list_signing_keys() == []


async def test_signing_keys_listed_by_created_at(store: SqlStore) -> None:
    keys = [
        SigningKey(kid=f"kid-{n}", private_pem=f"pem {n}".encode(), created_at=T0 + n)
        for n in (3, 1, 2)
    ]
    for key in keys:
        await store.add_signing_key(key, retire_others_at=None)
    listed = await store.list_signing_keys()
    assert [k.kid for k in listed] == ["kid-1", "kid-2", "kid-3"]
    assert all(k.retired_at is None for k in listed)


async def test_signing_key_bytes_round_trip(store: SqlStore) -> None:
    pem = b"-----BEGIN PRIVATE KEY-----\n" + AWKWARD_BYTES + b"\n-----END PRIVATE KEY-----\n"
    key = SigningKey(kid="k1", private_pem=pem, created_at=T0, retired_at=None)
    await store.add_signing_key(key, retire_others_at=None)
    [listed] = await store.list_signing_keys()
    assert listed == key
    assert type(listed.private_pem) is bytes


async def test_signing_key_retire_others_retires_only_active_keys(store: SqlStore) -> None:
    old = SigningKey(kid="old", private_pem=b"old", created_at=T0, retired_at=T0 + 10)
    active = SigningKey(kid="active", private_pem=b"active", created_at=T0 + 20)
    await store.add_signing_key(old, retire_others_at=None)
    await store.add_signing_key(active, retire_others_at=None)

    new = SigningKey(kid="new", private_pem=b"new", created_at=T0 + 100)
    await store.add_signing_key(new, retire_others_at=T0 + 100)

    assert await store.list_signing_keys() == [
        old,  # already retired: keeps its own retirement time
        replace(active, retired_at=T0 + 100),
        new,  # the key being added is not retired by its own rotation
    ]


async def test_signing_key_without_retire_keeps_others_active(store: SqlStore) -> None:
    first = SigningKey(kid="first", private_pem=b"1", created_at=T0)
    second = SigningKey(kid="second", private_pem=b"2", created_at=T0 + 1)
    await store.add_signing_key(first, retire_others_at=None)
    await store.add_signing_key(second, retire_others_at=None)
    assert await store.list_signing_keys() == [first, second]


# Admin keys ---------------------------------------------------------------------------------


async def test_admin_keys_add_get_list(store: SqlStore) -> None:
    enabled = AdminKey(
        access_key_id="AKIAENABLED0001", secret_access_key="secret/+=1" * 4, created_at=T0
    )
    disabled = AdminKey(
        access_key_id="AKIADISABLED002", secret_access_key="other", created_at=T0 + 1, enabled=False
    )
    assert await store.list_admin_keys() == []
    await store.add_admin_key(enabled)
    await store.add_admin_key(disabled)

    assert await store.get_admin_key("AKIAENABLED0001") == enabled
    got = await store.get_admin_key("AKIADISABLED002")
    assert got == disabled
    assert got is not None and got.enabled is False
    assert set(await store.list_admin_keys()) == {enabled, disabled}


async def test_admin_key_unknown_is_none(store: SqlStore) -> None:
    await store.add_admin_key(
        AdminKey(access_key_id="AKIAKNOWN", secret_access_key="s", created_at=T0)
    )
    assert await store.get_admin_key("AKIAUNKNOWN") is None
    assert await store.get_admin_key("akiaknown") is None  # ids are exact, not case-folded


# User pools ---------------------------------------------------------------------------------


async def test_pool_default_fields_round_trip(store: SqlStore) -> None:
    pool = make_pool()
    await store.create_pool(pool)
    assert await store.get_pool(POOL) == pool


async def test_pool_every_field_round_trips(store: SqlStore) -> None:
    pool = full_pool()
    await store.create_pool(pool)
    got = await store.get_pool(POOL)
    assert got == pool
    assert got is not None
    assert got.password_policy == pool.password_policy
    assert got.schema == pool.schema
    assert got.attribute("custom:tier") == AttributeSchema(
        name="custom:tier",
        data_type="Number",
        mutable=False,
        developer_only=True,
        min_value=0,
        max_value=10,
    )
    assert dict(got.extra) == EXTRA
    assert got.case_sensitive is True and got.deletion_protection is True
    assert isinstance(got.username_attributes, tuple) and isinstance(got.schema, tuple)


async def test_pool_alias_attributes_round_trip(store: SqlStore) -> None:
    pool = make_pool(
        alias_attributes=("email", "preferred_username"),
        auto_verified_attributes=("email", "phone_number"),
    )
    await store.create_pool(pool)
    got = await store.get_pool(POOL)
    assert got == pool
    assert got is not None and got.sign_in_aliases == ("email", "preferred_username")


async def test_pool_unknown_is_none(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    assert await store.get_pool(OTHER_POOL) is None


async def test_list_pools_orders_by_id_and_paginates(store: SqlStore) -> None:
    ids = [f"us-east-1_{c * 9}" for c in "DBEAC"]
    for pool_id in ids:
        await store.create_pool(make_pool(pool_id))
    ordered = sorted(ids)

    assert [p.id for p in await store.list_pools(limit=60, after=None)] == ordered
    first = await store.list_pools(limit=2, after=None)
    assert [p.id for p in first] == ordered[:2]
    second = await store.list_pools(limit=2, after=first[-1].id)
    assert [p.id for p in second] == ordered[2:4]
    third = await store.list_pools(limit=2, after=second[-1].id)
    assert [p.id for p in third] == ordered[4:]
    assert await store.list_pools(limit=2, after=third[-1].id) == []
    # ``after`` need not be an existing id
    assert [p.id for p in await store.list_pools(limit=10, after="us-east-1_BZ")] == ordered[2:]


async def test_list_pools_returns_full_pools(store: SqlStore) -> None:
    pool = full_pool()
    await store.create_pool(pool)
    assert await store.list_pools(limit=10, after=None) == [pool]


async def test_update_pool_replaces_every_field(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    await store.create_pool(make_pool(OTHER_POOL))
    updated = replace(full_pool(), created_at=T0, updated_at=T0 + 99)
    await store.update_pool(updated)
    assert await store.get_pool(POOL) == updated
    assert await store.get_pool(OTHER_POOL) == make_pool(OTHER_POOL)

    # and back to the defaults: nothing of the old config lingers
    reset = make_pool(updated_at=T0 + 100)
    await store.update_pool(reset)
    assert await store.get_pool(POOL) == reset


async def test_delete_pool(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    await store.create_pool(make_pool(OTHER_POOL))
    assert await store.delete_pool(POOL) is True
    assert await store.get_pool(POOL) is None
    assert await store.delete_pool(POOL) is False
    assert [p.id for p in await store.list_pools(limit=10, after=None)] == [OTHER_POOL]


async def test_count_users(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    await store.create_pool(make_pool(OTHER_POOL))
    assert await store.count_users(POOL) == 0
    for name in ("a", "b", "c"):
        await add_user(store, name)
    await add_user(store, "a", OTHER_POOL)
    assert await store.count_users(POOL) == 3
    assert await store.count_users(OTHER_POOL) == 1
    assert await store.count_users("us-east-1_nonexistent") == 0


# App clients --------------------------------------------------------------------------------


async def test_client_default_fields_round_trip(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    client = make_client()
    await store.create_client(client)
    got = await store.get_client(CLIENT)
    assert got == client
    assert got is not None
    assert got.explicit_auth_flows is None
    assert got.secret is None
    assert got.read_attributes is None and got.write_attributes is None


async def test_client_every_field_round_trips(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    client = full_client()
    await store.create_client(client)
    got = await store.get_client(CLIENT)
    assert got == client
    assert got is not None
    assert isinstance(got.explicit_auth_flows, frozenset)
    assert all(isinstance(f, AuthFlow) for f in got.explicit_auth_flows)
    assert got.refresh_token_validity == Validity(3650, "days")
    assert got.access_token_validity.seconds == 300
    assert got.read_attributes == ("email", "custom:tier", "name")
    assert got.write_attributes == ("name",)
    assert isinstance(got.oauth.flows, frozenset) and isinstance(got.oauth.scopes, frozenset)
    assert got.oauth.callback_urls == ("https://example.com/cb", "myapp://callback")


@pytest.mark.parametrize(
    "flows", [None, frozenset(), frozenset({AuthFlow.USER_SRP}), frozenset(AuthFlow)]
)
async def test_client_explicit_auth_flows_round_trip(
    store: SqlStore, flows: frozenset[AuthFlow] | None
) -> None:
    await store.create_pool(make_pool())
    client = make_client(explicit_auth_flows=flows)
    await store.create_client(client)
    got = await store.get_client(CLIENT)
    assert got is not None
    assert got.explicit_auth_flows == flows
    assert (got.explicit_auth_flows is None) == (flows is None)


@pytest.mark.parametrize("attributes", [None, (), ("email",), ("email", "custom:ünï", "name")])
async def test_client_read_write_attributes_round_trip(
    store: SqlStore, attributes: tuple[str, ...] | None
) -> None:
    await store.create_pool(make_pool())
    client = make_client(read_attributes=attributes, write_attributes=attributes)
    await store.create_client(client)
    got = await store.get_client(CLIENT)
    assert got is not None
    assert got.read_attributes == attributes and got.write_attributes == attributes
    assert (got.read_attributes is None) == (attributes is None)


@pytest.mark.parametrize("secret", [None, "", "a" * 128])
async def test_client_secret_round_trip(store: SqlStore, secret: str | None) -> None:
    await store.create_pool(make_pool())
    await store.create_client(make_client(secret=secret))
    got = await store.get_client(CLIENT)
    assert got is not None and got.secret == secret


async def test_client_unknown_is_none(store: SqlStore) -> None:
    await seed_pool(store)
    assert await store.get_client("nope") is None


async def test_list_clients_by_pool_orders_and_paginates(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    await store.create_pool(make_pool(OTHER_POOL))
    ids = [f"client{c * 20}" for c in "dbeac"]
    for client_id in ids:
        await store.create_client(make_client(client_id))
    await store.create_client(make_client("clientZZZ", OTHER_POOL))
    ordered = sorted(ids)

    assert [c.id for c in await store.list_clients(POOL, limit=60, after=None)] == ordered
    first = await store.list_clients(POOL, limit=3, after=None)
    assert [c.id for c in first] == ordered[:3]
    second = await store.list_clients(POOL, limit=3, after=first[-1].id)
    assert [c.id for c in second] == ordered[3:]
    assert await store.list_clients(POOL, limit=3, after=second[-1].id) == []
    others = await store.list_clients(OTHER_POOL, limit=60, after=None)
    assert [c.id for c in others] == ["clientZZZ"]
    assert await store.list_clients("us-east-1_nonexistent", limit=60, after=None) == []


async def test_update_client_replaces_every_field(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    await store.create_client(make_client())
    await store.create_client(make_client(OTHER_CLIENT))
    updated = full_client()
    await store.update_client(updated)
    assert await store.get_client(CLIENT) == updated
    assert await store.get_client(OTHER_CLIENT) == make_client(OTHER_CLIENT)

    # back to None everywhere it can be None: nothing lingers from the previous config
    reset = make_client(updated_at=T0 + 50)
    await store.update_client(reset)
    assert await store.get_client(CLIENT) == reset


async def test_delete_client(store: SqlStore) -> None:
    await store.create_pool(make_pool())
    await store.create_client(make_client())
    await store.create_client(make_client(OTHER_CLIENT))
    assert await store.delete_client(CLIENT) is True
    assert await store.get_client(CLIENT) is None
    assert await store.delete_client(CLIENT) is False
    assert await store.get_client(OTHER_CLIENT) == make_client(OTHER_CLIENT)


# Users --------------------------------------------------------------------------------------


async def test_create_and_get_user(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "Alice", aliases=["alice@example.com"])
    assert await store.get_user(POOL, user.sub) == user
    assert await store.get_user(OTHER_POOL, user.sub) is None
    assert await store.get_user(POOL, str(uuid.uuid4())) is None


async def test_user_every_field_round_trips(store: SqlStore) -> None:
    await seed_pool(store)
    for status in UserStatus:
        user = make_user(
            f"user-{status.value.lower()}",
            status=status,
            enabled=False,
            password_hash=None,
            created_at=T0 + 0.5,
            updated_at=T0 + 0.75,
        )
        await store.create_user(user, user.username, ())
        got = await store.get_user(POOL, user.sub)
        assert got == user
        assert got is not None and got.status is status and got.enabled is False


async def test_user_unicode_attributes_round_trip(store: SqlStore) -> None:
    await seed_pool(store)
    attributes = {
        "email": "zoë@exämple.com",
        "name": "Zoë Ångström-Øre 李小龍 🐉",
        "custom:bio": 'line one\nline two\t"quoted" \\ back\u00a0nbsp \u2028sep',
        "custom:empty": "",
        "custom:rtl": "שלום עולם",
    }
    user = await add_user(store, "zoë", attributes=attributes)
    got = await store.get_user(POOL, user.sub)
    assert got is not None
    assert dict(got.attributes) == attributes
    assert got.username == "zoë"


async def test_find_user_by_username_key(store: SqlStore) -> None:
    await seed_pool(store)
    user = make_user("Alice")
    await store.create_user(user, "alice", ["alice@example.com"])
    assert await store.find_user(POOL, "alice", "alice") == user
    assert await store.find_user(POOL, "Alice", "Alice") is None  # keys are matched exactly
    assert await store.find_user(OTHER_POOL, "alice", "alice") is None


async def test_find_user_by_alias_key(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice", aliases=["alice@example.com", "+15550100"])
    assert await store.find_user(POOL, "alice@example.com", "alice@example.com") == user
    assert await store.find_user(POOL, "+15550100", "+15550100") == user
    assert await store.find_user(POOL, "nobody", "nobody@example.com") is None
    assert await store.find_user(OTHER_POOL, "x", "alice@example.com") is None


async def test_find_user_prefers_username_over_alias(store: SqlStore) -> None:
    await seed_pool(store)
    by_name = await add_user(store, "shared")
    by_alias = await add_user(store, "other", aliases=["shared"])
    assert await store.find_user(POOL, "shared", "shared") == by_name
    assert await store.find_user(POOL, "nobody", "shared") == by_alias


async def test_update_user(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice", status=UserStatus.UNCONFIRMED, password_hash=None)
    bystander = await add_user(store, "bob")
    updated = replace(
        user,
        status=UserStatus.RESET_REQUIRED,
        enabled=False,
        attributes={"email": "new@example.com", "name": "Ålice ✓"},
        password_hash="$argon2id$new",
        updated_at=T0 + 60,
    )
    await store.update_user(updated)
    assert await store.get_user(POOL, user.sub) == updated
    assert await store.get_user(POOL, bystander.sub) == bystander

    cleared = replace(
        updated,
        status=UserStatus.CONFIRMED,
        enabled=True,
        attributes={},
        password_hash=None,
        updated_at=T0 + 61,
    )
    await store.update_user(cleared)
    assert await store.get_user(POOL, user.sub) == cleared


async def test_delete_user(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice")
    bystander = await add_user(store, "bob")
    assert await store.delete_user(POOL, user.sub) is True
    assert await store.get_user(POOL, user.sub) is None
    assert await store.delete_user(POOL, user.sub) is False
    assert await store.get_user(POOL, bystander.sub) == bystander
    assert await store.count_users(POOL) == 1


async def test_delete_user_in_another_pool_touches_nothing(store: SqlStore) -> None:
    """``delete_user(pool_id, sub)`` is scoped to the pool: naming the wrong pool deletes
    nothing — not the user, not its aliases, not its sessions."""
    await seed_pool(store)
    await store.create_pool(make_pool(OTHER_POOL))
    user = await add_user(store, "alice", aliases=["alice@example.com"])
    session = await add_session(store, "session-1", user)

    assert await store.delete_user(OTHER_POOL, user.sub) is False

    assert await store.get_user(POOL, user.sub) == user
    assert await store.find_user(POOL, "-", "alice@example.com") == user
    assert await store.get_session_by_token_hash(session.token_hash) == session
    assert await count_rows(store, user_aliases, user_sub=user.sub) == 1
    assert await count_rows(store, refresh_sessions, user_sub=user.sub) == 1


async def test_list_users_paginates_within_pool(store: SqlStore) -> None:
    await seed_pool(store)
    await store.create_pool(make_pool(OTHER_POOL))
    created = [await add_user(store, f"user{n}") for n in range(7)]
    await add_user(store, "user0", OTHER_POOL)
    expected = sorted(created, key=lambda u: u.sub)

    pages: list[list[User]] = []
    after: str | None = None
    while True:
        page = await store.list_users(POOL, limit=3, after=after)
        if not page:
            break
        pages.append(page)
        after = page[-1].sub
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [u for p in pages for u in p] == expected
    assert await store.list_users(POOL, limit=100, after=None) == expected
    assert len(await store.list_users(OTHER_POOL, limit=100, after=None)) == 1
    assert await store.list_users("us-east-1_nonexistent", limit=100, after=None) == []


async def test_duplicate_username_raises_username_exists(store: SqlStore) -> None:
    await seed_pool(store)
    first = await add_user(store, "alice", aliases=["alice@example.com"])
    second = make_user("ALICE-again", sub=str(uuid.uuid4()))
    with pytest.raises(UsernameExists) as raised:
        await store.create_user(second, "alice", ["someone-else@example.com"])
    assert type(raised.value) is UsernameExists  # not AliasExists
    assert await store.get_user(POOL, second.sub) is None
    assert await store.find_user(POOL, "-", "someone-else@example.com") is None
    assert await store.find_user(POOL, "alice", "-") == first
    assert await store.count_users(POOL) == 1


@pytest.mark.parametrize("username", ["alias", "user_aliases", "alias_key", "my-alias@example.com"])
async def test_duplicate_username_mentioning_alias_is_still_username_exists(
    store: SqlStore, username: str
) -> None:
    """The username's value must not decide which error is raised."""
    await seed_pool(store)
    await add_user(store, username)
    with pytest.raises(UsernameExists) as raised:
        await store.create_user(make_user(username, sub=str(uuid.uuid4())), username.lower(), ())
    assert type(raised.value) is UsernameExists


async def test_duplicate_alias_raises_alias_exists(store: SqlStore) -> None:
    await seed_pool(store)
    first = await add_user(store, "alice", aliases=["shared@example.com"])
    with pytest.raises(AliasExists):
        await add_user(store, "bob", aliases=["shared@example.com"])
    assert await store.find_user(POOL, "-", "shared@example.com") == first
    assert await store.find_user(POOL, "bob", "-") is None


async def test_failed_create_leaves_nothing_behind(store: SqlStore) -> None:
    """The user row and its aliases are one transaction: no partial user when an alias clashes."""
    await seed_pool(store)
    await add_user(store, "alice", aliases=["alice@example.com"])
    bob = make_user("bob")
    with pytest.raises(AliasExists):
        # the first alias is free, the second clashes: neither the user nor the first alias stay
        await store.create_user(bob, "bob", ["bob@example.com", "alice@example.com"])

    assert await store.get_user(POOL, bob.sub) is None
    assert await store.find_user(POOL, "bob", "bob@example.com") is None
    assert await store.count_users(POOL) == 1
    assert await count_rows(store, users) == 1
    assert await count_rows(store, user_aliases) == 1
    assert await count_rows(store, user_aliases, user_sub=bob.sub) == 0

    # and the username is free to be used again
    await store.create_user(bob, "bob", ["bob@example.com"])
    assert await store.find_user(POOL, "-", "bob@example.com") == bob


async def test_same_username_and_alias_in_two_pools(store: SqlStore) -> None:
    await seed_pool(store)
    await store.create_pool(make_pool(OTHER_POOL))
    one = await add_user(store, "alice", POOL, aliases=["alice@example.com"])
    two = await add_user(store, "alice", OTHER_POOL, aliases=["alice@example.com"])
    assert one.sub != two.sub
    assert await store.find_user(POOL, "alice", "-") == one
    assert await store.find_user(OTHER_POOL, "alice", "-") == two
    assert await store.find_user(POOL, "-", "alice@example.com") == one
    assert await store.find_user(OTHER_POOL, "-", "alice@example.com") == two


# Refresh sessions ---------------------------------------------------------------------------


async def test_session_create_and_get_by_token_hash(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice")
    # a hash with NUL and high bytes, compared as bytes
    token_hash = b"\x00\xff" + bytes(range(1, 31))
    session = await add_session(
        store, "0b5b5e64-0000-4000-8000-000000000001", user, token_hash=token_hash
    )
    got = await store.get_session_by_token_hash(token_hash)
    assert got == session
    assert got is not None and type(got.token_hash) is bytes and got.revoked_at is None
    assert await store.get_session_by_token_hash(hashlib.sha256(b"unknown").digest()) is None
    assert await store.get_session_by_token_hash(token_hash[:-1] + b"\x00") is None


async def test_session_with_revoked_at_round_trips(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice")
    session = await add_session(store, "s1", user, revoked_at=T0 + 5.5)
    assert await store.get_session_by_token_hash(session.token_hash) == session


async def test_get_session_and_user(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(
        store,
        "alice",
        attributes={"email": "a@example.com", "name": "Ä"},
        status=UserStatus.FORCE_CHANGE_PASSWORD,
    )
    other = await add_user(store, "bob")
    session = await add_session(store, "s-alice", user)
    await add_session(store, "s-bob", other)

    found = await store.get_session_and_user("s-alice")
    assert found is not None
    got_session, got_user = found
    assert got_session == session
    assert got_user == user
    assert await store.get_session_and_user("nope") is None


async def test_get_session_and_user_sees_user_updates(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice")
    await add_session(store, "s1", user)
    disabled = replace(user, enabled=False, updated_at=T0 + 9)
    await store.update_user(disabled)
    found = await store.get_session_and_user("s1")
    assert found is not None and found[1] == disabled


async def test_revoke_session_is_idempotent_and_keeps_first_time(store: SqlStore) -> None:
    await seed_pool(store)
    user = await add_user(store, "alice")
    session = await add_session(store, "s1", user)
    bystander = await add_session(store, "s2", user)

    await store.revoke_session("s1", T0 + 10)
    await store.revoke_session("s1", T0 + 20)
    revoked = await store.get_session_by_token_hash(session.token_hash)
    assert revoked == replace(session, revoked_at=T0 + 10)
    found = await store.get_session_and_user("s1")
    assert found is not None and found[0].revoked_at == T0 + 10
    assert await store.get_session_by_token_hash(bystander.token_hash) == bystander

    await store.revoke_session("no-such-session", T0 + 30)  # no error


async def test_revoke_user_sessions_counts_only_unrevoked_of_that_user(store: SqlStore) -> None:
    await seed_pool(store)
    alice = await add_user(store, "alice")
    bob = await add_user(store, "bob")
    a1 = await add_session(store, "a1", alice)
    a2 = await add_session(store, "a2", alice)
    a3 = await add_session(store, "a3", alice, revoked_at=T0 + 3)
    b1 = await add_session(store, "b1", bob)

    assert await store.revoke_user_sessions(POOL, alice.sub, T0 + 100) == 2
    assert await store.get_session_by_token_hash(a1.token_hash) == replace(a1, revoked_at=T0 + 100)
    assert await store.get_session_by_token_hash(a2.token_hash) == replace(a2, revoked_at=T0 + 100)
    assert await store.get_session_by_token_hash(a3.token_hash) == a3  # keeps its first revocation
    assert await store.get_session_by_token_hash(b1.token_hash) == b1

    assert await store.revoke_user_sessions(POOL, alice.sub, T0 + 200) == 0
    assert await store.get_session_by_token_hash(a1.token_hash) == replace(a1, revoked_at=T0 + 100)


async def test_revoke_user_sessions_is_scoped_to_the_pool(store: SqlStore) -> None:
    await seed_pool(store)
    await store.create_pool(make_pool(OTHER_POOL))
    alice = await add_user(store, "alice")
    session = await add_session(store, "a1", alice)
    assert await store.revoke_user_sessions(OTHER_POOL, alice.sub, T0 + 1) == 0
    assert await store.get_session_by_token_hash(session.token_hash) == session
    assert await store.revoke_user_sessions(POOL, str(uuid.uuid4()), T0 + 1) == 0


# Cascades -----------------------------------------------------------------------------------


async def test_delete_user_removes_its_sessions_and_aliases(store: SqlStore) -> None:
    await seed_pool(store)
    alice = await add_user(store, "alice", aliases=["alice@example.com", "+15550100"])
    bob = await add_user(store, "bob", aliases=["bob@example.com"])
    a1 = await add_session(store, "a1", alice)
    await add_session(store, "a2", alice)
    b1 = await add_session(store, "b1", bob)

    assert await store.delete_user(POOL, alice.sub) is True

    assert await store.get_session_by_token_hash(a1.token_hash) is None
    assert await store.get_session_and_user("a1") is None
    assert await store.find_user(POOL, "-", "alice@example.com") is None
    assert await count_rows(store, refresh_sessions, user_sub=alice.sub) == 0
    assert await count_rows(store, user_aliases, user_sub=alice.sub) == 0
    # bob is untouched
    assert await store.get_session_by_token_hash(b1.token_hash) == b1
    assert await store.find_user(POOL, "-", "bob@example.com") == bob
    assert await count_rows(store, refresh_sessions) == 1
    assert await count_rows(store, user_aliases) == 1

    # the freed alias and username can be taken again
    await add_user(store, "carol", aliases=["alice@example.com"])
    await add_user(store, "alice", sub=str(uuid.uuid4()))


async def test_delete_client_removes_its_sessions(store: SqlStore) -> None:
    await seed_pool(store)
    await store.create_client(make_client(OTHER_CLIENT))
    alice = await add_user(store, "alice")
    s1 = await add_session(store, "s1", alice, CLIENT)
    s2 = await add_session(store, "s2", alice, OTHER_CLIENT)

    assert await store.delete_client(CLIENT) is True

    assert await store.get_session_by_token_hash(s1.token_hash) is None
    assert await count_rows(store, refresh_sessions, client_id=CLIENT) == 0
    assert await store.get_session_by_token_hash(s2.token_hash) == s2
    assert await store.get_user(POOL, alice.sub) == alice
    assert await store.get_pool(POOL) == make_pool()


async def test_delete_pool_removes_clients_users_aliases_and_sessions(store: SqlStore) -> None:
    await seed_pool(store, POOL, CLIENT)
    await seed_pool(store, OTHER_POOL, OTHER_CLIENT)
    alice = await add_user(store, "alice", POOL, aliases=["alice@example.com"])
    bob = await add_user(store, "bob", POOL, aliases=["bob@example.com", "+15550101"])
    await add_session(store, "a1", alice, CLIENT)
    await add_session(store, "b1", bob, CLIENT)
    kept_user = await add_user(store, "alice", OTHER_POOL, aliases=["alice@example.com"])
    kept_session = await add_session(store, "k1", kept_user, OTHER_CLIENT)

    assert await store.delete_pool(POOL) is True

    # through the store
    assert await store.get_pool(POOL) is None
    assert await store.get_client(CLIENT) is None
    assert await store.list_clients(POOL, limit=60, after=None) == []
    assert await store.get_user(POOL, alice.sub) is None
    assert await store.list_users(POOL, limit=60, after=None) == []
    assert await store.count_users(POOL) == 0
    assert await store.find_user(POOL, "alice", "alice@example.com") is None
    assert await store.get_session_and_user("a1") is None
    # straight from the tables
    assert await count_rows(store, user_pools, id=POOL) == 0
    assert await count_rows(store, app_clients, pool_id=POOL) == 0
    assert await count_rows(store, users, pool_id=POOL) == 0
    assert await count_rows(store, user_aliases, pool_id=POOL) == 0
    assert await count_rows(store, refresh_sessions, pool_id=POOL) == 0
    # the other pool is untouched
    assert await store.get_pool(OTHER_POOL) == make_pool(OTHER_POOL)
    assert await store.get_client(OTHER_CLIENT) == make_client(OTHER_CLIENT, OTHER_POOL)
    assert await store.find_user(OTHER_POOL, "-", "alice@example.com") == kept_user
    assert await store.get_session_and_user("k1") == (kept_session, kept_user)
    assert await count_rows(store, user_pools) == 1
    assert await count_rows(store, app_clients) == 1
    assert await count_rows(store, users) == 1
    assert await count_rows(store, user_aliases) == 1
    assert await count_rows(store, refresh_sessions) == 1


async def test_delete_unknown_things_is_false(store: SqlStore) -> None:
    await seed_pool(store)
    assert await store.delete_pool("us-east-1_nonexistent") is False
    assert await store.delete_client("nope") is False
    assert await store.delete_user(POOL, str(uuid.uuid4())) is False


# Durability ---------------------------------------------------------------------------------


async def test_acknowledged_writes_survive_a_restart(database: Database, store: SqlStore) -> None:
    signing = [
        SigningKey(kid="old", private_pem=AWKWARD_BYTES, created_at=T0),
        SigningKey(kid="new", private_pem=b"new pem", created_at=T0 + 1),
    ]
    await store.add_signing_key(signing[0], retire_others_at=None)
    await store.add_signing_key(signing[1], retire_others_at=T0 + 1)
    admin = AdminKey(access_key_id="AKIADURABLE", secret_access_key="s" * 40, created_at=T0)
    await store.add_admin_key(admin)
    pool = full_pool()
    await store.create_pool(pool)
    client = full_client()
    await store.create_client(client)
    alice = await add_user(
        store,
        "alice",
        aliases=["alice@example.com"],
        attributes={"email": "alice@example.com", "name": "Älice"},
    )
    bob = await add_user(store, "bob")
    updated_bob = replace(bob, status=UserStatus.RESET_REQUIRED, updated_at=T0 + 7)
    await store.update_user(updated_bob)
    session = await add_session(store, "s-alice", alice)
    revoked = await add_session(store, "s-bob", bob)
    await store.revoke_session("s-bob", T0 + 8)
    await store.close()

    reopened = SqlStore(database.engine())
    try:
        assert await reopened.list_signing_keys() == [
            replace(signing[0], retired_at=T0 + 1),
            signing[1],
        ]
        assert await reopened.get_admin_key("AKIADURABLE") == admin
        assert await reopened.get_pool(POOL) == pool
        assert await reopened.get_client(CLIENT) == client
        assert await reopened.find_user(POOL, "-", "alice@example.com") == alice
        assert await reopened.get_user(POOL, bob.sub) == updated_bob
        assert await reopened.count_users(POOL) == 2
        assert await reopened.get_session_and_user("s-alice") == (session, alice)
        assert await reopened.get_session_by_token_hash(revoked.token_hash) == replace(
            revoked, revoked_at=T0 + 8
        )
    finally:
        await reopened.close()


# Concurrency --------------------------------------------------------------------------------


async def test_concurrent_creates_of_distinct_users_all_succeed(store: SqlStore) -> None:
    await seed_pool(store)
    new_users = [make_user(f"user{n:02d}") for n in range(20)]
    results = await asyncio.gather(
        *(store.create_user(u, u.username, [f"{u.username}@example.com"]) for u in new_users),
        return_exceptions=True,
    )
    assert [r for r in results if r is not None] == []  # no "database is locked", no error
    assert await store.count_users(POOL) == 20
    assert await store.list_users(POOL, limit=100, after=None) == sorted(
        new_users, key=lambda u: u.sub
    )
    assert await count_rows(store, user_aliases) == 20


async def test_concurrent_reads_and_writes(store: SqlStore) -> None:
    await seed_pool(store)
    existing = await add_user(store, "existing", aliases=["existing@example.com"])
    new_users = [make_user(f"user{n:02d}") for n in range(10)]
    writes = [store.create_user(u, u.username, ()) for u in new_users]
    reads = [store.find_user(POOL, "-", "existing@example.com") for _ in range(10)]
    results = await asyncio.gather(*writes, *reads, return_exceptions=True)
    assert results[:10] == [None] * 10
    assert results[10:] == [existing] * 10
    assert await store.count_users(POOL) == 11


async def test_concurrent_creates_of_the_same_username_one_wins(store: SqlStore) -> None:
    await seed_pool(store)
    contenders = [make_user("alice", sub=str(uuid.UUID(int=n + 1))) for n in range(10)]
    results = await asyncio.gather(
        *(store.create_user(u, "alice", ()) for u in contenders), return_exceptions=True
    )
    winners = [u for u, r in zip(contenders, results, strict=True) if r is None]
    losers = [r for r in results if r is not None]
    assert len(winners) == 1
    assert len(losers) == 9
    assert all(type(r) is UsernameExists for r in losers), losers
    assert await store.count_users(POOL) == 1
    assert await store.find_user(POOL, "alice", "-") == winners[0]


async def test_concurrent_creates_with_the_same_alias_one_wins(store: SqlStore) -> None:
    await seed_pool(store)
    contenders = [make_user(f"user{n}") for n in range(10)]
    results = await asyncio.gather(
        *(store.create_user(u, u.username, ["shared@example.com"]) for u in contenders),
        return_exceptions=True,
    )
    winners = [u for u, r in zip(contenders, results, strict=True) if r is None]
    losers = [r for r in results if r is not None]
    assert len(winners) == 1
    assert all(type(r) is AliasExists for r in losers), losers
    assert await store.count_users(POOL) == 1
    assert await count_rows(store, user_aliases) == 1
    assert await store.find_user(POOL, "-", "shared@example.com") == winners[0]


async def test_tables_are_those_of_the_schema(store: SqlStore) -> None:
    """Every table the store writes exists and starts empty after migrating."""
    for table in (
        signing_keys,
        admin_keys,
        user_pools,
        app_clients,
        users,
        user_aliases,
        refresh_sessions,
    ):
        assert await count_rows(store, table) == 0


async def test_concurrent_writes_through_two_stores_on_one_database(
    database: Database, store: SqlStore
) -> None:
    """Two engines on the same database (two processes, or the CLI beside the server) queue
    their writes instead of failing."""
    await seed_pool(store)
    second = SqlStore(database.engine())
    try:
        new_users = [make_user(f"user{n:02d}") for n in range(20)]
        results = await asyncio.gather(
            *(
                (store if n % 2 else second).create_user(u, u.username, [f"{u.username}@x"])
                for n, u in enumerate(new_users)
            ),
            return_exceptions=True,
        )
        assert [r for r in results if r is not None] == []
        assert await second.count_users(POOL) == 20
        assert await store.count_users(POOL) == 20
    finally:
        await second.close()


# Timestamps ---------------------------------------------------------------------------------


async def test_timestamps_keep_double_precision(store: SqlStore) -> None:
    """Epoch seconds with microseconds (what ``time.time()`` returns) come back unchanged."""
    t = 1_731_234_567.891_234_5
    await store.add_signing_key(
        SigningKey(kid="k", private_pem=b"k", created_at=t, retired_at=t + 1e-6),
        retire_others_at=None,
    )
    await store.add_admin_key(
        AdminKey(access_key_id="AKIATIME", secret_access_key="s", created_at=t)
    )
    await store.create_pool(make_pool(created_at=t, updated_at=t + 1e-6))
    await store.create_client(make_client(created_at=t, updated_at=t + 2e-6))
    user = await add_user(store, "alice", created_at=t, updated_at=t + 3e-6)
    session = await add_session(
        store,
        "s1",
        user,
        auth_time=t,
        created_at=t + 4e-6,
        expires_at=t + 2_592_000.000_001,
        revoked_at=t + 5e-6,
    )

    [key] = await store.list_signing_keys()
    assert (key.created_at, key.retired_at) == (t, t + 1e-6)
    admin = await store.get_admin_key("AKIATIME")
    assert admin is not None and admin.created_at == t
    pool = await store.get_pool(POOL)
    assert pool is not None and (pool.created_at, pool.updated_at) == (t, t + 1e-6)
    client = await store.get_client(CLIENT)
    assert client is not None and (client.created_at, client.updated_at) == (t, t + 2e-6)
    assert await store.get_user(POOL, user.sub) == user
    assert await store.get_session_by_token_hash(session.token_hash) == session
