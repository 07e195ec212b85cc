"""The actions people send to an initiative, described once for every door.

Each entry names the action (as the CLI spells its command), the pydantic model of its arguments
(fields named as the CLI's options), and how those arguments become the domain command for an
actor. `command_for` is the only way in: it validates the arguments, builds the command, and
answers bad input with `InvalidArgument` naming the argument, never the command's field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from app.errors import InvalidArgument, Rejected, RejectionKind
from domain import commands as c
from domain.spec import plain_words


class Arguments(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NoArguments(Arguments):
    pass


class ReasonArguments(Arguments):
    reason: str


class ValueArguments(Arguments):
    value: float


class CorrectionArguments(Arguments):
    value: float
    reason: str


class CompleteArguments(Arguments):
    step: str
    evidence: str = ""


class ReviewArguments(Arguments):
    approve: bool = False
    send_back: str | None = None
    reopen: list[str] = []


class RespondArguments(Arguments):
    plan: str
    within: str  # a duration, e.g. 10d or 12h


class IdeaArguments(Arguments):
    text: str


class TriageArguments(Arguments):
    idea: str
    adopt: bool = False
    decline: str | None = None
    duplicate_of: str | None = None  # it repeats that idea, which takes over its supporters
    reason: str = ""


class IdeaRefArguments(Arguments):
    idea: str


class OwnerArguments(Arguments):
    owner: str


class FrontLineArguments(Arguments):
    change: Literal["add", "remove"]
    person: str


A = TypeVar("A", bound=Arguments)


@dataclass(frozen=True)
class Action(Generic[A]):
    name: str
    arguments: type[A]
    build: Callable[[A, str], c.HumanCommand]  # (arguments, actor) -> a domain command
    # The command's field -> the argument it comes from, where the names differ.
    fields: Mapping[str, str] = field(default_factory=dict)


def _review(a: ReviewArguments, actor: str) -> c.ApproveReview | c.SendBack:
    if a.send_back is None:
        if a.reopen:
            raise InvalidArgument("reopen", "only with a send-back (approving reopens nothing)")
        if not a.approve:
            raise InvalidArgument("approve", "either approve or send_back is needed")
        return c.ApproveReview(actor=actor)
    if a.approve:
        raise InvalidArgument("approve", "not together with send_back")
    return c.SendBack(actor=actor, reason=a.send_back, reopen=a.reopen)


def _triage(a: TriageArguments, actor: str) -> c.TriageIdea:
    verdicts = [name for name, given in (("adopt", a.adopt), ("decline", a.decline is not None),
                                         ("duplicate_of", a.duplicate_of is not None)) if given]
    if len(verdicts) != 1:
        raise InvalidArgument(verdicts[1] if verdicts else "adopt",
                              "one of adopt, decline or duplicate_of is needed, and only one")
    if a.duplicate_of is not None:
        return c.TriageIdea(actor=actor, idea_id=a.idea, adopt=False,
                            duplicate_of=a.duplicate_of)
    if a.decline is not None:
        return c.TriageIdea(actor=actor, idea_id=a.idea, adopt=False, reason=a.decline)
    return c.TriageIdea(actor=actor, idea_id=a.idea, adopt=True, reason=a.reason)


def _front_line(a: FrontLineArguments, actor: str) -> c.AddFrontLine | c.RemoveFrontLine:
    change = c.AddFrontLine if a.change == "add" else c.RemoveFrontLine
    return change(actor=actor, person=a.person)


_ACTIONS: tuple[Action[Any], ...] = (
    Action("approve-launch", NoArguments, lambda a, actor: c.ApproveLaunch(actor=actor)),
    Action("reject-launch", ReasonArguments,
           lambda a, actor: c.RejectLaunch(actor=actor, reason=a.reason)),
    Action("deliver", ValueArguments,
           lambda a, actor: c.DeliverImprovement(actor=actor, value=a.value)),
    Action("complete", CompleteArguments,
           lambda a, actor: c.CompleteStep(actor=actor, step_id=a.step, evidence=a.evidence),
           {"step_id": "step"}),
    Action("accept", NoArguments, lambda a, actor: c.AcceptOwnership(actor=actor)),
    Action("review", ReviewArguments, _review, {"reason": "send_back"}),
    Action("reading", ValueArguments,
           lambda a, actor: c.RecordReading(actor=actor, value=a.value)),
    Action("correct-reading", CorrectionArguments,
           lambda a, actor: c.CorrectReading(actor=actor, value=a.value, reason=a.reason)),
    Action("respond", RespondArguments,
           lambda a, actor: c.SubmitResponsePlan(actor=actor, action=a.plan, within=a.within),
           {"action": "plan"}),
    Action("idea", IdeaArguments, lambda a, actor: c.SubmitIdea(actor=actor, text=a.text)),
    Action("triage", TriageArguments, _triage, {"idea_id": "idea"}),
    Action("support", IdeaRefArguments,
           lambda a, actor: c.SupportIdea(actor=actor, idea_id=a.idea), {"idea_id": "idea"}),
    Action("front-line", FrontLineArguments, _front_line),
    Action("idea-delivered", IdeaRefArguments,
           lambda a, actor: c.MarkIdeaDelivered(actor=actor, idea_id=a.idea),
           {"idea_id": "idea"}),
    Action("reassign", OwnerArguments,
           lambda a, actor: c.ReassignOwner(actor=actor, owner=a.owner)),
    Action("cancel", ReasonArguments, lambda a, actor: c.Cancel(actor=actor, reason=a.reason)),
    Action("reopen", ReasonArguments, lambda a, actor: c.Reopen(actor=actor, reason=a.reason)),
)

ACTIONS: Mapping[str, Action[Any]] = {action.name: action for action in _ACTIONS}


def action_named(name: str) -> Action[Any]:
    try:
        return ACTIONS[name]
    except KeyError:
        raise Rejected(f"unknown action {name!r} (one of: {', '.join(ACTIONS)})",
                       RejectionKind.NOT_FOUND) from None


def number_arguments(name: str) -> frozenset[str]:
    """The arguments of action `name` that are numbers: a door reads them as its people write
    numbers."""
    fields = action_named(name).arguments.model_fields
    return frozenset(field for field, info in fields.items() if info.annotation is float)


def command_for(name: str, arguments: Mapping[str, object] | Arguments,
                actor: str) -> c.HumanCommand:
    """The domain command that action `name` with these arguments is, sent by `actor`."""
    action = action_named(name)
    if not isinstance(arguments, action.arguments):
        try:
            arguments = action.arguments.model_validate(
                arguments.model_dump() if isinstance(arguments, Arguments) else arguments)
        except ValidationError as error:
            raise _invalid(error, {}, action) from None
    try:
        return action.build(arguments, actor)
    except ValidationError as error:
        raise _invalid(error, action.fields, action) from None


def _invalid(error: ValidationError, fields: Mapping[str, str],
             action: Action[Any]) -> InvalidArgument:
    """The first problem, in words: `text: is 4100 characters long; at most 4000 are allowed`.
    An argument the action does not take comes first: a misspelt name (`val` for `value`)
    must be named, not hidden behind the argument it left missing."""
    problems = sorted(error.errors(), key=lambda p: p["type"] != "extra_forbidden")
    problem = problems[0]
    name = str(problem["loc"][0]) if problem["loc"] else ""
    if problem["type"] == "extra_forbidden":
        known = ", ".join(action.arguments.model_fields) or "no arguments"
        return InvalidArgument(name, f"is not a known field ({action.name} takes {known})")
    return InvalidArgument(fields.get(name, name), plain_words(problem))
