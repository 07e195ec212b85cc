"""A front line flooding one initiative: ideas of the greatest length, all at once, from 20
people. Each is recorded once or refused with a reason, every answer stays the size of what it
recorded, the workflow keeps running and the initiative still answers."""

from __future__ import annotations

import asyncio

from temporalio.client import WorkflowExecutionStatus

from app.act import Acted, ActRequest, act
from app.context import Context
from app.errors import Rejected, Unconfirmed
from app.launch import LaunchRequest, launch
from domain import InitiativeSpec
from domain.pull_stream import pull_stream_id
from domain.spec import MAX_TEXT
from domain.visibility import Person
from tests.domain.builders import PMO, SPONSOR, quick_spec_data
from workflows.contracts import workflow_id_for

PEOPLE = [f"clerk-{n}@acme.example" for n in range(20)]
IDEAS = 200
FLOOD_TIMEOUT = 150.0  # fails this test alone, well inside the suite's per-test limit
ANSWER_BYTES = 3 * MAX_TEXT  # one idea's event, escaped, with its envelope


async def submitted(context: Context, iid: str, n: int) -> Acted | Rejected:
    """As a client does: sent again with its request id until a worker confirms it."""
    text = f"{n:04d} " + "x" * (MAX_TEXT - 5)
    person = PEOPLE[n % len(PEOPLE)]
    request = ActRequest(initiative_id=iid, action="idea", actor=person, viewer=Person(person),
                         arguments={"text": text}, request_id=f"flood-{n}")
    while True:
        try:
            return await act(context, request)
        except Unconfirmed:
            continue
        except Rejected as rejected:
            return rejected


async def test_a_flood_of_long_ideas_records_each_once_and_leaves_the_initiative_working(
        context: Context) -> None:
    spec = InitiativeSpec.model_validate(quick_spec_data(front_line=PEOPLE))
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None

    async with asyncio.timeout(FLOOD_TIMEOUT):
        answers = await asyncio.gather(*(submitted(context, iid, n) for n in range(IDEAS)))

    recorded = [a for a in answers if isinstance(a, Acted)]
    refused = [a for a in answers if isinstance(a, Rejected)]
    assert len(recorded) + len(refused) == IDEAS and all(r.reason for r in refused)
    assert all(len(a.model_dump_json()) < ANSWER_BYTES for a in recorded)
    store = await context.read_store()
    texts = [e.event.payload["text"][:4] for e in await store.read_stream(pull_stream_id(iid))
             if e.event.type == "IdeaSubmitted"]
    assert sorted(texts) == sorted(a.events[0].payload["text"][:4] for a in recorded)
    assert len(set(texts)) == len(texts), "an idea recorded twice"

    handle = (await context.temporal()).get_workflow_handle(workflow_id_for(iid))
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    approved = await act(context, ActRequest(initiative_id=iid, action="approve-launch",
                                             actor=SPONSOR, viewer=Person(SPONSOR)))
    # The ideas are on their own stream: the initiative has its launch and this approval.
    assert approved.phase == "improving" and approved.version == 2
