"""A real Chromium, driven by Playwright, for the page tests, and where their screenshots go.

Debian's `chromium` is used as it is installed (Playwright downloads no browser here); see
`tests.browser` for finding it and for what CI demands. Screenshots of every page, at a desktop
width and at a phone's, land in `.baton/screenshots/` (or BATON_SCREENSHOTS), replaced by each
run, and the folder is printed at the end of the run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from temporalio.client import Client

from app.identity import Grant
from domain import commands as c
from tests.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.domain.builders import PMO
from tests.web.conftest import WebStack
from tests.workflows.scenario import quick_spec, wait_for
from workflows.client import InitiativeClient

WIDTHS = {"desktop": 1280, "phone": 375}
# A form's post waits for the worker to record it: on a busy test machine that can take seconds.
PATIENCE_MS = 30_000
expect.set_options(timeout=PATIENCE_MS)
# No timer falls due while a test runs; a sigma in the spec lets the rules judge from the start.
CALM = {"expert_on_call": "30d",
        "sustainment": {"checks": ["30d", "60d"], "tolerance": 0.8, "response_within": "10d"},
        "metric": {"name": "invoice cycle time", "unit": "days", "baseline": 12, "target": 5,
                   "direction": "decrease", "sigma": 0.5}}


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_or_skip()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable,
                                                    args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Path:
    folder = Path(os.environ.get("BATON_SCREENSHOTS")
                  or pytestconfig.rootpath / ".baton" / "screenshots").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        pytestconfig.add_cleanup(lambda: reporter.write_line(f"page screenshots: {folder}"))
    return folder


async def shoot(page: Page, folder: Path, name: str) -> list[Path]:
    """The page as it is now, at each width; the page is left at the width it had."""
    size = page.viewport_size or {"width": WIDTHS["desktop"], "height": 900}
    taken = []
    for width in WIDTHS.values():
        await page.set_viewport_size({"width": width, "height": 900})
        path = folder / f"{name}-{width}.png"
        await page.screenshot(path=str(path), full_page=True)
        taken.append(path)
    await page.set_viewport_size(size)
    return taken


async def no_horizontal_scroll(page: Page) -> bool:
    return bool(await page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


@pytest.fixture
def initiatives(temporal_client: Client, web: WebStack) -> InitiativeClient:
    return InitiativeClient(temporal_client, web.task_queue)


async def launched(initiatives: InitiativeClient, *steps: c.AnyCommand, **spec: Any) -> str:
    """A calm initiative (`spec` overrides its fields), with `steps` sent to it in order."""
    iid = await initiatives.launch(quick_spec(**(CALM | spec)), PMO)
    await wait_for(initiatives, iid, lambda view: view.state.version >= 1)
    for command in steps:
        await initiatives.send(iid, command)
    return iid


@pytest.fixture
async def people(browser: Browser) -> AsyncIterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        await context.close()


async def signed_in(browser: Browser, people: list[BrowserContext], web: WebStack,
                    person: str, *grants: Grant, width: int = 1280,
                    locale: str = "en-US") -> Page:
    """`locale`: the language the browser asks pages in (Accept-Language)."""
    context = await browser.new_context(viewport={"width": width, "height": 900},
                                        accept_downloads=True, locale=locale)
    people.append(context)
    context.set_default_timeout(PATIENCE_MS)
    page = await context.new_page()
    await page.goto(f"{web.url}/signin")
    await page.get_by_label("Token").fill(await web.token(person, *grants))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    return page


async def headings_in_order(page: Page) -> None:
    levels = [int(tag[1]) for tag in await page.eval_on_selector_all(
        "h1, h2, h3, h4, h5, h6", "nodes => nodes.map(n => n.tagName.toLowerCase())")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
