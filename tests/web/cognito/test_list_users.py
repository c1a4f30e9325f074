"""ListUsers over the wire with boto3: Filter, Limit, PaginationToken, AttributesToGet
(Amazon Cognito API reference, ListUsers)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from idmint.core.model import User, UserStatus
from tests.conftest import PASSWORD, LiveServer, Pool, make_pool, make_user


def code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def usernames(cognito: Any, pool: Pool, filter_text: str, **kwargs: Any) -> set[str]:
    page = cognito.list_users(UserPoolId=pool.id, Filter=filter_text, **kwargs)
    assert "PaginationToken" not in page
    return {u["Username"] for u in page["Users"]}


def attrs(user: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user["Attributes"]}


def seed_users(
    live: LiveServer, pool_id: str, prefix: str, count: int, **attributes: str
) -> list[str]:
    """Put ``count`` users straight into the store (no argon2 per user); return their subs."""
    now = live.clock()
    subs = []
    for n in range(count):
        sub = str(uuid.uuid4())
        user = User(
            pool_id=pool_id,
            sub=sub,
            username=f"{prefix}{n:03d}",
            status=UserStatus.CONFIRMED,
            enabled=True,
            attributes=dict(attributes),
            created_at=now,
            updated_at=now,
        )
        live.run(live.store.create_user(user, user.username, []))
        subs.append(sub)
    return subs


def test_exact_and_prefix_on_standard_attributes(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool, "alice", given_name="Alice", family_name="Reddy", name="Alice R")
    make_user(cognito, pool, "alfred", given_name="Alfred", phone_number="+15550100")
    make_user(cognito, pool, "bob", preferred_username="bobby", family_name="Reddy")
    assert usernames(cognito, pool, 'family_name = "Reddy"') == {"alice", "bob"}
    assert usernames(cognito, pool, 'given_name ^= "Al"') == {"alice", "alfred"}
    assert usernames(cognito, pool, 'given_name = "Al"') == set()
    assert usernames(cognito, pool, 'given_name ^= "al"') == set()  # case-sensitive
    assert usernames(cognito, pool, 'email = "bob@example.com"') == {"bob"}
    assert usernames(cognito, pool, 'email^="al"') == {"alice", "alfred"}
    assert usernames(cognito, pool, '"email"^="al"') == {"alice", "alfred"}
    assert usernames(cognito, pool, 'phone_number ^= "+1555"') == {"alfred"}
    assert usernames(cognito, pool, 'name = "Alice R"') == {"alice"}
    assert usernames(cognito, pool, 'preferred_username = "bobby"') == {"bob"}
    assert usernames(cognito, pool, 'family_name ^= ""') == {"alice", "bob"}  # has one


def test_empty_filter_lists_everyone(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool, "alice")
    make_user(cognito, pool, "bob")
    assert usernames(cognito, pool, "") == {"alice", "bob"}


def test_quotes_backslashes_and_pattern_characters_in_values(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool, "quoted", name='say "hi" \\ 100% a_b')
    make_user(cognito, pool, "lookalike", name="say 'hi' x 100x ayb")
    make_user(cognito, pool, "unicode", name="Zoë 名前 🔐")
    assert usernames(cognito, pool, 'name = "say \\"hi\\" \\\\ 100% a_b"') == {"quoted"}
    assert usernames(cognito, pool, 'name ^= "say \\"hi\\" \\\\ 100%"') == {"quoted"}
    assert usernames(cognito, pool, 'name ^= "say"') == {"quoted", "lookalike"}
    assert usernames(cognito, pool, 'name ^= "%"') == set()
    assert usernames(cognito, pool, 'name ^= "_"') == set()
    assert usernames(cognito, pool, 'name = "Zoë 名前 🔐"') == {"unicode"}
    assert usernames(cognito, pool, 'name ^= "Zoë 名"') == {"unicode"}
    assert usernames(cognito, pool, 'name = "nul\u0000"') == set()


def test_username_follows_the_pools_case_rule(cognito: Any) -> None:
    folding = make_pool(cognito, pool_args={"UsernameConfiguration": {"CaseSensitive": False}})
    make_user(cognito, folding, "Alice")
    make_user(cognito, folding, "bob")
    assert usernames(cognito, folding, 'username = "alice"') == {"Alice"}
    assert usernames(cognito, folding, 'username = "ALICE"') == {"Alice"}
    assert usernames(cognito, folding, 'username ^= "AL"') == {"Alice"}

    exact = make_pool(cognito, pool_args={"UsernameConfiguration": {"CaseSensitive": True}})
    make_user(cognito, exact, "Alice")
    assert usernames(cognito, exact, 'username = "Alice"') == {"Alice"}
    assert usernames(cognito, exact, 'username = "alice"') == set()
    assert usernames(cognito, exact, 'username ^= "A"') == {"Alice"}


def test_username_in_a_pool_that_signs_in_with_email(cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    sub = cognito.sign_up(ClientId=pool.client_id, Username="carol@example.com", Password=PASSWORD)[
        "UserSub"
    ]
    assert usernames(cognito, pool, f'username = "{sub}"') == {sub}
    assert usernames(cognito, pool, 'email = "carol@example.com"') == {sub}
    assert usernames(cognito, pool, 'username = "carol@example.com"') == set()


def test_sub(cognito: Any, pool: Pool) -> None:
    sub = make_user(cognito, pool, "alice")
    make_user(cognito, pool, "bob")
    assert usernames(cognito, pool, f'sub = "{sub}"') == {"alice"}
    assert usernames(cognito, pool, f'sub ^= "{sub[:8]}"') >= {"alice"}


def test_user_status_and_enabled(cognito: Any, pool: Pool) -> None:
    cognito.sign_up(ClientId=pool.client_id, Username="new", Password=PASSWORD)
    make_user(cognito, pool, "ok")
    make_user(cognito, pool, "off")
    cognito.admin_disable_user(UserPoolId=pool.id, Username="off")
    make_user(cognito, pool, "temp")
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username="temp", Password=PASSWORD, Permanent=False
    )
    assert usernames(cognito, pool, 'cognito:user_status = "UNCONFIRMED"') == {"new"}
    assert usernames(cognito, pool, 'cognito:user_status = "CONFIRMED"') == {"ok", "off"}
    assert usernames(cognito, pool, 'cognito:user_status = "confirmed"') == {"ok", "off"}
    assert usernames(cognito, pool, 'cognito:user_status = "FORCE_CHANGE_PASSWORD"') == {"temp"}
    assert usernames(cognito, pool, 'cognito:user_status ^= "un"') == {"new"}
    assert usernames(cognito, pool, 'cognito:user_status = "RESET_REQUIRED"') == set()
    assert usernames(cognito, pool, 'status = "Enabled"') == {"new", "ok", "temp"}
    assert usernames(cognito, pool, 'status = "Disabled"') == {"off"}
    assert usernames(cognito, pool, 'status = "disabled"') == set()  # case-sensitive
    page = cognito.list_users(UserPoolId=pool.id, Filter='status = "Disabled"')
    assert page["Users"][0]["Enabled"] is False


@pytest.mark.parametrize(
    ("filter_text", "message"),
    [
        ("email", "Error while parsing filter."),
        ('email == "a"', "Error while parsing filter."),
        ("email = a@example.com", "Error while parsing filter."),
        ("email = 'a@example.com'", "Error while parsing filter."),
        ('email = "a', "Error while parsing filter."),
        ('email = "a" or name = "b"', "Error while parsing filter."),
        ('email = "\\x"', "Error while parsing filter."),
        (" ", "Error while parsing filter."),
        ('custom:tenant = "acme"', "Invalid search attribute: custom:tenant"),
        ('locale ^= "en"', "Invalid search attribute: locale"),
        ('Email = "a@example.com"', "Invalid search attribute: Email"),
    ],
)
def test_invalid_filters(cognito: Any, pool: Pool, filter_text: str, message: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.list_users(UserPoolId=pool.id, Filter=filter_text)
    assert code(exc) == ("InvalidParameterException", message)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_filter_on_an_unknown_pool(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.list_users(UserPoolId="us-east-1_Nope12345", Filter='email = "a"')
    assert code(exc)[0] == "ResourceNotFoundException"


def test_limit_defaults_to_60_and_pages_follow_the_filter(
    cognito: Any, pool: Pool, live: LiveServer
) -> None:
    matching = set(seed_users(live, pool.id, "reddy", 61, family_name="Reddy"))
    seed_users(live, pool.id, "other", 3, family_name="Other")
    for limit in ({}, {"Limit": 0}, {"Limit": 60}):
        first = cognito.list_users(UserPoolId=pool.id, **limit)
        assert len(first["Users"]) == 60 and "PaginationToken" in first

    seen: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool.id, "Filter": 'family_name = "Reddy"'}
    pages = 0
    while True:
        page = cognito.list_users(**kwargs, Limit=7)
        pages += 1
        seen += [attrs(u)["sub"] for u in page["Users"]]
        if "PaginationToken" not in page:
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    assert pages == 9 and len(seen) == 61 and set(seen) == matching
    assert seen == sorted(seen)

    paginator = cognito.get_paginator("list_users")
    found = [
        u["Username"]
        for page in paginator.paginate(
            UserPoolId=pool.id,
            Filter='family_name = "Other"',
            PaginationConfig={"PageSize": 2},
        )
        for u in page["Users"]
    ]
    assert len(found) == 3


def test_limit_above_60_is_refused(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.list_users(UserPoolId=pool.id, Limit=61)
    assert "Member must have value less than or equal to 60" in code(exc)[1]


def test_attributes_to_get(cognito: Any) -> None:
    pool = make_pool(
        cognito,
        pool_args={"Schema": [{"Name": "tenant", "AttributeDataType": "String"}]},
    )
    sub = make_user(cognito, pool, "alice", given_name="Alice", **{"custom:tenant": "acme"})
    make_user(cognito, pool, "bob")

    everything = cognito.list_users(UserPoolId=pool.id, Filter='username = "alice"')["Users"][0]
    assert attrs(everything) == {
        "sub": sub,
        "email": "alice@example.com",
        "given_name": "Alice",
        "custom:tenant": "acme",
    }

    def only(names: list[str], filter_text: str = 'username = "alice"') -> dict[str, str]:
        page = cognito.list_users(UserPoolId=pool.id, Filter=filter_text, AttributesToGet=names)
        (user,) = page["Users"]
        assert user["Username"] and user["UserStatus"] == "CONFIRMED" and user["Enabled"]
        return attrs(user)

    assert only(["given_name"]) == {"given_name": "Alice"}
    assert only(["email", "custom:tenant"]) == {
        "email": "alice@example.com",
        "custom:tenant": "acme",
    }
    assert only(["sub", "email"]) == {"sub": sub, "email": "alice@example.com"}
    assert only(["family_name"]) == {}  # a schema attribute alice has no value for
    assert only([]) == {}
    assert only(["given_name"], 'username = "bob"') == {}

    for bad in (["nope"], ["email", "custom:other"], ["tenant"], ["Email"]):
        with pytest.raises(ClientError) as exc:
            cognito.list_users(UserPoolId=pool.id, AttributesToGet=bad)
        assert code(exc) == (
            "InvalidParameterException",
            "One or more requested attributes do not exist.",
        )
