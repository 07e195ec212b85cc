"""Driving one initiative through a real worker, checking after each step that the workflow's
state is exactly the fold of what the store holds."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain import InitiativeSpec, Phase, fold
from domain import commands as c
from domain.envelope import Event
from domain.state import IdeaState
from store import EventStore
from store.pull import PullIdeas
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR, quick_spec_data
from workflows.client import InitiativeClient
from workflows.contracts import InitiativeView, workflow_id_for
from workflows.initiative import KEEP_NOTICES


def quick_spec(**overrides: Any) -> InitiativeSpec:
    """Second-scale durations, so a whole lifecycle runs in real time within a test."""
    return InitiativeSpec.model_validate(quick_spec_data(**overrides))


async def store_agrees(store: EventStore, initiatives: InitiativeClient,
                       initiative_id: str) -> InitiativeView:
    view = await initiatives.view(initiative_id)
    recorded = await store.read_stream(initiative_id)
    assert fold(initiative_id, [r.event for r in recorded]) == view.state
    assert (recorded[-1].hash if recorded else None) == view.head_hash
    return view


# From launch to sustaining, as each role acts in turn on a `quick_spec` initiative.
HANDOFF: tuple[c.AnyCommand, ...] = (
    c.ApproveLaunch(actor=SPONSOR),
    c.DeliverImprovement(actor=EXPERT, value=5.2),
    c.CompleteStep(actor=EXPERT, step_id="sop", evidence="SOP v3 in the wiki"),
    c.CompleteStep(actor=OWNER, step_id="control-plan"),
    c.AcceptOwnership(actor=OWNER),
    c.ApproveReview(actor=PMO),
)


async def hand_over(store: EventStore, initiatives: InitiativeClient, spec: InitiativeSpec,
                    initiative_id: str | None = None) -> str:
    """Launch and drive to sustaining, checking the store after every step."""
    iid = await initiatives.launch(spec, PMO, initiative_id)
    for command in HANDOFF:
        await initiatives.send(iid, command)
        await store_agrees(store, initiatives, iid)
    return iid


async def wait_for(initiatives: InitiativeClient, initiative_id: str,
                   done: Callable[[InitiativeView], bool], timeout: float = 20.0) -> InitiativeView:
    async with asyncio.timeout(timeout):
        while True:
            view = await initiatives.view(initiative_id)
            if done(view):
                return view
            await asyncio.sleep(0.1)


def in_phase(*phases: Phase) -> Callable[[InitiativeView], bool]:
    return lambda view: view.state.phase in phases


def types(events: list[Event]) -> list[str]:
    return [e.type for e in events]


# The workflow's newest patch, which names the histories recorded with it: those recorded before
# stay, each still replaying as the runs begun then must.
RECORDING = KEEP_NOTICES


async def record_history(temporal_client: Any, initiative_id: str, name: str) -> None:
    """Keep this run's history for the replay tests, when asked to (see test_replay)."""
    if not os.environ.get("BATON_RECORD_HISTORIES"):
        return
    handle = temporal_client.get_workflow_handle(workflow_id_for(initiative_id))
    history = await handle.fetch_history()
    path = Path(__file__).parent / "histories" / f"{name}.{RECORDING}.json"
    path.write_text(json.dumps({"workflow_id": handle.id, "history": json.loads(
        history.to_json())}, indent=1) + "\n")


async def ideas_of(store: EventStore, initiative_id: str) -> tuple[IdeaState, ...]:
    """The initiative's ideas as the pull read model holds them (its workflow keeps none)."""
    found = await PullIdeas(store.schema).of_initiatives(store.pool, [initiative_id])
    return found.get(initiative_id, ())
