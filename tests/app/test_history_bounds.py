"""What an action adds to the workflow's history is the size of what it records, not of what
the initiative holds: the same support costs the same bytes beside ten ideas as beside a
hundred and fifty."""

from __future__ import annotations

from temporalio.client import WorkflowHistory

from app.act import ActRequest, act
from app.context import Context
from app.launch import LaunchRequest, launch
from domain import InitiativeSpec
from domain.spec import MAX_TEXT
from domain.visibility import Person
from tests.domain.builders import PMO, quick_spec_data
from workflows.contracts import workflow_id_for

PEOPLE = [f"clerk-{n}@acme.example" for n in range(10)]
FEW, MANY = 10, 150
SLACK = 1.2  # ids and counters are a few digits longer further on


async def history(context: Context, iid: str) -> WorkflowHistory:
    handle = (await context.temporal()).get_workflow_handle(workflow_id_for(iid))
    return await handle.fetch_history()


async def ideas(context: Context, iid: str, first: int, last: int) -> None:
    for n in range(first, last):
        person = PEOPLE[n % len(PEOPLE)]
        await act(context, ActRequest(initiative_id=iid, action="idea", actor=person,
                                      viewer=Person(person),
                                      arguments={"text": f"{n} " + "y" * (MAX_TEXT - 8)}))


async def bytes_of_support(context: Context, iid: str, idea: int) -> int:
    """The history an update adds: its own events, whatever else the initiative holds."""
    before = await history(context, iid)
    supporter = PEOPLE[(idea + 1) % len(PEOPLE)]
    await act(context, ActRequest(initiative_id=iid, action="support", actor=supporter,
                                  viewer=Person(supporter),
                                  arguments={"idea": f"idea-{idea + 1}"}))
    after = await history(context, iid)
    assert after.run_id == before.run_id, "measure within one run"
    return sum(event.ByteSize() for event in after.events[len(before.events):])


async def test_an_update_adds_the_same_history_beside_few_ideas_as_beside_many(
        context: Context) -> None:
    spec = InitiativeSpec.model_validate(quick_spec_data(front_line=PEOPLE))
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None
    await ideas(context, iid, 0, FEW)
    beside_few = await bytes_of_support(context, iid, 0)
    await ideas(context, iid, FEW, MANY)
    beside_many = await bytes_of_support(context, iid, 1)

    assert beside_many <= beside_few * SLACK, (beside_few, beside_many)
