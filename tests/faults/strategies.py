"""Hypothesis strategies for commands anyone might send: well-typed ones with arbitrary values, and
raw JSON that only looks like a command, or not even that."""

from __future__ import annotations

import typing
from datetime import UTC
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from domain import commands as c
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.workflows.scenario import quick_spec

# Plain text as often as arbitrary text, and the edges: empty, blank, a NUL (which PostgreSQL
# cannot store), too long. Commands need sensible values often enough to be accepted at all.
texts = st.one_of(st.sampled_from(["retrain the team", "SOP v3"]), st.text(max_size=120),
                  st.sampled_from(["", "  ", "a\x00b", "x" * 4001]))
anyone = st.one_of(st.sampled_from([PMO, SPONSOR, EXPERT, OWNER, CLERK, c.SYSTEM_ACTOR]),
                   st.text(min_size=1, max_size=40))
identifiers = st.one_of(st.sampled_from(["sop", "control-plan", "idea-1", "idea-2"]),
                        st.text(min_size=1, max_size=70))
durations = st.one_of(
    st.sampled_from(["1s", "10d", "3650d", "3651d", "0.00001s", "0.0000001s"]),
    st.from_regex(r"\d{1,5}(\.\d{1,9})?[smhdw]", fullmatch=True), texts)
numbers = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers())

# Who would send each kind (the engine's own: itself); anyone else as often.
SENDER = {"launch": PMO, "approve_launch": SPONSOR, "reject_launch": SPONSOR,
          "deliver": EXPERT, "complete_step": EXPERT, "accept": OWNER, "approve_review": PMO,
          "send_back": PMO, "reading": OWNER, "respond": OWNER, "submit_idea": CLERK,
          "triage_idea": OWNER, "idea_delivered": OWNER, "reassign": PMO, "cancel": PMO,
          "reopen": SPONSOR, "correct_reading": OWNER, "support_idea": CLERK,
          "front_line_add": OWNER, "front_line_remove": OWNER}
CLOSING = {"cancel", "reject_launch"}

# Every field any command has, and what to fill it with.
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "value": numbers, "step_id": identifiers, "evidence": texts,
    "reason": texts, "reopen": st.lists(identifiers, max_size=3), "action": texts,
    "within": durations, "text": texts, "idea_id": identifiers, "adopt": st.booleans(),
    "owner": anyone, "person": anyone, "duplicate_of": st.one_of(st.none(), identifiers),
    "subject": texts, "check": st.integers(), "command": texts,
    "spec": st.just(quick_spec().model_dump(mode="json")),
    "due_at": st.datetimes(timezones=st.just(UTC)), "notification_id": identifiers,
    "to": anyone,
}
_COMMAND = TypeAdapter(c.AnyCommand)


def command_types() -> list[type[BaseModel]]:
    """Every kind of command, the engine's own among them: people must not be able to send
    those either."""
    union = typing.get_args(typing.get_args(c.AnyCommand)[0])
    return list(union)


def _fields_of(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    kind = model.model_fields["kind"].default
    sender = st.one_of(st.just(SENDER.get(kind, c.SYSTEM_ACTOR)), anyone)
    return st.fixed_dictionaries({"kind": st.just(kind), "actor": sender, **{
        name: FIELD_VALUES[name] for name in model.model_fields if name not in ("kind", "actor")}})


def _weighted_kinds() -> list[type[BaseModel]]:
    """People's commands four times as often as the rest (closing ones, which end a session,
    and the launch and the engine's own, which are always refused). Hypothesis draws the first
    entry more often than the others, so that is one often accepted."""
    def weight(model: type[BaseModel]) -> int:
        kind = model.model_fields["kind"].default
        return 1 if kind in CLOSING or kind == "launch" or kind not in SENDER else 4

    models = sorted(command_types(), key=lambda m: (-weight(m), m is not c.SubmitIdea))
    return [model for model in models for _ in range(weight(model))]


# A command's fields, each filled with a value of its type but arbitrary otherwise.
command_fields = st.sampled_from(_weighted_kinds()).flatmap(_fields_of)


def _command_or_none(fields: dict[str, Any]) -> Any:
    try:
        return _COMMAND.validate_python(fields)
    except ValidationError:
        return None


# Commands as a typed client builds them; None where the fields make no valid command, which
# such a client cannot even send.
commands: st.SearchStrategy[Any] = command_fields.map(_command_or_none)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=10), inner, max_size=3)),
    max_leaves=8)


@st.composite
def raw_envelopes(draw: st.DrawFn) -> Any:
    """Mostly a command's JSON with one field replaced, dropped or added; sometimes anything."""
    command = dict(draw(command_fields))
    key = draw(st.sampled_from(sorted(command)))
    change = draw(st.sampled_from(["keep", "replace", "drop", "add"]))
    if change == "replace":
        command[key] = draw(json_values)
    elif change == "drop":
        del command[key]
    elif change == "add":
        command[draw(st.text(max_size=12))] = draw(json_values)
    request_id = draw(st.one_of(st.uuids().map(str), json_values))
    return draw(st.one_of(st.just({"request_id": request_id, "command": command}), json_values))
