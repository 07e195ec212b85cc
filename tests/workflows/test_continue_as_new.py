"""Continue-as-new keeps an initiative alive for years: the folded state, the chain head, the
recent request ids and pending deadlines all survive into the new run."""

from __future__ import annotations

import pytest
from temporalio.client import Client

from domain import Phase
from domain import commands as c
from store import EventStore
from tests.domain.builders import CLERK, OWNER
from workflows.client import InitiativeClient

from .scenario import hand_over, ideas_of, in_phase, quick_spec, store_agrees, wait_for

pytestmark = pytest.mark.usefixtures("worker")


async def test_a_long_life_continues_as_new_without_losing_anything(
    store: EventStore, temporal_client: Client, task_queue: str
) -> None:
    initiatives = InitiativeClient(temporal_client, task_queue, history_limit=60)
    spec = quick_spec(sustainment={"checks": ["3s", "4s"], "tolerance": 0.8,
                                   "response_within": "1h"})
    iid = await hand_over(store, initiatives, spec)
    first_run = (await initiatives.view(iid)).run_id
    submitted = await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="idea 0"),
                                       request_id="idea-0")
    for n in range(1, 6):
        await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text=f"idea {n}"))
    view = await wait_for(initiatives, iid, lambda v: v.run_id != first_run)
    # A retry of a request made in the earlier run still records nothing new.
    assert await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="idea 0"),
                                  request_id="idea-0") == submitted
    assert len(await ideas_of(store, iid)) == 6
    assert view.state.ideas == ()  # the workflow, and what it carries over, hold none
    for _ in range(2):
        await wait_for(initiatives, iid, lambda v: any(
            ch.status.value == "due" for ch in v.state.checks))
        await initiatives.send(iid, c.RecordReading(actor=OWNER, value=5.0))
    view = await wait_for(initiatives, iid, in_phase(Phase.SUSTAINED))
    await store_agrees(store, initiatives, iid)
    assert (await store.verify_stream(iid)).ok
