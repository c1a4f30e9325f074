"""User attributes after sign-up: (Admin)UpdateUserAttributes, (Admin)DeleteUserAttributes,
GetUserAttributeVerificationCode, VerifyUserAttribute, aliases, custom attributes, and the
client's ReadAttributes/WriteAttributes."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, Pool, error, last_code, make_pool, make_user, sign_in


def attrs(listing: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in listing}


@pytest.fixture
def verifying(cognito: Any) -> Pool:
    return make_pool(
        cognito,
        pool_args={
            "AutoVerifiedAttributes": ["email"],
            "AliasAttributes": ["email", "preferred_username"],
            "Schema": [
                {
                    "Name": "team",
                    "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "8"},
                },
                {
                    "Name": "level",
                    "AttributeDataType": "Number",
                    "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"},
                },
                {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
            ],
        },
    )


def test_change_email_then_verify(cognito: Any, live: LiveServer, verifying: Pool) -> None:
    make_user(cognito, verifying, "alice", email_verified="true")
    token = sign_in(cognito, verifying)["AccessToken"]
    result = cognito.update_user_attributes(
        AccessToken=token,
        UserAttributes=[
            {"Name": "email", "Value": "alice@new.example"},
            {"Name": "custom:team", "Value": "blue"},
        ],
    )
    assert result["CodeDeliveryDetailsList"] == [
        {"Destination": "a***@n***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    me = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert me["email"] == "alice@new.example" and me["email_verified"] == "false"
    assert me["custom:team"] == "blue"
    # Unverified, the new email is not yet an alias to sign in with.
    with pytest.raises(ClientError):
        sign_in(cognito, verifying, "alice@new.example")
    code = last_code(live, "alice@new.example")
    with pytest.raises(ClientError) as exc:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code="000000")
    assert error(exc)[0] == "CodeMismatchException" or code == "000000"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    me = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert me["email_verified"] == "true"
    assert sign_in(cognito, verifying, "alice@new.example")["AccessToken"]


def test_verification_code_on_request(cognito: Any, live: LiveServer, verifying: Pool) -> None:
    make_user(cognito, verifying, "alice")
    token = sign_in(cognito, verifying)["AccessToken"]
    details = cognito.get_user_attribute_verification_code(
        AccessToken=token, AttributeName="email"
    )["CodeDeliveryDetails"]
    assert details["Destination"] == "a***@e***"
    cognito.verify_user_attribute(
        AccessToken=token, AttributeName="email", Code=last_code(live, "alice@example.com")
    )
    assert sign_in(cognito, verifying, "alice@example.com")["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.get_user_attribute_verification_code(
            AccessToken=token, AttributeName="phone_number"
        )
    assert error(exc)[0] == "InvalidParameterException"


def test_taken_alias(cognito: Any, live: LiveServer, verifying: Pool) -> None:
    make_user(cognito, verifying, "alice", preferred_username="ally")
    make_user(cognito, verifying, "bob")
    token = sign_in(cognito, verifying, "bob")["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.update_user_attributes(
            AccessToken=token, UserAttributes=[{"Name": "preferred_username", "Value": "ALLY"}]
        )
    assert error(exc)[0] == "AliasExistsException"
    me = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert "preferred_username" not in me  # nothing changed
    # A verified email is an alias too: bob cannot verify alice's verified address.
    cognito.admin_update_user_attributes(
        UserPoolId=verifying.id,
        Username="alice",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "alice@example.com"}]
    )
    with pytest.raises(ClientError) as exc:
        cognito.verify_user_attribute(
            AccessToken=token, AttributeName="email", Code=last_code(live, "alice@example.com")
        )
    assert error(exc) == ("AliasExistsException", "An account with the given email already exists.")


def test_schema_is_enforced(cognito: Any, verifying: Pool) -> None:
    make_user(cognito, verifying, "alice", **{"custom:badge": "gold"})
    token = sign_in(cognito, verifying)["AccessToken"]
    for name, value in (
        ("custom:team", "x"),
        ("custom:team", "much-too-long"),
        ("custom:level", "11"),
        ("custom:level", "ten"),
        ("custom:unknown", "1"),
        ("custom:badge", "silver"),
        ("sub", "x"),
    ):
        with pytest.raises(ClientError) as exc:
            cognito.update_user_attributes(
                AccessToken=token, UserAttributes=[{"Name": name, "Value": value}]
            )
        assert error(exc)[0] == "InvalidParameterException", (name, value)
    with pytest.raises(ClientError) as exc:
        cognito.update_user_attributes(
            AccessToken=token, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
        )
    assert error(exc)[0] == "NotAuthorizedException"
    me = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert me["custom:badge"] == "gold" and "custom:team" not in me


def test_delete_attributes(cognito: Any, verifying: Pool) -> None:
    make_user(cognito, verifying, "alice", email_verified="true", name="Alice", nickname="Al")
    token = sign_in(cognito, verifying)["AccessToken"]
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    cognito.admin_delete_user_attributes(
        UserPoolId=verifying.id, Username="alice", UserAttributeNames=["email", "nickname"]
    )
    me = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert set(me) == {"sub"}
    with pytest.raises(ClientError):
        sign_in(cognito, verifying, "alice@example.com")  # the alias went with the email
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["sub"])
    assert error(exc)[0] == "InvalidParameterException"


def test_admin_can_verify_while_changing(cognito: Any, live: LiveServer, verifying: Pool) -> None:
    make_user(cognito, verifying, "alice")
    cognito.admin_update_user_attributes(
        UserPoolId=verifying.id,
        Username="alice",
        UserAttributes=[
            {"Name": "email", "Value": "a2@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert sign_in(cognito, verifying, "a2@example.com")["AccessToken"]


def test_client_read_and_write_attributes(cognito: Any, pool: Pool) -> None:
    limited = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="limited",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        ReadAttributes=["email", "nickname"],
        WriteAttributes=["nickname"],
    )["UserPoolClient"]["ClientId"]
    make_user(cognito, pool, "alice", name="Alice", nickname="Al")
    tokens = sign_in(cognito, Pool(pool.id, limited))
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["nickname"] == "Al" and "name" not in claims
    me = attrs(cognito.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"])
    assert set(me) == {"sub", "email", "nickname"}
    cognito.update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "nickname", "Value": "Ali"}]
    )
    with pytest.raises(ClientError) as exc:
        cognito.update_user_attributes(
            AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "name", "Value": "X"}]
        )
    assert error(exc) == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_attributes(
            AccessToken=tokens["AccessToken"], UserAttributeNames=["name"]
        )
    assert error(exc)[0] == "NotAuthorizedException"
    full = attrs(cognito.admin_get_user(UserPoolId=pool.id, Username="alice")["UserAttributes"])
    assert full["nickname"] == "Ali" and full["name"] == "Alice"


def test_email_username_pool_keeps_its_email(cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    cognito.sign_up(ClientId=pool.client_id, Username="eve@example.com", Password="Corr3ct-horse!")
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="eve@example.com")
    token = sign_in(cognito, pool, "eve@example.com")["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["email"])
    assert error(exc)[0] == "InvalidParameterException"
    cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "eve@new.example"}]
    )
    assert sign_in(cognito, pool, "eve@new.example")["AccessToken"]
