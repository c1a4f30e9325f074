"""User pool groups through boto3: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup, and the
``cognito:groups`` / ``cognito:roles`` / ``cognito:preferred_role`` claims in issued tokens."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, Pool, make_pool, make_user, sign_in

ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admins"
EDITOR_ROLE = "arn:aws:iam::123456789012:role/Editors"
READER_ROLE = "arn:aws:iam::123456789012:role/Readers"
GROUP_CLAIMS = ("cognito:groups", "cognito:roles", "cognito:preferred_role")


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def group_names(items: list[dict[str, Any]]) -> list[str]:
    return [g["GroupName"] for g in items]


def usernames(items: list[dict[str, Any]]) -> list[str]:
    return [u["Username"] for u in items]


def refresh(cognito: Any, pool: Pool, refresh_token: str) -> dict[str, Any]:
    result = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return dict(result["AuthenticationResult"])


# CRUD ---------------------------------------------------------------------------------------


def test_create_and_get_group(live: LiveServer, cognito: Any, pool: Pool) -> None:
    created = cognito.create_group(
        UserPoolId=pool.id,
        GroupName="Admins",
        Description="The administrators",
        RoleArn=ADMIN_ROLE,
        Precedence=0,
    )["Group"]
    now = datetime.datetime.fromtimestamp(live.clock(), datetime.UTC)
    assert created == {
        "GroupName": "Admins",
        "UserPoolId": pool.id,
        "Description": "The administrators",
        "RoleArn": ADMIN_ROLE,
        "Precedence": 0,
        "LastModifiedDate": now,
        "CreationDate": now,
    }
    assert cognito.get_group(UserPoolId=pool.id, GroupName="Admins")["Group"] == created


def test_optional_fields_are_left_out(cognito: Any, pool: Pool) -> None:
    created = cognito.create_group(UserPoolId=pool.id, GroupName="plain")["Group"]
    assert set(created) == {"GroupName", "UserPoolId", "LastModifiedDate", "CreationDate"}
    listed = cognito.list_groups(UserPoolId=pool.id)["Groups"]
    assert listed == [created]


def test_group_names_take_any_printable_characters(cognito: Any, pool: Pool) -> None:
    for name in ("Ädmins/☃", "a.b@c+d=e", "日本"):
        cognito.create_group(UserPoolId=pool.id, GroupName=name)
        assert cognito.get_group(UserPoolId=pool.id, GroupName=name)["Group"]["GroupName"] == name
    with pytest.raises(ClientError) as exc:
        cognito.get_group(UserPoolId=pool.id, GroupName="ädmins/☃")  # case matters
    assert error(exc) == ("ResourceNotFoundException", "Group not found.")


def test_update_group_changes_only_what_is_given(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    created = cognito.create_group(
        UserPoolId=pool.id, GroupName="staff", Description="Staff", RoleArn=READER_ROLE
    )["Group"]
    live.clock.advance(60)
    updated = cognito.update_group(UserPoolId=pool.id, GroupName="staff", Precedence=7)["Group"]
    assert updated["Precedence"] == 7
    assert updated["Description"] == "Staff" and updated["RoleArn"] == READER_ROLE
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] == created["LastModifiedDate"] + datetime.timedelta(
        seconds=60
    )
    again = cognito.update_group(
        UserPoolId=pool.id, GroupName="staff", Description="All staff", RoleArn=EDITOR_ROLE
    )["Group"]
    assert (again["Description"], again["RoleArn"], again["Precedence"]) == (
        "All staff",
        EDITOR_ROLE,
        7,
    )
    assert cognito.get_group(UserPoolId=pool.id, GroupName="staff")["Group"] == again


def test_delete_group(cognito: Any, pool: Pool) -> None:
    cognito.create_group(UserPoolId=pool.id, GroupName="temp")
    assert cognito.delete_group(UserPoolId=pool.id, GroupName="temp")["ResponseMetadata"]
    with pytest.raises(ClientError) as exc:
        cognito.get_group(UserPoolId=pool.id, GroupName="temp")
    assert error(exc) == ("ResourceNotFoundException", "Group not found.")
    with pytest.raises(ClientError) as exc:
        cognito.delete_group(UserPoolId=pool.id, GroupName="temp")
    assert error(exc) == ("ResourceNotFoundException", "Group not found.")


def test_duplicate_group_is_refused_and_changes_nothing(cognito: Any, pool: Pool) -> None:
    first = cognito.create_group(UserPoolId=pool.id, GroupName="admins", Precedence=1)["Group"]
    with pytest.raises(ClientError) as exc:
        cognito.create_group(
            UserPoolId=pool.id, GroupName="admins", Description="second", Precedence=2
        )
    assert error(exc) == ("GroupExistsException", "A group with the name already exists.")
    assert cognito.get_group(UserPoolId=pool.id, GroupName="admins")["Group"] == first
    # Names are case-sensitive and per pool.
    cognito.create_group(UserPoolId=pool.id, GroupName="Admins")
    other = make_pool(cognito)
    cognito.create_group(UserPoolId=other.id, GroupName="admins")
    assert group_names(cognito.list_groups(UserPoolId=pool.id)["Groups"]) == ["Admins", "admins"]


def test_invalid_input_is_refused_before_any_change(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.create_group(
            UserPoolId=pool.id, GroupName="bad", RoleArn="not-an-arn-but-long-enough"
        )
    assert error(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        cognito.create_group(UserPoolId=pool.id, GroupName="has space")
    assert error(exc)[0] == "ValidationException"
    cognito.create_group(UserPoolId=pool.id, GroupName="kept", Precedence=3)
    with pytest.raises(ClientError) as exc:
        cognito.update_group(
            UserPoolId=pool.id, GroupName="kept", RoleArn="arn:aws:iam::not-a-number:role/x"
        )
    assert error(exc)[0] == "ValidationException"
    assert group_names(cognito.list_groups(UserPoolId=pool.id)["Groups"]) == ["kept"]
    assert "RoleArn" not in cognito.get_group(UserPoolId=pool.id, GroupName="kept")["Group"]


def test_precedence_must_fit_an_integer(cognito: Any, pool: Pool) -> None:
    """Cognito's Precedence is a 32-bit Integer; a larger one is refused as AWS's deserializer
    refuses it (SerializationException), not stored."""
    top = 2**31 - 1
    assert cognito.create_group(UserPoolId=pool.id, GroupName="top", Precedence=top)
    with pytest.raises(ClientError) as exc:
        cognito.create_group(UserPoolId=pool.id, GroupName="over", Precedence=top + 1)
    assert error(exc)[0] == "SerializationException"
    with pytest.raises(ClientError) as exc:
        cognito.update_group(UserPoolId=pool.id, GroupName="top", Precedence=2**40)
    assert error(exc)[0] == "SerializationException"
    assert group_names(cognito.list_groups(UserPoolId=pool.id)["Groups"]) == ["top"]
    assert cognito.get_group(UserPoolId=pool.id, GroupName="top")["Group"]["Precedence"] == top


# Errors -------------------------------------------------------------------------------------


GROUP_CALLS: dict[str, Callable[[Any, str, str, str], Any]] = {
    "CreateGroup": lambda c, p, g, u: c.create_group(UserPoolId=p, GroupName=g),
    "GetGroup": lambda c, p, g, u: c.get_group(UserPoolId=p, GroupName=g),
    "ListGroups": lambda c, p, g, u: c.list_groups(UserPoolId=p),
    "UpdateGroup": lambda c, p, g, u: c.update_group(UserPoolId=p, GroupName=g, Precedence=1),
    "DeleteGroup": lambda c, p, g, u: c.delete_group(UserPoolId=p, GroupName=g),
    "AdminAddUserToGroup": lambda c, p, g, u: c.admin_add_user_to_group(
        UserPoolId=p, GroupName=g, Username=u
    ),
    "AdminRemoveUserFromGroup": lambda c, p, g, u: c.admin_remove_user_from_group(
        UserPoolId=p, GroupName=g, Username=u
    ),
    "AdminListGroupsForUser": lambda c, p, g, u: c.admin_list_groups_for_user(
        UserPoolId=p, Username=u
    ),
    "ListUsersInGroup": lambda c, p, g, u: c.list_users_in_group(UserPoolId=p, GroupName=g),
}


@pytest.mark.parametrize("action", sorted(GROUP_CALLS))
def test_unknown_pool(cognito: Any, action: str) -> None:
    with pytest.raises(ClientError) as exc:
        GROUP_CALLS[action](cognito, "us-east-1_Missing00", "admins", "alice")
    assert error(exc) == (
        "ResourceNotFoundException",
        "User pool us-east-1_Missing00 does not exist.",
    )


@pytest.mark.parametrize(
    "action",
    [
        "GetGroup",
        "UpdateGroup",
        "DeleteGroup",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "ListUsersInGroup",
    ],
)
def test_unknown_group(cognito: Any, pool: Pool, action: str) -> None:
    make_user(cognito, pool)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        GROUP_CALLS[action](cognito, pool.id, "nobody-made-this", "alice")
    assert error(exc) == ("ResourceNotFoundException", "Group not found.")
    assert group_names(cognito.list_groups(UserPoolId=pool.id)["Groups"]) == ["admins"]


@pytest.mark.parametrize(
    "action", ["AdminAddUserToGroup", "AdminRemoveUserFromGroup", "AdminListGroupsForUser"]
)
def test_unknown_user(cognito: Any, pool: Pool, action: str) -> None:
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        GROUP_CALLS[action](cognito, pool.id, "admins", "ghost")
    assert error(exc) == ("UserNotFoundException", "User does not exist.")
    assert cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"] == []


@pytest.mark.parametrize("token", ["!!!", "QR", "_w", "ZGVtbw==", "x" * 2000])
def test_bad_group_pagination_token(cognito: Any, pool: Pool, token: str) -> None:
    """Not what the server hands out: bad characters, non-canonical base64 ("QR" decodes like
    "QQ"), bytes that are not UTF-8 ("_w"), padding, or too long."""
    make_user(cognito, pool)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    for call in (
        lambda: cognito.list_groups(UserPoolId=pool.id, NextToken=token),
        lambda: cognito.admin_list_groups_for_user(
            UserPoolId=pool.id, Username="alice", NextToken=token
        ),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("InvalidParameterException", "Invalid pagination token.")


def test_bad_members_pagination_token(cognito: Any, pool: Pool) -> None:
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins", NextToken="bad!token")
    assert error(exc) == ("InvalidParameterException", "Invalid pagination token.")


# Pagination ---------------------------------------------------------------------------------


NAMES = ["zeta", "Alpha", "beta", "Ärger", "-dash", "日本", "mid.dle@x"]


def test_list_groups_pages_with_limit_and_next_token(cognito: Any, pool: Pool) -> None:
    for name in NAMES:
        cognito.create_group(UserPoolId=pool.id, GroupName=name)
    other = make_pool(cognito)
    cognito.create_group(UserPoolId=other.id, GroupName="elsewhere")
    seen: list[str] = []
    request: dict[str, Any] = {"UserPoolId": pool.id, "Limit": 3}
    pages = 0
    while True:
        page = cognito.list_groups(**request)
        pages += 1
        assert len(page["Groups"]) <= 3
        seen += group_names(page["Groups"])
        if "NextToken" not in page:
            break
        request["NextToken"] = page["NextToken"]
    assert pages == 3
    assert seen == sorted(NAMES)
    paginated = cognito.get_paginator("list_groups").paginate(
        UserPoolId=pool.id, PaginationConfig={"PageSize": 2}
    )
    assert [n for p in paginated for n in group_names(p["Groups"])] == sorted(NAMES)
    everything = cognito.list_groups(UserPoolId=pool.id)
    assert group_names(everything["Groups"]) == sorted(NAMES) and "NextToken" not in everything
    assert group_names(cognito.list_groups(UserPoolId=pool.id, Limit=0)["Groups"]) == sorted(NAMES)


def test_admin_list_groups_for_user_pages(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    make_user(cognito, pool, "bob")
    for name in NAMES:
        cognito.create_group(UserPoolId=pool.id, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName=name)
    cognito.create_group(UserPoolId=pool.id, GroupName="bobs")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="bob", GroupName="bobs")

    first = cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="alice", Limit=4)
    assert group_names(first["Groups"]) == sorted(NAMES)[:4]
    second = cognito.admin_list_groups_for_user(
        UserPoolId=pool.id, Username="alice", Limit=4, NextToken=first["NextToken"]
    )
    assert group_names(second["Groups"]) == sorted(NAMES)[4:]
    assert "NextToken" not in second
    paginated = cognito.get_paginator("admin_list_groups_for_user").paginate(
        UserPoolId=pool.id, Username="alice", PaginationConfig={"PageSize": 2}
    )
    assert [n for p in paginated for n in group_names(p["Groups"])] == sorted(NAMES)
    full = cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="alice")["Groups"]
    assert full[0] == cognito.get_group(UserPoolId=pool.id, GroupName=sorted(NAMES)[0])["Group"]
    bobs = cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="bob")
    assert group_names(bobs["Groups"]) == ["bobs"]


def test_list_users_in_group_pages(cognito: Any, pool: Pool) -> None:
    cognito.create_group(UserPoolId=pool.id, GroupName="team")
    subs = {}
    for name in ("u1", "u2", "u3", "u4", "u5"):
        subs[name] = make_user(cognito, pool, name)
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username=name, GroupName="team")
    make_user(cognito, pool, "outsider")
    by_sub = sorted(subs, key=subs.__getitem__)

    first = cognito.list_users_in_group(UserPoolId=pool.id, GroupName="team", Limit=2)
    assert usernames(first["Users"]) == by_sub[:2]
    user = first["Users"][0]
    assert user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True
    assert {"Name": "sub", "Value": subs[by_sub[0]]} in user["Attributes"]
    paginated = cognito.get_paginator("list_users_in_group").paginate(
        UserPoolId=pool.id, GroupName="team", PaginationConfig={"PageSize": 2}
    )
    pages = [usernames(p["Users"]) for p in paginated]
    assert pages == [by_sub[:2], by_sub[2:4], by_sub[4:]]


# Memberships --------------------------------------------------------------------------------


def test_add_and_remove_members(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName="admins")
    listed = cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"]
    assert usernames(listed) == ["alice"]
    cognito.admin_remove_user_from_group(UserPoolId=pool.id, Username="alice", GroupName="admins")
    cognito.admin_remove_user_from_group(UserPoolId=pool.id, Username="alice", GroupName="admins")
    assert cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"] == []
    assert cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="alice")["Groups"] == []


def test_members_named_by_their_sign_in_email(cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    email = "carol@example.com"
    sub = make_user(cognito, pool, email, email=email)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username=email, GroupName="admins")
    listed = cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"]
    assert usernames(listed) == [sub]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username=email)["Groups"]
    assert group_names(groups) == ["admins"]


def test_deleted_user_leaves_its_groups(live: LiveServer, cognito: Any, pool: Pool) -> None:
    sub = make_user(cognito, pool)
    make_user(cognito, pool, "bob")
    for name in ("admins", "staff"):
        cognito.create_group(UserPoolId=pool.id, GroupName=name)
        for user in ("alice", "bob"):
            cognito.admin_add_user_to_group(UserPoolId=pool.id, Username=user, GroupName=name)
    cognito.admin_delete_user(UserPoolId=pool.id, Username="alice")
    for name in ("admins", "staff"):
        listed = cognito.list_users_in_group(UserPoolId=pool.id, GroupName=name)["Users"]
        assert usernames(listed) == ["bob"]
    assert live.run(live.store.list_user_groups(pool.id, sub)) == []
    make_user(cognito, pool)  # the same username again is a new user, in no group
    assert cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="alice")["Groups"] == []


def test_deleted_group_leaves_its_members(live: LiveServer, cognito: Any, pool: Pool) -> None:
    sub = make_user(cognito, pool)
    for name in ("admins", "staff"):
        cognito.create_group(UserPoolId=pool.id, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName=name)
    cognito.delete_group(UserPoolId=pool.id, GroupName="admins")
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="alice")["Groups"]
    assert group_names(groups) == ["staff"]
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")  # a new group, no members
    assert cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"] == []
    assert [g.name for g in live.run(live.store.list_user_groups(pool.id, sub))] == ["staff"]


def test_deleted_pool_takes_its_groups(live: LiveServer, cognito: Any, pool: Pool) -> None:
    sub = make_user(cognito, pool)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName="admins")
    cognito.delete_user_pool(UserPoolId=pool.id)
    assert live.run(live.store.list_user_groups(pool.id, sub)) == []
    assert live.run(live.store.list_groups(pool.id, 60, None)) == []


# Token claims -------------------------------------------------------------------------------


def test_no_group_claims_without_groups(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    cognito.create_group(UserPoolId=pool.id, GroupName="unrelated", RoleArn=ADMIN_ROLE)
    tokens = sign_in(cognito, pool)
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        assert not set(GROUP_CLAIMS) & set(claims(token))


def test_group_claims_in_precedence_order_after_sign_in_and_refresh(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    make_user(cognito, pool)
    for name, precedence, role in [
        ("zeta", 1, ADMIN_ROLE),
        ("alpha", 5, EDITOR_ROLE),
        ("beta", 1, None),
        ("none-b", None, READER_ROLE),
        ("none-a", None, None),
        ("also-admin", 9, ADMIN_ROLE),
    ]:
        args: dict[str, Any] = {"UserPoolId": pool.id, "GroupName": name}
        if precedence is not None:
            args["Precedence"] = precedence
        if role is not None:
            args["RoleArn"] = role
        cognito.create_group(**args)
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName=name)
    cognito.create_group(UserPoolId=pool.id, GroupName="not-mine", Precedence=0)

    tokens = sign_in(cognito, pool)
    order = ["beta", "zeta", "alpha", "also-admin", "none-a", "none-b"]
    id_claims, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_claims["cognito:groups"] == access["cognito:groups"] == order
    assert id_claims["cognito:roles"] == [ADMIN_ROLE, EDITOR_ROLE, READER_ROLE]
    assert id_claims["cognito:preferred_role"] == ADMIN_ROLE
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access

    # Changes show in the tokens issued by the next refresh.
    cognito.update_group(UserPoolId=pool.id, GroupName="alpha", Precedence=0)
    cognito.admin_remove_user_from_group(UserPoolId=pool.id, Username="alice", GroupName="beta")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName="not-mine")
    live.clock.advance(60)
    again = refresh(cognito, pool, tokens["RefreshToken"])
    id_claims, access = claims(again["IdToken"]), claims(again["AccessToken"])
    order = ["alpha", "not-mine", "zeta", "also-admin", "none-a", "none-b"]
    assert id_claims["cognito:groups"] == access["cognito:groups"] == order
    assert id_claims["cognito:roles"] == [EDITOR_ROLE, ADMIN_ROLE, READER_ROLE]
    assert id_claims["cognito:preferred_role"] == EDITOR_ROLE


def test_group_claims_gone_after_leaving_every_group(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    make_user(cognito, pool)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins", RoleArn=ADMIN_ROLE)
    cognito.create_group(UserPoolId=pool.id, GroupName="staff")
    for name in ("admins", "staff"):
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName=name)
    tokens = sign_in(cognito, pool)
    assert claims(tokens["AccessToken"])["cognito:groups"] == ["admins", "staff"]
    cognito.admin_remove_user_from_group(UserPoolId=pool.id, Username="alice", GroupName="staff")
    cognito.delete_group(UserPoolId=pool.id, GroupName="admins")
    again = refresh(cognito, pool, tokens["RefreshToken"])
    for token in (again["IdToken"], again["AccessToken"]):
        assert not set(GROUP_CLAIMS) & set(claims(token))


@pytest.mark.parametrize(
    ("groups", "preferred"),
    [
        # Same precedence, different roles: neither takes precedence, no preferred role.
        ([("a", 2, ADMIN_ROLE), ("b", 2, EDITOR_ROLE), ("c", 1, None)], None),
        # Same precedence, same role: that role.
        ([("a", 2, ADMIN_ROLE), ("b", 2, ADMIN_ROLE), ("c", 3, EDITOR_ROLE)], ADMIN_ROLE),
        # A lower precedence wins over a tie further down.
        ([("a", 2, ADMIN_ROLE), ("b", 2, EDITOR_ROLE), ("c", 1, READER_ROLE)], READER_ROLE),
        # Groups without precedence come after every group with one.
        ([("a", None, ADMIN_ROLE), ("b", 50, EDITOR_ROLE)], EDITOR_ROLE),
        # Only roles on groups without precedence, different: ambiguous.
        ([("a", None, ADMIN_ROLE), ("b", None, EDITOR_ROLE), ("c", 0, None)], None),
        # A single group without precedence: its role.
        ([("a", None, ADMIN_ROLE)], ADMIN_ROLE),
    ],
)
def test_preferred_role(
    cognito: Any,
    pool: Pool,
    groups: list[tuple[str, int | None, str | None]],
    preferred: str | None,
) -> None:
    make_user(cognito, pool)
    for name, precedence, role in groups:
        args: dict[str, Any] = {"UserPoolId": pool.id, "GroupName": name}
        if precedence is not None:
            args["Precedence"] = precedence
        if role is not None:
            args["RoleArn"] = role
        cognito.create_group(**args)
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username="alice", GroupName=name)
    id_claims = claims(sign_in(cognito, pool)["IdToken"])
    assert id_claims.get("cognito:preferred_role") == preferred
