"""The portfolio page over 10,000 initiatives, as a PMO opens it: the server's time for
GET /portfolio (its Server-Timing header), served by the real web app under uvicorn.

The read model is filled straight into `portfolio_initiatives`, from a few lifecycles folded by
the domain: proposed, improving, handing off, sustaining with ideas and readings, regressed,
each under many owners, sponsors and PMOs, three in four with a benefit (in euros or dollars);
the rows the page sums are then built from those, as the migration that brought them in does.
Every request sums the figures afresh in PostgreSQL: `..._first_request_...` is the first of
a fresh process (five of them), `..._cold_ms` the first of the app in this one, `..._ms` the
median of later ones, `..._after_a_change_ms` when one initiative moved since the request
before.
BATON_BENCH_WEB_INITIATIVES scales it down for a quick look.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import httpx

from domain import InitiativeState, fold
from domain.spec import Benefit
from store import EventStore
from store.figure_rows import FigureRows
from store.migrations import quote_schema
from store.portfolio.projection import row_values

from .harness import postgres, say
from .synthetic_streams import START, lifecycle

SCHEMA = "bench_web"
INITIATIVES = int(os.environ.get("BATON_BENCH_WEB_INITIATIVES", "10000"))
REQUESTS = 30
FRESH_PROCESSES = 5
PEOPLE = 40
COLUMNS = ["initiative_id", "name", "phase", "owner", "version", "updated_at", "regressions",
           "next_due_at", "state"]


BENEFITS = [Benefit(currency="EUR", per_unit=1200.0), Benefit(currency="USD", per_unit=80.0)]


def templates() -> list[InitiativeState]:
    """States at several points of one lifecycle: the portfolio's mix of phases."""
    events = lifecycle(48)
    return [fold("template", events[:cut]) for cut in (1, 2, 4, 6, 7, 20, 48)]


def rows(count: int, shapes: Sequence[InitiativeState]) -> list[tuple[object, ...]]:
    found = []
    for number in range(count):
        shape = shapes[number % len(shapes)]
        spec = shape.require_spec().model_copy(update={
            "sponsor": f"sponsor-{number % 7}@acme.example",
            "pmo": f"pmo-{number % 5}@acme.example",
            "name": f"Initiative {number}",
            # Most put a value on their improvement, so the page sums benefits too.
            "benefit": None if number % 4 == 0 else BENEFITS[number % len(BENEFITS)]})
        state = shape.model_copy(update={
            "initiative_id": f"initiative-{number:07d}", "spec": spec,
            "owner": f"owner-{number % PEOPLE}@acme.example",
            "updated_at": (shape.updated_at or START) - timedelta(days=number % 90)})
        found.append(row_values(state, regressions=int(number % 11 == 0)))
    return found


async def fill(connection: asyncpg.Connection, count: int) -> None:
    """The read model's rows, then the figures' rows built from them as the migration that
    brought those tables in builds them for a store that had initiatives already."""
    await connection.execute(f"TRUNCATE {quote_schema(SCHEMA)}.portfolio_initiatives")
    await connection.copy_records_to_table("portfolio_initiatives", schema_name=SCHEMA,
                                           records=rows(count, templates()), columns=COLUMNS)
    await FigureRows(SCHEMA).backfill(connection)


def server_ms(answer: httpx.Response) -> float:
    assert answer.status_code == 200, answer.text[:500]
    timing = answer.headers["server-timing"]
    return float(timing.split("dur=")[1])


async def _opened(thing: Any) -> Any:
    return thing


async def sign_in_with_token(client: httpx.AsyncClient, token: str) -> None:
    """Through the sign-in page, as a browser does: its form's CSRF token, then the token."""
    form = (await client.get("/signin")).text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form)
    assert csrf is not None
    answer = await client.post("/signin", data={"csrf": csrf.group(1), "token": token})
    assert answer.status_code == 303, answer.text[:300]


@asynccontextmanager
async def signed_in_client(store: EventStore, token: str | None = None,
                           ) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The real web app over `store`, in process, through its own lifespan (Server-Timing is
    the server's time), signed in as a PMO with `token` (one is issued without)."""
    from app.context import Context, Where
    from app.identity import Grant
    from app.tokens import Tokens
    from store.tokens import TokenStore
    from web.app import create_app
    from web.config import WebConfig
    from workers.web import web_services

    borrowed = EventStore(store.pool, store.schema)  # closing it leaves the pool open
    # The portfolio page needs no Temporal: nothing here asks for it.
    context = Context(
        where=Where(temporal_address="unused", namespace="default", task_queue="unused",
                    db_schema=SCHEMA),
        open_temporal=lambda: _opened(None), open_store=lambda: _opened(borrowed),
        open_read_store=lambda: _opened(borrowed), open_audit_store=lambda: _opened(borrowed))
    app = create_app(WebConfig(session_secret=uuid.uuid4().hex), lambda: web_services(context))
    if token is None:
        token = (await Tokens(TokenStore(store.pool, SCHEMA)).issue(
            "pmo-0@acme.example", {Grant.PMO})).token
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        await sign_in_with_token(client, token)
        yield client, token


async def first_request(dsn: str, token: str) -> float:
    """The server's time for the first GET /portfolio of this process."""
    store = await EventStore.connect(dsn, schema=SCHEMA)
    try:
        async with signed_in_client(store, token) as (client, _):
            return server_ms(await client.get("/portfolio"))
    finally:
        await store.close()


def first_requests(dsn: str, token: str, count: int) -> list[float]:
    """`first_request` in `count` fresh processes, one after another."""
    found = []
    for _ in range(count):
        done = subprocess.run(
            [sys.executable, "-c", "import asyncio, sys; from bench.web_bench import "
             "first_request; print(asyncio.run(first_request(sys.argv[1], sys.argv[2])))",
             dsn, token], check=True, capture_output=True, text=True)
        found.append(float(done.stdout.strip().splitlines()[-1]))
    return found


async def measure() -> dict[str, float]:
    with postgres() as dsn:
        store = await EventStore.connect(dsn, schema=SCHEMA)
        try:
            connection = await asyncpg.connect(dsn)
            try:
                say(f"filling the read model with {INITIATIVES:,} initiatives")
                await fill(connection, INITIATIVES)
            finally:
                await connection.close()
            async with signed_in_client(store) as (client, token):
                say("first request of this process")
                cold = server_ms(await client.get("/portfolio"))
                warm = [server_ms(await client.get("/portfolio")) for _ in range(REQUESTS)]
                filtered = [server_ms(await client.get("/portfolio?owner=owner-3@acme.example"))
                            for _ in range(REQUESTS)]
                changed = []
                for number in range(REQUESTS):
                    # Another initiative recorded something since the last request.
                    await moved(store, f"initiative-{number:07d}")
                    changed.append(server_ms(await client.get("/portfolio")))
            say(f"first requests of {FRESH_PROCESSES} fresh processes")
            fresh = first_requests(dsn, token, FRESH_PROCESSES)
        finally:
            await store.drop_schema()
            await store.close()
    suffix = f"at_{INITIATIVES // 1000}k"
    return {f"web_portfolio_render_ms_{suffix}": statistics.median(warm),
            f"web_portfolio_render_max_ms_{suffix}": max(warm),
            f"web_portfolio_filtered_render_ms_{suffix}": statistics.median(filtered),
            f"web_portfolio_render_after_a_change_ms_{suffix}": statistics.median(changed),
            f"web_portfolio_render_after_a_change_max_ms_{suffix}": max(changed),
            f"web_portfolio_cold_ms_{suffix}": cold,
            f"web_portfolio_first_request_p50_ms_{suffix}": statistics.median(fresh),
            f"web_portfolio_first_request_max_ms_{suffix}": max(fresh)}


async def moved(store: EventStore, initiative_id: str) -> None:
    """What an append does to an initiative's rows, as far as the page can tell: a new version,
    a new moment of change."""
    s = quote_schema(SCHEMA)
    async with store.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            f"UPDATE {s}.portfolio_initiatives SET version = version + 1, updated_at = now() "
            "WHERE initiative_id = $1", initiative_id)
        await connection.execute(
            f"UPDATE {s}.portfolio_figures SET version = version + 1, updated_at = now() "
            "WHERE initiative_id = $1", initiative_id)


def run() -> dict[str, float]:
    return asyncio.run(measure())
