"""A real Chromium, driven by Playwright, for the page tests, and where their screenshots go.

Debian's `chromium` is used as it is installed (Playwright downloads no browser here); see
`tests.browser` for finding it and for what CI demands. Screenshots of every page, at a desktop
width and at a phone's, land in `.baton/screenshots/` (or BATON_SCREENSHOTS), replaced by each
run, and the folder is printed at the end of the run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.browser import CHROMIUM_ARGS, chromium_or_skip

WIDTHS = {"desktop": 1280, "phone": 375}
# A form's post waits for the worker to record it: on a busy test machine that can take seconds.
PATIENCE_MS = 30_000
expect.set_options(timeout=PATIENCE_MS)


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
