"""A year in the life of a busy initiative at a tenth of its size (the benchmark runs it whole):
every action still answers at the end, the record verifies, and no run of the workflow came
near Temporal's limits."""

from __future__ import annotations

import pytest
from temporalio.client import Client
from temporalio.testing import TimeSkipper

from bench.busy_year import MAX_RUN_BYTES, MAX_RUN_EVENTS, Scale, Year, year_spec
from domain import Phase
from domain import commands as c
from domain.pull_stream import pull_stream_id
from store import EventStore
from tests.domain.builders import spec_data
from workflows.client import InitiativeClient

from .scenario import hand_over, ideas_of, store_agrees

pytestmark = pytest.mark.usefixtures("worker")
TENTH = Scale().scaled(0.1)


async def test_a_busy_year_stays_small_and_answers(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client,
    time_skipper: TimeSkipper,
) -> None:
    iid = await hand_over(store, initiatives, year_spec(spec_data(), TENTH))
    year = Year(temporal_client, initiatives, time_skipper, iid, TENTH, owner=spec_data()["owner"])
    figures = await year.live()

    assert figures.ideas == TENTH.ideas and figures.triages == TENTH.triages
    assert figures.supports >= TENTH.supports * 0.95  # a random pick may find no one new
    assert figures.readings >= 52
    view = await store_agrees(store, initiatives, iid)
    assert view.state.phase is Phase.SUSTAINING and view.state.ideas == ()
    assert len(view.state.regressions) == 2
    assert all(r.recovered_at is not None for r in view.state.regressions)
    assert len(await ideas_of(store, iid)) == TENTH.ideas
    # Every action still answers.
    assert await initiatives.send(iid, c.SubmitIdea(actor="clerk-1@acme.example", text="more"))
    assert await initiatives.send(iid, c.RecordReading(actor=view.state.owner, value=5.0))
    assert (await store.verify_stream(iid)).ok
    assert (await store.verify_stream(pull_stream_id(iid))).ok
    assert figures.largest_run_events < MAX_RUN_EVENTS, figures.runs
    assert figures.largest_run_bytes < MAX_RUN_BYTES, figures.runs
