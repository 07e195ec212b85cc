"""Every idea on the initiative page, a page at a time, in a real browser: past the hundred the page
shows first, a front-line person still finds the newest idea and backs it; a mistyped address is
one line, not an error page of the server's."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, BrowserContext, expect

from domain import commands as c
from tests.domain.builders import CLERK
from tests.web.conftest import WebStack
from workflows.client import InitiativeClient

from .conftest import launched, shoot, signed_in

CLERK_2 = "clerk-2@acme.example"
IDEAS = 103  # more than a page holds (`app.idea_pages.IDEAS_PER_PAGE`)


async def test_the_ideas_past_the_first_page_are_reached_and_backed(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    # From two people: one person's ideas a day are limited.
    ideas = [c.SubmitIdea(actor=CLERK if n % 2 else CLERK_2, text=f"idea number {n}")
             for n in range(1, IDEAS + 1)]
    iid = await launched(initiatives, *ideas, front_line=[CLERK, CLERK_2])

    clerk = await signed_in(browser, people, web, CLERK_2)
    await clerk.goto(f"{web.url}/initiatives/{iid}")
    every = clerk.get_by_role("navigation", name="Every idea, a page at a time")
    await every.get_by_role("link", name="pending").click()
    await expect(clerk.get_by_role("article")).to_have_count(100)
    await expect(every.get_by_role("link", name="pending")).to_have_attribute(
        "aria-current", "page")
    await clerk.get_by_role("link", name="The next 100 ideas").click()
    await expect(clerk.get_by_role("article")).to_have_count(IDEAS - 100)
    await expect(clerk.get_by_text("after number 100")).to_be_visible()
    await expect(clerk.get_by_role("link", name="The next 100 ideas")).to_have_count(0)
    await shoot(clerk, screenshots, "ideas-second-page")

    last = clerk.get_by_role("article").filter(has_text=f"idea number {IDEAS}")
    await last.get_by_role("button", name=f"Support idea-{IDEAS}").click()
    await expect(clerk.get_by_role("status")).to_contain_text(
        f"idea idea-{IDEAS} supported by {CLERK_2}")

    await clerk.goto(f"{web.url}/initiatives/{iid}?ideas=maybe")
    await expect(clerk.get_by_role("alert")).to_contain_text(
        "ideas: 'maybe' is not one of: all, pending")
    await clerk.goto(f"{web.url}/initiatives/{iid}?ideas=all&after=-1")
    await expect(clerk.get_by_role("alert")).to_contain_text("after: '-1' is not an idea number")
