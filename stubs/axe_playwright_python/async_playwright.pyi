# The part of axe-playwright-python the page tests use (the package ships no type information).
from typing import Any

from playwright.async_api import Page

class AxeResults:
    response: dict[str, Any]
    @property
    def violations_count(self) -> int: ...

class Axe:
    def __init__(self, axe_script: str = ...) -> None: ...
    async def run(self, page: Page, context: str | list[Any] | dict[str, Any] | None = None,
                  options: dict[str, Any] | None = ...) -> AxeResults: ...
