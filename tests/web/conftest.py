"""The real web app under a real uvicorn server on a free loopback port, against the session's
Temporal and PostgreSQL with a worker of its own, and a real OpenID Connect provider process.

    web      the running API: `web.url`, `await web.token(person, *grants)`, `web.client(token)`
    oidc     the provider: `oidc.issuer`, `await oidc.id_token(sub, claims)` signs a person in
             through its authorization endpoint (code + PKCE) and returns the ID token

The API is configured to accept the provider's tokens (audience: OIDC_CLIENT_ID), so tests may
use either kind of credential.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from temporalio.client import Client

from app.context import Where
from app.identity import Grant
from app.tokens import Tokens
from bench.serving import until_serving
from devstack.embedded_temporal import EmbeddedTemporal
from domain.pull_stream import pull_stream_id
from store import EventStore
from store.tokens import TokenStore
from web.app import create_app
from web.config import OidcConfig, WebConfig
from workers.settings import Settings
from workers.web import shared_context, started_server, web_services
from workers.worker import build_worker

OIDC_CLIENT_ID = "baton-tests"
OIDC_PMO_GROUP = "baton-pmo"
OIDC_AUDITOR_GROUP = "baton-auditors"
STARTUP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class OidcProvider:
    issuer: str
    http: httpx.AsyncClient

    async def id_token(self, sub: str, claims: dict[str, Any] | None = None) -> str:
        """Sign `sub` in by authorization code with PKCE, as a browser would, and return the
        ID token the provider issues (a JWT whose `aud` is OIDC_CLIENT_ID)."""
        answer = await self.http.put(f"{self.issuer}/users/{sub}",
                                     json={"email": sub, "email_verified": True,
                                           **(claims or {})})
        answer.raise_for_status()
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        redirect_uri = "http://127.0.0.1/callback"
        authorized = await self.http.post(
            f"{self.issuer}/oauth2/authorize",
            params={"response_type": "code", "client_id": OIDC_CLIENT_ID,
                    "redirect_uri": redirect_uri, "scope": "openid email",
                    "state": "s", "code_challenge": challenge,
                    "code_challenge_method": "S256"},
            data={"sub": sub})
        assert authorized.status_code in (302, 303), authorized.text
        code = parse_qs(urlsplit(authorized.headers["location"]).query)["code"][0]
        tokens = await self.http.post(
            f"{self.issuer}/oauth2/token",
            data={"grant_type": "authorization_code", "code": code,
                  "redirect_uri": redirect_uri, "client_id": OIDC_CLIENT_ID,
                  "client_secret": "any", "code_verifier": verifier})
        tokens.raise_for_status()
        id_token: str = tokens.json()["id_token"]
        return id_token


@pytest.fixture(scope="session")
async def oidc(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OidcProvider]:
    """`oidc-provider-mock` as a process of its own on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
             "--port", str(port)], stdout=output, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            await _until_serving(http, f"{issuer}/.well-known/openid-configuration", process,
                                 log)
            yield OidcProvider(issuer, http)
    finally:
        process.terminate()
        process.wait(10)


async def _until_serving(http: httpx.AsyncClient, url: str, process: subprocess.Popen[bytes],
                         log: Path) -> None:
    if await until_serving(http, url, lambda: process.poll() is None, STARTUP_TIMEOUT):
        return
    if process.poll() is not None:
        raise RuntimeError(f"the OIDC provider exited: {log.read_text()[-2000:]}")
    raise RuntimeError(f"the OIDC provider did not serve {url} in {STARTUP_TIMEOUT} s")


@dataclass
class WebStack:
    url: str
    store: EventStore
    tokens: Tokens
    task_queue: str

    async def token(self, person: str, *grants: Grant) -> str:
        return (await self.tokens.issue(person, set(grants))).token

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=60)

    async def events_of(self, initiative_id: str) -> int:
        """Events recorded for the initiative: on its own stream and on its pull stream."""
        heads = [await self.store.stream_head(stream)
                 for stream in (initiative_id, pull_stream_id(initiative_id))]
        return sum(head.version for head in heads if head is not None)


@pytest.fixture(scope="session")
async def web(temporal_client: Client, temporal_server: EmbeddedTemporal, database_url: str,
              oidc: OidcProvider) -> AsyncIterator[WebStack]:
    schema, queue = f"web_{uuid.uuid4().hex[:12]}", f"web-{uuid.uuid4().hex[:12]}"
    async with await EventStore.connect(database_url, schema=schema) as store:
        config = WebConfig(oidc=OidcConfig(
            issuer=oidc.issuer, client_id=OIDC_CLIENT_ID, client_secret="any secret will do",
            pmo_group=OIDC_PMO_GROUP,
            auditor_group=OIDC_AUDITOR_GROUP),
            # Every test reaches this server from 127.0.0.1, many with wrong credentials on
            # purpose: the throttle's own tests run servers of their own.
            auth_failures_allowed=10_000)
        where = Where(temporal_address=temporal_server.address, namespace="default",
                      task_queue=queue, db_schema=schema, audit_dsn=database_url)
        app = create_app(config, lambda: web_services(
            shared_context(temporal_client, store, where)))
        worker = build_worker(temporal_client, store, Settings.from_env({}), task_queue=queue)
        async with worker, started_server(app, "127.0.0.1", 0) as url:
            while not await worker_polls(temporal_client, queue):
                await asyncio.sleep(0.05)
            yield WebStack(url, store, Tokens(TokenStore(store.pool, store.schema)), queue)
        await store.drop_schema()


async def worker_polls(client: Client, queue: str) -> bool:
    """Whether the server has seen the worker poll yet (until then updates wait for it)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    response = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace="default", task_queue=TaskQueue(name=queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    return bool(response.pollers)


def problem(answer: httpx.Response) -> dict[str, Any]:
    """The problem+json body of an error answer, checked for its shape."""
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    body: dict[str, Any] = json.loads(answer.text)
    assert body["status"] == answer.status_code and body["title"] and body["detail"]
    return body
