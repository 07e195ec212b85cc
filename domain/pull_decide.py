"""The front line's commands (pull): who may send them is the initiative's to say, what they
change is the idea's.

The same rules decide whether the ideas are on the initiative's own state (those recorded before
pull had a stream of its own, `domain.decide`) or on the pull stream (`decide_pull`, which needs
only the `PullSlice` a command names: never every idea).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from domain import commands as cmd
from domain import events as ev
from domain import pull_rules
from domain.deadlines import reminder_at, untriaged
from domain.envelope import Event
from domain.errors import Rejected, RejectionKind
from domain.pull_ideas import IDEA_SUBJECT
from domain.pull_rules import PullSlice
from domain.pull_stream import pull_stream_id
from domain.roles import require_open, require_role
from domain.spec import Role
from domain.state import IdeaState, IdeaStatus, InitiativeState

PullCommand = cmd.SubmitIdea | cmd.TriageIdea | cmd.SupportIdea | cmd.MarkIdeaDelivered
PULL_COMMANDS = (cmd.SubmitIdea, cmd.TriageIdea, cmd.SupportIdea, cmd.MarkIdeaDelivered)
Payloads = list[ev.Payload]


def named_ideas(command: PullCommand) -> tuple[str, ...]:
    """The ideas a command is about: what its `PullSlice` must hold."""
    if isinstance(command, cmd.TriageIdea) and command.duplicate_of is not None:
        return command.idea_id, command.duplicate_of
    return () if isinstance(command, cmd.SubmitIdea) else (command.idea_id,)


def idea_id_for(number: int) -> str:
    """Ideas are numbered in the order they were submitted, from 1."""
    return f"idea-{number}"


def ideas_created(events: Sequence[Event]) -> int:
    """How many ideas `events` add to a pull stream."""
    return sum(e.type in (ev.IdeaSubmitted.TYPE, ev.IdeaCarriedOver.TYPE) for e in events)


def check_ideas_known(command: PullCommand, ideas: int) -> None:
    """Refuse a command naming an idea that is not among the `ideas` a stream holds: they are
    idea-1 to idea-<ideas>, so this needs no reading of them."""
    for idea_id in named_ideas(command):
        number = idea_id.removeprefix("idea-")
        if not (len(number) <= 12 and number.isascii() and number.isdecimal()
                and idea_id_for(int(number)) == idea_id and 1 <= int(number) <= ideas):
            raise Rejected(f"unknown idea {idea_id!r}", RejectionKind.NOT_FOUND)


def _idea(pull: PullSlice, idea_id: str) -> IdeaState:
    idea = pull.idea(idea_id)
    if idea is None:
        raise Rejected(f"unknown idea {idea_id!r}", RejectionKind.NOT_FOUND)
    return idea


def _submit(s: InitiativeState, pull: PullSlice, c: cmd.SubmitIdea, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.FRONT_LINE, "submit an idea")
    pull_rules.within_daily_ideas(pull, c.actor)
    return [ev.IdeaSubmitted(idea_id=idea_id_for(pull.submitted + 1), text=c.text,
                             triage_due_at=now + s.require_spec().ideas.triage_within)]


def _triage(s: InitiativeState, pull: PullSlice, c: cmd.TriageIdea, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.OWNER, "triage ideas")
    idea = _idea(pull, c.idea_id)
    if idea.submitted_by == c.actor:
        # Possible only for an idea submitted before its submitter became the owner.
        raise Rejected(f"{c.actor} submitted idea {idea.id} and cannot triage it; the PMO can "
                       "reassign the triage by reassigning the owner", RejectionKind.FORBIDDEN)
    if idea.status is not IdeaStatus.PENDING:
        raise Rejected(f"idea {idea.id} has already been {idea.status.value}")
    if c.duplicate_of is not None:
        return pull_rules.mark_duplicate(pull, idea, c.duplicate_of, c.adopt)
    if c.adopt:
        return [ev.IdeaAdopted(idea_id=idea.id, reason=c.reason)]
    if not c.reason:
        raise Rejected(f"declining idea {idea.id} needs a reason", RejectionKind.INVALID)
    return [ev.IdeaDeclined(idea_id=idea.id, reason=c.reason)]


def _support(s: InitiativeState, pull: PullSlice, c: cmd.SupportIdea, now: datetime) -> Payloads:
    require_role(s, c.actor, Role.FRONT_LINE, "support an idea")
    return pull_rules.support(_idea(pull, c.idea_id), c.actor)


def _delivered(s: InitiativeState, pull: PullSlice, c: cmd.MarkIdeaDelivered,
               now: datetime) -> Payloads:
    require_role(s, c.actor, Role.OWNER, "mark an idea delivered")
    idea = _idea(pull, c.idea_id)
    if idea.status is not IdeaStatus.ADOPTED:
        raise Rejected(f"idea {idea.id} is {idea.status.value}; only adopted ideas are delivered")
    return [ev.IdeaDelivered(idea_id=idea.id)]


_HANDLERS: dict[type[Any], Callable[[InitiativeState, PullSlice, Any, datetime], Payloads]] = {
    cmd.SubmitIdea: _submit, cmd.TriageIdea: _triage, cmd.SupportIdea: _support,
    cmd.MarkIdeaDelivered: _delivered,
}


def pull_payloads(state: InitiativeState, pull: PullSlice, command: PullCommand,
                  now: datetime) -> Payloads:
    """What a front-line command records, judged on the initiative and the ideas it names."""
    return _HANDLERS[type(command)](state, pull, command, now)


def check_pull_command(state: InitiativeState, command: PullCommand) -> None:
    """What can be judged without reading an idea: the initiative is open and the sender holds
    the role. A workflow's update validator refuses with this before anything is recorded."""
    require_open(state)
    role, action = _ROLE_OF[type(command)]
    require_role(state, command.actor, role, action)


_ROLE_OF: dict[type[Any], tuple[Role, str]] = {
    cmd.SubmitIdea: (Role.FRONT_LINE, "submit an idea"),
    cmd.SupportIdea: (Role.FRONT_LINE, "support an idea"),
    cmd.TriageIdea: (Role.OWNER, "triage ideas"),
    cmd.MarkIdeaDelivered: (Role.OWNER, "mark an idea delivered"),
}


def _pull_events(state: InitiativeState, version: int, payloads: Payloads, actor: str,
                 now: datetime) -> list[Event]:
    stream = pull_stream_id(state.initiative_id)
    return [ev.make_event(stream, version + offset, payload, actor, now)
            for offset, payload in enumerate(payloads, start=1)]


def decide_pull(state: InitiativeState, pull: PullSlice, command: PullCommand,
                now: datetime) -> list[Event]:
    """The events a front-line command records on the pull stream, or Rejected."""
    check_pull_command(state, command)
    return _pull_events(state, pull.version, pull_payloads(state, pull, command, now),
                        command.actor, now)


def escalate_triage(state: InitiativeState, pull: PullSlice, idea_id: str,
                    now: datetime) -> list[Event]:
    """The sponsor hears of an idea left untriaged past its due date; Rejected when the idea
    was answered, or escalated, meanwhile."""
    require_open(state)
    idea = _idea(pull, idea_id)
    if idea.status is not IdeaStatus.PENDING or idea.escalated or idea.triage_due_at > now:
        raise Rejected(f"nothing is due for idea {idea_id} at {now.isoformat()}")
    payload = ev.Escalated(subject=f"{IDEA_SUBJECT}{idea.id}",
                           reason=untriaged(idea.id, idea.submitted_at),
                           to=state.holder_of(Role.SPONSOR))
    return _pull_events(state, pull.version, [payload], cmd.SYSTEM_ACTOR, now)


def remind_triage(state: InitiativeState, pull: PullSlice, idea_id: str,
                  now: datetime) -> list[Event]:
    """The owner hears that an idea's triage falls due soon; Rejected when it was answered,
    reminded or escalated meanwhile, or it is not yet time."""
    require_open(state)
    idea = _idea(pull, idea_id)
    at = reminder_at(state.require_spec(), idea.submitted_at, idea.triage_due_at)
    if (idea.status is not IdeaStatus.PENDING or idea.escalated or idea.reminded or at is None
            or at > now):
        raise Rejected(f"no reminder is due for idea {idea_id} at {now.isoformat()}")
    payload = ev.DueSoon(subject=f"{IDEA_SUBJECT}{idea.id}", due_at=idea.triage_due_at)
    return _pull_events(state, pull.version, [payload], cmd.SYSTEM_ACTOR, now)


def carry_over(state: InitiativeState, ideas: Sequence[IdeaState], version: int,
               now: datetime) -> list[Event]:
    """Ideas recorded with the initiative, copied as they stand to the pull stream (from
    `version` on), which holds every idea from then on."""
    return _pull_events(state, version, [ev.IdeaCarriedOver(idea=idea) for idea in ideas],
                        cmd.SYSTEM_ACTOR, now)


def separate_pull(state: InitiativeState, carried: int, now: datetime) -> list[Event]:
    """The initiative's own record that its ideas now live on the pull stream."""
    return [ev.make_event(state.initiative_id, state.version + 1, ev.PullSeparated(ideas=carried),
                          cmd.SYSTEM_ACTOR, now)]
