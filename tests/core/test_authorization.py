"""The pure parts of ``idmint.core.authorization``: the S256 transform (RFC 7636 §4.2,
Appendix B), adding parameters to a redirect URI (RFC 6749 §4.1.2, §3.1.2) and carrying an
authorization request's query from page to page (``AuthorizeParams.query``)."""

from __future__ import annotations

import base64
import hashlib
import re
import string
from dataclasses import fields
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idmint.core.authorization import (
    CODE_SECONDS,
    SCOPE_CLAIMS,
    AuthorizeParams,
    s256,
    with_query,
)

# RFC 7636 Appendix B.
RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
UNRESERVED = string.ascii_letters + string.digits + "-._~"
verifiers = st.text(alphabet=UNRESERVED, min_size=43, max_size=128)


def test_s256_matches_rfc7636_appendix_b() -> None:
    assert s256(RFC7636_VERIFIER) == RFC7636_CHALLENGE


def test_s256_of_appendix_b_octets() -> None:
    """Appendix B's 32 octets base64url-encode to its verifier."""
    octets = bytes(
        (
            116,
            24,
            223,
            180,
            151,
            153,
            224,
            37,
            79,
            250,
            96,
            125,
            216,
            173,
            187,
            186,
            22,
            212,
            37,
            77,
            105,
            214,
            191,
            240,
            91,
            88,
            5,
            88,
            83,
            132,
            141,
            121,
        )
    )
    verifier = base64.urlsafe_b64encode(octets).rstrip(b"=").decode()
    assert verifier == RFC7636_VERIFIER


@given(verifiers)
def test_s256_is_unpadded_base64url_sha256(verifier: str) -> None:
    challenge = s256(verifier)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge)
    padded = challenge + "="
    assert base64.urlsafe_b64decode(padded) == hashlib.sha256(verifier.encode()).digest()


def test_s256_refuses_non_ascii() -> None:
    """RFC 7636 §4.2: ASCII(code_verifier); a non-ASCII verifier is never valid."""
    with pytest.raises(UnicodeEncodeError):
        s256("é" * 43)


@pytest.mark.parametrize(
    ("uri", "params", "expected"),
    [
        ("https://app.example.com/cb", {}, "https://app.example.com/cb"),
        ("https://app.example.com/cb", {"code": "abc"}, "https://app.example.com/cb?code=abc"),
        (
            "https://app.example.com/cb?app=1",
            {"code": "abc"},
            "https://app.example.com/cb?app=1&code=abc",
        ),
        (
            "myapp://callback",
            {"code": "a", "state": "s"},
            "myapp://callback?code=a&state=s",
        ),
        (
            "https://app.example.com/cb",
            {"state": "a b&c=d/é?#"},
            "https://app.example.com/cb?state=a+b%26c%3Dd%2F%C3%A9%3F%23",
        ),
    ],
    ids=["no-params", "plain", "existing-query", "app-scheme", "escaped"],
)
def test_with_query(uri: str, params: dict[str, str], expected: str) -> None:
    assert with_query(uri, params) == expected


@given(
    st.dictionaries(
        st.sampled_from(["code", "state", "iss", "error", "error_description"]),
        st.text(max_size=40),
    )
)
def test_with_query_round_trips(params: dict[str, str]) -> None:
    """Whatever the values, the redirect URI's own query survives and each value comes back
    exactly (RFC 6749 §4.1.2: state returned unchanged)."""
    uri = with_query("https://app.example.com/cb?app=1", params)
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
        "https",
        "app.example.com",
        "/cb",
        "",
    )
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    assert pairs[0] == ("app", "1")
    assert dict(pairs[1:]) == params


def test_query_has_only_what_was_sent() -> None:
    assert AuthorizeParams().query() == {}
    params = AuthorizeParams(client_id="c", redirect_uri="https://a/cb", state="")
    assert params.query() == {"client_id": "c", "redirect_uri": "https://a/cb", "state": ""}


def test_query_carries_every_parameter() -> None:
    values = {f.name: f"v-{f.name}" for f in fields(AuthorizeParams)}
    params = AuthorizeParams(**values)
    assert params.query() == values
    assert set(values) == {
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "max_age",
    }


@given(
    st.builds(AuthorizeParams, **{f.name: st.none() | st.text() for f in fields(AuthorizeParams)})
)
def test_query_round_trips(params: AuthorizeParams) -> None:
    assert AuthorizeParams(**params.query()) == params


def test_scope_claims_are_oidc_core_5_4() -> None:
    """OIDC Core §5.4 for email and phone; profile, as in Cognito, is every readable attribute
    (no list of its own)."""
    assert SCOPE_CLAIMS == {
        "email": ("email", "email_verified"),
        "phone": ("phone_number", "phone_number_verified"),
    }


def test_codes_live_at_most_five_minutes() -> None:
    assert 0 < CODE_SECONDS <= 300
