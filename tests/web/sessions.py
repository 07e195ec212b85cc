"""Helpers for the session tests: a form token from a page, and a browser signed in through the
identity provider, as a person does it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from temporalio.client import Client

from app.context import Where
from devstack.embedded_temporal import EmbeddedTemporal
from web.app import create_app
from web.config import WebConfig
from workers.web import shared_context, started_server, web_services

from .conftest import OidcProvider, WebStack


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found is not None, page[:300]
    return found.group(1)


async def form_token(browser: httpx.AsyncClient) -> str:
    """The CSRF token of this browser's session, from the sign-in page's form."""
    return csrf_of((await browser.get("/signin")).text)


async def sign_in_with_provider(browser: httpx.AsyncClient, oidc: OidcProvider, person: str,
                                next_path: str = "/") -> httpx.Response:
    """Through /auth/login and the provider's form; the answer of the callback."""
    start = await browser.get("/auth/login", params={"next": next_path})
    assert start.status_code == 302, start.text
    signed = await browser.post(start.headers["location"], data={"sub": person})
    assert signed.status_code in (302, 303), signed.text
    return await browser.get(signed.headers["location"])


@asynccontextmanager
async def replica(web: WebStack, temporal_client: Client, temporal_server: EmbeddedTemporal,
                  config: WebConfig) -> AsyncIterator[str]:
    """Another web process over the same database and Temporal as `web`: its base URL."""
    where = Where(temporal_address=temporal_server.address, namespace="default",
                  task_queue=web.task_queue, db_schema=web.store.schema)
    app = create_app(config, lambda: web_services(
        shared_context(temporal_client, web.store, where)))
    async with started_server(app, "127.0.0.1", 0) as url:
        yield url


async def session_rows(web: WebStack) -> list[dict[str, Any]]:
    rows = await web.store.pool.fetch(
        f"SELECT * FROM {web.store.schema}.web_sessions ORDER BY created_at")
    return [dict(row) for row in rows]
