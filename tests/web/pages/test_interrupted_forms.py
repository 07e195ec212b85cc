"""Forms interrupted as people interrupt them, in a real browser: the session ends while a form
is being filled in, or Back is pressed after sending it and it is sent again."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, expect

from domain import commands as c
from tests.domain.builders import OWNER, PMO
from tests.web.conftest import WebStack
from tests.workflows.scenario import HANDOFF
from workflows.client import InitiativeClient

from .conftest import launched, shoot, signed_in

DONE = c.Cancel(actor=PMO, reason="the journey is over")


def newcomer() -> str:
    """A front-line person of this test alone, whose sessions it may end."""
    return f"clerk-{uuid.uuid4().hex[:8]}@acme.example"


async def session_ends(web: WebStack, person: str) -> None:
    await web.store.pool.execute(
        f"UPDATE {web.store.schema}.web_sessions SET expires_at = now() "
        "WHERE person = $1 AND ended_at IS NULL", person)


async def sign_in_again(page: Page, web: WebStack, person: str) -> None:
    """On the sign-in page the refused form led to: only a token away from the form."""
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Baton")
    await page.get_by_label("Token").fill(await web.token(person))
    await page.get_by_role("button", name="Sign in").click()


async def test_an_idea_typed_as_the_session_ended_is_back_in_its_form_after_signing_in(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    clerk = newcomer()
    iid = await launched(initiatives, *HANDOFF[:1], front_line=[clerk])
    page = await signed_in(browser, people, web, clerk, width=375)
    idea_page = f"{web.url}/initiatives/{iid}/ideas/new"
    await page.goto(idea_page)
    typed = "Pre-fill the vendor id from the purchase order,\nthen check it at the desk."
    await page.get_by_label("Text").fill(typed)
    await session_ends(web, clerk)
    await page.get_by_role("button", name="Submit idea").click()
    await sign_in_again(page, web, clerk)
    assert page.url == idea_page  # the form's page, never the address it posts to
    await expect(page.get_by_label("Text")).to_have_value(typed)
    await shoot(page, screenshots, "idea-kept-after-signing-in")
    await page.get_by_role("button", name="Submit idea").click()
    await expect(page.get_by_role("status")).to_contain_text("submitted")
    await initiatives.send(iid, DONE)


async def test_a_reading_typed_as_the_session_ended_is_back_in_its_form_after_signing_in(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    iid = await launched(initiatives, *HANDOFF)
    page = await signed_in(browser, people, web, OWNER)
    initiative_page = f"{web.url}/initiatives/{iid}"
    await page.goto(initiative_page)
    await page.get_by_role("region", name="Record a reading").get_by_label(
        "Value (days)").fill("5.3")
    await session_ends(web, OWNER)
    await page.get_by_role("region", name="Record a reading").get_by_role(
        "button", name="Record reading").click()
    await sign_in_again(page, web, OWNER)
    assert page.url == initiative_page
    reading = page.get_by_role("region", name="Record a reading")
    await expect(reading.get_by_label("Value (days)")).to_have_value("5.3")
    await reading.get_by_role("button", name="Record reading").click()
    await expect(page.get_by_role("status")).to_contain_text("reading 5.3 recorded")
    await initiatives.send(iid, DONE)


async def test_an_idea_sent_again_after_back_is_recorded_once(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient,
) -> None:
    clerk = newcomer()
    iid = await launched(initiatives, *HANDOFF[:1], front_line=[clerk])
    page = await signed_in(browser, people, web, clerk)
    await page.goto(f"{web.url}/initiatives/{iid}/ideas/new")
    text = "Scan the paper invoices at the door"
    await page.get_by_label("Text").fill(text)
    await page.get_by_role("button", name="Submit idea").click()
    await expect(page.get_by_role("status")).to_contain_text("submitted")
    await page.go_back()
    await expect(page.get_by_role("button", name="Submit idea")).to_be_visible()
    if not await page.get_by_label("Text").input_value():  # the browser may keep it, or not
        await page.get_by_label("Text").fill(text)
    await page.get_by_role("button", name="Submit idea").click()
    await expect(page.get_by_role("status")).to_be_visible()
    mine = page.get_by_role("table", name="What became of your ideas")
    await expect(mine.get_by_role("row").filter(has_text=text)).to_have_count(1)
    await initiatives.send(iid, DONE)
