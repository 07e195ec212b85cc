"""`Server-Timing: page;dur=MS` on every response: the time the server spent, as browsers' and
benchmarks' own tools read it, without the network in between."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTiming:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begun = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - begun) * 1000
                message["headers"] = [*message.get("headers", []),
                                      (b"server-timing", f"page;dur={spent:.1f}".encode())]
            await send(message)

        await self.app(scope, receive, timed)
