"""The pods of deploy/k8s as kustomize renders them, for the base and the production overlay: probes
on the endpoints each process answers, bounded resources, a locked-down security context that the
namespace's Pod Security admission would accept, disruption budgets that keep a replica, and the
files the settings name mounted where they point."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.routing import APIRoute

from tests.deploy.manifests import (
    OVERLAYS,
    Manifest,
    config_map,
    containers,
    kustomization,
    of_kind,
    port_of,
    rendered,
    secret,
    selects,
)
from web.health import router as web_health
from workers.health import LIVENESS_PATH, READINESS_PATH

# Volume types the "restricted" Pod Security Standard allows.
RESTRICTED_VOLUME_TYPES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                           "persistentVolumeClaim", "projected", "secret"}
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$")
_QUANTITY_FACTORS = {None: Fraction(1), "m": Fraction(1, 1000), "k": Fraction(10**3),
                     "M": Fraction(10**6), "G": Fraction(10**9), "Ki": Fraction(2**10),
                     "Mi": Fraction(2**20), "Gi": Fraction(2**30)}

pytestmark = pytest.mark.parametrize("overlay", OVERLAYS)


def quantity(value: str | int) -> Fraction:
    """A Kubernetes resource quantity ("250m", "2", "320Mi") as a number."""
    match = _QUANTITY.match(str(value))
    assert match, f"not a quantity these tests read: {value!r}"
    return Fraction(match[1]) * _QUANTITY_FACTORS[match[2]]


def web_health_paths() -> dict[str, str]:
    """The web app's probe endpoints by name (livez, readyz)."""
    return {route.name: route.path for route in web_health.routes if isinstance(route, APIRoute)}


def only_container(objects: tuple[Manifest, ...], workload: str) -> Manifest:
    (container,) = [found for name, _, found in containers(objects) if name == workload]
    return container


def effective(pod: Manifest, container: Manifest, field: str) -> Any:
    """A security setting as the kubelet applies it: the container's, else the pod's."""
    return container.get("securityContext", {}).get(
        field, pod.get("securityContext", {}).get(field))


def least_replicas(objects: tuple[Manifest, ...], deployment: Manifest) -> int:
    """What a Deployment never goes below: its autoscaler's floor when one scales it."""
    for autoscaler in of_kind(objects, "HorizontalPodAutoscaler"):
        if autoscaler["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]:
            return int(autoscaler["spec"]["minReplicas"])
    return int(deployment["spec"].get("replicas", 1))


def test_probes_ask_the_endpoints_each_process_answers(overlay: str) -> None:
    objects = rendered(overlay)
    settings = config_map(objects)
    web_paths = web_health_paths()
    # workload: (port name, the port its settings open, liveness path, readiness path)
    expected = {
        "baton-worker": ("health", port_of(settings["BATON_HEALTH_ADDRESS"]), LIVENESS_PATH,
                         READINESS_PATH),
        "baton-web": ("http", int(settings["BATON_WEB_PORT"]), web_paths["livez"],
                      web_paths["readyz"]),
    }

    for workload, (port_name, port, alive, ready) in expected.items():
        container = only_container(objects, workload)
        ports = {entry["name"]: entry["containerPort"] for entry in container["ports"]}
        assert ports[port_name] == port, workload
        assert container["livenessProbe"]["httpGet"] == {"path": alive, "port": port_name}
        for probe in ("readinessProbe", "startupProbe"):
            assert container[probe]["httpGet"] == {"path": ready, "port": port_name}, workload


def test_every_container_requests_and_is_limited_in_cpu_and_memory(overlay: str) -> None:
    for workload, _, container in containers(rendered(overlay)):
        resources = container["resources"]
        for kind in ("cpu", "memory"):
            request, limit = resources["requests"][kind], resources["limits"][kind]
            assert quantity(request) <= quantity(limit), f"{workload}: {kind}"


def test_every_pod_runs_locked_down(overlay: str) -> None:
    for workload, pod, container in containers(rendered(overlay)):
        security = container["securityContext"]
        volume_types = {key for volume in pod["volumes"] for key in volume} - {"name"}
        assert effective(pod, container, "runAsNonRoot") is True, workload
        assert effective(pod, container, "seccompProfile") == {"type": "RuntimeDefault"}, workload
        assert security["allowPrivilegeEscalation"] is False, workload
        assert security["readOnlyRootFilesystem"] is True, workload
        assert security["capabilities"] == {"drop": ["ALL"]}, workload
        assert not security.get("privileged"), workload
        assert pod["automountServiceAccountToken"] is False, workload
        assert not {"hostNetwork", "hostPID", "hostIPC"} & set(pod), workload
        assert volume_types <= RESTRICTED_VOLUME_TYPES, workload


def test_the_namespace_refuses_pods_that_are_not_restricted(overlay: str) -> None:
    objects = rendered(overlay)
    (namespace,) = of_kind(objects, "Namespace")
    name = namespace["metadata"]["name"]

    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for item in objects:
        if item is not namespace:
            # The files leave the namespace to kustomize; its output names it on each object.
            placed = item["metadata"].get("namespace", kustomization()["namespace"])
            assert placed == name, f"{item['kind']}/{item['metadata']['name']}"


def test_a_drain_keeps_a_replica_of_every_deployment(overlay: str) -> None:
    objects = rendered(overlay)
    budgets = [found["spec"] for found in of_kind(objects, "PodDisruptionBudget")]

    for deployment in of_kind(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        (budget,) = [found for found in budgets if selects(found["selector"], labels)]
        assert budget["maxUnavailable"] == 1, name
        # A replica that is not ready cannot hold a drain up.
        assert budget["unhealthyPodEvictionPolicy"] == "AlwaysAllow", name
        assert least_replicas(objects, deployment) >= 2, name


def test_files_named_by_settings_are_mounted_in_every_container(overlay: str) -> None:
    objects = rendered(overlay)
    named = [value for name, value in config_map(objects).items()
             if name.endswith(("_PATH", "_FILE")) and value]
    # The overlay takes its Secrets from the secret store, in the shape of the base's examples.
    for source in ("baton-secrets", "baton-migrate"):
        named += parse_qs(urlsplit(secret(source)["DATABASE_URL"]).query).get("sslrootcert", [])
    assert named, "the example DATABASE_URL shows sslrootcert"

    for workload, pod, container in containers(objects):
        volumes = {volume["name"] for volume in pod["volumes"]}
        mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
        assert {mount["name"] for mount in container["volumeMounts"]} <= volumes, workload
        for path in named:
            assert any(PurePosixPath(path).is_relative_to(mount) for mount in mounts), (
                f"{workload} does not mount {path}"
            )
