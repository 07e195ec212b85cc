"""Credentials in deploy/k8s: no ConfigMap holds one; the workers and web replicas log in to the
event store as a login in the runtime role (baton-secrets) and never see the schema owner's
credentials (baton-migrate), which the migrate Job alone reads; and the web replicas share one
session secret."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.deploy.manifests import (
    OVERLAYS,
    Manifest,
    config_map,
    containers,
    of_kind,
    rendered,
    secret,
)
from workers.settings import Settings

RUNTIME_SECRET = "baton-secrets"
OWNER_SECRET = "baton-migrate"
MIGRATE_JOB = "baton-migrate"
RUNTIME_LOGIN = "baton_app"  # a DBA's login IN ROLE baton_runtime, as deploy/README.md says
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY")
_NAMES_A_FILE = ("_PATH", "_FILE")
_URL_WITH_PASSWORD = re.compile(r"://[^/@\s:]*:[^/@\s]*@")


def looks_secret(name: str, value: str) -> bool:
    """Whether a setting is a credential by its name (a path to a key file is not) or holds a
    URL with a password in it."""
    secret_by_name = bool(_SECRET_NAME.search(name)) and not name.endswith(_NAMES_A_FILE)
    return secret_by_name or bool(_URL_WITH_PASSWORD.search(value))


def secrets_read(pod: Manifest, container: Manifest) -> set[str]:
    """The Secrets a container reads: whole (envFrom), a key of (env), or as files it mounts."""
    names = {source["secretRef"]["name"]
             for source in container.get("envFrom", []) if "secretRef" in source}
    names |= {variable["valueFrom"]["secretKeyRef"]["name"]
              for variable in container.get("env", [])
              if "secretKeyRef" in variable.get("valueFrom", {})}
    mounted = {mount["name"] for mount in container.get("volumeMounts", [])}
    names |= {volume["secret"]["secretName"]
              for volume in pod["volumes"] if "secret" in volume and volume["name"] in mounted}
    return names


def database_url_source(container: Manifest) -> str:
    """The Secret a container's DATABASE_URL comes from (an `env` entry wins over `envFrom`)."""
    for variable in container.get("env", []):
        if variable["name"] == "DATABASE_URL":
            reference = variable["valueFrom"]["secretKeyRef"]
            assert reference["key"] == "DATABASE_URL", reference
            return str(reference["name"])
    (whole,) = [source["secretRef"]["name"]
                for source in container["envFrom"] if "secretRef" in source]
    return str(whole)


def test_the_detector_tells_credentials_from_settings() -> None:
    credentials = [("BATON_SMTP_PASSWORD", ""), ("TEMPORAL_API_KEY", ""),
                   ("BATON_SESSION_SECRET", "x"), ("BATON_TOKEN", ""),
                   ("BATON_AUDIT_DATABASE_URL", "postgresql://auditor:pw@db.internal/baton")]
    settings = [("TEMPORAL_TLS_CLIENT_KEY_PATH", "/etc/baton/temporal-tls/tls.key"),
                ("BATON_SMTP_CA_FILE", "/etc/ssl/mail-ca.pem"),
                ("BATON_PUBLIC_URL", "https://baton.example.com"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318")]

    assert all(looks_secret(name, value) for name, value in credentials)
    assert not any(looks_secret(name, value) for name, value in settings)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_config_map_holds_a_credential(overlay: str) -> None:
    for config in of_kind(rendered(overlay), "ConfigMap"):
        leaks = [name for name, value in config["data"].items() if looks_secret(name, str(value))]
        assert not leaks, f"{config['metadata']['name']}: {leaks} belong in a Secret"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_migrate_job_reads_the_schema_owners_credentials(overlay: str) -> None:
    for workload, pod, container in containers(rendered(overlay)):
        read = secrets_read(pod, container)
        if workload == MIGRATE_JOB:
            assert database_url_source(container) == OWNER_SECRET
            assert RUNTIME_SECRET not in read, "the migrations need nothing else of it"
        else:
            assert database_url_source(container) == RUNTIME_SECRET, workload
            assert OWNER_SECRET not in read, workload


def test_the_runtime_and_the_owner_are_two_logins_to_one_database() -> None:
    runtime = urlsplit(secret(RUNTIME_SECRET)["DATABASE_URL"])
    owner = urlsplit(secret(OWNER_SECRET)["DATABASE_URL"])

    assert set(secret(OWNER_SECRET)) == {"DATABASE_URL"}
    assert runtime.username == RUNTIME_LOGIN
    assert owner.username not in (None, RUNTIME_LOGIN)
    assert (runtime.hostname, runtime.port, runtime.path) == (owner.hostname, owner.port,
                                                              owner.path)
    assert parse_qs(runtime.query) == parse_qs(owner.query)
    assert parse_qs(runtime.query)["sslmode"] == ["verify-full"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_replicas_share_one_session_secret(overlay: str) -> None:
    # `baton web` refuses to start without it: each replica would sign cookies its own way.
    (web,) = [container for workload, _, container in containers(rendered(overlay))
              if workload == "baton-web"]
    settings = Settings.from_env({**config_map(), **secret(RUNTIME_SECRET)})

    assert {"secretRef": {"name": RUNTIME_SECRET}} in web["envFrom"]
    assert settings.session_secret, f"{RUNTIME_SECRET} needs BATON_SESSION_SECRET"
