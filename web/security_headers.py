"""Headers every response carries, documents and API answers alike, unless it set its own.

A browser that opens anything this server sends (an audit report, a CSV download, a problem)
runs no script from it, loads nothing from elsewhere, guesses no other type than the one
declared and shows it inside no other site's frame. The pages send a policy of their own that
also allows their stylesheet (`web.pages.render`); the API explorer runs Swagger UI's start-up
script and so is the one page sent without a policy.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Inline styles only: a report is one self-contained file, its chart drawn in SVG.
DOCUMENT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                   "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox")
BASELINE = {
    "Content-Security-Policy": DOCUMENT_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def attachment(filename: str) -> dict[str, str]:
    """Headers that make a document a download, saved rather than opened in the site."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, without_policy: frozenset[str] = frozenset()) -> None:
        self._app = app
        self._without_policy = without_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        exempt = scope["path"] in self._without_policy

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASELINE.items():
                    if name not in headers and not (exempt and
                                                    name == "Content-Security-Policy"):
                        headers[name] = value
            await send(message)

        await self._app(scope, receive, sending)
