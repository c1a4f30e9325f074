"""``GET /oauth2/authorize`` over a real socket, against its contract (issue 8, points 2-3;
RFC 6749 §4.1.1-4.1.2.1, RFC 7636 §4.3, RFC 9700 §2.1 and §4.1.1, RFC 9207, OIDC Core
§3.1.2): an unknown client or a redirect URI that is not exactly one of the CallbackURLs gets an
HTML error page, status 400, and never a redirect; every later error is a 302 to the redirect
URI with ``error``, ``error_description``, ``state`` and ``iss``; without a hosted session the
browser goes to ``/login`` with the same query; with one it comes back with a code at once
(unless ``prompt=login`` or ``max_age`` ask otherwise)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from idmint.core.authorization import s256
from tests.conftest import LiveServer
from tests.web.oidc.conftest import CALLBACK, OAuthPool, make_oauth_pool
from tests.web.oidc.test_token import (
    NONCE,
    STATE,
    Grant,
    add_user,
    assert_tokens,
    exchange,
    find_user,
    issuer,
    new_verifier,
    verify,
)

AUTHORIZE = "/oauth2/authorize"
SSO_COOKIE = "idmint-sso-"  # + pool id: the hosted session (idmint.web.hosted_ui)


def sso(pool: OAuthPool, value: str) -> dict[str, str]:
    """The hosted-session cookie, under its plain name and its ``__Host-`` name (used unless
    the server allows insecure localhost cookies)."""
    name = SSO_COOKIE + pool.id
    return {name: value, f"__Host-{name}": value}


def request_params(pool: OAuthPool, **changes: str | None) -> dict[str, str]:
    """A valid authorization request for ``pool``'s public client (PKCE S256)."""
    verifier = new_verifier()
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": pool.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": STATE,
        "nonce": NONCE,
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }
    params |= changes
    return {k: v for k, v in params.items() if v is not None}


def get(
    live: LiveServer, params: dict[str, str], cookies: dict[str, str] | None = None
) -> httpx.Response:
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return httpx.get(
        f"{live.url}{AUTHORIZE}", params=params, headers=headers, follow_redirects=False
    )


def assert_error_page(response: httpx.Response) -> None:
    """RFC 6749 §4.1.2.1 / RFC 9700 §4.1.1: an HTML page, 400, and no redirect at all."""
    assert response.status_code == 400, (response.status_code, response.headers)
    assert "location" not in response.headers, response.headers
    assert response.headers["content-type"].startswith("text/html"), response.headers
    assert "Traceback" not in response.text
    assert "<html" in response.text.lower()


def redirected(response: httpx.Response, to: str = CALLBACK) -> dict[str, str]:
    """The query of a 302 to ``to`` (its own query parameters included)."""
    assert response.status_code == 302, (response.status_code, response.text[:300])
    location = response.headers["location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == to.split("?")[0], location
    assert not parts.fragment
    query = parse_qs(parts.query, keep_blank_values=True)
    assert all(len(v) == 1 for v in query.values()), query
    return {k: v[0] for k, v in query.items()}


def assert_error_redirect(
    live: LiveServer, pool: OAuthPool, response: httpx.Response, error: str, state: str = STATE
) -> dict[str, str]:
    """RFC 6749 §4.1.2.1 with RFC 9207: the error at the redirect URI, ``state`` unchanged
    and ``iss``."""
    query = redirected(response)
    assert query["error"] == error, query
    assert query["error_description"], query
    assert query["state"] == state, query
    assert query["iss"] == issuer(live, pool), query
    assert "code" not in query
    return query


# Never redirected ---------------------------------------------------------------------------


def test_unknown_client_is_an_error_page(live: LiveServer, oauth_pool: OAuthPool) -> None:
    for client_id in ("x" * 26, "nobody", "\x00"):
        assert_error_page(get(live, request_params(oauth_pool, client_id=client_id)))


def test_missing_client_is_an_error_page(live: LiveServer, oauth_pool: OAuthPool) -> None:
    assert_error_page(get(live, request_params(oauth_pool, client_id=None)))


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.com/callback",
        CALLBACK + "/",
        CALLBACK + "/evil",
        CALLBACK + "?next=x",
        CALLBACK + "#frag",
        CALLBACK.replace("localhost", "LOCALHOST"),
        CALLBACK.replace("http://", "https://"),
        CALLBACK.replace(":8700", ":8701"),
        CALLBACK.replace(":8700", ""),
        CALLBACK.replace("/callback", "/Callback"),
        CALLBACK.replace("/callback", "/%63allback"),
        CALLBACK.replace("localhost", "localhost.evil.com"),
        "http://localhost:8700@evil.example.com/callback",
        CALLBACK[:-1],
        "javascript:alert(1)",
    ],
    ids=[
        "other-host",
        "trailing-slash",
        "sub-path",
        "extra-query",
        "fragment",
        "host-case",
        "scheme",
        "port",
        "no-port",
        "path-case",
        "escaped-path",
        "suffix-host",
        "userinfo",
        "prefix",
        "javascript",
    ],
)
def test_unregistered_redirect_uri_is_an_error_page(
    live: LiveServer, oauth_pool: OAuthPool, redirect_uri: str
) -> None:
    """RFC 9700 §4.1.1: exact string matching; a mismatch is never redirected to."""
    assert_error_page(get(live, request_params(oauth_pool, redirect_uri=redirect_uri)))


def test_bad_redirect_uri_wins_over_later_errors(live: LiveServer, oauth_pool: OAuthPool) -> None:
    """RFC 6749 §4.1.2.1: the redirect URI is checked before anything is sent to it."""
    params = request_params(
        oauth_pool,
        redirect_uri="https://evil.example.com/cb",
        response_type="token",
        scope="nope",
        code_challenge=None,
    )
    assert_error_page(get(live, params))


def test_redirect_uri_of_another_client_is_an_error_page(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    other = make_oauth_pool(cognito, client_args={"CallbackURLs": ["https://other.example.com/cb"]})
    params = request_params(oauth_pool, redirect_uri="https://other.example.com/cb")
    assert_error_page(get(live, params))
    params = request_params(other, redirect_uri=CALLBACK)
    assert_error_page(get(live, params))


@pytest.mark.parametrize("redirect_uri", [None, ""], ids=["omitted", "empty"])
def test_omitted_redirect_uri_with_one_callback(
    live: LiveServer, oauth_pool: OAuthPool, redirect_uri: str | None
) -> None:
    """RFC 6749 §3.1.2.3: with one registered URI it may be omitted; §3.1: a parameter sent
    without a value is treated as omitted."""
    response = get(live, request_params(oauth_pool, redirect_uri=redirect_uri, prompt="none"))
    assert_error_redirect(live, oauth_pool, response, "login_required")


def test_omitted_redirect_uri_is_ambiguous_with_several_callbacks(
    live: LiveServer, cognito: Any
) -> None:
    """RFC 6749 §3.1.2.3: with several registered URIs and none named, there is nowhere safe
    to redirect to."""
    pool = make_oauth_pool(
        cognito, client_args={"CallbackURLs": [CALLBACK, "https://app.example.com/cb"]}
    )
    assert_error_page(get(live, request_params(pool, redirect_uri=None)))


# Redirected with an error ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": "code id_token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": "openid phone"}, "invalid_scope"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"scope": 'openid "quoted"'}, "invalid_scope"),
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "s256"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"code_challenge": "a" * 42 + "="}, "invalid_request"),
        ({"prompt": "sometimes"}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"max_age": "soon"}, "invalid_request"),
    ],
    ids=[
        "response-type-token",
        "response-type-hybrid",
        "response-type-missing",
        "scope-not-allowed",
        "scope-unknown",
        "scope-malformed",
        "pkce-missing",
        "pkce-plain",
        "pkce-method-missing",
        "pkce-method-case",
        "pkce-challenge-short",
        "pkce-challenge-padded",
        "prompt-unknown",
        "prompt-none-and-login",
        "max-age-negative",
        "max-age-word",
    ],
)
def test_errors_go_to_the_redirect_uri(
    live: LiveServer,
    oauth_pool: OAuthPool,
    changes: dict[str, str | None],
    error: str,
) -> None:
    response = get(live, request_params(oauth_pool, **changes))
    assert_error_redirect(live, oauth_pool, response, error)


def test_unauthorized_client_code_flow_not_enabled(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(cognito, client_args={"AllowedOAuthFlows": ["implicit"]})
    assert_error_redirect(live, pool, get(live, request_params(pool)), "unauthorized_client")


def test_unauthorized_client_oauth_not_allowed(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(
        cognito,
        client_args={
            "AllowedOAuthFlowsUserPoolClient": False,
            "AllowedOAuthFlows": [],
            "AllowedOAuthScopes": [],
        },
    )
    assert_error_redirect(live, pool, get(live, request_params(pool)), "unauthorized_client")


def test_state_comes_back_unchanged(live: LiveServer, oauth_pool: OAuthPool) -> None:
    state = "a b&c=d/é?#%20+;"
    response = get(live, request_params(oauth_pool, state=state, response_type="token"))
    assert_error_redirect(live, oauth_pool, response, "unsupported_response_type", state=state)


def test_no_state_means_no_state(live: LiveServer, oauth_pool: OAuthPool) -> None:
    query = redirected(get(live, request_params(oauth_pool, state=None, response_type="token")))
    assert "state" not in query and query["error"] == "unsupported_response_type"


def test_error_keeps_the_callbacks_own_query(live: LiveServer, cognito: Any) -> None:
    """RFC 6749 §3.1.2: the redirection endpoint's query is kept when parameters are added."""
    callback = "http://localhost:8700/callback?app=one"
    pool = make_oauth_pool(cognito, client_args={"CallbackURLs": [callback]})
    response = get(live, request_params(pool, redirect_uri=callback, response_type="token"))
    query = redirected(response, callback)
    assert query["app"] == "one" and query["error"] == "unsupported_response_type"


def test_app_scheme_callback(live: LiveServer, cognito: Any) -> None:
    callback = "myapp://auth/callback"
    pool = make_oauth_pool(cognito, client_args={"CallbackURLs": [callback]})
    response = get(live, request_params(pool, redirect_uri=callback, response_type="token"))
    assert response.headers["location"].startswith(callback + "?")


def test_prompt_none_without_a_session_is_login_required(
    live: LiveServer, oauth_pool: OAuthPool
) -> None:
    """OIDC Core §3.1.2.6: prompt=none and nobody signed in: login_required, at the client."""
    response = get(live, request_params(oauth_pool, prompt="none"))
    assert_error_redirect(live, oauth_pool, response, "login_required")


# To the sign-in page, or back with a code ------------------------------------------------------


def test_no_session_goes_to_login_with_the_same_query(
    live: LiveServer, oauth_pool: OAuthPool
) -> None:
    params = request_params(oauth_pool, prompt="login", max_age="600")
    response = get(live, params)
    assert response.status_code == 302, response.text[:300]
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    assert location.netloc in ("", urlsplit(live.url).netloc)
    query = {k: v[0] for k, v in parse_qs(location.query, keep_blank_values=True).items()}
    assert query == params


def test_confidential_client_without_pkce_goes_to_login(live: LiveServer, cognito: Any) -> None:
    pool = make_oauth_pool(cognito, secret=True)
    params = request_params(pool, code_challenge=None, code_challenge_method=None)
    response = get(live, params)
    assert response.status_code == 302
    assert urlsplit(response.headers["location"]).path == "/login"


def hosted_session(live: LiveServer, pool: OAuthPool, email: str = "alice@example.com") -> str:
    """A hosted-session cookie value for ``email``, opened through the core (signed in now)."""
    service = live.app.state.service
    cookie: str = live.run(service.hosted.open(find_user(live, pool.id, email)))
    return cookie


def test_hosted_session_gets_a_code_at_once(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """A second app signs in without the password (issue 8 point 3), and the code works."""
    attrs = add_user(cognito, oauth_pool)
    cookie = hosted_session(live, oauth_pool)
    signed_in_at = live.clock()
    live.clock.advance(60)
    verifier = new_verifier()
    params = request_params(oauth_pool, code_challenge=s256(verifier))
    response = get(live, params, sso(oauth_pool, cookie))
    query = redirected(response)
    assert query["state"] == STATE and query["iss"] == issuer(live, oauth_pool)
    assert set(query) == {"code", "state", "iss"}
    grant = Grant(
        code=query["code"],
        client_id=oauth_pool.client_id,
        verifier=verifier,
        redirect_uri=CALLBACK,
        auth_time=signed_in_at,
        state=query["state"],
        iss=query["iss"],
    )
    tokens = exchange(live, oauth_pool, grant)
    assert_tokens(tokens, id_token=True, refresh_token=True)
    claims = verify(live, oauth_pool, tokens.json()["id_token"], audience=oauth_pool.client_id)
    assert claims["sub"] == attrs["sub"] and claims["nonce"] == NONCE
    assert claims["auth_time"] == int(signed_in_at)


def test_session_of_another_pool_does_not_count(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    other = make_oauth_pool(cognito)
    add_user(cognito, other)
    cookie = hosted_session(live, other)
    response = get(live, request_params(oauth_pool), sso(oauth_pool, cookie))
    assert urlsplit(response.headers["location"]).path == "/login"


def test_prompt_login_and_max_age_ask_for_the_password(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    """OIDC Core §3.1.2.1: prompt=login, or a sign-in older than max_age, re-authenticates."""
    add_user(cognito, oauth_pool)
    cookies = sso(oauth_pool, hosted_session(live, oauth_pool))
    live.clock.advance(120)
    login = get(live, request_params(oauth_pool, prompt="login"), cookies)
    assert urlsplit(login.headers["location"]).path == "/login"
    stale = get(live, request_params(oauth_pool, max_age="119"), cookies)
    assert urlsplit(stale.headers["location"]).path == "/login"
    fresh = get(live, request_params(oauth_pool, max_age="120"), cookies)
    assert "code" in redirected(fresh)


def test_forged_or_ended_session_goes_to_login(
    live: LiveServer, cognito: Any, oauth_pool: OAuthPool
) -> None:
    add_user(cognito, oauth_pool)
    cookie = hosted_session(live, oauth_pool)
    token, mac = cookie.split(".")
    for forged in (f"{token}.{mac[::-1]}", f"{token[::-1]}.{mac}", "x.y", token, ""):
        response = get(live, request_params(oauth_pool), sso(oauth_pool, forged))
        assert urlsplit(response.headers["location"]).path == "/login", forged
    cognito.admin_user_global_sign_out(UserPoolId=oauth_pool.id, Username="alice@example.com")
    response = get(live, request_params(oauth_pool), sso(oauth_pool, cookie))
    assert urlsplit(response.headers["location"]).path == "/login"


def test_authorize_answers_carry_security_headers(live: LiveServer, oauth_pool: OAuthPool) -> None:
    """Issue 8 point 3: frame-ancestors 'none' and no caching of authorization answers."""
    for response in (
        get(live, request_params(oauth_pool)),
        get(live, request_params(oauth_pool, client_id="nobody")),
    ):
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")
        assert "no-store" in response.headers.get("cache-control", "")


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge_method": "plaïn"},
        {"code_challenge_method": 'pl"ain'},
        {"code_challenge_method": "pl\\ain"},
        {"scope": "openid émail"},
        {"response_type": "tökén"},
    ],
    ids=["method-non-ascii", "method-quote", "method-backslash", "scope", "response-type"],
)
def test_error_description_charset(
    live: LiveServer, oauth_pool: OAuthPool, changes: dict[str, str]
) -> None:
    """RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E, so
    what the request sent cannot be copied into it as is."""
    query = redirected(get(live, request_params(oauth_pool, **changes)))
    assert query["error"] in {"invalid_request", "invalid_scope", "unsupported_response_type"}
    description = query["error_description"]
    assert all(c == " " or (c.isascii() and c.isprintable()) for c in description), description
    assert '"' not in description and "\\" not in description, description
