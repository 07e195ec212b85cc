"""The production overlay (deploy/k8s/prod) changes what differs from one cluster to the next and
nothing else: the image's registry and tag, the replica counts, the public URL, mutual TLS to
Temporal, TLS Secrets the pods require; and it applies no Secret, so an apply never overwrites
the real ones with the base's placeholders."""

from __future__ import annotations

from collections.abc import Iterable

from tests.deploy.manifests import (
    Manifest,
    config_map,
    containers,
    find_object,
    kustomize_build,
    of_kind,
    pod_templates,
    secret,
)
from workers.settings import Settings

TLS_VOLUMES = {"temporal-tls": "baton-temporal-tls", "postgres-ca": "baton-postgres-ca"}
# (kind, name, field): where each replica count is set; the worker's belongs to its autoscaler.
REPLICA_COUNTS = [("Deployment", "baton-web", "replicas"),
                  ("HorizontalPodAutoscaler", "baton-worker", "minReplicas")]


def identities(objects: Iterable[Manifest]) -> set[tuple[str, str]]:
    return {(item["kind"], item["metadata"]["name"]) for item in objects}


def images(objects: Iterable[Manifest]) -> set[str]:
    return {container["image"] for _, _, container in containers(objects)}


def test_the_overlay_applies_the_base_without_its_secrets() -> None:
    base, prod = kustomize_build("base"), kustomize_build("prod")

    assert not of_kind(prod, "Secret")
    assert identities(prod) == identities(base) - identities(of_kind(base, "Secret"))


def test_the_overlay_sets_the_image_and_the_replica_counts() -> None:
    base, prod = kustomize_build("base"), kustomize_build("prod")
    (image,) = images(prod)
    registry = image.partition("/")[0]

    assert image not in images(base) and "." in registry, f"{image}: no registry of its own"
    for kind, name, field in REPLICA_COUNTS:
        before = find_object(base, kind, name)["spec"][field]
        after = find_object(prod, kind, name)["spec"][field]
        assert after > before, f"{kind}/{name}: {field} stays {before}"


def test_the_overlay_speaks_tls_and_names_its_public_url() -> None:
    prod = kustomize_build("prod")
    settings = Settings.from_env({**config_map(prod), **secret()})

    assert settings.public_url is not None and settings.public_url.startswith("https://")
    assert settings.temporal_tls_client_cert and settings.temporal_tls_client_key
    for workload, template in pod_templates(prod):
        volumes = {volume["name"]: volume for volume in template["spec"]["volumes"]}
        for volume, secret_name in TLS_VOLUMES.items():
            assert volumes[volume]["secret"] == {"secretName": secret_name, "optional": False}, (
                workload)
