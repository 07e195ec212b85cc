"""The commands people send to an initiative: one declaration per command, one way to run them.

Each declaration says which arguments the command takes and how they become a domain command;
`run_action` does the rest the same way for all of them: validate, send to the workflow (which
judges it against the rules), and report what was recorded.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from cli.args import BatonParser, CommandTable, add_initiative_id, duration, finite_number
from cli.errors import ExitCode, bad_input
from cli.session import Session

if TYPE_CHECKING:
    from pydantic import ValidationError



@dataclass(frozen=True)
class Action:
    name: str
    group: str
    summary: str
    usage_hint: str
    build: Callable[[Any, argparse.Namespace, str], Any]  # (domain.commands, args, actor)
    arguments: Callable[[BatonParser], object] = lambda parser: None
    # Command field -> the argument a person typed, so validation errors name the argument.
    fields: Mapping[str, str] = field(default_factory=dict)


def _reason(parser: BatonParser, help: str = "why, in a sentence") -> None:
    parser.add_argument("--reason", required=True, metavar="TEXT", help=help)


def _complete_arguments(parser: BatonParser) -> None:
    parser.add_argument("step_id", metavar="STEP", help="the step's id in the spec")
    parser.add_argument("--evidence", default="", metavar="TEXT",
                        help="where the proof is (a link, a document)")


def _respond_arguments(parser: BatonParser) -> None:
    parser.add_argument("--plan", required=True, metavar="TEXT", help="what will be done, by whom")
    parser.add_argument("--within", required=True, type=duration, metavar="DURATION",
                        help="when the gain is back, e.g. 10d or 12h")


def _review(c: Any, a: argparse.Namespace, actor: str) -> Any:
    if a.send_back is None:
        if a.reopen:
            raise bad_input("--reopen goes with --send-back: only a send-back reopens steps")
        return c.ApproveReview(actor=actor)
    return c.SendBack(actor=actor, reason=a.send_back, reopen=a.reopen)


def _review_arguments(parser: BatonParser) -> None:
    verdict = parser.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true", help="the handoff is complete")
    verdict.add_argument("--send-back", metavar="TEXT", help="what is missing; back to handoff")
    parser.add_argument("--reopen", metavar="STEP", action="append", default=[],
                        help="a step to do again (repeatable; with --send-back)")


def _triage_arguments(parser: BatonParser) -> None:
    parser.add_argument("idea_id", metavar="IDEA", help="the idea, e.g. idea-1")
    verdict = parser.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--adopt", action="store_true", help="take the idea on")
    verdict.add_argument("--decline", metavar="TEXT", help="decline it, saying why")
    verdict.add_argument("--duplicate-of", metavar="IDEA",
                         help="it repeats that idea, which takes over its supporters")
    parser.add_argument("--reason", metavar="TEXT", default="", help="why it is adopted")


def _triage(c: Any, a: argparse.Namespace, actor: str) -> Any:
    if a.duplicate_of is not None:
        return c.TriageIdea(actor=actor, idea_id=a.idea_id, adopt=False,
                            duplicate_of=a.duplicate_of)
    if a.decline is not None:
        return c.TriageIdea(actor=actor, idea_id=a.idea_id, adopt=False, reason=a.decline)
    return c.TriageIdea(actor=actor, idea_id=a.idea_id, adopt=True, reason=a.reason)


def _front_line_arguments(parser: BatonParser) -> None:
    parser.add_argument("change", choices=["add", "remove"], help="add or remove")
    parser.add_argument("person", metavar="PERSON", help="their actor id")


def _front_line(c: Any, a: argparse.Namespace, actor: str) -> Any:
    change = c.AddFrontLine if a.change == "add" else c.RemoveFrontLine
    return change(actor=actor, person=a.person)


ACTIONS: tuple[Action, ...] = (
    Action("approve-launch", "Launch gate", "sponsor: approve the launch", "ID",
           lambda c, a, actor: c.ApproveLaunch(actor=actor)),
    Action("reject-launch", "Launch gate", "sponsor: reject the launch", "ID --reason TEXT",
           lambda c, a, actor: c.RejectLaunch(actor=actor, reason=a.reason),
           _reason, {"reason": "--reason"}),
    Action("deliver", "Handoff", "expert: the improvement is delivered, at this reading",
           "ID --value V",
           lambda c, a, actor: c.DeliverImprovement(actor=actor, value=a.value),
           lambda p: p.add_argument("--value", required=True, type=finite_number, metavar="V",
                                    help="the metric's value the improvement achieved"),
           {"value": "--value"}),
    Action("complete", "Handoff", "a handoff step is done", "ID STEP [--evidence TEXT]",
           lambda c, a, actor: c.CompleteStep(actor=actor, step_id=a.step_id,
                                              evidence=a.evidence),
           _complete_arguments,
           {"step_id": "STEP", "evidence": "--evidence"}),
    Action("accept", "Handoff", "owner: take accountability for the process", "ID",
           lambda c, a, actor: c.AcceptOwnership(actor=actor)),
    Action("review", "Handoff", "PMO: approve the handoff, or send it back",
           "ID --approve | --send-back TEXT [--reopen STEP]...", _review, _review_arguments,
           {"reason": "--send-back", "reopen": "--reopen"}),
    Action("reading", "Sustainment", "owner: record a reading of the metric", "ID VALUE",
           lambda c, a, actor: c.RecordReading(actor=actor, value=a.value),
           lambda p: p.add_argument("value", metavar="VALUE", type=finite_number,
                                    help="the metric's current value"),
           {"value": "VALUE"}),
    Action("respond", "Sustainment", "owner: the response plan after a regression",
           "ID --plan TEXT --within DURATION",
           lambda c, a, actor: c.SubmitResponsePlan(actor=actor, action=a.plan, within=a.within),
           _respond_arguments,
           {"action": "--plan", "within": "--within"}),
    Action("idea", "Pull", "front line: submit an idea (prints its id)", "ID TEXT",
           lambda c, a, actor: c.SubmitIdea(actor=actor, text=a.text),
           lambda p: p.add_argument("text", metavar="TEXT", help="the idea, in a sentence"),
           {"text": "TEXT"}),
    Action("triage", "Pull", "owner: adopt or decline an idea, or mark it a duplicate",
           "ID IDEA --adopt | --decline TEXT | --duplicate-of IDEA", _triage, _triage_arguments,
           {"idea_id": "IDEA", "reason": "--decline/--reason", "duplicate_of": "--duplicate-of"}),
    Action("support", "Pull", "front line: support an idea (once per person)", "ID IDEA",
           lambda c, a, actor: c.SupportIdea(actor=actor, idea_id=a.idea_id),
           lambda p: p.add_argument("idea_id", metavar="IDEA", help="the idea, e.g. idea-1"),
           {"idea_id": "IDEA"}),
    Action("front-line", "Pull", "owner: add someone to the front line, or remove them",
           "ID add|remove PERSON", _front_line, _front_line_arguments, {"person": "PERSON"}),
    Action("idea-delivered", "Pull", "owner: an adopted idea is in place", "ID IDEA",
           lambda c, a, actor: c.MarkIdeaDelivered(actor=actor, idea_id=a.idea_id),
           lambda p: p.add_argument("idea_id", metavar="IDEA", help="the idea, e.g. idea-1"),
           {"idea_id": "IDEA"}),
    Action("reassign", "Governance", "PMO: hand the process to another owner",
           "ID --owner NEW",
           lambda c, a, actor: c.ReassignOwner(actor=actor, owner=a.owner),
           lambda p: p.add_argument("--owner", required=True, metavar="NEW",
                                    help="the new owner's actor id"),
           {"owner": "--owner"}),
    Action("cancel", "Governance", "PMO: cancel the initiative", "ID --reason TEXT",
           lambda c, a, actor: c.Cancel(actor=actor, reason=a.reason),
           _reason, {"reason": "--reason"}),
    Action("reopen", "Governance", "sponsor: reopen an escalated regression for improvement",
           "ID --reason TEXT",
           lambda c, a, actor: c.Reopen(actor=actor, reason=a.reason),
           _reason, {"reason": "--reason"}),
)


def register(commands: CommandTable) -> None:
    for action in ACTIONS:
        parser = commands.add(action.group, action.name, action.summary,
                              partial(run_action, action), usage_hint=action.usage_hint)
        add_initiative_id(parser)
        action.arguments(parser)


async def run_action(action: Action, args: argparse.Namespace, session: Session) -> int:

    command = build_command(action, args, session.actor())
    initiatives = await session.initiatives()
    await session.require_worker()
    iid = args.initiative_id
    async with session.worker_answers(
            f"the command may still be recorded when one starts (see `baton show {iid}`)"):
        events = await initiatives.send(iid, command)
    view = await initiatives.view(iid)
    report(session, iid, events, view.state)
    return ExitCode.OK


def build_command(action: Action, args: argparse.Namespace, actor: str) -> Any:
    from pydantic import ValidationError

    from domain import commands

    try:
        return action.build(commands, args, actor)
    except ValidationError as error:
        raise bad_input(explain_validation(error, action.fields)) from None


def explain_validation(error: ValidationError, fields: Mapping[str, str]) -> str:
    """The first problem, named as the person typed it: `TEXT: 4100 characters; at most 4000`."""
    problem = error.errors()[0]
    name = str(problem["loc"][0]) if problem["loc"] else ""
    where = fields.get(name, f"--{name.replace('_', '-')}")
    context = problem.get("ctx") or {}
    kind = problem["type"]
    value = problem.get("input")
    if kind == "string_too_long":
        reason = f"{len(str(value))} characters; at most {context.get('max_length')} allowed"
    elif kind == "string_too_short":
        reason = "must not be empty"
    elif kind == "string_pattern_mismatch":
        reason = f"{value!r} has characters that are not allowed here"
    else:
        reason = str(problem["msg"]).removeprefix("Value error, ")
    return f"{where}: {reason}"


def report(session: Session, initiative_id: str, events: list[Any], state: Any) -> None:
    from cli.render_state import describe_event

    what = ", ".join(describe_event(event) for event in events)
    summary = f"{initiative_id}: {what}; now {state.phase.value} (version {state.version})"
    idea_id = next((e.payload["idea_id"] for e in events if e.type == "IdeaSubmitted"), None)
    data: dict[str, Any] = {
        "initiative_id": initiative_id, "phase": state.phase.value, "version": state.version,
        "events": [e.model_dump(mode="json") for e in events]}
    if idea_id is not None:
        data["idea_id"] = idea_id
        session.out.note(summary)  # stdout carries only the id, for scripts
        session.out.result(data, idea_id)
    else:
        session.out.result(data, summary)

