"""How a use case says no. Every refusal is a `domain.Rejected` with a kind; a door maps the kind
to its own terms (the CLI to an exit code, the HTTP API to a status) and never reads the message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from domain.errors import Rejected, RejectionKind
from domain.spec_problems import WHOLE_SPEC

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
    field: str  # as the spec spells it (`sustainment.response_within`), or `spec`
    message: str  # what is wrong with it, and what it accepts

    @property
    def text(self) -> str:
        return f"{self.field}: {self.message}"


# The spec reader writes each problem as "line N[, column M]: FIELD: what"; the line where known.
_LOCATED = re.compile(r"(?:line (\d+)(?:, column \d+)?: )?"
                      r"(?:([A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*): )?(.*)", re.S)


class InvalidSpec(Rejected):
    """A launch spec that cannot be accepted; `problems` has one line per problem, each naming
    its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), RejectionKind.INVALID)
        self.problems = problems

    def located(self) -> list[SpecProblem]:
        """Each problem with its line and field apart, in the order of the spec's lines, for
        doors that show them side by side."""
        found = []
        for problem in self.problems:
            match = _LOCATED.fullmatch(problem)
            assert match is not None  # every part is optional
            line, field, message = match.groups()
            found.append(SpecProblem(int(line) if line else None, field or WHOLE_SPEC, message))
        return sorted(found, key=lambda problem: problem.line or 0)


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
