"""Many realistic initiative streams, written straight into a store's tables, fast.

One lifecycle is decided once by the domain (launch, handoff, sustainment with readings and
ideas); every initiative gets a copy under its own id, with its own event ids and its own hash
chain computed here, so the streams verify and replay exactly like recorded ones. Rows go in by
COPY: the store's append path is not what is being measured, and the append-only trigger has
nothing to say about inserts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import asyncpg

from domain import InitiativeSpec, InitiativeState, decide, due_deadlines, evolve
from domain import commands as c
from domain.envelope import Event, event_id_for
from store.canonical_json import canonical_json
from store.chain import (
    ENCODING_VERSION,
    GENESIS_HASH,
    chain_hash,
    encode_envelope,
    format_timestamp,
)
from store.migrations import quote_schema

START = datetime(2026, 1, 1, tzinfo=UTC)
RECORDED_AFTER = timedelta(milliseconds=7, microseconds=123)
SPONSOR, PMO, EXPERT = "cfo@acme.example", "pmo@acme.example", "belt@consult.example"
OWNER, CLERK = "ap-lead@acme.example", "clerk-1@acme.example"
SPEC = InitiativeSpec.model_validate({
    "name": "Cut invoice cycle time", "sponsor": SPONSOR, "pmo": PMO, "expert": EXPERT,
    "owner": OWNER,
    "metric": {"name": "invoice cycle time", "unit": "days", "baseline": 12, "target": 5,
               "direction": "decrease"},
    "handoff": [{"id": "sop", "title": "Standard work documented", "assignee": "expert"},
                {"id": "control-plan", "title": "Control plan agreed", "assignee": "owner",
                 "due_in": "14d"}],
    "expert_on_call": "45d", "front_line": [CLERK],
    "sustainment": {"checks": ["30d", "60d", "90d", "180d", "365d"], "tolerance": 0.8,
                    "response_within": "10d"},
})
EVENT_COLUMNS = ["event_id", "stream_id", "version", "type", "schema_version", "actor",
                 "occurred_at", "payload", "prev_hash", "hash", "recorded_at", "encoding_version"]


def lifecycle(events: int) -> list[Event]:
    """`events` events of one initiative, in the order a workflow would have recorded them."""
    state, now, recorded = InitiativeState(initiative_id="template"), START, []

    def run(command: c.AnyCommand, after: timedelta = timedelta(hours=20)) -> None:
        nonlocal state, now
        now += after
        # What the workflow's timers would have recorded by now comes first, as it did there.
        for deadline in due_deadlines(state, now):
            record(decide(state, deadline.command, now))
        record(decide(state, command, now))

    def record(events: list[Event]) -> None:
        nonlocal state
        for event in events:
            state = evolve(state, event)
            recorded.append(event)

    for command in (c.Launch(actor=PMO, spec=SPEC), c.ApproveLaunch(actor=SPONSOR),
                    c.DeliverImprovement(actor=EXPERT, value=5.2),
                    c.CompleteStep(actor=EXPERT, step_id="sop", evidence="wiki/ap/sop-v3"),
                    c.CompleteStep(actor=OWNER, step_id="control-plan"),
                    c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO)):
        run(command)
    readings = (5.0, 4.8, 5.3, 4.9, 5.1, 5.2, 4.7, 5.0)
    number = 0
    while len(recorded) < events:
        number += 1
        run(c.SubmitIdea(actor=CLERK, text=f"idea {number}: pre-fill vendor ids on form B"))
        run(c.TriageIdea(actor=OWNER, idea_id=f"idea-{number}", adopt=True, reason="cheap"))
        run(c.MarkIdeaDelivered(actor=OWNER, idea_id=f"idea-{number}"))
        run(c.RecordReading(actor=OWNER, value=readings[number % len(readings)]))
    return recorded[:events]


def rows_for(initiative_id: str, template: Sequence[Event],
             payloads: Sequence[str]) -> tuple[list[tuple[object, ...]], str]:
    """COPY rows of the template's events as `initiative_id`'s, and the stream's head."""
    rows: list[tuple[object, ...]] = []
    prev = GENESIS_HASH
    for event, payload in zip(template, payloads, strict=True):
        event_id = event_id_for(initiative_id, event.sequence)
        # Recorded a moment after it occurred, and hashed with that moment, as appends do.
        recorded_at = event.occurred_at + RECORDED_AFTER
        encoding = encode_envelope(
            event_id=str(event_id), stream_id=initiative_id, sequence=event.sequence,
            type=event.type, schema_version=event.schema_version, actor=event.actor,
            occurred_at=format_timestamp(event.occurred_at), payload_json=payload,
            recorded_at=format_timestamp(recorded_at))
        head = chain_hash(prev, encoding)
        rows.append((event_id, initiative_id, event.sequence, event.type, event.schema_version,
                     event.actor, event.occurred_at, payload, prev, head, recorded_at,
                     ENCODING_VERSION))
        prev = head
    return rows, prev


def initiative_ids(first: int, count: int) -> Iterator[str]:
    return (f"initiative-{number:07d}" for number in range(first, first + count))


async def load(connection: asyncpg.Connection, schema: str, ids: Sequence[str],
               template: Sequence[Event], batch: int = 200) -> None:
    """Write every initiative of `ids` as a copy of `template`, `batch` streams per COPY.

    `connection` must be plain (no jsonb codec): payloads travel as their canonical text.
    """
    payloads = [canonical_json(event.payload) for event in template]
    for start in range(0, len(ids), batch):
        events, heads = [], []
        for initiative_id in ids[start:start + batch]:
            rows, head = rows_for(initiative_id, template, payloads)
            events += rows
            heads.append((initiative_id, len(template), head))
        async with connection.transaction():
            await connection.copy_records_to_table(
                "events", schema_name=schema, records=events, columns=EVENT_COLUMNS)
            await connection.copy_records_to_table(
                "streams", schema_name=schema, records=heads,
                columns=["stream_id", "version", "head_hash"])
    await connection.execute(f"ANALYZE {quote_schema(schema)}.events")
