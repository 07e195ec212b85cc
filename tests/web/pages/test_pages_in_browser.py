"""The pages in a real browser against the real server: people find controls by role and label,
as they would, and every page is photographed at 1280 and 375 pixels wide."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, expect

from app.identity import Grant
from domain import commands as c
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.web.conftest import WebStack
from tests.workflows.scenario import HANDOFF
from workflows.client import InitiativeClient

from .conftest import headings_in_order, launched, no_horizontal_scroll, shoot, signed_in


async def test_owner_signs_in_completes_a_step_with_evidence_and_accepts_ownership(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:3])  # approved, delivered, sop done
    anonymous = await browser.new_context()
    people.append(anonymous)
    signin = await anonymous.new_page()
    answer = await signin.goto(f"{web.url}/initiatives/{iid}")
    assert answer is not None
    await expect(signin.get_by_label("Token")).to_be_visible()  # sent to sign in first
    # The identity provider is configured here too: its sign-in is one button away.
    provider = signin.get_by_role("link", name=re.compile(r"^Sign in with "))
    await expect(provider).to_have_attribute("href", re.compile(r"^/auth/login\?next="))
    await shoot(signin, screenshots, "signin")

    page = await signed_in(browser, people, web, OWNER)
    await headings_in_order(page)
    await shoot(page, screenshots, "my-work")
    await page.get_by_role("link", name="Control plan agreed").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cut invoice cycle time")
    # Only what this person may do now: the owner's step, not the sponsor's gate.
    await expect(page.get_by_role("button", name="Approve launch")).to_have_count(0)
    step = page.get_by_role("region", name="Step: Control plan agreed")
    await step.get_by_label("Evidence").fill("Control plan v2 <b>signed</b>")
    await step.get_by_role("button", name="Complete step").click()
    await expect(page.get_by_role("status")).to_contain_text("step control-plan completed")
    await expect(page.get_by_role("cell", name="Control plan v2 <b>signed</b>")).to_be_visible()
    await page.get_by_role("button", name="Accept ownership").click()
    await expect(page.get_by_role("status")).to_contain_text("ownership accepted")
    await expect(page.get_by_text("in review", exact=True)).to_be_visible()
    await headings_in_order(page)
    await shoot(page, screenshots, "initiative")

    view = await initiatives.view(iid)
    step_done = view.state.step("control-plan")
    assert step_done is not None and step_done.completed_by == OWNER
    assert step_done.evidence == "Control plan v2 <b>signed</b>"
    # The record says how the page knew who acted: the token it was signed in with.
    recorded = [r.event for r in await web.store.read_stream(iid)]
    assert [(e.actor, e.provenance and e.provenance.method.value) for e in recorded[-2:]] == [
        (OWNER, "token"), (OWNER, "token")]


async def test_a_refusal_shows_the_domains_reason_and_records_nothing(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:2])  # the expert's sop step still open
    page = await signed_in(browser, people, web, EXPERT)
    await page.goto(f"{web.url}/initiatives/{iid}")
    before = await web.events_of(iid)
    # Meanwhile the step is completed through another door: the page's form is now refused.
    await initiatives.send(iid, c.CompleteStep(actor=EXPERT, step_id="sop"))
    await page.get_by_role("region", name="Step: Standard work documented").get_by_role(
        "button", name="Complete step").click()
    await expect(page.get_by_role("alert")).to_contain_text("step 'sop' is already done")
    assert await web.events_of(iid) == before + 1  # only the step sent beside the page


async def test_a_regressing_reading_is_marked_on_the_chart(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF)
    page = await signed_in(browser, people, web, OWNER)
    await page.goto(f"{web.url}/initiatives/{iid}")
    form = page.get_by_role("region", name="Record a reading")
    await form.get_by_label("Value (days)").fill("5.1")
    await form.get_by_role("button", name="Record reading").click()
    await expect(page.get_by_role("status")).to_contain_text("reading 5.1 recorded")
    form = page.get_by_role("region", name="Record a reading")
    await form.get_by_label("Value (days)").fill("9.5")
    await form.get_by_role("button", name="Record reading").click()
    await expect(page.get_by_role("status")).to_contain_text("regression detected")

    chart = page.get_by_role("img", name="Control chart of invoice cycle time")
    await expect(chart).to_be_visible()
    await expect(chart.locator("g.violation")).to_have_count(1)
    await expect(chart.locator("g.violation text")).to_have_text("WE1")
    await expect(page.locator("figcaption")).to_contain_text(
        re.compile(r"Reading 3 \(\d{4}-\d\d-\d\d\): WE1 one point beyond 3 sigma"))
    table = page.get_by_role("table", name="Readings of invoice cycle time")
    await expect(table.get_by_role("row").last).to_contain_text("regression")
    await expect(page.get_by_role("button", name="Submit response plan")).to_be_visible()
    await shoot(page, screenshots, "initiative-regressed")


async def test_an_idea_from_a_phone_is_triaged_by_the_owner(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:1])
    clerk = await signed_in(browser, people, web, CLERK, width=375)
    await clerk.goto(f"{web.url}/initiatives/{iid}/ideas/new")
    assert await no_horizontal_scroll(clerk)
    await shoot(clerk, screenshots, "idea")
    await clerk.get_by_label("Text").fill("Scan paper invoices <script>alert(1)</script>")
    await clerk.get_by_role("button", name="Submit idea").click()
    await expect(clerk.get_by_role("status")).to_contain_text("idea idea-1 submitted")
    ideas = clerk.get_by_role("table", name="What became of your ideas")
    await expect(ideas).to_contain_text("Scan paper invoices <script>alert(1)</script>")
    await expect(ideas).to_contain_text("pending")
    assert await no_horizontal_scroll(clerk)

    owner = await signed_in(browser, people, web, OWNER)
    triage_link = owner.get_by_role("link", name=re.compile(r"^Triage idea: Scan paper"))
    await expect(triage_link).to_be_visible()
    await triage_link.click()
    triage = owner.get_by_role("region", name="Triage idea-1")
    await triage.get_by_label("Reason").fill("cheap, and the team asked for it")
    await triage.get_by_role("button", name="Adopt").click()
    await expect(owner.get_by_role("status")).to_contain_text("idea idea-1 adopted")

    await clerk.reload()
    await expect(ideas).to_contain_text("adopted")
    await expect(ideas).to_contain_text("cheap, and the team asked for it")
    await shoot(clerk, screenshots, "my-work-phone")


async def test_the_pmo_sees_the_portfolio_and_downloads_its_csv(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF)
    page = await signed_in(browser, people, web, PMO, Grant.PMO)
    await page.get_by_role("link", name="Portfolio").click()
    await expect(page.get_by_role("img", name="Initiatives by phase")).to_be_visible()
    await page.get_by_label("Phase", exact=True).select_option("sustaining")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"phase=sustaining"))
    await expect(page.get_by_role("link", name="Cut invoice cycle time").first).to_be_visible()
    await headings_in_order(page)
    await shoot(page, screenshots, "portfolio")

    async with page.expect_download() as listed:
        await page.get_by_role("link", name="Download CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(
        Path(await (await listed.value).path()).read_text())))
    assert iid in {row["initiative_id"] for row in rows}
    assert {row["phase"] for row in rows} == {"sustaining"}
    async with page.expect_download() as reliability:
        await page.get_by_role("link", name="Download CSV").nth(1).click()
    header = Path(await (await reliability.value).path()).read_text().splitlines()[0]
    assert header == "person,on_time,late,overdue,not_yet_due,reliability"


async def test_the_pmo_validates_then_launches_a_spec(
    browser: Browser, people: list[BrowserContext], web: WebStack, screenshots: Path,
) -> None:
    page = await signed_in(browser, people, web, PMO, Grant.PMO)
    await page.get_by_role("link", name="Launch").click()
    spec = Path("examples/sustains.yaml").read_text()
    await page.get_by_label("Spec (YAML)").fill(spec.replace("target: 5", "target: many"))
    await page.get_by_role("button", name="Validate").click()
    await expect(page.get_by_role("alert")).to_contain_text("metric.target")
    await expect(page.get_by_role("alert").locator("li strong").first).to_have_text(
        re.compile(r"line \d+"))
    await shoot(page, screenshots, "launch")
    await page.get_by_label("Spec (YAML)").fill(spec)
    await page.get_by_role("button", name="Validate").click()
    await expect(page.get_by_role("status")).to_contain_text("can be launched")
    await page.get_by_role("button", name="Launch").click()
    await expect(page.get_by_role("status")).to_contain_text("Launched")
    await expect(page.get_by_text("proposed", exact=True)).to_be_visible()


async def test_the_pmo_audits_the_record(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF)
    page = await signed_in(browser, people, web, PMO, Grant.PMO)
    await page.goto(f"{web.url}/initiatives/{iid}/audit")
    await page.get_by_role("button", name="Verify the record").click()
    await expect(page.get_by_role("status").first).to_contain_text("INTACT")
    await page.get_by_label("Or as of version").fill("2")
    await page.get_by_role("button", name="Replay").click()
    await expect(page.get_by_role("heading", name="The record at version 2")).to_be_visible()
    await shoot(page, screenshots, "audit")
    async with page.expect_download() as report:
        await page.get_by_role("link", name="HTML").click()
    document = Path(await (await report.value).path()).read_text()
    assert "<svg" in document and "Control chart of invoice cycle time" in document

    outsider = await signed_in(browser, people, web, SPONSOR)
    answer = await outsider.goto(f"{web.url}/initiatives/{iid}/audit")
    assert answer is not None and answer.status == 403


async def test_a_post_without_its_csrf_token_is_refused_and_records_nothing(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    iid = await launched(initiatives)
    page = await signed_in(browser, people, web, SPONSOR)
    answer = await page.goto(f"{web.url}/initiatives/{iid}")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy.replace("default-src", "")
    before = await web.events_of(iid)
    refused = await page.request.post(f"{web.url}/initiatives/{iid}/actions/approve-launch",
                                      form={}, max_redirects=0)
    assert refused.status == 403
    forged = await page.request.post(f"{web.url}/initiatives/{iid}/actions/approve-launch",
                                     form={"csrf": "0" * 64}, max_redirects=0)
    assert forged.status == 403
    assert await web.events_of(iid) == before
    # The page's own form, from the keyboard.
    await page.get_by_role("button", name="Approve launch").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("launch approved")
    assert await web.events_of(iid) == before + 1

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("status")).to_have_text("Signed out.")
    await page.goto(f"{web.url}/")
    await expect(page.get_by_label("Token")).to_be_visible()


async def test_a_long_idea_folds_into_its_card_on_a_phone(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    backer = "clerk-2@acme.example"
    short = "Pre-fill vendor ids"
    ending = "File the scans by vendor."
    long = ("Scan each paper invoice in the mail room before it reaches the desk. " * 60
            )[:4000 - len(ending) - 1] + " " + ending
    assert len(long) == 4000  # the most an idea may hold
    front_line = [CLERK, backer]
    short_only = await launched(initiatives, c.SubmitIdea(actor=CLERK, text=short),
                                c.SubmitIdea(actor=CLERK, text=short), front_line=front_line)
    with_long = await launched(initiatives, c.SubmitIdea(actor=CLERK, text=short),
                               c.SubmitIdea(actor=CLERK, text=long), front_line=front_line)
    page = await signed_in(browser, people, web, backer, width=375)

    async def height(iid: str) -> int:
        await page.goto(f"{web.url}/initiatives/{iid}")
        return int(await page.evaluate("document.documentElement.scrollHeight"))

    shorter = await height(short_only)
    assert await height(with_long) - shorter < 2500  # the page left open is the long idea's
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    card = page.get_by_role("article").filter(has_text=long[:100])
    await expect(card.get_by_role("button", name="Support idea-2")).to_be_visible()
    await expect(card).to_contain_text(CLERK)
    await shoot(page, screenshots, "ideas-folded")

    await expect(card.get_by_text(ending)).to_be_hidden()
    await card.get_by_text("more", exact=True).click()
    await expect(card.get_by_text(ending)).to_be_visible()
    await shoot(page, screenshots, "ideas-unfolded")
