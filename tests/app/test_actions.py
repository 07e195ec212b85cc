"""The action registry: one table for every door, refusals that name the argument."""

from __future__ import annotations

from typing import Any

import pytest

from app.actions import ACTIONS, command_for
from app.errors import InvalidArgument, Rejected, RejectionKind
from cli.actions import ACTIONS as CLI_ACTIONS
from domain import commands as c
from domain.visibility import THE_OPERATOR

ACTOR = "owner@acme.example"


def test_every_action_has_a_command_line_and_every_command_line_an_action() -> None:
    assert [action.name for action in CLI_ACTIONS] == list(ACTIONS)


@pytest.mark.parametrize(("name", "arguments", "expected"), [
    ("approve-launch", {}, c.ApproveLaunch(actor=ACTOR)),
    ("complete", {"step": "sop", "evidence": "wiki"},
     c.CompleteStep(actor=ACTOR, step_id="sop", evidence="wiki")),
    ("review", {"approve": True}, c.ApproveReview(actor=ACTOR)),
    ("review", {"send_back": "no SOP", "reopen": ["sop"]},
     c.SendBack(actor=ACTOR, reason="no SOP", reopen=["sop"])),
    ("respond", {"plan": "retrain", "within": "10d"},
     c.SubmitResponsePlan(actor=ACTOR, action="retrain", within="10d")),
    ("triage", {"idea": "idea-1", "decline": "no budget"},
     c.TriageIdea(actor=ACTOR, idea_id="idea-1", adopt=False, reason="no budget")),
    ("triage", {"idea": "idea-1", "adopt": True},
     c.TriageIdea(actor=ACTOR, idea_id="idea-1", adopt=True)),
    ("reading", {"value": "5.1"}, c.RecordReading(actor=ACTOR, value=5.1)),
    ("correct-reading", {"value": 5, "reason": "typed 50"},
     c.CorrectReading(actor=ACTOR, value=5, reason="typed 50")),
])
def test_arguments_become_the_domain_command(name: str, arguments: dict[str, object],
                                             expected: object) -> None:
    assert command_for(name, arguments, ACTOR) == expected


@pytest.mark.parametrize(("name", "arguments", "field", "problem"), [
    ("idea", {"text": "x" * 4001}, "text", "is 4001 characters long; at most 4000 are allowed"),
    ("cancel", {"reason": "  "}, "reason", "must not be empty"),
    ("respond", {"plan": "p", "within": "soon"}, "within", "'soon' is not a duration"),
    ("respond", {"plan": "", "within": "1d"}, "plan", "must not be empty"),
    ("complete", {"step": "a\x00b"}, "step", "is not an id"),
    ("review", {"approve": True, "reopen": ["sop"]}, "reopen", "only with a send-back"),
    ("review", {}, "approve", "either approve or send_back"),
    ("triage", {"idea": "idea-1"}, "adopt", "one of adopt, decline or duplicate_of"),
    ("deliver", {"value": "many"}, "value", "'many' is not a number"),
    ("deliver", {"value": 1, "colour": "red"}, "colour", "is not a known field"),
    ("correct-reading", {"value": 5, "reason": "typo\x1b[2J"}, "reason",
     "may hold line breaks but not an escape character"),
    ("correct-reading", {"value": 5}, "reason", "is required"),
])
def test_a_bad_argument_is_named_as_the_door_spells_it(
        name: str, arguments: dict[str, object], field: str, problem: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        command_for(name, arguments, ACTOR)
    assert refused.value.kind is RejectionKind.INVALID
    assert refused.value.field == field
    assert problem in refused.value.problem


def test_an_unknown_action_is_not_found() -> None:
    with pytest.raises(Rejected) as refused:
        command_for("approve-everything", {}, ACTOR)
    assert refused.value.kind is RejectionKind.NOT_FOUND


@pytest.mark.parametrize("request_id", ["", "x" * 129, "a\x00b", "caf\udce9"])
async def test_a_request_id_that_cannot_travel_is_refused_before_sending(
        request_id: str) -> None:
    from app.act import ActRequest, act
    from app.context import Context, Where

    async def nowhere() -> Any:
        raise AssertionError("nothing is opened for a request refused up front")

    context = Context(where=Where("127.0.0.1:1", "default", "q", "baton"), open_temporal=nowhere,
                      open_store=nowhere, open_read_store=nowhere, open_audit_store=nowhere)
    with pytest.raises(InvalidArgument) as refused:
        await act(context, ActRequest(viewer=THE_OPERATOR,
                                      initiative_id="some-initiative", action="accept",
                                      actor=ACTOR, request_id=request_id))
    assert refused.value.field == "request_id"
