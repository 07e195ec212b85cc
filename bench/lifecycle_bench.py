"""Initiative workflows against a bare workflow of the same shape, on one embedded stack.

    (a) full lifecycles per second: launch, approval, delivery, two handoff steps, acceptance,
        review, then two checks read from a metric source at 1 s and 2 s; against BareLifecycle
        making as many updates, activity calls and timers with no domain logic
    (b) owner update round trip: client call until the event is in the store and acknowledged
    (c) worker memory with many open initiatives waiting on timers (see open_initiatives_bench)
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

from devstack.embedded_temporal import FREE_PORT, start_embedded_temporal
from domain import InitiativeSpec
from domain import commands as c
from domain.pull_stream import pull_stream_id
from store import EventStore
from workers.settings import Settings
from workers.temporal_client import connect_client
from workers.worker import build_worker
from workflows.announcements import owed_by
from workflows.client import InitiativeClient
from workflows.sandbox import workflow_runner

from .bare_workflow import BareLifecycle, BarePlan, bare_noop
from .harness import postgres, say
from .metric_server import LOOPBACK_HOSTS, LOOPBACK_SOURCES, serve_constant_metric

CONCURRENT = 20
ROUNDS = 3
ROUND_TRIPS = 300
CHECKS_AT = [1.0, 2.0]  # seconds: the spec's sustainment checks, the bare plan's timers
PMO, SPONSOR, EXPERT, OWNER = "pmo@b.example", "sponsor@b.example", "x@b.example", "o@b.example"
# On the front line, which the accountable roles are not; several, since one person's ideas a
# day are limited (`domain.pull_rules.IDEAS_PER_PERSON_PER_DAY`).
CLERKS = [f"clerk{n}@b.example" for n in range(4)]
CLERK = CLERKS[0]


def bench_spec(metric_url: str) -> InitiativeSpec:
    return InitiativeSpec.model_validate({
        "name": "Bench initiative", "sponsor": SPONSOR, "pmo": PMO, "expert": EXPERT,
        "owner": OWNER,
        "metric": {"name": "cycle time", "baseline": 12, "target": 5, "direction": "decrease",
                   "source": {"url": metric_url, "field": "value"}},
        "handoff": [{"id": "sop", "title": "SOP", "assignee": "expert"},
                    {"id": "plan", "title": "Control plan", "assignee": "owner"}],
        "expert_on_call": "2s",
        "sustainment": {"checks": ["1s", "2s"], "tolerance": 0.8, "response_within": "1h"},
    })


HANDOFF: list[c.HumanCommand] = [
    c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5.0),
    c.CompleteStep(actor=EXPERT, step_id="sop"), c.CompleteStep(actor=OWNER, step_id="plan"),
    c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO)]


async def baton_lifecycle(initiatives: InitiativeClient, spec: InitiativeSpec) -> str:
    iid = await initiatives.launch(spec, PMO)
    for command in HANDOFF:
        await initiatives.send(iid, command)
    await initiatives.handle(iid).result()
    return iid


async def bare_lifecycle(client: Client, queue: str, plan: BarePlan,
                         latencies_ms: list[float] | None = None) -> None:
    """One bare lifecycle; each update's round trip goes to `latencies_ms` when given."""
    handle = await client.start_workflow(BareLifecycle.run, plan, id=f"bare-{uuid.uuid4().hex}",
                                         task_queue=queue)
    for n in range(plan.updates):
        started = time.perf_counter()
        await handle.execute_update(BareLifecycle.step, f"step-{n}")
        if latencies_ms is not None:
            latencies_ms.append((time.perf_counter() - started) * 1000)
    await handle.result()


async def activity_calls(initiatives: InitiativeClient, iid: str) -> tuple[int, int]:
    """(local, ordinary) activity calls in one initiative's history."""
    history = await initiatives.handle(iid).fetch_history()
    kinds = [e.event_type for e in history.events]
    return (kinds.count(EventType.EVENT_TYPE_MARKER_RECORDED),
            kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED))


async def same_shape(initiatives: InitiativeClient, store: EventStore, iid: str,
                     commands: int, timers: list[float]) -> BarePlan:
    """A bare plan shaped like the finished initiative `iid`: as many updates (its commands and
    the launch's append), its timers, and its local and ordinary activity calls spread over
    them, with one ordinary call for each notice its events called for: the way a workflow on
    bare Temporal delivers them (and Baton's did, before the store kept them)."""
    local, remote = await activity_calls(initiatives, iid)
    stream = [r.event for r in await store.read_stream(iid)]
    ideas = [r.event for r in await store.read_stream(pull_stream_id(iid))]
    remote += len(owed_by(stream, ideas))
    updates = commands + 1  # the launch's append counts as one
    return BarePlan(updates=updates, timers=timers,
                    local_calls_per_timer=max(0, round((local - updates) / len(timers))),
                    remote_calls_per_timer=round(remote / len(timers)))


async def lifecycles_per_second(run_one: object, count: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(run_one() for _ in range(count)))  # type: ignore[operator]
    return count / (time.perf_counter() - started)


async def round_trips(initiatives: InitiativeClient, store: EventStore,
                      spec: InitiativeSpec) -> list[float]:
    """Front-line ideas and the owner's triage: each call returns once its event is in the
    store."""
    iid = await initiatives.launch(spec, PMO)
    latencies = []
    for n in range(ROUND_TRIPS):
        clerk = CLERKS[n // 2 % len(CLERKS)]
        command = (c.SubmitIdea(actor=clerk, text=f"idea {n}") if n % 2 == 0 else
                   c.TriageIdea(actor=OWNER, idea_id=f"idea-{n // 2 + 1}", adopt=True))
        started = time.perf_counter()
        await initiatives.send(iid, command)
        latencies.append((time.perf_counter() - started) * 1000)
    head, ideas = await store.stream_head(iid), await store.stream_head(pull_stream_id(iid))
    # The launch on the initiative's stream; the ideas and their triage on its pull stream.
    assert head is not None and ideas is not None
    assert head.version + ideas.version == ROUND_TRIPS + 1
    return latencies


async def measure() -> dict[str, float]:
    settings = Settings.from_env({"BATON_METRIC_SOURCE_HOSTS": LOOPBACK_SOURCES})
    with (postgres() as dsn, tempfile.TemporaryDirectory() as home,
          serve_constant_metric(5.0) as url):
        server = await start_embedded_temporal(Path(home), port=FREE_PORT, ui_port=None)
        async with server:
            client = await connect_client(settings, address=server.address)
            store = await EventStore.connect(dsn, schema="bench_lifecycle")
            queue = f"bench-{uuid.uuid4().hex[:6]}"
            initiatives = InitiativeClient(client, queue, index_search_attributes=True,
                                           source_hosts=LOOPBACK_HOSTS)
            spec = bench_spec(url)
            baton_worker = build_worker(client, store, settings, task_queue=queue)
            # The same sandbox as Baton's worker: the ratio is of what the workflows do.
            bare_worker = Worker(client, task_queue=f"{queue}-bare", workflows=[BareLifecycle],
                                 activities=[bare_noop],
                                 workflow_runner=workflow_runner(client.data_converter))
            async with baton_worker, bare_worker:
                sample = await baton_lifecycle(initiatives, spec)
                plan = await same_shape(initiatives, store, sample, len(HANDOFF), CHECKS_AT)
                say(f"   one lifecycle: {plan.updates} updates, then per check "
                    f"{plan.local_calls_per_timer} local and {plan.remote_calls_per_timer} "
                    "ordinary activity calls")
                baton_rates, bare_rates = [], []
                for round_number in range(1, ROUNDS + 1):
                    baton_rates.append(await lifecycles_per_second(
                        lambda: baton_lifecycle(initiatives, spec), CONCURRENT))
                    bare_rates.append(await lifecycles_per_second(
                        lambda: bare_lifecycle(client, f"{queue}-bare", plan), CONCURRENT))
                    say(f"   round {round_number}: baton {baton_rates[-1]:.2f}/s, "
                        f"bare {bare_rates[-1]:.2f}/s")
                say(f"   {ROUND_TRIPS} owner updates, one at a time")
                latencies = sorted(await round_trips(initiatives, store, spec))
            await store.drop_schema()
            await store.close()
    baton, bare = max(baton_rates), max(bare_rates)
    return {
        "lifecycle_baton_per_s": baton,
        "lifecycle_bare_per_s": bare,
        "lifecycle_ratio": baton / bare,
        "update_round_trip_p50_ms": statistics.median(latencies),
        "update_round_trip_p99_ms": latencies[int(len(latencies) * 0.99) - 1],
    }


def run() -> dict[str, float]:
    return asyncio.run(measure())
