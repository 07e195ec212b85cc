"""`baton audit ...`: what an auditor asks of the record, years later, with read-only rights.

    replay    the initiative rebuilt from the event store alone, as of a moment or a version
    verify    each stream's hash chain against its head row and the workflow's own head
    report    one initiative's record to file, in Markdown, HTML or JSON
    workflow  Temporal's history replayed on today's code and cross-checked with the store

All of them read the store through BATON_AUDIT_DATABASE_URL when it is set (the auditor role of
the README), never migrate it and never write. `baton verify` stays as a shorter name for
`baton audit verify`.
"""

from __future__ import annotations

import argparse
import inspect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cli.args import BatonParser, CommandTable, Handler, add_initiative_id, initiative_id
from cli.audit_output import (
    replay_json,
    replay_text,
    verified_json,
    verified_text,
    workflow_check_json,
    workflow_check_text,
)
from cli.errors import CliError, ExitCode, bad_input, unreachable
from cli.session import Session, worker_identities

if TYPE_CHECKING:
    from audit.verify import VerifiedStream, Witnesses
    from store import EventStore

PROGRESS_EVERY = 1.0  # seconds between progress lines on stderr
PARALLEL_FROM = 300_000  # events in the store
SUMMARY_FROM = 100  # initiatives verified, for a last progress line even when it was quick


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    usage_hint: str
    handler: Handler
    arguments: Callable[[BatonParser], object]
    description: str = ""


def moment(text: str) -> datetime:
    """ISO 8601, e.g. 2026-03-01 or 2026-03-01T09:30:00+02:00; without a zone it is UTC."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a moment (ISO 8601, e.g. 2026-03-01T09:30:00Z)") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def positive_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 up")
    return int(text)


def _replay_arguments(parser: BatonParser) -> None:
    add_initiative_id(parser)
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--as-of", type=moment, metavar="TIME",
                      help="as it stood at this moment (ISO 8601; UTC unless a zone is given)")
    when.add_argument("--version", type=positive_number, metavar="N",
                      help="as it stood after its N-th event")


def _verify_arguments(parser: BatonParser) -> None:
    parser.add_argument("initiative_ids", metavar="ID", nargs="*", type=initiative_id,
                        help="initiatives to verify")
    parser.add_argument("--all", action="store_true", help="verify every initiative")
    parser.add_argument("--store-only", action="store_true",
                        help="do not ask Temporal: check against the head rows alone")
    parser.add_argument("--jobs", type=positive_number, metavar="N",
                        help="processes to verify with (default: one per core when the "
                             f"store holds {PARALLEL_FROM:,} events or more, else one)")


def _report_arguments(parser: BatonParser) -> None:
    add_initiative_id(parser)
    parser.add_argument("--format", choices=("md", "html", "json"), default=None,
                        help="md (the default), html (one file that opens offline) or json")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--store-only", action="store_true",
                        help="do not ask Temporal for the workflow's head")


async def replay_command(args: argparse.Namespace, session: Session) -> int:
    from audit import replay

    store = await session.audit_store()
    replayed = await replay(store, args.initiative_id, as_of=args.as_of, to_version=args.version)
    if not replayed.events:
        if replayed.latest_version == 0:
            raise bad_input(f"unknown initiative {args.initiative_id}: no events recorded")
        raise bad_input(f"initiative {args.initiative_id} had recorded nothing by "
                        f"{args.as_of.isoformat() if args.as_of else args.version}")
    session.out.result(replay_json(replayed, args.as_of),
                       lambda: replay_text(replayed, args.as_of))
    return ExitCode.OK if replayed.chain_break is None else ExitCode.REJECTED


async def verify_command(args: argparse.Namespace, session: Session) -> int:
    from audit import verify_streams

    if bool(args.initiative_ids) == args.all:
        raise bad_input("name the initiatives to verify, or pass --all (not both)")
    store = await session.audit_store()
    witnesses = None if args.store_only else await _witnesses(session)
    progress = _Progress(session)
    results = await verify_streams(store, args.initiative_ids or None, witnesses,
                                   progress.verified, processes=await _jobs(args, store),
                                   dsn=session.audit_database_url)
    progress.done()
    unknown = [r.audit.stream_id for r in results if r.unknown]
    if unknown and args.initiative_ids:
        raise bad_input(f"unknown initiative {', '.join(unknown)}: no events recorded")
    session.out.result([verified_json(r) for r in results], lambda: verified_text(results))
    return ExitCode.OK if all(r.ok for r in results) else ExitCode.REJECTED


async def report_command(args: argparse.Namespace, session: Session) -> int:
    from audit.replay import replay_events, trusted_prefix
    from audit.report import build_report
    from audit.scan import read_one_stream
    from audit.verify import verify_stored
    from cli.audit_report import write_report
    from cli.render_state import describe_event

    store = await session.audit_store()
    witnesses = None if args.store_only else await _witnesses(session)
    witnessed = await witnesses.witnesses([args.initiative_id]) if witnesses else {}
    stored = await read_one_stream(store.pool, store.schema, args.initiative_id)
    verified = await verify_stored(stored, witnessed.get(stored.stream_id), witnesses)
    state, _ = replay_events(stored.stream_id,
                             trusted_prefix(stored.events, verified.audit.first_break))
    if state.spec is None:
        raise bad_input(f"unknown initiative {args.initiative_id}: no launch recorded")
    report = build_report(verified, stored.events, state, describe_event, datetime.now(UTC))
    fmt = args.format or ("json" if args.json else "md")
    write_report(report, fmt, args.output, session.out)
    return ExitCode.OK if verified.ok else ExitCode.REJECTED


async def workflow_command(args: argparse.Namespace, session: Session) -> int:
    from audit.history import fetch_runs
    from audit.history_replay import replay_runs
    from audit.workflow_check import cross_check
    from workflows.contracts import workflow_id_for

    client = await session.temporal()
    runs = await fetch_runs(client, workflow_id_for(args.initiative_id))
    if runs is None:
        raise bad_input(f"Temporal holds no history of initiative {args.initiative_id} (unknown, "
                        "or closed longer ago than the namespace's retention); `baton audit "
                        "verify` checks the event store alone")
    with session.out.step(f"replaying {len(runs.histories)} run(s) on the current code"):
        replays = await replay_runs(runs.histories)
    # Read after the history, so that a live workflow can only seem behind the store, never
    # ahead of it (see `cross_check`).
    stored = await (await session.audit_store()).read_stream(args.initiative_id)
    check = cross_check(args.initiative_id, runs, replays, stored)
    session.out.result(workflow_check_json(check), lambda: workflow_check_text(check))
    return ExitCode.OK if check.ok else ExitCode.REJECTED


async def _jobs(args: argparse.Namespace, store: EventStore) -> int:
    """Processes pay off once hashing and folding outweigh starting them (about a second)."""
    from audit.scan import recorded_events

    if args.jobs is not None:
        return int(args.jobs)
    if args.initiative_ids or await recorded_events(store.pool, store.schema) < PARALLEL_FROM:
        return 1
    return os.cpu_count() or 1


async def _witnesses(session: Session) -> Witnesses | None:
    """The workflows as witnesses; without Temporal the audit goes on against the head rows."""
    from audit.witnesses import TemporalWitnesses

    try:
        client = await session.temporal()
        pollers = await worker_identities(client, session.settings.temporal_namespace,
                                          session.task_queue)
    except CliError as error:
        session.out.note(f"baton: note: {error.message}; checking against the head rows alone")
        return None
    if not pollers:
        session.out.note(f"baton: note: no worker polls task queue {session.task_queue!r}; "
                         "reading the workflows' heads from their histories")
    return TemporalWitnesses(client, ask_workers=bool(pollers))


def _store_readable(handler: Handler) -> Handler:
    """The two ways a read-only audit finds the database unusable, said in a sentence."""
    async def run(args: argparse.Namespace, session: Session) -> int:
        import asyncpg

        schema = session.settings.db_schema
        try:
            outcome = handler(args, session)
            return int(await outcome if inspect.isawaitable(outcome) else outcome)
        except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
            raise unreachable(f"the database holds no Baton event store in schema {schema!r}: "
                              "check BATON_DB_SCHEMA and the database URL") from None
        except asyncpg.InsufficientPrivilegeError as error:
            raise unreachable(f"the database user may not read schema {schema!r} ({error}): "
                              "make it a member of baton_auditor (see the README)") from None
    return run


class _Progress:
    """`verified 1200 initiatives, 0 altered` on stderr, at most once a second, and at the end
    of a long or large run."""

    def __init__(self, session: Session) -> None:
        self._clock = time.monotonic
        self._out = session.out
        self._last = self._begun = self._clock()
        self._count = self._altered = 0
        self._shown = False

    def verified(self, verified: VerifiedStream) -> None:
        self._count += 1
        self._altered += not verified.ok
        if self._clock() - self._last >= PROGRESS_EVERY:
            self._show()

    def done(self) -> None:
        if self._shown or self._count >= SUMMARY_FROM:
            self._show()

    def _show(self) -> None:
        self._last = self._clock()
        self._shown = True
        self._out.note(f"verified {self._count} initiatives, {self._altered} altered "
                       f"({self._last - self._begun:.0f} s)")


SUBCOMMANDS = (
    Subcommand("replay", "the initiative rebuilt from the event store, as of a moment",
               "ID [--as-of TIME | --version N]", replay_command, _replay_arguments,
               "Fold the initiative's stored events up to the moment (or version) into its "
               "state, with the timeline up to it: what the workflow reported then. Exit 1 "
               "when the stored events up to it are not as recorded."),
    Subcommand("verify", "check that event histories were not altered", "ID... | --all",
               verify_command, _verify_arguments,
               "Recompute each initiative's hash chain from the event store and compare where "
               "it ends with the stream's head row and with the head the workflow was told. "
               "Exit 1 with the first altered event of each initiative that fails."),
    Subcommand("report", "one initiative's audit record (md, html or json)",
               "ID [--format md|html|json] [-o FILE]", report_command, _report_arguments,
               "Spec and roles, timeline, handoff evidence, checks, ideas, commitments and the "
               "verification, as one document to file. Exit 1 when the record was altered."),
    Subcommand("workflow", "replay Temporal's history and cross-check it with the store", "ID",
               workflow_command, add_initiative_id,
               "While Temporal still holds the workflow's history: replay every run on the "
               "current code (determinism), and check that the store holds exactly the events "
               "the runs appended. Exit 1 on any difference."),
)


def register(commands: CommandTable) -> None:
    listing = "\n".join(f"  {s.name:<10}{s.summary}" for s in SUBCOMMANDS)
    family = commands.family(
        "audit", f"Read-only questions about the record (through BATON_AUDIT_DATABASE_URL when "
                 f"set):\n\n{listing}")
    for sub in SUBCOMMANDS:
        parser = family.add("Audit", sub.name, sub.summary, _store_readable(sub.handler),
                            usage_hint=sub.usage_hint, description=sub.description)
        sub.arguments(parser)
    verify = next(sub for sub in SUBCOMMANDS if sub.name == "verify")
    _verify_arguments(commands.add("Audit", "verify", "the same as `baton audit verify`",
                                   _store_readable(verify.handler), usage_hint=verify.usage_hint,
                                   description=verify.description))
