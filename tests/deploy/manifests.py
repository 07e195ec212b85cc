"""Reading what deploy/ holds (compose file, Kubernetes manifests, Dockerfile, README) the way the
tests compare them: as plain data, without Docker or a cluster, and the Kubernetes manifests also
as kustomize renders them for the cluster."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from workers.baton import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
K8S_BASE = K8S / "base"  # the manifests; deploy/k8s itself renders them as they are
# What `kubectl kustomize` builds: the base, and the overlay an operator copies for production.
KUSTOMIZATIONS = {"base": K8S, "prod": K8S / "prod"}
OVERLAYS = tuple(KUSTOMIZATIONS)
KUSTOMIZE_TIMEOUT = 60.0
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

Manifest = dict[str, Any]


@cache
def kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((K8S_BASE / "kustomization.yaml").read_text())
    return loaded


@cache
def k8s_objects() -> tuple[Manifest, ...]:
    """The base's objects as its files hold them, before kustomize sets namespace, labels and
    images."""
    return tuple(
        document
        for path in sorted(K8S_BASE.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
        if document is not None
    )


@cache
def kustomize_build(overlay: str) -> tuple[Manifest, ...]:
    """What `kubectl apply -k` sends for `overlay` ("base" or "prod"); skips without kubectl."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is missing: it renders deploy/k8s with its built-in kustomize")
    directory = KUSTOMIZATIONS[overlay]
    built = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True,
                           text=True, timeout=KUSTOMIZE_TIMEOUT, check=False)
    assert built.returncode == 0, f"kubectl kustomize {directory} failed:\n{built.stderr}"
    return tuple(document for document in yaml.safe_load_all(built.stdout) if document)


def rendered(overlay: str) -> tuple[Manifest, ...]:
    """`overlay`'s objects as the cluster receives them, from kustomize. Without kubectl the base
    is read from its files instead (the same objects, short of the namespace, labels and image
    tag kustomize adds), and an overlay, which only kustomize can build, is skipped."""
    if overlay == "base" and shutil.which("kubectl") is None:
        return k8s_objects()
    return kustomize_build(overlay)


def of_kind(objects: Iterable[Manifest], kind: str) -> list[Manifest]:
    return [item for item in objects if item["kind"] == kind]


def find_object(objects: Iterable[Manifest], kind: str, name: str) -> Manifest:
    found = [item for item in of_kind(objects, kind) if item["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name}, found {len(found)}"
    return found[0]


def k8s_object(kind: str, name: str) -> Manifest:
    return find_object(k8s_objects(), kind, name)


def pod_templates(objects: Iterable[Manifest]) -> Iterator[tuple[str, Manifest]]:
    """(workload name, pod template) of every Deployment and Job."""
    for item in objects:
        if item["kind"] in ("Deployment", "Job"):
            yield item["metadata"]["name"], item["spec"]["template"]


def containers(objects: Iterable[Manifest]) -> Iterator[tuple[str, Manifest, Manifest]]:
    """(workload name, pod spec, container) of every container; all of them run Baton."""
    for workload, template in pod_templates(objects):
        for container in template["spec"]["containers"]:
            yield workload, template["spec"], container


def baton_containers() -> Iterator[tuple[str, Manifest, Manifest]]:
    """(workload name, pod spec, container) of every container running Baton's image."""
    for workload, pod, container in containers(k8s_objects()):
        if container["image"] == BATON_IMAGE:
            yield workload, pod, container


def selects(selector: Manifest, labels: Manifest) -> bool:
    """Whether a label selector (matchLabels only: the manifests use nothing else) picks
    `labels`; an empty selector picks everything."""
    assert set(selector) <= {"matchLabels"}, f"unexpected selector {selector}"
    return bool(selector.get("matchLabels", {}).items() <= labels.items())


def config_map(objects: Iterable[Manifest] | None = None) -> dict[str, str]:
    """The settings of baton-config, in `objects` or else in the base's files."""
    found = find_object(k8s_objects() if objects is None else objects, "ConfigMap", "baton-config")
    return dict(found["data"])


def secret(name: str = "baton-secrets") -> dict[str, str]:
    """A Secret's placeholder values, from the base's files."""
    return dict(k8s_object("Secret", name)["stringData"])


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
