"""The worker's metrics and traces, both off unless the environment switches them on.

Metrics come from Temporal's Rust core (task latencies, slots, poll results, sticky cache),
served for Prometheus on BATON_METRICS_ADDRESS. Traces go to the OTLP/HTTP collector named by
OTEL_EXPORTER_OTLP_ENDPOINT; the exporter reads the standard OTEL_EXPORTER_OTLP_HEADERS and
OTEL_EXPORTER_OTLP_TIMEOUT itself. Only the worker sets either up: a `baton` command run beside
it, in the same container, must not compete for the metrics port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from temporalio.client import Interceptor
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from workers.settings import Settings, SettingsError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter


@dataclass(frozen=True)
class WorkerTelemetry:
    runtime: Runtime | None = None  # None: temporalio's default runtime, no metrics
    interceptors: Sequence[Interceptor] = ()
    _tracer_provider: TracerProvider | None = field(default=None, repr=False)

    def shutdown(self) -> None:
        """Send the spans still buffered; the process is about to exit."""
        if self._tracer_provider is not None:
            self._tracer_provider.shutdown()


def start_worker_telemetry(settings: Settings) -> WorkerTelemetry:
    runtime = prometheus_runtime(settings.metrics_address) if settings.metrics_address else None
    if settings.otlp_endpoint is None:
        return WorkerTelemetry(runtime)
    interceptor, provider = tracing(settings.otel_service_name, settings.otlp_endpoint)
    return WorkerTelemetry(runtime, [interceptor], provider)


# The core's default latency buckets (50, 100, 500, 1000 ms...) cannot tell a 60 ms workflow task
# from a 400 ms one, which is the difference that matters for an owner waiting on an update.
LATENCY_BUCKETS_MS = (1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000,
                      1500, 2000, 3000, 5000, 10000, 30000, 60000)
_LATENCY_HISTOGRAMS = (
    "workflow_task_schedule_to_start_latency", "workflow_task_execution_latency",
    "workflow_task_replay_latency", "workflow_endtoend_latency",
    "activity_schedule_to_start_latency", "activity_execution_latency",
    "local_activity_execution_latency", "local_activity_total_execution_latency",
    "request_latency")


def prometheus_runtime(bind_address: str) -> Runtime:
    buckets = {name: [float(b) for b in LATENCY_BUCKETS_MS] for name in _LATENCY_HISTOGRAMS}
    buckets |= {f"temporal_{name}": values for name, values in buckets.items()}
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(
            bind_address, histogram_bucket_overrides=buckets)))
    except Exception as error:  # the core reports a taken port as a plain exception
        raise SettingsError(f"BATON_METRICS_ADDRESS={bind_address}: {error}") from error


def tracing(
    service_name: str, export_to: str | SpanExporter
) -> tuple[Interceptor, TracerProvider]:
    """A TracingInterceptor whose spans go to `export_to`: the base URL of an OTLP/HTTP
    collector, or an exporter of one's choosing."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from temporalio.contrib.opentelemetry import TracingInterceptor
    except ImportError as error:
        raise SettingsError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
            "install baton[telemetry]"
        ) from error
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if isinstance(export_to, str):
        # Like the SDK with OTEL_EXPORTER_OTLP_ENDPOINT: a base URL, traces under /v1/traces.
        export_to = OTLPSpanExporter(endpoint=f"{export_to.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(export_to))
    # Launches come from `baton` commands, which do not trace; without this flag the worker
    # would record no workflow spans at all for want of a parent span from the client.
    tracer = provider.get_tracer("baton")
    return TracingInterceptor(tracer, always_create_workflow_spans=True), provider
