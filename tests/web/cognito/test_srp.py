"""USER_SRP_AUTH and PASSWORD_VERIFIER on the wire: the server against pycognito's SRP maths
(an independent implementation of Cognito's client side), plus the attacks the protocol must
refuse. tests/core/test_srp.py checks the maths with known answers; test_srp_clients.py drives
pycognito and amazon-cognito-identity-js end to end."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.conftest import PASSWORD, FrozenClock, LiveServer, Pool, error, make_pool, make_user

SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def srp_pool(cognito: Any) -> Pool:
    return make_pool(cognito, client_args={"ExplicitAuthFlows": SRP_FLOWS})


def client_for(cognito: Any, pool: Pool, username: str, password: str = PASSWORD) -> AWSSRP:
    return AWSSRP(
        username=username,
        password=password,
        pool_id=pool.id,
        client_id=pool.client_id,
        client=cognito,
        client_secret=pool.client_secret,
    )


def start(cognito: Any, helper: AWSSRP) -> dict[str, Any]:
    return dict(
        cognito.initiate_auth(
            ClientId=helper.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters=helper.get_auth_params(),
        )
    )


def answer(cognito: Any, helper: AWSSRP, challenge: dict[str, Any], **changes: str) -> Any:
    responses = helper.process_challenge(challenge["ChallengeParameters"], helper.get_auth_params())
    return cognito.respond_to_auth_challenge(
        ClientId=helper.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=responses | changes,
    )


def test_srp_sign_in_returns_tokens(cognito: Any, srp_pool: Pool) -> None:
    sub = make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice")
    challenge = start(cognito, helper)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in challenge
    params = challenge["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert params["USER_ID_FOR_SRP"] == params["USERNAME"] == "alice"
    result = answer(cognito, helper, challenge)["AuthenticationResult"]
    me = cognito.get_user(AccessToken=result["AccessToken"])
    assert me["Username"] == "alice"
    assert {"Name": "sub", "Value": sub} in me["UserAttributes"]
    refreshed = cognito.initiate_auth(
        ClientId=srp_pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]


def test_wrong_password(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice", "Wr0ng-password!")
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, start(cognito, helper))
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_unknown_user_fails_like_a_wrong_password(cognito: Any, srp_pool: Pool) -> None:
    helper = client_for(cognito, srp_pool, "nobody")
    first = start(cognito, helper)["ChallengeParameters"]
    second = start(cognito, helper)
    assert second["ChallengeParameters"]["SALT"] == first["SALT"]  # stable, like a real one
    assert second["ChallengeParameters"]["USER_ID_FOR_SRP"] == "nobody"
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, second)
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_unknown_user_with_legacy_errors(cognito: Any) -> None:
    pool = make_pool(cognito, prevent="LEGACY", client_args={"ExplicitAuthFlows": SRP_FLOWS})
    with pytest.raises(ClientError) as exc:
        start(cognito, client_for(cognito, pool, "nobody"))
    assert error(exc)[0] == "UserNotFoundException"


def test_email_pool_hides_unknown_names_too(cognito: Any) -> None:
    pool = make_pool(
        cognito,
        pool_args={"UsernameAttributes": ["email"]},
        client_args={"ExplicitAuthFlows": SRP_FLOWS},
    )
    cognito.sign_up(ClientId=pool.client_id, Username="eve@example.com", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="eve@example.com")
    known = client_for(cognito, pool, "eve@example.com")
    challenge = start(cognito, known)
    user_id = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
    assert user_id != "eve@example.com"  # the internal username (a UUID)
    assert answer(cognito, known, challenge)["AuthenticationResult"]["IdToken"]
    unknown = start(cognito, client_for(cognito, pool, "ghost@example.com"))
    ghost_id = unknown["ChallengeParameters"]["USER_ID_FOR_SRP"]
    assert ghost_id != "ghost@example.com" and len(ghost_id) == len(user_id)


def test_secret_block_is_answered_once(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice")
    challenge = start(cognito, helper)
    answer(cognito, helper, challenge)
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, challenge)  # a replay, even with a fresh valid signature
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_a_wrong_answer_spends_the_block(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    wrong = client_for(cognito, srp_pool, "alice", "Wr0ng-password!")
    challenge = start(cognito, wrong)
    with pytest.raises(ClientError):
        answer(cognito, wrong, challenge)
    right = client_for(cognito, srp_pool, "alice")
    right.small_a_value, right.large_a_value = wrong.small_a_value, wrong.large_a_value
    with pytest.raises(ClientError) as exc:
        answer(cognito, right, challenge)
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_tampered_or_foreign_secret_block(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice")
    challenge = start(cognito, helper)
    raw = bytearray(base64.b64decode(challenge["ChallengeParameters"]["SECRET_BLOCK"]))
    raw[20] ^= 1
    forged = base64.b64encode(bytes(raw)).decode()
    challenge["ChallengeParameters"]["SECRET_BLOCK"] = forged
    for block in (forged, "bm90IGEgYmxvY2s=", "***"):
        with pytest.raises(ClientError) as exc:
            answer(cognito, helper, challenge, PASSWORD_CLAIM_SECRET_BLOCK=block)
        assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_block_bound_to_its_client(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    other = cognito.create_user_pool_client(
        UserPoolId=srp_pool.id, ClientName="other", ExplicitAuthFlows=SRP_FLOWS
    )["UserPoolClient"]["ClientId"]
    helper = client_for(cognito, srp_pool, "alice")
    challenge = start(cognito, helper)
    helper.client_id = other
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, challenge)
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_block_expires(cognito: Any, srp_pool: Pool, clock: FrozenClock) -> None:
    make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice")
    challenge = start(cognito, helper)
    clock.advance(301)
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, challenge)
    assert error(exc) == ("NotAuthorizedException", "Invalid session for the user.")


@pytest.mark.parametrize("minutes", [-6, 6])
def test_stale_timestamp(cognito: Any, srp_pool: Pool, minutes: int) -> None:
    make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice")
    challenge = start(cognito, helper)
    skewed = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes)
    stamp = AWSSRP.get_cognito_formatted_timestamp(skewed)
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, challenge, TIMESTAMP=stamp)
    assert error(exc) == (
        "NotAuthorizedException",
        "Timestamp is not within the allowed clock skew.",
    )


@pytest.mark.parametrize("srp_a", ["0", "not-hex", "00"])
def test_bad_srp_a(cognito: Any, srp_pool: Pool, srp_a: str) -> None:
    make_user(cognito, srp_pool, "alice")
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=srp_pool.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "alice", "SRP_A": srp_a},
        )
    assert error(exc)[0] == "InvalidParameterException"


def test_a_equal_to_n_is_refused(cognito: Any, srp_pool: Pool) -> None:
    from idmint.core.srp import N

    make_user(cognito, srp_pool, "alice")
    for value in (N, 2 * N):
        with pytest.raises(ClientError) as exc:
            cognito.initiate_auth(
                ClientId=srp_pool.client_id,
                AuthFlow="USER_SRP_AUTH",
                AuthParameters={"USERNAME": "alice", "SRP_A": f"{value:x}"},
            )
        assert error(exc)[0] == "InvalidParameterException"


def test_flow_must_be_allowed(cognito: Any) -> None:
    pool = make_pool(cognito)  # USER_PASSWORD_AUTH etc., no SRP
    with pytest.raises(ClientError) as exc:
        start(cognito, client_for(cognito, pool, "alice"))
    assert error(exc) == (
        "InvalidParameterException",
        "USER_SRP_AUTH flow not enabled for this client",
    )


def test_secret_hash_when_the_client_has_a_secret(cognito: Any) -> None:
    pool = make_pool(cognito, secret=True, client_args={"ExplicitAuthFlows": SRP_FLOWS})
    cognito.admin_create_user(
        UserPoolId=pool.id, Username="alice", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username="alice", Password=PASSWORD, Permanent=True
    )
    helper = client_for(cognito, pool, "alice")
    assert answer(cognito, helper, start(cognito, helper))["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "alice", "SRP_A": f"{helper.large_a_value:x}"},
        )
    assert error(exc)[0] == "NotAuthorizedException"


def test_new_password_required_after_srp(cognito: Any, srp_pool: Pool) -> None:
    cognito.admin_create_user(
        UserPoolId=srp_pool.id,
        Username="carol",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
    )
    helper = client_for(cognito, srp_pool, "carol")
    result = answer(cognito, helper, start(cognito, helper))
    assert result["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and result["Session"]


def test_every_way_of_setting_a_password_makes_a_verifier(
    cognito: Any, live: LiveServer, srp_pool: Pool
) -> None:
    """SignUp, AdminSetUserPassword, ChangePassword: SRP works with the newest password."""
    make_user(cognito, srp_pool, "alice")
    new = "N3w-password!"
    cognito.admin_set_user_password(
        UserPoolId=srp_pool.id, Username="alice", Password=new, Permanent=True
    )
    helper = client_for(cognito, srp_pool, "alice", new)
    tokens = answer(cognito, helper, start(cognito, helper))["AuthenticationResult"]
    newest = "N3west-password!"
    cognito.change_password(
        AccessToken=tokens["AccessToken"], PreviousPassword=new, ProposedPassword=newest
    )
    helper = client_for(cognito, srp_pool, "alice", newest)
    assert answer(cognito, helper, start(cognito, helper))["AuthenticationResult"]
    stale = client_for(cognito, srp_pool, "alice", new)
    with pytest.raises(ClientError):
        answer(cognito, stale, start(cognito, stale))


def test_users_without_a_verifier_get_one_at_password_sign_in(
    cognito: Any, live: LiveServer, srp_pool: Pool
) -> None:
    """Users from before SRP support: SRP fails until a password sign-in stores a verifier."""
    from dataclasses import replace

    make_user(cognito, srp_pool, "alice")
    user = live.run(live.store.find_user(srp_pool.id, "alice", "alice"))
    live.run(live.store.update_user(replace(user, srp_salt=None, srp_verifier=None)))
    helper = client_for(cognito, srp_pool, "alice")
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, start(cognito, helper))
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    cognito.initiate_auth(
        ClientId=srp_pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    helper = client_for(cognito, srp_pool, "alice")
    assert answer(cognito, helper, start(cognito, helper))["AuthenticationResult"]


def test_admin_initiate_auth_with_srp(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    helper = client_for(cognito, srp_pool, "alice")
    challenge = cognito.admin_initiate_auth(
        UserPoolId=srp_pool.id,
        ClientId=srp_pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters=helper.get_auth_params(),
    )
    responses = helper.process_challenge(challenge["ChallengeParameters"], helper.get_auth_params())
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=srp_pool.id,
        ClientId=srp_pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=responses,
    )
    assert result["AuthenticationResult"]["AccessToken"]


def test_disabled_and_unconfirmed_users(cognito: Any, srp_pool: Pool) -> None:
    make_user(cognito, srp_pool, "alice")
    cognito.admin_disable_user(UserPoolId=srp_pool.id, Username="alice")
    helper = client_for(cognito, srp_pool, "alice")
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, start(cognito, helper))
    assert error(exc) == ("NotAuthorizedException", "User is disabled.")
    cognito.sign_up(ClientId=srp_pool.client_id, Username="bob", Password=PASSWORD)
    helper = client_for(cognito, srp_pool, "bob")
    with pytest.raises(ClientError) as exc:
        answer(cognito, helper, start(cognito, helper))
    assert error(exc)[0] == "UserNotConfirmedException"
