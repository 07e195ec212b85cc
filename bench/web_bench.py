"""The portfolio page over 10,000 initiatives, as a PMO opens it: the server's time for
GET /portfolio (its Server-Timing header), served by the real web app under uvicorn.

The read model is filled straight into `portfolio_initiatives` (the rows the page renders
from), from a few lifecycles folded by the domain: proposed, improving, handing off, sustaining
with ideas and readings, regressed, each under many owners, sponsors and PMOs, three in four
with a benefit (in euros or dollars). The first request
of a process reads and digests every row (reported as `..._cold_ms`); after that a request reads
only the versions and whatever moved, which is what a PMO waits for (`..._ms`, the median), and
`..._after_a_change_ms` when one initiative moved since the request before.
BATON_BENCH_WEB_INITIATIVES scales it down for a quick look.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import asyncpg
import httpx

from domain import InitiativeState, fold
from domain.spec import Benefit
from store import EventStore
from store.migrations import quote_schema
from store.portfolio.projection import row_values

from .harness import postgres, say
from .synthetic_streams import START, lifecycle

SCHEMA = "bench_web"
INITIATIVES = int(os.environ.get("BATON_BENCH_WEB_INITIATIVES", "10000"))
REQUESTS = 30
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
    await connection.execute(f"TRUNCATE {quote_schema(SCHEMA)}.portfolio_initiatives")
    await connection.copy_records_to_table("portfolio_initiatives", schema_name=SCHEMA,
                                           records=rows(count, templates()), columns=COLUMNS)


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


async def measure() -> dict[str, float]:
    from app.context import Context, Where
    from app.identity import Grant
    from app.tokens import Tokens
    from store.tokens import TokenStore
    from web.app import create_app
    from web.config import WebConfig
    from workers.web import web_services

    with postgres() as dsn:
        store = await EventStore.connect(dsn, schema=SCHEMA)
        try:
            connection = await asyncpg.connect(dsn)
            try:
                say(f"filling the read model with {INITIATIVES:,} initiatives")
                await fill(connection, INITIATIVES)
            finally:
                await connection.close()
            borrowed = EventStore(store.pool, store.schema)  # closing it leaves the pool open
            # The portfolio page needs no Temporal: nothing here asks for it.
            context = Context(
                where=Where(temporal_address="unused", namespace="default", task_queue="unused",
                            db_schema=SCHEMA),
                open_temporal=lambda: _opened(None), open_store=lambda: _opened(borrowed),
                open_read_store=lambda: _opened(borrowed),
                open_audit_store=lambda: _opened(borrowed))
            app = create_app(WebConfig(session_secret=uuid.uuid4().hex),
                             lambda: web_services(context))
            token = (await Tokens(TokenStore(store.pool, SCHEMA)).issue(
                "pmo-0@acme.example", {Grant.PMO})).token
            # In-process, through the app's own lifespan: Server-Timing is the server's time.
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
                await sign_in_with_token(client, token)
                say("first request: every row read and digested")
                cold = server_ms(await client.get("/portfolio"))
                warm = [server_ms(await client.get("/portfolio")) for _ in range(REQUESTS)]
                filtered = [server_ms(await client.get("/portfolio?owner=owner-3@acme.example"))
                            for _ in range(REQUESTS)]
                changed = []
                for number in range(REQUESTS):
                    # Another initiative recorded something since the last request.
                    await store.pool.execute(
                        f"UPDATE {quote_schema(SCHEMA)}.portfolio_initiatives SET version = "
                        "version + 1 WHERE initiative_id = $1", f"initiative-{number:07d}")
                    changed.append(server_ms(await client.get("/portfolio")))
        finally:
            await store.drop_schema()
            await store.close()
    suffix = f"at_{INITIATIVES // 1000}k"
    return {f"web_portfolio_render_ms_{suffix}": statistics.median(warm),
            f"web_portfolio_render_max_ms_{suffix}": max(warm),
            f"web_portfolio_filtered_render_ms_{suffix}": statistics.median(filtered),
            f"web_portfolio_render_after_a_change_ms_{suffix}": statistics.median(changed),
            f"web_portfolio_cold_ms_{suffix}": cold}


def run() -> dict[str, float]:
    return asyncio.run(measure())
