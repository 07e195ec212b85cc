"""Launching an initiative and looking at initiatives: `launch`, `show`, `list`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.args import CommandTable, add_initiative_id, initiative_id
from cli.errors import ExitCode, bad_input
from cli.output import relative, table, when
from cli.session import Session

if TYPE_CHECKING:
    from domain import InitiativeSpec
    from store.portfolio import InitiativeSummary
    from workflows.client import InitiativeClient
    from workflows.contracts import InitiativeView


def register(commands: CommandTable) -> None:
    parser = commands.add("Initiatives", "launch", "PMO: launch an initiative from a spec "
                          "(prints its id)", launch, usage_hint="SPEC.yaml")
    parser.add_argument("spec", metavar="SPEC", help="the launch spec, a YAML file")
    parser.add_argument("--id", type=initiative_id, metavar="ID",
                        help="choose the id (default: from the name, plus a random suffix)")
    add_initiative_id(commands.add("Initiatives", "show", "one initiative's state", show,
                                   usage_hint="ID"))
    parser = commands.add("Initiatives", "list", "initiatives, newest first", list_initiatives,
                          usage_hint="[--phase P] [--owner A] [--overdue]")
    parser.add_argument("--phase", metavar="P", help="only this phase, e.g. handing_off")
    parser.add_argument("--owner", metavar="A", help="only this owner")
    parser.add_argument("--overdue", action="store_true",
                        help="only initiatives with a commitment past due")


def read_spec(path: Path) -> InitiativeSpec:
    from domain import SpecError, parse_spec_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise bad_input(f"SPEC: no such file: {path}") from None
    except IsADirectoryError:
        raise bad_input(f"SPEC: {path} is a directory, not a spec file") from None
    except UnicodeDecodeError:
        raise bad_input(f"SPEC: {path} is not UTF-8 text") from None
    except OSError as error:
        raise bad_input(f"SPEC: cannot read {path}: {error.strerror}") from None
    try:
        return parse_spec_yaml(text)
    except SpecError as error:
        raise bad_input("\n".join(f"{path}: {problem}" for problem in error.problems)) from None


async def launch(args: argparse.Namespace, session: Session) -> int:
    actor = session.actor()
    spec = read_spec(Path(args.spec))
    initiatives = await session.initiatives()
    await session.require_worker()
    iid = await initiatives.launch(spec, actor, args.id)
    view = await _until_recorded(initiatives, iid, session)
    session.out.note(f"launched {spec.name!r} as {iid}; next, the sponsor ({spec.sponsor}) "
                     f"approves: baton approve-launch {iid}")
    session.out.result({"id": iid, "name": spec.name, "phase": view.state.phase.value,
                        "version": view.state.version, "head_hash": view.head_hash}, iid)
    return ExitCode.OK


async def _until_recorded(initiatives: InitiativeClient, iid: str,
                          session: Session) -> InitiativeView:
    """The workflow records the launch on its first task; wait until a worker has run it."""
    from temporalio.service import RPCError

    from domain import Rejected

    async with session.worker_answers(
            f"the launch of {iid} is recorded once a worker polls the task queue "
            "(`baton up` or `baton worker`)"):
        while True:
            try:
                view = await initiatives.view(iid)
                if view.state.version >= 1:
                    return view
            except (RPCError, Rejected):
                pass  # the workflow has not run its first task yet
            await asyncio.sleep(0.05)


async def show(args: argparse.Namespace, session: Session) -> int:
    from cli.render_state import state_json, state_text

    initiatives = await session.initiatives()
    await session.require_worker()  # a query, too, is answered by a worker
    async with session.worker_answers():
        view = await initiatives.view_with_source(args.initiative_id)
    now = datetime.now(UTC)
    session.out.result(state_json(view), lambda: state_text(view, now))
    return ExitCode.OK


async def list_initiatives(args: argparse.Namespace, session: Session) -> int:
    from domain import Phase
    from store.portfolio import PortfolioReader

    phases = [phase.value for phase in Phase if phase is not Phase.NEW]
    if args.phase is not None and args.phase not in phases:
        raise bad_input(f"--phase: {args.phase!r} is not a phase (one of: {', '.join(phases)})")
    store = await session.store()
    now = datetime.now(UTC)
    rows = await PortfolioReader(store.pool, store.schema).summaries(
        phase=args.phase, owner=args.owner, overdue_at=now if args.overdue else None)
    session.out.result([_summary_json(row, now) for row in rows],
                       lambda: _summary_table(rows, now))
    return ExitCode.OK


def _summary_json(row: InitiativeSummary, now: datetime) -> dict[str, Any]:
    return {"id": row.initiative_id, "name": row.name, "phase": row.phase, "owner": row.owner,
            "version": row.version, "updated_at": row.updated_at,
            "next_due_at": row.next_due_at, "overdue": row.overdue(now)}


def _summary_table(rows: list[InitiativeSummary], now: datetime) -> str:
    if not rows:
        return "no initiatives match"
    return table(
        ["ID", "NAME", "PHASE", "OWNER", "VERSION", "UPDATED", "NEXT DUE"],
        [[r.initiative_id, r.name, r.phase, r.owner, r.version, when(r.updated_at),
          (f"OVERDUE {relative(r.next_due_at, now)}" if r.overdue(now)
           else relative(r.next_due_at, now))] for r in rows])
