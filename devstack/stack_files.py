"""What `baton up` leaves under $BATON_HOME so that other commands can find it and `down` can stop
it: `up.pid` from the moment it starts, `stack.json` once everything answers, `up.log` when
detached."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from devstack.private_files import private_dir, write_private


@dataclass(frozen=True)
class StackInfo:
    pid: int  # the `baton up` process, which owns everything below
    temporal_address: str
    ui_url: str | None
    database_url: str
    task_queue: str
    temporal_pid: int | None  # None when TEMPORAL_ADDRESS pointed at a server of its own
    postgres_pid: int | None  # None when DATABASE_URL did
    started_at: str
    web_url: str | None = None  # the HTTP API it serves


class StackFiles:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.pid_path = home / "up.pid"
        self.info_path = home / "stack.json"
        self.log_path = home / "up.log"

    def up_pid(self) -> int | None:
        """The pid of a `baton up` that is still alive, if any."""
        try:
            pid = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def claim(self) -> None:
        private_dir(self.home)
        write_private(self.pid_path, f"{os.getpid()}\n")

    def running(self) -> StackInfo | None:
        """The stack a live `baton up` announced as ready."""
        info = self.read()
        return info if info is not None and process_alive(info.pid) else None

    def read(self) -> StackInfo | None:
        try:
            return StackInfo(**json.loads(self.info_path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def announce(self, info: StackInfo) -> None:
        # The DSN may hold a password: readable by this user only, and never half written.
        write_private(self.info_path, json.dumps(asdict(info), indent=2) + "\n")

    def clear(self) -> None:
        for path in (self.info_path, self.pid_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but someone else's
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    # A child that exited but was not reaped still answers kill(0); /proc tells (Linux only).
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[-1].split()[0] == "Z"
