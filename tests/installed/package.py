"""Baton as users get it: the wheel built from this checkout by deploy/install.sh (the script
the image runs), installed into a virtualenv outside the checkout, and run from there with a
working directory and an environment that know nothing of the checkout.

`installed_baton` builds it once per test session; the tests of the installed package and the
production-topology ring both run it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = ROOT / "deploy" / "install.sh"
INSTALL_TIMEOUT = 600.0  # a cold pip cache downloads every dependency
# The rooms setuptools packages, as pyproject.toml's [tool.setuptools] names them.
ROOMS = ("domain", "workflows", "store", "activities", "audit", "app", "cli", "web", "devstack",
         "workers")


def tracked_files() -> list[str]:
    """The checkout's files as a clone would have them (tracked, or new and not ignored): no
    build debris, no virtualenv."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def runtime_files() -> list[str]:
    """Every file of a room that is not Python source: what the code opens at run time."""
    return sorted(name for name in tracked_files()
                  if name.split("/", 1)[0] in ROOMS and not name.endswith(".py"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class InstalledBaton:
    venv: Path
    source: Path  # the copy of the checkout the wheel was built from

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def environment(self, home: Path, **settings: str) -> dict[str, str]:
        """An environment with this virtualenv's commands first and nothing of the checkout's:
        no PYTHONPATH, no variable of Baton's but those given."""
        kept = {name: value for name, value in os.environ.items()
                if name in ("HOME", "LANG", "LC_ALL", "TMPDIR", "CI", "PIP_CACHE_DIR")}
        return {**kept, "PATH": f"{self.bin}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
                "BATON_HOME": str(home), "BATON_LOG_LEVEL": "WARNING", **settings}

    def run(self, *arguments: str, cwd: Path, env: Mapping[str, str],
            timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
        """`arguments` run from this virtualenv's bin/ (`baton ...`, `python -m ...`)."""
        program = str(self.bin / arguments[0])
        return subprocess.run([program, *arguments[1:]], cwd=cwd, env=dict(env), text=True,
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def installed_files(self) -> set[str]:
        """The files the wheel put into site-packages, as the installer recorded them."""
        listing = subprocess.run(
            [str(self.bin / "python"), "-c",
             "import importlib.metadata as m; print('\\n'.join(str(f) for f in m.files('baton')))"],
            capture_output=True, text=True, check=True, cwd=self.venv)
        return set(listing.stdout.split())


def install(workspace: Path) -> InstalledBaton:
    source, venv = workspace / "source", workspace / "venv"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run(["sh", str(INSTALL_SCRIPT), str(source), str(venv)], cwd=workspace,
                          env={**os.environ, "PYTHON": sys.executable}, capture_output=True,
                          text=True, timeout=INSTALL_TIMEOUT)
    if done.returncode != 0:
        pytest.fail(f"deploy/install.sh failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return InstalledBaton(venv=venv, source=source)


@pytest.fixture(scope="session")
def installed_baton(tmp_path_factory: pytest.TempPathFactory) -> InstalledBaton:
    return install(tmp_path_factory.mktemp("installed"))
