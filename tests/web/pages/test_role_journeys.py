"""One journey per role through its main path in a real browser, each meeting a refusal on the
way, as each person meets it: the sponsor's gate, the PMO's launch, the expert's delivery, the
owner's acceptance, the front line's ideas and the auditor's record. Each step is photographed
at 1280 and 375 pixels wide (`.baton/screenshots/journey-*`)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, expect

from app.identity import Grant
from domain import commands as c
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.web.conftest import WebStack
from tests.workflows.scenario import HANDOFF
from workflows.client import InitiativeClient

from .conftest import launched, shoot, signed_in

DONE = c.Cancel(actor=PMO, reason="the journey is over")
AUDITOR = "auditor@acme.example"


async def second_tab(page: Page) -> Page:
    """The same person's page open in another tab, left as it is while the first acts."""
    other = await page.context.new_page()
    await other.goto(page.url)
    return other


async def test_the_sponsor_approves_the_launch_and_a_stale_tab_is_refused(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, benefit={"per_unit": 40000, "currency": "EUR"})
    page = await signed_in(browser, people, web, SPONSOR)
    await page.locator(f'a[href^="/initiatives/{iid}"]').first.click()
    gate = page.get_by_role("region", name="Launch gate")
    await expect(gate).to_contain_text("280,000 EUR a year at the target")
    await shoot(page, screenshots, "journey-sponsor-gate")
    stale = await second_tab(page)
    await gate.get_by_role("button", name="Approve launch").click()
    await expect(page.get_by_role("status")).to_contain_text("launch approved")
    await expect(page.get_by_text("improving", exact=True)).to_be_visible()

    # The other tab still offers the gate: a rejection from it comes too late.
    rejection = stale.get_by_role("region", name="Reject the launch")
    await rejection.get_by_label("Reason").fill("not this quarter")
    await rejection.get_by_role("button", name="Reject launch").click()
    await expect(stale.get_by_role("alert")).to_contain_text("Refused")
    await shoot(stale, screenshots, "journey-sponsor-refused")
    assert (await initiatives.view(iid)).state.phase.value == "improving"
    await initiatives.send(iid, DONE)


async def test_the_pmo_fixes_a_refused_spec_launches_it_and_finds_it_in_the_portfolio(
    browser: Browser, people: list[BrowserContext], web: WebStack, screenshots: Path,
) -> None:
    page = await signed_in(browser, people, web, PMO, Grant.PMO)
    await page.get_by_role("link", name="Launch").click()
    name = f"Faster month-end close {uuid.uuid4().hex[:6]}"
    spec = Path("examples/sustains.yaml").read_text().replace(
        "name: Cut invoice cycle time", f"name: {name}")
    broken = (spec.replace("response_within: 1h", "response_within: 2025-01-01")
              .replace("target: 5", "target: many"))
    await page.get_by_label("Spec (YAML)").fill(broken)
    await page.get_by_role("button", name="Validate").click()
    problems = page.get_by_role("alert").get_by_role("listitem")
    await expect(problems).to_have_count(2)
    # In the order of the file, each naming its field and what it takes.
    await expect(problems.nth(0)).to_contain_text(re.compile(r"line 13: metric\.target: "))
    await expect(problems.nth(1)).to_contain_text("sustainment.response_within")
    await expect(problems.nth(1)).to_contain_text("like 1h, 14d or 2w")
    await expect(page.get_by_role("alert")).not_to_contain_text("datetime")
    await shoot(page, screenshots, "journey-pmo-refused-spec")

    await page.get_by_label("Spec (YAML)").fill(spec)
    await page.get_by_role("button", name="Launch").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Launched: {name}")
    await page.get_by_role("link", name="Portfolio").click()
    await page.get_by_label("Phase", exact=True).select_option("proposed")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_role("link", name=name)).to_be_visible()
    await shoot(page, screenshots, "journey-pmo-portfolio")
    await page.get_by_role("link", name=name).click()
    await page.get_by_role("region", name="Cancel the initiative").get_by_label(
        "Reason").fill("launched by the journey test")
    await page.get_by_role("button", name="Cancel initiative").click()
    await expect(page.get_by_role("status")).to_contain_text("cancelled")


async def test_the_expert_delivers_after_a_refused_value_and_documents_the_standard_work(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:1])
    page = await signed_in(browser, people, web, EXPERT, width=375)
    await page.locator(f'a[href^="/initiatives/{iid}"]').first.click()
    deliver = page.get_by_role("region", name="Deliver the improvement")
    await deliver.get_by_label("Value (days)").fill("five")
    await deliver.get_by_role("button", name="Deliver").click()
    await expect(page.get_by_role("alert")).to_contain_text("is not a number")
    await shoot(page, screenshots, "journey-expert-refused")
    deliver = page.get_by_role("region", name="Deliver the improvement")
    await deliver.get_by_label("Value (days)").fill("5.2")
    await deliver.get_by_role("button", name="Deliver").click()
    await expect(page.get_by_role("status")).to_contain_text("improvement delivered at 5.2")
    step = page.get_by_role("region", name="Step: Standard work documented")
    await step.get_by_label("Evidence").fill("https://wiki.acme.example/sop-v3")
    await step.get_by_role("button", name="Complete step").click()
    await expect(page.get_by_role("status")).to_contain_text("step sop completed")
    await expect(page.get_by_role("link", name="https://wiki.acme.example/sop-v3")).to_be_visible()
    await shoot(page, screenshots, "journey-expert-step-done")
    await initiatives.send(iid, DONE)


async def test_the_owner_is_refused_an_accountable_person_on_the_front_line_then_accepts(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:3])
    page = await signed_in(browser, people, web, OWNER)
    await page.locator(f'a[href^="/initiatives/{iid}"]').filter(
        has_text="Control plan agreed").click()
    add = page.get_by_role("region", name="Add to the front line")
    await add.get_by_label("E-mail").fill(SPONSOR)
    await add.get_by_role("button", name="Add person").click()
    await expect(page.get_by_role("alert")).to_contain_text(SPONSOR)
    await shoot(page, screenshots, "journey-owner-refused")
    step = page.get_by_role("region", name="Step: Control plan agreed")
    await step.get_by_label("Evidence").fill("Control plan v2, signed")
    await step.get_by_role("button", name="Complete step").click()
    await expect(page.get_by_role("status")).to_contain_text("step control-plan completed")
    await page.get_by_role("button", name="Accept ownership").click()
    await expect(page.get_by_role("status")).to_contain_text("ownership accepted")
    await shoot(page, screenshots, "journey-owner-accepted")
    assert SPONSOR not in ((await initiatives.view(iid)).state.front_line or ())
    await initiatives.send(iid, DONE)


async def test_the_front_line_submits_and_supports_ideas_and_a_stale_support_is_refused(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    backer = "clerk-2@acme.example"
    iid = await launched(initiatives, *HANDOFF[:1],
                         c.SubmitIdea(actor=CLERK, text="Pre-fill vendor ids"),
                         c.SubmitIdea(actor=CLERK, text="File the scans by vendor"),
                         front_line=[CLERK, backer])
    page = await signed_in(browser, people, web, backer, width=375)
    await page.goto(f"{web.url}/initiatives/{iid}/ideas/new")
    await page.get_by_label("Text").fill("Scan the paper invoices at the door")
    await page.get_by_role("button", name="Submit idea").click()
    await expect(page.get_by_role("status")).to_contain_text("submitted")
    await expect(page.get_by_role("table", name="What became of your ideas")).to_contain_text(
        "Scan the paper invoices at the door")
    await shoot(page, screenshots, "journey-front-line-ideas")

    await page.get_by_role("link", name="Cut invoice cycle time").first.click()
    await page.get_by_role("button", name="Support idea-1").click()
    await expect(page.get_by_role("status")).to_contain_text("support")
    await expect(page.get_by_text("(you among them)")).to_be_visible()
    # Cancelled while the page is open: its button is refused, and says why.
    await initiatives.send(iid, DONE)
    await page.get_by_role("button", name="Support idea-2").click()
    await expect(page.get_by_role("alert")).to_contain_text("Refused")
    await shoot(page, screenshots, "journey-front-line-refused")


async def test_the_auditor_verifies_replays_and_is_told_what_a_moment_looks_like(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF, c.RecordReading(actor=OWNER, value=5.1))
    page = await signed_in(browser, people, web, AUDITOR, Grant.AUDITOR)
    await page.goto(f"{web.url}/initiatives/{iid}/audit")
    await page.get_by_role("button", name="Verify the record").click()
    await expect(page.get_by_role("status").first).to_contain_text("INTACT")
    await page.get_by_label("As of (date and time, UTC)").fill("yesterday")
    await page.get_by_role("button", name="Replay").click()
    # The audit page again, the mistake beside its field and the typed text kept to correct.
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Audit: "))
    as_of = page.get_by_label("As of (date and time, UTC)")
    await expect(as_of).to_have_value("yesterday")
    await expect(as_of).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("main")).to_contain_text("like 2026-03-01T09:00Z")
    await shoot(page, screenshots, "journey-auditor-refused")
    await as_of.fill("")
    await page.get_by_label("Or as of version").fill("3")
    await page.get_by_role("button", name="Replay").click()
    await expect(page.get_by_role("heading", name=re.compile(r"The record at version 3 of"))
                 ).to_be_visible()
    await shoot(page, screenshots, "journey-auditor-replay")
    async with page.expect_download() as report:
        await page.get_by_role("link", name="JSON").click()
    assert iid in Path(await (await report.value).path()).read_text()
    await initiatives.send(iid, DONE)
