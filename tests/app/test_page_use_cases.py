"""The use cases behind the web pages: one initiative as one person sees it, the portfolio page's
figures kept per version, and what became of a person's ideas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.act import ActRequest, act
from app.context import Context
from app.initiative_page import initiative_page
from app.launch import LaunchRequest, launch
from app.my_ideas import submitted_ideas
from app.portfolio import figures
from app.portfolio_page import PortfolioFilter, portfolio_page
from domain import InitiativeSpec
from domain.available_actions import Offer
from domain.visibility import THE_OPERATOR, Person
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, quick_spec_data


async def launched(context: Context, **overrides: object) -> str:
    spec = InitiativeSpec.model_validate(quick_spec_data(**overrides))
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None
    return iid


async def test_the_page_offers_what_this_person_may_do_with_the_chart_and_timeline(
        context: Context) -> None:
    iid = await launched(context)
    sponsor = await initiative_page(context, iid, Person(SPONSOR))
    assert [o.kind for o in sponsor.offers] == ["approve_launch", "reject_launch"]
    assert (await initiative_page(context, iid, Person(EXPERT))).offers == []
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="approve-launch", actor=SPONSOR))
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="deliver", actor=EXPERT,
                                  arguments={"value": 5.2}))
    expert = await initiative_page(context, iid, Person(EXPERT))
    assert expert.offers == [Offer("complete_step", "sop")]
    assert expert.initiative["phase"] == "handing_off"
    assert [entry.what for entry in expert.timeline] == [
        "initiative launched", "launch approved", "improvement delivered at 5.2"]
    assert "<svg" in expert.chart and "Readings of invoice cycle time" in expert.chart


async def test_portfolio_figures_follow_every_change_and_every_filter(context: Context) -> None:
    first, second = await launched(context), await launched(context, owner="other@acme.example")
    now = datetime.now(UTC)
    page = await portfolio_page(context, PortfolioFilter(), THE_OPERATOR, now)
    everything = await figures(context, THE_OPERATOR, now)
    assert page.figures.model_dump() == everything.model_dump()
    assert page.figures.by_phase == {"proposed": 2}
    assert {row.initiative_id for row in page.rows} == {first, second}
    assert page.choices["owner"] == sorted({OWNER, "other@acme.example"})

    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=first, action="approve-launch", actor=SPONSOR))
    moved = await portfolio_page(context, PortfolioFilter(), THE_OPERATOR, now)
    assert moved.figures.by_phase == {"improving": 1, "proposed": 1}
    assert moved.rows[0].initiative_id == first  # the newest change first
    mine = await portfolio_page(context, PortfolioFilter(owner="other@acme.example"),
                                THE_OPERATOR, now)
    assert [row.initiative_id for row in mine.rows] == [second]
    assert mine.figures.initiatives == 1

    # The clock alone changes which commitments are overdue, and so the figures.
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=first, action="deliver", actor=EXPERT,
                                  arguments={"value": 5.2}))
    later = datetime.now(UTC) + timedelta(days=1)  # the control plan was due within the hour
    overdue = await portfolio_page(context, PortfolioFilter(), THE_OPERATOR, later)
    assert [c.subject for c in overdue.overdue_longest] == ["control-plan"]
    everything_later = await figures(context, THE_OPERATOR, later)
    assert overdue.figures.model_dump() == everything_later.model_dump()


async def test_a_submitter_sees_what_became_of_their_idea(context: Context) -> None:
    iid = await launched(context)
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="idea", actor=CLERK,
                                  arguments={"text": "pre-fill vendor ids"}))
    [pending] = await submitted_ideas(context, Person(CLERK))
    assert (pending.idea_id, pending.status) == ("idea-1", "pending")
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="triage", actor=OWNER,
                                  arguments={"idea": "idea-1", "decline": "done already"}))
    [declined] = await submitted_ideas(context, Person(CLERK))
    assert (declined.status, declined.reason) == ("declined", "done already")
    assert await submitted_ideas(context, Person(OWNER)) == []

