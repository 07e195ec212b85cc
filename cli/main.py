"""`baton`: the command line of Baton, a door onto the use cases of `app/`.

The composition root (`workers.baton`) runs it with the commands that start servers and a
factory for the use cases' context. Start-up stays fast because command modules import the heavy
libraries (temporalio, pydantic, asyncpg) inside their handlers, only when a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn, Protocol

from cli import actions, audit, ideas_view, initiatives, portfolio_view, tokens, work
from cli.args import BatonParser, CommandTable, new_parser
from cli.errors import EXIT_CODES_HELP, CliError, ExitCode
from cli.failures import translate
from cli.output import Output
from cli.session import ContextFactory

DESCRIPTION = """\
Baton: governed improvement initiatives whose gains stick. A PMO launches an initiative from a
spec; the sponsor approves it; the expert delivers and hands it off; the owner takes it over; the
engine follows up with checks and catches regressions.

Every command records who acts (--as ACTOR or $BATON_ACTOR) and prints JSON with --json.
Commands find Temporal and PostgreSQL through TEMPORAL_ADDRESS and DATABASE_URL, or through a
running `baton up` under $BATON_HOME (default .baton)."""


class CommandGroup(Protocol):
    def register(self, commands: CommandTable) -> None: ...


def build_parser(first: Sequence[CommandGroup] = ()) -> BatonParser:
    """`first`: groups of commands the composition root adds before the door's own."""
    parser, commands = new_parser()
    for group in (*first, initiatives, portfolio_view, work, ideas_view, actions, audit, tokens):
        group.register(commands)
    parser.description = f"{DESCRIPTION}\n\n{commands.overview()}"
    parser.epilog = f"{EXIT_CODES_HELP}. `baton COMMAND --help` tells more."
    return parser


def main(make_context: ContextFactory, argv: Sequence[str] | None = None,
         first: Sequence[CommandGroup] = ()) -> int:
    code = run(make_context, argv, first)
    if argv is None and "temporalio.bridge" in sys.modules:
        exit_skipping_finalization(code)
    return code


def exit_skipping_finalization(code: int) -> NoReturn:
    # The Temporal client's Rust threads can call into Python while the interpreter finalizes,
    # which aborts a short-lived process after its work is done (temporalio/sdk-python#300).
    # Everything this process had to say is flushed; nothing is left to finalize.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run(make_context: ContextFactory, argv: Sequence[str] | None = None,
        first: Sequence[CommandGroup] = ()) -> int:
    parser = build_parser(first)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("baton: error: which command? `baton --help` lists them", file=sys.stderr)
        return ExitCode.BAD_INPUT
    out = Output(json_mode=args.json)
    try:
        return asyncio.run(_run(args, out, make_context))
    except KeyboardInterrupt:
        out.note("baton: interrupted")
        return 130


async def _run(args: argparse.Namespace, out: Output, make_context: ContextFactory) -> int:
    from cli.session import Session

    session = Session(args, out, make_context)
    try:
        outcome = args.handler(args, session)
        return int(await outcome if inspect.isawaitable(outcome) else outcome)
    except Exception as error:
        failure = translate(error)
        if failure is None:
            failure = _internal(error)
        out.error(failure)
        return failure.code
    finally:
        await session.close()


def _internal(error: Exception) -> CliError:
    if logging.getLogger().isEnabledFor(logging.DEBUG) or "--debug" in sys.argv:
        traceback.print_exception(error)
    return CliError(f"{type(error).__name__}: {error} (this is a bug in baton; rerun with "
                    "BATON_LOG_LEVEL=DEBUG for the traceback)", ExitCode.INTERNAL)

