"""Rules for an app client's OAuth 2.0 settings, as the Amazon Cognito API reference documents
them for CreateUserPoolClient and UpdateUserPoolClient (CallbackURLs, LogoutURLs,
DefaultRedirectURI, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient,
SupportedIdentityProviders).

Where Cognito's own error message is known it is used word for word; Cognito answers some of
these with ``InvalidOAuthFlowException`` or ``ScopeDoesNotExistException``, idmint with
``InvalidParameter`` throughout.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from idmint.core.errors import InvalidParameter
from idmint.core.model import COGNITO_PROVIDER, OAUTH_FLOWS, OAUTH_SCOPES, OAuthSettings

# RedirectUrlType and CallbackURLsListType / LogoutURLsListType bounds.
MAX_URLS = 100
MAX_URL_LENGTH = 1024
# RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# Schemes that run or embed content instead of reaching an application: never a redirect
# target, whatever the Cognito reference says about app schemes.
_UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob"})
# Scopes that add claims to the ID token and to userInfo, so need an OpenID Connect request
# (the openid scope) to mean anything: Cognito's app-client settings require openid with them.
_NEEDS_OPENID = ("email", "phone", "profile")


def _check_url(member: str, url: str) -> None:
    """A redirect URI as CallbackURLs documents it: absolute (RFC 3986 §4.3), no fragment
    (RFC 6749 §3.1.2), https except ``http://localhost`` for testing; app schemes such as
    ``myapp://example`` are allowed. ``http://127.0.0.1`` is not localhost for Cognito."""
    if not 1 <= len(url) <= MAX_URL_LENGTH:
        raise InvalidParameter(
            f"{member} must be between 1 and {MAX_URL_LENGTH} characters long: {url[:64]}"
        )
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidParameter(f"{member} must not contain whitespace or control characters.")
    scheme, sep, _ = url.partition(":")
    if not sep or not _SCHEME.fullmatch(scheme):
        raise InvalidParameter(f"{member} must be an absolute URI: {url}")
    if "#" in url:
        raise InvalidParameter(f"{member} must not include a fragment component: {url}")
    scheme = scheme.lower()
    if scheme in _UNSAFE_SCHEMES:
        raise InvalidParameter(f"{member} must not use the {scheme} scheme: {url}")
    if scheme not in ("http", "https"):
        return  # an app callback such as myapp://callback
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidParameter(f"{member} must be an absolute URI: {url}") from exc
    if not host:
        raise InvalidParameter(f"{member} must be an absolute URI: {url}")
    if scheme == "http" and host != "localhost":
        raise InvalidParameter(
            f"{member} must use HTTPS; HTTP is allowed only for http://localhost: {url}"
        )


def _check_urls(member: str, urls: tuple[str, ...]) -> None:
    if len(urls) > MAX_URLS:
        raise InvalidParameter(f"{member}s can contain at most {MAX_URLS} URLs.")
    for url in urls:
        _check_url(member, url)


def check_oauth(oauth: OAuthSettings, *, pool_id: str, has_secret: bool) -> None:
    """Refuse OAuth settings Cognito refuses (CreateUserPoolClient, UpdateUserPoolClient).

    ``has_secret``: whether the client has (or is being given) a client secret, which the
    client_credentials grant needs (RFC 6749 §4.4 authenticates the client)."""
    _check_urls("CallbackURL", oauth.callback_urls)
    _check_urls("LogoutURL", oauth.logout_urls)
    if oauth.default_redirect_uri is not None:
        _check_url("DefaultRedirectURI", oauth.default_redirect_uri)
        if oauth.default_redirect_uri not in oauth.callback_urls:
            raise InvalidParameter("DefaultRedirectURI must be one of the CallbackURLs.")

    unknown_flows = sorted(oauth.flows - OAUTH_FLOWS)
    if unknown_flows:
        raise InvalidParameter(
            f"Invalid OAuth flow: {unknown_flows[0]}. Allowed flows are code, implicit and "
            "client_credentials."
        )
    if "client_credentials" in oauth.flows:
        if oauth.flows & {"code", "implicit"}:
            raise InvalidParameter(
                "client_credentials flow can not be selected along with code flow or implicit flow."
            )
        if not has_secret:
            raise InvalidParameter(
                "client_credentials flow can not be selected if client does not have a "
                "client secret."
            )
    if oauth.flows & {"code", "implicit"} and not oauth.callback_urls:
        raise InvalidParameter(
            "CallbackUrls can not be empty when code flow or implicit flow is selected"
        )

    unknown_scopes = sorted(oauth.scopes - OAUTH_SCOPES)
    if unknown_scopes:
        scope = unknown_scopes[0]
        if "/" in scope:  # <resource server identifier>/<scope name>
            raise InvalidParameter(
                f"Invalid scope requested: {scope}. Custom scopes of resource servers are "
                "not supported by this server."
            )
        raise InvalidParameter(
            f"Invalid scope requested: {scope}. Allowed scopes are phone, email, openid, "
            "profile and aws.cognito.signin.user.admin."
        )
    if "openid" not in oauth.scopes:
        for scope in _NEEDS_OPENID:
            if scope in oauth.scopes:
                raise InvalidParameter(f"The {scope} scope requires the openid scope.")

    if oauth.allowed and not (oauth.flows and oauth.scopes):
        raise InvalidParameter(
            "AllowedOAuthFlows and AllowedOAuthScopes are required when "
            "AllowedOAuthFlowsUserPoolClient is true."
        )

    for provider in oauth.identity_providers:
        if provider != COGNITO_PROVIDER:
            raise InvalidParameter(
                f"The provider {provider} does not exist for User Pool {pool_id}."
            )
