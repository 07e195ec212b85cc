"""A year in the life of a busy initiative, on the dev server's time skipping: a front line of
hundreds submitting thousands of ideas and backing each other's, the owner triaging, weekly
readings with two regressions answered, the owner reassigned once. `live_a_year` drives it and
measures what the workflow's history became; `make test` runs it at a tenth of the scale
(tests/workflows/test_busy_year.py), `python -m bench busy_year` at full scale.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.testing import TimeSkipper

from domain import InitiativeSpec, Rejected
from domain import commands as c
from domain.spec import MAX_TEXT
from workflows.client import InitiativeClient
from workflows.contracts import workflow_id_for

from .harness import say
from .one_stack import one_stack

WEEK = timedelta(days=7)
WEEKS = 52
OWNER_AFTER = "owner-2@acme.example"
REGRESSION_WEEKS = (18, 38)
REASSIGN_WEEK = 26
IN_FLIGHT = 16  # people acting at once
# What no run of the workflow may reach, far below Temporal's own limits (50 MB, 51,200 events).
MAX_RUN_EVENTS = 5_000
MAX_RUN_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Scale:
    people: int = 300
    ideas: int = 5_000
    supports: int = 20_000
    triages: int = 500

    def scaled(self, factor: float) -> Scale:
        return Scale(*(max(1, round(n * factor)) for n in (
            self.people, self.ideas, self.supports, self.triages)))


@dataclass
class YearFigures:
    ideas: int = 0
    supports: int = 0
    triages: int = 0
    readings: int = 0
    refused: int = 0
    runs: dict[str, tuple[int, int]] = field(default_factory=dict)  # run id -> events, bytes
    first_round_trips: list[float] = field(default_factory=list)  # the first ideas' seconds
    last_round_trips: list[float] = field(default_factory=list)  # the last ideas' seconds

    @property
    def largest_run_events(self) -> int:
        return max((events for events, _ in self.runs.values()), default=0)

    @property
    def largest_run_bytes(self) -> int:
        return max((size for _, size in self.runs.values()), default=0)


def people(scale: Scale) -> list[str]:
    return [f"clerk-{n}@acme.example" for n in range(1, scale.people + 1)]


def year_spec(base: dict[str, Any], scale: Scale) -> InitiativeSpec:
    """Checks every four weeks past the year's end, readings weekly in between."""
    return InitiativeSpec.model_validate({
        **base, "front_line": people(scale),
        "sustainment": {"checks": [f"{28 * n}d" for n in range(1, 15)], "tolerance": 0.8,
                        "response_within": "7d"}})


async def _at_most(work: Sequence[Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(item: Awaitable[Any]) -> Any:
        async with gate:
            return await item
    return await asyncio.gather(*(one(item) for item in work))


class Year:
    def __init__(self, client: Client, initiatives: InitiativeClient, skipper: TimeSkipper,
                 initiative_id: str, scale: Scale, owner: str, seed: int = 7) -> None:
        self._client, self._initiatives, self._skipper = client, initiatives, skipper
        self._iid, self._scale, self._owner = initiative_id, scale, owner
        self._people = people(scale)
        self._rng = random.Random(seed)
        self._submitted: list[tuple[str, str]] = []  # idea id, submitter
        self._supported: set[tuple[str, str]] = set()
        self._pending: list[str] = []
        self.figures = YearFigures()

    async def _send(self, command: Any) -> list[Any]:
        try:
            return await self._initiatives.send(self._iid, command)
        except Rejected:
            self.figures.refused += 1
            return []

    async def _idea(self, n: int) -> None:
        person = self._people[n % len(self._people)]
        long = n % 10 == 0  # a tenth near the limit
        text = f"idea {n}: " + ("w" * (MAX_TEXT - 20) if long else "shorter handoffs " * 18)
        started = time.perf_counter()
        recorded = await self._send(c.SubmitIdea(actor=person, text=text[:MAX_TEXT]))
        took = time.perf_counter() - started
        if recorded:
            idea_id = recorded[0].payload["idea_id"]
            self._submitted.append((idea_id, person))
            self._pending.append(idea_id)
            self.figures.ideas += 1
            trips = (self.figures.first_round_trips if self.figures.ideas <= 50
                     else self.figures.last_round_trips)
            trips.append(took)

    async def _support(self) -> None:
        if not self._submitted:
            return  # a small year's first week may have no idea yet
        for _ in range(20):
            idea_id, submitter = self._rng.choice(self._submitted)
            person = self._rng.choice(self._people)
            if person != submitter and (idea_id, person) not in self._supported:
                self._supported.add((idea_id, person))
                if await self._send(c.SupportIdea(actor=person, idea_id=idea_id)):
                    self.figures.supports += 1
                return

    async def _triage(self, n: int) -> None:
        if not self._pending:
            return
        idea_id = self._pending.pop(0)
        adopt = n % 3 != 0
        if await self._send(c.TriageIdea(actor=self._owner, idea_id=idea_id, adopt=adopt,
                                         reason="" if adopt else "not this year")):
            self.figures.triages += 1

    async def _reading(self, value: float) -> None:
        if await self._send(c.RecordReading(actor=self._owner, value=value)):
            self.figures.readings += 1

    async def _regress_and_answer(self) -> None:
        await self._reading(11.0)
        await self._send(c.SubmitResponsePlan(actor=self._owner, action="retrain the team",
                                              within=timedelta(days=6)))
        await self._reading(5.0)

    async def live(self) -> YearFigures:
        scale = self._scale
        done_ideas = done_supports = done_triages = 0
        for week in range(1, WEEKS + 1):
            ideas_due = scale.ideas * week // WEEKS
            await _at_most([self._idea(n) for n in range(done_ideas, ideas_due)])
            done_ideas = ideas_due
            supports_due = scale.supports * week // WEEKS
            await _at_most([self._support() for _ in range(done_supports, supports_due)])
            done_supports = supports_due
            triages_due = scale.triages * week // WEEKS
            for n in range(done_triages, triages_due):
                await self._triage(n)
            done_triages = triages_due
            if week == REASSIGN_WEEK:
                await self._send(c.ReassignOwner(actor=self._pmo, owner=OWNER_AFTER))
                self._owner = OWNER_AFTER
            if week in REGRESSION_WEEKS:
                await self._regress_and_answer()
            else:
                await self._reading(5.0)
            await self._skipper.fast_forward(self._initiatives.handle(self._iid), WEEK)
        await self._measure()
        return self.figures

    _pmo = "pmo@acme.example"

    async def _measure(self) -> None:
        """Every run the initiative's workflow has had, by the server's own list."""
        query = f"WorkflowId = '{workflow_id_for(self._iid)}'"
        runs = [execution.run_id async for execution in self._client.list_workflows(query)]
        for run_id in runs:
            handle = self._client.get_workflow_handle(workflow_id_for(self._iid), run_id=run_id)
            history = await handle.fetch_history()
            self.figures.runs[run_id] = (len(history.events),
                                         sum(e.ByteSize() for e in history.events))


SCALE = 1.0  # of Scale(): the test runs a tenth


async def measure() -> dict[str, float]:
    """The year at full scale on a time-skipping dev server of its own."""
    scale = Scale().scaled(SCALE)
    base = {
        "name": "A busy year", "sponsor": "cfo@acme.example", "pmo": "pmo@acme.example",
        "expert": "belt@x.example", "owner": "ap@acme.example",
        "metric": {"name": "invoice cycle time", "unit": "days", "baseline": 12, "target": 5,
                   "direction": "decrease"},
        "handoff": [{"id": "sop", "title": "Standard work documented", "assignee": "expert"}],
        "expert_on_call": "30d", "ideas": {"triage_within": "7d"}}
    async with one_stack("bench_year", time_skipping=True) as (client, initiatives):
        spec = year_spec(base, scale)
        iid = await initiatives.launch(spec, spec.pmo)
        for command in (c.ApproveLaunch(actor=spec.sponsor),
                        c.DeliverImprovement(actor=spec.expert, value=5.0),
                        c.CompleteStep(actor=spec.expert, step_id="sop"),
                        c.AcceptOwnership(actor=spec.owner), c.ApproveReview(actor=spec.pmo)):
            await initiatives.send(iid, command)
        say(f"   a year: {scale.people} people, {scale.ideas:,} ideas, "
            f"{scale.supports:,} supports, {scale.triages} triages")
        started = time.perf_counter()
        figures = await Year(client, initiatives, TimeSkipper(client), iid, scale,
                             owner=spec.owner).live()
        took = time.perf_counter() - started
    early = sorted(figures.first_round_trips)
    late = sorted(figures.last_round_trips[-50:])
    return {
        "busy_year_ideas": figures.ideas, "busy_year_supports": figures.supports,
        "busy_year_triages": figures.triages, "busy_year_readings": figures.readings,
        "busy_year_runs": len(figures.runs),
        "busy_year_largest_run_events": figures.largest_run_events,
        "busy_year_largest_run_mb": figures.largest_run_bytes / 1024 / 1024,
        "busy_year_seconds": took,
        "busy_year_idea_round_trip_ratio": statistics.median(late) / statistics.median(early),
    }


def run() -> dict[str, float]:
    return asyncio.run(measure())
