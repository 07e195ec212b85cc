"""How a command fails: one line for a person, one exit code for a script."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    REJECTED = 1  # the rules refused the command; nothing was recorded
    BAD_INPUT = 2  # an argument, a file or a field is wrong; nothing was recorded
    UNREACHABLE = 3  # Temporal, PostgreSQL or a worker could not be reached
    INTERNAL = 4  # a bug in baton; BATON_LOG_LEVEL=DEBUG shows the traceback


EXIT_CODES_HELP = (
    "exit codes: 0 done, 1 rejected by the rules, 2 bad input or usage, "
    "3 Temporal, PostgreSQL or a worker unreachable"
)

_LABELS = {
    ExitCode.REJECTED: "rejected",
    ExitCode.BAD_INPUT: "error",
    ExitCode.UNREACHABLE: "unreachable",
    ExitCode.INTERNAL: "internal error",
}


class CliError(Exception):
    """Ends the command with `code`; `message` is the whole story, one line per problem."""

    def __init__(self, message: str, code: ExitCode,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        # Each problem on one line, whatever the source said; several problems, several lines.
        self.message = "\n".join(" ".join(line.split()) for line in message.splitlines()
                                 if line.strip())
        self.code = code
        self.details = details or {}  # more for a script, in the JSON of the error

    @property
    def label(self) -> str:
        return _LABELS.get(self.code, "error")


def rejected(message: str) -> CliError:
    return CliError(message, ExitCode.REJECTED)


def bad_input(message: str) -> CliError:
    return CliError(message, ExitCode.BAD_INPUT)


def unreachable(message: str) -> CliError:
    return CliError(message, ExitCode.UNREACHABLE)
