"""A request id belongs to the person who sent it and to the command it was sent with: another
person's request with the same id is their own, and the same id with another command is refused
with nothing recorded, in the validator, so the refusal never enters the history."""

from __future__ import annotations

import pytest
from temporalio.client import Client, WorkflowHistory

from domain import Rejected, RejectionKind
from domain import commands as c
from store import EventStore
from tests.domain.builders import CLERK, PMO
from workflows.client import InitiativeClient
from workflows.contracts import workflow_id_for

from .scenario import ideas_of, quick_spec, types

pytestmark = pytest.mark.usefixtures("worker")
CLERK_2 = "clerk-2@acme.example"


async def test_the_same_id_from_two_people_records_both(
        store: EventStore, initiatives: InitiativeClient) -> None:
    iid = await initiatives.launch(quick_spec(front_line=[CLERK, CLERK_2]), PMO)
    first = await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="one"), request_id="r-1")
    second = await initiatives.send(iid, c.SubmitIdea(actor=CLERK_2, text="two"),
                                    request_id="r-1")

    assert types(first) == types(second) == ["IdeaSubmitted"]
    assert second[0].actor == CLERK_2 and second[0].sequence == first[0].sequence + 1
    assert len(await ideas_of(store, iid)) == 2


async def test_an_id_sent_again_with_another_command_is_refused(
        store: EventStore, initiatives: InitiativeClient, temporal_client: Client) -> None:
    iid = await initiatives.launch(quick_spec(front_line=[CLERK, CLERK_2]), PMO)
    first = await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="one"), request_id="k")
    before = await store.read_stream(iid)
    history = await temporal_client.get_workflow_handle(workflow_id_for(iid)).fetch_history()

    for other in (c.SubmitIdea(actor=CLERK, text="TWO"),
                  c.SupportIdea(actor=CLERK, idea_id="idea-1")):
        with pytest.raises(Rejected) as refused:
            await initiatives.send(iid, other, request_id="k")
        assert refused.value.kind is RejectionKind.INVALID
        assert "already used for another command" in refused.value.reason

    assert await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="one"),
                                  request_id="k") == first
    assert await store.read_stream(iid) == before
    after = await temporal_client.get_workflow_handle(workflow_id_for(iid)).fetch_history()
    # Neither refusal entered the history, nor the exact retry, which the server answered.
    assert accepted_updates(after) == accepted_updates(history)


def accepted_updates(history: WorkflowHistory) -> int:
    return sum(event.HasField("workflow_execution_update_accepted_event_attributes")
               for event in history.events)
