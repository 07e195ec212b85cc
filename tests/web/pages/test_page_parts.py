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

from domain import commands as c
from domain.available_actions import available_actions
from tests.domain.builders import OWNER, PMO, SPONSOR, Timeline, make_spec
from web.pages.bars import Bar, bar_chart
from web.pages.base import local_path
from web.pages.forms import action_forms, posted_arguments
from web.pages.pmo import _csv_cell
from web.pages.render import STATIC
from web.pages.session import PageSessions

BUTTONS = {"Approve launch", "Reject launch", "Deliver", "Complete step", "Accept ownership",
           "Approve review", "Send back", "Record reading", "Submit response plan",
           "Submit idea", "Adopt", "Decline", "Cancel initiative"}


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
