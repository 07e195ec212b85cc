"""Jinja2 rendering for the pages: autoescaped templates, a few filters, strict headers.

Every page is sent with a Content-Security-Policy that allows no script at all and nothing from
another origin: the pages need neither, so an injected tag could do nothing even if escaping
ever failed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, pass_context
from jinja2.runtime import Context as TemplateContext
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.menu import menu_of
from app.templating import environment
from domain import formatting
from domain.durations import format_duration
from domain.formatting import Locale, decimal_comma

from .links import safe_link
from .session import Csrf, identity_of, take_flash

STATIC = Path(__file__).resolve().parent.parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'")
Shown = TypeVar("Shown")  # what a filter is given: a moment, a number, a share
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _for_the_reader(
        write: Callable[[Shown, Locale], str]) -> Callable[[TemplateContext, Shown], str]:
    """A filter writing a value the reader's way (`comma`, set per request from their
    language)."""
    @pass_context
    def written(context: TemplateContext, value: Shown) -> str:
        return write(value, Locale(comma=bool(context.get("comma"))))
    return written


def _money(amount: float | None, locale: Locale) -> str:
    """Whole units: the page's figures are read at a glance; the report has the cents."""
    return formatting.money(amount, locale=locale, cents=False)


# Moments typed or as the JSON of `show` spells them (ISO 8601), numbers, money and shares.
READERS_FILTERS: dict[str, Callable[..., str]] = {
    "when": _for_the_reader(formatting.when), "num": _for_the_reader(formatting.number),
    "money": _for_the_reader(_money), "percent": _for_the_reader(formatting.percent),
    "hours_or_days": _for_the_reader(formatting.hours_or_days)}


FOLD_AT = 280  # a few lines on a phone: enough to tell one idea from another


def fold(text: str, at: int = FOLD_AT) -> tuple[str, str]:
    """A long text as the part shown and the rest behind "more", split between words when the
    first part holds a space, so a phone's page stays short and every character stays reachable."""
    if len(text) <= at:
        return text, ""
    space = text.rfind(" ", 0, at + 1)
    cut = space if space > 0 else at
    return text[:cut], text[cut:]


def phase(value: str) -> str:
    return value.replace("_", " ")


def _environment() -> Environment:
    pages = environment("web", phase=phase, link=safe_link, duration=format_duration, fold=fold,
                        **READERS_FILTERS)
    pages.globals["static"] = lambda name: f"/static/{name}"
    return pages


TEMPLATES = _environment()  # loaded once: every page and chart of the process renders from it


class Pages:
    """Renders a template for one request, with who is signed in and the form token."""

    def __init__(self, csrf: Csrf) -> None:
        self.csrf = csrf
        self.environment = TEMPLATES

    def render(self, template: str, **context: Any) -> str:
        """The page alone, from everything it shows (`me`, `csrf`, `flash` among them)."""
        context.setdefault("refusal", None)
        context.setdefault("section", "")
        context.setdefault("comma", False)
        # Without a handler's fuller answer, the links the person's grants alone open.
        context.setdefault("menu", menu_of(context.get("me")))
        return self.environment.get_template(template).render(**context)

    def html(self, request: Request, template: str, *, status: int = 200,
             **context: Any) -> Response:
        body = self.render(
            template, me=identity_of(request), csrf=self.csrf.token(request),
            flash=take_flash(request), comma=decimal_comma(request.headers.get("accept-language")),
            **context)
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def markup(html: str) -> Markup:
    """Server-built HTML that escaped everything it holds (the control chart): shown as is."""
    return Markup(html)
