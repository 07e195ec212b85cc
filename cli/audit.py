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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cli.args import BatonParser, CommandTable, Handler, add_initiative_id, initiative_id
from cli.errors import ExitCode, bad_input
from cli.session import Session
from domain import formatting

if TYPE_CHECKING:
    from app.audit import VerifiedStream

PROGRESS_EVERY = 1.0  # seconds between progress lines on stderr
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
                             "store holds 300,000 events or more, else one)")
    parser.add_argument("--digest", metavar="FILE",
                        help="with --all: also check the store against a digest that `baton "
                             "audit digest` wrote (finds streams deleted whole)")


def _digest_arguments(parser: BatonParser) -> None:
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write the digest to FILE instead of standard output")


def _report_arguments(parser: BatonParser) -> None:
    add_initiative_id(parser)
    parser.add_argument("--format", choices=("md", "html", "json"), default=None,
                        help="md (the default), html (one file that opens offline) or json")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--store-only", action="store_true",
                        help="do not ask Temporal for the workflow's head")


async def replay_command(args: argparse.Namespace, session: Session) -> int:
    from cli.audit_output import replay_text

    remote = session.remote()
    if remote is not None:
        from cli.audit_remote import replayed

        data = await replayed(remote, args.initiative_id, args.as_of, args.version)
    else:
        from app.audit import replay
        from app.audit_json import replay_json
        from domain.visibility import THE_OPERATOR

        data = replay_json(await replay(session.context(), args.initiative_id,
                                        viewer=THE_OPERATOR, as_of=args.as_of,
                                        version=args.version), args.as_of)
    session.out.result(data, lambda: replay_text(data))
    return ExitCode.OK if data["intact"] else ExitCode.REJECTED


async def verify_command(args: argparse.Namespace, session: Session) -> int:
    from cli.audit_output import verified_text

    if bool(args.initiative_ids) == args.all:
        raise bad_input("name the initiatives to verify, or pass --all (not both)")
    if args.digest is not None and not args.all:
        raise bad_input("--digest checks the whole store: use it with --all")
    remote = session.remote()
    if remote is not None:
        from cli.audit_remote import only_through_the_store, verified

        if args.all or args.store_only or args.jobs is not None:
            raise only_through_the_store("--all, --store-only and --jobs")
        rows = [await verified(remote, iid) for iid in args.initiative_ids]
        session.out.result(rows, lambda: verified_text(rows))
        return ExitCode.OK if all(row["ok"] for row in rows) else ExitCode.REJECTED
    from app.audit import verify
    from app.audit_json import verified_json
    from domain.visibility import THE_OPERATOR

    kept = _read_digest(args.digest) if args.digest is not None else None
    progress = _Progress(session)
    results = await verify(session.context(), args.initiative_ids or None, viewer=THE_OPERATOR,
                           store_only=args.store_only, jobs=args.jobs,
                           on_verified=progress.verified, note=_note(session))
    progress.done()
    ok = all(r.ok for r in results)
    shown = [verified_json(r) for r in results]
    if kept is None:
        session.out.result(shown, lambda: verified_text(shown))
        return ExitCode.OK if ok else ExitCode.REJECTED
    from app.audit import check_digest
    from app.audit_json import digest_check_json
    from cli.audit_output import digest_check_text

    digest, findings = await check_digest(session.context(), kept)
    session.out.result(
        {"verified": shown, "digest": digest_check_json(digest, findings)},
        lambda: verified_text(shown) + "\n" + digest_check_text(digest, findings))
    return ExitCode.OK if ok and not findings else ExitCode.REJECTED


def _read_digest(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except (OSError, UnicodeDecodeError) as error:
        raise bad_input(f"--digest {path}: cannot read it ({error})") from None


async def digest_command(args: argparse.Namespace, session: Session) -> int:
    from app.audit import digest

    _store_only_command(session, "`baton audit digest`")

    taken = await digest(session.context())
    text = taken.to_json()
    if args.output is None:
        print(text, end="")
    else:
        try:
            with open(args.output, "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as error:
            raise bad_input(f"--output {args.output}: cannot write it ({error})") from None
    session.out.note(f"digest {taken.digest} of {len(taken.heads)} streams, taken "
                     f"{formatting.when(taken.taken_at, seconds=True)}: keep it (or at least this "
                     "line) outside the database")
    return ExitCode.OK


async def report_command(args: argparse.Namespace, session: Session) -> int:
    from cli.audit_report import write_report, write_text

    fmt = args.format or ("json" if args.json else "md")
    remote = session.remote()
    if remote is not None:
        from cli.audit_remote import only_through_the_store, reported

        if args.store_only:
            raise only_through_the_store("--store-only")
        answer, intact = await reported(remote, args.initiative_id, fmt)
        if fmt == "json":  # through the same encoder as a report written here
            write_report(answer.json(), fmt, args.output, session.out)
        else:
            write_text(answer.text, args.output, session.out)
        return ExitCode.OK if intact else ExitCode.REJECTED
    from app.audit import report
    from domain.visibility import THE_OPERATOR

    filed = await report(session.context(), args.initiative_id, viewer=THE_OPERATOR,
                         store_only=args.store_only,
                         note=_note(session))
    write_report(filed.document, fmt, args.output, session.out)
    return ExitCode.OK if filed.intact else ExitCode.REJECTED


async def workflow_command(args: argparse.Namespace, session: Session) -> int:
    from app.audit import workflow
    from app.audit_json import workflow_check_json
    from cli.audit_output import workflow_check_text

    _store_only_command(session, "`baton audit workflow`")

    def replaying(runs: int) -> None:
        session.out.note(f"replaying {runs} run(s) on the current code")

    check = await workflow(session.context(), args.initiative_id, replaying)
    session.out.result(workflow_check_json(check), lambda: workflow_check_text(check))
    return ExitCode.OK if check.ok else ExitCode.REJECTED


def _store_only_command(session: Session, command: str) -> None:
    if session.remote() is not None:
        from cli.audit_remote import only_through_the_store

        raise only_through_the_store(command)


def _note(session: Session) -> Callable[[str], None]:
    return lambda message: session.out.note(f"baton: note: {message}")


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
    Subcommand("verify", "check that event histories were not altered",
               "ID... | --all [--digest FILE]",
               verify_command, _verify_arguments,
               "Recompute each initiative's hash chain from the event store and compare where "
               "it ends with the stream's head row and with the head the workflow was told. "
               "Exit 1 with the first altered event of each initiative that fails."),
    Subcommand("digest", "a digest of every stream's head, for the auditor to keep",
               "[-o FILE]", digest_command, _digest_arguments,
               "Write every stream's version and head hash, and their SHA-256, as JSON. Kept "
               "outside the database, it is the witness of which streams the store held: "
               "`verify --all --digest FILE` later finds a stream deleted whole, cut short or "
               "rewritten since. Exit 1 when a head row disagrees with its last event."),
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
        parser = family.add("Audit", sub.name, sub.summary, sub.handler,
                            usage_hint=sub.usage_hint, description=sub.description)
        sub.arguments(parser)
    verify = next(sub for sub in SUBCOMMANDS if sub.name == "verify")
    _verify_arguments(commands.add("Audit", "verify", "the same as `baton audit verify`",
                                   verify.handler, usage_hint=verify.usage_hint,
                                   description=verify.description))
