"""The owner's journey with the keyboard alone: Tab to move, Enter and Space to follow and to
press, typing into fields; every stop the focus makes shows where it is."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from domain import commands as c
from tests.domain.builders import OWNER, PMO
from tests.web.conftest import WebStack
from tests.workflows.scenario import HANDOFF
from workflows.client import InitiativeClient

from .conftest import launched, shoot

MOST_TABS = 250  # more stops than any page has: a control never reached fails, not hangs
# The focus ring is the stylesheet's: an outline at least this wide, not the element's border.
FOCUS_OUTLINE_PX = 2


async def _focus_shows(page: Page) -> str:
    """What is focused, as a person would name it, once its focus is checked to be visible."""
    focused = await page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {name: (el.innerText || el.value || el.getAttribute('aria-label') || el.id
                       || el.tagName).trim().slice(0, 60),
                outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                shown: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
                       && box.top < innerHeight && box.left < innerWidth};
    }""")
    assert focused["outline"] != "none" and focused["width"] >= FOCUS_OUTLINE_PX, focused
    assert focused["shown"], f"{focused['name']} has the focus off screen"
    return str(focused["name"])


async def tab_to(page: Page, target: Locator) -> None:
    """Tab, checking each stop shows its focus, until `target` has it."""
    stops = []
    for _ in range(MOST_TABS):
        await page.keyboard.press("Tab")
        stops.append(await _focus_shows(page))
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}; it stopped at {stops}")


async def test_the_owner_signs_in_accepts_and_records_a_reading_from_the_keyboard(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(initiatives, *HANDOFF[:4])  # the owner's acceptance is what is left
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    people.append(context)
    page = await context.new_page()
    await page.goto(f"{web.url}/signin")
    await tab_to(page, page.get_by_label("Token"))
    await page.keyboard.type(await web.token(OWNER))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()

    await tab_to(page, page.locator(f'a[href^="/initiatives/{iid}"]').first)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cut invoice cycle time")
    accept = page.get_by_role("button", name="Accept ownership")
    await tab_to(page, accept)
    await shoot(page, screenshots, "keyboard-accept-focused")
    await page.keyboard.press("Space")
    await expect(page.get_by_role("status")).to_contain_text("ownership accepted")

    await initiatives.send(iid, HANDOFF[5])  # the PMO approves the handoff: checks begin
    await page.reload()
    reading = page.get_by_role("region", name="Record a reading")
    await tab_to(page, reading.get_by_label("Value (days)"))
    await page.keyboard.type("5.1")
    await tab_to(page, reading.get_by_role("button", name="Record reading"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("reading 5.1 recorded")
    assert [r.value for r in (await initiatives.view(iid)).state.readings][-1] == 5.1
    # The chart scrolls sideways on a phone: the keyboard reaches it to scroll it.
    await page.set_viewport_size({"width": 375, "height": 900})
    await tab_to(page, page.get_by_role("figure").filter(
        has=page.get_by_role("img", name="Control chart of invoice cycle time")))
    await initiatives.send(iid, c.Cancel(actor=PMO, reason="the journey is over"))

