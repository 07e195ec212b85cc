"""`baton ideas`: the ideas the person acting may support, those awaiting their triage as owner
(`--to-triage`), what became of their own (`--mine`), or every idea of one initiative a page at
a time (`--of ID`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.args import BatonParser, CommandTable, initiative_id
from cli.errors import ExitCode, bad_input
from cli.output import table
from cli.session import Session
from domain.formatting import when

if TYPE_CHECKING:
    from app.pull import OpenIdea
    from domain.pull import IdeaFeedback


def register(commands: CommandTable) -> None:
    from domain.state import IdeaStatus

    parser: BatonParser = commands.add(
        "Initiatives", "ideas", "ideas you may support; --to-triage: yours to triage; "
        "--mine: what became of yours; --of ID: all of an initiative's, a page at a time",
        show_ideas, usage_hint="[--to-triage | --mine | --of ID [--status S] [--after N]]")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--to-triage", action="store_true",
                       help="the ideas awaiting your triage, most supported first, then oldest")
    which.add_argument("--mine", action="store_true",
                       help="the ideas you submitted: what became of each, and why")
    which.add_argument("--of", metavar="ID", type=initiative_id,
                       help="every idea of this initiative, in the order they came, a page at a "
                            "time")
    parser.add_argument("--status", choices=[status.value for status in IdeaStatus],
                        help="with --of: only the ideas of this status")
    parser.add_argument("--after", metavar="N", type=page_start, default=0,
                        help="with --of: the ideas numbered after N (the page before ended "
                             "there); default: from the first")
    parser.add_argument("--limit", metavar="N", type=page_size, default=None,
                        help="with --of: ideas per page (1 to 500; default 100)")


async def show_ideas(args: argparse.Namespace, session: Session) -> int:
    from app.pull import ideas_to_support, my_ideas, triage_list

    if args.of is not None:
        return await _initiative_ideas(args, session)
    if args.status is not None or args.after or args.limit is not None:
        raise bad_input("--status, --after and --limit go with --of ID")
    context, actor = session.context(), session.actor()
    if args.mine:
        feedback = await my_ideas(context, actor)
        session.out.result([f.model_dump(mode="json") for f in feedback],
                           lambda: _feedback_text(feedback))
        return ExitCode.OK
    listed = await (triage_list if args.to_triage else ideas_to_support)(context, actor)
    ideas = listed.ideas
    if listed.total > len(ideas):
        session.out.note(f"the first {len(ideas)} of {listed.total:,}; every idea of an "
                         "initiative: baton ideas --of ID")
    session.out.result([i.model_dump(mode="json") for i in ideas], lambda: _ideas_text(ideas))
    return ExitCode.OK


def page_start(text: str) -> int:
    from app.idea_pages import MAX_AFTER

    if not (text.isascii() and text.isdigit()) or int(text) > MAX_AFTER:
        raise argparse.ArgumentTypeError(f"{text!r} is not an idea number (0 or more)")
    return int(text)


def page_size(text: str) -> int:
    from app.idea_pages import MOST_PER_PAGE

    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MOST_PER_PAGE:
        raise argparse.ArgumentTypeError(f"{text!r} is not a page size (1 to {MOST_PER_PAGE})")
    return int(text)


async def _initiative_ideas(args: argparse.Namespace, session: Session) -> int:
    from app.idea_pages import IdeasWanted, ideas_page, ideas_page_json
    from domain.visibility import THE_OPERATOR

    wanted = {"status": args.status, "after": args.after, "limit": args.limit}
    remote = session.remote()
    if remote is not None:  # the same JSON, from the API
        page = await remote.call("GET", f"/initiatives/{args.of}/ideas",
                                 params={k: v for k, v in wanted.items() if v is not None})
    else:
        page = ideas_page_json(await ideas_page(
            session.context(), args.of, THE_OPERATOR, IdeasWanted.model_validate(
                {key: value for key, value in wanted.items() if value is not None})))
    session.out.result(page, lambda: _page_text(page, args))
    return ExitCode.OK


def _page_text(page: dict[str, Any], args: argparse.Namespace) -> str:
    ideas = page["ideas"]
    lines = [table(["IDEA", "STATUS", "SUPPORT", "FROM", "SUBMITTED", "TEXT"],
                   [[i["id"], i["status"], len(i["supporters"]), i["submitted_by"],
                     when(i["submitted_at"]), i["text"]] for i in ideas])
             if ideas else "no ideas here"]
    if page["next_after"] is not None:
        lines.append(f"more: baton ideas --of {page['initiative_id']} --after "
                     f"{page['next_after']}" + (f" --status {args.status}" if args.status else "")
                     + (f" --limit {args.limit}" if args.limit else ""))
    return "\n".join(lines)


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
