"""Prometheus metrics from the Temporal runtime and OpenTelemetry traces: off unless asked for,
and real when asked for."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from devstack.embedded_temporal import EmbeddedTemporal
from domain import commands as c
from store import EventStore
from tests.domain.builders import PMO, SPONSOR
from tests.workflows.scenario import quick_spec
from workers.settings import Settings, SettingsError
from workers.telemetry import prometheus_runtime, start_worker_telemetry, tracing
from workers.temporal_client import connect_client
from workers.worker import build_worker
from workflows.client import InitiativeClient


def test_off_by_default() -> None:
    telemetry = start_worker_telemetry(Settings.from_env({}))

    assert telemetry.runtime is None
    assert not telemetry.interceptors


def test_an_otlp_endpoint_switches_tracing_on() -> None:
    settings = Settings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.invalid:4318"})
    telemetry = start_worker_telemetry(settings)

    assert [type(i).__name__ for i in telemetry.interceptors] == ["TracingInterceptor"]
    telemetry.shutdown()  # nothing recorded, so nothing is sent


async def test_prometheus_serves_the_runtime_metrics(
    temporal_server: EmbeddedTemporal, free_address: Callable[[], str]
) -> None:
    address = free_address()
    client = await connect_client(Settings.from_env({}), address=temporal_server.address,
                                  runtime=prometheus_runtime(address))
    await client.count_workflows()

    async with httpx.AsyncClient() as http:
        scraped = await http.get(f"http://{address}/metrics")

    assert scraped.status_code == 200
    assert 'temporal_request{namespace="default",operation="CountWorkflowExecutions"' in (
        scraped.text
    )


def test_a_taken_metrics_port_names_the_variable(free_address: Callable[[], str]) -> None:
    address = free_address()
    serving = prometheus_runtime(address)

    with pytest.raises(SettingsError, match=f"BATON_METRICS_ADDRESS={address}"):
        prometheus_runtime(address)
    assert serving is not None  # held until here: dropping it frees the port


async def test_traces_follow_an_initiative_through_the_worker(
    temporal_server: EmbeddedTemporal, database_url: str, task_queue: str
) -> None:
    exporter = InMemorySpanExporter()
    interceptor, provider = tracing("baton-test", exporter)
    settings = Settings.from_env({})
    client = await connect_client(settings, address=temporal_server.address,
                                  interceptors=[interceptor])
    initiatives = InitiativeClient(client, task_queue)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    async with await EventStore.connect(database_url, schema=schema) as store:
        async with build_worker(client, store, settings, task_queue=task_queue):
            initiative_id = await initiatives.launch(quick_spec(), PMO)
            await initiatives.send(initiative_id, c.ApproveLaunch(actor=SPONSOR))
        await store.drop_schema()
    provider.force_flush()

    names = {span.name for span in exporter.get_finished_spans()}
    assert {"StartWorkflow:Initiative", "RunWorkflow:Initiative", "StartWorkflowUpdate:execute",
            "HandleUpdate:execute", "RunActivity:append_events"} <= names
    assert {span.resource.attributes["service.name"]
            for span in exporter.get_finished_spans()} == {"baton-test"}
