"""The image installs Baton as the README's `make` does: the same pip steps, the same constraints
file, the same extras with `dev` swapped for the runtime extras it includes, on the Python the
project targets."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from tests.deploy.manifests import ROOT, dockerfile_instructions, shell_commands

_PROJECT_EXTRA = re.compile(r"^baton\[(?P<extras>[^\]]+)\]$")


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pip_steps(commands: list[list[str]]) -> list[list[str]]:
    """The arguments after `-m pip` of each pip command, without --quiet."""
    steps = []
    for command in commands:
        if command[1:3] == ["-m", "pip"]:
            steps.append([argument for argument in command[3:] if argument != "--quiet"])
    return steps


def makefile_install_steps() -> list[list[str]]:
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile's install recipe ($(STAMP)) was not found"
    return pip_steps([command for line in recipe[1].splitlines()
                      for command in shell_commands(line)])


def dockerfile_install_steps() -> list[list[str]]:
    return pip_steps([command for keyword, arguments in dockerfile_instructions()
                      if keyword == "RUN" for command in shell_commands(arguments)])


def split_target(target: str) -> tuple[str, set[str]]:
    path, _, extras = target.partition("[")
    return path, set(filter(None, extras.rstrip("]").split(",")))


def runtime_extras_of_dev() -> set[str]:
    """The project's own extras that `dev` pulls in, e.g. `baton[telemetry]`."""
    extras: set[str] = set()
    for requirement in pyproject()["project"]["optional-dependencies"]["dev"]:
        if match := _PROJECT_EXTRA.match(requirement):
            extras |= set(match["extras"].split(","))
    return extras


def test_the_image_takes_the_makefile_install_steps() -> None:
    make_upgrade, make_install = makefile_install_steps()
    image_upgrade, image_install = dockerfile_install_steps()
    make_options = [argument for argument in make_install[:-1] if argument != "-e"]

    assert image_upgrade == make_upgrade == ["install", "--upgrade", "pip"]
    assert image_install[:-1] == make_options
    assert make_options[make_options.index("-c") + 1] == "constraints.txt"


def test_the_image_swaps_dev_for_its_runtime_extras() -> None:
    make_path, make_extras = split_target(makefile_install_steps()[1][-1])
    image_path, image_extras = split_target(dockerfile_install_steps()[1][-1])

    assert "dev" in make_extras and image_path == make_path == "."
    assert image_extras == (make_extras - {"dev"}) | runtime_extras_of_dev()


def test_the_image_copies_what_the_package_installs() -> None:
    copied = {source for keyword, arguments in dockerfile_instructions() if keyword == "COPY"
              and "--from" not in arguments for source in arguments.split()[:-1]}
    setuptools = pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    # A pattern for a room that does not exist yet installs nothing and has nothing to copy.
    packages = {pattern.rstrip("*") for pattern in setuptools
                if (ROOT / pattern.rstrip("*")).is_dir()}

    assert packages | {"pyproject.toml", "constraints.txt", pyproject()["project"]["readme"]} == (
        copied
    )


def test_the_image_runs_the_python_the_project_targets() -> None:
    (python_image,) = [arguments for keyword, arguments in dockerfile_instructions()
                       if keyword == "ARG" and arguments.startswith("PYTHON_IMAGE=")]
    version = re.search(r"python:(\d+)\.(\d+)", python_image)
    assert version, python_image
    target = pyproject()["tool"]["ruff"]["target-version"]

    assert f"py{version[1]}{version[2]}" == target
    assert pyproject()["project"]["requires-python"] == f">={version[1]}.{version[2]}"


def test_the_image_runs_the_worker_and_logs_json() -> None:
    instructions = dockerfile_instructions()

    assert ("CMD", '["baton", "worker"]') in instructions
    assert any(keyword == "ENV" and "BATON_LOG_FORMAT=json" in arguments.split()
               for keyword, arguments in instructions)
    assert "constraints.txt" in (ROOT / "README.md").read_text()
