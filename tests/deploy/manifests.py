"""Reading what deploy/ holds (compose file, Kubernetes manifests, Dockerfile, README) the way the
tests compare them: as plain data, without Docker or a cluster."""

from __future__ import annotations

import importlib.util
import re
import shlex
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workers.baton import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
DEPLOY_README = DEPLOY / "README.md"
BATON_IMAGE = "baton"  # the name the manifests use; kustomize's `images` sets the real one

_COMPOSE_DEFAULT = re.compile(r"\$\{(\w+):-([^}]*)\}")


# -- compose ---------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def baton_services() -> dict[str, dict[str, Any]]:
    """The services that run the image built from deploy/Dockerfile."""
    return {
        name: service
        for name, service in services().items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def with_compose_defaults(value: object) -> str:
    """The value compose uses when the `${NAME:-default}` variables in it are not set."""
    return _COMPOSE_DEFAULT.sub(lambda match: match[2], str(value))


def compose_environment(service: dict[str, Any]) -> dict[str, str]:
    return {name: with_compose_defaults(value) for name, value in service["environment"].items()}


# -- Kubernetes ------------------------------------------------------------------------------


@cache
def kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return loaded


@cache
def k8s_objects() -> tuple[dict[str, Any], ...]:
    return tuple(
        document
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
        if document is not None
    )


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name}, found {len(found)}"
    return found[0]


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    """(workload name, pod spec) of every Deployment and Job."""
    for item in k8s_objects():
        if item["kind"] in ("Deployment", "Job"):
            yield item["metadata"]["name"], item["spec"]["template"]["spec"]


def baton_containers() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(workload name, pod spec, container) of every container running Baton's image."""
    for workload, pod in pod_specs():
        for container in pod["containers"]:
            if container["image"] == BATON_IMAGE:
                yield workload, pod, container


def config_map() -> dict[str, str]:
    return dict(k8s_object("ConfigMap", "baton-config")["data"])


def secret() -> dict[str, str]:
    return dict(k8s_object("Secret", "baton-secrets")["stringData"])


# -- commands --------------------------------------------------------------------------------


def runs_baton_code(command: list[str]) -> bool:
    """Whether `command` is `python -m MODULE` with a module Baton ships, or a `baton` command
    line the CLI accepts."""
    match command:
        case ["python", "-m", module, *_]:
            return importlib.util.find_spec(module) is not None
        case ["baton", *arguments]:
            return getattr(build_parser().parse_args(arguments), "handler", None) is not None
    return False


def port_of(address: str) -> int:
    return int(address.rpartition(":")[2])


# -- Dockerfile ------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a `RUN` line or Makefile recipe, split on `&&`."""
    return [shlex.split(part) for part in script.split("&&") if part.strip()]


# -- Markdown --------------------------------------------------------------------------------


def markdown_table(text: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped, header and rule excluded) of the first table under `heading`."""
    section = text.split(f"\n{heading}\n", 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return [row for row in rows[1:] if not set("".join(row)) <= set("-: ")]
