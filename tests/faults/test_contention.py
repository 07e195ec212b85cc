"""Many people acting on one initiative at once: each command is accepted or refused with a
reason, and the stream stays contiguous with a valid chain."""

from __future__ import annotations

import asyncio

import pytest

from domain import Rejected
from domain import commands as c
from store import EventStore
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.workflows.scenario import quick_spec, store_agrees
from workflows.client import InitiativeClient

pytestmark = pytest.mark.usefixtures("worker")
CONCURRENT = 50


async def test_fifty_conflicting_updates_on_one_initiative(
    store: EventStore, initiatives: InitiativeClient
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.0))
    # Half race to complete the same step (one can win), half submit and triage ideas.
    commands = [
        c.CompleteStep(actor=EXPERT, step_id="sop") if n % 2 == 0 else
        c.SubmitIdea(actor=CLERK, text=f"idea {n}") if n % 4 == 1 else
        c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True)
        for n in range(CONCURRENT)
    ]
    outcomes = await asyncio.gather(*(initiatives.send(iid, command) for command in commands),
                                    return_exceptions=True)
    accepted = [o for o in outcomes if isinstance(o, list)]
    refused = [o for o in outcomes if isinstance(o, Rejected)]
    assert len(accepted) + len(refused) == CONCURRENT, [
        o for o in outcomes if not isinstance(o, list | Rejected)]
    assert all(r.reason for r in refused)
    completions = [e for events in accepted for e in events if e.type == "StepCompleted"]
    triages = [e for events in accepted for e in events if e.type == "IdeaAdopted"]
    assert len(completions) == 1 and len(triages) <= 1, sorted({r.reason for r in refused})
    assert sum(1 for r in refused if "already done" in r.reason) == CONCURRENT // 2 - 1
    view = await store_agrees(store, initiatives, iid)
    recorded = await store.read_stream(iid)
    assert [r.version for r in recorded] == list(range(1, view.state.version + 1))
    assert (await store.verify_stream(iid)).ok
