"""Whole journeys in a real browser: a German speaker typing decimals with a comma, a regression
answered within a response time of an hour, the statement the owner signs, the figures of what
the improvement is worth."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, expect

from domain import commands as c
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR
from tests.web.conftest import WebStack
from tests.workflows.scenario import HANDOFF
from workflows.client import InitiativeClient

from .conftest import headings_in_order, launched, shoot, signed_in

# Each journey closes its initiative: the stack is shared, and what stays open would sit on
# the same people's My work in the tests after.
DONE = c.Cancel(actor=PMO, reason="the journey is over")
STATEMENT = "I take over the invoice process at 5 days and keep it there."
HOURLY = {"sustainment": {"checks": ["30d", "60d"], "tolerance": 0.8, "response_within": "1h"},
          "benefit": {"per_unit": 40000, "currency": "EUR"},
          "handoff_statement": STATEMENT}


async def test_a_comma_decimal_is_read_and_a_mistyped_one_comes_back_with_its_problem(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:1], **HOURLY)
    page = await signed_in(browser, people, web, EXPERT, locale="de-DE")
    await page.goto(f"{web.url}/initiatives/{iid}")
    form = page.get_by_role("region", name="Deliver the improvement")
    await form.get_by_label("Value (days)").fill("5,2x")
    await form.get_by_role("button", name="Deliver").click()
    form = page.get_by_role("region", name="Deliver the improvement")
    field = form.get_by_label("Value (days)")
    await expect(field).to_have_value("5,2x")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(form.locator(".field-error")).to_contain_text("is not a number")
    await shoot(page, screenshots, "deliver-refused")
    await field.fill("5,2")
    await form.get_by_role("button", name="Deliver").click()
    await expect(page.get_by_role("status")).to_contain_text("improvement delivered at 5.2")
    await expect(page.get_by_text("5,2", exact=True)).to_be_visible()  # shown back her way
    assert (await initiatives.view(iid)).state.delivered_value == 5.2
    await initiatives.send(iid, DONE)


async def test_the_owner_signs_what_they_read_then_answers_a_regression_within_the_hour(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:4], **HOURLY)
    page = await signed_in(browser, people, web, OWNER)
    await page.goto(f"{web.url}/initiatives/{iid}")
    accept = page.get_by_role("region", name="Take over accountability")
    await expect(accept.locator("blockquote")).to_have_text(STATEMENT)
    await shoot(page, screenshots, "accept-statement")
    await accept.get_by_role("button", name="Accept ownership").click()
    await expect(page.get_by_role("status")).to_contain_text("ownership accepted")
    await expect(page.locator("dd blockquote")).to_have_text(STATEMENT)
    await initiatives.send(iid, HANDOFF[5])  # the PMO approves: sustaining

    await page.reload()
    form = page.get_by_role("region", name="Record a reading")
    await form.get_by_label("Value (days)").fill("9.5")
    await form.get_by_role("button", name="Record reading").click()
    await expect(page.get_by_role("status")).to_contain_text("regression detected")
    answer = page.get_by_role("region", name="Answer the regression")
    await expect(answer.get_by_label("Gain back within")).to_have_value("1h")
    await answer.get_by_label("Plan").fill("Retrain the new clerks on the SOP")
    await answer.get_by_role("button", name="Submit response plan").click()
    await expect(page.get_by_role("status")).to_contain_text("response plan")
    await expect(page.get_by_text(re.compile(r"Response plan.*Retrain the new clerks"))
                 ).to_be_visible()
    correct = page.get_by_role("region", name="Correct the latest reading")
    await expect(correct).to_contain_text("The latest reading is 9.5 days")
    await headings_in_order(page)
    await shoot(page, screenshots, "initiative-response-plan")
    await correct.get_by_label("Corrected value (days)").fill("5.1")
    await correct.get_by_label("Reason").fill("typed 9.5 for 5.1")
    await correct.get_by_role("button", name="Correct reading").click()
    await expect(page.get_by_role("status")).to_contain_text("corrected")
    await expect(page.get_by_role("heading", name="Benefit")).to_be_visible()
    assert [r.value for r in (await initiatives.view(iid)).state.readings][-1] == 5.1
    await initiatives.send(iid, DONE)


async def test_the_sponsor_approves_reading_the_business_case(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, **HOURLY)
    page = await signed_in(browser, people, web, SPONSOR)
    await page.goto(f"{web.url}/initiatives/{iid}")
    gate = page.get_by_role("region", name="Launch gate")
    await expect(gate).to_contain_text("280,000 EUR a year at the target")
    await expect(gate).to_contain_text("checks 30d, 60d after the handoff is approved")
    await expect(page.get_by_role("link", name="Launch")).to_have_count(0)
    await shoot(page, screenshots, "launch-gate")
    await initiatives.send(iid, DONE)
