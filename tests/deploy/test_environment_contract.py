"""One list of environment variables (workers.environment.ENVIRONMENT_VARIABLES) and everything that
must agree with it: the code that reads the environment, both READMEs, the compose file, the
Kubernetes ConfigMap and Secret, and the Dockerfile."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from tests.deploy.manifests import (
    DEPLOY_README,
    ROOT,
    baton_services,
    compose_environment,
    config_map,
    dockerfile_instructions,
    markdown_table,
    secret,
)
from workers.environment import ENVIRONMENT_VARIABLES
from workers.settings import Settings

NAMES = {variable.name for variable in ENVIRONMENT_VARIABLES}
_ENVIRON_METHODS = {"get", "pop", "setdefault"}


def shipped_sources() -> Iterator[Path]:
    """The modules the package installs (pyproject's package list): what runs in a container."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in {pattern.rstrip("*") for pattern in patterns}:
        yield from (ROOT / package).rglob("*.py")


def variables_read(source: str) -> set[str]:
    """Names passed as literals to os.environ.get/[...]/pop/setdefault or os.getenv."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute):
            reads_environ = node.func.attr in _ENVIRON_METHODS and _is_environ(node.func.value)
            if (reads_environ or node.func.attr == "getenv") and _literal(node.args[0]):
                names.add(_literal(node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and _literal(node.slice):
            names.add(_literal(node.slice))
    return names - {""}


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id in ("environ", "environment")
    )


def _literal(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def deploy_readme_rows() -> dict[str, tuple[str, str]]:
    """variable -> (Kubernetes, compose) from deploy/README.md's settings table."""
    rows = markdown_table(DEPLOY_README.read_text(), "## Settings in containers")
    return {row[0].strip("`"): (row[1], row[2]) for row in rows}


def compose_variables() -> set[str]:
    return {name for service in baton_services().values() for name in service["environment"]}


def test_the_scan_finds_environment_reads() -> None:
    source = 'import os\nos.environ.get("A")\nos.getenv("B", "x")\nos.environ["C"]\nenviron.get(n)'

    assert variables_read(source) == {"A", "B", "C"}


def test_the_code_reads_only_listed_variables() -> None:
    read = {name for path in shipped_sources() for name in variables_read(path.read_text())}

    assert read <= NAMES, f"read but missing from ENVIRONMENT_VARIABLES: {read - NAMES}"


def test_readme_configuration_table_is_the_settings_list() -> None:
    rows = markdown_table((ROOT / "README.md").read_text(), "## Configuration")
    expected = [
        [f"`{v.name}`", "(unset)" if v.default is None else f"`{v.default}`", v.meaning]
        for v in ENVIRONMENT_VARIABLES
    ]
    table = "\n".join(f"| {' | '.join(row)} |" for row in expected)

    assert rows == expected, f"README.md's Configuration table should read:\n{table}"


def test_deploy_readme_says_where_every_variable_comes_from() -> None:
    rows = deploy_readme_rows()

    assert set(rows) == NAMES, f"missing: {NAMES - set(rows)}; unknown: {set(rows) - NAMES}"
    for name, (kubernetes, in_compose) in rows.items():
        where = {"ConfigMap": config_map(), "Secret": secret(), "—": {}}[kubernetes]
        assert name in where or kubernetes == "—", f"{name}: the README says {kubernetes}"
        assert (name in compose_variables()) == (in_compose == "set"), name


def test_kubernetes_gives_every_container_setting_once() -> None:
    laptop_only = {name for name, (kubernetes, _) in deploy_readme_rows().items()
                   if kubernetes == "—"}

    assert set(config_map()) | set(secret()) == NAMES - laptop_only
    assert not set(config_map()) & set(secret())


def test_compose_and_the_image_set_only_variables_baton_reads() -> None:
    image_environment = {
        assignment.partition("=")[0]
        for keyword, arguments in dockerfile_instructions() if keyword == "ENV"
        for assignment in arguments.split()
    }
    ours = {name for name in image_environment if name.startswith(("BATON_", "TEMPORAL_"))}

    assert compose_variables() <= NAMES, compose_variables() - NAMES
    assert ours <= NAMES, ours - NAMES


def test_deployed_values_are_valid_settings() -> None:
    for service in baton_services().values():
        Settings.from_env(compose_environment(service))
    settings = Settings.from_env({**config_map(), **secret()})

    assert settings.log_format == "json"
    assert settings.temporal_address is not None and settings.database_url is not None
