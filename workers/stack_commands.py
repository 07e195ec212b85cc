"""Running Baton: `up` (foreground or detached), `down`, `status`, `worker`, `web`: the commands
that start servers, added to the `baton` command line by its composition root
(`workers.baton`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.args import CommandTable
from cli.errors import CliError, ExitCode, unreachable
from cli.output import table
from cli.session import Session
from devstack.private_files import PRIVATE_UMASK, open_private, private_dir
from devstack.stack_files import StackFiles, StackInfo, process_alive
from domain.formatting import relative
from workers.composition import Place, load_settings, redact  # light: imports app/ lazily

if TYPE_CHECKING:
    from store.notices import Backlog

START_TIMEOUT = 120.0  # a first start creates the PostgreSQL cluster
STOP_TIMEOUT = 30.0


def register(commands: CommandTable) -> None:
    parser = commands.add(
        "Run Baton", "up", "start Temporal (with its Web UI), PostgreSQL and a worker", up,
        usage_hint="[--detach]",
        description="Start embedded PostgreSQL ($BATON_HOME/postgres), the Temporal dev server "
                    "with its Web UI ($BATON_HOME/temporal) and a worker. Runs until Ctrl-C, or "
                    "in the background with --detach until `baton down`. TEMPORAL_ADDRESS or "
                    "DATABASE_URL, when set, are used instead of the embedded servers.")
    parser.add_argument("--detach", action="store_true",
                        help="run in the background (log: $BATON_HOME/up.log)")
    commands.add("Run Baton", "down", "stop what `baton up --detach` started", down)
    commands.add("Run Baton", "status", "what runs where: Temporal, Web UI, database, workers",
                 status, description="What runs where: Temporal, its Web UI, the database and "
                 "the workers polling the task queue. Exit 3 if Temporal or PostgreSQL is "
                 "unreachable.")
    parser = commands.add("Run Baton", "worker", "run a worker (SIGTERM stops it gracefully)",
                          worker, usage_hint="[--task-queue Q]")
    parser.add_argument("--task-queue", metavar="Q", help="default: $BATON_TASK_QUEUE or baton")
    commands.add("Run Baton", "web", "serve the HTTP API alone (stateless; run any number)",
                 web, description="Serve the HTTP API on $BATON_WEB_HOST:$BATON_WEB_PORT "
                 "against TEMPORAL_ADDRESS and DATABASE_URL (or a running `baton up`); "
                 "SIGTERM stops it once the requests in flight are answered.")


async def up(args: argparse.Namespace, session: Session) -> int:
    place = Place(load_settings())
    if args.detach:
        return await asyncio.to_thread(_detach, place, session)
    from workers.stack_run import run_stack

    return await run_stack(place, session)


def _detach(place: Place, session: Session) -> int:
    from workers.stack_run import ready_text

    files = place.stack
    info = files.running()
    if info is None:
        info = _start_in_background(files, session)
    else:
        session.out.note(f"baton is already up under {files.home} (pid {info.pid})")
    session.out.result(_status_of_stack(info), lambda: ready_text(info, place)
                       + "\nStop with: baton down")
    return ExitCode.OK


def _start_in_background(files: StackFiles, session: Session) -> StackInfo:
    private_dir(files.home)
    session.out.note(f"starting baton in the background (log: {files.log_path})")
    with open_private(files.log_path) as log:
        # A session of its own: closing this terminal must not stop the stack.
        child = subprocess.Popen(
            [sys.executable, "-m", "workers.baton", "up"], stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True, umask=PRIVATE_UMASK,
            env={**os.environ, "BATON_HOME": str(files.home)})
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = files.running()
        if info is not None and info.pid == child.pid:
            return info
        if child.poll() is not None:
            raise _failure_from_log(files.log_path, child.returncode)
        time.sleep(0.1)
    child.terminate()
    raise unreachable(f"baton up did not get ready within {START_TIMEOUT:.0f} s; see "
                      f"{files.log_path}")


def _failure_from_log(log_path: Path, returncode: int) -> CliError:
    lines = log_path.read_text(errors="replace").splitlines()
    reported = [line for line in lines if line.startswith("baton: ")]
    message = reported[-1].split(": ", 2)[-1] if reported else f"see {log_path}"
    known = {int(code) for code in ExitCode}
    code = ExitCode(returncode) if returncode in known else ExitCode.UNREACHABLE
    return CliError(f"baton up stopped during start-up: {message}", code)


async def down(args: argparse.Namespace, session: Session) -> int:
    place = Place(load_settings())
    files = place.stack
    pid = files.up_pid()
    leftover = files.read()
    if pid is None and leftover is None:
        session.out.note(f"nothing to stop: baton is not up under {files.home}")
        session.out.result({"stopped": False}, "baton is not up")
        return ExitCode.OK
    if pid is not None:
        with session.out.step(f"stopping baton up (pid {pid})"):
            os.kill(pid, signal.SIGTERM)
            stopped = await _wait_for_exit(pid, STOP_TIMEOUT)
        if not stopped:
            session.out.note(f"pid {pid} did not stop within {STOP_TIMEOUT:.0f} s; killing it")
            os.kill(pid, signal.SIGKILL)
    if leftover is not None:
        await asyncio.to_thread(_stop_leftovers, leftover, place, session)
    files.clear()
    session.out.result({"stopped": True}, "baton is down")
    return ExitCode.OK


async def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        await asyncio.sleep(0.1)
    return False


def _stop_leftovers(info: StackInfo, place: Place, session: Session) -> None:
    """What a `baton up` that was killed, not stopped, leaves running."""
    if info.temporal_pid and _runs(info.temporal_pid, "temporal"):
        session.out.note(f"stopping the Temporal server it left (pid {info.temporal_pid})")
        os.kill(info.temporal_pid, signal.SIGTERM)
    if info.postgres_pid and _runs(info.postgres_pid, "postgres"):
        from devstack.embedded_postgres import ensure_embedded_postgres

        session.out.note(f"stopping the PostgreSQL server it left (pid {info.postgres_pid})")
        ensure_embedded_postgres(place.settings.postgres_dir).stop()


def _runs(pid: int, program: str) -> bool:
    """Whether `pid` is alive and still that program (pids are reused)."""
    if not process_alive(pid):
        return False
    try:
        return program in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return True  # no /proc here: trust the pid


async def status(args: argparse.Namespace, session: Session) -> int:
    place = Place(load_settings())
    info = place.stack.running()
    temporal_ok, workers = await _probe_temporal(session)
    database_ok, notices = await _probe_database(place.database_url, place.settings.db_schema)
    data = {
        "temporal_address": place.temporal_address, "temporal_reachable": temporal_ok,
        "ui_url": place.ui_url,
        "database_url": redact(place.database_url) if place.database_url else None,
        "database_reachable": database_ok, "db_schema": place.settings.db_schema,
        # Notices the workers have yet to deliver: a count that grows says a webhook or mail
        # server is down (or no worker runs).
        "notices_owed": None if notices is None else {
            "count": notices.count,
            "oldest_at": notices.oldest_at.isoformat() if notices.oldest_at else None},
        "task_queue": place.settings.task_queue, "workers": workers,
        # The pages and the API this stack serves, else the one this CLI is a client of.
        "web_url": (info.web_url if info else None) or place.settings.api_url,
        "stack": {"home": str(place.settings.home), "running": info is not None,
                  **(_status_of_stack(info) if info else {})},
    }
    session.out.result(data, lambda: _status_text(data))
    if temporal_ok and database_ok:
        return ExitCode.OK
    session.out.note("baton: not everything is reachable: run `baton up` (or `baton up "
                     "--detach`), or check TEMPORAL_ADDRESS and DATABASE_URL")
    return ExitCode.UNREACHABLE


def _status_of_stack(info: StackInfo) -> dict[str, object]:
    return {"temporal_address": info.temporal_address, "ui_url": info.ui_url,
            "database_url": redact(info.database_url), "task_queue": info.task_queue,
            "pid": info.pid, "temporal_pid": info.temporal_pid,
            "postgres_pid": info.postgres_pid, "started_at": info.started_at,
            "web_url": info.web_url}


async def _probe_temporal(session: Session) -> tuple[bool, list[str]]:
    from app.errors import Rejected

    try:
        return True, await session.context().workers_polling()
    except Rejected:
        return False, []


async def _probe_database(dsn: str | None, schema: str) -> tuple[bool, Backlog | None]:
    """Whether the database answers, and the notices owed in `schema` (None: not migrated)."""
    if dsn is None:
        return False, None
    import asyncpg

    from store.notices import NoticeQueue

    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False, None
    try:
        return True, await NoticeQueue(schema).backlog(connection)
    except asyncpg.PostgresError:  # a schema not migrated yet, or a role that may not read it
        return True, None
    finally:
        await connection.close()


def _status_text(data: dict[str, object]) -> str:
    def state(ok: object) -> str:
        return "up" if ok else "UNREACHABLE"

    stack = data["stack"]
    assert isinstance(stack, dict)
    workers = data["workers"]
    assert isinstance(workers, list)
    rows: list[list[Any]] = [
        ["Temporal", data["temporal_address"], state(data["temporal_reachable"])],
        ["Temporal UI", data["ui_url"] or "not started here (TEMPORAL_ADDRESS)", ""],
        ["PostgreSQL", data["database_url"] or "not configured",
         state(data["database_reachable"])],
        ["Workers", f"task queue {data['task_queue']!r}",
         ", ".join(workers) if workers else "none polling"],
        ["Notices", "waiting to be delivered", _backlog_text(data.get("notices_owed"))],
        ["Pages", f"{data['web_url']}/signin" if data["web_url"] else "not served", ""],
        ["HTTP API", f"{data['web_url']}/api/v1" if data["web_url"] else "not served", ""],
        ["baton up", stack["home"],
         f"pid {stack['pid']}" if stack.get("running") else "not running"],
    ]
    return table(["", "WHERE", "STATE"], rows)


def _backlog_text(owed: object) -> str:
    if not isinstance(owed, dict):
        return "unknown"
    if not owed["count"]:
        return "none"
    oldest = datetime.fromisoformat(owed["oldest_at"])
    return f"{owed['count']:,}, the oldest {relative(oldest, datetime.now(UTC))}"


async def worker(args: argparse.Namespace, session: Session) -> int:
    from workers.logging import configure_logging
    from workers.worker import run_worker

    place = Place(load_settings())
    settings = place.settings
    await place.temporal()  # fail with a clear line before anything starts
    store = await place.store()  # and migrate, once, here: the worker then does not
    await store.close()
    settings = settings.model_copy(update={
        "task_queue": args.task_queue or settings.task_queue, "database_url": place.database_url})
    configure_logging(settings.log_format, settings.log_level)
    session.out.note(f"worker polling task queue {settings.task_queue!r} at "
                     f"{place.temporal_address}; SIGTERM or Ctrl-C stops it")
    await run_worker(settings, address=place.temporal_address, migrate=False)
    return ExitCode.OK


async def web(args: argparse.Namespace, session: Session) -> int:
    from app.errors import invalid
    from workers.logging import configure_logging
    from workers.web import build_web_app, serve_web

    place = Place(load_settings())
    settings = place.settings
    if settings.session_secret is None:
        # A key per process would sign each replica's cookies differently: a person signed in
        # on one replica would be a stranger to the next.
        raise invalid("BATON_SESSION_SECRET is not set: every `baton web` replica must sign "
                      "sign-in cookies with the same secret; set it to one random value of at "
                      "least 32 characters on all of them")
    await place.temporal()  # fail with a clear line before anything starts
    await (await place.store()).close()
    configure_logging(settings.log_format, settings.log_level)
    session.out.note(f"serving the HTTP API at http://{settings.web_host}:{settings.web_port} "
                     f"(Temporal {place.temporal_address}); SIGTERM or Ctrl-C stops it")
    await serve_web(build_web_app(settings), settings.web_host, settings.web_port)
    return ExitCode.OK
