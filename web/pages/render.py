"""Jinja2 rendering for the pages: autoescaped templates, a few filters, strict headers.

Every page is sent with a Content-Security-Policy that allows no script at all and nothing from
another origin: the pages need neither, so an injected tag could do nothing even if escaping
ever failed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context as TemplateContext
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.menu import menu_of
from domain.durations import format_duration

from .links import safe_link
from .numbers import decimal_comma, format_decimal, format_money
from .session import Csrf, identity_of, take_flash

WEB = Path(__file__).resolve().parent.parent
TEMPLATES, STATIC = WEB / "templates", WEB / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
NONE = "—"


def when(value: datetime | str | None) -> str:
    """A moment, typed or as the JSON of `show` spells it (ISO 8601)."""
    if value is None or value == "":
        return NONE
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@pass_context
def num(context: TemplateContext, value: float | None) -> str:
    """A number with the reader's decimal mark (`comma`, set per request from its language)."""
    return NONE if value is None else format_decimal(value, bool(context.get("comma")))


@pass_context
def money(context: TemplateContext, amount: float | None) -> str:
    return NONE if amount is None else format_money(amount, bool(context.get("comma")))


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


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
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(when=when, num=num, percent=percent, phase=phase,
                               link=safe_link, money=money, duration=format_duration,
                               fold=fold)
    environment.globals["static"] = lambda name: f"/static/{name}"
    return environment


class Pages:
    """Renders a template for one request, with who is signed in and the form token."""

    def __init__(self, csrf: Csrf) -> None:
        self.csrf = csrf
        self.environment = _environment()

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
