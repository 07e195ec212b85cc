"""The work-items read model always holds exactly what the initiative's state owes now."""

from __future__ import annotations

import uuid

import pytest

from domain import commands as c
from domain.work import open_work
from store import EventStore
from store.work import WorkItems
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec


def _owed(timeline: Timeline) -> set[tuple[str, str, str, str]]:
    return {(i.person, i.kind.value, i.ref, i.title) for i in open_work(timeline.state)}


async def _stored(store: EventStore, items: WorkItems, people: list[str],
                  initiative_id: str) -> set[tuple[str, ...]]:
    return {(i.person, i.kind.value, i.ref, i.title)
            for person in people for i in await items.of_person(store.pool, person)
            if i.initiative_id == initiative_id}


@pytest.mark.parametrize("stop_after", range(1, 8))
async def test_each_save_replaces_what_was_owed_before(store: EventStore,
                                                       stop_after: int) -> None:
    items, people = WorkItems(store.schema), [PMO, SPONSOR, EXPERT, OWNER]
    timeline = Timeline(f"work-{uuid.uuid4().hex[:8]}")
    commands = [c.Launch(actor=PMO, spec=make_spec()), c.ApproveLaunch(actor=SPONSOR),
                c.DeliverImprovement(actor=EXPERT, value=5.2),
                c.CompleteStep(actor=EXPERT, step_id="sop"),
                c.CompleteStep(actor=OWNER, step_id="control-plan"),
                c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO),
                c.Cancel(actor=PMO, reason="priorities changed")]
    for command in commands[:stop_after] + commands[-1:]:
        timeline.run(command)
        async with store.pool.acquire() as connection, connection.transaction():
            await items.save(connection, timeline.state)
        assert await _stored(store, items, people, timeline.state.initiative_id) == _owed(timeline)
    assert await _stored(store, items, people, timeline.state.initiative_id) == set()  # cancelled
