"""The FastAPI application: built by `create_app`, its clients opened in its lifespan."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from web import audit, feed, health, initiatives, me, problems, work
from web import oidc as login
from web.access_log import AccessLog
from web.auth import Authenticator
from web.body_limit import BodyLimit
from web.config import WebConfig
from web.feed import OpenStreams
from web.jwt_bearer import OidcBearer
from web.pages import install_pages
from web.security_headers import SecurityHeaders
from web.services import OpenServices
from web.throttle import FailureThrottle

API_PREFIX = "/api/v1"
DOCS_URL = "/api/docs"
# Swagger UI's own script, stylesheet and icon, served from the installed package: the docs page
# works where the network reaches no CDN.
DOCS_ASSETS_URL = "/api/docs/assets"
# The identity provider's discovery document and keys: small, and it should answer fast.
OIDC_HTTP_TIMEOUT = 10.0


def create_app(config: WebConfig, open_services: OpenServices) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            services = await stack.enter_async_context(open_services())
            oidc = None
            if config.oidc is not None:
                http = await stack.enter_async_context(
                    httpx.AsyncClient(timeout=OIDC_HTTP_TIMEOUT))
                oidc = OidcBearer(config.oidc, http)
                app.state.oidc_login = login.OidcLogin(config.oidc, oidc, config.public_url)
            app.state.services = services
            app.state.authenticator = Authenticator(
                services.tokens, services.sessions, oidc,
                FailureThrottle(allowed=config.auth_failures_allowed))
            app.state.streams = OpenStreams()
            app.state.config = config
            yield

    # The docs page runs Swagger UI's inline start-up script, so it is sent without the pages'
    # Content-Security-Policy (which allows no script; `web.pages` sends it with each page).
    app = FastAPIOffline(title="Baton", version="1", lifespan=lifespan,
                         openapi_url="/api/openapi.json", docs_url=DOCS_URL, redoc_url=None,
                         static_url=DOCS_ASSETS_URL,
                         description="Governed improvement initiatives whose gains stick. "
                                     "Every request acts as the authenticated person.")
    problems.install(app)
    app.include_router(health.router)
    app.include_router(me.router, prefix=API_PREFIX)
    app.include_router(initiatives.router, prefix=API_PREFIX)
    app.include_router(work.router, prefix=API_PREFIX)
    app.include_router(audit.router, prefix=API_PREFIX)
    app.include_router(feed.router, prefix=API_PREFIX)
    app.include_router(login.router)
    # The pages, and the signed session cookie they share with the sign-in flow (web.oidc).
    install_pages(app, config.session_secret or secrets.token_urlsafe(32))
    app.add_middleware(SecurityHeaders, without_policy=frozenset({DOCS_URL}))
    app.add_middleware(BodyLimit)  # outside everything that could read a body
    app.add_middleware(AccessLog)
    return app
