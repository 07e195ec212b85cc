"""deploy/k8s, read as data: the objects refer to each other by names that exist, the probes and
the scrape annotation use the ports the settings open, and every Baton container gets the same
configuration and the files its settings point to."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.deploy.manifests import (
    BATON_IMAGE,
    K8S,
    baton_containers,
    config_map,
    dockerfile_instructions,
    k8s_object,
    k8s_objects,
    kustomization,
    port_of,
    runs_baton_code,
    secret,
)
from workers.health import LIVENESS_PATH, READINESS_PATH
from workers.worker import SHUTDOWN_GRACE

WORKER = "baton-worker"


def deployment() -> dict[str, Any]:
    return k8s_object("Deployment", WORKER)


def worker_container() -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment()["spec"]["template"]["spec"]["containers"]
    (container,) = containers
    return container


def test_kustomization_applies_every_manifest() -> None:
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}

    assert set(kustomization()["resources"]) == on_disk
    assert [image["name"] for image in kustomization()["images"]] == [BATON_IMAGE]


def test_there_is_one_of_each_piece() -> None:
    kinds = sorted(item["kind"] for item in k8s_objects())

    assert kinds == sorted(["Namespace", "ConfigMap", "Secret", "Deployment", "Deployment",
                            "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job",
                            "Job"])


def test_selectors_match_the_worker_pods() -> None:
    labels = deployment()["spec"]["template"]["metadata"]["labels"]
    selectors = [
        deployment()["spec"]["selector"]["matchLabels"],
        k8s_object("PodDisruptionBudget", WORKER)["spec"]["selector"]["matchLabels"],
    ]

    for selector in selectors:
        assert selector.items() <= labels.items()


def test_autoscaler_scales_the_worker_deployment() -> None:
    spec = k8s_object("HorizontalPodAutoscaler", WORKER)["spec"]

    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                      "name": WORKER}
    assert spec["minReplicas"] >= 2 and spec["maxReplicas"] > spec["minReplicas"]
    assert "requests" in worker_container()["resources"], "CPU utilisation needs a request"


def test_every_baton_container_gets_the_settings_and_runs_baton_code() -> None:
    expected = [{"configMapRef": {"name": "baton-config"}},
                {"secretRef": {"name": "baton-secrets"}}]

    for workload, _, container in baton_containers():
        assert container["envFrom"] == expected, workload
        assert runs_baton_code(container["command"]), f"{workload}: {container['command']}"
    assert worker_container()["command"] == ["baton", "worker"]


def test_probes_ask_the_port_the_worker_listens_on() -> None:
    container = worker_container()
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    probes = {kind: container[kind]["httpGet"]
              for kind in ("startupProbe", "livenessProbe", "readinessProbe")}

    assert ports["health"] == port_of(config_map()["BATON_HEALTH_ADDRESS"])
    assert {probe["port"] for probe in probes.values()} == {"health"}
    assert probes["livenessProbe"]["path"] == LIVENESS_PATH
    assert probes["readinessProbe"]["path"] == probes["startupProbe"]["path"] == READINESS_PATH


def test_prometheus_scrapes_the_metrics_port() -> None:
    annotations = deployment()["spec"]["template"]["metadata"]["annotations"]
    ports = {port["name"]: port["containerPort"] for port in worker_container()["ports"]}

    assert ports["metrics"] == port_of(config_map()["BATON_METRICS_ADDRESS"])
    assert int(annotations["prometheus.io/port"]) == ports["metrics"]


def test_files_named_by_settings_are_mounted_in_every_container() -> None:
    named = [value for name, value in config_map().items() if name.endswith("_PATH") and value]
    named += parse_qs(urlsplit(secret()["DATABASE_URL"]).query).get("sslrootcert", [])
    assert named, "the example DATABASE_URL shows sslrootcert"

    for workload, pod, container in baton_containers():
        volumes = {volume["name"] for volume in pod["volumes"]}
        mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
        assert {mount["name"] for mount in container["volumeMounts"]} <= volumes, workload
        for path in named:
            assert any(PurePosixPath(path).is_relative_to(mount) for mount in mounts), (
                f"{workload} does not mount {path}"
            )


def test_pods_run_as_the_image_user() -> None:
    (uid,) = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "USER"]

    for workload, pod, _ in baton_containers():
        assert pod["securityContext"]["runAsNonRoot"] is True, workload
        assert str(pod["securityContext"]["runAsUser"]) == uid, workload


def test_workers_get_time_to_finish_their_activities() -> None:
    grace = deployment()["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]

    assert grace > SHUTDOWN_GRACE.total_seconds()


def test_the_web_service_reaches_the_web_pods_and_their_probes() -> None:
    web = k8s_object("Deployment", "baton-web")
    (container,) = web["spec"]["template"]["spec"]["containers"]
    service = k8s_object("Service", "baton-web")["spec"]
    labels = web["spec"]["template"]["metadata"]["labels"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}

    assert container["command"] == ["baton", "web"]
    assert service["selector"].items() <= labels.items()
    assert web["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert {port["targetPort"] for port in service["ports"]} == {"http"}
    assert ports["http"] == int(config_map()["BATON_WEB_PORT"])
    assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert web["spec"]["replicas"] >= 2
