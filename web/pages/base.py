"""What every page handler shares: who is signed in, the CSRF check of a posted form, and how a
refusal becomes a page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from app.context import Context
from app.errors import Rejected, answer_to
from app.identity import Identity

from .render import Pages, redirect
from .session import identity_of, keep_draft

MAX_FORM_FIELDS = 200
NOTHING_RECORDED = "Nothing was recorded."


class PageExit(Exception):
    """Ends a handler with this response (a redirect to sign in, a refused form)."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


def status_of(rejected: Rejected) -> int:
    return answer_to(rejected).http_status


@dataclass
class PageDeps:
    pages: Pages

    def context(self, request: Request) -> Context:
        context: Context = request.app.state.services.context
        return context

    def person(self, request: Request) -> Identity:
        """The signed-in person, or off to the sign-in page and back here afterwards."""
        identity = identity_of(request)
        if identity is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            # Only a page is somewhere to come back to: a form's address answers no GET.
            raise PageExit(_to_sign_in(target if request.method in ("GET", "HEAD") else "/"))
        return identity

    async def poster(self, request: Request, page: str) -> Identity:
        """Who posts a form found on `page` (its GET address). When their session has ended,
        what they typed is kept server-side and they sign in again, then land back on `page`
        with the form filled in: never on the address the form posts to."""
        identity = identity_of(request)
        if identity is not None:
            return identity
        form = await self.posted(request)  # only this browser's own page leaves a draft
        await keep_draft(request, page, {
            name: [v for v in form.getlist(name) if isinstance(v, str)]
            for name in form if name != "csrf"})
        raise PageExit(_to_sign_in(page))

    async def posted(self, request: Request) -> FormData:
        """The posted form, once its CSRF token matched this session's; 403 otherwise."""
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=1)
        if not self.pages.csrf.ok(request, form.get("csrf")):
            raise PageExit(self.error(
                request, 403, "Refused", "This form was not sent from a page of this site, or "
                "it is older than your session: reload the page and send it again. "
                + NOTHING_RECORDED))
        return form

    def error(self, request: Request, status: int, title: str, detail: str) -> Response:
        return self.pages.html(request, "error.html", status=status, title=title,
                               detail=detail)

    def refused(self, request: Request, rejected: Rejected) -> Response:
        titles = {404: "Not found", 503: "Not available right now"}
        status = status_of(rejected)
        return self.error(request, status, titles.get(status, "Refused"), rejected.reason)


def _to_sign_in(target: str) -> Response:
    return redirect(f"/signin?next={quote(target, safe='')}")


def local_path(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another origin."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
