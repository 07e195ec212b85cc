"""`baton up` in the foreground: embedded PostgreSQL and Temporal (with its Web UI), the event
store migrated, and a worker, all in this process until Ctrl-C or SIGTERM stops them in reverse
order: the HTTP API first, then the worker (it finishes in-flight activities), then Temporal,
then PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cli.errors import ExitCode, bad_input, unreachable
from cli.output import Output
from cli.session import Session
from devstack.private_files import PRIVATE_UMASK
from devstack.stack_files import StackInfo
from workers.composition import Place, open_store, redact
from workers.logging import configure_logging

if TYPE_CHECKING:
    from temporalio.client import Client

    from store import EventStore


async def run_stack(place: Place, session: Session) -> int:
    files = place.stack
    running = files.up_pid()
    if running is not None and running != os.getpid():
        raise bad_input(f"baton is already up under {files.home} (pid {running}): see "
                        "`baton status`, or stop it with `baton down`")
    stop = _stop_on_signals()
    # Everything this process and the servers it starts create is under BATON_HOME, and private.
    os.umask(PRIVATE_UMASK)
    files.claim()
    try:
        async with AsyncExitStack() as stack:
            info = await _start_everything(place, session, stack)
            # Only now: the start-up steps report themselves, the worker's log follows them.
            configure_logging(place.settings.log_format, place.settings.log_level)
            files.announce(info)
            session.out.result(_ready_json(info),
                               lambda: ready_text(info, place) + "\nCtrl-C stops it all.")
            await stop.wait()
            session.out.note("stopping: the worker finishes what it is doing, then Temporal "
                             "and PostgreSQL stop")
    finally:
        files.clear()
    session.out.note("baton is down")
    return ExitCode.OK


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _start_everything(place: Place, session: Session,
                            stack: AsyncExitStack) -> StackInfo:
    from devstack.embedded_postgres import ensure_embedded_postgres
    from devstack.embedded_temporal import EmbeddedTemporalError, start_embedded_temporal
    from store.portfolio import PortfolioReader
    from workers.temporal_client import connect_client
    from workers.worker import build_worker, start_digest

    settings, out = place.settings, session.out
    dsn, postgres_pid = settings.database_url, None
    if dsn is None:
        with out.step(f"starting PostgreSQL in {settings.postgres_dir}"):
            try:
                postgres = await asyncio.to_thread(ensure_embedded_postgres,
                                                   settings.postgres_dir)
            except (OSError, subprocess.SubprocessError) as error:
                raise unreachable(f"PostgreSQL did not start in {settings.postgres_dir}: "
                                  f"{error} (its log is in {settings.postgres_dir}/log)") from None
        stack.push_async_callback(asyncio.to_thread, postgres.stop)
        dsn, postgres_pid = postgres.dsn, postgres.pid
    address, ui_url, temporal_pid = settings.temporal_address, None, None
    if address is None:
        with out.step(f"starting Temporal on port {settings.temporal_port} "
                      f"(Web UI on {settings.ui_port})"):
            try:
                temporal = await start_embedded_temporal(
                    settings.temporal_dir, port=settings.temporal_port,
                    ui_port=settings.ui_port)
            except EmbeddedTemporalError as error:
                raise unreachable(str(error)) from None
        stack.push_async_callback(asyncio.to_thread, temporal.stop)
        address, ui_url, temporal_pid = temporal.address, temporal.ui_url, temporal.pid
    with out.step(f"migrating the event store (schema {settings.db_schema!r})"):
        store = await open_store(dsn, settings.db_schema,
                                 configured=bool(settings.database_url))
        try:
            await PortfolioReader(store.pool, store.schema).catch_up()  # the writer repairs
        except BaseException:
            await store.close()
            raise
    stack.push_async_callback(store.close)
    try:
        client = await connect_client(settings, address=address)
    except ConnectionError:
        hint = ("check TEMPORAL_ADDRESS" if settings.temporal_address
                else "set TEMPORAL_ADDRESS to a server of your own")
        raise unreachable(f"cannot reach Temporal at {address}: {hint}") from None
    # Entered last, so it stops first: the worker drains before Temporal and PostgreSQL go.
    await stack.enter_async_context(build_worker(client, store, settings))
    await start_digest(client, settings)
    web_url = await _serve_web(place, out, client, store, address, stack)
    return StackInfo(
        pid=os.getpid(), temporal_address=address, ui_url=ui_url, database_url=dsn,
        task_queue=settings.task_queue, temporal_pid=temporal_pid, postgres_pid=postgres_pid,
        started_at=datetime.now(UTC).isoformat(), web_url=web_url)


async def _serve_web(place: Place, out: Output, client: Client, store: EventStore,
                     address: str, stack: AsyncExitStack) -> str:
    """The HTTP API on BATON_WEB_HOST:BATON_WEB_PORT, over this stack's own clients; it stops
    before the worker does."""
    from web.app import create_app
    from workers.web import shared_context, started_server, web_config, web_services

    settings = place.settings
    where = replace(place.where(), temporal_address=address)
    app = create_app(web_config(settings), lambda: web_services(
        shared_context(client, store, where, source_hosts=settings.metric_source_hosts)))
    with out.step(f"serving the HTTP API on {settings.web_host}:{settings.web_port}"):
        try:
            return await stack.enter_async_context(
                started_server(app, settings.web_host, settings.web_port))
        except OSError as error:
            raise unreachable(f"the HTTP API cannot listen on {settings.web_host}:"
                              f"{settings.web_port}: {error.strerror or error}; set "
                              "BATON_WEB_PORT to a free port") from None


def _ready_json(info: StackInfo) -> dict[str, object]:
    return {"temporal_address": info.temporal_address, "ui_url": info.ui_url,
            "database_url": redact(info.database_url), "task_queue": info.task_queue,
            "web_url": info.web_url, "pid": info.pid}


def ready_text(info: StackInfo, place: Place) -> str:
    settings = place.settings
    embedded = "embedded, data in {}".format
    lines = [
        "Baton is up.",
        f"  Temporal    {info.temporal_address}   "
        f"({embedded(settings.temporal_dir) if info.temporal_pid else 'TEMPORAL_ADDRESS'})",
        f"  Web UI      {info.ui_url or '-'}",
        f"  PostgreSQL  {redact(info.database_url)}   "
        f"({embedded(settings.postgres_dir) if info.postgres_pid else 'DATABASE_URL'})",
        f"  Worker      task queue {info.task_queue!r}, schema {settings.db_schema!r}",
        f"  HTTP API    {info.web_url or '-'}   (tokens: baton token issue PERSON)",
        "",
        "Next: baton launch examples/sustains.yaml --as pmo@acme.example",
    ]
    return "\n".join(lines)
