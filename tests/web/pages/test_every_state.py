"""Every state the rules can reach renders, for everyone who may look, and every action a page
offers works: rendered from walks through initiatives' lives (`walks`), with no server."""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from datetime import timedelta
from functools import cache

import pytest

from app.actions import command_for
from app.identity import OPERATOR, Identity
from app.initiative_page import page_of
from app.portfolio_page import PortfolioFilter, portfolio_page_of
from app.work import WorkItem
from domain import InitiativeState, Rejected, decide
from domain import commands as c
from domain.available_actions import Offer, available_actions
from domain.deadlines import pending_deadlines
from domain.portfolio import PortfolioEntry
from domain.work import open_work
from web.pages.forms import ActionForm, page_forms, posted_arguments
from web.pages.initiative_view import initiative_context, work_context
from web.pages.pmo import portfolio_context
from web.pages.render import Pages
from web.pages.session import Csrf
from workflows.contracts import InitiativeView

from .walks import PEOPLE, Moment, moments

WALKS = 60
PAGES = Pages(Csrf("s" * 32))
HUMAN_KINDS = {typing.get_args(kind.model_fields["kind"].annotation)[0]
               for kind in typing.get_args(c.HumanCommand)}


def _people(state: InitiativeState) -> tuple[str, ...]:
    """Everyone who may look, each once: the owner is often one of PEOPLE already."""
    return tuple(dict.fromkeys((*PEOPLE, state.owner)))


@cache
def _moments() -> tuple[Moment, ...]:
    """The walks' moments, walked once for the tests below, which only read them."""
    return tuple(moments(WALKS))


def _view(state: InitiativeState) -> InitiativeView:
    return InitiativeView(state=state, head_hash="0" * 64, deadlines=pending_deadlines(state),
                          run_id="run")


def _me(person: str) -> Identity:
    return Identity(person=person, provenance=OPERATOR)


def _rendered(template: str, person: str, **context: object) -> str:
    return PAGES.render(template, me=_me(person), csrf="token", flash=None, **context)


def test_every_page_renders_for_everyone_in_every_state_the_rules_reach() -> None:
    seen_phases: set[str] = set()
    for moment in _moments():
        state, now = moment.state, moment.now
        seen_phases.add(state.phase.value)
        for person in _people(state):
            page = page_of(_view(state), moment.events, person, now)
            html = _rendered("initiative.html", person, **initiative_context(page))
            assert state.require_spec().name in html, moment.seed
            items = [WorkItem(**item.model_dump(exclude={"person"}), overdue=item.overdue(now))
                     for item in open_work(state) if item.person == person]
            assert "My work" in _rendered("my_work.html", person, items=work_context(items),
                                          ideas=[])
        portfolio = portfolio_page_of([PortfolioEntry(state, len(state.regressions))],
                                      PortfolioFilter(), now)
        assert "Benefit" in _rendered("portfolio.html", PMO_PERSON,
                                      **portfolio_context(portfolio, PortfolioFilter()))
    assert seen_phases >= {"proposed", "improving", "handing_off", "in_review", "sustaining",
                           "regressed", "sustained", "closed_regressed", "cancelled"}


PMO_PERSON = PEOPLE[0]


def _typed(form: ActionForm, state: InitiativeState) -> dict[str, list[str]]:
    """What a person fills in: valid input for each field, numbers with a decimal comma."""
    latest = state.readings[-1].value if state.readings else None
    value = "5,5" if latest != 5.5 else "6,5"
    valid = {"value": value, "reason": "because", "plan": "retrain the team",
             "evidence": "https://wiki.acme.example/sop", "text": "pre-fill vendor ids",
             "owner": "successor@acme.example", "person": "newcomer@acme.example",
             "send_back": "the SOP is thin"}
    posted = {name: [value] for name, value in form.hidden}
    for field in form.fields:
        if field.kind == "select":
            posted[field.name] = [next(v for v, _ in field.choices if v)]
        elif field.kind != "checkboxes":
            posted[field.name] = [field.value or valid[field.name]]
    return posted


def _pressed(form: ActionForm) -> Iterator[dict[str, list[str]]]:
    for button in form.buttons:
        yield {button.name: [button.value]} if button.name else {}


def _subject(command: object) -> str | None:
    """The step, idea or person a command concerns, as an offer names it."""
    for name in ("step_id", "idea_id", "person"):
        if hasattr(command, name):
            return str(getattr(command, name))
    return None


def _offers(moment: Moment) -> Iterator[tuple[str, Offer, ActionForm]]:
    for person in _people(moment.state):
        offers = available_actions(moment.state, person, moment.now)
        forms = page_forms(offers, moment.state).forms
        assert len(forms) == len(offers), "an offer without a form"
        yield from ((person, offer, form) for offer, form in zip(offers, forms, strict=True))


@cache
def _offered() -> tuple[tuple[Moment, tuple[tuple[str, Offer, ActionForm], ...]], ...]:
    """Each moment with what it offers to whom: worked out once for the tests below."""
    return tuple((moment, tuple(_offers(moment))) for moment in _moments())


def _sent(form: ActionForm, state: InitiativeState, button: Mapping[str, list[str]],
          person: str) -> c.HumanCommand:
    arguments = posted_arguments(form.action, _typed(form, state) | dict(button),
                                 comma=True).arguments
    return command_for(form.action, arguments, person)


def test_every_offered_action_has_a_form_that_records_exactly_it() -> None:
    offered: set[str] = set()
    for moment, offers in _offered():
        state, now = moment.state, moment.now
        for person, offer, form in offers:
            offered.add(offer.kind)
            for button in _pressed(form):
                command = _sent(form, state, button, person)
                try:
                    events = decide(state, command, now)
                except Rejected as rejected:
                    pytest.fail(f"walk {moment.seed}: {offer} offered to {person} in "
                                f"{state.phase.value}, refused: {rejected.reason}")
                assert events, offer
                assert getattr(command, "kind", None) == offer.kind, (offer, command)
                assert offer.subject is None or _subject(command) == offer.subject
    # Every action a person can take is offered somewhere, and every form comes from an offer.
    assert offered == HUMAN_KINDS, HUMAN_KINDS ^ offered


def test_the_regression_is_answered_within_the_specs_own_short_response_time() -> None:
    answered = [(m, f) for m, offers in _offered() for _, o, f in offers if o.kind == "respond"]
    short = [(m, f) for m, f in answered
             if m.state.require_spec().sustainment.response_within < timedelta(days=1)]
    assert short, "no walk regressed under a response time of an hour"
    assert all(dict(_typed(f, m.state))["within"] == ["1h"] for m, f in short)
