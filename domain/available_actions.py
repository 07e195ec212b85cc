"""Which commands a person could send an initiative now: the forms a page offers them.

The answer comes from `decide` itself, asked with a stand-in for each command's free-form
arguments (a value, a reason), so it can never disagree with what would be refused: a command is
offered exactly when its role and phase rules let this actor send it in this state. Each stand-in
is an argument a person could send as it is (the spec's own response time, a value other than the
one to correct), so no bound of the rules refuses the stand-in where a person's input would pass.
Arguments a person still has to choose well (a reason long enough, a sensible value) are judged
again when the real command arrives.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from domain import commands as cmd
from domain.decide import decide
from domain.errors import Rejected
from domain.pull_rules import duplicate_targets
from domain.state import InitiativeState

# A stand-in for what a person types; `decide` judges who may act and when, not this.
_REASON = "-"


@dataclass(frozen=True)
class Offer:
    """One command this actor may send now; `subject` is the step, idea or person it concerns.
    `choices` are the values `decide` accepts where a person picks one from a list (the ideas a
    triaged idea may duplicate): judged by the same rule, not by trying each."""

    kind: str
    subject: str | None = None
    choices: tuple[str, ...] = ()


def _absent(name: str, taken: Collection[str]) -> str:
    """`name`, or a numbered variant of it, that is none of `taken`: a stand-in for a person
    the actor will type, who must not already hold the place."""
    found, n = name, 1
    while found in taken:
        n += 1
        found = f"{name}-{n}"
    return found


def _correction(state: InitiativeState) -> float:
    """A plausible value other than the latest reading's, which a correction must change."""
    metric = state.require_spec().metric
    latest = state.readings[-1].value if state.readings else None
    return metric.target if latest != metric.target else metric.baseline


def _candidates(state: InitiativeState, actor: str) -> Iterator[tuple[Offer, cmd.HumanCommand]]:
    if state.spec is None:
        return
    value = state.spec.metric.target
    yield Offer("approve_launch"), cmd.ApproveLaunch(actor=actor)
    yield Offer("reject_launch"), cmd.RejectLaunch(actor=actor, reason=_REASON)
    yield Offer("deliver"), cmd.DeliverImprovement(actor=actor, value=value)
    for step in state.steps:
        yield Offer("complete_step", step.id), cmd.CompleteStep(actor=actor, step_id=step.id)
    yield Offer("accept"), cmd.AcceptOwnership(actor=actor)
    yield Offer("approve_review"), cmd.ApproveReview(actor=actor)
    yield Offer("send_back"), cmd.SendBack(actor=actor, reason=_REASON)
    yield Offer("reading"), cmd.RecordReading(actor=actor, value=value)
    yield Offer("correct_reading"), cmd.CorrectReading(actor=actor, value=_correction(state),
                                                       reason=_REASON)
    yield Offer("respond"), cmd.SubmitResponsePlan(
        actor=actor, action=_REASON, within=state.spec.sustainment.response_within)
    yield Offer("submit_idea"), cmd.SubmitIdea(actor=actor, text=_REASON)
    for idea in state.ideas:
        yield Offer("support_idea", idea.id), cmd.SupportIdea(actor=actor, idea_id=idea.id)
        # Adopting needs no reason, so it stands for the triage as a whole (decline too).
        targets = tuple(other.id for other in duplicate_targets(state, idea))
        yield (Offer("triage_idea", idea.id, targets),
               cmd.TriageIdea(actor=actor, idea_id=idea.id, adopt=True))
        yield (Offer("idea_delivered", idea.id),
               cmd.MarkIdeaDelivered(actor=actor, idea_id=idea.id))
    members = state.front_line or ()
    yield (Offer("front_line_add"),
           cmd.AddFrontLine(actor=actor, person=_absent("newcomer", members)))
    for person in members:
        yield Offer("front_line_remove", person), cmd.RemoveFrontLine(actor=actor, person=person)
    # Any name other than the current owner's stands for the one the PMO will type.
    successor = _absent("successor", (state.owner,))
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
