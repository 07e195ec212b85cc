"""The web process's composition root: the clients behind the HTTP door, and its server.

`open_web_services` opens what the use cases need (the event store's pool, the Temporal
client) for the app's lifespan; `serve_web` runs the app under uvicorn. The process keeps no
state of its own, so any number of replicas can serve behind a load balancer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from app.tokens import Tokens
from store import EventStore
from store.tokens import TokenStore
from web.app import create_app
from web.config import OidcConfig, WebConfig
from web.services import WebServices
from workers.settings import Settings

PROBE_TIMEOUT = 2.0


def web_config(settings: Settings) -> WebConfig:
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = OidcConfig(
            issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret, audience=settings.oidc_audience,
            person_claim=settings.oidc_person_claim, groups_claim=settings.oidc_groups_claim,
            pmo_group=settings.oidc_pmo_group, auditor_group=settings.oidc_auditor_group)
    return WebConfig(oidc=oidc, public_url=settings.public_url,
                     session_secret=settings.session_secret)


@asynccontextmanager
async def web_services(store: EventStore) -> AsyncIterator[WebServices]:
    """Services over clients someone else opened and closes (tests, `baton up`)."""

    async def ready() -> dict[str, str | None]:
        try:
            await asyncio.wait_for(store.pool.fetchval("SELECT 1"), PROBE_TIMEOUT)
            database = None
        except Exception as error:  # a probe reports whatever went wrong
            database = type(error).__name__
        return {"postgres": database}

    yield WebServices(tokens=Tokens(TokenStore(store.pool, store.schema)), ready=ready,
                      store=store)


def build_web_app(settings: Settings, dsn: str, temporal_address: str) -> FastAPI:
    @asynccontextmanager
    async def open_services() -> AsyncIterator[WebServices]:
        # Migrating is the worker's job; a web replica only reads and appends.
        store = await EventStore.connect(dsn, schema=settings.db_schema, migrate=False)
        async with store, web_services(store) as services:
            yield services

    return create_app(web_config(settings), open_services)


async def serve_web(app: FastAPI, host: str, port: int) -> None:
    # uvicorn's own logging config is left out: the access log is ours (web.access_log), and
    # structlog already renders every standard logging record.
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None,
                                           access_log=False, lifespan="on",
                                           timeout_graceful_shutdown=10))
    await server.serve()
