"""The hosted pages and ``GET /oauth2/authorize`` over a real socket, driven by httpx as a
browser would be (form posts, cookies, redirects followed by hand)."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from idmint.core.errors import ALL_ERRORS
from idmint.web.hosted_ui import ERRORS, NOTICES
from tests.conftest import PASSWORD, LiveServer, last_code, outbox
from tests.web.hosted.conftest import CALLBACK, LOGOUT, OAuthPool, make_oauth_pool

EMAIL = "ada@example.com"


@pytest.fixture
def server_options() -> dict[str, Any]:
    # httpx keeps Secure cookies from plain http: the server drops Secure (and __Host-) there.
    return {"insecure_localhost_cookies": True}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Flow:
    """One authorization request and the PKCE verifier behind it."""

    query: dict[str, str]
    verifier: str

    @property
    def state(self) -> str:
        return self.query["state"]


def flow(pool: OAuthPool, **extra: str) -> Flow:
    verifier, challenge = pkce()
    query = {
        "client_id": pool.client_id,
        "redirect_uri": pool.callback,
        "response_type": "code",
        "scope": "openid email",
        "state": secrets.token_urlsafe(12),
        "nonce": secrets.token_urlsafe(12),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    } | extra
    return Flow(query, verifier)


@pytest.fixture
def browser(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, follow_redirects=False, timeout=30) as client:
        yield client


def form_of(page: httpx.Response, button: str | None = None) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the page's form (the one holding ``button``)."""
    text = page.text
    forms = re.findall(r"<form[^>]*>.*?</form>", text, re.S)
    chosen = next(f for f in forms if button is None or f">{button}</button>" in f)
    action = html.unescape(re.search(r'<form[^>]* action="([^"]*)"', chosen).group(1))  # type: ignore[union-attr]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', chosen))
    return action, hidden


def submit(
    browser: httpx.Client, page: httpx.Response, fields: dict[str, str], **kw: Any
) -> httpx.Response:
    action, hidden = form_of(page)
    return browser.post(action, data=hidden | fields, **kw)


def location(response: httpx.Response) -> str:
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    return response.headers["location"]


def callback_params(url: str) -> dict[str, str]:
    assert url.startswith(CALLBACK + "?"), url
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def make_user(live: LiveServer, cognito: Any, pool: OAuthPool, email: str = EMAIL) -> str:
    sub = cognito.sign_up(ClientId=pool.client_id, Username=email, Password=PASSWORD)["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username=email)
    cognito.admin_update_user_attributes(
        UserPoolId=pool.id,
        Username=email,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    return str(sub)


def sign_in(
    browser: httpx.Client, f: Flow, username: str = EMAIL, password: str = PASSWORD
) -> httpx.Response:
    """authorize → /login → POST: the answer to the POST."""
    to_login = browser.get("/oauth2/authorize", params=f.query)
    assert location(to_login).startswith("/login?")
    page = browser.get(location(to_login))
    assert page.status_code == 200
    return submit(browser, page, {"username": username, "password": password})


def exchange(browser: httpx.Client, pool: OAuthPool, f: Flow, code: str) -> dict[str, Any]:
    response = browser.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": pool.client_id,
            "code": code,
            "redirect_uri": pool.callback,
            "code_verifier": f.verifier,
        },
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def without_nonce(text: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", text)


# ------------------------------------------------------------------------------------ code flow


def test_code_flow_by_form_posts_then_the_session_signs_in_again(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    sub = make_user(live, cognito, oauth_pool)
    f = flow(oauth_pool)
    to_login = browser.get("/oauth2/authorize", params=f.query)
    assert to_login.status_code == 302
    login_url = location(to_login)
    assert login_url.startswith("/login?")
    assert {k: v[0] for k, v in parse_qs(urlsplit(login_url).query).items()} == f.query

    page = browser.get(login_url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert '<label class="label-customizable" for="f-username">Email</label>' in text
    assert '<label class="label-customizable" for="f-password">Password</label>' in text
    assert 'name="username"' in text and 'autocomplete="username"' in text
    assert 'name="password"' in text and 'autocomplete="current-password"' in text
    assert ">Sign in</button>" in text
    assert "<h1" in text and "Hosted Test" in text
    action, hidden = form_of(page)
    assert action == login_url and "_csrf" in hidden
    assert re.search(r'<a [^>]*href="/signup\?[^"]*client_id=[^"]*">Sign up</a>', text)
    assert re.search(r'<a [^>]*href="/forgot-password\?[^"]*">Forgot your password\?</a>', text)

    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    assert answer.status_code == 303
    got = callback_params(location(answer))
    assert got["state"] == f.state
    assert got["iss"] == f"{live.url}/{oauth_pool.id}"
    assert set(got) == {"code", "state", "iss"}
    assert f"idmint-sso-{oauth_pool.id}" in browser.cookies

    tokens = exchange(browser, oauth_pool, f, got["code"])
    assert tokens["id_token"] and tokens["access_token"]
    claims = cognito_claims(tokens["id_token"])
    assert claims["sub"] == sub and claims["nonce"] == f.query["nonce"]

    # a second app (same client here) gets a code without the password
    f2 = flow(oauth_pool)
    again = browser.get("/oauth2/authorize", params=f2.query)
    assert again.status_code == 302
    got2 = callback_params(location(again))
    assert got2["state"] == f2.state and got2["code"] != got["code"]
    assert exchange(browser, oauth_pool, f2, got2["code"])["access_token"]


def cognito_claims(token: str) -> dict[str, Any]:
    import json

    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_prompt_login_and_max_age_force_the_sign_in_page(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    assert sign_in(browser, flow(oauth_pool)).status_code == 303

    forced = browser.get("/oauth2/authorize", params=flow(oauth_pool, prompt="login").query)
    assert location(forced).startswith("/login?") and "prompt=login" in location(forced)
    page = browser.get(location(forced))
    again = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    assert "code" in callback_params(location(again))

    live.clock.advance(120)
    old = browser.get("/oauth2/authorize", params=flow(oauth_pool, max_age="60").query)
    assert location(old).startswith("/login?")
    fresh = browser.get("/oauth2/authorize", params=flow(oauth_pool, max_age="600").query)
    assert "code" in callback_params(location(fresh))


def test_prompt_none_without_a_session_answers_login_required(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    f = flow(oauth_pool, prompt="none")
    got = callback_params(location(browser.get("/oauth2/authorize", params=f.query)))
    assert got["error"] == "login_required"
    assert got["state"] == f.state and got["iss"] == f"{live.url}/{oauth_pool.id}"
    assert "code" not in got


def test_an_expired_hosted_session_asks_for_the_password(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    assert sign_in(browser, flow(oauth_pool)).status_code == 303
    live.clock.advance(3601)
    later = browser.get("/oauth2/authorize", params=flow(oauth_pool).query)
    assert location(later).startswith("/login?")


# ------------------------------------------------------------------------------ request checks


def test_unregistered_redirect_uri_is_an_error_page_never_a_redirect(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    evil = flow(oauth_pool, redirect_uri="https://evil.example/callback")
    for path in ("/oauth2/authorize", "/login", "/signup", "/confirm", "/forgot-password"):
        page = browser.get(path, params=evil.query)
        assert page.status_code == 400, path
        assert "location" not in page.headers
        assert page.headers["content-type"].startswith("text/html")
        assert "evil.example" not in page.text
        assert 'role="alert"' in page.text and "callback URL" in page.text
    unknown = browser.get("/oauth2/authorize", params=flow(oauth_pool, client_id="nope").query)
    assert unknown.status_code == 400 and "location" not in unknown.headers
    missing = browser.get("/login")
    assert missing.status_code == 400 and "client_id" in missing.text


def test_a_refused_request_with_a_verified_redirect_uri_goes_back_with_the_error(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    f = flow(oauth_pool, scope="openid phone")
    for path in ("/oauth2/authorize", "/login"):
        got = callback_params(location(browser.get(path, params=f.query)))
        assert got["error"] == "invalid_scope" and got["state"] == f.state
        assert got["iss"] == f"{live.url}/{oauth_pool.id}"
    no_pkce = {k: v for k, v in flow(oauth_pool).query.items() if not k.startswith("code_")}
    got = callback_params(location(browser.get("/oauth2/authorize", params=no_pkce)))
    assert got["error"] == "invalid_request"


def test_a_repeated_parameter_is_invalid_request(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    query = urlencode(flow(oauth_pool).query) + "&state=again"
    for path in ("/oauth2/authorize", "/login"):
        page = browser.get(f"{path}?{query}")
        assert page.status_code == 400 and "location" not in page.headers
        assert "invalid_request" in page.text


def test_security_headers_on_every_page(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    f = flow(oauth_pool)
    responses = [
        browser.get(path, params=f.query)
        for path in ("/login", "/signup", "/confirm", "/forgot-password", "/reset-password")
    ]
    responses.append(browser.get("/oauth2/authorize", params=f.query))
    responses.append(browser.get("/login", params={"client_id": "nope"}))
    responses.append(browser.get("/hosted/nothing-here"))
    for response in responses:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "base-uri 'none'" in csp and "form-action 'self'" in csp
        assert re.search(r"style-src 'self' 'nonce-[A-Za-z0-9_-]{16,}'", csp)
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert "camera=()" in headers["permissions-policy"]
    # the redirect after the login POST goes to the client: form-action allows its origin
    assert (
        "form-action 'self' http://localhost:8700;"
        in responses[0].headers["content-security-policy"]
    )
    nonces = {r.headers["content-security-policy"].split("'nonce-")[1] for r in responses}
    assert len(nonces) == len(responses)


def test_pages_are_accessible_and_fit_a_phone(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    f = flow(oauth_pool)
    for path in ("/login", "/signup", "/confirm", "/forgot-password", "/reset-password"):
        text = browser.get(path, params=f.query | {"username": EMAIL}).text
        assert '<html lang="en">' in text and "<main" in text
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
        assert "<script" not in text and "http://" not in text.split("</head>")[0]
        ids = re.findall(r'<input class="inputField-customizable" id="([^"]+)"', text)
        assert ids, path
        for input_id in ids:
            assert f'<label class="label-customizable" for="{input_id}">' in text
        assert 'name="_csrf"' in text
    stylesheet = re.search(r'href="(/hosted/static/[^"]+)"', text).group(1)  # type: ignore[union-attr]
    css = browser.get(stylesheet)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "max-width" in css.text and "https://" not in css.text


def test_the_error_page_answers_routing_errors(live: LiveServer, browser: httpx.Client) -> None:
    missing = browser.get("/hosted/static/none.css")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    wrong = browser.put("/login")
    assert wrong.status_code == 405 and "GET" in wrong.headers["allow"]
    assert "text/html" in wrong.headers["content-type"] and "Traceback" not in wrong.text


# ---------------------------------------------------------------------------- login failures


def test_unknown_user_and_wrong_password_read_the_same(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    f = flow(oauth_pool)
    page = browser.get("/login", params=f.query)
    wrong = submit(browser, page, {"username": EMAIL, "password": "Wr0ng-password!"})
    page = browser.get("/login", params=f.query)
    unknown = submit(browser, page, {"username": "zed@example.com", "password": "Wr0ng-password!"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Incorrect username or password." in wrong.text
    assert without_nonce(wrong.text).replace(EMAIL, "X") == without_nonce(unknown.text).replace(
        "zed@example.com", "X"
    )
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers


def test_too_many_failures_lock_with_retry_after(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    f = flow(oauth_pool)
    statuses = []
    for _ in range(6):
        page = browser.get("/login", params=f.query)
        statuses.append(submit(browser, page, {"username": EMAIL, "password": "Bad-pass1!"}))
    assert [r.status_code for r in statuses[:5]] == [401] * 5
    locked = statuses[5]
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) >= 1
    assert "Too many failed sign-in attempts" in locked.text
    # the right password is refused unchecked while the lock lasts
    page = browser.get("/login", params=f.query)
    assert submit(browser, page, {"username": EMAIL, "password": PASSWORD}).status_code == 429


def test_unconfirmed_user_with_the_right_password_goes_to_confirm(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    cognito.sign_up(ClientId=oauth_pool.client_id, Username=EMAIL, Password=PASSWORD)
    sent = len(outbox(live, EMAIL))
    f = flow(oauth_pool)
    page = browser.get("/login", params=f.query)
    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    target = location(answer)
    assert answer.status_code == 303 and target.startswith("/confirm?")
    query = parse_qs(urlsplit(target).query)
    assert query["username"] == [EMAIL] and query["state"] == [f.state]
    assert len(outbox(live, EMAIL)) == sent + 1  # a fresh code
    # a wrong password for the same user says nothing about its state
    page = browser.get("/login", params=f.query)
    assert submit(browser, page, {"username": EMAIL, "password": "Bad-pass1!"}).status_code == 401


def test_disabled_user_is_told_so_after_the_right_password(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    cognito.admin_disable_user(UserPoolId=oauth_pool.id, Username=EMAIL)
    page = browser.get("/login", params=flow(oauth_pool).query)
    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    assert answer.status_code == 403 and "Your account is disabled." in answer.text
    page = browser.get("/login", params=flow(oauth_pool).query)
    wrong = submit(browser, page, {"username": EMAIL, "password": "Bad-pass1!"})
    assert wrong.status_code == 401


def test_reset_required_and_temporary_passwords_get_clear_messages(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    cognito.admin_reset_user_password(UserPoolId=oauth_pool.id, Username=EMAIL)
    page = browser.get("/login", params=flow(oauth_pool).query)
    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    assert answer.status_code == 403 and "Forgot your password?" in answer.text

    cognito.admin_create_user(
        UserPoolId=oauth_pool.id, Username="tmp@example.com", TemporaryPassword="Temp-pass1!"
    )
    page = browser.get("/login", params=flow(oauth_pool).query)
    answer = submit(browser, page, {"username": "tmp@example.com", "password": "Temp-pass1!"})
    assert answer.status_code == 403 and "temporary password" in answer.text
    assert "idmint-sso-" not in answer.headers.get("set-cookie", "")


def test_empty_fields_are_asked_for(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    page = browser.get("/login", params=flow(oauth_pool).query)
    answer = submit(browser, page, {"username": "", "password": ""})
    assert answer.status_code == 400 and "Enter your email and password." in answer.text


# ------------------------------------------------------------------------------------ CSRF


def test_csrf_missing_or_wrong_is_refused_and_nothing_changes(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    f = flow(oauth_pool)
    page = browser.get("/login", params=f.query)
    action, hidden = form_of(page)
    creds = {"username": EMAIL, "password": PASSWORD}
    for token in (None, "", hidden["_csrf"][:-2] + "AA"):
        data = creds | ({} if token is None else {"_csrf": token})
        refused = browser.post(action, data=data)
        assert refused.status_code == 403 and "location" not in refused.headers
        assert "idmint-sso-" not in refused.headers.get("set-cookie", "")
    # a token from another browser (another CSRF cookie) does not work either
    with httpx.Client(base_url=live.url) as other:
        other_page = other.get("/login", params=f.query)
        _, other_hidden = form_of(other_page)
    assert browser.post(action, data=creds | other_hidden).status_code == 403
    # no CSRF cookie at all
    with httpx.Client(base_url=live.url) as fresh:
        assert fresh.post(action, data=creds | hidden).status_code == 403

    signup = browser.get("/signup", params=f.query)
    signup_action, _ = form_of(signup)
    refused = browser.post(
        signup_action, data={"username": "new@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert outbox(live, "new@example.com") == []
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=oauth_pool.id, Username="new@example.com")


def test_a_cross_site_post_is_refused(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    page = browser.get("/login", params=flow(oauth_pool).query)
    action, hidden = form_of(page)
    data = hidden | {"username": EMAIL, "password": PASSWORD}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost:8700"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    ):
        refused = browser.post(action, data=data, headers=headers)
        assert refused.status_code == 403, headers
        assert "idmint-sso-" not in refused.headers.get("set-cookie", "")
    # what Chromium sends for our own form under Referrer-Policy: no-referrer
    same = browser.post(
        action, data=data, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 303
    page = browser.get("/login", params=flow(oauth_pool).query)
    action, hidden = form_of(page)
    data = hidden | {"username": EMAIL, "password": PASSWORD}
    assert browser.post(action, data=data, headers={"Origin": live.url}).status_code == 303


def test_form_bodies_are_bounded_form_encoded_and_single_valued(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    page = browser.get("/login", params=flow(oauth_pool).query)
    action, hidden = form_of(page)
    big = browser.post(action, data=hidden | {"username": "x" * (300 * 1024), "password": "y"})
    assert big.status_code == 413
    as_json = browser.post(action, json=hidden | {"username": EMAIL, "password": "x"})
    assert as_json.status_code == 415
    twice = browser.post(
        action,
        content=urlencode(hidden) + "&username=a&username=b&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 400 and "repeated" in twice.text


# ------------------------------------------------------------------------- sign-up and confirm


def test_sign_up_confirm_and_land_on_the_redirect_uri_with_a_code(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    f = flow(oauth_pool)
    to_login = browser.get("/oauth2/authorize", params=f.query)
    login = browser.get(location(to_login))
    signup_url = html.unescape(re.search(r'href="(/signup\?[^"]+)"', login.text).group(1))  # type: ignore[union-attr]
    page = browser.get(signup_url)
    assert page.status_code == 200
    assert '<label class="label-customizable" for="f-username">Email</label>' in page.text
    assert 'autocomplete="new-password"' in page.text and ">Sign up</button>" in page.text
    assert 'name="email"' not in page.text  # the username is the email

    weak = submit(browser, page, {"username": EMAIL, "password": "short"})
    assert weak.status_code == 400 and "Password did not conform with policy" in weak.text
    assert f'value="{EMAIL}"' in weak.text  # what was typed stays, the password does not

    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    assert answer.status_code == 303
    confirm_url = location(answer)
    assert confirm_url.startswith("/confirm?")
    assert parse_qs(urlsplit(confirm_url).query)["username"] == [EMAIL]
    confirm = browser.get(confirm_url)
    assert NOTICES["code_sent"] in confirm.text
    assert f'value="{EMAIL}"' in confirm.text
    assert '<label class="label-customizable" for="f-code">Verification code</label>' in (
        confirm.text
    )
    assert 'autocomplete="one-time-code"' in confirm.text and ">Resend code</button>" in (
        confirm.text
    )

    wrong = submit(browser, confirm, {"username": EMAIL, "code": "000000"})
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text

    done = submit(browser, confirm, {"username": EMAIL, "code": last_code(live, EMAIL)})
    assert done.status_code == 303
    got = callback_params(location(done))
    assert got["state"] == f.state and "code" in got
    assert exchange(browser, oauth_pool, f, got["code"])["id_token"]
    # and the browser is signed in for the next app
    again = browser.get("/oauth2/authorize", params=flow(oauth_pool).query)
    assert "code" in callback_params(location(again))


def test_confirm_in_another_browser_asks_to_sign_in(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    f = flow(oauth_pool)
    page = browser.get("/signup", params=f.query)
    assert submit(browser, page, {"username": EMAIL, "password": PASSWORD}).status_code == 303
    with httpx.Client(base_url=live.url) as other:
        confirm = other.get("/confirm", params=f.query | {"username": EMAIL})
        action, hidden = form_of(confirm)
        done = other.post(action, data=hidden | {"username": EMAIL, "code": last_code(live, EMAIL)})
        target = location(done)
        assert target.startswith("/login?") and "notice=confirmed" in target
        login = other.get(target)
        assert "Your account is confirmed; sign in." in login.text
        assert f'value="{EMAIL}"' in login.text
        answer = submit(other, login, {"username": EMAIL, "password": PASSWORD})
        assert "code" in callback_params(location(answer))


def test_notices_are_fixed_texts_never_the_query(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    page = browser.get("/login", params=flow(oauth_pool, notice="Your bank needs you").query)
    assert page.status_code == 200 and "Your bank" not in page.text
    hostile = browser.get("/confirm", params=flow(oauth_pool).query | {"username": '"><b>x'})
    assert "<b>x" not in hostile.text and "&#34;&gt;&lt;b&gt;x" in hostile.text


def test_signing_up_a_taken_name_looks_like_success_and_sends_nothing(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    sent = len(outbox(live, EMAIL))
    f = flow(oauth_pool)
    page = browser.get("/signup", params=f.query)
    taken = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    with httpx.Client(base_url=live.url) as other:
        other_page = other.get("/signup", params=f.query)
        new = submit(other, other_page, {"username": "new@example.com", "password": PASSWORD})
    assert taken.status_code == new.status_code == 303
    assert location(taken) == location(new).replace("new%40example.com", "ada%40example.com")
    assert len(outbox(live, EMAIL)) == sent
    assert set(taken.cookies) == set(new.cookies)
    # the sealed sign-up cookie of a taken name does not sign its owner in on confirm
    confirm = browser.get(location(taken))
    wrong = submit(browser, confirm, {"username": EMAIL, "code": "123456"})
    assert wrong.status_code == 400
    assert "Invalid verification code" in wrong.text  # same as for an unknown name


def test_resend_code_says_the_same_for_any_name(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    cognito.sign_up(ClientId=oauth_pool.client_id, Username=EMAIL, Password=PASSWORD)
    make_user(live, cognito, oauth_pool, "done@example.com")
    f = flow(oauth_pool)
    answers = {}
    for name in (EMAIL, "done@example.com", "nobody@example.com"):
        page = browser.get("/confirm", params=f.query | {"username": name})
        _, hidden = form_of(page)
        resend_action = html.unescape(
            re.search(r'formaction="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        )
        assert resend_action.startswith("/confirm/resend?")
        answers[name] = browser.post(resend_action, data=hidden | {"username": name})
    for name, answer in answers.items():
        assert answer.status_code == 303
        assert location(answer).startswith("/confirm?") and "notice=code_resent" in location(
            answer
        ), name
    assert len(outbox(live, EMAIL)) == 2
    code = last_code(live, EMAIL)
    page = browser.get("/confirm", params=f.query | {"username": EMAIL})
    assert submit(browser, page, {"username": EMAIL, "code": code}).status_code == 303


@pytest.mark.parametrize("prevent", ["ENABLED", "LEGACY"])
def test_confirming_a_confirmed_account_reads_as_a_wrong_code(
    live: LiveServer, cognito: Any, browser: httpx.Client, prevent: str
) -> None:
    """Every try, up to and past the attempt limit, whatever PreventUserExistenceErrors says:
    a confirmed account and an unknown name count their attempts alike."""
    pool = make_oauth_pool(cognito, client_args={"PreventUserExistenceErrors": prevent})
    make_user(live, cognito, pool)
    f = flow(pool)
    for _ in range(7):
        page = browser.get("/confirm", params=f.query | {"username": EMAIL})
        known = submit(browser, page, {"username": EMAIL, "code": "123456"})
        page = browser.get("/confirm", params=f.query | {"username": "who@example.com"})
        unknown = submit(browser, page, {"username": "who@example.com", "code": "123456"})
        assert known.status_code == unknown.status_code == 400
        assert without_nonce(known.text).replace(EMAIL, "X") == without_nonce(unknown.text).replace(
            "who@example.com", "X"
        )
    assert "Attempt limit exceeded" in known.text


def username_pool(cognito: Any) -> OAuthPool:
    """A pool whose users pick a username (email an alias), with a confidential client."""
    pool_id = cognito.create_user_pool(
        PoolName="Usernames", AliasAttributes=["email"], AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="confidential",
        GenerateSecret=True,
        CallbackURLs=[CALLBACK],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    return OAuthPool(pool_id, client["ClientId"], client["ClientSecret"])


def test_username_pool_asks_for_username_and_email(live: LiveServer, cognito: Any) -> None:
    pool = username_pool(cognito)
    f = flow(pool)
    with httpx.Client(base_url=live.url) as browser:
        login = browser.get("/login", params=f.query)
        assert '<label class="label-customizable" for="f-username">Username</label>' in login.text
        page = browser.get("/signup", params=f.query)
        assert '<label class="label-customizable" for="f-email">Email</label>' in page.text
        assert 'autocomplete="email"' in page.text
        answer = submit(browser, page, {"username": "ada", "email": EMAIL, "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        confirm = browser.get(location(answer))
        done = submit(browser, confirm, {"username": "ada", "code": last_code(live, EMAIL)})
        got = callback_params(location(done))
        token = browser.post(
            "/oauth2/token",
            auth=(pool.client_id, pool.secret or ""),
            data={
                "grant_type": "authorization_code",
                "code": got["code"],
                "redirect_uri": pool.callback,
                "code_verifier": f.verifier,
            },
        )
        assert token.status_code == 200, token.text
        assert cognito_claims(token.json()["id_token"])["cognito:username"] == "ada"


# ------------------------------------------------------------------------------ password reset


@pytest.mark.parametrize("prevent", ["ENABLED", "LEGACY"])
def test_reset_attempts_read_the_same_for_unknown_names(
    live: LiveServer, cognito: Any, browser: httpx.Client, prevent: str
) -> None:
    """Forgot and reset answer a known and an unknown name alike, attempts counted alike up
    to the limit, whatever the client's PreventUserExistenceErrors."""
    pool = make_oauth_pool(cognito, client_args={"PreventUserExistenceErrors": prevent})
    make_user(live, cognito, pool)
    f = flow(pool)
    pages: dict[str, httpx.Response] = {}
    for name in (EMAIL, "nobody@example.com"):
        asked = submit(browser, browser.get("/forgot-password", params=f.query), {"username": name})
        assert asked.status_code == 303
        for _ in range(7):
            page = browser.get(location(asked))
            fields = {"username": name, "code": "123456", "password": "N3w-passw0rd!"}
            pages[name] = submit(browser, page, fields)
            assert pages[name].status_code == 400
    known, unknown = (without_nonce(pages[n].text) for n in (EMAIL, "nobody@example.com"))
    assert known.replace(EMAIL, "X") == unknown.replace("nobody@example.com", "X")
    assert "Attempt limit exceeded" in known, re.findall(r"errorMessage[^<]*<[^<]*", known)


def test_forgot_reset_then_sign_in_with_the_new_password(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    f = flow(oauth_pool)
    login = browser.get("/login", params=f.query)
    forgot_url = html.unescape(re.search(r'href="(/forgot-password\?[^"]+)"', login.text).group(1))  # type: ignore[union-attr]
    page = browser.get(forgot_url)
    assert ">Reset password</button>" in page.text
    asked = submit(browser, page, {"username": EMAIL})
    assert asked.status_code == 303
    reset_url = location(asked)
    assert reset_url.startswith("/reset-password?") and "username=ada%40example.com" in reset_url

    # an unknown name gets the same answer
    page = browser.get(forgot_url)
    unknown = submit(browser, page, {"username": "nobody@example.com"})
    assert location(unknown) == reset_url.replace("ada%40example.com", "nobody%40example.com")

    reset = browser.get(reset_url)
    assert NOTICES["reset_sent"] in reset.text
    assert '<label class="label-customizable" for="f-code">Verification code</label>' in reset.text
    assert '<label class="label-customizable" for="f-password">New password</label>' in reset.text
    assert ">Change password</button>" in reset.text
    code = last_code(live, EMAIL)
    weak = submit(browser, reset, {"username": EMAIL, "code": code, "password": "weak"})
    assert weak.status_code == 400 and "policy" in weak.text
    wrong = submit(browser, reset, {"username": EMAIL, "code": "000000", "password": "N3w-pass!!"})
    assert wrong.status_code == 400
    done = submit(browser, reset, {"username": EMAIL, "code": code, "password": "N3w-pass!!"})
    assert done.status_code == 303, done.text
    target = location(done)
    assert target.startswith("/login?") and "notice=password_changed" in target
    login = browser.get(target)
    assert NOTICES["password_changed"] in login.text
    old = submit(browser, login, {"username": EMAIL, "password": PASSWORD})
    assert old.status_code == 401
    new = submit(browser, login, {"username": EMAIL, "password": "N3w-pass!!"})
    assert "code" in callback_params(location(new))


# ------------------------------------------------------------------------------------- logout


def test_logout_ends_the_session(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    assert sign_in(browser, flow(oauth_pool)).status_code == 303
    cookie = browser.cookies[f"idmint-sso-{oauth_pool.id}"]

    bad = browser.get(
        "/logout", params={"client_id": oauth_pool.client_id, "logout_uri": "https://evil.example"}
    )
    assert bad.status_code == 400 and "location" not in bad.headers
    still = browser.get("/oauth2/authorize", params=flow(oauth_pool).query)
    assert "code" in callback_params(location(still))  # an invalid logout changed nothing

    out = browser.get("/logout", params={"client_id": oauth_pool.client_id, "logout_uri": LOGOUT})
    assert out.status_code == 302 and out.headers["location"] == LOGOUT
    assert f"idmint-sso-{oauth_pool.id}" not in browser.cookies
    after = browser.get("/oauth2/authorize", params=flow(oauth_pool).query)
    assert location(after).startswith("/login?")
    # the old cookie, replayed, is dead
    browser.cookies.set(f"idmint-sso-{oauth_pool.id}", cookie)
    replay = browser.get("/oauth2/authorize", params=flow(oauth_pool).query)
    assert location(replay).startswith("/login?")


def test_logout_forms(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    assert sign_in(browser, flow(oauth_pool)).status_code == 303
    page = browser.get("/logout", params={"client_id": oauth_pool.client_id})
    assert page.status_code == 200 and "You are signed out" in page.text
    assert location(browser.get("/oauth2/authorize", params=flow(oauth_pool).query)).startswith(
        "/login?"
    )

    assert sign_in(browser, flow(oauth_pool)).status_code == 303
    f = flow(oauth_pool)
    cognito_style = browser.get("/logout", params=f.query)
    target = location(cognito_style)
    assert target.startswith("/login?") and f"state={f.state}" in target
    assert location(browser.get("/oauth2/authorize", params=flow(oauth_pool).query)).startswith(
        "/login?"
    )

    assert browser.get("/logout").status_code == 400
    assert browser.get("/logout", params={"client_id": "nope"}).status_code == 400


# ------------------------------------------------------------------------------- cookies, table


def test_cookies_are_host_only_httponly_and_lax(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    make_user(live, cognito, oauth_pool)
    page = browser.get("/login", params=flow(oauth_pool).query)
    csrf = page.headers["set-cookie"]
    assert csrf.startswith("idmint-csrf=") and "HttpOnly" in csrf and "Path=/" in csrf
    assert "SameSite=lax" in csrf and "Domain" not in csrf
    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD})
    sso = answer.headers["set-cookie"]
    assert sso.startswith(f"idmint-sso-{oauth_pool.id}=")
    assert "HttpOnly" in sso and "SameSite=lax" in sso and "Path=/" in sso


@pytest.mark.parametrize("server_options", [{}])
def test_without_the_localhost_exception_cookies_are_secure_host_cookies(
    live: LiveServer, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    page = browser.get("/login", params=flow(oauth_pool).query)
    csrf = page.headers["set-cookie"]
    assert csrf.startswith("__Host-idmint-csrf=") and "Secure" in csrf and "Path=/" in csrf


def test_every_core_error_has_a_row() -> None:
    missing = [cls.__name__ for cls in ALL_ERRORS if cls not in ERRORS]
    assert missing == []
    assert all(status >= 400 for status, _ in ERRORS.values())


def test_sign_up_asks_for_the_attributes_the_pool_requires(
    live: LiveServer, cognito: Any, browser: httpx.Client
) -> None:
    pool = make_oauth_pool(
        cognito,
        pool_args={
            "Schema": [
                {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}
            ]
        },
    )
    f = flow(pool)
    page = browser.get("/signup", params=f.query)
    assert '<label class="label-customizable" for="f-name">Full name</label>' in page.text
    assert 'autocomplete="name"' in page.text
    missing = submit(browser, page, {"username": EMAIL, "password": PASSWORD, "name": ""})
    assert missing.status_code == 400 and "name" in missing.text
    answer = submit(browser, page, {"username": EMAIL, "password": PASSWORD, "name": "Ada L"})
    assert answer.status_code == 303 and location(answer).startswith("/confirm?")
    user = cognito.admin_get_user(UserPoolId=pool.id, Username=EMAIL)
    assert {"Name": "name", "Value": "Ada L"} in user["UserAttributes"]


def test_the_pools_look_is_on_every_page(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"logo"
    cognito.set_ui_customization(
        UserPoolId=oauth_pool.id,
        ClientId=oauth_pool.client_id,
        CSS=".submitButton-customizable { background-color: #123456; }",
        ImageFile=png,
    )
    for path in ("/login", "/signup", "/confirm", "/forgot-password", "/reset-password"):
        page = browser.get(path, params=flow(oauth_pool).query)
        nonce = page.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
        style = re.search(rf'<style nonce="{re.escape(nonce)}">(.*?)</style>', page.text, re.S)
        assert style and "#123456" in style.group(1), path
        logo = re.search(r'<img class="logo-customizable" src="([^"]+)" alt="([^"]+)">', page.text)
        assert logo and logo.group(2) == "Hosted Test logo", path
    assert browser.get(html.unescape(logo.group(1))).content == png


# ------------------------------------------------------------------------------------ the look

# The smallest valid PNG: a 1x1 transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def test_pages_wear_the_pool_and_client_look(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, browser: httpx.Client
) -> None:
    """Issue 8 point 1: per-pool name, logo and colour (SetUICustomization), a client's own
    look replacing the pool's; the CSS sits in a <style> whose nonce the CSP names."""
    cognito.set_ui_customization(
        UserPoolId=oauth_pool.id,
        CSS=".submitButton-customizable { background-color: #0a7d4f; }",
        ImageFile=PNG,
    )
    page = browser.get("/login", params=flow(oauth_pool).query)
    assert page.status_code == 200
    assert "<h1" in page.text and "Hosted Test" in page.text
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    style = re.search(r'<style nonce="([^"]+)">(.*?)</style>', page.text, re.S)
    assert style is not None and style.group(1) == nonce
    assert "#0a7d4f" in style.group(2)
    logo = re.search(r'<img[^>]* src="([^"]+)"[^>]*alt="Hosted Test logo"', page.text)
    assert logo is not None, page.text
    image = browser.get(html.unescape(logo.group(1)))
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png"

    cognito.set_ui_customization(
        UserPoolId=oauth_pool.id,
        ClientId=oauth_pool.client_id,
        CSS=".submitButton-customizable { background-color: #7d0a4f; }",
    )
    page = browser.get("/login", params=flow(oauth_pool).query)
    assert "#7d0a4f" in page.text and "#0a7d4f" not in page.text
    assert "<img" not in page.text  # the client's look has no logo: none of the pool's
