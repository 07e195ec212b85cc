"""Recorded histories of representative runs, replayed against the current workflow code.

A change to the workflow that would break a running initiative on deploy fails here. After a
deliberate, versioned change (a new `workflow.patched` id, named in `scenario.RECORDING`), record
the representative runs under that name as well with
`BATON_RECORD_HISTORIES=1 make test PYTEST_ARGS="tests/workflows/test_lifecycle.py
tests/workflows/test_long_timers.py"`; the earlier recordings stay, as runs begun then do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.initiative import InitiativeWorkflow

from .scenario import RECORDING

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays_on_current_code(path: Path) -> None:
    recorded = json.loads(path.read_text())
    history = WorkflowHistory.from_json(recorded["workflow_id"], recorded["history"])
    replayer = Replayer(workflows=[InitiativeWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


def test_representative_histories_are_recorded() -> None:
    representative = {"sustained", "regressed_and_recovered", "sent_back", "metric_source_year"}
    assert {p.stem for p in HISTORIES} >= representative  # the first recordings
    assert {p.stem for p in HISTORIES} >= {f"{name}.{RECORDING}" for name in representative}
