"""The production topology, run here: two workers and two web replicas from the installed
wheel, started as the manifests start them, over a PostgreSQL reached with verify-full TLS and
a Temporal server Baton did not start (tests/topology/ring.py)."""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.embedded_temporal import EmbeddedTemporal
from tests.installed.package import ROOT, InstalledBaton, free_port
from tests.topology.ring import (
    Ring,
    api,
    logged,
    psql_attempt,
    sse_messages,
    web_url,
)
from tests.topology.system_postgres import (
    SystemPostgres,
    server_binaries_or_skip,
    system_postgres,
)

SPEC = (ROOT / "examples" / "sustains.yaml").read_bytes()
PMO, SPONSOR, EXPERT, OWNER = ("pmo@acme.example", "cfo@acme.example", "belt@consult.example",
                               "ap-lead@acme.example")
AUDITOR = "auditor@acme.example"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ANSWER_RETRIES = 10  # a person's client sends again, with the same Idempotency-Key


@pytest.fixture(scope="module")
def postgres() -> Iterator[SystemPostgres]:
    with system_postgres(server_binaries_or_skip()) as server:
        yield server


@pytest.fixture(scope="module")
def ring(installed_baton: InstalledBaton, postgres: SystemPostgres,
         temporal_server: EmbeddedTemporal,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ring]:
    ring = Ring(installed_baton, tmp_path_factory.mktemp("ring"), postgres,
                temporal_server.address)
    ring.create_database()
    ring.set_up()
    try:
        for _ in range(2):
            ring.start_worker()
        for _ in range(2):
            ring.start_web()
        yield ring
    finally:
        ring.stop()


def tokens(ring: Ring) -> dict[str, str]:
    return {PMO: ring.token(PMO, "pmo"), SPONSOR: ring.token(SPONSOR),
            EXPERT: ring.token(EXPERT), OWNER: ring.token(OWNER),
            AUDITOR: ring.token(AUDITOR, "auditor")}


def launch(client: httpx.Client) -> str:
    launched = client.post("/api/v1/initiatives", content=SPEC,
                           headers={"Content-Type": "application/yaml"})
    assert launched.status_code == 201, launched.text
    initiative_id: str = launched.json()["id"]
    return initiative_id


def act(client: httpx.Client, initiative_id: str, action: str, key: str,
        **arguments: Any) -> dict[str, Any]:
    """One action through the API, sent again with its Idempotency-Key while no worker
    confirms it (503), as a person's client does."""
    for _ in range(ANSWER_RETRIES):
        answer = client.post(f"/api/v1/initiatives/{initiative_id}/actions/{action}",
                             json=arguments, headers={"Idempotency-Key": key})
        if answer.status_code != 503:
            assert answer.status_code == 200, f"{action}: {answer.status_code} {answer.text}"
            body: dict[str, Any] = answer.json()
            return body
        time.sleep(1)
    raise AssertionError(f"{action} was never confirmed: {answer.text}")


def events_of(client: httpx.Client, initiative_id: str) -> list[dict[str, Any]]:
    found, after = [], 0
    while True:
        page = client.get("/api/v1/events", params={"after": after, "limit": 500}).json()
        found += [event for event in page["events"] if event["initiative_id"] == initiative_id]
        if not page["events"]:
            return found
        after = page["next_after"]


def test_setup_runs_twice_and_the_processes_need_no_ddl(ring: Ring) -> None:
    migrations = [run for run in ring.setup_runs if "workers.migrate" in run.args[1:]]
    attributes = [run for run in ring.setup_runs if run not in migrations]
    assert [run.returncode for run in ring.setup_runs] == [0] * 4, [
        (run.args[1:], run.stderr[-600:]) for run in ring.setup_runs]
    first, again = (logged(run, "event store schema is up to date") for run in migrations)
    assert first["applied"] and again["applied"] == []
    added, none = (logged(run, "search attributes registered") for run in attributes)
    assert added["added"] and none["added"] == []

    refused = psql_attempt(ring.runtime_dsn, "CREATE TABLE baton.intruder (x int)")
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    rewritten = psql_attempt(ring.runtime_dsn, "DELETE FROM baton.events")
    assert rewritten.returncode != 0 and "permission denied" in rewritten.stderr
    ssl = psql_attempt(ring.runtime_dsn, "SELECT ssl FROM pg_stat_ssl "
                                         "WHERE pid = pg_backend_pid()")
    assert ssl.returncode == 0 and ssl.stdout.strip() == "t", ssl.stdout


def test_a_person_signs_in_on_one_replica_and_acts_on_the_other(ring: Ring) -> None:
    first, second = ring.webs
    people = tokens(ring)
    with api(first, people[PMO]) as pmo:
        initiative_id = launch(pmo)

    with httpx.Client(timeout=60) as browser:
        signin = browser.get(f"{web_url(first)}/signin")
        csrf = _CSRF.search(signin.text)
        assert csrf, signin.text
        signed_in = browser.post(f"{web_url(first)}/signin",
                                 data={"csrf": csrf[1], "next": "/", "token": people[SPONSOR]})
        assert signed_in.status_code == 303, signed_in.text

        page = browser.get(f"{web_url(second)}/initiatives/{initiative_id}")
        assert page.status_code == 200 and SPONSOR in page.text
        form = _CSRF.search(page.text)
        assert form
        approved = browser.post(
            f"{web_url(second)}/initiatives/{initiative_id}/actions/approve-launch",
            data={"csrf": form[1]})
        assert approved.status_code == 303, approved.text

    with api(first, people[PMO]) as pmo:
        shown = pmo.get(f"/api/v1/initiatives/{initiative_id}").json()
    assert shown["phase"] != "proposed"
    approvals = [event for event in events_of(api(first, people[AUDITOR]), initiative_id)
                 if event["type"] == "LaunchApproved"]
    assert [event["actor"] for event in approvals] == [SPONSOR]


def read_stream(response: httpx.Response, into: queue.Queue[dict[str, str]]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the test closes the stream when it has read
        for message in sse_messages(response.iter_lines()):
            into.put(message)


def next_event(messages: queue.Queue[dict[str, str]], timeout: float = 30) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = messages.get(timeout=max(deadline - time.monotonic(), 0.01))
        if "id" in message:
            return message
    raise AssertionError("no event within the time")


def test_the_feed_follows_another_replica_and_resumes_after_a_restart(ring: Ring) -> None:
    first, second = ring.webs
    people = tokens(ring)
    auditor = httpx.Client(base_url=web_url(second), timeout=httpx.Timeout(60, read=None),
                           headers={"Authorization": f"Bearer {people[AUDITOR]}"})
    with auditor, api(first, people[PMO]) as pmo:
        newest = auditor.get("/api/v1/events", params={"after": 0, "limit": 1000}).json()
        after = newest["next_after"]
        messages: queue.Queue[dict[str, str]] = queue.Queue()
        with auditor.stream("GET", "/api/v1/events/stream",
                            params={"after": after}) as stream:
            threading.Thread(target=read_stream, args=(stream, messages), daemon=True).start()
            initiative_id = launch(pmo)
            seen = next_event(messages)
        assert seen["event"] == "InitiativeLaunched" and initiative_id in seen["data"]

        second.stop()
        with api(first, people[SPONSOR]) as sponsor:
            act(sponsor, initiative_id, "approve-launch", "ring-feed-approve")
        second.start().wait_ready()

        resumed: queue.Queue[dict[str, str]] = queue.Queue()
        with auditor.stream("GET", "/api/v1/events/stream",
                            headers={"Last-Event-ID": seen["id"]}) as stream:
            threading.Thread(target=read_stream, args=(stream, resumed), daemon=True).start()
            following = next_event(resumed)
        assert int(following["id"]) > int(seen["id"])
        assert following["event"] == "LaunchApproved" and initiative_id in following["data"]


def test_a_worker_killed_mid_lifecycle_loses_and_doubles_nothing(ring: Ring) -> None:
    first, second = ring.webs
    people = tokens(ring)
    with api(first, people[PMO]) as pmo:
        initiative_id = launch(pmo)
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (SPONSOR, "approve-launch", {}),
        (EXPERT, "deliver", {"value": 5.2}),
        (EXPERT, "complete", {"step": "sop", "evidence": "SOP v3 in the wiki"}),
        (OWNER, "complete", {"step": "control-plan"}),
        (OWNER, "complete", {"step": "training"}),
        (OWNER, "accept", {}),
        (PMO, "review", {"approve": True}),
    ]
    for number, (person, action, arguments) in enumerate(steps):
        replica = (first, second)[number % 2]
        if number == 3:
            ring.workers[0].kill()  # between two updates of a running workflow
        with api(replica, people[person]) as client:
            act(client, initiative_id, action, f"ring-kill-{number}", **arguments)

    with api(first, people[AUDITOR]) as auditor:
        recorded = events_of(auditor, initiative_id)
    sequences = [event["sequence"] for event in recorded]
    assert sequences == list(range(1, len(sequences) + 1)), "a gap or a double in the stream"
    kinds = Counter(event["type"] for event in recorded)
    assert kinds["StepCompleted"] == 3 and kinds["OwnershipAccepted"] == 1, kinds
    assert kinds["ReviewApproved"] == 1 and kinds["ImprovementDelivered"] == 1, kinds

    verified = ring.run("baton", "audit", "verify", "--all")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    ring.workers[0].start().wait_ready()


def one_line_refusal(ring: Ring, command: str, **settings: str) -> str:
    """`baton COMMAND` started with `settings`: it must exit non-zero before serving, having
    said what is wrong in one line."""
    started = ring.run("baton", command, BATON_WEB_HOST="127.0.0.1", BATON_WEB_PORT="1",
                       BATON_HEALTH_ADDRESS="127.0.0.1:1", **settings)
    lines = started.stderr.strip().splitlines()
    assert started.returncode != 0 and len(lines) == 1, started.stderr
    assert "Traceback" not in started.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["web", "worker"])
def test_settings_that_cannot_work_are_refused_at_start(ring: Ring, postgres: SystemPostgres,
                                                        command: str, tmp_path: Path) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    unreachable = ring.runtime_dsn.replace(f":{postgres.port}/", f":{nowhere.split(':')[1]}/")
    assert "cannot reach PostgreSQL" in one_line_refusal(ring, command,
                                                         DATABASE_URL=unreachable)
    untrusted = ring.runtime_dsn.replace(str(postgres.ca_path), str(postgres.untrusted_ca_path))
    refusal = one_line_refusal(ring, command, DATABASE_URL=untrusted)
    assert "certificate" in refusal and "runtime-password" not in refusal
    assert "cannot reach Temporal" in one_line_refusal(ring, command, TEMPORAL_ADDRESS=nowhere)


def test_a_web_replica_without_the_shared_session_secret_is_refused(ring: Ring) -> None:
    missing = one_line_refusal(ring, "web", BATON_SESSION_SECRET="")
    assert "BATON_SESSION_SECRET" in missing
    short = one_line_refusal(ring, "web", BATON_SESSION_SECRET="too-short")
    assert "at least 32 characters" in short and "too-short" not in short
