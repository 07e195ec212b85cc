"""An argument an action does not take is refused by name, whatever else is missing or given:
a misspelt option must never be dropped silently, nor hidden behind the one it left out."""

from __future__ import annotations

import pytest

from app.actions import ACTIONS, command_for
from app.errors import InvalidArgument


@pytest.mark.parametrize("name", list(ACTIONS))
@pytest.mark.parametrize("others", [{}, {"value": 5.2, "reason": "typo", "step": "sop"}])
def test_every_action_refuses_an_argument_it_does_not_take_naming_it(
        name: str, others: dict[str, object]) -> None:
    given = {key: value for key, value in others.items()
             if key in ACTIONS[name].arguments.model_fields}
    with pytest.raises(InvalidArgument) as refused:
        command_for(name, {**given, "val": 5.2}, "owner@acme.example")
    assert refused.value.field == "val"
    assert refused.value.problem.startswith(f"is not a known field ({name} takes ")
