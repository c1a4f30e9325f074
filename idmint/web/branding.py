"""``GET /hosted/logo/{pool_id}/{client_id}``: the logo set with Cognito SetUICustomization
(``ImageFile``), for the pool (``client_id`` ``ALL``) or one app client.

This is the ``ImageUrl`` of GetUICustomization and the logo of the hosted pages. The bytes were
checked to be PNG or JPEG when they were set and are served with that type and ``nosniff``,
under a CSP that lets the response itself run and load nothing. The URL carries
``?v=<last modified>``, so a short public cache lifetime is enough.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from idmint.core.service import Service

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}


class LogoEndpoint:
    service: Service

    def routes(self) -> list[BaseRoute]:
        return [Route("/hosted/logo/{pool_id}/{client_id}", self.logo, methods=["GET"])]

    async def logo(self, request: Request) -> Response:
        found = await self.service.branding.logo(
            request.path_params["pool_id"], request.path_params["client_id"]
        )
        if found is None:
            return Response("Not Found", status_code=404, media_type="text/plain", headers=_HEADERS)
        image, content_type = found
        return Response(
            image,
            media_type=content_type,
            headers={**_HEADERS, "Cache-Control": "public, max-age=300"},
        )
