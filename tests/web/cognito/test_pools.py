"""CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool through boto3."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Pool, make_user


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_create_pool_stores_settings(cognito: Any) -> None:
    created = cognito.create_user_pool(
        PoolName="shop",
        Policies={
            "PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False, "RequireNumbers": True}
        },
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[
            {
                "Name": "tenant",
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            }
        ],
        UserPoolTags={"team": "identity"},
    )["UserPool"]
    assert re.fullmatch(r"us-east-1_[A-Za-z0-9]{9}", created["Id"])
    pool = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert pool["Name"] == "shop"
    assert pool["Arn"].endswith(f":userpool/{created['Id']}")
    policy = pool["Policies"]["PasswordPolicy"]
    assert (
        policy["MinimumLength"] == 10 and policy["RequireNumbers"] and not policy["RequireSymbols"]
    )
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UserPoolTags"] == {"team": "identity"}
    tenant = next(a for a in pool["SchemaAttributes"] if a["Name"] == "custom:tenant")
    assert tenant["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "64"}
    assert any(a["Name"] == "email" for a in pool["SchemaAttributes"])
    assert pool["CreationDate"] and pool["LastModifiedDate"]


def test_default_password_policy_is_cognitos(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="defaults")["UserPool"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }


def test_estimated_number_of_users(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool, "u1")
    make_user(cognito, pool, "u2")
    assert cognito.describe_user_pool(UserPoolId=pool.id)["UserPool"]["EstimatedNumberOfUsers"] == 2


def test_list_pools_paginates(cognito: Any) -> None:
    ids = {cognito.create_user_pool(PoolName=f"p{i}")["UserPool"]["Id"] for i in range(5)}
    seen: set[str] = set()
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = cognito.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= 2
        seen |= {p["Id"] for p in page["UserPools"]}
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == ids


def test_delete_pool(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    cognito.delete_user_pool(UserPoolId=pool.id)
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool(UserPoolId=pool.id)
    assert error(exc) == ("ResourceNotFoundException", f"User pool {pool.id} does not exist.")
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "x"},
        )
    assert error(exc)[0] == "ResourceNotFoundException"


def test_deletion_protection(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="keep", DeletionProtection="ACTIVE")["UserPool"]
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    assert error(exc)[0] == "InvalidParameterException"
    assert (
        cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["DeletionProtection"]
        == "ACTIVE"
    )


def test_username_and_alias_attributes_exclusive(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(
            PoolName="x", UsernameAttributes=["email"], AliasAttributes=["email"]
        )
    assert error(exc)[0] == "InvalidParameterException"
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []


def test_region_setting_names_pool_ids(live: Any) -> None:
    pool = live.client(region="eu-west-1").create_user_pool(PoolName="x")["UserPool"]
    assert pool["Id"].startswith("us-east-1_")  # the server's region, not the client's
