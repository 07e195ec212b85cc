"""Every request body is bounded while it arrives, before anything buffers it.

A declared `Content-Length` over the limit is refused before a byte of the body is read; a body
without one (chunked) is counted as it streams in and refused the moment it passes the limit. A
refused body is never read further, so a gigabyte costs the server no more than a kilobyte.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.problems import Problem, response

# Larger than any spec (256 KiB, with a form's framing around an upload) or action's arguments.
MAX_BODY_BYTES = 512 * 1024
TOO_LARGE = f"the body is larger than {MAX_BODY_BYTES // 1024} KiB"


class BodyTooLarge(HTTPException):
    """Raised from `receive` inside a handler: an HTTP error, so that every route answers it as
    a 413 problem (FastAPI passes HTTP errors through its own body parsing untouched)."""

    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self._app = app
        self._max = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await response(Problem(400, "Content-Length is not a number of bytes"))(
                    scope, receive, send)
                return
            if int(declared) > self._max:
                await response(Problem(413, TOO_LARGE))(scope, receive, send)
                return
        received = 0
        started = False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max:
                    raise BodyTooLarge()
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counting, sending)
        except BodyTooLarge:
            if started:
                raise
            await response(Problem(413, TOO_LARGE))(scope, receive, send)
