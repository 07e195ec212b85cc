"""`baton audit report`: the record to file, in Markdown, JSON, and HTML that a browser opens
offline."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncpg
import pytest

from domain import commands as c
from tests.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.workflows.scenario import quick_spec, wait_for

from .conftest import CALM, AuditStack, tamper
from .test_replay import launched

SECTIONS = ("Summary", "Spec and roles", "Timeline", "Handoff evidence", "Sustainment checks",
            "Ideas and triage", "Commitments", "Verification")


async def eventful(stack: AuditStack) -> str:
    """A handoff sent back once, then approved; an idea adopted; a reading recorded."""
    initiatives = stack.initiatives
    iid = await initiatives.launch(quick_spec(**CALM), PMO)
    await wait_for(initiatives, iid, launched)
    for command in (
        c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5.2),
        c.CompleteStep(actor=EXPERT, step_id="sop", evidence="wiki/ap/sop-v3"),
        c.CompleteStep(actor=OWNER, step_id="control-plan"), c.AcceptOwnership(actor=OWNER),
        c.SendBack(actor=PMO, reason="no reaction rule", reopen=["control-plan"]),
        c.CompleteStep(actor=OWNER, step_id="control-plan", evidence="control plan v2"),
        c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO),
        c.SubmitIdea(actor=CLERK, text="Scan paper invoices at the mail room"),
        c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True, reason="cheap"),
        c.RecordReading(actor=OWNER, value=5.1),
    ):
        await initiatives.send(iid, command)
    return iid


@pytest.fixture(scope="module")
async def reported(audit_stack: AuditStack) -> str:
    return await eventful(audit_stack)


async def test_markdown_and_json_hold_every_section(audit_stack: AuditStack, reported: str) -> None:
    markdown = (await audit_stack.baton.ok("audit", "report", reported)).stdout
    for title in SECTIONS:
        assert f"\n## {title}\n" in markdown
    assert "**Record:** INTACT" in markdown
    assert "| control-plan | Control plan agreed | owner | done |" in markdown
    assert "no reaction rule" in markdown and "wiki/ap/sop-v3" in markdown

    report = (await audit_stack.baton.ok("audit", "report", reported, "--format", "json")).json
    assert report["verification"]["intact"] is True
    assert report["verification"]["workflow"]["version"] == report["initiative"]["version"]
    assert [s["reason"] for s in report["handoff"]["send_backs"]] == ["no reaction rule"]
    assert report["ideas"][0]["triaged_on_time"] is True
    assert report["readings"][-1]["value"] == 5.1
    assert report["commitments"]["tally"]["on time"] >= 2  # the control plan and the idea
    own = [line for line in report["timeline"] if line.get("stream") != "pull"]
    assert len(own) == report["initiative"]["version"]
    assert {line["type"] for line in report["timeline"] if line.get("stream") == "pull"} >= {
        "IdeaSubmitted", "IdeaAdopted"}
    assert report["pull_verification"]["intact"] is True


async def test_an_altered_record_is_reported_as_such(
    audit_stack: AuditStack, admin: asyncpg.Connection
) -> None:
    iid = await audit_stack.recorded()
    await tamper(admin, audit_stack.store.schema,
                 f"UPDATE {audit_stack.events_table} SET actor = 'someone-else' "
                 f"WHERE stream_id = '{iid}' AND version = 6")
    outcome = await audit_stack.baton("audit", "report", iid)
    assert outcome.code == 1
    assert "**Record:** ALTERED at version 6: stored content does not match" in outcome.stdout


async def test_html_report_opens_offline_in_a_browser(
    audit_stack: AuditStack, reported: str, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    await audit_stack.baton.ok("audit", "report", reported, "--format", "html", "-o", str(page))
    document = page.read_text()
    # One file: nothing to fetch, nothing to run.
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|url\(", document)
    assert "INTACT" in document and "Handoff evidence" in document
    # The readings drawn on the server, named for a screen reader, with their table beside.
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in document
    assert "Control chart of invoice cycle time" in document
    assert "Readings of invoice cycle time" in document

    browser = chromium_or_skip()
    screenshot = tmp_path / "report.png"
    dom = await _headless(browser, "--dump-dom", page.as_uri())
    assert "Audit record: Cut invoice cycle time" in dom and "control plan v2" in dom
    await _headless(browser, f"--screenshot={screenshot}", "--window-size=1280,2400",
                    page.as_uri())
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one


async def _headless(browser: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        browser, "--headless", *CHROMIUM_ARGS, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()
