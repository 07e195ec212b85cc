"""Who may see what (`domain.visibility`): the rule itself, without any door."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Rejected
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
    past_owners,
)
from tests.domain.builders import (
    CLERK,
    EXPERT,
    OWNER,
    PMO,
    SPONSOR,
    Timeline,
    handed_over,
    make_spec,
)

STRANGER = "nobody@acme.example"
OFFICE_PMO = Person("office@acme.example", frozenset({Grant.PMO}))
AUDITOR = Person("auditor@acme.example", frozenset({Grant.AUDITOR}))
NEW_OWNER, LAST_OWNER = "new-owner@acme.example", "last-owner@acme.example"


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


def test_a_removed_clerk_sees_it_no_more() -> None:
    t = launched()
    t.run(c.RemoveFrontLine(actor=OWNER, person=CLERK))
    assert not may_see(Person(CLERK), Initiative(t.state))


def test_an_owner_reassigned_away_still_sees_it_but_acts_as_owner_no_more() -> None:
    t = launched()
    t.run(c.ReassignOwner(actor=PMO, owner=NEW_OWNER))
    assert may_see(Person(NEW_OWNER), Initiative(t.state))
    assert may_see(Person(OWNER), Initiative(t.state))
    assert past_owners(t.state) == {OWNER}
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.AddFrontLine(actor=OWNER, person=STRANGER))
    assert not may_see(Person(OWNER), AuditTrail(t.state))
    assert not may_see(Person(OWNER), PortfolioShare(t.state))


def test_an_owner_between_two_reassignments_sees_what_they_did_there() -> None:
    t = handed_over("init-between")
    t.run(c.ReassignOwner(actor=PMO, owner=NEW_OWNER))
    t.run(c.RecordReading(actor=NEW_OWNER, value=5.0), after=timedelta(days=30))
    t.run(c.ReassignOwner(actor=PMO, owner=LAST_OWNER))
    assert past_owners(t.state) == {OWNER, NEW_OWNER}
    assert all(may_see(Person(person), Initiative(t.state))
               for person in (OWNER, NEW_OWNER, LAST_OWNER))
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.RecordReading(actor=NEW_OWNER, value=5.0))
    assert not may_see(Person(STRANGER), Initiative(t.state))


def test_an_owner_who_came_and_went_without_acting_is_a_past_owner_too() -> None:
    t = launched()
    t.run(c.ReassignOwner(actor=PMO, owner=NEW_OWNER))
    t.run(c.ReassignOwner(actor=PMO, owner=LAST_OWNER))
    assert past_owners(t.state) == {OWNER, NEW_OWNER}
    assert t.state.owners_before == (OWNER, NEW_OWNER)


def test_the_owner_it_has_and_the_people_it_names_are_no_past_owners() -> None:
    t = handed_over("init-kept")
    t.run(c.RecordReading(actor=OWNER, value=5.0), after=timedelta(days=30))
    assert past_owners(t.state) == frozenset()


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
