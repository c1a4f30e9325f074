"""Per-pool discovery: ``/<poolId>/.well-known/jwks.json`` and ``openid-configuration``.

The JWKS is Cognito's (RFC 7517 key set at ``<issuer>/.well-known/jwks.json``); the discovery
document follows OpenID Connect Discovery 1.0 §3 and lists only endpoints idmint serves. The
same document is the RFC 8414 authorization-server metadata, at
``/.well-known/oauth-authorization-server/<poolId>`` (RFC 8414 §3.1, issuer with a path).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from idmint.core.errors import ResourceNotFound
from idmint.core.model import OAUTH_SCOPES
from idmint.core.service import Service
from idmint.settings import Settings
from idmint.web.http import json_response

_CACHE = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


class WellKnown:
    def __init__(self, service: Service, settings: Settings) -> None:
        self._service = service
        self._settings = settings

    async def jwks(self, request: Request) -> Response:
        try:
            keys = await self._service.auth.jwks(request.path_params["pool_id"])
        except ResourceNotFound as exc:
            return json_response({"error": "not_found", "message": exc.message}, 404)
        return json_response(keys, headers=_CACHE)

    async def openid_configuration(self, request: Request) -> Response:
        """OpenID Connect Discovery 1.0 §3 (also served as RFC 8414 authorization-server
        metadata): the issuer, its keys, and the OAuth 2.0 endpoints of this server."""
        pool_id = request.path_params["pool_id"]
        try:
            await self._service.pools.describe_pool(pool_id)
        except ResourceNotFound as exc:
            return json_response({"error": "not_found", "message": exc.message}, 404)
        return json_response(self.metadata(pool_id), headers=_CACHE)

    def metadata(self, pool_id: str) -> dict[str, object]:
        public = self._settings.effective_public_url
        auth_methods = ["client_secret_basic", "client_secret_post", "none"]
        return {
            "issuer": self._settings.issuer(pool_id),
            "authorization_endpoint": f"{public}/oauth2/authorize",
            "token_endpoint": f"{public}/oauth2/token",
            "userinfo_endpoint": f"{public}/oauth2/userInfo",
            "revocation_endpoint": f"{public}/oauth2/revoke",
            "end_session_endpoint": f"{public}/logout",
            "jwks_uri": f"{public}/{pool_id}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": sorted(OAUTH_SCOPES),
            "prompt_values_supported": ["none", "login"],
            "authorization_response_iss_parameter_supported": True,
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "name",
                "given_name",
                "family_name",
                "preferred_username",
                "cognito:username",
                "cognito:groups",
            ],
        }
