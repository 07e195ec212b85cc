"""Waiting for a server started as a process of its own to answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx


async def until_serving(http: httpx.AsyncClient, url: str, alive: Callable[[], bool],
                        within: float, every: float = 0.1) -> bool:
    """Whether `url` answered 200 within `within` seconds, asked every `every` while `alive()`
    holds; False when the process ended or the time ran out (the caller says which, and why)."""
    deadline = asyncio.get_running_loop().time() + within
    while alive() and asyncio.get_running_loop().time() < deadline:
        try:
            if (await http.get(url)).status_code == 200:
                return True
        except httpx.TransportError:
            pass  # not listening yet
        await asyncio.sleep(every)
    return False
