"""A workflow task that appended to the store and was then lost (a crash before the history kept
it) leaves the store ahead of the workflow. The workflow adopts what the store holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Rejected, decide, fold
from domain import commands as c
from store import EventStore
from store.requests import RequestLog
from tests.domain.builders import CLERK, EXPERT, PMO, SPONSOR
from tests.workflows.scenario import quick_spec, store_agrees
from workflows.client import InitiativeClient
from workflows.requests import request_key

pytestmark = pytest.mark.usefixtures("worker")


async def lost_append(store: EventStore, initiatives: InitiativeClient, iid: str,
                      command: c.AnyCommand, request_id: str | None = None) -> None:
    """What a lost task did: decide on the recorded state, a little later, and append."""
    state = fold(iid, [r.event for r in await store.read_stream(iid)])
    assert state.updated_at is not None
    events = decide(state, command, state.updated_at + timedelta(seconds=1))
    # The request log holds what the workflow logs: the sender's key for the request id.
    key = None if request_id is None else request_key(command.actor, request_id)
    await store.append(iid, state.version, events,
                       project=RequestLog(store.schema).recording(key, None))


async def test_the_workflow_adopts_events_a_lost_task_recorded(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await lost_append(store, initiatives, iid, c.SubmitIdea(actor=CLERK, text="lost, then found"))
    recorded = await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0))
    assert [e.sequence for e in recorded] == [4]
    view = await store_agrees(store, initiatives, iid)
    assert [i.text for i in view.state.ideas] == ["lost, then found"]
    assert (await store.verify_stream(iid)).ok


async def test_a_command_the_lost_task_recorded_is_answered_with_its_events(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="first"))
    await lost_append(store, initiatives, iid, c.SubmitIdea(actor=CLERK, text="seen"), "req-7")
    await lost_append(store, initiatives, iid, c.DeliverImprovement(actor=EXPERT, value=5.0),
                      "req-8")
    # Re-delivered to the retried task in another order: each request gets what it recorded.
    again = await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0),
                                   request_id="req-8")
    idea = await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="seen"),
                                  request_id="req-7")
    assert [e.payload["idea_id"] for e in idea] == ["idea-2"]
    assert [e.type for e in again] == ["ImprovementDelivered"]
    assert [r.event for r in await store.read_stream(iid)][-1] == again[0]
    with pytest.raises(Rejected, match="handing_off"):
        await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0))
    await store_agrees(store, initiatives, iid)
