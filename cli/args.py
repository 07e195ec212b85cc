"""The argument parser: one-line usage errors, `--as`/`--json` on every command, commands grouped
by who uses them in the overview, and value types that say what is wrong with a value."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from cli.errors import EXIT_CODES_HELP, ExitCode

if TYPE_CHECKING:
    from cli.session import Session

Handler = Callable[[argparse.Namespace, "Session"], Awaitable[int] | int]

INITIATIVE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class BatonParser(argparse.ArgumentParser):
    """Usage errors in one line that names the argument and points to the help."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())  # arguments quoted in it may hold line breaks
        self.exit(ExitCode.BAD_INPUT,
                  f"baton: error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def _add_common(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # Below the top level, SUPPRESS keeps a subcommand from resetting what was given before it,
    # so `baton --json show X` and `baton show X --json` both work.
    default_actor = None if top_level else argparse.SUPPRESS
    default_json = False if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--as", "--actor", dest="actor", metavar="ACTOR", default=default_actor,
        help="who is acting (default: $BATON_ACTOR)")
    parser.add_argument("--json", action="store_true", default=default_json,
                        help="print the result as JSON")


@dataclass
class CommandTable:
    """Registers subcommands and writes the grouped overview for `baton --help`.

    A family (`family`) is a table of its own for `baton NAME SUBCOMMAND`, whose entries join
    the same overview.
    """

    parser: BatonParser
    prefix: str = ""  # the words before a subcommand's name, e.g. "audit "
    dest: str = "command"
    _subparsers: Any = None
    _groups: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The grouped overview replaces argparse's flat list of commands.
        self._subparsers = self.parser.add_subparsers(
            dest=self.dest, metavar="COMMAND", parser_class=BatonParser, help=argparse.SUPPRESS)

    def add(self, group: str, name: str, summary: str, handler: Handler, *,
            usage_hint: str = "", description: str = "") -> BatonParser:
        self._groups.setdefault(group, []).append(
            (f"{self.prefix}{name} {usage_hint}".strip(), summary))
        sub: BatonParser = self._subparsers.add_parser(
            name, prog=f"baton {self.prefix}{name}", description=description or summary,
            epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_common(sub, top_level=False)
        sub.set_defaults(handler=handler)
        return sub

    def family(self, name: str, description: str) -> CommandTable:
        """`baton NAME SUBCOMMAND ...`; the subcommands added to the returned table are listed
        in this table's overview under the groups they name."""
        parser: BatonParser = self._subparsers.add_parser(
            name, prog=f"baton {self.prefix}{name}", description=description,
            usage=f"baton {self.prefix}{name} SUBCOMMAND [ARGUMENTS]",
            epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_common(parser, top_level=False)
        family = CommandTable(parser, prefix=f"{self.prefix}{name} ",
                              dest=f"{name}_command", _groups=self._groups)
        family._subparsers.required = True
        return family

    def overview(self, width: int = 42) -> str:
        lines = []
        for group, entries in self._groups.items():
            lines.append(f"{group}:")
            for usage, summary in entries:
                if len(usage) > width:  # too long to share a line with its summary
                    lines += [f"  {usage}", f"  {'':{width}}  {summary}"]
                else:
                    lines.append(f"  {usage:{width}}  {summary}")
            lines.append("")
        return "\n".join(lines)


def new_parser() -> tuple[BatonParser, CommandTable]:
    parser = BatonParser(prog="baton", usage="baton [--as ACTOR] [--json] COMMAND [ARGUMENTS]",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(parser, top_level=True)
    return parser, CommandTable(parser)


# -- value types: each raises ArgumentTypeError with the reason, argparse adds the argument --


def finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def initiative_id(text: str) -> str:
    if not INITIATIVE_ID.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an initiative id (lowercase letters, digits and '-', as "
            "`baton launch` prints them)")
    return text


def add_initiative_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("initiative_id", metavar="ID", type=initiative_id,
                        help="the initiative, as `baton launch` printed it")


def duration(text: str) -> str:
    from domain.durations import parse_duration

    try:
        parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text
