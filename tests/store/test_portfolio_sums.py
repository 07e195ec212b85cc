"""The portfolio page's figures, summed by PostgreSQL from the rows the projections keep, are
the domain's own (`domain.portfolio`, folded from the states in Python) for a varied portfolio:
every phase of a lifecycle, regressions, ideas on the initiative's stream and on the pull stream
(one carried over from the first to the second), benefits in two currencies, several owners and
sponsors, every filter and every kind of viewer, at several moments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest

from app.context import Context, Where
from app.portfolio_page import PortfolioFilter, PortfolioPage, portfolio_page, portfolio_page_of
from domain import commands as c
from domain import events as ev
from domain.pull_stream import pull_stream_id
from domain.visibility import THE_OPERATOR, Grant, Person, Viewer
from store import EventStore
from store.figure_rows import PORTFOLIO_FIGURES_MIGRATION, FigureRows
from store.migrations import load_migrations
from store.portfolio import PortfolioProjection, PortfolioReader
from tests.domain.builders import (
    CLERK,
    EXPERT,
    OWNER,
    PMO,
    SPONSOR,
    Timeline,
    handed_over,
    make_spec,
    read,
)

DAY = timedelta(days=1)
CLERK_2 = "clerk-2@acme.example"
OTHER_OWNER = "other-owner@acme.example"
OTHER_SPONSOR = "other-sponsor@acme.example"


def regressed(iid: str) -> Timeline:
    t = handed_over(iid)
    read(t, 5.1, 30 * DAY)
    read(t, 11, 30 * DAY)
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"))
    return t


def with_ideas(iid: str) -> Timeline:
    """Ideas recorded with the initiative, as before pull had a stream of its own."""
    t = Timeline(iid)
    t.run(c.Launch(actor=PMO, spec=make_spec(front_line=[CLERK, CLERK_2], sponsor=OTHER_SPONSOR,
                                             benefit={"currency": "USD", "per_unit": 80})))
    t.run(c.ApproveLaunch(actor=OTHER_SPONSOR))
    for text in ("pre-fill vendor ids", "scan at the mail room", "one inbox"):
        t.run(c.SubmitIdea(actor=CLERK, text=text), DAY)
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True), 2 * DAY)
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-2", adopt=False, reason="done already"),
          20 * DAY)
    t.run(c.SupportIdea(actor=CLERK_2, idea_id="idea-3"))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.0), DAY)
    return t


def timelines() -> list[Timeline]:
    sustaining = handed_over("sustaining")
    read(sustaining, 5.1, 30 * DAY)
    reassigned = handed_over("reassigned")
    reassigned.run(c.ReassignOwner(actor=PMO, owner=OTHER_OWNER), DAY)
    proposed = Timeline("proposed")
    proposed.run(c.Launch(actor=PMO, spec=make_spec(sponsor=OTHER_SPONSOR)))
    improving = Timeline("improving")
    improving.run(c.Launch(actor=PMO, spec=make_spec(
        benefit={"currency": "EUR", "per_unit": 1200})), 3 * DAY)
    improving.run(c.ApproveLaunch(actor=SPONSOR), 2 * DAY)
    return [regressed("regressed"), with_ideas("ideas"), sustaining, reassigned, proposed,
            improving]


async def pull_stream(store: EventStore, t: Timeline) -> None:
    """The initiative's later ideas on its pull stream, the first carried over from its own."""
    iid, at = t.state.initiative_id, t.now + DAY
    carried = t.state.ideas[2].model_copy(update={"supporters": (CLERK_2, "clerk-3@x.example")})
    due = at + 7 * DAY
    payloads: list[tuple[ev.Payload, str]] = [
        (ev.IdeaCarriedOver(idea=carried), CLERK),
        (ev.IdeaSubmitted(idea_id="idea-4", text="fewer forms", triage_due_at=due), CLERK_2),
        (ev.IdeaSubmitted(idea_id="idea-5", text="one form", triage_due_at=due), "walk-in@x"),
        (ev.IdeaAdopted(idea_id="idea-4", reason="cheap"), OWNER),
        (ev.IdeaDelivered(idea_id="idea-4"), OWNER),
    ]
    events = [ev.make_event(pull_stream_id(iid), number, payload, actor, at + number * DAY)
              for number, (payload, actor) in enumerate(payloads, start=1)]
    projection = PortfolioProjection(store.schema)
    for done, event in enumerate(events):  # one at a time: each moves the sums by its change
        await store.append(pull_stream_id(iid), done, [event], project=projection)


async def _opened(thing: Any) -> Any:
    return thing


@pytest.fixture
async def portfolio(store: EventStore) -> AsyncIterator[Context]:
    projection = PortfolioProjection(store.schema)
    made = timelines()
    for t in made:
        await store.append(t.state.initiative_id, 0, t.events, project=projection)
    await pull_stream(store, made[1])
    yield Context(
        where=Where(temporal_address="unused", namespace="default", task_queue="unused",
                    db_schema=store.schema),
        open_temporal=lambda: _opened(None), open_store=lambda: _opened(store),
        open_read_store=lambda: _opened(store), open_audit_store=lambda: _opened(store))


def comparable(page: PortfolioPage) -> dict[str, Any]:
    found = asdict(page)
    found["figures"] = page.figures.model_dump()
    return found


VIEWERS: list[Viewer] = [
    THE_OPERATOR, Person(PMO, frozenset({Grant.PMO})),
    Person("audit@x", frozenset({Grant.AUDITOR})), Person(SPONSOR), Person(OTHER_SPONSOR)]
FILTERS = [PortfolioFilter(), PortfolioFilter(owner=OWNER), PortfolioFilter(phase="regressed"),
           PortfolioFilter(sponsor=OTHER_SPONSOR, owner=OWNER), PortfolioFilter(pmo="nobody")]


async def test_the_summed_figures_are_the_domains_folded_ones(
        portfolio: Context, store: EventStore) -> None:
    entries = await PortfolioReader(store.pool, store.schema).entries()
    assert any(len(e.state.ideas) == 5 for e in entries)  # both streams' ideas, merged
    start = min(e.state.launched_at for e in entries if e.state.launched_at)
    for now in (start + 10 * DAY, start + 100 * DAY, start + 400 * DAY):
        for viewer in VIEWERS:
            for where in FILTERS:
                summed = await portfolio_page(portfolio, where, viewer, now, rows=None,
                                              overdue=None)
                folded = portfolio_page_of(entries, where, now, viewer=viewer)
                assert comparable(summed) == comparable(folded), (now, viewer, where)
    everything = await portfolio_page(portfolio, PortfolioFilter(), THE_OPERATOR,
                                      start + 100 * DAY, rows=None, overdue=None)
    figures = everything.figures
    assert figures.initiatives == 6 and figures.pull.submitted == 5
    assert figures.open_regressions and figures.overdue_commitments and figures.benefit
    assert len({b.currency for b in figures.benefit}) == 2
    assert figures.pull.median_triage_seconds and figures.pull.front_line == 2
    assert {c.kind for c in figures.overdue_commitments} >= {
        "idea_triage", "handoff_step", "recovery"}
    sponsor = await portfolio_page(portfolio, PortfolioFilter(), Person(OTHER_SPONSOR),
                                   start + 100 * DAY)
    assert sponsor.figures.initiatives == 2
    # A page lists the newest rows and the longest overdue commitments, and counts them all.
    paged = await portfolio_page(portfolio, PortfolioFilter(), THE_OPERATOR, start + 400 * DAY,
                                 rows=2, overdue=3)
    assert paged.rows == everything.rows[:2] and paged.row_count == 6
    later = await portfolio_page(portfolio, PortfolioFilter(), THE_OPERATOR, start + 400 * DAY,
                                 rows=None, overdue=None)
    assert paged.figures.overdue_commitments == later.figures.overdue_commitments[:3]
    assert paged.overdue_count == len(later.figures.overdue_commitments) > 3
    assert len(everything.rows) == 6 and everything.quiet


async def test_the_migration_builds_the_rows_from_what_is_stored(
        portfolio: Context, store: EventStore) -> None:
    """A store whose initiatives were recorded before the figures' rows existed: the
    migration's own statement carries the pull streams' ideas over, and the store's backfill
    the rest, from the read model's states."""
    now = (await store.pool.fetchval(
        f"SELECT max(updated_at) FROM {store.schema}.portfolio_initiatives")) + 30 * DAY
    before = await portfolio_page(portfolio, PortfolioFilter(), THE_OPERATOR, now, rows=None,
                                  overdue=None)
    for table in ("portfolio_figures", "portfolio_kept", "portfolio_pending",
                  "portfolio_front_line", "portfolio_ideas"):
        await store.pool.execute(f"DELETE FROM {store.schema}.{table}")
    migration = next(m for m in load_migrations() if m.name == PORTFOLIO_FIGURES_MIGRATION)
    carried = migration.sql[migration.sql.index("INSERT INTO portfolio_ideas"):]
    async with store.pool.acquire() as connection:
        await connection.execute(f"SET search_path TO {store.schema}")
        await connection.execute(carried)
        await connection.execute("RESET search_path")
        await FigureRows(store.schema).backfill(connection)
    after = await portfolio_page(portfolio, PortfolioFilter(), THE_OPERATOR, now, rows=None,
                                 overdue=None)
    assert comparable(after) == comparable(before)
    assert after.figures.pull.submitted == 5
