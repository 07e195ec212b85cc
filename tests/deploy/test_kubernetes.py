"""deploy/k8s, read as data: the kustomizations take every manifest, the objects refer to each
other by names that exist, the scrape annotation uses the port the settings open, and every Baton
container gets the configuration and runs Baton's code as the image's user. The test_k8s_* files
check the objects as kustomize renders them."""

from __future__ import annotations

from typing import Any

import yaml

from tests.deploy.manifests import (
    BATON_IMAGE,
    K8S_BASE,
    KUSTOMIZATIONS,
    baton_containers,
    config_map,
    dockerfile_instructions,
    k8s_object,
    k8s_objects,
    kustomization,
    port_of,
    runs_baton_code,
)
from workers.worker import SHUTDOWN_GRACE

WORKER = "baton-worker"


def deployment() -> dict[str, Any]:
    return k8s_object("Deployment", WORKER)


def worker_container() -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment()["spec"]["template"]["spec"]["containers"]
    (container,) = containers
    return container


def test_kustomizations_apply_every_manifest_of_the_base() -> None:
    on_disk = {path.name for path in K8S_BASE.glob("*.yaml")} - {"kustomization.yaml"}

    assert set(kustomization()["resources"]) == on_disk
    assert [image["name"] for image in kustomization()["images"]] == [BATON_IMAGE]
    for directory in KUSTOMIZATIONS.values():
        built_on = yaml.safe_load((directory / "kustomization.yaml").read_text())["resources"]
        assert [(directory / base).resolve() for base in built_on] == [K8S_BASE], directory


def test_there_is_one_of_each_piece() -> None:
    kinds = sorted(item["kind"] for item in k8s_objects())

    assert kinds == sorted(["Namespace", "ConfigMap", "Secret", "Secret", "Deployment",
                            "Deployment", "Service", "HorizontalPodAutoscaler",
                            "PodDisruptionBudget", "PodDisruptionBudget", "Job", "Job",
                            *["NetworkPolicy"] * 5])


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
    assert "replicas" not in deployment()["spec"], "each apply would reset the autoscaler's count"


def test_every_baton_container_gets_the_settings_and_runs_baton_code() -> None:
    # Which Secret each one reads is test_k8s_secrets' subject.
    for workload, _, container in baton_containers():
        assert container["envFrom"][0] == {"configMapRef": {"name": "baton-config"}}, workload
        assert runs_baton_code(container["command"]), f"{workload}: {container['command']}"
    assert worker_container()["command"] == ["baton", "worker"]


def test_prometheus_scrapes_the_metrics_port() -> None:
    annotations = deployment()["spec"]["template"]["metadata"]["annotations"]
    ports = {port["name"]: port["containerPort"] for port in worker_container()["ports"]}

    assert ports["metrics"] == port_of(config_map()["BATON_METRICS_ADDRESS"])
    assert int(annotations["prometheus.io/port"]) == ports["metrics"]


def test_pods_run_as_the_image_user() -> None:
    (uid,) = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "USER"]

    for workload, pod, _ in baton_containers():
        assert pod["securityContext"]["runAsNonRoot"] is True, workload
        assert str(pod["securityContext"]["runAsUser"]) == uid, workload


def test_workers_get_time_to_finish_their_activities() -> None:
    grace = deployment()["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]

    assert grace > SHUTDOWN_GRACE.total_seconds()


def test_the_web_service_reaches_the_web_pods_on_their_port() -> None:
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
    assert web["spec"]["replicas"] >= 2
