"""Which commands a person could send an initiative now: the forms a page offers them.

The answer comes from `decide` itself, asked with a stand-in for each command's free-form
arguments (a value, a reason), so it can never disagree with what would be refused: a command is
offered exactly when its role and phase rules let this actor send it in this state. Arguments a
person still has to choose well (a reason long enough, a sensible value) are judged again when the
real command arrives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import commands as cmd
from domain.decide import decide
from domain.errors import Rejected
from domain.state import InitiativeState

# Stand-ins for what a person types; `decide` judges who may act and when, not these.
_REASON = "-"
_WITHIN = timedelta(days=1)


@dataclass(frozen=True)
class Offer:
    """One command this actor may send now; `subject` is the step or idea it concerns."""

    kind: str
    subject: str | None = None


def _candidates(state: InitiativeState, actor: str) -> Iterator[tuple[Offer, cmd.HumanCommand]]:
    value = state.spec.metric.target if state.spec is not None else 0.0
    yield Offer("approve_launch"), cmd.ApproveLaunch(actor=actor)
    yield Offer("reject_launch"), cmd.RejectLaunch(actor=actor, reason=_REASON)
    yield Offer("deliver"), cmd.DeliverImprovement(actor=actor, value=value)
    for step in state.steps:
        yield Offer("complete_step", step.id), cmd.CompleteStep(actor=actor, step_id=step.id)
    yield Offer("accept"), cmd.AcceptOwnership(actor=actor)
    yield Offer("approve_review"), cmd.ApproveReview(actor=actor)
    yield Offer("send_back"), cmd.SendBack(actor=actor, reason=_REASON)
    yield Offer("reading"), cmd.RecordReading(actor=actor, value=value)
    yield Offer("respond"), cmd.SubmitResponsePlan(actor=actor, action=_REASON, within=_WITHIN)
    yield Offer("submit_idea"), cmd.SubmitIdea(actor=actor, text=_REASON)
    for idea in state.ideas:
        # Adopting needs no reason, so it stands for the triage as a whole (decline too).
        yield (Offer("triage_idea", idea.id),
               cmd.TriageIdea(actor=actor, idea_id=idea.id, adopt=True))
        yield (Offer("idea_delivered", idea.id),
               cmd.MarkIdeaDelivered(actor=actor, idea_id=idea.id))
    # Any name other than the current owner's stands for the one the PMO will type.
    successor = "successor" if state.owner != "successor" else "successor-2"
    yield Offer("reassign"), cmd.ReassignOwner(actor=actor, owner=successor)
    yield Offer("reopen"), cmd.Reopen(actor=actor, reason=_REASON)
    yield Offer("cancel"), cmd.Cancel(actor=actor, reason=_REASON)


def available_actions(state: InitiativeState, actor: str, now: datetime) -> list[Offer]:
    """The commands `actor` could send at `now`, in the order a page lists them."""
    offers: list[Offer] = []
    for offer, command in _candidates(state, actor):
        try:
            decide(state, command, now)
        except Rejected:
            continue
        offers.append(offer)
    return offers
