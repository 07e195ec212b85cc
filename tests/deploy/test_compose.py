"""deploy/compose.yaml, read as data: its services find each other by the names and ports they
use, start in an order that works, and run commands Baton has."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.deploy.manifests import (
    DEPLOY,
    baton_services,
    compose,
    compose_environment,
    port_of,
    runs_baton_code,
    services,
)
from workers.worker import SHUTDOWN_GRACE

TEMPORAL_FRONTEND_PORT = 7233


def worker() -> dict[str, Any]:
    return services()["worker"]


def durations_in_seconds(value: str) -> float:
    units = {"s": 1, "m": 60}
    return float(value[:-1]) * units[value[-1]]


def test_the_stack_has_what_a_cluster_has() -> None:
    images = {name: service.get("image", "") for name, service in services().items()}

    assert images["temporal"].startswith("temporalio/server:")
    assert images["temporal-ui"].startswith("temporalio/ui:")
    assert images["postgresql"].startswith("postgres:")
    assert set(baton_services()) == {"baton-migrate", "baton-search-attributes", "worker", "web"}
    assert worker()["deploy"]["replicas"] == 2


def test_baton_services_share_one_image() -> None:
    assert len({service["image"] for service in baton_services().values()}) == 1
    assert {service["build"]["context"] for service in baton_services().values()} == {".."}


def test_baton_services_run_baton_commands() -> None:
    for name, service in baton_services().items():
        assert runs_baton_code(service["command"]), f"{name}: {service['command']}"
    assert worker()["command"] == ["baton", "worker"]
    assert worker()["healthcheck"]["test"][1:4] == ["python", "-m", "workers.health"]


def test_dependencies_name_services_that_exist() -> None:
    for name, service in services().items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services(), f"{name} depends on unknown {dependency}"


def test_workers_start_after_the_setup_they_need() -> None:
    needs = worker()["depends_on"]

    assert needs["baton-migrate"]["condition"] == "service_completed_successfully"
    assert needs["baton-search-attributes"]["condition"] == "service_completed_successfully"
    registration = services()["baton-search-attributes"]["depends_on"]
    assert registration["temporal-namespace"]["condition"] == "service_completed_successfully"
    assert services()["temporal"]["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully"
    )


def test_baton_reaches_temporal_by_its_service_name() -> None:
    for service in (*baton_services().values(), services()["temporal-ui"]):
        host, _, port = compose_environment(service)["TEMPORAL_ADDRESS"].partition(":")
        assert (host, int(port)) == ("temporal", TEMPORAL_FRONTEND_PORT)
    assert f"127.0.0.1:{TEMPORAL_FRONTEND_PORT}:{TEMPORAL_FRONTEND_PORT}" in (
        services()["temporal"]["ports"]
    )


def test_baton_reaches_its_own_database() -> None:
    created = (DEPLOY / "postgres" / "create-baton-database.sh").read_text()
    postgres = compose_environment(services()["postgresql"])
    for service in baton_services().values():
        url = urlsplit(compose_environment(service)["DATABASE_URL"])
        assert (url.hostname, url.port) == ("postgresql", 5432)
        assert f"CREATE ROLE {url.username} LOGIN" in created
        assert f"CREATE DATABASE {url.path.lstrip('/')} OWNER {url.username}" in created
        assert url.password == postgres["BATON_DB_PASSWORD"]


def test_mounted_files_exist() -> None:
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{name} mounts missing {source}"
    assert set(compose()["volumes"]) == {"postgresql-data"}


def test_temporal_reads_the_mounted_dynamic_config() -> None:
    temporal = services()["temporal"]
    path = "/etc/temporal/" + temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"]

    assert any(volume.split(":")[1] == path for volume in temporal["volumes"])


def test_worker_serves_probes_and_metrics_and_logs_json() -> None:
    environment = compose_environment(worker())

    assert environment["BATON_LOG_FORMAT"] == "json"
    assert environment["BATON_HEALTH_ADDRESS"].startswith("0.0.0.0:")
    assert str(port_of(environment["BATON_METRICS_ADDRESS"])) in worker()["expose"]


def test_workers_get_time_to_finish_their_activities() -> None:
    grace = durations_in_seconds(worker()["stop_grace_period"])

    assert grace > SHUTDOWN_GRACE.total_seconds()
