"""`baton verify`: recompute initiatives' hash chains from the event store and compare each with
its recorded head, the evidence that no event was altered, removed, inserted or reordered."""

from __future__ import annotations

import argparse

from cli.args import CommandTable, initiative_id
from cli.errors import ExitCode, bad_input
from cli.output import table
from cli.session import Session


def register(commands: CommandTable) -> None:
    parser = commands.add(
        "Audit", "verify", "check that initiatives' event histories were not altered", verify,
        usage_hint="ID... | --all",
        description="Recompute each initiative's hash chain from the event store and compare it "
                    "with the recorded head. Exit 1 when any history fails the check.")
    parser.add_argument("initiative_ids", metavar="ID", nargs="*", type=initiative_id,
                        help="initiatives to verify")
    parser.add_argument("--all", action="store_true", help="verify every initiative")


async def verify(args: argparse.Namespace, session: Session) -> int:
    from activities.portfolio import PortfolioReader

    if bool(args.initiative_ids) == args.all:
        raise bad_input("name the initiatives to verify, or pass --all (not both)")
    store = await session.store()
    ids = args.initiative_ids or [
        row.initiative_id
        for row in await PortfolioReader(store.pool, store.schema).summaries()]
    results = [await store.verify_stream(iid) for iid in ids]
    for result in results:
        if result.events_checked == 0 and result.recorded_head is None:
            raise bad_input(f"unknown initiative {result.stream_id}: no events recorded")
    data = [{"id": r.stream_id, "ok": r.ok, "events": r.events_checked,
             "head_hash": r.computed_head, "broken_version": r.broken_version,
             "reason": r.reason if not r.ok else None} for r in results]
    session.out.result(data, lambda: table(
        ["INITIATIVE", "EVENTS", "HEAD", "RESULT"],
        [[r.stream_id, r.events_checked, r.computed_head[:16],
          "intact" if r.ok else f"ALTERED: {r.reason or 'head does not match'}"]
         for r in results]) if results else "no initiatives to verify")
    return ExitCode.OK if all(r.ok for r in results) else ExitCode.REJECTED
