"""The API explorer in a real browser on a network that reaches nothing beyond this machine:
Swagger UI starts, styled, and shows every operation of the OpenAPI document, from the files
Baton serves."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import ConsoleMessage, Response, Route, async_playwright, expect

from tests.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.web.conftest import WebStack
from tests.web.pages.conftest import PATIENCE_MS, shoot

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def screenshot_folder(config: pytest.Config) -> Path:
    """Where the page tests put theirs (`tests/web/pages/conftest.py`), without clearing it."""
    folder = Path(os.environ.get("BATON_SCREENSHOTS")
                  or config.rootpath / ".baton" / "screenshots").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_the_api_explorer_renders_with_no_other_host_reachable(
        web: WebStack, pytestconfig: pytest.Config) -> None:
    async with web.client() as http:
        document = (await http.get("/api/openapi.json")).json()
    operations = sum(method in OPERATIONS for path in document["paths"].values()
                     for method in path)
    blocked: list[str] = []
    failures: list[str] = []

    async def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            failures.append(message.text)

    def on_response(answer: Response) -> None:
        if answer.status >= 400:
            failures.append(f"{answer.status} {answer.url}")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_or_skip(),
                                                   args=list(CHROMIUM_ARGS))
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(PATIENCE_MS)
            await context.route("**/*", only_loopback)
            page = await context.new_page()
            page.on("pageerror", lambda error: failures.append(str(error)))
            page.on("console", lambda message: on_console(message))
            page.on("response", lambda answer: on_response(answer))
            await page.goto(f"{web.url}/api/docs")

            await expect(page).to_have_title(re.compile(r"^Baton\b"))
            await expect(page.locator(".info .title")).to_contain_text("Baton")
            await expect(page.locator(".opblock")).to_have_count(operations)
            await expect(page.locator(".opblock").first).to_be_visible()
            # Styled by Swagger UI's own stylesheet, which the browser could load and read.
            rules = await page.evaluate(
                "[...document.styleSheets].filter(s => (s.href || '').endsWith("
                "'/swagger-ui.css')).map(s => s.cssRules.length)")
            assert len(rules) == 1 and rules[0] > 0, rules
            await shoot(page, screenshot_folder(pytestconfig), "api-docs")
        finally:
            await browser.close()
    assert blocked == []
    assert failures == []
