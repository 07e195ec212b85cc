"""What the pages say, rendered from states the rules build (no server): the statement the owner
signs, benefits, the business case, corrections, numbers in the reader's way, evidence links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.identity import OPERATOR, Grant, Identity
from app.initiative_page import page_of
from app.menu import menu_of
from app.portfolio_page import PortfolioFilter, portfolio_page_of
from domain import commands as c
from domain.acceptance import default_statement
from domain.formatting import decimal_comma
from domain.portfolio import PortfolioEntry
from domain.visibility import AuditTrail, Person, may_see
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
from web.pages.forms import page_forms, posted_arguments
from web.pages.initiative_view import SentForm, initiative_context
from web.pages.links import safe_link
from web.pages.numbers import parse_decimal
from web.pages.pmo import portfolio_context

from .test_every_state import PAGES, _rendered, _view

BENEFIT = {"per_unit": 40000, "currency": "EUR"}


def _page(t: Timeline, person: str, *, comma: bool = False,
          sent: SentForm | None = None) -> str:
    page = page_of(_view(t.state), t.events, person, t.now)
    return _rendered("initiative.html", person, comma=comma, **initiative_context(page, sent=sent))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _ready_to_accept(**spec: object) -> Timeline:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(**spec)))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop", evidence="See https://wiki.acme.example/sop?v=3&x=<b>."))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    return t


@pytest.mark.parametrize("statement", [None, "I take over the invoice process at 5 days."])
def test_the_owner_reads_the_statement_beside_the_button_and_after_signing(
        statement: str | None) -> None:
    t = _ready_to_accept(**({"handoff_statement": statement} if statement else {}))
    expected = statement or default_statement(t.state.require_spec(), OWNER)
    before = _text(_page(t, OWNER))
    section = before[before.index("Take over accountability"):]
    assert section.index(expected) < section.index("Accept ownership")
    t.run(c.AcceptOwnership(actor=OWNER))
    after = _text(_page(t, PMO))
    assert f"Owner signed {expected}" in after and "Accept ownership" not in after


def test_the_owner_may_correct_the_latest_reading_with_a_value_and_a_reason() -> None:
    t = _ready_to_accept()
    t.run(c.AcceptOwnership(actor=OWNER))
    t.run(c.ApproveReview(actor=PMO), timedelta(hours=1))
    assert not any(f.action == "correct-reading"
                   for f in page_forms(page_of(_view(t.state), t.events, OWNER, t.now).offers,
                                       t.state).forms)
    read(t, 5.1, timedelta(days=30))
    [form] = [f for f in page_forms(page_of(_view(t.state), t.events, OWNER, t.now).offers,
                                    t.state).forms if f.action == "correct-reading"]
    assert [f.name for f in form.fields] == ["value", "reason"]
    assert "The latest reading is 5.1 days" in form.note
    html = _page(t, OWNER)
    assert "Correct the latest reading" in html
    assert "Correct the latest reading" not in _page(t, PMO)


@pytest.mark.parametrize(("language", "comma"), [
    ("de-DE,de;q=0.9,en;q=0.8", True), ("fr", True), ("en-GB,en;q=0.9", False), (None, False),
    ("*", False), ("pt-BR", True)])
def test_the_decimal_mark_follows_the_readers_first_language(language: str | None,
                                                             comma: bool) -> None:
    assert decimal_comma(language) is comma


@pytest.mark.parametrize("typed", ["5,2", "5.2", " 5,2 ", "+5.20"])
def test_a_decimal_with_a_comma_or_a_point_is_the_same_number(typed: str) -> None:
    for comma in (True, False):
        assert parse_decimal(typed, comma) == 5.2
        posted = posted_arguments("deliver", {"value": [typed]}, comma=comma)
        assert posted.arguments == {"value": 5.2}


@pytest.mark.parametrize("typed", ["5,2,1", "abc", "", "1,000", "nan", "5 2"])
def test_what_is_no_number_is_refused_naming_the_field(typed: str) -> None:
    from app.errors import InvalidArgument

    with pytest.raises(InvalidArgument) as refused:
        posted_arguments("reading", {"value": [typed]}, comma=False)
    assert refused.value.field == "value"


def test_a_refused_form_comes_back_as_typed_with_the_problem_beside_its_field() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    sent = SentForm("deliver", typed={"value": "5,2x"},
                    problems={"value": "'5,2x' is not a number (write it as 5,2)"})
    html = _page(t, EXPERT, comma=True, sent=sent)
    field = re.search(r'<label for="(f1-deliver)">.*?</label>\s*<p class="field-error" '
                      r'id="f1-deliver-error"><strong>([^<]*)</strong></p>\s*<input[^>]*>',
                      html, re.S)
    assert field is not None, html
    assert 'value="5,2x"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    assert "is not a number" in field.group(2)


def test_numbers_are_shown_with_the_readers_decimal_mark() -> None:
    t = handed_over("init-comma")
    read(t, 5.1, timedelta(days=30))
    assert "Delivered</dt><dd>5,2<" in _page(t, OWNER, comma=True)
    assert "Delivered</dt><dd>5.2<" in _page(t, OWNER)


def test_evidence_addresses_are_links_and_nothing_else_is() -> None:
    linked = str(safe_link("See https://wiki.acme.example/sop?v=3&x=<b>. Or javascript:alert(1)"))
    assert '<a href="https://wiki.acme.example/sop?v=3&amp;x=" rel="noopener noreferrer">' in linked
    assert "&lt;b&gt;" in linked and "javascript:alert(1)" in linked
    assert linked.count("<a ") == 1
    assert "<a " not in str(safe_link("ftp://files.acme.example/x data:text/html,<p>"))
    t = _ready_to_accept()
    assert '<a href="https://wiki.acme.example/sop?v=3&amp;x="' in _page(t, PMO)


def test_the_sponsor_approves_the_launch_reading_the_business_case() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(benefit=BENEFIT)))
    case = _text(_page(t, SPONSOR))
    case = case[case.index("Launch gate"):case.index("Approve launch")]
    for fact in ("Metric invoice cycle time (days), to decrease", "Baseline 12", "Target 5",
                 "280,000 EUR a year at the target", "checks 30d, 60d, 90d",
                 "at least 80% of the gain kept", f"owner {OWNER}", f"front line {CLERK}"):
        assert fact in case, fact


def test_benefits_show_on_the_initiative_with_their_periods_and_on_the_portfolio() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(benefit=BENEFIT)))
    for command in (c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5),
                    c.CompleteStep(actor=EXPERT, step_id="sop"),
                    c.CompleteStep(actor=OWNER, step_id="control-plan"),
                    c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO)):
        t.run(command)
    read(t, 5.0, timedelta(days=30))
    page = _text(_page(t, SPONSOR))
    assert "Claimed 69,041 EUR" in page and "Verified 23,014 EUR" in page, page
    assert "Lost 0 EUR" in page
    assert page.count(" verified ") + page.count(" pending ") >= 3  # a row per check's period
    other = Timeline("init-usd")
    other.run(c.Launch(actor=PMO, spec=make_spec(benefit={"per_unit": 100, "currency": "USD"})))
    entries = [PortfolioEntry(t.state, 0), PortfolioEntry(other.state, 0)]
    portfolio = portfolio_page_of(entries, PortfolioFilter(), t.now)
    html = _text(_rendered("portfolio.html", PMO, **portfolio_context(portfolio,
                                                                      PortfolioFilter())))
    assert "EUR 1 69,041 23,014 0" in html and "USD 1 0 0 0" in html


@pytest.mark.parametrize(("person", "grants", "sponsors", "links"), [
    (CLERK, set(), set(), set()),
    (SPONSOR, set(), {SPONSOR}, {"Portfolio"}),
    (PMO, {Grant.PMO}, set(), {"Portfolio", "Launch"}),
    ("audit@acme.example", {Grant.AUDITOR}, set(), {"Portfolio"}),
])
def test_the_menu_links_only_the_pages_the_person_may_use(
        person: str, grants: set[Grant], sponsors: set[str], links: set[str]) -> None:
    me = Identity(person=person, grants=frozenset(grants), provenance=OPERATOR)
    html = PAGES.render("my_work.html", me=me, csrf="token", flash=None, items=[], ideas=[],
                        menu=menu_of(me, sponsors))
    nav = html[html.index('<nav aria-label="Main">'):html.index("</nav>")]
    shown = {name for name in ("Portfolio", "Launch") if f">{name}</a>" in nav}
    assert shown == links


@pytest.mark.parametrize(("viewer", "shown"), [
    (Person(PMO), True), (Person("auditor@acme.example", frozenset({Grant.AUDITOR})), True),
    (Person(SPONSOR), False), (Person(OWNER), False), (Person(EXPERT), False)])
def test_the_audit_trail_is_linked_only_for_whoever_may_open_it(viewer: Person,
                                                                shown: bool) -> None:
    t = _ready_to_accept()
    may_audit = may_see(viewer, AuditTrail(t.state))
    page = page_of(_view(t.state), t.events, viewer.id, t.now, may_audit=may_audit)
    html = _rendered("initiative.html", viewer.id, **initiative_context(page))

    assert may_audit is shown
    assert (f'href="/initiatives/{t.state.initiative_id}/audit"' in html) is shown
