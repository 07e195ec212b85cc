"""Hostile and careless input against a real worker, Temporal server and PostgreSQL: nothing a
person types may freeze an initiative, and what the engine cannot record says so instead of
retrying forever."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.recording import Recorder
from domain import InitiativeSpec, Phase, Rejected, fold
from domain import commands as c
from domain import events as ev
from domain.events import make_event
from domain.portfolio import portfolio
from domain.state import CheckStatus
from store import EventStore
from store.portfolio import PortfolioReader
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.workflows.metric_source import serve_metric
from tests.workflows.scenario import hand_over, in_phase, quick_spec, store_agrees, wait_for
from workflows.activity_contracts import INVALID_APPEND, AppendRequest
from workflows.client import InitiativeClient
from workflows.notifications import notifications_for

pytestmark = pytest.mark.usefixtures("worker")
# Before the fix, these commands waited forever: the answer must come well within this.
ANSWER_WITHIN_SECONDS = 15
HAIR_APART = {"name": "defects", "baseline": 1e-300, "target": 0, "direction": "decrease",
              "range": [0, 1e12]}


async def send(initiatives: InitiativeClient, iid: str, command: c.AnyCommand) -> None:
    await asyncio.wait_for(initiatives.send(iid, command), ANSWER_WITHIN_SECONDS)


async def recorded_types(store: EventStore, iid: str) -> list[str]:
    return [r.event.type for r in await store.read_stream(iid)]


async def refuse(admin: asyncpg.Connection, store: EventStore, event_type: str) -> None:
    schema = f'"{store.schema}"'
    await admin.execute(f"""
        CREATE FUNCTION {schema}.refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'value out of range for this test' USING ERRCODE = '22003';
        END $$;
        CREATE TRIGGER refuse_for_test BEFORE INSERT ON {schema}.events FOR EACH ROW
            WHEN (NEW.type = '{event_type}') EXECUTE FUNCTION {schema}.refuse_for_test();
    """)


async def test_a_reading_whose_retention_is_not_finite_is_refused_and_nothing_waits(
        store: EventStore, initiatives: InitiativeClient) -> None:
    spec = quick_spec(metric=HAIR_APART, sustainment={
        "checks": ["1s", "1h"], "tolerance": 0.8, "response_within": "1h"})
    iid = await initiatives.launch(spec, PMO)
    await send(initiatives, iid, c.ApproveLaunch(actor=SPONSOR))
    await send(initiatives, iid, c.DeliverImprovement(actor=EXPERT, value=0))
    for step in ("sop", "control-plan"):
        actor = EXPERT if step == "sop" else OWNER
        await send(initiatives, iid, c.CompleteStep(actor=actor, step_id=step))
    await send(initiatives, iid, c.AcceptOwnership(actor=OWNER))
    await send(initiatives, iid, c.ApproveReview(actor=PMO))
    await wait_for(initiatives, iid, lambda v: v.state.checks[0].status is CheckStatus.DUE)
    before = await recorded_types(store, iid)
    with pytest.raises(Rejected, match="retention = -inf, which is not a finite number"):
        await send(initiatives, iid, c.RecordReading(actor=OWNER, value=1e10))
    assert await recorded_types(store, iid) == before
    await send(initiatives, iid, c.RecordReading(actor=OWNER, value=0))  # still answers
    await send(initiatives, iid, c.Cancel(actor=PMO, reason="test over"))
    view = await store_agrees(store, initiatives, iid)
    assert view.state.phase is Phase.CANCELLED


async def test_a_command_the_store_refuses_flags_the_initiative_stuck_and_cancel_works(
        store: EventStore, initiatives: InitiativeClient, admin: asyncpg.Connection) -> None:
    iid = await hand_over(store, initiatives, quick_spec(sustainment={
        "checks": ["1h"], "tolerance": 0.8, "response_within": "1h"}))
    await refuse(admin, store, "IdeaSubmitted")
    with pytest.raises(Rejected, match=r"submit_idea could not be recorded \(.*value out of "
                                       r"range for this test\); the initiative is flagged stuck"):
        await send(initiatives, iid, c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    view = await store_agrees(store, initiatives, iid)
    assert len(view.state.stuck) == 1 and "value out of range" in view.state.stuck[0].reason
    # The PMO is told, and the portfolio lists it.
    stored = [r.event for r in await store.read_stream(iid)]
    told = notifications_for(fold(iid, stored), stored[-1:])
    assert [(n.kind, n.to) for n in told] == [("InitiativeStuck", [PMO])]
    figures = await PortfolioReader(store.pool, store.schema).entries()
    assert [e.state.stuck for e in figures] == [view.state.stuck]
    assert portfolio(figures, datetime.now(UTC)).stuck[0].initiative_id == iid
    # Everything else still works, cancel above all.
    await send(initiatives, iid, c.RecordReading(actor=OWNER, value=5.1))
    await send(initiatives, iid, c.Cancel(actor=PMO, reason="stuck"))
    assert (await store_agrees(store, initiatives, iid)).state.phase is Phase.CANCELLED


async def test_a_deadline_whose_event_the_store_refuses_does_not_wedge_the_workflow(
        store: EventStore, initiatives: InitiativeClient, admin: asyncpg.Connection) -> None:
    await refuse(admin, store, "CheckDue")
    iid = await hand_over(store, initiatives, quick_spec(sustainment={
        "checks": ["1s", "2s"], "tolerance": 0.8, "response_within": "1h"}))
    view = await wait_for(initiatives, iid, lambda v: len(v.state.stuck) == 2)
    assert [json.loads(s.command)["check"] for s in view.state.stuck] == [1, 2]
    await asyncio.sleep(2)  # the stuck checks' timers fire no more: a flag each, not a flood
    assert (await recorded_types(store, iid)).count("InitiativeStuck") == 2
    await send(initiatives, iid, c.SubmitIdea(actor=CLERK, text="still heard"))
    await send(initiatives, iid, c.Cancel(actor=PMO, reason="stuck"))
    assert (await store_agrees(store, initiatives, iid)).state.phase is Phase.CANCELLED


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_source(url: str) -> InitiativeSpec:
    data = quick_spec().model_dump(mode="json")
    return InitiativeSpec.model_validate({
        **data, "metric": {**data["metric"], "source": {"url": url}},
        "sustainment": {"checks": ["1s"], "tolerance": 0.8, "response_within": "1h"}})


async def test_a_failing_metric_source_shows_its_last_error_and_when_it_was_tried(
        store: EventStore, initiatives: InitiativeClient) -> None:
    iid = await hand_over(store, initiatives,
                          with_source(f"http://127.0.0.1:{closed_port()}/metric"))
    async with asyncio.timeout(ANSWER_WITHIN_SECONDS):
        while (view := await initiatives.view_with_source(iid)).metric_source is None or (
                view.metric_source.attempts or 0) < 2:
            await asyncio.sleep(0.2)
    problem = view.metric_source
    assert problem.check == 1 and problem.error
    assert problem.tried_at <= datetime.now(UTC)
    await send(initiatives, iid, c.Cancel(actor=PMO, reason="test over"))
    await wait_for(initiatives, iid, in_phase(Phase.CANCELLED))


async def test_an_implausible_value_from_the_source_is_refused_and_shown(
        store: EventStore, initiatives: InitiativeClient) -> None:
    with serve_metric([-3.0]) as source:
        iid = await hand_over(store, initiatives, with_source(source.url))
        view = await wait_for(initiatives, iid, lambda v: v.metric_source is not None)
    assert view.metric_source is not None and view.metric_source.giving_up
    assert "the reading -3 is negative" in view.metric_source.error
    assert view.state.checks[0].status is CheckStatus.DUE  # the owner can still answer it
    await send(initiatives, iid, c.RecordReading(actor=OWNER, value=5.0))
    assert (await store_agrees(store, initiatives, iid)).state.phase is Phase.SUSTAINED


async def test_an_append_the_domain_could_not_fold_fails_at_once_and_is_not_retried(
        store: EventStore) -> None:
    # What an infinity becomes on its way through the data converter: null.
    event = make_event("unfoldable", 1, ev.ReadingRecorded(value=1.0), OWNER, datetime.now(UTC))
    broken = event.model_copy(update={"payload": {"value": None}})
    request = AppendRequest(initiative_id="unfoldable", expected_version=0, events=[broken])
    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(Recorder(store).append_events, request)
    assert caught.value.non_retryable and caught.value.type == INVALID_APPEND
    assert "event 1 (ReadingRecorded) is not valid: value" in caught.value.message
    assert await store.read_stream("unfoldable") == []
