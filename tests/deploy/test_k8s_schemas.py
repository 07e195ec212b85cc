"""deploy/k8s as Kubernetes reads it: every object kustomize renders, for the base and for the
production overlay, is valid against the API schemas of KUBERNETES_VERSION in strict mode, where
a field the API does not know is an error (as it is for `kubectl apply --validate=strict`),
rather than something the API server drops without a word."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

# The package ships no type information; validate() and its two errors are all that is used.
import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from tests.deploy.manifests import OVERLAYS, Manifest, k8s_object, kustomize_build

# The oldest Kubernetes minor the manifests are written for, the oldest still supported upstream
# when they were: a field newer than it fails here.
KUBERNETES_VERSION = "1.35.0"


def schema_problems(objects: Iterable[Manifest]) -> list[str]:
    """One line per object the schemas refuse, or whose kind they do not know."""
    problems = []
    for item in objects:
        name = f"{item.get('kind')}/{item.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(step) for step in error.path)
            problems.append(f"{name}: {where}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{name}: {error.message}")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_matches_the_kubernetes_schemas(overlay: str) -> None:
    objects = kustomize_build(overlay)

    assert objects, f"kustomize rendered nothing for {overlay}"
    problems = schema_problems(objects)
    assert not problems, f"against Kubernetes {KUBERNETES_VERSION}:\n" + "\n".join(problems)


def misspell_a_probe(worker: Manifest) -> None:
    container = worker["spec"]["template"]["spec"]["containers"][0]
    container["readinessprobe"] = container.pop("readinessProbe")


def quote_a_port(worker: Manifest) -> None:
    worker["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "8081"


def invent_an_api_version(worker: Manifest) -> None:
    worker["apiVersion"] = "apps/v1beta9"


@pytest.mark.parametrize("breaking", [misspell_a_probe, quote_a_port, invent_an_api_version])
def test_the_check_refuses_what_the_api_server_would(breaking: Callable[[Manifest], None]) -> None:
    worker = copy.deepcopy(k8s_object("Deployment", "baton-worker"))
    assert schema_problems([worker]) == []

    breaking(worker)

    assert len(schema_problems([worker])) == 1
