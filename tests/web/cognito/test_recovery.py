"""ForgotPassword, ConfirmForgotPassword, ChangePassword and AdminResetUserPassword."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import (
    PASSWORD,
    FrozenClock,
    LiveServer,
    Pool,
    error,
    last_code,
    make_pool,
    make_user,
    outbox,
    sign_in,
)

EMAIL = "alice@example.com"
NEW_PASSWORD = "N3w-password!"


@pytest.fixture
def alice(cognito: Any, pool: Pool) -> str:
    """A confirmed user whose email is verified, so it can receive reset codes."""
    sub = make_user(cognito, pool, "alice", email_verified="true")
    return sub


def forgot(cognito: Any, pool: Pool, username: str = "alice") -> Any:
    return cognito.forgot_password(ClientId=pool.client_id, Username=username)


def confirm(cognito: Any, pool: Pool, code: str, username: str = "alice") -> Any:
    return cognito.confirm_forgot_password(
        ClientId=pool.client_id, Username=username, ConfirmationCode=code, Password=NEW_PASSWORD
    )


def test_forgot_password_round_trip(cognito: Any, live: LiveServer, pool: Pool, alice: str) -> None:
    details = forgot(cognito, pool)["CodeDeliveryDetails"]
    assert details == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    code = last_code(live, EMAIL)
    confirm(cognito, pool, code)
    assert sign_in(cognito, pool, "alice", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, "alice", PASSWORD)
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        confirm(cognito, pool, code)  # single use
    assert error(exc)[0] == "CodeMismatchException"


def test_reset_code_expires_after_an_hour(
    cognito: Any, live: LiveServer, pool: Pool, alice: str, clock: FrozenClock
) -> None:
    forgot(cognito, pool)
    code = last_code(live, EMAIL)
    clock.advance(3601)
    with pytest.raises(ClientError) as exc:
        confirm(cognito, pool, code)
    assert error(exc) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
    assert sign_in(cognito, pool, "alice")["AccessToken"]


def test_weak_new_password_keeps_the_code(
    cognito: Any, live: LiveServer, pool: Pool, alice: str
) -> None:
    forgot(cognito, pool)
    code = last_code(live, EMAIL)
    with pytest.raises(ClientError) as exc:
        cognito.confirm_forgot_password(
            ClientId=pool.client_id, Username="alice", ConfirmationCode=code, Password="weakpass"
        )
    assert error(exc)[0] == "InvalidPasswordException"
    confirm(cognito, pool, code)


def test_five_wrong_codes(cognito: Any, live: LiveServer, pool: Pool, alice: str) -> None:
    forgot(cognito, pool)
    code = last_code(live, EMAIL)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            confirm(cognito, pool, wrong)
        assert error(exc)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as exc:
        confirm(cognito, pool, code)
    assert error(exc)[0] == "LimitExceededException"
    assert sign_in(cognito, pool, "alice")["AccessToken"]


def test_no_verified_destination(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool, "bob")  # email not verified
    with pytest.raises(ClientError) as exc:
        forgot(cognito, pool, "bob")
    assert error(exc) == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or "
        "phone_number",
    )


def test_unknown_user_gets_the_same_answers(cognito: Any, live: LiveServer, pool: Pool) -> None:
    details = forgot(cognito, pool, "nobody")["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["Destination"].endswith("***")
    assert forgot(cognito, pool, "nobody")["CodeDeliveryDetails"] == details
    with pytest.raises(ClientError) as exc:
        confirm(cognito, pool, "123456", "nobody")
    assert error(exc) == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )


def test_unknown_user_with_email_username(cognito: Any, live: LiveServer) -> None:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    details = forgot(cognito, pool, "nobody@example.org")["CodeDeliveryDetails"]
    assert details["Destination"] == "n***@e***"
    assert outbox(live, "nobody@example.org") == []


def test_legacy_client_reveals_unknown_users(cognito: Any) -> None:
    pool = make_pool(cognito, prevent="LEGACY")
    with pytest.raises(ClientError) as exc:
        forgot(cognito, pool, "nobody")
    assert error(exc)[0] == "UserNotFoundException"


def test_change_password(cognito: Any, pool: Pool, alice: str) -> None:
    token = sign_in(cognito, pool)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.change_password(
            AccessToken=token, PreviousPassword="Wr0ng-password!", ProposedPassword=NEW_PASSWORD
        )
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        cognito.change_password(
            AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="nouppercase1!"
        )
    assert error(exc)[0] == "InvalidPasswordException"
    assert sign_in(cognito, pool)["AccessToken"]  # nothing changed
    cognito.change_password(
        AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
    )
    assert sign_in(cognito, pool, "alice", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.change_password(
            AccessToken="not-a-token", PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
        )
    assert error(exc)[0] == "NotAuthorizedException"


def test_admin_reset_requires_a_reset(
    cognito: Any, live: LiveServer, pool: Pool, alice: str
) -> None:
    cognito.admin_reset_user_password(UserPoolId=pool.id, Username="alice")
    got = cognito.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert got["UserStatus"] == "RESET_REQUIRED"
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool)
    assert error(exc) == ("PasswordResetRequiredException", "Password reset required for the user")
    confirm(cognito, pool, last_code(live, EMAIL))
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="alice")["UserStatus"] == "CONFIRMED"
    assert sign_in(cognito, pool, "alice", NEW_PASSWORD)["AccessToken"]


def test_admin_reset_of_unknown_user(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.admin_reset_user_password(UserPoolId=pool.id, Username="ghost")
    assert error(exc) == ("UserNotFoundException", "User does not exist.")


def not_the_code(live: LiveServer) -> str:
    return f"{(int(last_code(live, EMAIL)) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_attempt_limit_and_expiry_answer_alike(
    cognito: Any, live: LiveServer, pool: Pool, alice: str, clock: FrozenClock, username: str
) -> None:
    """Known and unknown users run into the same limit and the same expiry, so neither
    reveals whether the name exists."""
    forgot(cognito, pool, username)
    wrong = "000000" if username == "nobody" else not_the_code(live)
    answers = []
    for _ in range(6):
        with pytest.raises(ClientError) as exc:
            confirm(cognito, pool, wrong, username)
        answers.append(error(exc)[0])
    assert answers == ["CodeMismatchException"] * 5 + ["LimitExceededException"]
    forgot(cognito, pool, username)  # a new code starts afresh
    clock.advance(3601)
    with pytest.raises(ClientError) as exc:
        confirm(cognito, pool, "000000", username)
    assert error(exc)[0] == "ExpiredCodeException"


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_guessing_without_a_code_is_limited_alike(
    cognito: Any, pool: Pool, alice: str, username: str
) -> None:
    answers = []
    for _ in range(6):
        with pytest.raises(ClientError) as exc:
            confirm(cognito, pool, "123456", username)
        answers.append(error(exc)[0])
    assert answers == ["CodeMismatchException"] * 5 + ["LimitExceededException"]
