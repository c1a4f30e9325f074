"""AdminDisableUser, AdminEnableUser and DeleteUser."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Pool, error, make_user, sign_in


def refresh(cognito: Any, pool: Pool, token: str) -> Any:
    return cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": token},
    )


def test_disable_then_enable(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    before = sign_in(cognito, pool)
    cognito.admin_disable_user(UserPoolId=pool.id, Username="alice")
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="alice")["Enabled"] is False
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool)
    assert error(exc) == ("NotAuthorizedException", "User is disabled.")
    with pytest.raises(ClientError) as exc:
        refresh(cognito, pool, before["RefreshToken"])
    assert error(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=before["AccessToken"])
    assert error(exc)[0] == "NotAuthorizedException"
    cognito.admin_enable_user(UserPoolId=pool.id, Username="alice")
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="alice")["Enabled"] is True
    after = sign_in(cognito, pool)
    assert refresh(cognito, pool, after["RefreshToken"])["AuthenticationResult"]["AccessToken"]
    # Tokens from before the suspension stay dead.
    with pytest.raises(ClientError) as exc:
        refresh(cognito, pool, before["RefreshToken"])
    assert error(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")


def test_disable_unknown_user(cognito: Any, pool: Pool) -> None:
    for call in (cognito.admin_disable_user, cognito.admin_enable_user):
        with pytest.raises(ClientError) as exc:
            call(UserPoolId=pool.id, Username="ghost")
        assert error(exc) == ("UserNotFoundException", "User does not exist.")


def test_delete_self(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    make_user(cognito, pool, "bob")
    tokens = sign_in(cognito, pool)
    cognito.delete_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert error(exc)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.delete_user(AccessToken=tokens["AccessToken"])
    assert error(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        refresh(cognito, pool, tokens["RefreshToken"])
    assert error(exc)[0] == "NotAuthorizedException"
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["Username"] == "bob"
