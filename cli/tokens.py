"""`baton token ...`: personal tokens for the HTTP API. Operator commands: they open the database
directly (DATABASE_URL or a running `baton up`), as `baton up` does."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.args import CommandTable, duration
from cli.errors import ExitCode
from cli.output import table
from cli.session import Session
from domain.formatting import NOTHING, when

if TYPE_CHECKING:
    from app.tokens import TokenInfo


def register(commands: CommandTable) -> None:
    family = commands.family("token", "Personal tokens for the HTTP API (operator commands).")
    parser = family.add("Operator", "issue", "a new token for PERSON, printed once", issue,
                        usage_hint="PERSON [--pmo] [--auditor] [--expires DURATION]")
    parser.add_argument("person", metavar="PERSON", help="who the token authenticates")
    parser.add_argument("--pmo", action="store_true", help="grant: may launch initiatives")
    parser.add_argument("--auditor", action="store_true",
                        help="grant: may read every audit trail and the event feed")
    parser.add_argument("--expires", type=duration, metavar="DURATION",
                        help="refused after this long, e.g. 90d (default: never)")
    family.add("Operator", "list", "every token issued, with its status", list_tokens)
    parser = family.add("Operator", "revoke", "refuse a token from now on", revoke,
                        usage_hint="ID")
    parser.add_argument("token_id", metavar="ID", help="the token's id, as `token list` shows")


async def issue(args: argparse.Namespace, session: Session) -> int:
    from app.identity import Grant
    from app.tokens import issue_token
    from domain.durations import parse_duration

    grants = {grant for grant, wanted in ((Grant.PMO, args.pmo), (Grant.AUDITOR, args.auditor))
              if wanted}
    expires_in = parse_duration(args.expires) if args.expires else None
    issued = await issue_token(session.context(), args.person, grants, expires_in)
    session.out.note(f"token {issued.id} for {issued.person} (grants: "
                     f"{', '.join(issued.grants) or 'none'}; expires: {when(issued.expires_at)});"
                     " it is shown only now")
    session.out.result(issued.model_dump(mode="json"), issued.token)
    return ExitCode.OK


async def list_tokens(args: argparse.Namespace, session: Session) -> int:
    from app.tokens import list_tokens

    found = await list_tokens(session.context())
    session.out.result({"tokens": [t.model_dump(mode="json") for t in found]},
                       lambda: _table(found))
    return ExitCode.OK


async def revoke(args: argparse.Namespace, session: Session) -> int:
    from app.tokens import revoke_token

    info = await revoke_token(session.context(), args.token_id)
    session.out.result(info.model_dump(mode="json"), f"revoked {info.id} ({info.person})")
    return ExitCode.OK


def _table(tokens: list[TokenInfo]) -> str:
    if not tokens:
        return "no tokens issued; `baton token issue PERSON` issues one"
    return table(["ID", "PERSON", "GRANTS", "STATUS", "ISSUED", "EXPIRES"],
                 [[t.id, t.person, ",".join(t.grants) or NOTHING, t.status, when(t.issued_at),
                   when(t.expires_at)] for t in tokens])
