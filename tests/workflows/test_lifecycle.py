"""Whole lifecycles on a real Temporal dev server and PostgreSQL, with second-scale timers."""

from __future__ import annotations

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from domain import Phase, Rejected
from domain import commands as c
from domain.spec import MetricSource
from store import EventStore
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, spec_data
from workflows.client import InitiativeClient

from .metric_source import serve_metric
from .scenario import (
    hand_over,
    in_phase,
    quick_spec,
    record_history,
    store_agrees,
    types,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("worker")


async def test_happy_path_to_sustained_with_owner_readings(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client
) -> None:
    iid = await hand_over(store, initiatives, quick_spec())
    for _ in range(2):
        await wait_for(initiatives, iid, lambda v: any(
            ch.status.value == "due" for ch in v.state.checks))
        await initiatives.send(iid, c.RecordReading(actor=OWNER, value=5.1))
    view = await wait_for(initiatives, iid, in_phase(Phase.SUSTAINED))
    assert [ch.status.value for ch in view.state.checks] == ["passed", "passed"]
    handle = initiatives.handle(iid)
    result = await handle.result()
    assert result.state.phase is Phase.SUSTAINED
    assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED
    recorded = await store.read_stream(iid)
    assert recorded[-1].event.type == "Sustained"
    assert (await store.verify_stream(iid)).ok
    await record_history(temporal_client, iid, "sustained")


async def test_checks_read_the_metric_source(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    with serve_metric([5.0, 5.2]) as source:
        spec = quick_spec(metric={**spec_data()["metric"], "source": MetricSource(
            url=source.url, field="data.value").model_dump()})
        iid = await hand_over(store, initiatives, spec)
        view = await wait_for(initiatives, iid, in_phase(Phase.SUSTAINED))
    assert [ch.reading for ch in view.state.checks] == [5.0, 5.2]
    assert source.requests == 2
    recorded = await store.read_stream(iid)
    assert {r.event.actor for r in recorded if r.event.type == "ReadingRecorded"} == {"baton"}


async def test_regression_response_plan_and_recovery(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client
) -> None:
    iid = await hand_over(store, initiatives, quick_spec())
    await wait_for(initiatives, iid, lambda v: v.state.checks[0].status.value == "due")
    assert types(await initiatives.send(iid, c.RecordReading(actor=OWNER, value=11.0))) == [
        "ReadingRecorded", "RegressionDetected"]
    await initiatives.send(iid, c.SubmitResponsePlan(actor=OWNER, action="retrain", within="1h"))
    assert types(await initiatives.send(iid, c.RecordReading(actor=OWNER, value=5.0)))[-1] == (
        "RecoveryConfirmed")
    view = await store_agrees(store, initiatives, iid)
    assert view.state.phase in (Phase.SUSTAINING, Phase.SUSTAINED)
    await record_history(temporal_client, iid, "regressed_and_recovered")


async def test_send_back_reopens_steps(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    for command in (c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5),
                    c.CompleteStep(actor=EXPERT, step_id="sop"),
                    c.CompleteStep(actor=OWNER, step_id="control-plan"),
                    c.AcceptOwnership(actor=OWNER)):
        await initiatives.send(iid, command)
    sent_back = await initiatives.send(
        iid, c.SendBack(actor=PMO, reason="control plan lacks limits", reopen=["control-plan"]))
    assert types(sent_back) == ["ReviewSentBack", "StepReopened"]
    view = await store_agrees(store, initiatives, iid)
    assert view.state.phase is Phase.HANDING_OFF
    assert view.state.step("control-plan").status.value == "pending"  # type: ignore[union-attr]
    await record_history(temporal_client, iid, "sent_back")


async def test_an_unauthorized_actor_leaves_no_trace(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    with pytest.raises(Rejected, match="only the sponsor"):
        await initiatives.send(iid, c.ApproveLaunch(actor=OWNER))
    with pytest.raises(Rejected, match="not a command people can send"):
        await initiatives.send(iid, c.Escalate(actor="baton", subject="response", reason="x"))
    history = await initiatives.handle(iid).fetch_history()
    kinds = {EventType.Name(e.event_type) for e in history.events}
    assert not {k for k in kinds if "UPDATE" in k}, kinds
    await wait_for(initiatives, iid, lambda v: v.state.version == 1)
    assert [r.event.type for r in await store.read_stream(iid)] == ["InitiativeLaunched"]


async def test_a_retried_update_records_once(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    first = await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR), request_id="req-1")
    again = await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR), request_id="req-1")
    assert first == again
    assert [r.event.type for r in await store.read_stream(iid)] == [
        "InitiativeLaunched", "LaunchApproved"]


async def test_unknown_initiative_and_launch_by_non_pmo_are_rejected(
    initiatives: InitiativeClient,
) -> None:
    with pytest.raises(Rejected, match="unknown initiative nope"):
        await initiatives.send("nope", c.ApproveLaunch(actor=SPONSOR))
    with pytest.raises(Rejected, match="only the PMO"):
        await initiatives.launch(quick_spec(), OWNER)


async def test_updates_that_leave_the_next_deadline_alone_start_no_timers(
    initiatives: InitiativeClient,
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="the first sets a deadline"))
    for n in range(10):
        await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text=f"idea {n}"))
    history = await initiatives.handle(iid).fetch_history()
    timers = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    assert len(timers) == 1
