"""The NetworkPolicies of deploy/k8s as kustomize renders them, for the base and the production
overlay: every pod is isolated both ways; web pods accept connections on their http port only,
workers on their health and metrics ports only, the setup Jobs on none; and each piece opens
connections only on ports that some piece needs, among them those its settings point to."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.deploy.manifests import (
    OVERLAYS,
    Manifest,
    config_map,
    of_kind,
    pod_templates,
    port_of,
    rendered,
    secret,
    selects,
)

Port = tuple[str, int]  # (protocol, number)
ANY_PORT: Port = ("any", 0)  # what a rule that names no ports lets through
POSTGRES_DEFAULT_PORT = 5432
DNS = {("UDP", 53), ("TCP", 53)}
HTTPS = {("TCP", 443)}  # webhooks and metric sources (worker), the OIDC provider (web)
SMTP = {("TCP", 465), ("TCP", 587)}  # submission with implicit TLS, and with STARTTLS
OTLP_HTTP = {("TCP", 4318)}
# The ports each workload serves on, by container port name.
SERVING = {"baton-web": {"http"}, "baton-worker": {"health", "metrics"},
           "baton-migrate": set(), "baton-search-attributes": set()}

pytestmark = pytest.mark.parametrize("overlay", OVERLAYS)


def database_port(secret_name: str) -> Port:
    # The overlay takes its Secrets from the secret store, in the shape of the base's examples.
    url = urlsplit(secret(secret_name)["DATABASE_URL"])
    return ("TCP", url.port or POSTGRES_DEFAULT_PORT)


def needed_egress(objects: tuple[Manifest, ...]) -> dict[str, set[Port]]:
    """The ports each workload connects to: Temporal and PostgreSQL where its settings say,
    the rest at their standard ports."""
    temporal = ("TCP", port_of(config_map(objects)["TEMPORAL_ADDRESS"]))
    runtime_database = database_port("baton-secrets")
    owner_database = database_port("baton-migrate")
    return {
        "baton-worker": DNS | {temporal, runtime_database} | HTTPS | SMTP | OTLP_HTTP,
        "baton-web": DNS | {temporal, runtime_database} | HTTPS,
        "baton-migrate": DNS | {owner_database},
        "baton-search-attributes": DNS | {temporal},
    }


def named_ports(template: Manifest) -> dict[str, int]:
    return {port["name"]: port["containerPort"]
            for container in template["spec"]["containers"] for port in container.get("ports", [])}


def policies(objects: tuple[Manifest, ...], template: Manifest, direction: str) -> list[Manifest]:
    """The specs of the policies that govern `direction` ("Ingress", "Egress") of the pods."""
    labels = template["metadata"]["labels"]
    return [policy["spec"] for policy in of_kind(objects, "NetworkPolicy")
            if direction in policy["spec"]["policyTypes"]
            and selects(policy["spec"]["podSelector"], labels)]


def allowed_ports(objects: tuple[Manifest, ...], template: Manifest, direction: str) -> set[Port]:
    """The ports the pods may accept (Ingress) or open (Egress) connections on; policies add up.
    A named port is one of the pods' own, which is what it means on ingress."""
    allowed = set()
    for spec in policies(objects, template, direction):
        for rule in spec.get(direction.lower(), []):
            if "ports" not in rule:
                allowed.add(ANY_PORT)
            for port in rule.get("ports", []):
                number = port["port"]
                if isinstance(number, str):
                    number = named_ports(template)[number]
                allowed.add((port.get("protocol", "TCP"), number))
    return allowed


def test_every_pod_is_isolated_both_ways(overlay: str) -> None:
    objects = rendered(overlay)

    for workload, template in pod_templates(objects):
        for direction in ("Ingress", "Egress"):
            assert policies(objects, template, direction), f"{workload}: {direction} is open"


def test_pods_accept_connections_only_on_the_ports_they_serve(overlay: str) -> None:
    objects = rendered(overlay)

    for workload, template in pod_templates(objects):
        serving = {("TCP", named_ports(template)[name]) for name in SERVING[workload]}
        assert allowed_ports(objects, template, "Ingress") == serving, workload


def test_pods_connect_only_on_the_ports_of_what_they_talk_to(overlay: str) -> None:
    objects = rendered(overlay)
    needed = needed_egress(objects)
    needed_by_some = set().union(*needed.values())

    assert {workload for workload, _ in pod_templates(objects)} == set(needed)
    for workload, template in pod_templates(objects):
        allowed = allowed_ports(objects, template, "Egress")
        assert needed[workload] <= allowed, f"{workload} cannot reach {needed[workload] - allowed}"
        assert allowed <= needed_by_some, f"{workload} may also reach {allowed - needed_by_some}"
