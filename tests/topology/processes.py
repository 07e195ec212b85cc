"""Baton's processes as a cluster runs them: each a command of the installed package started
alone, with its own environment and log, known ready by the probe its manifest names, stopped
with SIGTERM as Kubernetes stops a pod, or killed outright as a node failure would."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.installed.package import InstalledBaton

READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0  # the pods' termination grace period


@dataclass
class Service:
    """One long-running process: `baton worker` or `baton web`."""

    name: str
    command: list[str]
    env: Mapping[str, str]
    ready_url: str
    baton: InstalledBaton
    workdir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> Service:
        program = str(self.baton.bin / self.command[0])
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [program, *self.command[1:]], cwd=self.workdir, env=dict(self.env),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> Service:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited during start-up:\n{self.log_tail()}")
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after the grace period; the exit code (None: never started)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.wait()

    def kill(self) -> None:
        """SIGKILL, to the whole process group: nothing gets to clean up."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def restart(self) -> Service:
        self.stop()
        return self.start().wait_ready()

    def log_tail(self, characters: int = 4000) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return self.log_path.read_text(errors="replace")[-characters:]
