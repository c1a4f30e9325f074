"""SignUp codes: ConfirmSignUp and ResendConfirmationCode, through the development outbox.

Cognito API reference, SignUp / ConfirmSignUp / ResendConfirmationCode; codes are six digits,
single use, 24 hours, five wrong tries.
"""

from __future__ import annotations

import re
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
    outbox,
    sign_in,
)

EMAIL = "bob@example.com"


@pytest.fixture
def verifying(cognito: Any) -> Pool:
    return make_pool(cognito, pool_args={"AutoVerifiedAttributes": ["email"]})


def sign_up(cognito: Any, pool: Pool, username: str = "bob", email: str = EMAIL) -> Any:
    return cognito.sign_up(
        ClientId=pool.client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )


def test_sign_up_sends_a_code_that_confirms(
    cognito: Any, live: LiveServer, verifying: Pool
) -> None:
    result = sign_up(cognito, verifying)
    assert result["CodeDeliveryDetails"] == {
        "Destination": "b***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [message] = outbox(live, EMAIL)
    assert message.subject == "Your verification code"
    code = last_code(live, EMAIL)
    assert message.body == f"Your verification code is {code}. "
    cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=code)
    user = cognito.admin_get_user(UserPoolId=verifying.id, Username="bob")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED" and attributes["email_verified"] == "true"
    assert sign_in(cognito, verifying, "bob")["AccessToken"]
    # Single use: the same code again is refused, the user is already confirmed.
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=code)
    assert error(exc) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


def test_no_code_without_auto_verification(cognito: Any, live: LiveServer, pool: Pool) -> None:
    assert "CodeDeliveryDetails" not in sign_up(cognito, pool)
    assert outbox(live, EMAIL) == []
    with pytest.raises(ClientError) as exc:
        cognito.resend_confirmation_code(ClientId=pool.client_id, Username="bob")
    assert error(exc) == (
        "InvalidParameterException",
        "Cannot resend codes. Auto verification not turned on.",
    )


def test_wrong_code_then_the_limit(cognito: Any, live: LiveServer, verifying: Pool) -> None:
    sign_up(cognito, verifying)
    code = last_code(live, EMAIL)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            cognito.confirm_sign_up(
                ClientId=verifying.client_id, Username="bob", ConfirmationCode=wrong
            )
        assert error(exc) == (
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )
    # Five wrong tries spend the code: even the right one is refused now.
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=code)
    assert error(exc) == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
    user = cognito.admin_get_user(UserPoolId=verifying.id, Username="bob")
    assert user["UserStatus"] == "UNCONFIRMED"
    # A new code starts afresh.
    resent = cognito.resend_confirmation_code(ClientId=verifying.client_id, Username="bob")
    assert resent["CodeDeliveryDetails"]["Destination"] == "b***@e***"
    fresh = last_code(live, EMAIL)
    cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=fresh)


def test_resend_replaces_the_code(cognito: Any, live: LiveServer, verifying: Pool) -> None:
    sign_up(cognito, verifying)
    first = last_code(live, EMAIL)
    cognito.resend_confirmation_code(ClientId=verifying.client_id, Username="bob")
    second = last_code(live, EMAIL)
    assert len(outbox(live, EMAIL)) == 2
    if first != second:
        with pytest.raises(ClientError) as exc:
            cognito.confirm_sign_up(
                ClientId=verifying.client_id, Username="bob", ConfirmationCode=first
            )
        assert error(exc)[0] == "CodeMismatchException"
    cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=second)
    with pytest.raises(ClientError) as exc:
        cognito.resend_confirmation_code(ClientId=verifying.client_id, Username="bob")
    assert error(exc) == ("InvalidParameterException", "User is already confirmed.")


def test_code_expires_after_a_day(
    cognito: Any, live: LiveServer, verifying: Pool, clock: FrozenClock
) -> None:
    sign_up(cognito, verifying)
    code = last_code(live, EMAIL)
    clock.advance(24 * 3600 + 1)
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=code)
    assert error(exc) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_code_still_good_just_before_a_day(
    cognito: Any, live: LiveServer, verifying: Pool, clock: FrozenClock
) -> None:
    sign_up(cognito, verifying)
    code = last_code(live, EMAIL)
    clock.advance(24 * 3600 - 5)
    cognito.confirm_sign_up(ClientId=verifying.client_id, Username="bob", ConfirmationCode=code)


def test_unknown_user_looks_like_a_known_one(
    cognito: Any, live: LiveServer, verifying: Pool
) -> None:
    """PreventUserExistenceErrors ENABLED: same shapes for unknown users."""
    resent = cognito.resend_confirmation_code(ClientId=verifying.client_id, Username="nobody")
    details = resent["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert details["Destination"].count("***") == 2
    again = cognito.resend_confirmation_code(ClientId=verifying.client_id, Username="nobody")
    assert again["CodeDeliveryDetails"] == details  # stable, so it reveals nothing
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(
            ClientId=verifying.client_id, Username="nobody", ConfirmationCode="123456"
        )
    assert error(exc)[0] == "CodeMismatchException"


def test_unknown_user_with_legacy_errors(cognito: Any) -> None:
    legacy = make_pool(cognito, prevent="LEGACY", pool_args={"AutoVerifiedAttributes": ["email"]})
    for call in (
        lambda: cognito.resend_confirmation_code(ClientId=legacy.client_id, Username="nobody"),
        lambda: cognito.confirm_sign_up(
            ClientId=legacy.client_id, Username="nobody", ConfirmationCode="123456"
        ),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("UserNotFoundException", "Username/client id combination not found.")


def test_custom_templates(cognito: Any, live: LiveServer) -> None:
    pool = make_pool(
        cognito,
        pool_args={
            "AutoVerifiedAttributes": ["email"],
            "VerificationMessageTemplate": {
                "EmailSubject": "Bienvenue ✓",
                "EmailMessage": "Bonjour, votre code est {####}.",
                "DefaultEmailOption": "CONFIRM_WITH_CODE",
            },
        },
    )
    described = cognito.describe_user_pool(UserPoolId=pool.id)["UserPool"]
    assert described["VerificationMessageTemplate"]["EmailSubject"] == "Bienvenue ✓"
    sign_up(cognito, pool)
    [message] = outbox(live, EMAIL)
    assert message.subject == "Bienvenue ✓"
    assert message.body == f"Bonjour, votre code est {last_code(live, EMAIL)}."


def test_template_without_placeholder_is_refused(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(
            PoolName="p", VerificationMessageTemplate={"EmailMessage": "no code here"}
        )
    assert error(exc)[0] in ("InvalidParameterException", "ValidationException")


def test_phone_codes_go_by_sms(cognito: Any, live: LiveServer) -> None:
    pool = make_pool(cognito, pool_args={"AutoVerifiedAttributes": ["phone_number"]})
    result = cognito.sign_up(
        ClientId=pool.client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    assert result["CodeDeliveryDetails"] == {
        "Destination": "+*******0100",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    [message] = outbox(live, "+15555550100")
    assert message.subject is None and "{####}" not in message.body
    cognito.confirm_sign_up(
        ClientId=pool.client_id, Username="bob", ConfirmationCode=last_code(live, "+15555550100")
    )
    user = cognito.admin_get_user(UserPoolId=pool.id, Username="bob")
    assert {"Name": "phone_number_verified", "Value": "true"} in user["UserAttributes"]


def test_admin_only_pool_refuses_sign_up(cognito: Any) -> None:
    pool = make_pool(
        cognito, pool_args={"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}}
    )
    with pytest.raises(ClientError) as exc:
        sign_up(cognito, pool)
    assert error(exc) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")


def test_update_user_pool_changes_templates(
    cognito: Any, live: LiveServer, verifying: Pool
) -> None:
    cognito.update_user_pool(
        UserPoolId=verifying.id,
        AutoVerifiedAttributes=["email"],
        EmailVerificationSubject="Code",
        EmailVerificationMessage="Use {####} to confirm.",
    )
    described = cognito.describe_user_pool(UserPoolId=verifying.id)["UserPool"]
    assert described["EmailVerificationMessage"] == "Use {####} to confirm."
    assert described["Name"] == "test-pool"
    sign_up(cognito, verifying)
    [message] = outbox(live, EMAIL)
    assert (message.subject, message.body) == ("Code", f"Use {last_code(live, EMAIL)} to confirm.")
    # Settings left out return to Cognito's defaults: no auto-verification, no code.
    cognito.update_user_pool(UserPoolId=verifying.id)
    assert "CodeDeliveryDetails" not in sign_up(cognito, verifying, "eve", "eve@example.com")
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool(UserPoolId="us-east-1_missing00")
    assert error(exc)[0] == "ResourceNotFoundException"


def test_unknown_user_gets_the_medium_a_known_user_gets(cognito: Any, live: LiveServer) -> None:
    pool = make_pool(cognito, pool_args={"AutoVerifiedAttributes": ["phone_number"]})
    cognito.sign_up(
        ClientId=pool.client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    known = cognito.resend_confirmation_code(ClientId=pool.client_id, Username="bob")
    unknown = cognito.resend_confirmation_code(ClientId=pool.client_id, Username="nobody")
    for details in (known["CodeDeliveryDetails"], unknown["CodeDeliveryDetails"]):
        assert details["DeliveryMedium"] == "SMS" and details["AttributeName"] == "phone_number"
        assert re.fullmatch(r"\+\*+[0-9]{4}", details["Destination"])


def test_no_auto_verification_answers_alike(cognito: Any, pool: Pool) -> None:
    cognito.sign_up(ClientId=pool.client_id, Username="bob", Password=PASSWORD)
    for username in ("bob", "nobody"):
        with pytest.raises(ClientError) as exc:
            cognito.resend_confirmation_code(ClientId=pool.client_id, Username=username)
        assert error(exc) == (
            "InvalidParameterException",
            "Cannot resend codes. Auto verification not turned on.",
        )
