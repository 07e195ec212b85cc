"""What the web door is given by its composition root: use cases and a readiness probe.

The door opens them in its lifespan and closes them on shutdown, so each replica holds its own
clients and nothing else: any number of them can run behind a load balancer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from app.context import Context
from app.sessions import WebSessions
from app.tokens import Tokens

# name -> None when it answers, else what is wrong
Readiness = Callable[[], Awaitable[dict[str, str | None]]]


@dataclass(frozen=True)
class WebServices:
    context: Context
    tokens: Tokens
    sessions: WebSessions
    ready: Readiness


OpenServices = Callable[[], AbstractAsyncContextManager[WebServices]]
