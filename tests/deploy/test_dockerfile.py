"""The image installs Baton the way the tests of the installed package do: through
deploy/install.sh (the built wheel, pinned by constraints.txt, with the runtime extras), from a
build stage that copies each room once, and runs as a numeric non-root user the commands the
manifests start."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections import Counter
from typing import Any

from tests.deploy.manifests import (
    DEPLOY,
    ROOT,
    baton_services,
    dockerfile_instructions,
    k8s_object,
    shell_commands,
)

INSTALL_SCRIPT = "deploy/install.sh"
_PROJECT_EXTRA = re.compile(r"^baton\[(?P<extras>[^\]]+)\]$")


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def runtime_extras_of_dev() -> set[str]:
    """The project's own extras that `dev` pulls in, e.g. `baton[telemetry]`: what the tests
    run on top of the dependencies, and so what the image installs."""
    extras: set[str] = set()
    for requirement in pyproject()["project"]["optional-dependencies"]["dev"]:
        if match := _PROJECT_EXTRA.match(requirement):
            extras |= set(match["extras"].split(","))
    return extras


def run_commands() -> list[list[str]]:
    return [command for keyword, arguments in dockerfile_instructions() if keyword == "RUN"
            for command in shell_commands(arguments)]


def copied_sources() -> list[str]:
    return [source for keyword, arguments in dockerfile_instructions()
            if keyword == "COPY" and "--from" not in arguments
            for source in arguments.split()[:-1]]


def install_script_pip_lines() -> list[list[str]]:
    """The pip commands of deploy/install.sh, as words after `-m pip`."""
    lines = []
    for line in (ROOT / INSTALL_SCRIPT).read_text().splitlines():
        if " -m pip " in line and not line.lstrip().startswith("#"):
            words = shlex.split(line.replace('"', ""))
            lines.append(words[words.index("pip") + 1:])
    return lines


def test_the_image_installs_through_the_script_the_tests_run() -> None:
    installs = [command for command in run_commands() if INSTALL_SCRIPT in command]

    assert installs == [["sh", INSTALL_SCRIPT, "/src", "/opt/baton"]]
    assert not any("pip" in command for command in run_commands()), (
        "every pip step belongs in deploy/install.sh, which the tests run as well")


def test_the_script_installs_the_built_wheel_pinned_with_the_runtime_extras() -> None:
    upgrade, build, install = install_script_pip_lines()

    assert upgrade[:3] == ["install", "--quiet", "--upgrade"]
    assert build[:1] == ["wheel"] and "--no-deps" in build, "the wheel, not the source tree"
    assert "-e" not in install and "--editable" not in install
    assert install[install.index("-c") + 1].endswith("/constraints.txt")
    extras = set(install[-1].partition("[")[2].rstrip("]").split(","))
    assert extras == runtime_extras_of_dev()


def test_the_build_stage_copies_each_room_once() -> None:
    copied = Counter(copied_sources())
    setuptools = pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    # A pattern for a room that does not exist yet installs nothing and has nothing to copy.
    packages = {pattern.rstrip("*") for pattern in setuptools
                if (ROOT / pattern.rstrip("*")).is_dir()}

    assert [source for source, times in copied.items() if times > 1] == []
    assert set(copied) == packages | {"pyproject.toml", "constraints.txt", INSTALL_SCRIPT,
                                      pyproject()["project"]["readme"]}


def test_the_build_leaves_no_debris_in_the_context() -> None:
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    # A stale build/ directory would let setuptools put files into the wheel that the tree
    # no longer holds.
    assert {"build", "*.egg-info", ".venv", ".git"} <= set(ignored)


def test_the_image_runs_the_python_the_project_targets() -> None:
    (python_image,) = [arguments for keyword, arguments in dockerfile_instructions()
                       if keyword == "ARG" and arguments.startswith("PYTHON_IMAGE=")]
    version = re.search(r"python:(\d+)\.(\d+)", python_image)
    assert version, python_image
    target = pyproject()["tool"]["ruff"]["target-version"]

    assert f"py{version[1]}{version[2]}" == target
    assert pyproject()["project"]["requires-python"] == f">={version[1]}.{version[2]}"


def test_the_image_runs_as_a_numeric_non_root_user() -> None:
    users = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "USER"]

    assert users and users[-1].isdigit() and int(users[-1]) != 0


def test_the_image_runs_the_commands_the_manifests_and_compose_start() -> None:
    instructions = dockerfile_instructions()
    worker = k8s_object("Deployment", "baton-worker")["spec"]["template"]["spec"]["containers"][0]
    web = k8s_object("Deployment", "baton-web")["spec"]["template"]["spec"]["containers"][0]
    composed = baton_services()

    assert ("CMD", '["baton", "worker"]') in instructions
    assert worker["command"] == composed["worker"]["command"] == ["baton", "worker"]
    assert web["command"] == composed["web"]["command"] == ["baton", "web"]
    assert any(keyword == "ENV" and "BATON_LOG_FORMAT=json" in arguments.split()
               for keyword, arguments in instructions)
    assert "constraints.txt" in (ROOT / "README.md").read_text()
