"""The HTTP API against the direct client, on one embedded stack, in the same run.

    (a) an owner's update round trip through `POST /api/v1/initiatives/{id}/actions/{action}`
        (a real uvicorn server on loopback, a personal token), against the same updates sent
        with the Temporal client directly: `api_update_overhead_ratio` = direct p50 / API p50;
        `api_update_server_p50_ms` is the app's share of the API's round trip (Server-Timing)
    (b) `GET /api/v1/me/work` for a person with 50 open items among 10,000 initiatives, the
        read model filled as the projection would fill it
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx

from app.identity import Grant
from domain import commands as c
from store import EventStore
from workers.logging import configure_logging
from workflows.client import InitiativeClient

from .api_stack import api_stack
from .harness import say
from .lifecycle_bench import CLERK, OWNER, PMO, bench_spec

ROUND_TRIPS = 200  # per door, alternating in blocks so both see the same machine
BLOCK = 20
INITIATIVES = 10_000
MINE = 50
WORK_READS = 200


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[max(0, int(len(sorted_values) * share) - 1)]


def idea_or_triage(n: int) -> tuple[str, str, dict[str, object], object]:
    """(who, action, arguments, command): a front-line idea, then the owner's triage."""
    if n % 2 == 0:
        return CLERK, "idea", {"text": f"idea {n}"}, c.SubmitIdea(actor=CLERK, text=f"idea {n}")
    idea = f"idea-{n // 2 + 1}"
    return (OWNER, "triage", {"idea": idea, "adopt": True},
            c.TriageIdea(actor=OWNER, idea_id=idea, adopt=True))


def server_ms(answer: httpx.Response) -> float:
    """The time the app spent on a request, as its `Server-Timing` header says (`page;dur=MS`):
    what is not in it went on the HTTP transport, both ends of it in this process."""
    return float(answer.headers["server-timing"].partition("dur=")[2])


async def round_trips(http: httpx.AsyncClient, initiatives: InitiativeClient,
                      spec: object, tokens: dict[str, str],
                      ) -> tuple[list[float], list[float], list[float]]:
    """(API round trips, the app's share of them, direct round trips), in ms, each sorted."""
    api_iid = await initiatives.launch(spec, PMO)  # type: ignore[arg-type]
    direct_iid = await initiatives.launch(spec, PMO)  # type: ignore[arg-type]
    api, served, direct = [], [], []
    for block in range(0, ROUND_TRIPS, BLOCK):
        for n in range(block, block + BLOCK):
            person, action, arguments, _ = idea_or_triage(n)
            started = time.perf_counter()
            answer = await http.post(f"/api/v1/initiatives/{api_iid}/actions/{action}",
                                     json=arguments,
                                     headers={"Authorization": f"Bearer {tokens[person]}"})
            api.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
            served.append(server_ms(answer))
        for n in range(block, block + BLOCK):
            _, _, _, command = idea_or_triage(n)
            started = time.perf_counter()
            await initiatives.send(direct_iid, command)  # type: ignore[arg-type]
            direct.append((time.perf_counter() - started) * 1000)
    return sorted(api), sorted(served), sorted(direct)


async def fill_work_items(store: EventStore, person: str) -> None:
    """10,000 initiatives' open items, 50 of them the person's, as the projection writes."""
    now = datetime.now(UTC)
    rows = []
    for n in range(INITIATIVES):
        iid = f"bench-work-{n:05d}"
        holder = person if n % (INITIATIVES // MINE) == 0 else f"owner-{n % 700}@b.example"
        rows.append((iid, "handoff_step", "sop", holder, f"Initiative {n}", "SOP",
                     now + timedelta(hours=n % 500), "complete"))
        rows.append((iid, "idea_triage", "idea-1", f"owner-{n % 700}@b.example",
                     f"Initiative {n}", "Triage idea", now + timedelta(days=1), "triage"))
    async with store.pool.acquire() as connection:
        await connection.copy_records_to_table(
            "work_items", schema_name=store.schema, records=rows,
            columns=["initiative_id", "kind", "ref", "person", "initiative_name", "title",
                     "due_at", "action"])
        await connection.execute(f"ANALYZE {store.schema}.work_items")


async def my_work_latencies(http: httpx.AsyncClient) -> list[float]:
    latencies = []
    for _ in range(WORK_READS):
        started = time.perf_counter()
        answer = await http.get("/api/v1/me/work")
        latencies.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        assert len(answer.json()["items"]) == MINE
    return sorted(latencies)


async def measure() -> dict[str, float]:
    configure_logging("console", "WARNING")  # one access-log line per request is too many
    async with api_stack("api") as stack:
        people = {person: await stack.token(person) for person in (OWNER, CLERK)}
        reader = await stack.token("reader@b.example", Grant.PMO)
        say(f"   {ROUND_TRIPS} updates through the API and as many direct")
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=60) as http:
            api, served, direct = await round_trips(http, stack.initiatives,
                                            bench_spec(stack.metric_url), people)
        say(f"   my work among {INITIATIVES:,} initiatives, {WORK_READS} reads")
        await fill_work_items(stack.store, "reader@b.example")
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=60, headers={
                "Authorization": f"Bearer {reader}"}) as http:
            work = await my_work_latencies(http)
    api_p50, direct_p50 = statistics.median(api), statistics.median(direct)
    return {
        "api_update_round_trip_p50_ms": api_p50,
        "api_update_round_trip_p99_ms": percentile(api, 0.99),
        "api_direct_update_round_trip_p50_ms": direct_p50,
        # The app's own share of an API round trip (the rest is the HTTP transport).
        "api_update_server_p50_ms": statistics.median(served),
        "api_update_overhead_ratio": direct_p50 / api_p50,
        "me_work_ms_at_10k_initiatives": statistics.median(work),
    }


def run() -> dict[str, float]:
    return asyncio.run(measure())
