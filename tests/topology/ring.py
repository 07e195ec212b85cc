"""The production topology on one machine: Baton's processes started from the installed wheel
as the Kubernetes manifests start them (their commands, their probes, their settings by
environment only), against a PostgreSQL reached over TLS with `sslmode=verify-full` and a
Temporal server that Baton did not start.

Setup as the manifests' Jobs do it, each run twice: the event store's migrations as the
schema's owner, and the search attributes on a namespace of the ring's own. The running
processes then log in as a user in `baton_runtime`, the role the migrations grant only row
rights."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.deploy.manifests import k8s_object
from tests.installed.package import InstalledBaton, free_port
from tests.topology.processes import Service
from tests.topology.system_postgres import SystemPostgres, server_binaries_or_skip

OWNER, OWNER_PASSWORD = "baton_owner", "owner-password"
RUNTIME_LOGIN, RUNTIME_PASSWORD = "baton_app", "runtime-password"
DATABASE = "baton"
SESSION_SECRET = "ring-session-secret-shared-by-every-web-replica"


def manifest_container(deployment: str) -> dict[str, Any]:
    containers: list[dict[str, Any]] = k8s_object("Deployment", deployment)["spec"]["template"][
        "spec"]["containers"]
    return containers[0]


def readiness_path(deployment: str) -> str:
    path: str = manifest_container(deployment)["readinessProbe"]["httpGet"]["path"]
    return path


@dataclass
class Ring:
    baton: InstalledBaton
    workdir: Path
    postgres: SystemPostgres
    temporal_address: str
    namespace: str = field(default_factory=lambda: f"ring-{uuid.uuid4().hex[:8]}")
    task_queue: str = field(default_factory=lambda: f"ring-{uuid.uuid4().hex[:8]}")
    workers: list[Service] = field(default_factory=list)
    webs: list[Service] = field(default_factory=list)
    setup_runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    @property
    def owner_dsn(self) -> str:
        return self.postgres.dsn_for(OWNER, OWNER_PASSWORD, DATABASE)

    @property
    def runtime_dsn(self) -> str:
        return self.postgres.dsn_for(RUNTIME_LOGIN, RUNTIME_PASSWORD, DATABASE)

    def environment(self, **overrides: str) -> dict[str, str]:
        """What the ConfigMap and the worker and web Secret give every pod."""
        settings = {"TEMPORAL_ADDRESS": self.temporal_address,
                    "TEMPORAL_NAMESPACE": self.namespace, "BATON_TASK_QUEUE": self.task_queue,
                    "BATON_DB_SCHEMA": "baton", "BATON_LOG_FORMAT": "json",
                    "BATON_LOG_LEVEL": "INFO", "DATABASE_URL": self.runtime_dsn,
                    "BATON_SESSION_SECRET": SESSION_SECRET}
        return self.baton.environment(self.workdir / "home", **{**settings, **overrides})

    def run(self, *arguments: str, **overrides: str) -> subprocess.CompletedProcess[str]:
        return self.baton.run(*arguments, cwd=self.workdir, env=self.environment(**overrides))

    # -- setup --------------------------------------------------------------------------------

    def create_database(self) -> None:
        """What a DBA does once: the schema owner's login and its database."""
        psql(self.postgres.dsn,
                           f"CREATE ROLE {OWNER} LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}'",
                           f"CREATE DATABASE {DATABASE} OWNER {OWNER}")

    def set_up(self) -> None:
        """The manifests' one-shot Jobs, each twice; then the runtime login the Secret names."""
        created = subprocess.run(
            [str(self.baton.bin / "temporal"), "operator", "namespace", "create",
             "--namespace", self.namespace, "--address", self.temporal_address],
            capture_output=True, text=True, timeout=60)
        assert created.returncode == 0, created.stderr
        for _ in range(2):
            self.setup_runs.append(self.run("python", "-m", "workers.migrate",
                                            DATABASE_URL=self.owner_dsn))
            self.setup_runs.append(self.run("python", "-m", "workers.register_search_attributes"))
        psql(self.owner_dsn, f"CREATE ROLE {RUNTIME_LOGIN} LOGIN PASSWORD "
                                           f"'{RUNTIME_PASSWORD}' IN ROLE baton_runtime")

    # -- processes ----------------------------------------------------------------------------

    def start_worker(self) -> Service:
        port = free_port()
        worker = Service(
            f"worker-{len(self.workers) + 1}", manifest_container("baton-worker")["command"],
            self.environment(BATON_HEALTH_ADDRESS=f"127.0.0.1:{port}"),
            f"http://127.0.0.1:{port}{readiness_path('baton-worker')}", self.baton, self.workdir)
        self.workers.append(worker)
        return worker.start().wait_ready()

    def start_web(self) -> Service:
        port = free_port()
        web = Service(
            f"web-{len(self.webs) + 1}", manifest_container("baton-web")["command"],
            self.environment(BATON_WEB_HOST="127.0.0.1", BATON_WEB_PORT=str(port),
                             BATON_PUBLIC_URL=f"http://127.0.0.1:{port}"),
            f"http://127.0.0.1:{port}{readiness_path('baton-web')}", self.baton, self.workdir)
        self.webs.append(web)
        return web.start().wait_ready()

    def stop(self) -> None:
        for service in [*self.webs, *self.workers]:
            service.stop()

    # -- people -------------------------------------------------------------------------------

    def token(self, person: str, *grants: str) -> str:
        """Issued as an operator does in a worker's pod: `baton token issue`, runtime role."""
        issued = self.run("baton", "token", "issue", person, *(f"--{g}" for g in grants))
        assert issued.returncode == 0, issued.stderr
        return issued.stdout.strip().splitlines()[-1]


def psql(dsn: str, *statements: str) -> subprocess.CompletedProcess[str]:
    """Statements run by libpq's own client, as a DBA runs them; each must succeed."""
    done = psql_attempt(dsn, *statements)
    assert done.returncode == 0, done.stderr
    return done


def psql_attempt(dsn: str, *statements: str) -> subprocess.CompletedProcess[str]:
    commands = [argument for statement in statements for argument in ("-c", statement)]
    client = server_binaries_or_skip() / "psql"  # the server package's own client
    return subprocess.run([str(client), dsn, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", *commands],
                          capture_output=True, text=True, timeout=60)


def web_url(service: Service) -> str:
    return service.ready_url.rsplit("/", 1)[0]


def api(service: Service, token: str) -> httpx.Client:
    return httpx.Client(base_url=web_url(service), timeout=60,
                        headers={"Authorization": f"Bearer {token}"})


def logged(process: subprocess.CompletedProcess[str], event: str) -> dict[str, Any]:
    """The JSON log line of `event` a process wrote (BATON_LOG_FORMAT=json)."""
    for line in (process.stdout + process.stderr).splitlines():
        if line.startswith("{"):
            record: dict[str, Any] = json.loads(line)
            if record.get("event") == event:
                return record
    raise AssertionError(f"no {event!r} in:\n{process.stdout}{process.stderr}")


def sse_messages(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Server-Sent Events as dicts of their fields (`id`, `event`, `data`), comments skipped."""
    message: dict[str, str] = {}
    for line in lines:
        if not line:
            if message:
                yield message
            message = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            message[name] = value.removeprefix(" ")
