"""`baton` (and `python -m workers.baton`): the command line, composed. The door (`cli/`) gets
the commands that start servers and the use cases' context from here."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cli.args import BatonParser
from cli.main import CommandGroup
from cli.main import build_parser as door_parser
from cli.main import main as door_main
from workers import stack_commands
from workers.composition import context_from_env

SERVER_COMMANDS: tuple[CommandGroup, ...] = (stack_commands,)


def build_parser() -> BatonParser:
    return door_parser(SERVER_COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    return door_main(context_from_env, argv, SERVER_COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
