"""Real-length specs (checks at 30, 60 and 90 days) with the dev server's time skipping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import Client
from temporalio.testing import TimeSkipper

from domain import Phase
from domain import commands as c
from domain.spec import MetricSource
from store import EventStore
from tests.domain.builders import OWNER, make_spec, spec_data
from workflows.client import InitiativeClient

from .metric_source import serve_metric
from .scenario import hand_over, record_history, store_agrees, types

pytestmark = pytest.mark.usefixtures("worker")
DAY = timedelta(days=1)


async def test_a_year_of_checks_from_the_metric_source_ends_sustained(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client,
    time_skipper: TimeSkipper,
) -> None:
    with serve_metric([5.1, 5.3, 5.0]) as source:
        spec = make_spec(metric={**spec_data()["metric"], "source": MetricSource(
            url=source.url, field="data.value").model_dump()})
        iid = await hand_over(store, initiatives, spec)
        handle = initiatives.handle(iid)
        await time_skipper.fast_forward(handle)
        result = await handle.result()
    assert result.state.phase is Phase.SUSTAINED
    approved = result.state.approved_at
    assert approved is not None
    assert [ch.due_at - approved for ch in result.state.checks] == [
        30 * DAY, 60 * DAY, 90 * DAY]
    recorded = [r.event for r in await store.read_stream(iid)]
    assert "ExpertOnCallEnded" in [e.type for e in recorded]
    assert recorded[-1].type == "Sustained"
    assert (await store.verify_stream(iid)).ok
    await record_history(temporal_client, iid, "metric_source_year")



async def test_a_missed_response_deadline_escalates_to_the_sponsor(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client,
    time_skipper: TimeSkipper,
) -> None:
    iid = await hand_over(store, initiatives, make_spec())
    handle = initiatives.handle(iid)
    await time_skipper.fast_forward(handle, 30 * DAY + timedelta(hours=1))
    view = await store_agrees(store, initiatives, iid)
    assert view.state.checks[0].status.value == "due"
    regression = await initiatives.send(iid, c.RecordReading(actor=OWNER, value=11.0))
    assert types(regression) == ["ReadingRecorded", "RegressionDetected"]
    await time_skipper.fast_forward(handle, 11 * DAY)
    view = await store_agrees(store, initiatives, iid)
    escalation = view.state.escalations[-1]
    assert view.state.phase is Phase.REGRESSED
    assert escalation.subject == "response" and escalation.to == view.state.spec.sponsor  # type: ignore[union-attr]


async def test_an_unanswered_check_escalates(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client,
    time_skipper: TimeSkipper,
) -> None:
    iid = await hand_over(store, initiatives, make_spec())
    handle = initiatives.handle(iid)
    await time_skipper.fast_forward(handle, 41 * DAY)
    view = await store_agrees(store, initiatives, iid)
    assert [e.subject for e in view.state.escalations] == ["check:1"]
