"""Pull on the initiative page, in a real browser: the front line backs ideas, the owner merges a
duplicate and decides who is on the front line, each with a plain form and one line when refused."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from domain import commands as c
from domain.pull_stream import pull_stream_id
from tests.domain.builders import CLERK, OWNER
from tests.web.conftest import WebStack
from tests.workflows.scenario import ideas_of
from workflows.client import InitiativeClient

from .conftest import headings_in_order, launched, shoot, signed_in

CLERK_2, CLERK_3 = "clerk-2@acme.example", "clerk-3@acme.example"


def idea_card(page: Page, text: str) -> Locator:
    return page.get_by_role("article").filter(has_text=text)


def members(*people: str) -> list[re.Pattern[str]]:
    """The front-line list's items, exactly these in this order, each with its own button."""
    return [re.compile(f"^{re.escape(person)}") for person in people]


async def test_the_front_line_supports_and_the_owner_merges_and_changes_the_front_line(
    browser: Browser, people: list[BrowserContext], web: WebStack,
    initiatives: InitiativeClient, screenshots: Path,
) -> None:
    iid = await launched(
        initiatives, c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"),
        c.SubmitIdea(actor=CLERK, text="fill the vendor ids in ahead"),
        front_line=[CLERK, CLERK_2])

    clerk = await signed_in(browser, people, web, CLERK_2)
    await clerk.goto(f"{web.url}/initiatives/{iid}")
    first = idea_card(clerk, "pre-fill vendor ids")
    await expect(first.locator(".count")).to_have_text("0")
    await shoot(clerk, screenshots, "initiative-support")
    await first.get_by_role("button", name="Support idea-1").click()
    await expect(clerk.get_by_role("status")).to_contain_text(
        f"idea idea-1 supported by {CLERK_2}")
    await expect(first.locator(".count")).to_have_text("1")
    await expect(first).to_contain_text("you among them")
    # Once is all: the button is gone, and the other idea still offers its own.
    await expect(first.get_by_role("button", name=re.compile("^Support"))).to_have_count(0)
    await expect(clerk.get_by_role("button", name="Support idea-2")).to_be_visible()

    owner = await signed_in(browser, people, web, OWNER)
    await owner.goto(f"{web.url}/initiatives/{iid}")
    await headings_in_order(owner)
    triage = owner.get_by_role("region", name="Triage idea-2")
    await triage.get_by_label("Duplicate of").select_option("idea-1")
    await triage.get_by_role("button", name="Mark duplicate").click()
    await expect(owner.get_by_role("status")).to_contain_text(
        "idea idea-2 marked a duplicate of idea-1")
    await expect(idea_card(owner, "fill the vendor ids in ahead")).to_contain_text(
        "duplicate of idea-1")
    await expect(owner.get_by_role("region", name="Triage idea-2")).to_have_count(0)

    front_line = owner.get_by_role("list", name="Front line")
    adding = owner.get_by_role("region", name="Add to the front line")
    await adding.get_by_label("E-mail").fill(CLERK_3)
    await adding.get_by_role("button", name="Add person").click()
    await expect(owner.get_by_role("status")).to_contain_text(f"{CLERK_3} joined the front line")
    await expect(front_line.get_by_role("listitem")).to_have_text(members(CLERK, CLERK_2, CLERK_3))
    await shoot(owner, screenshots, "initiative-pull")

    before = await web.events_of(iid)
    adding = owner.get_by_role("region", name="Add to the front line")
    await adding.get_by_label("E-mail").fill(CLERK)
    await adding.get_by_role("button", name="Add person").click()
    await expect(owner.get_by_role("alert")).to_have_text(
        f"Refused: {CLERK} is already on the front line")
    assert await web.events_of(iid) == before

    await front_line.get_by_role(
        "button", name=f"Remove {CLERK_2} from the front line").click()
    await expect(owner.get_by_role("status")).to_contain_text(f"{CLERK_2} left the front line")
    await expect(front_line.get_by_role("listitem")).to_have_text(members(CLERK, CLERK_3))

    # Off the front line, the clerk may no longer back ideas here.
    await clerk.reload()
    await expect(clerk.get_by_role("button", name=re.compile("^Support"))).to_have_count(0)
    view = await initiatives.view(iid)
    assert (await ideas_of(web.store, iid))[0].supporters == (CLERK_2,)
    assert view.state.front_line == (CLERK, CLERK_3)
    pull = [r.event for r in await web.store.read_stream(pull_stream_id(iid))][-2:]
    recorded = [r.event for r in await web.store.read_stream(iid)][-2:]
    assert [(e.type, e.actor) for e in pull + recorded] == [
        ("IdeaSupported", CLERK_2), ("IdeaMarkedDuplicate", OWNER), ("FrontLineAdded", OWNER),
        ("FrontLineRemoved", OWNER)]
