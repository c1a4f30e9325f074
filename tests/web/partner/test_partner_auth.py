"""A Partner API Account signs in through the Cognito API exactly as seed 000's curl examples
show (InitiateAuth with USER_PASSWORD_AUTH, then REFRESH_TOKEN_AUTH), replayed with httpx byte
for byte, and gets Cognito's answers and errors; the app client and API user a partner gets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, Pool, error, make_pool, make_user, sign_in
from tests.web.partner.conftest import (
    NewPartner,
    PartnerAccount,
    claims,
    expect_error,
    seed_refresh,
    seed_sign_in,
)

JSON_11 = "application/x-amz-json-1.1"
DAY = 86400


def _seconds(value: int, unit: str) -> int:
    return value * {"seconds": 1, "minutes": 60, "hours": 3600, "days": DAY}[unit]


def _cognito_error(response: httpx.Response, type_: str, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == JSON_11
    assert response.headers["x-amzn-requestid"]
    body = response.json()
    assert body["__type"] == type_ and body["message"] == message, body


def test_the_seed_sign_in_request_replayed(acme: PartnerAccount, cognito: Any) -> None:
    response = seed_sign_in(acme.http, acme.client_id, acme.username, acme.password)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON_11
    assert response.headers["x-amzn-requestid"]
    body = response.json()
    assert set(body) == {"AuthenticationResult", "ChallengeParameters"}
    assert body["ChallengeParameters"] == {}
    result = body["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "IdToken", "RefreshToken", "TokenType"}
    assert result["ExpiresIn"] == DAY and result["TokenType"] == "Bearer"
    id_claims, access = claims(result["IdToken"]), claims(result["AccessToken"])
    assert id_claims["token_use"] == "id" and access["token_use"] == "access"
    assert id_claims["aud"] == acme.client_id and access["client_id"] == acme.client_id
    assert id_claims["exp"] - id_claims["iat"] == DAY
    assert access["exp"] - access["iat"] == DAY
    me = cognito.get_user(AccessToken=result["AccessToken"])
    assert me["Username"] == f"partner-{acme.id}"
    assert id_claims["sub"] == access["sub"]
    assert {"Name": "sub", "Value": id_claims["sub"]} in me["UserAttributes"]


def test_the_seed_refresh_request_replayed(acme: PartnerAccount) -> None:
    first = acme.sign_in()
    response = seed_refresh(acme.http, acme.client_id, first["RefreshToken"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON_11
    assert response.headers["x-amzn-requestid"]
    result = response.json()["AuthenticationResult"]
    assert {"AccessToken", "ExpiresIn", "IdToken", "TokenType"} <= set(result)
    assert result["ExpiresIn"] == DAY and result["TokenType"] == "Bearer"
    assert result["IdToken"] != first["IdToken"] or result["AccessToken"] != first["AccessToken"]
    assert claims(result["IdToken"])["sub"] == claims(first["IdToken"])["sub"]
    assert claims(result["IdToken"])["aud"] == acme.client_id
    # The refreshed IdToken authenticates partner requests.
    assert acme.list(result["IdToken"]).status_code == 200
    assert acme.create(token=result["IdToken"]).status_code == 201


def test_a_wrong_password_is_cognitos_not_authorized(acme: PartnerAccount) -> None:
    response = seed_sign_in(acme.http, acme.client_id, acme.username, acme.password + "x")
    _cognito_error(response, "NotAuthorizedException", "Incorrect username or password.")
    # Nor does a well-formed password that is not the account's.
    response = seed_sign_in(acme.http, acme.client_id, acme.username, "Wr0ng-password!")
    _cognito_error(response, "NotAuthorizedException", "Incorrect username or password.")


def test_a_bad_refresh_token_is_invalid_refresh_token(
    acme: PartnerAccount, cognito: Any, pool: Pool
) -> None:
    response = seed_refresh(acme.http, acme.client_id, "eyJjdHkiOiJKV1QifQ.garbage.x")
    _cognito_error(response, "NotAuthorizedException", "Invalid Refresh Token")
    # A refresh token of another client in the same pool is not the partner's.
    make_user(cognito, pool)
    other = sign_in(cognito, pool)["RefreshToken"]
    response = seed_refresh(acme.http, acme.client_id, other)
    _cognito_error(response, "NotAuthorizedException", "Invalid Refresh Token")


def test_boto3_signs_a_partner_in_too(acme: PartnerAccount, cognito: Any) -> None:
    result = cognito.initiate_auth(
        ClientId=acme.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": acme.username, "PASSWORD": acme.password},
    )["AuthenticationResult"]
    refreshed = cognito.initiate_auth(
        ClientId=acme.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    assert acme.list(refreshed["IdToken"]).status_code == 200
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=acme.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": acme.username, "PASSWORD": "Wr0ng-password!"},
        )
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_partner_gets_an_app_client_and_a_confirmed_api_user(
    acme: PartnerAccount, cognito: Any, pool: Pool
) -> None:
    partner = acme.partner
    assert isinstance(partner.id, str) and partner.id
    assert partner.name == "acme" and partner.pool_id == pool.id
    assert partner.enabled is True and partner.max_managed_users is None
    assert partner.username == f"partner-{partner.id}"
    client = cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=acme.client_id)[
        "UserPoolClient"
    ]
    assert not client.get("ClientSecret")
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(
        client["ExplicitAuthFlows"]
    )
    units = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"} | client.get(
        "TokenValidityUnits", {}
    )
    assert _seconds(client["IdTokenValidity"], units["IdToken"]) == DAY
    assert _seconds(client["AccessTokenValidity"], units["AccessToken"]) == DAY
    assert _seconds(client["RefreshTokenValidity"], units["RefreshToken"]) == 30 * DAY
    user = cognito.admin_get_user(UserPoolId=pool.id, Username=f"partner-{partner.id}")
    assert user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True
    names = {a["Name"] for a in user["UserAttributes"]}
    assert "email" not in names  # this pool's usernames are not emails
    # The pool's own client and users are untouched.
    clients = cognito.list_user_pool_clients(UserPoolId=pool.id, MaxResults=60)
    assert {c["ClientId"] for c in clients["UserPoolClients"]} == {pool.client_id, acme.client_id}


def test_in_a_pool_of_email_usernames_the_api_user_has_an_invalid_domain_email(
    live: LiveServer, cognito: Any, new_partner: NewPartner
) -> None:
    emails = make_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    acme = new_partner("acme", pool_id=emails.id)
    email = f"partner-{acme.id}@partners.invalid"
    assert acme.username in {f"partner-{acme.id}", email}
    user = cognito.admin_get_user(UserPoolId=emails.id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == email and user["UserStatus"] == "CONFIRMED"
    for username in {acme.username, email}:
        response = seed_sign_in(acme.http, acme.client_id, username, acme.password)
        assert response.status_code == 200, response.text
    assert acme.create().status_code == 201


def test_the_id_token_lasts_a_day_and_the_refresh_token_thirty(
    live: LiveServer, acme: PartnerAccount
) -> None:
    first = acme.sign_in()
    live.clock.advance(DAY - 1)
    assert acme.list(first["IdToken"]).status_code == 200
    live.clock.advance(2)
    expect_error(acme.list(first["IdToken"]), 401, "invalid_token")
    refreshed = seed_refresh(acme.http, acme.client_id, first["RefreshToken"])
    assert refreshed.status_code == 200, refreshed.text
    assert acme.list(refreshed.json()["AuthenticationResult"]["IdToken"]).status_code == 200
    live.clock.advance(28 * DAY)  # 29 days and a second after the sign-in
    assert seed_refresh(acme.http, acme.client_id, first["RefreshToken"]).status_code == 200
    live.clock.advance(DAY)
    response = seed_refresh(acme.http, acme.client_id, first["RefreshToken"])
    assert response.status_code == 400 and response.json()["__type"] == "NotAuthorizedException"


def test_partners_each_have_their_own_client_account_and_password(
    live: LiveServer, acme: PartnerAccount, globex: PartnerAccount, pool: Pool
) -> None:
    assert acme.id != globex.id and acme.client_id != globex.client_id
    assert acme.password != globex.password and len(acme.password) >= 12
    # One partner's credentials do not sign in through the other's client... as the other.
    response = seed_sign_in(acme.http, acme.client_id, globex.username, acme.password)
    _cognito_error(response, "NotAuthorizedException", "Incorrect username or password.")
    listed = live.run(live.app.state.service.partners.list(pool.id))
    by_id = {p.id: p for p in listed}
    assert set(by_id) == {acme.id, globex.id}
    assert by_id[acme.id].name == "acme" and by_id[acme.id].client_id == acme.client_id
    assert all(acme.password not in repr(p) for p in listed)
    acme.set_enabled(False)
    listed = live.run(live.app.state.service.partners.list(pool.id))
    assert {p.id: p.enabled for p in listed} == {acme.id: False, globex.id: True}


def test_a_partner_with_a_quota_keeps_it(new_partner: NewPartner) -> None:
    limited = new_partner("limited", max_managed_users=3)
    assert limited.partner.max_managed_users == 3


def test_the_generated_password_meets_a_strict_pool_policy(
    cognito: Any, new_partner: NewPartner
) -> None:
    policy = {
        "MinimumLength": 40,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
    }
    strict = make_pool(cognito, pool_args={"Policies": {"PasswordPolicy": policy}})
    acme = new_partner("acme", pool_id=strict.id)
    assert len(acme.password) >= 40
    assert acme.sign_in()["ExpiresIn"] == DAY


def test_a_partner_in_a_pool_of_phone_number_usernames_signs_in_or_leaves_nothing(
    live: LiveServer, cognito: Any, new_partner: NewPartner
) -> None:
    """``partner-<id>`` is no phone number. Creating a partner there may be refused, but a
    refused creation must leave no app client (nor partner) behind in the pool."""
    phones = make_pool(cognito, pool_args={"UsernameAttributes": ["phone_number"]})
    try:
        acme = new_partner("acme", pool_id=phones.id)
    except Exception:  # any refusal will do; what it leaves behind matters
        clients = cognito.list_user_pool_clients(UserPoolId=phones.id, MaxResults=60)
        assert {c["ClientId"] for c in clients["UserPoolClients"]} == {phones.client_id}
        assert cognito.list_users(UserPoolId=phones.id)["Users"] == []
        assert live.run(live.app.state.service.partners.list(phones.id)) == []
        return
    assert acme.sign_in()["ExpiresIn"] == DAY
    assert acme.create().status_code == 201
