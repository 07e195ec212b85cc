"""The web process's composition root: the use cases' context behind the HTTP door, and its
server.

`web_services` opens what the handlers need for the app's lifespan; `serve_web` runs the app under
uvicorn. The process keeps no state of its own, so any number of replicas can serve behind a load
balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from temporalio.client import Client

from app.context import Context, Where
from app.sessions import WebSessions
from app.tokens import Tokens
from store import EventStore
from store.tokens import TokenStore
from store.web_sessions import WebSessionStore
from web.app import create_app
from web.config import OidcConfig, WebConfig
from web.services import WebServices
from workers.composition import Place
from workers.settings import Settings
from workflows.source_hosts import SourceHosts

PROBE_TIMEOUT = 2.0
GRACE_SECONDS = 10  # for requests in flight, on shutdown


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


def shared_context(client: Client, store: EventStore, where: Where, *,
                   source_hosts: SourceHosts | None = None) -> Context:
    """A context over clients that someone else opened and closes (`baton up`, tests).
    `source_hosts` is the worker's (BATON_METRIC_SOURCE_HOSTS), so that a launch is judged by the
    rule the fetch applies."""
    borrowed = EventStore(store.pool, store.schema)  # closing it leaves the pool open

    async def temporal() -> Client:
        return client

    async def events() -> EventStore:
        return borrowed

    return Context(where=where, open_temporal=temporal, open_store=events,
                   open_read_store=events, open_audit_store=events, source_hosts=source_hosts)


@asynccontextmanager
async def web_services(context: Context) -> AsyncIterator[WebServices]:
    async with context:
        store = await context.store()

        async def ready() -> dict[str, str | None]:
            checks: dict[str, str | None] = {}
            for name, probe in (("postgres", store.pool.fetchval("SELECT 1")),
                                ("temporal", context.workers_polling())):
                try:
                    await asyncio.wait_for(probe, PROBE_TIMEOUT)
                    checks[name] = None
                except Exception as error:  # a probe reports whatever went wrong
                    checks[name] = type(error).__name__
            return checks

        tokens = Tokens(TokenStore(store.pool, store.schema))
        sessions = WebSessions(WebSessionStore(store.pool, store.schema), tokens)
        yield WebServices(context=context, tokens=tokens, sessions=sessions, ready=ready)


def build_web_app(settings: Settings) -> FastAPI:
    """The API as `baton web` serves it: its own pools, found as every command finds them."""
    return create_app(web_config(settings), lambda: web_services(Place(settings).context()))


class _EmbeddedServer(uvicorn.Server):
    """A server inside a process that handles its own signals (`baton up`, tests)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # uvicorn's own logging config is left out: the access log is ours (web.access_log), and
    # structlog already renders every standard logging record.
    return uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                          lifespan="on", timeout_graceful_shutdown=GRACE_SECONDS)


async def serve_web(app: FastAPI, host: str, port: int) -> None:
    """Until SIGTERM or Ctrl-C (uvicorn's own handlers)."""
    await uvicorn.Server(_config(app, host, port)).serve()


@asynccontextmanager
async def started_server(app: FastAPI, host: str, port: int) -> AsyncIterator[str]:
    """`app` served in this event loop while the context lasts; yields its base URL (port 0
    picks a free one). OSError when the address cannot be bound."""
    server = _EmbeddedServer(_config(app, host, port))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
            raise OSError(f"nothing listens on {host}:{port}")
        await asyncio.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        await task
