"""The core's OAuth app-client rules (idmint.core.client_oauth) for what the Cognito front-end's
shape validation refuses before the core sees it (RedirectUrlType 1..1024 characters, at most 100
URLs, OAuthFlowType's enum): other callers of the core get InvalidParameter for them too. The
rest is driven through boto3 in tests/web/cognito/test_client_oauth.py."""

from __future__ import annotations

from typing import Any

import pytest

from idmint.core.client_oauth import check_oauth
from idmint.core.errors import InvalidParameter
from idmint.core.model import OAuthSettings

POOL = "us-east-1_CORETEST0"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"callback_urls": ("",)}, "CallbackURL must be between 1 and 1024 characters long"),
        (
            {"callback_urls": ("https://a.example/" + "x" * 1007,)},
            "CallbackURL must be between 1 and 1024 characters long",
        ),
        (
            {"logout_urls": tuple(f"https://a.example/{i}" for i in range(101))},
            "LogoutURLs can contain at most 100 URLs.",
        ),
        (
            {"callback_urls": tuple(f"https://a.example/{i}" for i in range(101))},
            "CallbackURLs can contain at most 100 URLs.",
        ),
        ({"default_redirect_uri": ""}, "DefaultRedirectURI must be between 1 and 1024"),
        ({"callback_urls": ("https://a.example/a b",)}, "must not contain whitespace"),
        ({"flows": frozenset({"password"})}, "Invalid OAuth flow: password."),
    ],
)
def test_refused_by_the_core(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameter) as exc:
        check_oauth(OAuthSettings(**changes), pool_id=POOL, has_secret=True)
    assert message in exc.value.message


def test_limits_themselves_are_accepted() -> None:
    url = "https://a.example/" + "x" * (1024 - len("https://a.example/"))
    assert len(url) == 1024
    urls = (*(f"https://a.example/{i}" for i in range(99)), url)
    check_oauth(
        OAuthSettings(callback_urls=urls, logout_urls=urls, default_redirect_uri=url),
        pool_id=POOL,
        has_secret=False,
    )


def test_defaults_pass() -> None:
    check_oauth(OAuthSettings(), pool_id=POOL, has_secret=False)
