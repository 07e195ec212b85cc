"""Events for store tests: valid envelopes with predictable content."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.envelope import Event

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def event(
    stream_id: str,
    sequence: int,
    payload: dict[str, Any] | None = None,
    *,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    return Event(
        event_id=event_id or uuid.uuid4(),
        initiative_id=stream_id,
        sequence=sequence,
        type="MilestoneRecorded",
        schema_version=1,
        actor="owner@example.com",
        occurred_at=occurred_at or T0 + timedelta(minutes=sequence),
        payload={"step": sequence} if payload is None else payload,
    )


def events(stream_id: str, after_version: int, count: int) -> list[Event]:
    return [event(stream_id, after_version + n) for n in range(1, count + 1)]
