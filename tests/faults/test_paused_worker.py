"""A worker that stops answering: the person is told the command is not confirmed yet (exit 3,
with the request id), and sending it again with that id records it once and answers with what
was recorded. The worker is a process of its own, killed as an operator's would die."""

from __future__ import annotations

from pathlib import Path

from store import EventStore
from tests.cli.runner import Baton, write_spec
from tests.domain.builders import PMO, SPONSOR
from tests.worker_process import WorkerProcesses
from workers.embedded_temporal import EmbeddedTemporal

UNREACHABLE = 3
RETRIES = 15  # of BATON_ANSWER_TIMEOUT=2 s each


async def test_an_unconfirmed_command_is_retried_with_its_request_id_and_recorded_once(
        temporal_server: EmbeddedTemporal, database_url: str, store: EventStore,
        workers: WorkerProcesses, task_queue: str, tmp_path: Path) -> None:
    baton = Baton(TEMPORAL_ADDRESS=temporal_server.address, DATABASE_URL=database_url,
                  BATON_DB_SCHEMA=store.schema, BATON_TASK_QUEUE=task_queue,
                  BATON_HOME=str(tmp_path / "home"), BATON_ANSWER_TIMEOUT="2")
    worker = await workers.start_ready()
    iid = (await baton.ok("launch", str(write_spec(tmp_path)), actor=PMO)).stdout.strip()
    worker.kill()  # Temporal still lists it as a poller for a while: the command goes out

    unconfirmed = await baton("approve-launch", iid, "--json", actor=SPONSOR)
    assert unconfirmed.code == UNREACHABLE, unconfirmed.stderr
    error = unconfirmed.json["error"]
    request_id = error["request_id"]
    assert f"--request-id {request_id}" in unconfirmed.error_line
    assert "may still be recorded" in error["message"]

    await workers.start_ready()
    # The new worker takes the workflow over once Temporal gives up on the dead one's sticky
    # queue (seconds); until then a retry is unconfirmed too, and just as safe.
    retry = ("approve-launch", iid, "--request-id", request_id, "--json")
    for _ in range(RETRIES):
        answered = await baton(*retry, actor=SPONSOR)
        if answered.code != UNREACHABLE:
            break
    assert answered.code == 0, answered.stderr
    first = answered.json
    again = (await baton.ok(*retry, actor=SPONSOR)).json
    assert [e["type"] for e in first["events"]] == ["LaunchApproved"]
    assert again["events"] == first["events"]
    assert (first["phase"], first["version"]) == ("improving", 2)
    recorded = [r.event.type for r in await store.read_stream(iid)]
    assert recorded == ["InitiativeLaunched", "LaunchApproved"]
