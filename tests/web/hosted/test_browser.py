"""The hosted pages and the OAuth 2.0 / OpenID Connect endpoints in a real browser (issue 8,
point 4): Debian's Chromium, driven by Playwright, walks whole journeys against a live server,
and standard client libraries (Authlib's OAuth 2.0 client, PyJWT's JWKS client) play the app.

The browser reaches the server as ``http://localhost:<port>``, which Chromium treats as a secure
context, so the server keeps its production cookie settings: the hosted session is the
``Secure``, ``HttpOnly`` cookie ``__Host-idmint-sso-<poolId>`` (``insecure_localhost_cookies``
stays off). The client app (``http://localhost:8700``) is not running: a tab reads the URL the
server sent the browser to from the request the browser makes for it (``Tab.to_app``).

Screenshots of every page land in ``test-artifacts/screenshots/<test>/<page>-<width>.png``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import jwt
import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from playwright.sync_api import Browser, expect, sync_playwright

from tests.conftest import PASSWORD, LiveServer, last_code
from tests.web.hosted.browser import (
    APP_ORIGIN,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    Screen,
    Tab,
    chromium_or_skip,
    layout_problems,
    query,
    screenshot,
    tabs,
)
from tests.web.hosted.conftest import CALLBACK, LOGOUT, OAuthPool

NEW_PASSWORD = "N3w-battery-staple!"
WRONG_PASSWORD = "Wr0ng-password!"
SCOPE = "openid email profile"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole module; every test opens fresh contexts in it."""
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_tab(browser: Browser, live: LiveServer) -> Iterator[Callable[..., Tab]]:
    """Opens fresh browser contexts on ``http://localhost:<port>`` (closed after the test)."""
    yield from tabs(browser, f"http://localhost:{urlsplit(live.url).port}")


@pytest.fixture
def tab(open_tab: Callable[..., Tab]) -> Tab:
    return open_tab()


# The app's side: discovery, Authlib's client, ID token checks ------------------------------


@dataclass(frozen=True)
class Discovery:
    """A pool's OpenID Provider metadata (OpenID Connect Discovery 1.0 §3)."""

    doc: dict[str, str]

    @classmethod
    def fetch(cls, live: LiveServer, pool_id: str) -> Discovery:
        response = httpx.get(f"{live.url}/{pool_id}/.well-known/openid-configuration")
        assert response.status_code == 200, response.text
        doc = response.json()
        for key in (
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "revocation_endpoint",
            "end_session_endpoint",
            "jwks_uri",
        ):
            assert isinstance(doc.get(key), str), f"the discovery document lacks {key}: {doc}"
        return cls(doc)

    @property
    def issuer(self) -> str:
        return self.doc["issuer"]

    def endpoint(self, name: str) -> str:
        return self.doc[f"{name}_endpoint"]

    def verify_id_token(self, id_token: str, *, audience: str, nonce: str) -> dict[str, Any]:
        """Check an ID token as an OIDC client does (OIDC Core §3.1.3.7): its signature
        against the ``jwks_uri`` keys, ``iss``, ``aud``, expiry, and the ``nonce`` it sent."""
        key = jwt.PyJWKClient(self.doc["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=self.issuer,
            leeway=3600,  # the server's clock is frozen, and tests move it forward
            options={"require": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce"]},
        )
        assert claims["nonce"] == nonce
        assert claims["token_use"] == "id"
        return claims


@dataclass
class App:
    """A client app of the pool, played by Authlib's OAuth 2.0 client: PKCE S256, a state and
    a nonce on every authorization request, as an OIDC library sends them."""

    client: OAuth2Session
    discovery: Discovery
    origin: str
    """Where the browser reaches the server (the discovery document names ``live.url``)."""
    verifier: str = ""
    state: str = ""
    nonce: str = ""

    @classmethod
    def make(
        cls,
        discovery: Discovery,
        origin: str,
        client_id: str,
        secret: str | None = None,
        auth_method: str = "client_secret_basic",
    ) -> App:
        client = OAuth2Session(
            client_id,
            secret,
            scope=SCOPE,
            redirect_uri=CALLBACK,
            code_challenge_method="S256",
            token_endpoint_auth_method=auth_method if secret else "none",
            default_timeout=30,
        )
        return cls(client, discovery, origin)

    @property
    def client_id(self) -> str:
        return str(self.client.client_id)

    def authorize_url(self, **extra: str) -> str:
        """A new authorization request (new state, nonce and code verifier), addressed to the
        origin the browser uses."""
        self.verifier, self.nonce = generate_token(64), generate_token(24)
        endpoint = self.discovery.endpoint("authorization")
        url, self.state = self.client.create_authorization_url(
            endpoint, code_verifier=self.verifier, nonce=self.nonce, **extra
        )
        parts = urlsplit(endpoint)
        return str(url).replace(f"{parts.scheme}://{parts.netloc}", self.origin, 1)

    def check_landing(self, landed: str) -> str:
        """The authorization response (RFC 6749 §4.1.2, RFC 9207 §2): at the registered
        redirect URI, with a code, the request's ``state`` unchanged and the issuer."""
        assert landed.split("?")[0] == CALLBACK, landed
        params = query(landed)
        assert "error" not in params, landed
        assert params["state"] == [self.state]
        assert params["iss"] == [self.discovery.issuer]
        assert len(params["code"]) == 1 and params["code"][0]
        return params["code"][0]

    def exchange(self, landed: str) -> dict[str, Any]:
        """Trade the code for tokens (with the PKCE verifier) and check the ID token; returns
        its claims."""
        self.check_landing(landed)
        token = self.client.fetch_token(
            self.discovery.endpoint("token"),
            authorization_response=landed,
            state=self.state,
            code_verifier=self.verifier,
        )
        assert token["token_type"].lower() == "bearer"
        assert {"access_token", "id_token", "refresh_token"} <= set(token)
        return self.discovery.verify_id_token(
            token["id_token"], audience=self.client_id, nonce=self.nonce
        )


def second_client(cognito: Any, pool: OAuthPool) -> tuple[str, str]:
    """Another app of the same pool: a confidential client allowed the same code flow."""
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="second-app",
        GenerateSecret=True,
        CallbackURLs=[CALLBACK],
        LogoutURLs=[LOGOUT],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=SCOPE.split(),
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    return client["ClientId"], client["ClientSecret"]


def make_user(cognito: Any, pool: OAuthPool, email: str, password: str = PASSWORD) -> None:
    """A confirmed user with a verified email, made through the Cognito admin API without a
    message (so that the outbox's newest message is the one the test asks for)."""
    cognito.admin_create_user(
        UserPoolId=pool.id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username=email, Password=password, Permanent=True
    )


# The browser's side -------------------------------------------------------------------------

REFUSED = -1
"""``expect_page``'s status for a form shown again with a message (any 4xx)."""


def expect_page(tab: Tab, path: str, status: int = 200) -> None:
    """The browser shows the hosted page at ``path``: an HTML answer with ``status``."""
    expect(tab.page).to_have_url(re.compile(rf"^{re.escape(tab.origin)}{re.escape(path)}(\?|$)"))
    got = tab.document.status
    assert got == status or (status == REFUSED and 400 <= got < 500), (tab.document.url, got)
    assert tab.document.headers["content-type"].startswith("text/html")


def alert(tab: Tab) -> str:
    """The page's error message (``role=alert``: screen readers announce it)."""
    message = tab.page.get_by_role("alert")
    expect(message).to_be_visible()
    return message.inner_text().strip()


def sign_in(tab: Tab, email: str, password: str) -> None:
    """Fill the sign-in form and send it, expecting to stay on the page (refused)."""
    tab.fill({"Email": email, "Password": password})
    tab.click(tab.button("Sign in"))
    expect_page(tab, "/login", REFUSED)


def sign_in_to_app(tab: Tab, email: str, password: str) -> str:
    """Fill the sign-in form and send it; returns where the browser went (the app)."""
    tab.fill({"Email": email, "Password": password})
    return tab.to_app(tab.button("Sign in").click, after_post=True)


def hosted_session(tab: Tab, pool: OAuthPool) -> dict[str, Any] | None:
    name = f"__Host-idmint-sso-{pool.id}"
    found = [c for c in tab.context.cookies() if c["name"] == name]
    return dict(found[0]) if found else None


# 1. The whole journey ----------------------------------------------------------------------


def test_sign_up_confirm_second_app_prompt_max_age_and_sign_out(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, tab: Tab
) -> None:
    discovery = Discovery.fetch(live, oauth_pool.id)
    app = App.make(discovery, tab.origin, oauth_pool.client_id)  # public client: PKCE
    email = "new.person@example.com"

    # Nobody is signed in: authorize answers 302 to /login with the same request.
    authorize = app.authorize_url()
    shown = tab.goto(authorize)
    first = shown.request.redirected_from
    assert first is not None and first.url == authorize
    assert (first_response := first.response()) is not None and first_response.status == 302
    expect_page(tab, "/login")
    assert query(tab.page.url) == query(authorize)

    # Sign up, read the emailed code from the development outbox, confirm.
    tab.click(tab.link("Sign up"))
    expect_page(tab, "/signup")
    tab.fill({"Email": email, "Password": PASSWORD})
    tab.click(tab.button("Sign up"))
    expect_page(tab, "/confirm")
    tab.fill({"Verification code": last_code(live, email)})
    landed = tab.to_app(tab.button("Confirm").click, after_post=True)

    # Confirming in the browser that signed up signed the user in: a code for the app.
    claims = app.exchange(landed)
    assert claims["email"] == email
    assert claims["email_verified"] is True
    session = hosted_session(tab, oauth_pool)
    assert session is not None, tab.context.cookies()
    assert session["secure"] and session["httpOnly"] and session["path"] == "/"
    assert session["sameSite"] in ("Lax", "Strict")

    # userInfo with the access token, by GET and by POST.
    userinfo = discovery.endpoint("userinfo")
    for answer in (app.client.get(userinfo), app.client.post(userinfo)):
        assert answer.status_code == 200, answer.text
        assert answer.json()["sub"] == claims["sub"]
        assert answer.json()["email"] == email

    # The refresh token works until the app revokes it (RFC 7009).
    refresh = app.client.token["refresh_token"]
    assert app.client.refresh_token(discovery.endpoint("token"), refresh_token=refresh)[
        "access_token"
    ]
    revoked = app.client.revoke_token(
        discovery.endpoint("revocation"), token=refresh, token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200, revoked.text
    with pytest.raises(OAuthError) as refused:
        app.client.refresh_token(discovery.endpoint("token"), refresh_token=refresh)
    assert refused.value.error == "invalid_grant"

    # A second app of the pool (confidential, client_secret_basic): the hosted session signs
    # the user in without the password page.
    second_id, second_secret = second_client(cognito, oauth_pool)
    second = App.make(discovery, tab.origin, second_id, second_secret, "client_secret_basic")
    tab.requests.clear()
    landed = tab.to_app(lambda: tab.page.goto(second.authorize_url()))
    assert not tab.visited("/login"), [r.url for r in tab.requests]
    again = second.exchange(landed)
    assert again["sub"] == claims["sub"]
    assert again["aud"] == second_id
    assert again["auth_time"] == claims["auth_time"]

    # prompt=login asks for the password again; the new sign-in has a new auth_time
    # (and this time the app authenticates with client_secret_post).
    live.clock.advance(120)
    second = App.make(discovery, tab.origin, second_id, second_secret, "client_secret_post")
    tab.goto(second.authorize_url(prompt="login"))
    expect_page(tab, "/login")
    relogin = second.exchange(sign_in_to_app(tab, email, PASSWORD))
    assert relogin["sub"] == claims["sub"]
    assert relogin["auth_time"] >= claims["auth_time"] + 120

    # max_age (OIDC Core §3.1.2.1): a sign-in older than it must be repeated; a younger not.
    live.clock.advance(120)
    tab.goto(app.authorize_url(max_age="60"))
    expect_page(tab, "/login")
    tab.requests.clear()
    landed = tab.to_app(lambda: tab.page.goto(app.authorize_url(max_age="600")))
    assert not tab.visited("/login")
    assert app.exchange(landed)["auth_time"] == relogin["auth_time"]

    # Sign out: /logout ends the hosted session and sends the browser to the LogoutURL.
    logout = tab.url(f"/logout?{urlencode({'client_id': app.client_id, 'logout_uri': LOGOUT})}")
    assert tab.to_app(lambda: tab.page.goto(logout)) == LOGOUT
    assert hosted_session(tab, oauth_pool) is None
    tab.goto(second.authorize_url())
    expect_page(tab, "/login")
    tab.assert_clean()


# 2. Forgot password ------------------------------------------------------------------------


def test_forgot_password_sets_a_new_one_that_signs_in(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, tab: Tab
) -> None:
    email = "forgetful@example.com"
    make_user(cognito, oauth_pool, email)
    app = App.make(Discovery.fetch(live, oauth_pool.id), tab.origin, oauth_pool.client_id)

    tab.goto(app.authorize_url())
    expect_page(tab, "/login")
    tab.click(tab.link("Forgot your password?"))
    expect_page(tab, "/forgot-password")
    tab.fill({"Email": email})
    tab.click(tab.button("Reset password"))
    expect_page(tab, "/reset-password")
    tab.fill({"Verification code": last_code(live, email), "New password": NEW_PASSWORD})
    tab.click(tab.button("Change password"))

    # Back at the sign-in page of the same authorization request: the old password is gone.
    expect_page(tab, "/login")
    assert query(tab.page.url)["state"] == [app.state]
    sign_in(tab, email, PASSWORD)
    assert alert(tab)
    assert app.exchange(sign_in_to_app(tab, email, NEW_PASSWORD))["email"] == email
    tab.assert_clean()


# 3. Failure messages -----------------------------------------------------------------------


def test_wrong_password_and_unknown_user_read_the_same(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, tab: Tab
) -> None:
    make_user(cognito, oauth_pool, "known@example.com")
    app = App.make(Discovery.fetch(live, oauth_pool.id), tab.origin, oauth_pool.client_id)
    tab.goto(app.authorize_url())
    expect_page(tab, "/login")

    def attempt(email: str) -> tuple[int, str, str]:
        sign_in(tab, email, WRONG_PASSWORD)
        page_text = tab.page.locator("main").inner_text()
        return tab.document.status, alert(tab), page_text

    wrong_password = attempt("known@example.com")
    unknown_user = attempt("nobody@example.com")
    assert wrong_password[1], "no message for a wrong password"
    assert wrong_password == unknown_user
    # the authorization request goes on: the right password still signs in
    app.check_landing(sign_in_to_app(tab, "known@example.com", PASSWORD))
    tab.assert_clean()


def test_forgot_password_reads_the_same_for_unknown_users(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, open_tab: Callable[..., Tab]
) -> None:
    make_user(cognito, oauth_pool, "known@example.com")
    discovery = Discovery.fetch(live, oauth_pool.id)
    seen = []
    for email in ("known@example.com", "nobody@example.com"):
        tab = open_tab()
        tab.goto(App.make(discovery, tab.origin, oauth_pool.client_id).authorize_url())
        tab.click(tab.link("Forgot your password?"))
        tab.fill({"Email": email})
        tab.click(tab.button("Reset password"))
        expect_page(tab, "/reset-password")
        seen.append(tab.page.locator("main").inner_text().replace(email, "<email>"))
        tab.assert_clean()
    assert seen[0] == seen[1]


def test_sign_up_and_confirm_failures_are_explained(
    live: LiveServer, oauth_pool: OAuthPool, tab: Tab
) -> None:
    email = "weak@example.com"
    app = App.make(Discovery.fetch(live, oauth_pool.id), tab.origin, oauth_pool.client_id)
    tab.goto(app.authorize_url())
    tab.click(tab.link("Sign up"))

    tab.fill({"Email": email, "Password": "short"})
    tab.click(tab.button("Sign up"))
    expect_page(tab, "/signup", REFUSED)
    assert re.search(r"password", alert(tab), re.IGNORECASE)

    tab.fill({"Email": email, "Password": PASSWORD})
    tab.click(tab.button("Sign up"))
    expect_page(tab, "/confirm")
    code = last_code(live, email)
    tab.fill({"Verification code": f"{(int(code) + 1) % 1_000_000:06d}"})
    tab.click(tab.button("Confirm"))
    expect_page(tab, "/confirm", REFUSED)
    assert re.search(r"code", alert(tab), re.IGNORECASE)

    tab.fill({"Verification code": code})
    app.check_landing(tab.to_app(tab.button("Confirm").click, after_post=True))
    tab.assert_clean()


# 4. Every page: screenshots, and a readable layout on a phone and a desktop ----------------


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=lambda screen: screen.name)
def test_every_page_is_readable(
    live: LiveServer,
    cognito: Any,
    oauth_pool: OAuthPool,
    open_tab: Callable[..., Tab],
    request: pytest.FixtureRequest,
    screen: Screen,
) -> None:
    tab = open_tab(screen)
    backend = (live.settings.database_url or "").split(":")[0]
    test = f"{request.node.originalname}-{backend}"
    make_user(cognito, oauth_pool, "known@example.com")
    app = App.make(Discovery.fetch(live, oauth_pool.id), tab.origin, oauth_pool.client_id)
    problems: list[str] = []

    def check(name: str) -> None:
        csp = tab.document.headers.get("content-security-policy")
        problems.extend(f"{name}: {found}" for found in layout_problems(tab.page, screen, csp))
        screenshot(tab, test, name, screen)

    tab.goto(app.authorize_url())
    expect_page(tab, "/login")
    check("login")
    tab.click(tab.link("Sign up"))
    expect_page(tab, "/signup")
    check("signup")
    tab.fill({"Email": "newcomer@example.com", "Password": PASSWORD})
    tab.click(tab.button("Sign up"))
    expect_page(tab, "/confirm")
    check("confirm")

    tab.goto(app.authorize_url())
    tab.click(tab.link("Forgot your password?"))
    expect_page(tab, "/forgot-password")
    check("forgot")
    tab.fill({"Email": "known@example.com"})
    tab.click(tab.button("Reset password"))
    expect_page(tab, "/reset-password")
    check("reset")

    # An unregistered redirect URI: an error page, never a redirect (RFC 9700 §4.1.1).
    tab.goto(app.authorize_url(redirect_uri=f"{APP_ORIGIN}/elsewhere"))
    expect_page(tab, "/oauth2/authorize", 400)
    expect(tab.page.get_by_role("alert")).to_be_visible()
    check("error")

    # Signed in, then out without a logout_uri: the server's own signed-out page.
    tab.goto(app.authorize_url())
    app.check_landing(sign_in_to_app(tab, "known@example.com", PASSWORD))
    tab.goto(f"/logout?{urlencode({'client_id': app.client_id})}")
    expect_page(tab, "/logout")
    check("signed-out")

    assert not problems, "\n".join(problems)
    assert not tab.failed_loads, "\n".join(tab.failed_loads)
    tab.assert_clean()


BAD_PAGE = """<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>input { font-size: 12px } a { font-size: 12px }</style></head><body>
<div style="width: 2000px">too wide</div>
<form><input name="nameless"><label for="small">Small</label><input id="small" name="small">
<button type="submit" style="position: absolute; left: 1500px">Go</button></form>
<p><a href="/x">Alone</a></p></body></html>"""


def test_the_layout_checks_can_fail(browser: Browser) -> None:
    """The checks of ``test_every_page_is_readable`` find each fault of a bad page."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.set_content(BAD_PAGE)
        found = "\n".join(layout_problems(page, PHONE, "default-src 'self'"))
    finally:
        context.close()
    for fault in (
        "scrolls sideways",
        "zoomed out: innerWidth",
        "input 'nameless' has no accessible label",
        "input 'Small' font 12px < 16px",
        "submit button 'Go' outside the viewport",
        'tap target a "Alone" is 14px high',
        'tap target button "Go"',
        "inline style attribute under CSP \"default-src 'self'\": <div style=",
    ):
        assert fault in found, found


def test_the_pool_look_shows_in_the_browser(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool, tab: Tab, request: pytest.FixtureRequest
) -> None:
    """SetUICustomization's colour and logo as Chromium renders them (CSP allows both)."""
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    cognito.set_ui_customization(
        UserPoolId=oauth_pool.id,
        CSS=".submitButton-customizable { background-color: #0a7d4f; }",
        ImageFile=png,
    )
    app = App.make(Discovery.fetch(live, oauth_pool.id), tab.origin, oauth_pool.client_id)
    tab.goto(app.authorize_url())
    expect_page(tab, "/login")
    colour = tab.button("Sign in").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(10, 125, 79)"
    logo = tab.page.get_by_alt_text("Hosted Test logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 1
    backend = (live.settings.database_url or "").split(":")[0]
    screenshot(tab, f"{request.node.originalname}-{backend}", "login-branded", DESKTOP)
    tab.assert_clean()
