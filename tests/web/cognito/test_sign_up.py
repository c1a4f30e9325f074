"""SignUp and AdminConfirmSignUp, password policy, attributes and username rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import PASSWORD, Pool, make_pool, sign_in


def code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_sign_up_then_confirm(cognito: Any, pool: Pool) -> None:
    result = cognito.sign_up(
        ClientId=pool.client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[
            {"Name": "email", "Value": "bob@example.com"},
            {"Name": "name", "Value": "Bob"},
        ],
    )
    assert result["UserConfirmed"] is False
    uuid.UUID(result["UserSub"])
    user = cognito.admin_get_user(UserPoolId=pool.id, Username="bob")
    assert user["UserStatus"] == "UNCONFIRMED" and user["Enabled"] is True
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs == {"sub": result["UserSub"], "email": "bob@example.com", "name": "Bob"}
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, "bob")
    assert code(exc) == ("UserNotConfirmedException", "User is not confirmed.")
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="bob")
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["UserStatus"] == "CONFIRMED"
    assert sign_in(cognito, pool, "bob")["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="bob")
    assert code(exc)[0] == "NotAuthorizedException"


def test_unconfirmed_user_with_wrong_password_gets_incorrect(cognito: Any, pool: Pool) -> None:
    cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, "bob", "Wr0ng-password!")
    assert code(exc) == ("NotAuthorizedException", "Incorrect username or password.")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt!", "Password not long enough"),
        ("nouppercase1!", "Password must have uppercase characters"),
        ("NOLOWERCASE1!", "Password must have lowercase characters"),
        ("NoNumbers!!", "Password must have numeric characters"),
        ("NoSymbols123", "Password must have symbol characters"),
    ],
)
def test_password_policy(cognito: Any, pool: Pool, password: str, reason: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=password)
    assert code(exc) == (
        "InvalidPasswordException",
        f"Password did not conform with policy: {reason}",
    )
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool.id, Username="bob")
    assert code(exc)[0] == "UserNotFoundException"


def test_username_exists(cognito: Any, pool: Pool) -> None:
    cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    assert code(exc) == ("UsernameExistsException", "User already exists")


def test_usernames_case_insensitive_when_configured(cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"UsernameConfiguration": {"CaseSensitive": False}})
    cognito.sign_up(ClientId=pool.client_id, Username="Bob", Password=PASSWORD)
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    assert code(exc)[0] == "UsernameExistsException"
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="BOB")
    assert sign_in(cognito, pool, "bOb")["AccessToken"]


def test_email_as_username(cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    sub = cognito.sign_up(ClientId=pool.client_id, Username="Carol@Example.com", Password=PASSWORD)[
        "UserSub"
    ]
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="carol@example.com")
    user = cognito.admin_get_user(UserPoolId=pool.id, Username="carol@example.com")
    assert user["Username"] == sub  # Cognito: the username becomes the sub
    tokens = sign_in(cognito, pool, "CAROL@example.com")
    me = cognito.get_user(AccessToken=tokens["AccessToken"])
    assert {"Name": "email", "Value": "Carol@Example.com"} in me["UserAttributes"]
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="carol@example.com", Password=PASSWORD)
    assert code(exc) == (
        "UsernameExistsException",
        "An account with the given email already exists.",
    )
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="not-an-email", Password=PASSWORD)
    assert code(exc) == ("InvalidParameterException", "Username should be an email.")


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        (
            [{"Name": "custom:nope", "Value": "x"}],
            "Attributes did not conform to the schema: "
            "custom:nope: Attribute does not exist in the schema.",
        ),
        ([{"Name": "email", "Value": "not-an-email"}], "Invalid email address format."),
        (
            [{"Name": "sub", "Value": "x"}],
            "Attributes did not conform to the schema: sub: Attribute cannot be updated.",
        ),
    ],
)
def test_invalid_attributes(
    cognito: Any, pool: Pool, attrs: list[dict[str, str]], message: str
) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=pool.client_id, Username="bob", Password=PASSWORD, UserAttributes=attrs
        )
    assert code(exc) == ("InvalidParameterException", message)


def test_required_attribute(cognito: Any) -> None:
    pool = make_pool(
        cognito,
        pool_args={"Schema": [{"Name": "email", "Required": True, "AttributeDataType": "String"}]},
    )
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    assert code(exc) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute email is required",
    )


def test_unknown_client(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId="a" * 26, Username="bob", Password=PASSWORD)
    assert code(exc) == (
        "ResourceNotFoundException",
        f"User pool client {'a' * 26} does not exist.",
    )
