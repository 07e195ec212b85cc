"""What the API does when a backend does not answer, and what its log never says."""

from __future__ import annotations

import uuid

import httpx
from structlog.testing import capture_logs
from temporalio.client import Client

from app.context import Where
from app.identity import Grant
from devstack.embedded_temporal import EmbeddedTemporal
from tests.domain.builders import PMO
from web.app import create_app
from web.config import WebConfig
from workers.web import shared_context, started_server, web_services

from .conftest import WebStack, problem
from .test_initiatives import YAML, launched, spec_yaml


async def test_no_worker_is_503_with_retry_after_and_nothing_recorded(
    web: WebStack, temporal_client: Client, temporal_server: EmbeddedTemporal,
) -> None:
    iid = await launched(web)
    before = await web.events_of(iid)
    idle = Where(temporal_address=temporal_server.address, namespace="default",
                 task_queue=f"nobody-polls-{uuid.uuid4().hex[:8]}", db_schema=web.store.schema)
    app = create_app(WebConfig(), lambda: web_services(
        shared_context(temporal_client, web.store, idle)))
    token = await web.token(PMO, Grant.PMO)
    async with (started_server(app, "127.0.0.1", 0) as url,
                httpx.AsyncClient(base_url=url, timeout=60,
                                  headers={"Authorization": f"Bearer {token}"}) as http):
        launch = await http.post("/api/v1/initiatives", content=spec_yaml(), headers=YAML)
        ready = await http.get("/readyz")
    assert launch.status_code == 503
    assert launch.headers["retry-after"]
    assert "no worker polls" in problem(launch)["detail"]
    assert ready.status_code == 200  # the web replica itself can serve
    assert await web.events_of(iid) == before


async def test_the_access_log_names_the_person_never_the_credential(web: WebStack) -> None:
    token = await web.token(PMO)
    with capture_logs() as logs:
        async with web.client(token) as http:
            await http.get("/api/v1/me", params={"token": token},
                           headers={"Cookie": f"baton_session={token}"})
    (entry,) = [e for e in logs if e.get("event") == "request" and e.get("path") == "/api/v1/me"]
    assert entry["person"] == PMO and entry["status"] == 200 and entry["request_id"]
    assert token not in repr(logs)
