"""Recorded histories of representative runs, replayed against the current workflow code.

A change to the workflow that would break a running initiative on deploy fails here. Record anew
(only for a deliberate, versioned change, with `workflow.patched`) with
`BATON_RECORD_HISTORIES=1 make test PYTEST_ARGS=tests/workflows`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.initiative import InitiativeWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays_on_current_code(path: Path) -> None:
    recorded = json.loads(path.read_text())
    history = WorkflowHistory.from_json(recorded["workflow_id"], recorded["history"])
    replayer = Replayer(workflows=[InitiativeWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


def test_representative_histories_are_recorded() -> None:
    assert {p.stem for p in HISTORIES} >= {"sustained", "regressed_and_recovered",
                                            "sent_back", "metric_source_year"}
