"""How a use case says no. Every refusal is a `domain.Rejected` with a kind; a door maps the kind
to its own terms (the CLI to an exit code, the HTTP API to a status) and never reads the message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from domain.errors import Rejected, RejectionKind

__all__ = ["InvalidArgument", "InvalidSpec", "Rejected", "RejectionKind", "SpecProblem",
           "Unconfirmed", "invalid", "not_found", "unavailable"]


class InvalidArgument(Rejected):
    """One argument of a request is wrong. `field` is the argument's name in the action's
    argument model (or the request's), so a door can name it as its users typed it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", RejectionKind.INVALID)
        self.field = field
        self.problem = problem


class SpecProblem(NamedTuple):
    line: int | None  # in the spec's YAML, when the problem has one
    text: str  # the field and what is wrong with it


# The spec reader writes each problem as "line N: field: what"; a line of its own where known.
_NUMBERED = re.compile(r"line (\d+): (.*)", re.S)


class InvalidSpec(Rejected):
    """A launch spec that cannot be accepted; `problems` has one line per problem, each naming
    its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), RejectionKind.INVALID)
        self.problems = problems

    def located(self) -> list[SpecProblem]:
        """Each problem with its line number apart, for doors that show the two side by side."""
        found = [(_NUMBERED.fullmatch(problem), problem) for problem in self.problems]
        return [SpecProblem(int(m[1]), m[2]) if m else SpecProblem(None, problem)
                for m, problem in found]


class Unconfirmed(Rejected):
    """The command went out but no worker confirmed it: it may yet be recorded. Sending it again
    with `request_id` records it at most once and answers with what was recorded."""

    def __init__(self, reason: str, request_id: str) -> None:
        super().__init__(reason, RejectionKind.UNAVAILABLE)
        self.request_id = request_id


def invalid(reason: str) -> Rejected:
    return Rejected(reason, RejectionKind.INVALID)


def not_found(reason: str) -> Rejected:
    return Rejected(reason, RejectionKind.NOT_FOUND)


def unavailable(reason: str) -> Rejected:
    return Rejected(reason, RejectionKind.UNAVAILABLE)
