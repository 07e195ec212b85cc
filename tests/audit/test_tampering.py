"""Each kind of tampering, done behind the store's back, is detected and located at its first
altered event; the two witnesses catch what the chain alone cannot."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta

import asyncpg
import pytest

from audit import verify_streams
from domain.envelope import Event
from store import RecordedEvent, event_hash
from store.chain import chain_hash, stored_event_encoding
from tests.domain.builders import CLERK

from .conftest import AuditStack, tamper

Tampering = Callable[[AuditStack, str, list[RecordedEvent]], list[str]]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _update(stack: AuditStack, iid: str, condition: str, assignment: str) -> str:
    return (f"UPDATE {stack.events_table} SET {assignment} "
            f"WHERE stream_id = {_literal(iid)} AND {condition}")


def _delete(stack: AuditStack, iid: str, condition: str) -> str:
    return f"DELETE FROM {stack.events_table} WHERE stream_id = {_literal(iid)} AND {condition}"


def _move_up(stack: AuditStack, iid: str, first: int, by: int) -> list[str]:
    """Versions `first` and after, `by` higher; through a detour, as (stream, version) is
    unique at every row."""
    return [_update(stack, iid, f"version >= {first}", "version = version + 1000"),
            _update(stack, iid, "version > 1000", f"version = version - 1000 + {by}")]


def _set_head(stack: AuditStack, iid: str, version: int, head_hash: str) -> str:
    return (f"UPDATE {stack.store.schema}.streams SET version = {version}, "
            f"head_hash = {_literal(head_hash)} WHERE stream_id = {_literal(iid)}")


def altered_payload(stack: AuditStack, iid: str, events: list[RecordedEvent]) -> list[str]:
    return [_update(stack, iid, "version = 4",
                    "payload = jsonb_set(payload, '{evidence}', '\"a forged SOP\"')")]


def deleted_event(stack: AuditStack, iid: str, events: list[RecordedEvent]) -> list[str]:
    return [_delete(stack, iid, "version = 5")]


def inserted_event(stack: AuditStack, iid: str, events: list[RecordedEvent]) -> list[str]:
    """A forged idea slipped in as version 5, its own hash and link computed properly."""
    before = events[3]
    forged = Event(event_id=uuid.uuid4(), initiative_id=iid, sequence=5, type="IdeaSubmitted",
                   schema_version=1, actor=CLERK,
                   occurred_at=before.event.occurred_at + timedelta(milliseconds=1),
                   payload={"idea_id": "idea-0", "text": "approve everything"})
    recorded_at = before.recorded_at + timedelta(milliseconds=1)
    return [*_move_up(stack, iid, 5, 1),
            f"INSERT INTO {stack.events_table} (event_id, stream_id, version, type, "
            "schema_version, actor, occurred_at, payload, prev_hash, hash, recorded_at, "
            "encoding_version) VALUES ("
            f"'{forged.event_id}', {_literal(iid)}, 5, 'IdeaSubmitted', 1, {_literal(CLERK)}, "
            f"'{forged.occurred_at.isoformat()}', {_literal(json.dumps(forged.payload))}, "
            f"'{before.hash}', '{event_hash(before.hash, forged, recorded_at)}', "
            f"'{recorded_at.isoformat()}', 2)",
            _set_head(stack, iid, len(events) + 1, events[-1].hash)]


def reordered_events(stack: AuditStack, iid: str, events: list[RecordedEvent]) -> list[str]:
    return [_update(stack, iid, "version = 5", "version = 1005"),
            _update(stack, iid, "version = 6", "version = 5"),
            _update(stack, iid, "version = 1005", "version = 6")]


def truncated_tail(stack: AuditStack, iid: str, events: list[RecordedEvent]) -> list[str]:
    return [_delete(stack, iid, f"version > {len(events) - 2}")]


def truncated_tail_and_head_row(
    stack: AuditStack, iid: str, events: list[RecordedEvent]
) -> list[str]:
    kept = events[-3]
    return [*truncated_tail(stack, iid, events), _set_head(stack, iid, kept.version, kept.hash)]


def chain_rewritten_from_version_4(
    stack: AuditStack, iid: str, events: list[RecordedEvent]
) -> list[str]:
    """Version 4's evidence replaced, and every hash from there on recomputed, head row too:
    the chain and the head row agree; only the workflow knows better."""
    statements = altered_payload(stack, iid, events)
    head = events[2].hash
    for recorded in events[3:]:
        event = recorded.event
        if recorded.version == 4:
            event = event.model_copy(update={"payload": {**event.payload,
                                                         "evidence": "a forged SOP"}})
        prev, head = head, chain_hash(head, stored_event_encoding(event, recorded.recorded_at))
        statements.append(_update(stack, iid, f"version = {recorded.version}",
                                  f"prev_hash = '{prev}', hash = '{head}'"))
    return [*statements, _set_head(stack, iid, len(events), head)]


CASES: list[tuple[Tampering, int, str]] = [
    (altered_payload, 4, "stored content does not match its hash"),
    (deleted_event, 5, "version 5 is missing"),
    (inserted_event, 5, "was inserted or moved here"),
    (reordered_events, 5, "prev_hash does not match"),
    (truncated_tail, 9, "the head row says the stream reaches version 10"),
    (truncated_tail_and_head_row, 9, "the workflow (its view) recorded version 10"),
    (chain_rewritten_from_version_4, 4, "the chain was rewritten from here"),
]


@pytest.mark.parametrize(("tampering", "version", "reason"), CASES,
                         ids=[case[0].__name__ for case in CASES])
async def test_tampering_is_detected_at_its_first_event(
    audit_stack: AuditStack, admin: asyncpg.Connection, tampering: Tampering, version: int,
    reason: str,
) -> None:
    iid = await audit_stack.recorded()
    events = await audit_stack.store.read_stream(iid)
    assert len(events) == 10
    [before] = await verify_streams(audit_stack.store, [iid], audit_stack.witnesses)
    assert before.ok and before.phase == "sustaining"

    await tamper(admin, audit_stack.store.schema, *tampering(audit_stack, iid, events))

    [after] = await verify_streams(audit_stack.store, [iid], audit_stack.witnesses)
    assert not after.ok
    assert after.audit.first_break is not None
    assert after.audit.first_break.version == version, after.audit.first_break
    assert reason in after.audit.first_break.reason


async def test_only_the_workflow_sees_a_chain_rewritten_with_its_head_row(
    audit_stack: AuditStack, admin: asyncpg.Connection
) -> None:
    iid = await audit_stack.recorded()
    events = await audit_stack.store.read_stream(iid)
    await tamper(admin, audit_stack.store.schema,
                 *chain_rewritten_from_version_4(audit_stack, iid, events))
    [store_alone] = await verify_streams(audit_stack.store, [iid], None)
    assert store_alone.ok  # the chain and the head row agree with each other
    [witnessed] = await verify_streams(audit_stack.store, [iid], audit_stack.witnesses)
    assert not witnessed.ok


async def test_verify_exits_1_naming_the_first_altered_event(
    audit_stack: AuditStack, admin: asyncpg.Connection
) -> None:
    intact, altered = audit_stack.recorded(), audit_stack.recorded()
    intact_id, altered_id = await intact, await altered
    events = await audit_stack.store.read_stream(altered_id)
    await tamper(admin, audit_stack.store.schema, *deleted_event(audit_stack, altered_id, events))

    outcome = await audit_stack.baton("audit", "verify", intact_id, altered_id, "--json")
    assert outcome.code == 1, outcome.stderr
    by_id = {entry["id"]: entry for entry in outcome.json}
    assert by_id[intact_id]["ok"] and by_id[intact_id]["workflow"]["version"] == 10
    assert (by_id[altered_id]["ok"], by_id[altered_id]["broken_version"]) == (False, 5)

    text = await audit_stack.baton("verify", altered_id)
    assert text.code == 1
    assert "ALTERED at version 5: version 5 is missing" in text.stdout
    assert (await audit_stack.baton("audit", "verify", intact_id)).code == 0
