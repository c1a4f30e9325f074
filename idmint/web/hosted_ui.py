"""The hosted pages (placeholder: being built)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from idmint.core.service import Service
from idmint.settings import Settings

PATHS = ("/login", "/signup", "/confirm", "/forgot-password", "/reset-password", "/logout")


class HostedUi:
    service: Service

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def routes(self) -> list[BaseRoute]:
        return []

    def owns(self, path: str) -> bool:
        """Whether a routing error on ``path`` is answered with the hosted error page."""
        return path in PATHS or path.startswith(("/oauth2/authorize", "/hosted/"))

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        return Response(str(exc.detail), status_code=exc.status_code, media_type="text/plain")
