"""The probe endpoint on its own: what /livez and /readyz answer, and the probe command."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from workers.health import LIVENESS_PATH, READINESS_PATH, probe, serve_health


class Readiness:
    def __init__(self) -> None:
        self.ready = False

    def __call__(self) -> bool:
        return self.ready


async def test_liveness_and_readiness() -> None:
    readiness = Readiness()
    async with serve_health("127.0.0.1:0", readiness) as port, httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{port}"
        starting = await http.get(base + READINESS_PATH)
        readiness.ready = True
        polling = await http.get(base + READINESS_PATH)
        alive = await http.get(base + LIVENESS_PATH)
        unknown = await http.get(base + "/metrics")

    assert (starting.status_code, polling.status_code) == (503, 200)
    assert alive.status_code == 200
    assert unknown.status_code == 404


async def test_the_probe_asks_on_loopback_what_listens_everywhere(
    free_address: Callable[[], str],
) -> None:
    address = free_address()
    everywhere = address.replace("127.0.0.1", "0.0.0.0")  # as containers configure it
    readiness = Readiness()

    async with serve_health(address, readiness):
        not_ready = await asyncio.to_thread(probe, everywhere)
        readiness.ready = True
        ready = await asyncio.to_thread(probe, everywhere)
        alive = await asyncio.to_thread(probe, everywhere, LIVENESS_PATH)
    gone = await asyncio.to_thread(probe, everywhere)

    assert (not_ready, ready, alive, gone) == (False, True, True, False)


async def test_nothing_is_served_without_an_address() -> None:
    async with serve_health(None, Readiness()) as port:
        assert port == 0
