"""A busy front line: what an update costs beside a few ideas and beside thousands.

    (a) update round trip, p50 and p99, for ideas 10 to 59 and again from the 5,000th on, on the
        same initiative, one at a time (goal: the later p50 within 1.2 x the earlier)
    (b) bytes an update adds to the workflow's history, beside 10 ideas and beside 5,000, within
        one run (goal: the same, whatever the initiative holds)
"""

from __future__ import annotations

import asyncio
import statistics
import time

from temporalio.client import Client

from domain import InitiativeSpec, Rejected
from domain import commands as c
from domain.spec import MAX_TEXT
from workflows.client import InitiativeClient
from workflows.contracts import workflow_id_for

from .harness import say
from .one_stack import one_stack

PEOPLE = 300
FILL_TO = 5_000
SAMPLES = 50
IN_FLIGHT = 16
PMO, SPONSOR, EXPERT, OWNER = "pmo@b.example", "sponsor@b.example", "x@b.example", "o@b.example"


def people() -> list[str]:
    return [f"clerk-{n}@b.example" for n in range(PEOPLE)]


def busy_spec() -> InitiativeSpec:
    return InitiativeSpec.model_validate({
        "name": "Busy initiative", "sponsor": SPONSOR, "pmo": PMO, "expert": EXPERT,
        "owner": OWNER, "front_line": people(),
        "metric": {"name": "cycle time", "baseline": 12, "target": 5, "direction": "decrease"},
        "handoff": [{"id": "sop", "title": "SOP", "assignee": "expert"}],
        "expert_on_call": "30d",
        "sustainment": {"checks": ["30d"], "tolerance": 0.8, "response_within": "7d"},
    })


def idea(n: int) -> c.SubmitIdea:
    text = f"idea {n}: " + ("w" * (MAX_TEXT - 20) if n % 10 == 0 else "shorter handoffs " * 18)
    return c.SubmitIdea(actor=people()[n % PEOPLE], text=text[:MAX_TEXT])


async def fill(initiatives: InitiativeClient, iid: str, first: int, last: int) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(n: int) -> None:
        async with gate:
            await initiatives.send(iid, idea(n))
    await asyncio.gather(*(one(n) for n in range(first, last)))


async def timed(initiatives: InitiativeClient, iid: str, first: int) -> list[float]:
    """Round trips of SAMPLES ideas, one at a time, in milliseconds, sorted."""
    found = []
    for n in range(first, first + SAMPLES):
        started = time.perf_counter()
        await initiatives.send(iid, idea(n))
        found.append((time.perf_counter() - started) * 1000)
    return sorted(found)


async def history_bytes_of_support(client: Client, initiatives: InitiativeClient, iid: str,
                                   idea_id: str, supporter: str) -> int | None:
    """What one support adds to the history; None when the run continued as new meanwhile."""
    handle = client.get_workflow_handle(workflow_id_for(iid))
    before = await handle.fetch_history()
    await initiatives.send(iid, c.SupportIdea(actor=supporter, idea_id=idea_id))
    after = await handle.fetch_history()
    if after.run_id != before.run_id:
        return None
    return sum(event.ByteSize() for event in after.events[len(before.events):])


async def bytes_per_update(client: Client, initiatives: InitiativeClient, iid: str,
                           idea_number: int) -> int:
    """Ideas sent many at a time take their numbers as they arrive: whoever is asked to back
    one may turn out to be its submitter, and is refused; the next person is asked then."""
    for offset in range(1, PEOPLE):
        supporter = people()[(idea_number + offset) % PEOPLE]
        try:
            found = await history_bytes_of_support(client, initiatives, iid,
                                                   f"idea-{idea_number}", supporter)
        except Rejected:
            continue
        if found is not None:
            return found
    raise RuntimeError(f"no one could back idea-{idea_number} within one run")


def p99(values: list[float]) -> float:
    return values[max(0, int(len(values) * 0.99) - 1)]


async def measure() -> dict[str, float]:
    async with one_stack("bench_pull") as (client, initiatives):
        iid = await initiatives.launch(busy_spec(), PMO)
        await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
        await fill(initiatives, iid, 0, 10)
        early = await timed(initiatives, iid, 10)
        early_bytes = await bytes_per_update(client, initiatives, iid, 5)
        say(f"   filling to {FILL_TO:,} ideas, {IN_FLIGHT} people at a time")
        await fill(initiatives, iid, 10 + SAMPLES, FILL_TO)
        late = await timed(initiatives, iid, FILL_TO)
        late_bytes = await bytes_per_update(client, initiatives, iid, FILL_TO - 5)
    return {
        "pull_round_trip_10th_p50_ms": statistics.median(early),
        "pull_round_trip_10th_p99_ms": p99(early),
        "pull_round_trip_5000th_p50_ms": statistics.median(late),
        "pull_round_trip_5000th_p99_ms": p99(late),
        "pull_round_trip_p50_ratio": statistics.median(late) / statistics.median(early),
        "pull_round_trip_p99_ratio": p99(late) / p99(early),
        "pull_history_bytes_per_update_10th": early_bytes,
        "pull_history_bytes_per_update_5000th": late_bytes,
        "pull_history_bytes_ratio": late_bytes / early_bytes,
    }


def run() -> dict[str, float]:
    return asyncio.run(measure())
