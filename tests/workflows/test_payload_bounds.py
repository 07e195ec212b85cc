"""Every payload the initiative workflow sends or carries stays far below Temporal's 2 MB, by
construction: built here at the limit of every field and every bounded collection, not at a
size some test happened to reach. (No server: the sizes are those of the encoded models.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import InitiativeSpec
from domain import events as ev
from domain.bounds import (
    ESCALATIONS_KEPT,
    FRONT_LINE_LIMIT,
    READINGS_KEPT,
    REGRESSIONS_KEPT,
    REMINDERS_KEPT,
    ROUNDS_KEPT,
    STUCK_COMMAND_KEPT,
    UNDELIVERED_KEPT,
)
from domain.commands import MAX_EVIDENCE
from domain.envelope import Provenance
from domain.spec import MAX_NAME, MAX_TEXT
from domain.state import (
    CheckState,
    CheckStatus,
    Escalation,
    InitiativeState,
    Phase,
    Reading,
    RegressionRecord,
    ResponsePlan,
    StepState,
    StepStatus,
    Stuck,
    SustainmentRound,
    Undelivered,
)
from workflows.activity_contracts import TriageDue
from workflows.contracts import InitiativeInput, InitiativeView, PullLedger
from workflows.requests import REQUESTS_REMEMBERED, RememberedRequest

MB = 1024 * 1024
# Temporal refuses a payload over 2 MB. At the theoretical worst (every address 254 characters,
# every text at its limit in two-byte characters) the bound is three quarters of that; with
# addresses as people have them, half.
PAYLOAD_BOUND = 1.5 * MB
REALISTIC_BOUND = 1 * MB
AT = datetime(2030, 1, 1, tzinfo=UTC)
ACTOR_LIMIT = 254
REALISTIC_ACTOR = 40
STEPS = 100
CHECKS = 50
STUCK = 20  # a flag per command the store refused: a broken deployment, not a person's doing


WIDTH = {"actor": ACTOR_LIMIT}


def actor(n: int) -> str:
    return f"p{n}@".ljust(WIDTH["actor"], "x")


def text(limit: int = MAX_TEXT) -> str:
    return "é" * limit  # two bytes each in UTF-8: the worst case of a character limit


def largest_spec() -> InitiativeSpec:
    return InitiativeSpec.model_validate({
        "name": "n" * MAX_NAME, "sponsor": actor(1), "pmo": actor(2), "expert": actor(3),
        "owner": actor(4),
        "metric": {"name": "m" * MAX_NAME, "unit": "u" * 40, "baseline": 12, "target": 5,
                   "direction": "decrease", "source": {"url": "https://" + "h" * 1980 + "/",
                                                       "field": "f" * 200}},
        "handoff": [{"id": f"s{n}".ljust(64, "s"), "title": "t" * MAX_NAME, "assignee": "owner",
                     "due_in": "14d"} for n in range(STEPS)],
        "expert_on_call": "45d",
        "front_line": [actor(10 + n) for n in range(FRONT_LINE_LIMIT)],
        "sustainment": {"checks": [f"{n + 1}d" for n in range(CHECKS)], "tolerance": 0.8,
                        "response_within": "10d"},
        "benefit": {"per_unit": 40000, "currency": "EUR"},
        "handoff_statement": text(), "reminders": {"before": "1d"},
    })


def checks() -> tuple[CheckState, ...]:
    return tuple(CheckState(number=n + 1, due_at=AT, status=CheckStatus.REGRESSED,
                            reading=1e300, retention=-1e300, rules=("WE1", "WE2", "WE3", "WE4"),
                            judged_at=AT, escalated=True) for n in range(CHECKS))


def largest_state() -> InitiativeState:
    spec = largest_spec()
    return InitiativeState(
        initiative_id="i" * 80, version=2**31 - 1, phase=Phase.REGRESSED, spec=spec,
        owner=actor(5), launched_at=AT, updated_at=AT, delivered_at=AT, delivered_value=1e300,
        accepted_at=AT, approved_at=AT, send_backs=10**6,
        steps=tuple(StepState(id=s.id, title=s.title, assignee=s.assignee,
                              status=StepStatus.DONE, due_at=AT, completed_at=AT,
                              completed_by=actor(6), evidence=text(MAX_EVIDENCE),
                              reminded=True,
                              escalated=True) for s in spec.handoff),
        checks=checks(),
        readings=tuple(Reading(value=-1e300, at=AT, actor=actor(7), interim=True,
                               corrected_from=1e300) for _ in range(READINGS_KEPT)),
        regressed_at=AT, response_escalated=True,
        response_plan=ResponsePlan(action=text(), submitted_by=actor(8), submitted_at=AT,
                                   due_at=AT, escalated=True),
        regressions=tuple(RegressionRecord(
            regressed_at=AT, plan_due_at=AT, plan_submitted_at=AT, plan_submitted_by=actor(9),
            recovery_due_at=AT, recovered_at=AT, settled="reopened for improvement: " + text(300))
            for _ in range(REGRESSIONS_KEPT)),
        expert_on_call_until=AT,
        escalations=tuple(Escalation(subject=f"step:{'s' * 64}", reason="r" * 500, to=actor(1),
                                     at=AT) for _ in range(ESCALATIONS_KEPT)),
        closed_at=AT, close_reason=text(),
        stuck=tuple(Stuck(reason="r" * 1000, command="c" * STUCK_COMMAND_KEPT, at=AT)
                    for _ in range(STUCK)),
        owner_unaccepted=True, accepted_statement=text(),
        earlier_rounds=tuple(SustainmentRound(delivered_value=1e300, delivered_at=AT,
                                              checks=checks()) for _ in range(ROUNDS_KEPT)),
        front_line_now=tuple(actor(2000 + n) for n in range(FRONT_LINE_LIMIT)),
        reminders_sent=tuple(f"step:{'s' * 64}@{AT.isoformat()}" for _ in range(REMINDERS_KEPT)),
        undelivered=tuple(Undelivered(notification_id="n" * 120, to=actor(1), reason="r" * 500,
                                      at=AT) for _ in range(UNDELIVERED_KEPT)),
    )


def size(model: object) -> int:
    from pydantic import BaseModel

    assert isinstance(model, BaseModel)
    return len(model.model_dump_json().encode())


def largest_input() -> InitiativeInput:
    due = TriageDue(idea_id="idea-" + "9" * 58, due_at=AT, submitted_at=AT)
    return InitiativeInput(
        initiative_id="i" * 80, state=largest_state(), head_hash="f" * 64,
        requests=[RememberedRequest(key="req-" + "a" * 40, fingerprint="b" * 40,
                                    first_version=2**31 - 2, last_version=2**31 - 1, at=AT,
                                    stream_id="i" * 80 + ":pull")
                  for _ in range(REQUESTS_REMEMBERED)],
        pull=PullLedger(version=2**31 - 1, next_triage=due, next_reminder=due),
        history_limit=None)


def test_the_largest_carried_input_is_far_below_the_payload_limit() -> None:
    carried = size(largest_input())
    assert carried < PAYLOAD_BOUND, f"{carried / MB:.2f} MB"


def test_with_addresses_as_people_have_them_it_is_half_the_limit() -> None:
    WIDTH["actor"] = REALISTIC_ACTOR
    try:
        carried = size(largest_input())
    finally:
        WIDTH["actor"] = ACTOR_LIMIT
    assert carried < REALISTIC_BOUND, f"{carried / MB:.2f} MB"


def test_the_largest_view_is_far_below_the_payload_limit() -> None:
    view = InitiativeView(state=largest_state(), head_hash="f" * 64, deadlines=[],
                          run_id="r" * 36)
    assert size(view) < PAYLOAD_BOUND, f"{size(view) / MB:.2f} MB"


def test_the_largest_update_answer_is_far_below_the_payload_limit() -> None:
    """The most one command records: the owner's acceptance, every step's proof in it."""
    spec = largest_spec()
    accepted = ev.OwnershipAccepted(statement=text(), steps=[
        ev.AcceptedStep(step_id=s.id, title=s.title, completed_by=actor(6),
                        completed_at=AT, evidence=text(MAX_EVIDENCE)) for s in spec.handoff])
    events = [ev.make_event("i" * 80, 2**31 - 1, accepted, actor(5), AT).model_copy(
        update={"provenance": Provenance(method="oidc", issuer="i" * 512, subject="s" * 512)})]
    answer = sum(len(e.model_dump_json().encode()) for e in events)
    assert answer < PAYLOAD_BOUND, f"{answer / MB:.2f} MB"
    assert size(ev.InitiativeLaunched(spec=spec)) < PAYLOAD_BOUND


def test_a_long_life_stays_within_the_bounds() -> None:
    """The fold keeps the latest of each growing record, however many there were."""
    from domain.bounds import kept

    readings = tuple(range(READINGS_KEPT * 3))
    assert kept(readings, READINGS_KEPT) == readings[-READINGS_KEPT:]
    assert timedelta(days=7) * 520 < timedelta(days=365 * 11)  # ten years of weekly readings
