"""Generated specs and command lines through the installed `baton`: whatever is typed, the answer
is an exit code that means something and, on failure, one line and no traceback; a failed command
records nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.cli.conftest import Stack
from tests.cli.runner import Outcome, write_spec

from .command_lines import action_lines, actors, spec_documents

DONE, REJECTED, BAD_INPUT = 0, 1, 2
# Each example starts a `baton` process: a few dozen in all. Shrinking would start many more.
RUNS = settings(max_examples=14, deadline=None, phases=[Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def understood(outcome: Outcome) -> bool:
    """Done, rejected or bad input; on failure one line per problem on stderr, no traceback."""
    assert outcome.code in (DONE, REJECTED, BAD_INPUT), (outcome.code, outcome.stderr)
    if outcome.code != DONE:
        assert outcome.problem_lines
    return outcome.code == DONE


@pytest.fixture
async def initiative(fresh_stack: Stack, tmp_path: Path) -> str:
    """Launched and delivered: in handoff, where most commands have something to act on."""
    return await fresh_stack.baton.launched(write_spec(tmp_path), delivered=True)


@RUNS
@given(document=spec_documents(), actor=actors)
async def test_generated_specs(fresh_stack: Stack, tmp_path: Path, document: str,
                               actor: str) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.yaml"
    path.write_text(document, encoding="utf-8", errors="surrogateescape")
    before = await fresh_stack.streams()
    launched = understood(await fresh_stack.baton("launch", str(path), actor=actor))
    assert await fresh_stack.streams() == before + launched


@RUNS
@given(data=st.data())
async def test_generated_command_lines(fresh_stack: Stack, initiative: str,
                                       data: st.DataObject) -> None:
    line, actor = data.draw(action_lines(initiative)), data.draw(actors)
    before = await fresh_stack.version(initiative)
    recorded = understood(await fresh_stack.baton(*line, actor=actor))
    assert (await fresh_stack.version(initiative) > before) == recorded
