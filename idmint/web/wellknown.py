"""Per-pool discovery: ``/<poolId>/.well-known/jwks.json`` and ``openid-configuration``.

The JWKS is Cognito's (RFC 7517 key set at ``<issuer>/.well-known/jwks.json``); the discovery
document follows OpenID Connect Discovery 1.0 §3 and lists only endpoints idmint serves.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from idmint.core.errors import ResourceNotFound
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
        pool_id = request.path_params["pool_id"]
        try:
            await self._service.pools.describe_pool(pool_id)
        except ResourceNotFound as exc:
            return json_response({"error": "not_found", "message": exc.message}, 404)
        base = f"{self._settings.effective_public_url}/{pool_id}"
        return json_response(
            {
                "issuer": self._settings.issuer(pool_id),
                "jwks_uri": f"{base}/.well-known/jwks.json",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "email",
                    "email_verified",
                    "phone_number",
                    "phone_number_verified",
                    "cognito:username",
                ],
            },
            headers=_CACHE,
        )
