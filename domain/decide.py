"""decide(state, command, now) -> events, or `Rejected` with the one line a person needs.

Pure: the same state, command and time always give the same events (with the same ids), which is
what lets a workflow replay, and a retried append stay idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain import commands as cmd
from domain import events as ev
from domain import pull_rules
from domain.acceptance import acceptance
from domain.deadlines import due_deadlines
from domain.durations import format_duration
from domain.envelope import Event
from domain.errors import Rejected, RejectionKind
from domain.plausibility import require_finite_figures, require_improvement, require_plausible
from domain.pull_decide import PullCommand, pull_payloads
from domain.pull_rules import PullSlice
from domain.roles import require_open, require_phase, require_role
from domain.spec import Role
from domain.state import (
    InitiativeState,
    Phase,
    StepState,
    StepStatus,
)
from domain.sustainment_rules import (
    decide_correction,
    decide_reading,
    escalation_closes,
    open_check,
)

Payloads = list[ev.Payload]

def _step(state: InitiativeState, step_id: str) -> StepState:
    step = state.step(step_id)
    if step is None:
        known = ", ".join(s.id for s in state.steps)
        raise Rejected(f"unknown step {step_id!r}; the steps are: {known}",
                       RejectionKind.NOT_FOUND)
    return step


def _launch(s: InitiativeState, c: cmd.Launch, now: datetime) -> Payloads:
    if s.phase is not Phase.NEW:
        raise Rejected(f"initiative {s.initiative_id} has already been launched")
    if c.actor != c.spec.pmo:
        raise Rejected(f"{c.actor} cannot launch: only the PMO named in the spec "
                       f"({c.spec.pmo}) can", RejectionKind.FORBIDDEN)
    pull_rules.front_line_apart(c.spec)
    return [ev.InitiativeLaunched(spec=c.spec)]


def _launch_gate(s: InitiativeState, c: cmd.ApproveLaunch | cmd.RejectLaunch,
                 now: datetime) -> Payloads:
    approve = isinstance(c, cmd.ApproveLaunch)
    action = "approve the launch" if approve else "reject the launch"
    require_role(s, c.actor, Role.SPONSOR, action)
    require_phase(s, [Phase.PROPOSED], action)
    if isinstance(c, cmd.RejectLaunch):
        return [ev.LaunchRejected(reason=c.reason)]
    return [ev.LaunchApproved()]


def _deliver(s: InitiativeState, c: cmd.DeliverImprovement, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.EXPERT, "deliver the improvement")
    require_phase(s, [Phase.IMPROVING], "deliver the improvement")
    require_plausible(s.require_spec().metric, c.value, "the delivered value")
    require_improvement(s.require_spec().metric, c.value)
    return [ev.ImprovementDelivered(value=c.value)]


def _complete(s: InitiativeState, c: cmd.CompleteStep, now: datetime) -> Payloads:
    require_phase(s, [Phase.HANDING_OFF], "complete a handoff step")
    step = _step(s, c.step_id)
    require_role(s, c.actor, step.assignee, f"complete step {step.id!r}")
    if step.status is StepStatus.DONE:
        raise Rejected(f"step {step.id!r} is already done")
    return [ev.StepCompleted(step_id=step.id, evidence=c.evidence)]


def _accept(s: InitiativeState, c: cmd.AcceptOwnership, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.OWNER, "accept ownership")
    # An owner who took over during the review accepts in it.
    phases = [Phase.HANDING_OFF, Phase.IN_REVIEW] if s.owner_unaccepted else [Phase.HANDING_OFF]
    require_phase(s, phases, "accept ownership")
    open_steps = [st.id for st in s.steps if st.status is not StepStatus.DONE]
    if open_steps:
        raise Rejected(f"cannot accept ownership while steps are open: {', '.join(open_steps)}")
    return [acceptance(s, c.actor)]


def _approve_review(s: InitiativeState, c: cmd.ApproveReview, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.PMO, "approve the ownership review")
    require_phase(s, [Phase.IN_REVIEW], "approve the ownership review")
    if s.owner_unaccepted:
        raise Rejected(f"cannot approve the ownership review: the new owner, {s.owner}, has "
                       "not accepted ownership yet")
    return [ev.ReviewApproved()]


def _send_back(s: InitiativeState, c: cmd.SendBack, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.PMO, "send the handoff back")
    require_phase(s, [Phase.IN_REVIEW], "send the handoff back")
    reopen = list(dict.fromkeys(c.reopen))
    for step_id in reopen:
        _step(s, step_id)
    return [ev.ReviewSentBack(reason=c.reason, reopened=reopen),
            *(ev.StepReopened(step_id=step_id) for step_id in reopen)]


def _reading(s: InitiativeState, c: cmd.RecordReading, now: datetime) -> Payloads:
    spec = s.require_spec()
    automatic = c.actor == cmd.SYSTEM_ACTOR and spec.metric.source is not None
    if not automatic:
        require_role(s, c.actor, Role.OWNER, "record a reading")
    require_phase(s, [Phase.SUSTAINING, Phase.REGRESSED], "record a reading")
    require_plausible(spec.metric, c.value, "the reading")
    return decide_reading(s, c.value, now)


def _correct(s: InitiativeState, c: cmd.CorrectReading, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.OWNER, "correct a reading")
    require_phase(s, [Phase.SUSTAINING, Phase.REGRESSED], "correct a reading")
    require_plausible(s.require_spec().metric, c.value, "the corrected reading")
    return decide_correction(s, c.value, c.reason)


def _respond(s: InitiativeState, c: cmd.SubmitResponsePlan, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.OWNER, "submit a response plan")
    require_phase(s, [Phase.REGRESSED], "submit a response plan")
    if s.response_plan is not None:
        raise Rejected(f"a response plan is already in place, due "
                       f"{s.response_plan.due_at.isoformat()}")
    bound = s.require_spec().sustainment.response_within
    if c.within > bound:
        raise Rejected(f"the gain must be back within the spec's response_within of "
                       f"{format_duration(bound)}; {format_duration(c.within)} is longer",
                       RejectionKind.INVALID)
    return [ev.ResponsePlanSubmitted(action=c.action, due_at=now + c.within)]


def _front_line(s: InitiativeState, c: cmd.AddFrontLine | cmd.RemoveFrontLine,
                now: datetime) -> Payloads:
    require_role(s, c.actor, Role.OWNER, "change the front line")
    return pull_rules.change_front_line(s, c.person, isinstance(c, cmd.AddFrontLine))


def _pull(s: InitiativeState, c: PullCommand, now: datetime) -> Payloads:
    """A front-line command on the ideas recorded with the initiative itself."""
    return pull_payloads(s, PullSlice.of_state(s, c.actor, now), c, now)


def _reassign(s: InitiativeState, c: cmd.ReassignOwner, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.PMO, "reassign the owner")
    if c.owner == s.owner:
        raise Rejected(f"{c.owner} is already the owner")
    if c.owner == s.require_spec().expert:
        raise Rejected(f"{c.owner} is the expert and cannot also be the owner: the handoff is "
                       "from the one to the other", RejectionKind.INVALID)
    if c.owner == c.actor:
        raise Rejected(f"{c.actor} cannot make themselves the owner: the PMO reviews the "
                       "owner's acceptance", RejectionKind.FORBIDDEN)
    if c.owner in (s.front_line or ()):
        raise Rejected(f"{c.owner} is on the front line, whose ideas the owner triages: remove "
                       "them from it first", RejectionKind.INVALID)
    return [ev.OwnerReassigned(previous=s.owner, owner=c.owner)]


def _cancel(s: InitiativeState, c: cmd.Cancel, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.PMO, "cancel the initiative")
    return [ev.Cancelled(reason=c.reason)]


def _reopen(s: InitiativeState, c: cmd.Reopen, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.SPONSOR, "reopen the initiative")
    require_phase(s, [Phase.REGRESSED], "reopen the initiative")
    escalated = s.response_escalated or (s.response_plan is not None and s.response_plan.escalated)
    if not escalated:
        raise Rejected("only an escalated regression can be reopened; the owner's response "
                       "is not yet overdue")
    return [ev.Reopened(reason=c.reason)]


def _flag_stuck(s: InitiativeState, c: cmd.FlagStuck, now: datetime) -> Payloads:
    if c.actor != cmd.SYSTEM_ACTOR:
        raise Rejected(f"{c.actor} cannot flag an initiative stuck: only the engine can",
                       RejectionKind.FORBIDDEN)
    return [ev.InitiativeStuck(reason=c.reason, command=c.command)]


def _timed(s: InitiativeState, c: cmd.TimedCommand, now: datetime) -> Payloads:
    if c.actor != cmd.SYSTEM_ACTOR:
        raise Rejected(f"{c.actor} cannot issue {c.kind}: only the engine's timers can",
                       RejectionKind.FORBIDDEN)
    if all(d.command != c for d in due_deadlines(s, now)):
        raise Rejected(f"nothing is due for {c.kind} at {now.isoformat()}")
    if isinstance(c, cmd.MarkStepOverdue):
        return [ev.StepOverdue(step_id=c.step_id)]
    if isinstance(c, cmd.OpenCheck):
        return open_check(s, c.check, now)
    if isinstance(c, cmd.EndExpertOnCall):
        return [ev.ExpertOnCallEnded()]
    if isinstance(c, cmd.RemindDueSoon):
        return [ev.DueSoon(subject=c.subject, due_at=c.due_at)]
    payloads: Payloads = [ev.Escalated(subject=c.subject, reason=c.reason,
                                       to=s.holder_of(Role.SPONSOR))]
    if escalation_closes(s, c.subject):
        payloads.append(ev.ClosedRegressed(reason=f"regression unanswered: {c.reason}"))
    return payloads


def _undelivered(s: InitiativeState, c: cmd.RecordUndelivered, now: datetime) -> Payloads:
    if c.actor != cmd.SYSTEM_ACTOR:
        raise Rejected(f"{c.actor} cannot record a delivery failure: only the engine can")
    return [ev.NotificationUndelivered(notification_id=c.notification_id, to=c.to,
                                       reason=c.reason)]


_HANDLERS: dict[type[Any], Callable[[InitiativeState, Any, datetime], Payloads]] = {
    cmd.ApproveLaunch: _launch_gate, cmd.RejectLaunch: _launch_gate,
    cmd.DeliverImprovement: _deliver, cmd.CompleteStep: _complete, cmd.AcceptOwnership: _accept,
    cmd.ApproveReview: _approve_review, cmd.SendBack: _send_back, cmd.RecordReading: _reading,
    cmd.SubmitResponsePlan: _respond, cmd.SubmitIdea: _pull, cmd.TriageIdea: _pull,
    cmd.MarkIdeaDelivered: _pull, cmd.ReassignOwner: _reassign, cmd.Cancel: _cancel,
    cmd.Reopen: _reopen, cmd.MarkStepOverdue: _timed, cmd.Escalate: _timed,
    cmd.OpenCheck: _timed, cmd.EndExpertOnCall: _timed, cmd.CorrectReading: _correct,
    cmd.FlagStuck: _flag_stuck, cmd.SupportIdea: _pull,
    cmd.AddFrontLine: _front_line, cmd.RemoveFrontLine: _front_line,
    cmd.RemindDueSoon: _timed, cmd.RecordUndelivered: _undelivered,
}


def decide(state: InitiativeState, command: cmd.AnyCommand, now: datetime) -> list[Event]:
    """The events that `command` records at `now`; raises Rejected and records nothing otherwise."""
    if isinstance(command, cmd.Launch):
        payloads = _launch(state, command, now)
    else:
        # A closed initiative's last messages may still be refused: that much is still recorded.
        require_open(state, allow_closed=isinstance(command, cmd.RecordUndelivered))
        payloads = _HANDLERS[type(command)](state, command, now)
    events = [
        ev.make_event(state.initiative_id, state.version + offset, payload, command.actor, now)
        for offset, payload in enumerate(payloads, start=1)
    ]
    require_finite_figures(events)
    return events
