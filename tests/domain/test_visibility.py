"""Who may see what (`domain.visibility`): the rule itself, without any door."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import commands as c
from domain.portfolio import PortfolioEntry, as_seen_by, combine, entry_figures
from domain.visibility import (
    THE_OPERATOR,
    AuditTrail,
    EventFeed,
    Grant,
    Initiative,
    Person,
    PortfolioFigures,
    PortfolioShare,
    ReliabilityFigure,
    Viewer,
    may_see,
)
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec

STRANGER = "nobody@acme.example"
OFFICE_PMO = Person("office@acme.example", frozenset({Grant.PMO}))
AUDITOR = Person("auditor@acme.example", frozenset({Grant.AUDITOR}))


def launched(**spec: object) -> Timeline:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(**spec)))
    return t


@pytest.mark.parametrize("person", [SPONSOR, PMO, EXPERT, OWNER, CLERK])
def test_the_people_an_initiative_names_see_it(person: str) -> None:
    assert may_see(Person(person), Initiative(launched().state))


@pytest.mark.parametrize("viewer", [OFFICE_PMO, AUDITOR, THE_OPERATOR])
def test_the_offices_and_the_operator_see_every_initiative(viewer: Viewer) -> None:
    assert may_see(viewer, Initiative(launched().state))


def test_someone_it_does_not_name_sees_nothing_of_it() -> None:
    state = launched().state
    stranger = Person(STRANGER)
    assert not may_see(stranger, Initiative(state))
    assert not may_see(stranger, AuditTrail(state))
    assert not may_see(stranger, PortfolioShare(state))
    assert not may_see(stranger, PortfolioFigures(frozenset({SPONSOR})))
    assert not may_see(stranger, EventFeed())


def test_an_open_front_line_is_anyone_so_anyone_sees_the_initiative() -> None:
    assert may_see(Person(STRANGER), Initiative(launched(front_line=None).state))


def test_a_reassigned_owner_and_a_removed_clerk_see_it_no_more() -> None:
    t = launched()
    t.run(c.ReassignOwner(actor=PMO, owner="new-owner@acme.example"))
    t.run(c.RemoveFrontLine(actor="new-owner@acme.example", person=CLERK))
    assert may_see(Person("new-owner@acme.example"), Initiative(t.state))
    assert not may_see(Person(OWNER), Initiative(t.state))
    assert not may_see(Person(CLERK), Initiative(t.state))


def test_the_audit_trail_is_the_auditors_and_the_initiatives_pmo() -> None:
    state = launched().state
    assert may_see(AUDITOR, AuditTrail(state)) and may_see(Person(PMO), AuditTrail(state))
    assert not any(may_see(viewer, AuditTrail(state)) for viewer in (
        OFFICE_PMO, Person(SPONSOR), Person(OWNER), Person(EXPERT), Person(CLERK)))


def test_the_portfolio_is_the_offices_and_the_sponsors() -> None:
    state, sponsors = launched().state, frozenset({SPONSOR})
    for viewer in (OFFICE_PMO, AUDITOR, Person(SPONSOR)):
        assert may_see(viewer, PortfolioFigures(sponsors))
        assert may_see(viewer, PortfolioShare(state))
    assert not may_see(Person("other-sponsor@acme.example"), PortfolioShare(state))
    assert not may_see(Person(OWNER), PortfolioFigures(sponsors))


def test_a_reliability_figure_is_its_persons_the_pmo_offices_and_their_sponsors() -> None:
    figure = ReliabilityFigure(OWNER, frozenset({SPONSOR}))
    assert all(may_see(viewer, figure) for viewer in (Person(OWNER), OFFICE_PMO, Person(SPONSOR)))
    assert not any(may_see(viewer, figure) for viewer in (AUDITOR, Person(EXPERT)))


@pytest.mark.parametrize("viewer", [OFFICE_PMO, AUDITOR, Person(SPONSOR), Person(STRANGER)])
def test_whoever_reads_the_event_feed_sees_every_initiative_in_it(viewer: Viewer) -> None:
    states = [launched().state, launched(front_line=[STRANGER]).state]
    if may_see(viewer, EventFeed()):
        assert all(may_see(viewer, Initiative(state)) for state in states)


def test_the_portfolio_sums_the_figures_a_viewer_may_not_see() -> None:
    t = launched()
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    parts = [entry_figures(PortfolioEntry(t.state, 0))]
    figures = combine(parts, t.now + timedelta(days=30))  # the control plan is overdue by then
    people = {r.person for r in figures.reliability}
    assert OWNER in people

    assert as_seen_by(figures, parts, OFFICE_PMO) == figures
    audited = as_seen_by(figures, parts, AUDITOR)
    assert audited.reliability == []
    assert audited.reliability_of_others is not None
    assert audited.reliability_of_others.people == len(people)
    assert audited.reliability_of_others.overdue == sum(r.overdue for r in figures.reliability)
    own = as_seen_by(figures, parts, Person(OWNER))
    assert [r.person for r in own.reliability] == [OWNER]
