"""The record an auditor files about one initiative, as plain data for any format to render.

Everything in it is read from the event store (the state is the fold of the events) except the
verification, which also weighs the witnesses. Values stay Python values (datetimes, numbers);
the renderers decide how they read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from domain import events as ev
from domain.benefits import benefit
from domain.commitments import Commitment, commitments
from domain.envelope import Event
from domain.pull import pull_figures
from domain.state import InitiativeState
from store import RecordedEvent

from .report_document import (
    AcceptanceRow,
    AuditReport,
    CommitmentRow,
    Commitments,
    Dumped,
    Handoff,
    RegressionRow,
    ResponsePlanRow,
    SendBack,
    TimelineLine,
    Verification,
)
from .verify import VerifiedStream


def build_report(
    verified: VerifiedStream,
    events: Sequence[RecordedEvent],
    state: InitiativeState,
    describe: Callable[[Event], str],
    now: datetime,
    pull: tuple[VerifiedStream, Sequence[RecordedEvent]] | None = None,
) -> AuditReport:
    """`describe` says an event as a sentence; `now` judges commitments still open. `pull`:
    the initiative's pull stream, verified, and its events (`state` carries its ideas)."""
    spec = state.require_spec()
    pull_events = pull[1] if pull is not None else ()
    return {
        "initiative": {
            "id": state.initiative_id, "name": spec.name, "phase": state.phase.value,
            "version": state.version, "owner": state.owner, "launched_at": state.launched_at,
            "closed_at": state.closed_at, "close_reason": state.close_reason or None,
        },
        "generated_at": now,
        "spec": spec.model_dump(mode="json"),
        # Both streams' events in the order they occurred, the ideas' marked as such.
        "timeline": sorted(
            [*timeline(events, describe), *_of_the_ideas(timeline(pull_events, describe))],
            key=lambda line: line["at"]),
        "handoff": _handoff(state, events),
        "checks": [
            {"number": c.number, "due_at": c.due_at, "status": c.status.value,
             "reading": c.reading, "retention": c.retention, "rules": list(c.rules),
             "judged_at": c.judged_at} for c in state.checks],
        "readings": [{"at": r.at, "value": r.value, "actor": r.actor} for r in state.readings],
        "regressions": [
            RegressionRow(at=r.event.occurred_at, by=r.event.actor, check=p.get("check"),
                          reading=p.get("reading"), retention=p.get("retention"),
                          rules=p.get("rules"), reason=p.get("reason"))
            for r, p in _of_type(events, ev.RegressionDetected)],
        "response_plans": [
            ResponsePlanRow(at=r.event.occurred_at, by=r.event.actor, action=p.get("action"),
                            due_at=p.get("due_at"))
            for r, p in _of_type(events, ev.ResponsePlanSubmitted)],
        "escalations": [{"at": e.at, "subject": e.subject, "reason": e.reason, "to": e.to}
                        for e in state.escalations],
        "ideas": [
            {"id": i.id, "text": i.text, "submitted_by": i.submitted_by,
             "submitted_at": i.submitted_at, "status": i.status.value,
             "triage_due_at": i.triage_due_at, "triaged_at": i.triaged_at,
             "reason": i.reason or None, "delivered_at": i.delivered_at,
             "supporters": list(i.supporters), "duplicate_of": i.duplicate_of,
             "triaged_on_time": None if i.triaged_at is None else i.triaged_at <= i.triage_due_at}
            for i in state.ideas],
        "acceptances": [
            AcceptanceRow(at=r.event.occurred_at, by=r.event.actor,
                          statement=p.get("statement"), steps=p.get("steps"))
            for r, p in _of_type(events, ev.OwnershipAccepted)],
        "benefit": benefit_trace(state, events),
        "pull": pull_figures([state], state.closed_at or now).model_dump(),
        "commitments": _commitments(commitments(state), now),
        "verification": verification(verified),
        "pull_verification": verification(pull[0]) if pull is not None else None,
    }


def timeline(
    events: Sequence[RecordedEvent], describe: Callable[[Event], str]
) -> list[TimelineLine]:
    """Who did what, when, in order, each with the hash that seals it."""
    return [{"version": r.version, "at": r.event.occurred_at, "actor": r.event.actor,
             "type": r.event.type, "what": describe(r.event), "hash": r.hash} for r in events]


def _of_the_ideas(lines: list[TimelineLine]) -> list[TimelineLine]:
    return [{**line, "stream": "pull"} for line in lines]


def _handoff(state: InitiativeState, events: Sequence[RecordedEvent]) -> Handoff:
    return {
        "delivered_at": state.delivered_at, "delivered_value": state.delivered_value,
        "accepted_at": state.accepted_at, "approved_at": state.approved_at,
        "expert_on_call_until": state.expert_on_call_until,
        "send_backs": [
            SendBack(at=r.event.occurred_at, by=r.event.actor, reason=p.get("reason"),
                     reopened=p.get("reopened"))
            for r, p in _of_type(events, ev.ReviewSentBack)],
        "steps": [
            {"id": s.id, "title": s.title, "assignee": s.assignee.value, "status": s.status.value,
             "due_at": s.due_at, "completed_at": s.completed_at, "completed_by": s.completed_by,
             "evidence": s.evidence or None} for s in state.steps],
    }


def benefit_trace(state: InitiativeState,
                  events: Sequence[RecordedEvent]) -> Dumped | None:
    """The benefit figures, each period naming the recorded event whose check judged it."""
    figures = benefit(state)
    if figures is None:
        return None
    judged: dict[tuple[object, datetime | None], int] = {
        (r.event.payload.get("check"), r.event.occurred_at): r.version for r in events
              if r.event.type in (ev.CheckPassed.TYPE, ev.RegressionDetected.TYPE)}
    return {**figures.model_dump(exclude={"periods"}), "periods": [
        {**period.model_dump(),
         "judged_by_version": judged.get((period.check, period.judged_at))}
        for period in figures.periods]}


def _of_type(
    events: Sequence[RecordedEvent], kind: type[ev.Payload]
) -> Iterator[tuple[RecordedEvent, dict[str, Any]]]:
    """Events of one type, each with its payload as recorded: what the state keeps only the
    last of (send-backs, regressions, response plans) stays in the record this way."""
    return ((r, r.event.payload) for r in events if r.event.type == kind.TYPE)


def _commitments(found: Sequence[Commitment], now: datetime) -> Commitments:
    items: list[CommitmentRow] = [
        {"kind": c.kind, "subject": c.subject, "person": c.person, "due_at": c.due_at,
         "delivered_at": c.delivered_at, "verdict": _verdict(c, now),
         "settled": c.settled or None} for c in found]
    tally = {verdict: sum(1 for item in items if item["verdict"] == verdict)
             for verdict in ("on time", "late", "overdue", "open", "settled")}
    return {"tally": tally, "items": items}


def _verdict(commitment: Commitment, now: datetime) -> str:
    on_time = commitment.on_time()
    if on_time is None and commitment.settled:
        return "settled"
    if on_time is None:
        return "overdue" if commitment.overdue(now) else "open"
    return "on time" if on_time else "late"


def verification(verified: VerifiedStream) -> Verification:
    audit = verified.audit
    head, witness, broken = audit.head_row, audit.witness, audit.first_break
    return {
        "intact": audit.ok,
        "events_checked": audit.events,
        "head_hash": audit.chain.computed_head,
        "head_row": None if head is None else {"version": head.version, "hash": head.head_hash},
        "workflow": None if witness is None else {
            "source": witness.source, "version": witness.version, "hash": witness.head_hash},
        "workflow_note": audit.witness_note,
        "first_break": None if broken is None else {"version": broken.version,
                                                     "reason": broken.reason},
        "notes": list(audit.notes),
    }
