"""CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients, UpdateUserPoolClient,
DeleteUserPoolClient through boto3."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Pool, make_pool, make_user, sign_in


def test_create_client_defaults(cognito: Any, pool: Pool) -> None:
    client = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="app")["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert "ClientSecret" not in client
    assert client["AccessTokenValidity"] == 60 and client["IdTokenValidity"] == 60
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "days",
    }
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True


def test_generate_secret(cognito: Any, pool: Pool) -> None:
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="srv", GenerateSecret=True
    )["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"])
    described = cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=client["ClientId"])
    assert described["UserPoolClient"]["ClientSecret"] == client["ClientSecret"]


def test_token_validity_units(cognito: Any, pool: Pool) -> None:
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="short",
        AccessTokenValidity=5,
        IdTokenValidity=2,
        RefreshTokenValidity=90,
        TokenValidityUnits={
            "AccessToken": "minutes",
            "IdToken": "hours",
            "RefreshToken": "minutes",
        },
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    make_user(cognito, pool)
    tokens = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Corr3ct-horse!"},
    )
    assert tokens["AuthenticationResult"]["ExpiresIn"] == 300


@pytest.mark.parametrize(
    "args",
    [
        {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 30, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    ],
)
def test_token_validity_out_of_range(cognito: Any, pool: Pool, args: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="bad", **args)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"


def test_list_update_delete(cognito: Any, pool: Pool) -> None:
    extra = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="second")[
        "UserPoolClient"
    ]
    listed = cognito.list_user_pool_clients(UserPoolId=pool.id, MaxResults=10)["UserPoolClients"]
    assert {c["ClientId"] for c in listed} == {pool.client_id, extra["ClientId"]}
    updated = cognito.update_user_pool_client(
        UserPoolId=pool.id,
        ClientId=extra["ClientId"],
        ClientName="renamed",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        PreventUserExistenceErrors="LEGACY",
    )["UserPoolClient"]
    assert updated["ClientName"] == "renamed"
    assert updated["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH"]
    assert updated["PreventUserExistenceErrors"] == "LEGACY"
    cognito.delete_user_pool_client(UserPoolId=pool.id, ClientId=extra["ClientId"])
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=extra["ClientId"])
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_client_of_another_pool_is_not_found(cognito: Any, pool: Pool) -> None:
    other = make_pool(cognito)
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool_client(UserPoolId=other.id, ClientId=pool.client_id)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_deleting_client_invalidates_its_refresh_tokens(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    cognito.delete_user_pool_client(UserPoolId=pool.id, ClientId=pool.client_id)
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert exc.value.response["Error"]["Message"] == "Access Token has been revoked"
