"""The OAuth 2.0 endpoints' tests share the hosted pages' fixtures."""

from tests.web.hosted.conftest import CALLBACK, LOGOUT, OAuthPool, make_oauth_pool, oauth_pool

__all__ = ["CALLBACK", "LOGOUT", "OAuthPool", "make_oauth_pool", "oauth_pool"]
