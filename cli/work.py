"""`baton work`: what the person acting has to do next, across every open initiative."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cli.args import CommandTable
from cli.errors import ExitCode
from cli.output import table
from cli.session import Session
from domain.formatting import relative

if TYPE_CHECKING:
    from app.work import WorkItem


def register(commands: CommandTable) -> None:
    commands.add("Initiatives", "work", "your open work: commitments and gates waiting on you",
                 show_work)


async def show_work(args: argparse.Namespace, session: Session) -> int:
    from app.work import WorkItem, my_work

    now = datetime.now(UTC)
    remote = session.remote()
    if remote is not None:  # the token's person's work
        answer = await remote.call("GET", "/me/work")
        items = [WorkItem.model_validate(item) for item in answer["items"]]
    else:
        items = await my_work(session.context(), session.actor(), now)
    session.out.result([item.model_dump(mode="json") for item in items],
                       lambda: _work_text(items, now))
    return ExitCode.OK


def _work_text(items: list[WorkItem], now: datetime) -> str:
    if not items:
        return "nothing waits on you"
    return table(
        ["INITIATIVE", "TO DO", "WHAT", "DUE"],
        [[i.initiative_id, f"baton {i.action} {i.initiative_id}", i.title,
          (f"OVERDUE {relative(i.due_at, now)}" if i.overdue else relative(i.due_at, now))]
         for i in items])
