"""Baton's web pages: server-rendered HTML on the same process and address as the HTTP API.

Every action is a plain HTML form (no script: the Content-Security-Policy allows none), protected
against cross-site posts, and sent through the same use cases as every other door (`app/`).
Which forms an initiative page offers is the domain's answer for that person
(`domain.available_actions`).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from .auditing import audit_pages
from .base import PageDeps, PageExit
from .launch import launch_pages
from .people import people_pages
from .pmo import pmo_pages
from .render import STATIC, Pages
from .session import Csrf, PageSessions, SignedInSessions
from .timing import ServerTiming

__all__ = ["install_pages"]


async def _page_exit(request: Request, exit_: Exception) -> Response:
    assert isinstance(exit_, PageExit)
    return exit_.response


def install_pages(app: FastAPI, secret: str) -> None:
    """Adds the pages to `app`; `secret` signs the session cookie (the same on every replica)."""
    csrf = Csrf(secret)
    app.state.csrf = csrf  # the sign-out form of the identity provider's flow checks it too
    deps = PageDeps(pages=Pages(csrf))
    app.add_middleware(SignedInSessions)  # inside the sessions: it reads the session they open
    app.add_middleware(PageSessions, secret=secret)
    app.add_middleware(ServerTiming)
    app.add_exception_handler(PageExit, _page_exit)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (people_pages(deps), pmo_pages(deps), launch_pages(deps), audit_pages(deps)):
        app.include_router(router)
