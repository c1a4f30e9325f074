"""GetUser, GlobalSignOut, AdminUserGlobalSignOut, RevokeToken, AdminDeleteUser: what each
does to refresh tokens and to access tokens issued before it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import PASSWORD, Pool, make_pool, make_user, sign_in

REVOKED = ("NotAuthorizedException", "Access Token has been revoked")


def code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def refresh(cognito: Any, pool: Pool, token: str) -> dict[str, Any]:
    return dict(
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": token},
        )
    )


def test_global_sign_out(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    one, two = sign_in(cognito, pool), sign_in(cognito, pool)
    cognito.global_sign_out(AccessToken=one["AccessToken"])
    for tokens in (one, two):
        with pytest.raises(ClientError) as exc:
            cognito.get_user(AccessToken=tokens["AccessToken"])
        assert code(exc) == REVOKED
        with pytest.raises(ClientError) as exc:
            refresh(cognito, pool, tokens["RefreshToken"])
        assert code(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as exc:
        cognito.global_sign_out(AccessToken=one["AccessToken"])
    assert code(exc) == REVOKED
    assert (
        cognito.get_user(AccessToken=sign_in(cognito, pool)["AccessToken"])["Username"] == "alice"
    )


def test_admin_user_global_sign_out(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    make_user(cognito, pool, "bob")
    alice, bob = sign_in(cognito, pool), sign_in(cognito, pool, "bob")
    cognito.admin_user_global_sign_out(UserPoolId=pool.id, Username="alice")
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=alice["AccessToken"])
    assert code(exc) == REVOKED
    assert cognito.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    with pytest.raises(ClientError) as exc:
        cognito.admin_user_global_sign_out(UserPoolId=pool.id, Username="nobody")
    assert code(exc)[0] == "UserNotFoundException"


def test_revoke_token(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    one, two = sign_in(cognito, pool), sign_in(cognito, pool)
    cognito.revoke_token(Token=one["RefreshToken"], ClientId=pool.client_id)
    with pytest.raises(ClientError) as exc:
        refresh(cognito, pool, one["RefreshToken"])
    assert code(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=one["AccessToken"])
    assert code(exc) == REVOKED
    # Only that sign-in is revoked.
    assert cognito.get_user(AccessToken=two["AccessToken"])["Username"] == "alice"
    refresh(cognito, pool, two["RefreshToken"])
    # Revoking again, or an unknown token, succeeds (RFC 7009 section 2.2).
    cognito.revoke_token(Token=one["RefreshToken"], ClientId=pool.client_id)
    cognito.revoke_token(Token="unknown-token", ClientId=pool.client_id)


def test_revoke_token_errors(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    other = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="other")[
        "UserPoolClient"
    ]
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=other["ClientId"])
    assert code(exc)[0] == "UnauthorizedException"
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=tokens["AccessToken"], ClientId=pool.client_id)
    assert code(exc)[0] == "UnsupportedTokenTypeException"
    disabled = make_pool(cognito, client_args={"EnableTokenRevocation": False})
    make_user(cognito, disabled)
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(
            Token=sign_in(cognito, disabled)["RefreshToken"], ClientId=disabled.client_id
        )
    assert code(exc)[0] == "UnsupportedOperationException"
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"


def test_revoke_token_with_secret(cognito: Any) -> None:
    pool = make_pool(cognito, secret=True)
    assert pool.client_secret
    digest = hmac.new(
        pool.client_secret.encode(), f"alice{pool.client_id}".encode(), hashlib.sha256
    )
    secret_hash = base64.b64encode(digest.digest()).decode()
    cognito.sign_up(
        ClientId=pool.client_id, Username="alice", Password=PASSWORD, SecretHash=secret_hash
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="alice")
    tokens = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash},
    )["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=pool.client_id)
    assert code(exc)[0] == "NotAuthorizedException"
    cognito.revoke_token(
        Token=tokens["RefreshToken"], ClientId=pool.client_id, ClientSecret=pool.client_secret
    )
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert code(exc) == REVOKED


def test_admin_delete_user(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    cognito.admin_delete_user(UserPoolId=pool.id, Username="alice")
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert code(exc) == REVOKED
    with pytest.raises(ClientError) as exc:
        refresh(cognito, pool, tokens["RefreshToken"])
    assert code(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert code(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        cognito.admin_delete_user(UserPoolId=pool.id, Username="alice")
    assert code(exc)[0] == "UserNotFoundException"
    # The username is free again, and the new user is a different person.
    make_user(cognito, pool)
    with pytest.raises(ClientError):
        cognito.get_user(AccessToken=tokens["AccessToken"])


def test_list_users(cognito: Any, pool: Pool) -> None:
    subs = {make_user(cognito, pool, f"user{i}") for i in range(5)}
    seen: set[str] = set()
    kwargs: dict[str, Any] = {"UserPoolId": pool.id, "Limit": 2}
    while True:
        page = cognito.list_users(**kwargs)
        for user in page["Users"]:
            assert user["UserStatus"] == "CONFIRMED"
            seen |= {a["Value"] for a in user["Attributes"] if a["Name"] == "sub"}
        if "PaginationToken" not in page:
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    assert seen == subs
