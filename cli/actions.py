"""The commands people send to an initiative: how each action of the registry (`app.actions`) is
typed on the command line. The arguments' `dest` are the registry's field names; everything else
(validation, the domain command, sending it, the state after it) is the `act` use case's."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from cli.args import BatonParser, CommandTable, add_initiative_id, duration, finite_number
from cli.errors import ExitCode
from cli.failures import option_name, translate
from cli.session import Session


@dataclass(frozen=True)
class CliAction:
    name: str  # the registry's name for it
    group: str
    summary: str
    usage_hint: str
    arguments: Callable[[BatonParser], object] = lambda parser: None
    # An argument the use case names -> how this command spells it, where not `--name`.
    names: Mapping[str, str] = field(default_factory=dict)


def _reason(parser: BatonParser, help: str = "why, in a sentence") -> None:
    parser.add_argument("--reason", required=True, metavar="TEXT", help=help)


def _complete_arguments(parser: BatonParser) -> None:
    parser.add_argument("step", metavar="STEP", help="the step's id in the spec")
    parser.add_argument("--evidence", default="", metavar="TEXT",
                        help="where the proof is (a link, a document)")


def _respond_arguments(parser: BatonParser) -> None:
    parser.add_argument("--plan", required=True, metavar="TEXT", help="what will be done, by whom")
    parser.add_argument("--within", required=True, type=duration, metavar="DURATION",
                        help="when the gain is back, e.g. 10d or 12h")


def _review_arguments(parser: BatonParser) -> None:
    verdict = parser.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true", help="the handoff is complete")
    verdict.add_argument("--send-back", metavar="TEXT", help="what is missing; back to handoff")
    parser.add_argument("--reopen", metavar="STEP", action="append", default=[],
                        help="a step to do again (repeatable; with --send-back)")


def _triage_arguments(parser: BatonParser) -> None:
    parser.add_argument("idea", metavar="IDEA", help="the idea, e.g. idea-1")
    verdict = parser.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--adopt", action="store_true", help="take the idea on")
    verdict.add_argument("--decline", metavar="TEXT", help="decline it, saying why")
    verdict.add_argument("--duplicate-of", metavar="IDEA",
                         help="it repeats that idea, which takes over its supporters")
    parser.add_argument("--reason", metavar="TEXT", default="", help="why it is adopted")


def _front_line_arguments(parser: BatonParser) -> None:
    parser.add_argument("change", choices=["add", "remove"], help="add or remove")
    parser.add_argument("person", metavar="PERSON", help="their actor id")


def _correction_arguments(parser: BatonParser) -> None:
    parser.add_argument("value", metavar="VALUE", type=finite_number,
                        help="the value the reading should have had")
    _reason(parser, "what went wrong, e.g. 'typed 50 for 5.0'")


def _idea_argument(parser: BatonParser) -> None:
    parser.add_argument("idea", metavar="IDEA", help="the idea, e.g. idea-1")


ACTIONS: tuple[CliAction, ...] = (
    CliAction("approve-launch", "Launch gate", "sponsor: approve the launch", "ID"),
    CliAction("reject-launch", "Launch gate", "sponsor: reject the launch", "ID --reason TEXT",
              _reason),
    CliAction("deliver", "Handoff", "expert: the improvement is delivered, at this reading",
              "ID --value V",
              lambda p: p.add_argument("--value", required=True, type=finite_number,
                                       metavar="V",
                                       help="the metric's value the improvement achieved")),
    CliAction("complete", "Handoff", "a handoff step is done", "ID STEP [--evidence TEXT]",
              _complete_arguments, {"step": "STEP"}),
    CliAction("accept", "Handoff", "owner: take accountability for the process", "ID"),
    CliAction("review", "Handoff", "PMO: approve the handoff, or send it back",
              "ID --approve | --send-back TEXT [--reopen STEP]...", _review_arguments),
    CliAction("reading", "Sustainment", "owner: record a reading of the metric", "ID VALUE",
              lambda p: p.add_argument("value", metavar="VALUE", type=finite_number,
                                       help="the metric's current value"),
              {"value": "VALUE"}),
    CliAction("correct-reading", "Sustainment",
              "owner: replace the latest reading, which was mistyped (both stay recorded)",
              "ID VALUE --reason TEXT", _correction_arguments,
              {"value": "VALUE", "reason": "--reason"}),
    CliAction("respond", "Sustainment", "owner: the response plan after a regression",
              "ID --plan TEXT --within DURATION", _respond_arguments),
    CliAction("idea", "Pull", "front line: submit an idea (prints its id)", "ID TEXT",
              lambda p: p.add_argument("text", metavar="TEXT", help="the idea, in a sentence"),
              {"text": "TEXT"}),
    CliAction("triage", "Pull", "owner: adopt or decline an idea, or mark it a duplicate",
              "ID IDEA --adopt | --decline TEXT | --duplicate-of IDEA", _triage_arguments,
              {"idea": "IDEA", "reason": "--decline/--reason"}),
    CliAction("support", "Pull", "front line: support an idea (once per person)", "ID IDEA",
              _idea_argument, {"idea": "IDEA"}),
    CliAction("front-line", "Pull", "owner: add someone to the front line, or remove them",
              "ID add|remove PERSON", _front_line_arguments, {"person": "PERSON"}),
    CliAction("idea-delivered", "Pull", "owner: an adopted idea is in place", "ID IDEA",
              _idea_argument, {"idea": "IDEA"}),
    CliAction("reassign", "Governance", "PMO: hand the process to another owner",
              "ID --owner NEW",
              lambda p: p.add_argument("--owner", required=True, metavar="NEW",
                                       help="the new owner's actor id")),
    CliAction("cancel", "Governance", "PMO: cancel the initiative", "ID --reason TEXT", _reason),
    CliAction("reopen", "Governance", "sponsor: reopen an escalated regression for improvement",
              "ID --reason TEXT", _reason),
)

def register(commands: CommandTable) -> None:
    for action in ACTIONS:
        parser = commands.add(action.group, action.name, action.summary,
                              partial(run_action, action), usage_hint=action.usage_hint)
        add_initiative_id(parser)
        parser.add_argument("--request-id", metavar="RID",
                            help="send again a command that was not confirmed: it is recorded "
                                 "at most once, and the answer tells what was recorded")
        action.arguments(parser)


async def run_action(action: CliAction, args: argparse.Namespace, session: Session) -> int:
    from app.act import ActRequest, act
    from app.actions import action_named
    from app.identity import OPERATOR
    from app.presenter import describe_event, recorded_json, submitted_idea
    from domain.envelope import Event
    from domain.visibility import THE_OPERATOR

    fields = action_named(action.name).arguments.model_fields
    arguments = {name: getattr(args, name) for name in fields}
    remote = session.remote()
    if remote is not None:
        answer = await remote.act(args.initiative_id, action.name, arguments, args.request_id)
        iid, events = args.initiative_id, [Event.model_validate(e) for e in answer["events"]]
        phase, version = answer["initiative"]["phase"], answer["initiative"]["version"]
        data = {"initiative_id": iid, "phase": phase, "version": version,
                "events": answer["events"]}
    else:
        request = ActRequest(initiative_id=args.initiative_id, action=action.name,
                             actor=session.actor(), viewer=THE_OPERATOR, arguments=arguments,
                             request_id=args.request_id, provenance=OPERATOR)
        try:
            acted = await act(session.context(), request)
        except Exception as error:
            failure = translate(error, lambda name: action.names.get(name, option_name(name)))
            if failure is None:
                raise
            raise failure from None
        iid, events = acted.initiative_id, acted.events
        phase, version = acted.phase, acted.version
        data = recorded_json(iid, acted.events, phase, version)
    what = ", ".join(describe_event(event) for event in events)
    summary = f"{iid}: {what}; now {phase} (version {version})"
    idea_id = submitted_idea(events)
    if idea_id is not None:
        data["idea_id"] = idea_id
        session.out.note(summary)  # stdout carries only the id, for scripts
        session.out.result(data, idea_id)
    else:
        session.out.result(data, summary)
    return ExitCode.OK
