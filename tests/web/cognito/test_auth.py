"""InitiateAuth / AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
ADMIN_NO_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN), GetTokensFromRefreshToken, SECRET_HASH."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import PASSWORD, LiveServer, Pool, make_pool, make_user, sign_in

INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def secret_hash(pool: Pool, username: str) -> str:
    assert pool.client_secret
    digest = hmac.new(
        pool.client_secret.encode(), (username + pool.client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def test_password_sign_in(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    result = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    assert result["ChallengeParameters"] == {}
    auth = result["AuthenticationResult"]
    assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
    assert {"AccessToken", "IdToken", "RefreshToken"} <= auth.keys()


def test_wrong_password(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, password="Wr0ng-password!")
    assert code(exc) == INCORRECT


def test_unknown_user_hidden_when_prevent_user_existence_errors(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, "nobody")
    assert code(exc) == INCORRECT


def test_unknown_user_legacy(cognito: Any) -> None:
    pool = make_pool(cognito, prevent="LEGACY")
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, "nobody")
    assert code(exc) == ("UserNotFoundException", "User does not exist.")


def test_flow_not_enabled(cognito: Any, pool: Pool) -> None:
    client = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="srp-only")[
        "UserPoolClient"
    ]
    make_user(cognito, pool)
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert code(exc) == (
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )


def test_admin_flows(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        result = cognito.admin_initiate_auth(
            UserPoolId=pool.id,
            ClientId=pool.client_id,
            AuthFlow=flow,
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
        assert result["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert code(exc) == ("InvalidParameterException", "Initiate Auth method not supported.")
    with pytest.raises(ClientError) as exc:
        cognito.admin_initiate_auth(
            UserPoolId=pool.id,
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Wr0ng-password!"},
        )
    assert code(exc) == INCORRECT


def test_admin_flow_not_enabled(cognito: Any, pool: Pool) -> None:
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="public", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    make_user(cognito, pool)
    with pytest.raises(ClientError) as exc:
        cognito.admin_initiate_auth(
            UserPoolId=pool.id,
            ClientId=client["UserPoolClient"]["ClientId"],
            AuthFlow="ADMIN_NO_SRP_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert code(exc)[0] == "InvalidParameterException"


def test_missing_auth_parameters(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice"},
        )
    assert code(exc) == ("InvalidParameterException", "Missing required parameter PASSWORD")


def test_refresh_both_names(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    first = sign_in(cognito, pool)
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        result = cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow=flow,
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
        )
        auth = result["AuthenticationResult"]
        assert "RefreshToken" not in auth  # Cognito returns no new refresh token
        assert auth["AccessToken"] != first["AccessToken"]
        cognito.get_user(AccessToken=auth["AccessToken"])


def test_get_tokens_from_refresh_token(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    first = sign_in(cognito, pool)
    result = cognito.get_tokens_from_refresh_token(
        RefreshToken=first["RefreshToken"], ClientId=pool.client_id
    )
    assert (
        cognito.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"]
        == "alice"
    )


def test_refresh_token_bound_to_client(cognito: Any, pool: Pool) -> None:
    other = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="other", ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"]
    )
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=other["UserPoolClient"]["ClientId"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert code(exc) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_garbage_refresh_token(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": "not-a-token"},
        )
    assert code(exc) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_refresh_token_expires(live: LiveServer, cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    live.clock.advance(30 * 86400 + 1)
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert code(exc) == ("NotAuthorizedException", "Refresh Token has expired")


def test_access_token_expires(live: LiveServer, cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    live.clock.advance(3599)
    cognito.get_user(AccessToken=tokens["AccessToken"])
    live.clock.advance(1)
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert code(exc) == ("NotAuthorizedException", "Access Token has expired")


def test_secret_hash(cognito: Any) -> None:
    pool = make_pool(cognito, secret=True)
    sub = cognito.sign_up(
        ClientId=pool.client_id,
        Username="dave",
        Password=PASSWORD,
        SecretHash=secret_hash(pool, "dave"),
    )["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="dave")
    params = {"USERNAME": "dave", "PASSWORD": PASSWORD}
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert code(exc) == (
        "NotAuthorizedException",
        f"Client {pool.client_id} is configured with secret but SECRET_HASH was not received",
    )
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={**params, "SECRET_HASH": secret_hash(pool, "eve")},
        )
    assert code(exc) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {pool.client_id}",
    )
    auth = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={**params, "SECRET_HASH": secret_hash(pool, "dave")},
    )
    refresh = auth["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh},
        )
    assert code(exc)[0] == "NotAuthorizedException"
    for name in ("dave", sub):
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh, "SECRET_HASH": secret_hash(pool, name)},
        )
    cognito.get_tokens_from_refresh_token(
        RefreshToken=refresh, ClientId=pool.client_id, ClientSecret=pool.client_secret
    )
    with pytest.raises(ClientError) as exc:
        cognito.get_tokens_from_refresh_token(
            RefreshToken=refresh, ClientId=pool.client_id, ClientSecret="x" * 51
        )
    assert code(exc)[0] == "NotAuthorizedException"


def test_sign_up_needs_secret_hash(cognito: Any) -> None:
    pool = make_pool(cognito, secret=True)
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=pool.client_id, Username="dave", Password=PASSWORD)
    assert code(exc)[0] == "NotAuthorizedException"


def test_admin_set_user_password(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username="alice", Password="N3w-password!", Permanent=True
    )
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool)
    assert code(exc) == INCORRECT
    assert sign_in(cognito, pool, password="N3w-password!")["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.admin_set_user_password(
            UserPoolId=pool.id, Username="alice", Password="weakweak", Permanent=True
        )
    assert code(exc)[0] == "InvalidPasswordException"
    with pytest.raises(ClientError) as exc:
        cognito.admin_set_user_password(
            UserPoolId=pool.id, Username="nobody", Password="N3w-password!", Permanent=True
        )
    assert code(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_set_password_confirms_unconfirmed_user(cognito: Any, pool: Pool) -> None:
    cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username="bob", Password=PASSWORD, Permanent=True
    )
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["UserStatus"] == "CONFIRMED"


def test_temporary_password_sets_force_change(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username="alice", Password="T3mp-password!", Permanent=False
    )
    assert (
        cognito.admin_get_user(UserPoolId=pool.id, Username="alice")["UserStatus"]
        == "FORCE_CHANGE_PASSWORD"
    )
