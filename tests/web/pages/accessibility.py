"""Accessibility measured, not assumed: axe-core (bundled by `axe-playwright-python`, so it runs
offline) judges the page a test has open against WCAG 2.2 levels A and AA, at the desktop width
and at the phone's, since reflow and target sizes differ between them."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from .conftest import WIDTHS

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21aa", "wcag22aa")
_AXE = Axe()
_OPTIONS = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
            "resultTypes": ["violations"]}


def _described(where: str, violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
    return f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}: {targets}"


async def wcag_violations(page: Page, name: str) -> list[str]:
    """What axe finds wrong on the page as it is now, at each width, one line per rule broken;
    `name` says which page in the report. The page is left at the width it had."""
    size = page.viewport_size or {"width": WIDTHS["desktop"], "height": 900}
    found: list[str] = []
    for width in WIDTHS.values():
        await page.set_viewport_size({"width": width, "height": 900})
        result = await _AXE.run(page, options=_OPTIONS)
        found += [_described(f"{name} at {width} px", violation)
                  for violation in result.response["violations"]]
    await page.set_viewport_size(size)
    return found
