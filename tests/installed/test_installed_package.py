"""The package as a user installs it: every file the code opens is in it, and from its own
virtualenv alone, outside the checkout, the stack starts, serves its pages and its API, records
an action, verifies the record and stops."""

from __future__ import annotations

import glob
import re
import subprocess
import sys
import tarfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.installed.package import (
    ROOMS,
    ROOT,
    InstalledBaton,
    free_port,
    runtime_files,
)

PMO = "pmo@acme.example"
SPEC = ROOT / "examples" / "sustains.yaml"
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
_ASSET = re.compile(r'(?:src|href)="(/[^"]+)"')
_OFF_ORIGIN = re.compile(r'(?:src|href|url)\s*[=:(]\s*["\']?((?:https?:)?//[^"\')]+)')


def test_every_runtime_file_of_a_room_is_package_data() -> None:
    """Named in pyproject.toml, so a wheel carries it; the installed tests below prove the
    wheel does. Globbed as setuptools globs package-data."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    covered = {f"{room}/{name}" for room, patterns in package_data.items() for pattern in patterns
               for name in glob.glob(pattern, root_dir=ROOT / room, recursive=True)}

    assert set(runtime_files()) - covered == set()
    assert set(package_data) <= set(ROOMS)


def test_the_wheel_installs_every_file_the_code_opens(installed_baton: InstalledBaton) -> None:
    installed = installed_baton.installed_files()

    assert [name for name in runtime_files() if name not in installed] == []
    assert {"web/templates/base.html", "web/static/baton.css",
            "store/migrations/0001_events_and_streams.sql"} <= installed


def test_the_sdist_carries_every_file_the_code_opens(installed_baton: InstalledBaton,
                                                     tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path),
                            str(installed_baton.source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    (sdist,) = tmp_path.glob("baton-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    assert [name for name in runtime_files() if name not in members] == []


@pytest.fixture
def stack(installed_baton: InstalledBaton, tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    """`baton up --detach` from the installed package, in a directory outside the checkout;
    yields its environment and the web address, and brings it down after."""
    web_port = free_port()
    env = installed_baton.environment(
        tmp_path / "home", BATON_TEMPORAL_PORT=str(free_port()), BATON_UI_PORT=str(free_port()),
        BATON_WEB_PORT=str(web_port))
    started = installed_baton.run("baton", "up", "--detach", cwd=tmp_path, env=env)
    try:
        assert started.returncode == 0, started.stderr
        yield env, f"http://127.0.0.1:{web_port}"
    finally:
        stopped = installed_baton.run("baton", "down", cwd=tmp_path, env=env)
        assert stopped.returncode == 0, stopped.stderr


def test_the_installed_package_runs_a_whole_stack(
        installed_baton: InstalledBaton, stack: tuple[dict[str, str], str],
        tmp_path: Path) -> None:
    env, web = stack
    where = installed_baton.run("python", "-c", "import web; print(web.__file__)",
                                cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(installed_baton.venv)), "not the installed package"

    with httpx.Client(base_url=web, timeout=30) as http:
        signin = http.get("/signin")
        assert signin.status_code == 200, signin.text
        stylesheet = _STYLESHEET.search(signin.text)
        assert stylesheet, "the sign-in page links no stylesheet"
        css = http.get(stylesheet[1])
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

        docs = http.get("/api/docs")  # the API explorer, on a network with no internet
        assert docs.status_code == 200
        assert _OFF_ORIGIN.findall(docs.text) == []
        for asset in _ASSET.findall(docs.text):
            assert http.get(asset).status_code == 200, asset

        issued = installed_baton.run("baton", "token", "issue", PMO, "--pmo", cwd=tmp_path,
                                     env=env)
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip().splitlines()[-1]
        launched = http.post("/api/v1/initiatives", content=SPEC.read_bytes(),
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/yaml"})
        assert launched.status_code == 201, launched.text

    verified = installed_baton.run("baton", "audit", "verify", "--all", cwd=tmp_path, env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
