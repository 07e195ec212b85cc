"""One structured log line per request, with a request id that the response echoes.

Only the method, path, status, duration, the id and the authenticated person are logged: never a
header, a query string (it may carry a token in a redirect) or a cookie.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
# A caller's own request id is kept when it looks like one, so logs can be joined across systems.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_log = structlog.get_logger("baton.web.access")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = given if _ACCEPTABLE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        begun = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append(
                    (REQUEST_ID_HEADER.encode(), request_id.encode()))
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            state = scope.get("state", {})
            _log.info("request", request_id=request_id, method=scope["method"],
                      path=scope["path"], status=status, person=state.get("person"),
                      duration_ms=round((time.perf_counter() - begun) * 1000, 1))
