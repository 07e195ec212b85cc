"""Jinja2 rendering for the pages: autoescaped templates, a few filters, strict headers.

Every page is sent with a Content-Security-Policy that allows no script at all and nothing from
another origin: the pages need neither, so an injected tag could do nothing even if escaping
ever failed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

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


def when(value: datetime | None) -> str:
    return NONE if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def num(value: float | None) -> str:
    return NONE if value is None else f"{value:g}"


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def phase(value: str) -> str:
    return value.replace("_", " ")


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(when=when, num=num, percent=percent, phase=phase)
    environment.globals["static"] = lambda name: f"/static/{name}"
    return environment


class Pages:
    """Renders a template for one request, with who is signed in and the form token."""

    def __init__(self, csrf: Csrf) -> None:
        self.csrf = csrf
        self.environment = _environment()

    def html(self, request: Request, template: str, *, status: int = 200,
             **context: Any) -> Response:
        context.setdefault("refusal", None)
        context.setdefault("section", "")
        body = self.environment.get_template(template).render(
            me=identity_of(request), csrf=self.csrf.token(request), flash=take_flash(request),
            **context)
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def markup(html: str) -> Markup:
    """Server-built HTML that escaped everything it holds (the control chart): shown as is."""
    return Markup(html)
