"""What the owner signs when accepting accountability: the statement and the steps taken over."""

from __future__ import annotations

from domain import events as ev
from domain.durations import format_duration
from domain.spec import InitiativeSpec
from domain.state import InitiativeState


def default_statement(spec: InitiativeSpec, owner: str) -> str:
    metric = spec.metric
    unit = f" {metric.unit}" if metric.unit else ""
    sustainment = spec.sustainment
    offsets = ", ".join(format_duration(offset) for offset in sustainment.checks)
    return (f"I, {owner}, accept accountability for {spec.name}: {metric.name} held at "
            f"{metric.target:g}{unit} (baseline {metric.baseline:g}{unit}), keeping at least "
            f"{sustainment.tolerance:.0%} of the gain, as judged by sustainment checks "
            f"{offsets} after the PMO approves this handoff.")


def statement_for(spec: InitiativeSpec, owner: str) -> str:
    return spec.handoff_statement or default_statement(spec, owner)


def signed_statement(state: InitiativeState) -> str | None:
    """What the current owner signed, while that acceptance stands (a send-back, a reopening
    or a new owner asks for a signature again)."""
    accepted = state.accepted_at is not None and not state.owner_unaccepted
    return state.accepted_statement or None if accepted else None


def statement_to_sign(state: InitiativeState) -> str | None:
    """What the current owner would sign on accepting now; None once they signed."""
    if state.spec is None or signed_statement(state) is not None:
        return None
    return statement_for(state.spec, state.owner)


def acceptance(state: InitiativeState, owner: str) -> ev.OwnershipAccepted:
    spec = state.require_spec()
    return ev.OwnershipAccepted(
        statement=statement_for(spec, owner),
        steps=[ev.AcceptedStep(step_id=s.id, title=s.title, completed_by=s.completed_by,
                               completed_at=s.completed_at, evidence=s.evidence)
               for s in state.steps])
