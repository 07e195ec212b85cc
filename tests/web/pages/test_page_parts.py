"""The pages' parts that need no server: forms back into arguments, safe redirects and CSV
cells, escaped charts, and colours that pass WCAG AA."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app.actions import command_for
from domain import commands as c
from domain import decide
from domain.available_actions import available_actions
from domain.state import IdeaStatus
from tests.domain.builders import CLERK, OWNER, PMO, SPONSOR, Timeline, handed_over, make_spec
from web.pages.bars import Bar, bar_chart
from web.pages.base import local_path
from web.pages.forms import ActionForm, Place, action_forms, page_forms, posted_arguments
from web.pages.pmo import _csv_cell
from web.pages.render import FOLD_AT, STATIC, fold
from web.pages.session import PageSessions

BUTTONS = {"Approve launch", "Reject launch", "Deliver", "Complete step", "Accept ownership",
           "Approve review", "Send back", "Record reading", "Submit response plan",
           "Submit idea", "Adopt", "Decline", "Cancel initiative", "Add person", "Remove",
           "Support", "Mark duplicate"}


def test_triage_and_review_forms_become_the_registrys_arguments() -> None:
    adopt = posted_arguments("triage", {"csrf": ["x"], "idea": ["idea-1"], "verdict": ["adopt"],
                                        "reason": ["cheap"]})
    assert adopt.arguments == {"idea": "idea-1", "adopt": True, "reason": "cheap"}
    decline = posted_arguments("triage", {"idea": ["idea-1"], "verdict": ["decline"],
                                          "reason": ["costly"]})
    assert decline.arguments == {"idea": "idea-1", "decline": "costly"}
    back = posted_arguments("review", {"send_back": ["why"], "reopen": ["sop", "training"]})
    assert back.arguments == {"send_back": "why", "reopen": ["sop", "training"]}
    idea = posted_arguments("idea", {"text": ["t"], "return_to": ["idea"], "request": ["r-1"]})
    assert (idea.arguments, idea.return_to, idea.request_id) == ({"text": "t"}, "idea", "r-1")
    assert posted_arguments("idea", {"request": ["x" * 129]}).request_id is None


def test_every_form_a_lifecycle_offers_is_named_as_the_assignment_says() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    labels: set[str] = set()
    for actor in (PMO, SPONSOR, OWNER):
        for form in action_forms(available_actions(t.state, actor, t.now), t.state):
            labels |= {button.label for button in form.buttons}
            assert all(field.label for field in form.fields)
    assert {"Approve launch", "Reject launch", "Cancel initiative"} <= labels <= BUTTONS | {
        "Reassign owner"}


def test_a_triage_posts_the_chosen_original_only_when_marking_a_duplicate() -> None:
    merge = posted_arguments("triage", {"idea": ["idea-2"], "verdict": ["duplicate"],
                                        "duplicate_of": ["idea-1"], "reason": [""]})
    assert merge.arguments == {"idea": "idea-2", "duplicate_of": "idea-1"}
    adopt = posted_arguments("triage", {"idea": ["idea-2"], "verdict": ["adopt"],
                                        "duplicate_of": ["idea-1"], "reason": ["ok"]})
    assert adopt.arguments == {"idea": "idea-2", "adopt": True, "reason": "ok"}


def _submitted(form: ActionForm, button: str, **typed: str) -> dict[str, list[str]]:
    """What a browser posts for `form` when `button` is pressed after typing `typed`."""
    posted = {name: [value] for name, value in form.hidden}
    posted |= {f.name: [typed.get(f.name, "")] for f in form.fields}
    pressed = next(b for b in form.buttons if b.label == button)
    return posted | ({pressed.name: [pressed.value]} if pressed.name else {})


def test_pull_forms_sit_beside_what_they_change_and_post_what_the_rules_accept() -> None:
    clerk_2 = "clerk-2@acme.example"
    t = handed_over("init-forms")
    t.run(c.AddFrontLine(actor=OWNER, person=clerk_2))
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    t.run(c.SubmitIdea(actor=clerk_2, text="vendor ids, filled in " + "x" * 80))
    clerk = page_forms(available_actions(t.state, clerk_2, t.now), t.state)
    support = clerk.beside(Place.IDEA, "idea-1")
    assert support is not None and clerk.beside(Place.IDEA, "idea-2") is None  # their own
    assert [b.spoken for b in support.buttons] == ["Support idea-1"]
    owner = page_forms(available_actions(t.state, OWNER, t.now), t.state)
    triage = owner.beside(Place.TRIAGE, "idea-2")
    assert triage is not None and triage.key == "triage_idea-idea-2"
    (select,) = [f for f in triage.fields if f.kind == "select"]
    assert select.label == "Duplicate of"
    assert [value for value, _ in select.choices] == ["", "idea-1"]
    assert all(len(text) <= 70 for _, text in select.choices)
    (add,) = owner.at(Place.FRONT_LINE)
    removal = owner.beside(Place.MEMBER, CLERK)
    assert removal is not None and [f.kind for f in add.fields] == ["email"]
    for actor, form, button, typed in (
            (clerk_2, support, "Support", {}),
            (OWNER, triage, "Mark duplicate", {"duplicate_of": "idea-1"}),
            (OWNER, add, "Add person", {"person": "Clerk-3@ACME.example"}),
            (OWNER, removal, "Remove", {})):
        arguments = posted_arguments(form.action, _submitted(form, button, **typed)).arguments
        assert decide(t.state, command_for(form.action, arguments, actor), t.now), form.key
    t.run(command_for(triage.action, posted_arguments(triage.action, _submitted(
        triage, "Mark duplicate", duplicate_of="idea-1")).arguments, OWNER))
    assert t.state.ideas[1].status is IdeaStatus.DUPLICATE


def test_a_long_text_folds_between_words_and_keeps_every_character() -> None:
    text = "scan each invoice " * 40
    shown, rest = fold(text)
    assert shown + rest == text and len(shown) <= FOLD_AT and rest.startswith(" ")
    assert fold("short") == ("short", "")
    unbroken = "x" * (FOLD_AT + 5)
    assert fold(unbroken) == (unbroken[:FOLD_AT], unbroken[FOLD_AT:])


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "\\\\evil",
                                    "", None, "javascript:alert(1)"])
def test_after_sign_in_only_a_path_of_this_site_is_followed(target: str | None) -> None:
    assert local_path(target) == "/"


def test_a_csv_cell_never_starts_a_formula() -> None:
    assert _csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_cell("ap-lead@acme.example") == "ap-lead@acme.example"
    assert _csv_cell(None) == ""


def test_bar_charts_escape_their_labels() -> None:
    svg = str(bar_chart("x", "People <b>", [Bar("<script>", 1, "1")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_colours_pass_wcag_aa() -> None:
    css = (STATIC / "baton.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    white = "#ffffff"
    for text in ("ink", "muted", "accent", "alert", "ok", "warn"):
        assert contrast(colours[text], white) >= 4.5, text
    assert contrast(colours["ink"], colours["tint"]) >= 4.5
    assert contrast(colours["accent-ink"], colours["accent"]) >= 4.5
    assert contrast(white, colours["alert"]) >= 4.5
    assert contrast(white, "#14213d") >= 4.5  # the header
    assert contrast(colours["alert"], "#fdeef0") >= 4.5  # a refusal's text on its tint


@pytest.mark.parametrize(("scheme", "secure"), [("http", False), ("https", True)])
async def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
        scheme: str, secure: bool) -> None:
    async def touch(request: Request) -> Response:
        request.session["sid"] = "x"
        return PlainTextResponse("ok")

    app = PageSessions(Starlette(routes=[Route("/", touch)]), secret="s" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=f"{scheme}://baton.example") as client:
        cookie = (await client.get("/")).headers["set-cookie"].lower()
    assert cookie.startswith("baton_session=") and "httponly" in cookie
    assert "samesite=lax" in cookie
    assert ("secure" in cookie.split("; ")) is secure
