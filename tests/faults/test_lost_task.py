"""A workflow task that appended to the store and was then lost (a crash before the history kept
it) leaves the store ahead of the workflow. The workflow adopts what the store holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Rejected, decide, fold
from domain import commands as c
from domain.pull_decide import decide_pull
from domain.pull_stream import pull_stream_id
from store import EventStore
from store.portfolio import PortfolioProjection
from store.pull import PullIdeas
from store.requests import RequestLog
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.workflows.scenario import quick_spec, store_agrees
from workflows.client import InitiativeClient
from workflows.requests import request_key

pytestmark = pytest.mark.usefixtures("worker")
CLERK_2 = "clerk-2@acme.example"


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


async def lost_pull_append(store: EventStore, iid: str, command: c.SubmitIdea,
                           request_id: str) -> None:
    """What a lost task did on the pull stream: decide on the ideas recorded, and append."""
    state = fold(iid, [r.event for r in await store.read_stream(iid)])
    assert state.updated_at is not None
    pull = await PullIdeas(store.schema).slice(store.pool, iid, [], command.actor,
                                               state.updated_at - timedelta(days=1))
    events = decide_pull(state, pull, command, state.updated_at + timedelta(seconds=1))
    key = request_key(command.actor, request_id)
    await store.append(pull_stream_id(iid), pull.version, events, project=RequestLog(
        store.schema).recording(key, PortfolioProjection(store.schema)))


async def test_the_workflow_adopts_events_a_lost_task_recorded(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await lost_append(store, initiatives, iid, c.AddFrontLine(actor=OWNER, person=CLERK_2))
    recorded = await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0))
    assert [e.sequence for e in recorded] == [4]
    await store_agrees(store, initiatives, iid)
    assert (await store.verify_stream(iid)).ok


async def test_an_idea_a_lost_task_recorded_is_answered_and_not_recorded_twice(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="first"))
    await lost_pull_append(store, iid, c.SubmitIdea(actor=CLERK, text="lost, then found"),
                           "req-9")
    again = await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="lost, then found"),
                                   request_id="req-9")
    assert [e.payload["idea_id"] for e in again] == ["idea-2"]
    after = await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="next"))
    assert [e.payload["idea_id"] for e in after] == ["idea-3"]
    ideas = (await PullIdeas(store.schema).of_initiatives(store.pool, [iid]))[iid]
    assert [i.text for i in ideas] == ["first", "lost, then found", "next"]
    assert (await store.verify_stream(pull_stream_id(iid))).ok


async def test_a_command_the_lost_task_recorded_is_answered_with_its_events(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await lost_append(store, initiatives, iid, c.AddFrontLine(actor=OWNER, person=CLERK_2),
                      "req-7")
    await lost_append(store, initiatives, iid, c.DeliverImprovement(actor=EXPERT, value=5.0),
                      "req-8")
    # Re-delivered to the retried task in another order: each request gets what it recorded.
    again = await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0),
                                   request_id="req-8")
    added = await initiatives.send(iid, c.AddFrontLine(actor=OWNER, person=CLERK_2),
                                   request_id="req-7")
    assert [e.type for e in added] == ["FrontLineAdded"]
    assert [e.type for e in again] == ["ImprovementDelivered"]
    assert [r.event for r in await store.read_stream(iid)][-1] == again[0]
    with pytest.raises(Rejected, match="handing_off"):
        await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0))
    await store_agrees(store, initiatives, iid)
