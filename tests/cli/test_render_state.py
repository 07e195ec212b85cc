"""`baton show` writes the same text from the presenter's JSON as from the API's answer, which
carries moments as ISO 8601 and leaves out what moves with the clock alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.presenter import json_default, state_json
from bench.synthetic_streams import lifecycle
from cli.render_state import state_text
from domain import fold
from domain.deadlines import pending_deadlines
from domain.pull import NOW_DEPENDENT
from workflows.contracts import InitiativeView

EVENTS = lifecycle(100)


@pytest.mark.parametrize("version", range(1, len(EVENTS) + 1, 3))
def test_the_apis_json_reads_as_the_presenters(version: int) -> None:
    state = fold(EVENTS[0].initiative_id, EVENTS[:version])
    view = InitiativeView(state=state, head_hash="ab" * 32, deadlines=pending_deadlines(state),
                          run_id="run")
    shown = state_json(view)
    assert not NOW_DEPENDENT & shown["pull"].keys()
    from_api = json.loads(json.dumps(shown, default=json_default))
    for now in (datetime.now(UTC), (state.updated_at or datetime.now(UTC)) + timedelta(hours=5)):
        assert state_text(from_api, now) == state_text(shown, now)
    if state.ideas:
        assert " ideas a month" in state_text(from_api, now)
