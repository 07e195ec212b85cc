"""The worker's composition root: one place that wires client, store, activities and workflow."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.plugin import SimplePlugin
from temporalio.worker import Worker

from activities.digest import Digests
from activities.mail import Mailer, MailSettings, SmtpServer
from activities.mail_message import Letterhead
from activities.metrics import MetricReader
from activities.notifications import Notifier
from activities.recording import Recorder
from store import EventStore
from store.portfolio import PortfolioProjection, PortfolioReader
from workers.composition import database_url
from workers.health import serve_health
from workers.notice_delivery import NoticeDelivery
from workers.settings import Settings
from workers.telemetry import start_worker_telemetry
from workers.temporal_client import connect_client
from workflows.client import InitiativeClient
from workflows.digest import DigestInput, DigestWorkflow, digest_workflow_id
from workflows.initiative import InitiativeWorkflow
from workflows.sandbox import workflow_runner

log = structlog.get_logger("baton.worker")
SHUTDOWN_GRACE = timedelta(seconds=10)


def mail_settings(settings: Settings) -> MailSettings:
    server = None if settings.smtp_url is None else SmtpServer.parse(
        settings.smtp_url, settings.smtp_password, settings.smtp_ca_file)
    return MailSettings(server=server, digest_only=settings.digest_only, letterhead=Letterhead(
        sender=settings.mail_from, public_url=settings.mail_link_base, timezone=settings.timezone))


def activities_for(store: EventStore, settings: Settings, notifier: Notifier,
                   mailer: Mailer) -> Sequence[Any]:
    digests = Digests(store, mailer, settings.digest)
    recorder = Recorder(store, project=PortfolioProjection(store.schema))
    return [
        recorder.append_events, recorder.read_recorded, recorder.append_pull_events,
        recorder.read_pull_slice, notifier.notify,
        MetricReader(settings.metric_source_hosts).read_metric,
        mailer.plan_mail, mailer.send_mail, digests.next_digest, digests.send_digests,
    ]


async def start_digest(client: Client, settings: Settings, task_queue: str | None = None) -> None:
    """Starts the digest's schedule unless it runs already; with no digest set, nothing."""
    if settings.digest is None or settings.smtp_url is None:
        return
    queue = task_queue or settings.task_queue
    await client.start_workflow(
        DigestWorkflow.run, DigestInput(), id=digest_workflow_id(queue), task_queue=queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)


def build_worker(client: Client, store: EventStore, settings: Settings,
                 task_queue: str | None = None) -> Worker:
    """The workflows and activities of `task_queue`, and, while the worker runs, the delivery
    of the notices the store keeps (a plugin's run context: Temporal's place for work that
    lives and ends with a worker)."""
    queue = task_queue or settings.task_queue
    mailer = Mailer(mail_settings(settings))
    notifier = Notifier(settings.webhook_url, secret=settings.webhook_secret)
    delivery = NoticeDelivery(store, notifier, mailer, InitiativeClient(client, queue))
    return Worker(
        client,
        task_queue=queue,
        workflows=[InitiativeWorkflow, DigestWorkflow],
        workflow_runner=workflow_runner(client.data_converter),
        activities=activities_for(store, settings, notifier, mailer),
        graceful_shutdown_timeout=SHUTDOWN_GRACE,
        plugins=[SimplePlugin("baton.notice_delivery", run_context=delivery.running)],
    )


async def run_worker(settings: Settings, *, address: str | None = None,
                     ready: asyncio.Event | None = None, migrate: bool = True) -> None:
    """Run until SIGINT or SIGTERM, then finish in-flight activities and stop. `migrate=False`
    when the caller has migrated the store already."""
    telemetry = start_worker_telemetry(settings)
    client = await connect_client(settings, address=address, runtime=telemetry.runtime,
                                  interceptors=telemetry.interceptors)
    store = await EventStore.connect(database_url(settings), schema=settings.db_schema,
                                     migrate=migrate)
    try:
        await PortfolioReader(store.pool, store.schema).catch_up()  # the writer repairs rows
        worker = build_worker(client, store, settings)
        await start_digest(client, settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)

        def polling() -> bool:
            return worker.is_running and not stop.is_set()

        async with worker, serve_health(settings.health_address, polling):
            log.info("worker started", task_queue=worker.task_queue,
                     temporal=client.service_client.config.target_host,
                     metrics=settings.metrics_address, tracing=settings.otlp_endpoint,
                     health=settings.health_address)
            if ready is not None:
                ready.set()
            await stop.wait()
            log.info("worker stopping", grace_seconds=SHUTDOWN_GRACE.total_seconds())
    finally:
        await store.close()
        telemetry.shutdown()
