"""`baton ideas`: the ideas the person acting may support, those awaiting their triage as owner
(`--to-triage`), or what became of their own (`--mine`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.args import BatonParser, CommandTable
from cli.errors import ExitCode
from cli.output import table
from cli.session import Session
from domain.formatting import when

if TYPE_CHECKING:
    from app.pull import OpenIdea
    from domain.pull import IdeaFeedback


def register(commands: CommandTable) -> None:
    parser: BatonParser = commands.add(
        "Initiatives", "ideas", "ideas you may support; --to-triage: yours to triage; "
        "--mine: what became of yours", show_ideas, usage_hint="[--to-triage | --mine]")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--to-triage", action="store_true",
                       help="the ideas awaiting your triage, most supported first, then oldest")
    which.add_argument("--mine", action="store_true",
                       help="the ideas you submitted: what became of each, and why")


async def show_ideas(args: argparse.Namespace, session: Session) -> int:
    from app.pull import ideas_to_support, my_ideas, triage_list

    context, actor = session.context(), session.actor()
    if args.mine:
        feedback = await my_ideas(context, actor)
        session.out.result([f.model_dump(mode="json") for f in feedback],
                           lambda: _feedback_text(feedback))
        return ExitCode.OK
    ideas = await (triage_list if args.to_triage else ideas_to_support)(context, actor)
    session.out.result([i.model_dump(mode="json") for i in ideas], lambda: _ideas_text(ideas))
    return ExitCode.OK


def _ideas_text(ideas: list[OpenIdea]) -> str:
    if not ideas:
        return "no ideas here"
    return table(["INITIATIVE", "IDEA", "SUPPORT", "YOU", "FROM", "SUBMITTED", "TEXT"],
                 [[i.initiative_id, i.idea_id, i.supporters,
                   "support" if i.supported else "can support" if i.can_support else "",
                   i.submitted_by, when(i.submitted_at), i.text] for i in ideas])


def _feedback_text(feedback: list[IdeaFeedback]) -> str:
    if not feedback:
        return "you have submitted no ideas"
    return table(["INITIATIVE", "IDEA", "STATUS", "WHAT BECAME OF IT", "TEXT"],
                 [[f.initiative_id, f.idea_id, f.status.value, f.summary, f.text]
                  for f in feedback])
