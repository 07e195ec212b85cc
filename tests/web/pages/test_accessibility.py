"""Every page each role reaches, in the states that change what it shows (forms, refusals, field
problems, charts with a broken rule, ideas, the front line), measured by axe-core against
WCAG 2.2 A and AA: none may break a rule, at the desktop width or the phone's."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.async_api import Browser, BrowserContext, Page, expect

from app.identity import Grant
from domain import commands as c
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.web.conftest import WebStack
from tests.workflows.scenario import HANDOFF
from workflows.client import InitiativeClient

from .accessibility import wcag_violations
from .conftest import launched, signed_in

DONE = c.Cancel(actor=PMO, reason="measured")
AUDITOR = "auditor@acme.example"


@dataclass
class Measured:
    """The rules broken on each page visited, gathered so one run names every page at fault."""

    web: WebStack
    found: list[str] = field(default_factory=list)

    async def page(self, page: Page, name: str, path: str | None = None) -> None:
        if path is not None:
            await page.goto(f"{self.web.url}{path}")
        self.found += await wcag_violations(page, name)

    def assert_none(self) -> None:
        assert not self.found, "\n".join(self.found)


async def test_signing_in_breaks_no_rule(browser: Browser, people: list[BrowserContext],
                                         web: WebStack) -> None:
    measured = Measured(web)
    context = await browser.new_context()
    people.append(context)
    page = await context.new_page()
    await measured.page(page, "sign in", "/signin?next=/portfolio")
    await page.get_by_label("Token").fill("not a token")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await measured.page(page, "sign in refused")
    signed = await signed_in(browser, people, web, CLERK)
    await signed.get_by_role("button", name="Sign out").click()
    await expect(signed.get_by_role("status")).to_have_text("Signed out.")
    await measured.page(signed, "signed out")
    measured.assert_none()


async def test_the_sponsors_pages_break_no_rule(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    measured = Measured(web)
    proposed = await launched(initiatives, benefit={"per_unit": 40000, "currency": "EUR"})
    page = await signed_in(browser, people, web, SPONSOR)
    await measured.page(page, "sponsor's work", "/")
    await measured.page(page, "launch gate", f"/initiatives/{proposed}")
    await measured.page(page, "audit refused", f"/initiatives/{proposed}/audit")
    await measured.page(page, "unknown initiative", "/initiatives/no-such-thing")
    await initiatives.send(proposed, DONE)
    await measured.page(page, "cancelled", f"/initiatives/{proposed}")
    measured.assert_none()


async def test_the_pmos_pages_break_no_rule(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    measured = Measured(web)
    in_review = await launched(initiatives, *HANDOFF[:5])
    page = await signed_in(browser, people, web, PMO, Grant.PMO)
    await measured.page(page, "PMO's work", "/")
    await measured.page(page, "portfolio", "/portfolio")
    await measured.page(page, "portfolio filtered", "/portfolio?phase=in_review")
    await measured.page(page, "ownership review", f"/initiatives/{in_review}")
    await measured.page(page, "audit", f"/initiatives/{in_review}/audit?verify=1")
    await measured.page(page, "audit replayed", f"/initiatives/{in_review}/audit?version=2")
    await measured.page(page, "launch", "/launch")
    await page.get_by_label("Spec (YAML)").fill("name: half a spec\nsponsor: 5\n")
    await page.get_by_role("button", name="Validate").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await measured.page(page, "launch refused")
    await initiatives.send(in_review, DONE)
    measured.assert_none()


async def test_the_experts_pages_break_no_rule(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    measured = Measured(web)
    improving = await launched(initiatives, *HANDOFF[:1])
    page = await signed_in(browser, people, web, EXPERT)
    await measured.page(page, "improving", f"/initiatives/{improving}")
    form = page.get_by_role("region", name="Deliver the improvement")
    await form.get_by_label("Value (days)").fill("five")
    await form.get_by_role("button", name="Deliver").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await measured.page(page, "delivery refused with its field's problem")
    await initiatives.send(improving, DONE)
    measured.assert_none()


async def test_the_owners_pages_break_no_rule(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    measured = Measured(web)
    handing_off = await launched(initiatives, *HANDOFF[:3])
    regressed = await launched(
        initiatives, *HANDOFF, c.RecordReading(actor=OWNER, value=5.1),
        c.RecordReading(actor=OWNER, value=9.5),
        c.SubmitIdea(actor=CLERK, text="Pre-fill vendor ids " * 30),
        c.SubmitIdea(actor=CLERK, text="Scan the paper invoices at the door"))
    page = await signed_in(browser, people, web, OWNER)
    await measured.page(page, "owner's work", "/")
    await measured.page(page, "handing off", f"/initiatives/{handing_off}")
    await measured.page(page, "regressed, with ideas to triage", f"/initiatives/{regressed}")
    await initiatives.send(regressed, c.SubmitResponsePlan(actor=OWNER, action="retrain",
                                                           within="1h"))
    await measured.page(page, "response plan", f"/initiatives/{regressed}")
    for iid in (handing_off, regressed):
        await initiatives.send(iid, DONE)
    measured.assert_none()


async def test_the_front_lines_pages_break_no_rule(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    measured = Measured(web)
    backer = "clerk-2@acme.example"
    open_ = await launched(initiatives, *HANDOFF[:1],
                           c.SubmitIdea(actor=CLERK, text="Pre-fill vendor ids"),
                           front_line=[CLERK, backer])
    page = await signed_in(browser, people, web, backer)
    await measured.page(page, "idea form", f"/initiatives/{open_}/ideas/new")
    await page.get_by_label("Text").fill("Scan the paper invoices at the door")
    await page.get_by_role("button", name="Submit idea").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await measured.page(page, "front line's work with its ideas")
    await measured.page(page, "ideas to support", f"/initiatives/{open_}")
    await initiatives.send(open_, DONE)
    await measured.page(page, "idea form of a closed initiative",
                        f"/initiatives/{open_}/ideas/new")
    measured.assert_none()


async def test_the_auditors_pages_break_no_rule(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    measured = Measured(web)
    sustaining = await launched(initiatives, *HANDOFF, c.RecordReading(actor=OWNER, value=5.1),
                                c.RecordReading(actor=OWNER, value=9.5))
    page = await signed_in(browser, people, web, AUDITOR, Grant.AUDITOR)
    await measured.page(page, "auditor's work", "/")
    await measured.page(page, "audit with a broken rule", f"/initiatives/{sustaining}/audit")
    await measured.page(page, "audit verified", f"/initiatives/{sustaining}/audit?verify=1")
    await measured.page(page, "audit refused input",
                        f"/initiatives/{sustaining}/audit?as_of=yesterday")
    await initiatives.send(sustaining, DONE)
    measured.assert_none()
