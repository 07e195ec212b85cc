"""Guessing credentials is slowed down: past a few failures from one address, or with one token
prefix, each try is held back longer (429 with Retry-After), before the guess is even checked."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.client import Client

from bench.web_bench import sign_in_with_token
from devstack.embedded_temporal import EmbeddedTemporal
from web.config import WebConfig
from web.throttle import FAILURES_ALLOWED, MAX_WAIT_SECONDS, FailureThrottle

from .conftest import WebStack, problem
from .sessions import csrf_of, replica


@asynccontextmanager
async def own_server(web: WebStack, temporal_client: Client,
                     temporal_server: EmbeddedTemporal) -> AsyncIterator[str]:
    """A replica whose throttle no other test shares (each replica counts its own)."""
    async with replica(web, temporal_client, temporal_server, WebConfig()) as url:
        yield url


def _client(url: str, local_address: str = "127.0.0.1", token: str | None = None
            ) -> httpx.AsyncClient:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=url, timeout=30, headers=headers,
                             transport=httpx.AsyncHTTPTransport(local_address=local_address))


async def test_wrong_bearer_tokens_from_one_address_are_held_back(
    web: WebStack, temporal_client: Client, temporal_server: EmbeddedTemporal,
) -> None:
    good = await web.token("patient@acme.example")
    async with own_server(web, temporal_client, temporal_server) as url, _client(url) as http:
        statuses = []
        for _ in range(1000):
            answer = await http.get("/api/v1/me", headers={
                "Authorization": f"Bearer baton_{uuid.uuid4().hex}"})
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                break
        assert statuses == [401] * FAILURES_ALLOWED + [401, 429]
        assert int(answer.headers["retry-after"]) >= 1
        assert "too many failed" in problem(answer)["detail"]
        # Held back means not even tried: a right token from the same address waits too.
        held = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"})
        assert held.status_code == 429
        # Another address is not held back.
        async with _client(url, "127.0.0.2", good) as elsewhere:
            assert (await elsewhere.get("/api/v1/me")).status_code == 200


async def test_guesses_at_one_token_prefix_are_held_back_from_any_address(
    web: WebStack, temporal_client: Client, temporal_server: EmbeddedTemporal,
) -> None:
    prefix = f"baton_{uuid.uuid4().hex[:8]}"
    async with own_server(web, temporal_client, temporal_server) as url:
        statuses = []
        for n in range(FAILURES_ALLOWED + 2):
            # Each guess from another loopback address: only the prefix links them.
            async with _client(url, f"127.0.1.{n + 1}", f"{prefix}{uuid.uuid4().hex}") as http:
                statuses.append((await http.get("/api/v1/me")).status_code)
    assert statuses[-1] == 429 and statuses[:FAILURES_ALLOWED] == [401] * FAILURES_ALLOWED


async def test_wrong_sign_ins_are_held_back(
    web: WebStack, temporal_client: Client, temporal_server: EmbeddedTemporal,
) -> None:
    good = await web.token("signs-in@acme.example")
    async with own_server(web, temporal_client, temporal_server) as url, _client(url) as browser:
        statuses = []
        for _ in range(200):
            form = (await browser.get("/signin")).text
            answer = await browser.post("/signin", data={
                "csrf": csrf_of(form), "token": f"baton_{uuid.uuid4().hex}"})
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                break
        assert statuses[-1] == 429 and len(statuses) == FAILURES_ALLOWED + 2
        assert int(answer.headers["retry-after"]) >= 1
        assert "Too many failed sign-ins" in answer.text
        async with _client(url, "127.0.0.3") as elsewhere:
            await sign_in_with_token(elsewhere, good)


def test_each_further_failure_waits_twice_as_long_up_to_a_bound() -> None:
    now = [0.0]
    throttle = FailureThrottle(allowed=2, window=60, clock=lambda: now[0])
    keys = ["address:192.0.2.1"]
    waits = []
    for _ in range(14):
        throttle.failed(keys)
        waits.append(throttle.retry_after(keys))
    assert waits[:6] == [None, None, 1, 2, 4, 8]
    assert waits[-1] == MAX_WAIT_SECONDS
    now[0] += MAX_WAIT_SECONDS + 1
    assert throttle.retry_after(keys) is None
    assert throttle.retry_after(["address:198.51.100.7"]) is None
