"""The ideas live on a stream of their own: those recorded with the initiative before move there
by new events, the workflow keeps none of them, and a triage left too long still escalates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import TimeSkipper

from domain import Rejected
from domain import commands as c
from domain.pull_stream import pull_stream_id
from domain.state import IdeaStatus
from store import EventStore
from store.portfolio import PortfolioProjection
from tests.domain.builders import CLERK, OWNER, PMO, SPONSOR, Timeline, make_spec
from workflows.client import InitiativeClient
from workflows.contracts import InitiativeInput, workflow_id_for
from workflows.initiative import InitiativeWorkflow

from .scenario import ideas_of, store_agrees, types, wait_for

pytestmark = pytest.mark.usefixtures("worker")
CLERK_2 = "clerk-2@acme.example"


async def test_ideas_recorded_with_the_initiative_move_to_the_pull_stream(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client, task_queue: str
) -> None:
    # A run begun before pull had a stream: its ideas are in the initiative's own events.
    t = Timeline("legacy-ideas")
    t.now = datetime.now(UTC) - timedelta(hours=1)
    t.run(c.Launch(actor=PMO, spec=make_spec(front_line=[CLERK, CLERK_2])))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    for text in ("pre-fill vendor ids", "scan at the mail room", "one inbox"):
        t.run(c.SubmitIdea(actor=CLERK, text=text))
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True))
    t.run(c.SupportIdea(actor=CLERK_2, idea_id="idea-2"))
    await store.append(t.state.initiative_id, 0, t.events,
                       project=PortfolioProjection(store.schema))
    head = await store.stream_head(t.state.initiative_id)
    assert head is not None and len(t.state.ideas) == 3
    # ...continued as new by the engine that has the pull stream.
    await temporal_client.start_workflow(
        InitiativeWorkflow.run, InitiativeInput(
            initiative_id=t.state.initiative_id, state=t.state, head_hash=head.head_hash),
        id=workflow_id_for(t.state.initiative_id), task_queue=task_queue)
    iid = t.state.initiative_id

    view = await wait_for(initiatives, iid, lambda v: not v.state.ideas)
    recorded = [r.event for r in await store.read_stream(iid)]
    assert recorded[:len(t.events)] == t.events  # what was recorded stays as it was
    assert types(recorded[len(t.events):]) == ["PullSeparated"]
    moved = await ideas_of(store, iid)
    assert [(i.id, i.status, i.supporters) for i in moved] == [
        ("idea-1", IdeaStatus.ADOPTED, ()), ("idea-2", IdeaStatus.PENDING, (CLERK_2,)),
        ("idea-3", IdeaStatus.PENDING, ())]
    assert moved == t.state.ideas

    # They are answered where they now live, and the numbering goes on.
    assert types(await initiatives.send(iid, c.TriageIdea(
        actor=OWNER, idea_id="idea-2", adopt=False, reason="not now"))) == ["IdeaDeclined"]
    submitted = await initiatives.send(iid, c.SubmitIdea(actor=CLERK_2, text="fewer approvals"))
    assert submitted[0].payload["idea_id"] == "idea-4"
    assert submitted[0].initiative_id == pull_stream_id(iid)
    view = await store_agrees(store, initiatives, iid)
    assert view.state.ideas == () and view.pull.version == 5
    assert (await store.verify_stream(pull_stream_id(iid))).ok


async def test_an_untriaged_idea_is_reminded_then_escalates_to_the_sponsor_once(
    store: EventStore, initiatives: InitiativeClient, time_skipper: TimeSkipper
) -> None:
    iid = await initiatives.launch(make_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="one inbox"))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    await initiatives.send(iid, c.TriageIdea(actor=OWNER, idea_id="idea-2", adopt=True))
    await time_skipper.fast_forward(initiatives.handle(iid), timedelta(days=8))

    pull = [r.event for r in await store.read_stream(pull_stream_id(iid))]
    assert [(e.type, e.payload["subject"]) for e in pull if e.type in ("DueSoon", "Escalated")
            ] == [("DueSoon", "idea:idea-1"), ("Escalated", "idea:idea-1")]
    escalation = pull[-1]
    assert escalation.payload["to"] == SPONSOR
    ideas = await ideas_of(store, iid)
    assert [(i.reminded, i.escalated) for i in ideas] == [(True, True), (False, False)]
    view = await initiatives.view(iid)
    assert view.pull.next_triage is None and view.pull.next_reminder is None


async def test_a_steady_stream_of_commands_does_not_keep_a_run_from_continuing_as_new(
    store: EventStore, temporal_client: Client, task_queue: str
) -> None:
    """Commands arriving back to back never leave every handler finished at once: the run
    stops taking new ones when its history is due to move on, and the senders' retries reach
    the next run."""
    limit = 80
    initiatives = InitiativeClient(temporal_client, task_queue, history_limit=limit)
    iid = await initiatives.launch(make_spec(front_line=[CLERK, CLERK_2]), PMO)
    first_run = (await initiatives.view(iid)).run_id
    await asyncio.gather(*(initiatives.send(iid, c.SubmitIdea(
        actor=(CLERK, CLERK_2)[n % 2], text=f"idea {n}")) for n in range(60)))

    assert len(await ideas_of(store, iid)) == 60
    first = await temporal_client.get_workflow_handle(
        workflow_id_for(iid), run_id=first_run).fetch_history()
    # The updates in flight when it was due finish in it; nothing more does.
    assert len(first.events) < limit + 60, len(first.events)
    assert (await initiatives.view(iid)).run_id != first_run


async def test_an_idea_that_does_not_exist_is_refused_before_the_history(
    initiatives: InitiativeClient, temporal_client: Client,
) -> None:
    """Ideas live in the store, but their numbers are known: naming one beyond them is refused
    by the update's validator, so nothing of it enters the workflow's history."""
    iid = await initiatives.launch(make_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="shorter forms"))
    for idea in ("idea-2", "sop"):
        with pytest.raises(Rejected, match="unknown idea"):
            await initiatives.send(iid, c.TriageIdea(actor=OWNER, idea_id=idea, adopt=True))
    await initiatives.send(iid, c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True))
    history = await temporal_client.get_workflow_handle(workflow_id_for(iid)).fetch_history()
    accepted = [e for e in history.events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    assert len(accepted) == 3  # the approval, the idea and its triage
