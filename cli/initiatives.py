"""Launching an initiative and looking at initiatives: `launch`, `show`, `list`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.args import CommandTable, add_initiative_id, initiative_id
from cli.errors import ExitCode, bad_input
from cli.output import table
from cli.session import Session
from domain.formatting import relative, when

if TYPE_CHECKING:
    from app.show import Summary
    from cli.remote import Remote
    from domain import InitiativeSpec


def register(commands: CommandTable) -> None:
    parser = commands.add("Initiatives", "launch", "PMO: launch an initiative from a spec "
                          "(prints its id)", launch, usage_hint="SPEC.yaml")
    parser.add_argument("spec", metavar="SPEC", help="the launch spec, a YAML file")
    parser.add_argument("--id", type=initiative_id, metavar="ID",
                        help="choose the id (default: from the name, plus a random suffix)")
    parser.add_argument("--validate-only", action="store_true",
                        help="judge the spec and who launches it; record nothing")
    add_initiative_id(commands.add("Initiatives", "show", "one initiative's state", show,
                                   usage_hint="ID"))
    parser = commands.add("Initiatives", "list", "initiatives, newest first", list_initiatives,
                          usage_hint="[--phase P] [--owner A] [--overdue]")
    parser.add_argument("--phase", metavar="P", help="only this phase, e.g. handing_off")
    parser.add_argument("--owner", metavar="A", help="only this owner")
    parser.add_argument("--overdue", action="store_true",
                        help="only initiatives with a commitment past due")


def read_spec(path: Path) -> InitiativeSpec:
    from app.errors import InvalidSpec
    from app.launch import parse_spec

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
        return parse_spec(text)
    except InvalidSpec as invalid:
        raise bad_input("\n".join(f"{path}: {problem}" for problem in invalid.problems)) from None


async def launch(args: argparse.Namespace, session: Session) -> int:
    from app.identity import OPERATOR
    from app.launch import LaunchRequest
    from app.launch import launch as launch_initiative

    spec = read_spec(Path(args.spec))
    remote = session.remote()
    if remote is not None:
        return await _launch_remotely(args, session, remote)
    actor = session.actor()
    launched = await launch_initiative(session.context(), LaunchRequest(
        actor=actor, spec=spec, initiative_id=args.id, validate_only=args.validate_only,
        provenance=OPERATOR))
    data = {"id": launched.initiative_id, "name": launched.name, "phase": launched.phase,
            "version": launched.version, "head_hash": launched.head_hash}
    if not launched.recorded:
        session.out.result({**data, "valid": True},
                           f"{args.spec}: valid; {actor} may launch it (nothing recorded)")
        return ExitCode.OK
    iid = launched.initiative_id
    session.out.note(f"launched {spec.name!r} as {iid}; next, the sponsor ({spec.sponsor}) "
                     f"approves: baton approve-launch {iid}")
    session.out.result(data, str(iid))
    return ExitCode.OK


async def _launch_remotely(args: argparse.Namespace, session: Session, remote: Remote) -> int:
    if args.id is not None:
        raise bad_input("--id: the API chooses the id; leave it out when BATON_URL is set")
    text = Path(args.spec).read_text(encoding="utf-8")
    answer = await remote.call("POST", "/initiatives", content=text,
                               headers={"Content-Type": "application/yaml"},
                               params={"dry_run": "true"} if args.validate_only else None)
    if args.validate_only:
        session.out.result({**answer, "valid": True},
                           f"{args.spec}: valid; you may launch it (nothing recorded)")
        return ExitCode.OK
    iid = answer["id"]
    session.out.note(f"launched {answer['name']!r} as {iid}; next, the sponsor "
                     f"({answer['sponsor']}) approves: baton approve-launch {iid}")
    session.out.result({"id": iid, "name": answer["name"], "phase": answer["phase"],
                        "version": answer["version"], "head_hash": answer["head_hash"]}, iid)
    return ExitCode.OK


async def show(args: argparse.Namespace, session: Session) -> int:
    from app.show import show as show_initiative
    from app.show import shown_json
    from cli.render_state import state_text
    from domain.visibility import THE_OPERATOR

    remote = session.remote()
    if remote is not None:  # the same JSON, from the API
        shown = await remote.call("GET", f"/initiatives/{args.initiative_id}")
    else:
        shown = shown_json(await show_initiative(session.context(), args.initiative_id,
                                                 THE_OPERATOR))
    now = datetime.now(UTC)
    session.out.result(shown, lambda: state_text(shown, now))
    return ExitCode.OK


async def list_initiatives(args: argparse.Namespace, session: Session) -> int:
    from app.show import ListFilter, Summary
    from app.show import list_initiatives as listed
    from domain.visibility import THE_OPERATOR

    now = datetime.now(UTC)
    remote = session.remote()
    if remote is not None:
        answer = await remote.call("GET", "/initiatives", params={
            key: value for key, value in (("phase", args.phase), ("owner", args.owner),
                                          ("overdue", "true" if args.overdue else None))
            if value is not None})
        rows = [Summary.model_validate(row) for row in answer["initiatives"]]
    else:
        rows = await listed(session.context(), ListFilter(
            phase=args.phase, owner=args.owner, overdue=args.overdue), THE_OPERATOR, now)
    session.out.result([_summary_json(row) for row in rows], lambda: _summary_table(rows, now))
    return ExitCode.OK


def _summary_json(row: Summary) -> dict[str, Any]:
    return {"id": row.initiative_id, "name": row.name, "phase": row.phase, "owner": row.owner,
            "version": row.version, "updated_at": row.updated_at,
            "next_due_at": row.next_due_at, "overdue": row.overdue}


def _summary_table(rows: list[Summary], now: datetime) -> str:
    if not rows:
        return "no initiatives match"
    return table(
        ["ID", "NAME", "PHASE", "OWNER", "VERSION", "UPDATED", "NEXT DUE"],
        [[r.initiative_id, r.name, r.phase, r.owner, r.version, when(r.updated_at),
          (f"OVERDUE {relative(r.next_due_at, now)}" if r.overdue
           else relative(r.next_due_at, now))] for r in rows])
