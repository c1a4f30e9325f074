"""AdminCreateUser, invitations and the NEW_PASSWORD_REQUIRED challenge.

Cognito API reference: AdminCreateUser, InitiateAuth/AdminInitiateAuth, RespondToAuthChallenge/
AdminRespondToAuthChallenge; "Invalid session for the user." for any Session that is not good.
"""

from __future__ import annotations

import json
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
    make_pool,
    outbox,
    sign_in,
)

EMAIL = "carol@example.com"
NEW_PASSWORD = "N3w-password!"


def create(cognito: Any, pool: Pool, **kwargs: Any) -> Any:
    args: dict[str, Any] = {
        "UserPoolId": pool.id,
        "Username": "carol",
        "UserAttributes": [
            {"Name": "email", "Value": EMAIL},
            {"Name": "email_verified", "Value": "true"},
        ],
    }
    return cognito.admin_create_user(**(args | kwargs))["User"]


def invited_password(live: LiveServer, to: str = EMAIL) -> str:
    body = outbox(live, to)[0].body
    found = re.fullmatch(r"Your username is carol and temporary password is (.+)\. ", body)
    assert found, body
    return found.group(1)


def start(cognito: Any, pool: Pool, password: str) -> Any:
    return cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "carol", "PASSWORD": password},
    )


def answer(cognito: Any, pool: Pool, session: str, **responses: str) -> Any:
    return cognito.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses={"USERNAME": "carol", "NEW_PASSWORD": NEW_PASSWORD} | responses,
    )


def test_invitation_challenge_and_new_password(cognito: Any, live: LiveServer, pool: Pool) -> None:
    user = create(cognito, pool, DesiredDeliveryMediums=["EMAIL"])
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Username"] == "carol"
    [message] = outbox(live, EMAIL)
    assert message.subject == "Your temporary password"
    temporary = invited_password(live)
    assert len(temporary) >= 16
    challenge = start(cognito, pool, temporary)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in challenge
    params = challenge["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "carol"
    assert json.loads(params["requiredAttributes"]) == []
    assert json.loads(params["userAttributes"]) == {"email": EMAIL, "email_verified": "true"}
    result = answer(cognito, pool, challenge["Session"])
    assert set(result["AuthenticationResult"]) >= {"AccessToken", "IdToken", "RefreshToken"}
    me = cognito.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])
    assert me["Username"] == "carol"
    got = cognito.admin_get_user(UserPoolId=pool.id, Username="carol")
    assert got["UserStatus"] == "CONFIRMED"
    assert sign_in(cognito, pool, "carol", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool, "carol", temporary)
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_session_works_once(cognito: Any, live: LiveServer, pool: Pool) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    assert outbox(live, EMAIL) == []
    session = start(cognito, pool, PASSWORD)["Session"]
    answer(cognito, pool, session)
    with pytest.raises(ClientError) as exc:
        answer(cognito, pool, session, NEW_PASSWORD="An0ther-password!")
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_bad_answer_keeps_the_session(cognito: Any, pool: Pool) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    session = start(cognito, pool, PASSWORD)["Session"]
    with pytest.raises(ClientError) as exc:
        answer(cognito, pool, session, NEW_PASSWORD="short")
    assert error(exc)[0] in ("InvalidPasswordException", "ValidationException")
    with pytest.raises(ClientError) as exc:
        answer(cognito, pool, session, NEW_PASSWORD="alllowercase1!")
    assert error(exc) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
    assert answer(cognito, pool, session)["AuthenticationResult"]["AccessToken"]


def test_session_expires(cognito: Any, pool: Pool, clock: FrozenClock) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    session = start(cognito, pool, PASSWORD)["Session"]
    clock.advance(3 * 60 + 1)
    with pytest.raises(ClientError) as exc:
        answer(cognito, pool, session)
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_session_is_bound_to_user_and_client(cognito: Any, pool: Pool) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    create(
        cognito,
        pool,
        Username="dave",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[],
    )
    session = start(cognito, pool, PASSWORD)["Session"]
    other = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as exc:
        answer(cognito, Pool(pool.id, other), session)
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")
    with pytest.raises(ClientError) as exc:
        answer(cognito, pool, session, USERNAME="dave")
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")
    with pytest.raises(ClientError) as exc:
        answer(cognito, pool, "x" * 64)
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")
    assert answer(cognito, pool, session)["AuthenticationResult"]["AccessToken"]


def test_admin_flow_and_required_attributes(cognito: Any) -> None:
    pool = make_pool(
        cognito,
        pool_args={
            "Schema": [{"Name": "given_name", "AttributeDataType": "String", "Required": True}]
        },
    )
    create(
        cognito,
        pool,
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "given_name", "Value": "placeholder"}],
    )
    cognito.admin_delete_user(UserPoolId=pool.id, Username="carol")
    with pytest.raises(ClientError) as exc:
        create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    assert error(exc) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: given_name: The attribute given_name is "
        "required",
    )
    create(
        cognito,
        pool,
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "given_name", "Value": "Carol"}],
    )
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool.id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool.id,
        ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "carol",
            "NEW_PASSWORD": NEW_PASSWORD,
            "userAttributes.family_name": "Jones",
        },
    )
    tokens = result["AuthenticationResult"]
    me = cognito.get_user(AccessToken=tokens["AccessToken"])
    assert {"Name": "family_name", "Value": "Jones"} in me["UserAttributes"]


def test_clearing_a_required_attribute_is_refused(cognito: Any) -> None:
    required = make_pool(
        cognito,
        pool_args={"Schema": [{"Name": "name", "AttributeDataType": "String", "Required": True}]},
    )
    cognito.admin_create_user(
        UserPoolId=required.id,
        Username="carol",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "name", "Value": "C"}],
    )
    session = start(cognito, required, PASSWORD)["Session"]
    with pytest.raises(ClientError) as exc:
        answer(cognito, required, session, **{"userAttributes.name": ""})
    assert error(exc) == ("InvalidParameterException", "Invalid attributes given, name is missing")


def test_temporary_password_expires(cognito: Any, pool: Pool, clock: FrozenClock) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    clock.advance(7 * 86400 + 1)
    with pytest.raises(ClientError) as exc:
        start(cognito, pool, PASSWORD)
    assert error(exc) == (
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
    )


def test_resend_gives_a_new_temporary_password(cognito: Any, live: LiveServer, pool: Pool) -> None:
    create(cognito, pool, DesiredDeliveryMediums=["EMAIL"])
    first = invited_password(live)
    create(cognito, pool, MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"])
    second = invited_password(live)
    assert first != second and len(outbox(live, EMAIL)) == 2
    with pytest.raises(ClientError) as exc:
        start(cognito, pool, first)
    assert error(exc)[0] == "NotAuthorizedException"
    session = start(cognito, pool, second)["Session"]
    answer(cognito, pool, session)
    with pytest.raises(ClientError) as exc:
        create(cognito, pool, MessageAction="RESEND")
    assert error(exc) == (
        "UnsupportedUserStateException",
        "Resend not possible. carol status is not FORCE_CHANGE_PASSWORD.",
    )


def test_sms_invitation_by_default(cognito: Any, live: LiveServer, pool: Pool) -> None:
    create(cognito, pool, UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"}])
    [message] = outbox(live, "+15555550123")
    assert message.channel.value == "SMS" and "carol" in message.body


def test_existing_user_and_bad_input(cognito: Any, pool: Pool) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as exc:
        create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    assert error(exc) == ("UsernameExistsException", "User already exists")
    with pytest.raises(ClientError) as exc:
        create(cognito, pool, Username="weak", TemporaryPassword="password")
    assert error(exc)[0] == "InvalidPasswordException"
    with pytest.raises(ClientError) as exc:
        create(cognito, pool, Username="ghost", MessageAction="RESEND")
    assert error(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool.id, Username="weak")
    assert error(exc)[0] == "UserNotFoundException"


def test_set_user_password_not_permanent_forces_a_change(cognito: Any, pool: Pool) -> None:
    create(cognito, pool, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    session = start(cognito, pool, PASSWORD)["Session"]
    answer(cognito, pool, session)
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username="carol", Password=PASSWORD, Permanent=False
    )
    got = cognito.admin_get_user(UserPoolId=pool.id, Username="carol")
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert start(cognito, pool, PASSWORD)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_invitation_names_the_email_users_sign_in_with(cognito: Any, live: LiveServer) -> None:
    pool = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    user = cognito.admin_create_user(
        UserPoolId=pool.id, Username=EMAIL, DesiredDeliveryMediums=["EMAIL"]
    )["User"]
    assert user["Username"] != EMAIL  # the username is the sub in such pools
    [message] = outbox(live, EMAIL)
    assert message.body.startswith(f"Your username is {EMAIL} and temporary password is ")
