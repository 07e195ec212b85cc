from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from workers.logging import clear_log_context, configure_logging, log_context


@workflow.defn
class SaysHello:
    @workflow.run
    async def run(self) -> None:
        workflow.logger.info("hello from the workflow")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """JSON logging into a buffer; the process's logging setup is restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    structlog.reset_defaults()
    clear_log_context()
    workflow.logger.workflow_info_on_message = True


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_bound_ids(json_log: io.StringIO) -> None:
    with log_context(initiative_id="INIT-7", workflow_id="initiative-INIT-7", run_id="run-1"):
        structlog.stdlib.get_logger("baton.test").info("handoff accepted", phase="sustain")
        logging.getLogger("temporalio.worker").warning("from the standard library")
    structlog.stdlib.get_logger("baton.test").info("after the block")

    accepted, foreign, after = records(json_log)
    for record in (accepted, foreign):
        assert record["initiative_id"] == "INIT-7"
        assert record["workflow_id"] == "initiative-INIT-7"
        assert record["run_id"] == "run-1"
    assert accepted["event"] == "handoff accepted"
    assert accepted["phase"] == "sustain"
    assert accepted["level"] == "info"
    assert foreign["logger"] == "temporalio.worker"
    assert foreign["level"] == "warning"
    assert "initiative_id" not in after


def test_configuring_twice_does_not_duplicate_output(json_log: io.StringIO) -> None:
    configure_logging("json", "INFO", stream=json_log)

    structlog.stdlib.get_logger("baton.test").info("once")

    assert [record["event"] for record in records(json_log)] == ["once"]


async def test_workflow_logger_records_carry_workflow_ids(
    json_log: io.StringIO, temporal_client: Client, task_queue: str
) -> None:
    async with Worker(temporal_client, task_queue=task_queue, workflows=[SaysHello]):
        handle = await temporal_client.start_workflow(
            SaysHello.run, id=f"hello-{uuid.uuid4()}", task_queue=task_queue
        )
        await handle.result()

    (hello,) = [r for r in records(json_log) if r["event"] == "hello from the workflow"]
    assert hello["workflow_id"] == handle.id
    assert hello["run_id"] == handle.result_run_id
    assert hello["logger"] == "temporalio.workflow"
