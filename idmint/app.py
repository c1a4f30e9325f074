"""The composition root: ``create_app(settings, *, store=None, clock=None)``.

Builds the store (running migrations), the key manager, the password hasher and the services,
and mounts the front-ends. Nothing else wires objects together.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from idmint import __version__
from idmint.core.context import Context
from idmint.core.passwords import HashParams, PasswordHasher, default_hash_workers
from idmint.core.ports import Clock
from idmint.core.service import Service
from idmint.core.signing import KeyManager
from idmint.core.websessions import SessionPolicy, TrustedIssuer, WebSessions
from idmint.delivery import build_sender
from idmint.jwks import JwksCache
from idmint.settings import Settings
from idmint.store import migrate
from idmint.store.database import create_engine
from idmint.store.sql import SqlStore
from idmint.web.admin import AdminEndpoint
from idmint.web.branding import LogoEndpoint
from idmint.web.cognito.actions import Env
from idmint.web.cognito.endpoint import CognitoEndpoint
from idmint.web.hosted_ui import HostedUi
from idmint.web.http import json_response
from idmint.web.mint import MintApi, routing_error
from idmint.web.oidc import OAuthApi
from idmint.web.partner import PartnerApi
from idmint.web.session import SessionApi
from idmint.web.wellknown import WellKnown

log = logging.getLogger("idmint")


async def open_store(settings: Settings) -> SqlStore:
    """Connect to the configured database and bring its schema up to date."""
    url = settings.effective_database_url
    if url.startswith("sqlite") and settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    before, now = await migrate.upgrade(engine)
    if before != now:
        log.info("database migrated from %s to %s", before or "empty", now)
    return SqlStore(engine)


async def build_context(
    settings: Settings, db: SqlStore, clock: Clock
) -> tuple[Context, Callable[[], None]]:
    """What every use case shares (store, sender, hasher, keys, clock, issuer, server secret),
    for the server and for the command line; the callable releases the hasher's workers."""
    hasher = PasswordHasher(
        HashParams(
            settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
        ),
        workers=settings.hash_workers or default_hash_workers(settings.workers),
        queue=settings.hash_queue,
    )
    keys = KeyManager(db, clock)
    await keys.start()
    ctx = Context(
        store=db,
        sender=build_sender(settings, db, clock),
        hasher=hasher,
        keys=keys,
        clock=clock,
        issuer=settings.issuer,
        secret=await db.server_secret("root", secrets.token_bytes(32), clock()),
        region=settings.region,
    )
    return ctx, hasher.close


class _Lazy:
    """Holds what only exists once the lifespan has started (store, services)."""

    service: Service
    cognito: CognitoEndpoint
    wellknown: WellKnown
    admin: AdminEndpoint


def create_app(
    settings: Settings | None = None, *, store: SqlStore | None = None, clock: Clock | None = None
) -> Starlette:
    settings = settings or Settings()
    clock = clock or time.time
    state = _Lazy()
    session_api = SessionApi(
        max_body_bytes=settings.max_body_bytes,
        insecure_localhost_cookies=settings.insecure_localhost_cookies,
    )
    mint_api = MintApi(max_body_bytes=settings.max_body_bytes)
    partner_api = PartnerApi(max_body_bytes=settings.max_body_bytes)
    hosted_ui = HostedUi(settings)
    oauth_api = OAuthApi(settings)
    logos = LogoEndpoint()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.warn_about_development_settings()
        own_store = store is None
        db = store or await open_store(settings)
        ctx, close_context = await build_context(settings, db, clock)
        state.service = Service(ctx)
        state.cognito = CognitoEndpoint(
            Env(state.service, settings.account_id, settings.effective_public_url),
            db,
            clock,
            insecure_accept_any_admin_signature=settings.insecure_accept_any_admin_signature,
            max_body_bytes=settings.max_body_bytes,
        )
        state.wellknown = WellKnown(state.service, settings)
        state.admin = AdminEndpoint(
            db,
            clock,
            insecure_accept_any_admin_signature=settings.insecure_accept_any_admin_signature,
            max_body_bytes=settings.max_body_bytes,
        )
        jwks_cache = JwksCache(clock=clock)
        session_api.sessions = WebSessions(
            ctx,
            keys=jwks_cache,
            issuers=[
                TrustedIssuer(i.issuer, frozenset(i.client_ids), i.effective_jwks_url)
                for i in settings.session_issuers
            ],
            policy=SessionPolicy(
                access_seconds=settings.session_access_minutes * 60,
                idle_seconds=int(settings.session_idle_hours * 3600),
                absolute_seconds=int(settings.session_max_days * 86400),
            ),
            trust_own_pools=settings.session_trust_own_pools,
        )
        mint_api.mint = state.service.mint
        partner_api.partners = state.service.partners
        hosted_ui.service = oauth_api.service = logos.service = state.service
        app.state.service = state.service
        try:
            yield
        finally:
            await jwks_cache.close()
            close_context()
            if own_store:
                await db.close()

    async def cognito(request: Request) -> Response:
        if request.method == "OPTIONS":
            return await state.cognito.preflight(request)
        return await state.cognito(request)

    async def root(request: Request) -> Response:
        return json_response({"service": "idmint", "version": __version__})

    async def health(request: Request) -> Response:
        return json_response({"status": "ok"})

    async def jwks(request: Request) -> Response:
        return await state.wellknown.jwks(request)

    async def openid_configuration(request: Request) -> Response:
        return await state.wellknown.openid_configuration(request)

    async def admin_outbox(request: Request) -> Response:
        return await state.admin.outbox(request)

    routes = [
        Route("/", cognito, methods=["POST", "OPTIONS"]),
        Route("/", root, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/admin/outbox", admin_outbox, methods=["GET"]),
        *session_api.routes(),
        *mint_api.routes(),
        *partner_api.routes(),
        *hosted_ui.routes(),
        *oauth_api.routes(),
        *logos.routes(),
        Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route(
            "/.well-known/oauth-authorization-server/{pool_id}",
            openid_configuration,
            methods=["GET"],
        ),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        """Routing errors in the format of the API the path belongs to."""
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/mint/"):
            response = routing_error(exc.status_code, str(exc.detail))
            response.headers.update(exc.headers or {})
            return response
        if oauth_api.owns(request.url.path):
            return oauth_api.http_error(exc)
        if hosted_ui.owns(request.url.path):
            return await hosted_ui.http_error(request, exc)
        return await session_api.http_error(request, exc)

    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error},
    )
