"""The mint API's grants and tokens over a live server (seed 002; RFC 6749 §4.3, RFC 7009):
registration, the password grant, token lifetimes with a frozen clock, revocation, application
settings, and users shared with the Cognito API in both directions."""

from __future__ import annotations

import hashlib
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from idmint.core.model import MintToken
from tests.conftest import PASSWORD, error, make_pool, make_user, sign_in
from tests.web.mint.conftest import MINT_PASSWORD, PREFIX, Mint, make_mint


def _token(mint: Mint, **kwargs: Any) -> str:
    response = mint.sign_in(**kwargs)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _stored(mint: Mint, token: str) -> MintToken | None:
    found = mint.live.run(mint.live.store.get_mint_token(hashlib.sha256(token.encode()).digest()))
    return found[0] if found else None


def test_register_then_sign_in_gives_the_same_stable_user_id(mint: Mint) -> None:
    registered = mint.register()
    assert registered.status_code == 200, registered.text
    body = registered.json()
    assert set(body) == {"user", "access_token", "token_type", "expires_in"}
    assert isinstance(body["user"], int) and body["token_type"] == "user"
    assert body["expires_in"] == 3600
    assert registered.headers["cache-control"] == "no-store"
    signed_in = mint.sign_in().json()
    assert signed_in["user"] == body["user"]
    assert signed_in["access_token"] != body["access_token"]
    other = mint.register("other@goact.com.au").json()
    assert other["user"] != body["user"]


def test_tokens_are_opaque_random_and_stored_only_as_hashes(mint: Mint) -> None:
    mint.register()
    tokens = {_token(mint) for _ in range(3)}
    assert len(tokens) == 3
    for token in tokens:
        assert len(token) >= 43 and token.count(".") == 0  # 256 bits, not a JWT
        stored = _stored(mint, token)
        assert stored is not None and token not in repr(stored)


def test_token_info_answers_the_user_and_type(mint: Mint) -> None:
    user = mint.register().json()["user"]
    token = _token(mint)
    for scheme in ("UserToken", "Bearer", "usertoken"):
        info = mint.token_info(token, scheme)
        assert info.status_code == 200, info.text
        assert info.json() == {"user": user, "token_type": "user", "expires_in": 3600}


def test_a_token_expires_with_the_application_lifetime(mint: Mint) -> None:
    mint.register()
    token = _token(mint)
    mint.live.clock.advance(3000)
    assert mint.token_info(token).json()["expires_in"] == 600
    mint.live.clock.advance(599)
    assert mint.token_info(token).status_code == 200
    mint.live.clock.advance(1)
    expired = mint.token_info(token)
    assert expired.status_code == 403
    assert expired.json()["response"] == "The token has expired."
    assert expired.json()["error"] == "invalid_token"


def test_an_application_lifetime_and_non_expiring_tokens(mint: Mint) -> None:
    mint.register()
    mint.update_app(mint.app.id, token_seconds=120)
    assert mint.sign_in().json()["expires_in"] == 120
    mint.update_app(mint.app.id, token_seconds=None)
    granted = mint.sign_in().json()
    assert "expires_in" not in granted  # seed 002: missing means it does not expire
    mint.live.clock.advance(20 * 365 * 86400)
    info = mint.token_info(granted["access_token"])
    assert info.status_code == 200 and info.json() == {
        "user": granted["user"],
        "token_type": "user",
    }


def test_an_unknown_token_is_401_and_a_cancelled_one_403(mint: Mint) -> None:
    mint.register()
    unknown = mint.token_info("x" * 43)
    assert unknown.status_code == 401
    assert unknown.headers["www-authenticate"].startswith('UserToken realm="mint"')
    token = _token(mint)
    assert (
        mint.http.post(f"{PREFIX}/revoke", headers={"Authorization": f"UserToken {token}"}).json()
        == {}
    )
    cancelled = mint.token_info(token)
    assert cancelled.status_code == 403
    assert cancelled.json()["response"] == "The token has been cancelled."


def test_revoke_one_token_or_every_sign_in_of_the_user(mint: Mint, cognito: Any) -> None:
    mint.register()
    first, second, third = _token(mint), _token(mint), _token(mint)
    auth = {"Authorization": f"UserToken {first}"}
    # One token, named in the body (RFC 7009 §2.1), by a token of the same user.
    assert (
        mint.http.post(f"{PREFIX}/revoke", data={"token": second}, headers=auth).status_code == 200
    )
    assert mint.token_info(second).status_code == 403
    assert mint.token_info(first).status_code == 200
    # Everything: mint tokens and Cognito refresh tokens alike.
    refresh = sign_in(cognito, mint.pool, "kc@goact.com.au", MINT_PASSWORD)["RefreshToken"]
    everything = mint.http.post(f"{PREFIX}/revoke", json={"all": True}, headers=auth)
    assert everything.status_code == 200
    assert mint.token_info(first).status_code == 403
    assert mint.token_info(third).status_code == 403
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=mint.pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh},
        )
    assert error(exc)[0] == "NotAuthorizedException"
    # A cancelled token may still end itself (idempotent), but no longer acts for its user.
    assert mint.http.post(f"{PREFIX}/revoke", headers=auth).status_code == 200
    assert mint.http.post(f"{PREFIX}/revoke", json={"all": True}, headers=auth).status_code == 403


def test_revoke_leaves_other_users_and_applications_tokens_alone(mint: Mint) -> None:
    mint.register()
    mint.register("bob@goact.com.au")
    alice = _token(mint)
    bob = _token(mint, username="bob@goact.com.au")
    other_app, other_secret = mint.new_app(name="web")
    other = mint.http.post(
        f"{PREFIX}/authorize",
        json={"grant_type": "password", "username": "kc@goact.com.au", "password": MINT_PASSWORD},
        headers={"Authorization": f"Application {other_app.id}:{other_secret}"},
    ).json()["access_token"]
    by_bob = mint.http.post(
        f"{PREFIX}/revoke", json={"token": alice}, headers={"Authorization": f"Bearer {bob}"}
    )
    assert by_bob.status_code == 200 and mint.token_info(alice).status_code == 200
    by_app = mint.http.post(f"{PREFIX}/revoke", json={"token": other}, headers=mint.app_auth)
    assert by_app.status_code == 200 and mint.token_info(other).status_code == 200
    assert (
        mint.http.post(f"{PREFIX}/revoke", json={"token": "unknown"}, headers=mint.app_auth).json()
        == {}
    )
    own = mint.http.post(f"{PREFIX}/revoke", json={"token": alice}, headers=mint.app_auth)
    assert own.status_code == 200 and mint.token_info(alice).status_code == 403
    assert mint.token_info(bob).status_code == 200
    anonymous = mint.http.post(f"{PREFIX}/revoke", json={"token": bob})
    assert anonymous.status_code == 401 and mint.token_info(bob).status_code == 200


def test_disabled_application_loses_its_credentials_and_tokens(mint: Mint) -> None:
    mint.register()
    token = _token(mint)
    mint.update_app(mint.app.id, enabled=False)
    assert mint.register("new@goact.com.au").status_code == 401
    assert mint.sign_in().status_code == 401  # the default application, disabled
    assert mint.token_info(token).status_code == 403
    mint.update_app(mint.app.id, enabled=True)
    assert mint.token_info(token).status_code == 200


def test_rotated_secret_replaces_the_old_one(mint: Mint) -> None:
    from idmint.core.mint import MintApps

    old = mint.app_auth
    app, secret = mint.live.run(
        MintApps(mint.live.store, mint.live.clock).rotate_secret(mint.app.id)
    )
    refused = mint.http.post(
        f"{PREFIX}/register",
        json={"firstname": "A", "lastname": "B", "username": "a@b.co", "password": MINT_PASSWORD},
        headers=old,
    )
    assert refused.status_code == 401
    accepted = mint.http.post(
        f"{PREFIX}/register",
        json={"firstname": "A", "lastname": "B", "username": "a@b.co", "password": MINT_PASSWORD},
        headers={"Authorization": f"Application {app.id}:{secret}"},
    )
    assert accepted.status_code == 200, accepted.text


def test_an_application_can_be_refused_the_password_grant(mint: Mint) -> None:
    mint.update_app(mint.app.id, password_grant=False)
    assert mint.register().status_code == 200  # registration is not the password grant
    refused = mint.sign_in()
    assert refused.status_code == 400
    assert refused.json() == {
        "response": "The password grant is not enabled for this application.",
        "error": "unauthorized_client",
        "error_description": "The password grant is not enabled for this application.",
    }


def test_without_a_default_application_the_password_grant_needs_one(mint: Mint) -> None:
    mint.register()
    mint.update_app(mint.app.id, default=False)
    missing = mint.sign_in()
    assert missing.status_code == 401
    assert missing.json()["response"] == "Application credentials are required."
    named = mint.http.post(
        f"{PREFIX}/authorize",
        data={
            "grant_type": "password",
            "username": "kc@goact.com.au",
            "password": MINT_PASSWORD,
            "client_id": mint.app.id,
        },
    )
    assert named.status_code == 200, named.text
    assert mint.sign_in(headers=mint.app_auth).status_code == 200


def test_only_one_application_is_the_default(mint: Mint) -> None:
    mint.register()
    other, _ = mint.new_app(name="web", default=True, token_seconds=300)
    assert mint.sign_in().json()["expires_in"] == 300
    assert not mint.live.run(mint.live.store.get_mint_app(mint.app.id)).is_default
    assert mint.live.run(mint.live.store.get_default_mint_app()).id == other.id


def test_registration_applies_the_seed_minimum_and_the_pool_policy(mint: Mint) -> None:
    short = mint.register(password="Ab1!x")
    assert short.status_code == 400 and "more than 5 characters" in short.json()["response"]
    weak = mint.register(password="abcdefgh")
    assert weak.status_code == 400
    assert weak.json()["response"].startswith("Password did not conform with policy")
    assert mint.sign_in(password="abcdefgh").status_code == 400  # no user was made


def test_a_mint_user_signs_in_through_boto3(mint: Mint, cognito: Any) -> None:
    mint.register()
    tokens = sign_in(cognito, mint.pool, "kc@goact.com.au", MINT_PASSWORD)
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["email"] == "kc@goact.com.au" and claims["email_verified"] is False
    assert claims["given_name"] == "Kate" and claims["family_name"] == "Smith"
    user = cognito.admin_get_user(UserPoolId=mint.pool.id, Username="kc@goact.com.au")
    assert user["UserStatus"] == "CONFIRMED"


def test_a_boto3_user_signs_in_through_mint(mint: Mint, cognito: Any) -> None:
    make_user(cognito, mint.pool, "ann@example.com", email="ann@example.com")
    first = mint.sign_in("ann@example.com", PASSWORD)
    assert first.status_code == 200, first.text
    second = mint.sign_in("ANN@example.com", PASSWORD)
    assert second.json()["user"] == first.json()["user"]
    assert mint.token_info(first.json()["access_token"]).json()["user"] == first.json()["user"]


def test_user_states_follow_the_cognito_rules(mint: Mint, cognito: Any) -> None:
    cognito.sign_up(ClientId=mint.pool.client_id, Username="un@example.com", Password=PASSWORD)
    unconfirmed = mint.sign_in("un@example.com", PASSWORD)
    assert unconfirmed.status_code == 403
    assert unconfirmed.json()["response"] == "User is not confirmed."
    cognito.admin_create_user(
        UserPoolId=mint.pool.id,
        Username="temp@example.com",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
    )
    temporary = mint.sign_in("temp@example.com", PASSWORD)
    assert temporary.status_code == 403 and "new password" in temporary.json()["response"]
    mint.register()
    token = _token(mint)
    cognito.admin_disable_user(UserPoolId=mint.pool.id, Username="kc@goact.com.au")
    disabled = mint.sign_in()
    assert disabled.status_code == 403 and disabled.json()["response"] == "User is disabled."
    assert mint.token_info(token).status_code == 403
    cognito.admin_enable_user(UserPoolId=mint.pool.id, Username="kc@goact.com.au")
    assert mint.token_info(token).status_code == 403  # disabling ended every sign-in
    assert mint.sign_in().status_code == 200


def test_global_sign_out_and_deletion_cancel_mint_tokens(mint: Mint, cognito: Any) -> None:
    mint.register()
    token = _token(mint)
    cognito.admin_user_global_sign_out(UserPoolId=mint.pool.id, Username="kc@goact.com.au")
    assert mint.token_info(token).status_code == 403
    token = _token(mint)
    user_id = mint.token_info(token).json()["user"]
    cognito.admin_delete_user(UserPoolId=mint.pool.id, Username="kc@goact.com.au")
    assert mint.token_info(token).status_code == 403
    assert mint.sign_in().status_code == 400  # unknown user now
    again = mint.register().json()
    assert again["user"] != user_id  # ids are never handed out again


def test_unknown_user_and_wrong_password_follow_the_seed(mint: Mint) -> None:
    mint.register()
    unknown = mint.sign_in("nobody@goact.com.au")
    assert unknown.status_code == 400
    assert unknown.json()["response"] == "The requested resource was not found on server"
    wrong = mint.sign_in(password="Wrong-passw0rd!")
    assert wrong.status_code == 404
    assert wrong.json()["response"] == "The password does not match, suggest reset?"
    taken = mint.register()
    assert taken.status_code == 403
    assert taken.json()["response"] == "The username has already existed"


@pytest.fixture
def plain_mint(live: Any, cognito: Any) -> Any:
    """A pool with plain usernames (no UsernameAttributes, no aliases)."""
    pool = make_pool(cognito)
    yield from _mint_for(live, cognito, pool)


def _mint_for(live: Any, cognito: Any, pool: Any) -> Any:
    import httpx

    from idmint.core.mint import MintApps

    app, secret = live.run(MintApps(live.store, live.clock).create_app(pool.id, "m", default=True))
    with httpx.Client(base_url=live.url, timeout=30) as http:
        yield Mint(live, pool, app, secret, http)


def test_plain_username_pools_keep_the_email_as_username(plain_mint: Mint, cognito: Any) -> None:
    assert plain_mint.register("kate@example.com").status_code == 200
    user = cognito.admin_get_user(UserPoolId=plain_mint.pool.id, Username="kate@example.com")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "kate@example.com"
    assert plain_mint.register("kate").status_code == 200  # not an email: no email attribute
    assert sign_in(cognito, plain_mint.pool, "kate", MINT_PASSWORD)["AccessToken"]


def test_email_alias_pools_refuse_an_email_username_clearly(live: Any, cognito: Any) -> None:
    pool = make_pool(cognito, pool_args={"AliasAttributes": ["email"]})
    for mint in _mint_for(live, cognito, pool):
        refused = mint.register("kate@example.com")
        assert refused.status_code == 400
        assert "email format" in refused.json()["response"]


def test_admin_only_pools_refuse_registration(live: Any, cognito: Any) -> None:
    for mint in make_mint(live, cognito):
        cognito.update_user_pool(
            UserPoolId=mint.pool.id, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True}
        )
        refused = mint.register()
        assert refused.status_code == 403
        assert refused.json()["response"] == "SignUp is not permitted for this user pool"


def test_the_failed_sign_in_lock_is_shared_with_the_cognito_api(mint: Mint, cognito: Any) -> None:
    """Five wrong passwords, some through mint and some through Cognito USER_PASSWORD_AUTH,
    lock the user on both (README "Failed sign-ins")."""
    mint.register()
    for _ in range(3):
        assert mint.sign_in(password="Wrong-passw0rd!").status_code == 404
    for _ in range(2):
        with pytest.raises(ClientError) as wrong:
            sign_in(cognito, mint.pool, "kc@goact.com.au", "Wrong-passw0rd!")
        assert error(wrong) == ("NotAuthorizedException", "Incorrect username or password.")
    locked = mint.sign_in()
    assert locked.status_code == 429 and locked.headers["retry-after"] == "1"
    assert locked.json()["response"] == "Password attempts exceeded"
    with pytest.raises(ClientError) as refused:
        sign_in(cognito, mint.pool, "kc@goact.com.au", MINT_PASSWORD)
    assert error(refused) == ("NotAuthorizedException", "Password attempts exceeded")
    mint.live.clock.advance(1)
    assert mint.sign_in().status_code == 200
    assert sign_in(cognito, mint.pool, "kc@goact.com.au", MINT_PASSWORD)["AccessToken"]
    # Unknown usernames lock the same way on the mint API (their answer is the seed's 400).
    answers = [mint.sign_in("nobody@goact.com.au").status_code for _ in range(6)]
    assert answers == [400] * 5 + [429]


def test_one_authentication_method_per_request_and_lenient_form_endings(mint: Mint) -> None:
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method; a form body
    may end with ``&``."""
    mint.register()
    both = mint.http.post(
        f"{PREFIX}/authorize",
        data={
            "grant_type": "password",
            "username": "kc@goact.com.au",
            "password": MINT_PASSWORD,
            "client_id": mint.app.id,
            "client_secret": mint.secret,
        },
        headers=mint.app_auth,
    )
    assert both.status_code == 400 and "one way only" in both.json()["response"]
    body = f"grant_type=password&username=kc%40goact.com.au&password={MINT_PASSWORD}&"
    trailing = mint.http.post(
        f"{PREFIX}/authorize",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert trailing.status_code == 200, trailing.text
