"""How a use case says no. Every refusal is a `domain.Rejected` with a kind; every door answers
the kind as `DOOR_ANSWERS` says (the CLI with an exit code, the API and the pages with an HTTP
status) and never reads the message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from domain.errors import Rejected, RejectionKind
from domain.spec_problems import WHOLE_SPEC

__all__ = ["DOOR_ANSWERS", "DoorAnswer", "InvalidArgument", "InvalidSpec", "Rejected",
           "RejectionKind", "SpecProblem", "Unconfirmed", "answer_to", "invalid", "not_found",
           "unavailable"]


class DoorAnswer(NamedTuple):
    http_status: int
    # The CLI's (`cli.errors.ExitCode`): 1 refused by the rules, 2 input that is wrong or names
    # nothing that exists, 3 a server that did not answer.
    exit_code: int


DOOR_ANSWERS: dict[RejectionKind, DoorAnswer] = {
    RejectionKind.FORBIDDEN: DoorAnswer(403, 1),
    RejectionKind.CONFLICT: DoorAnswer(409, 1),
    RejectionKind.CLOSED: DoorAnswer(409, 1),
    RejectionKind.INVALID: DoorAnswer(422, 2),
    RejectionKind.NOT_FOUND: DoorAnswer(404, 2),
    RejectionKind.UNAVAILABLE: DoorAnswer(503, 3),
}


def answer_to(rejected: Rejected) -> DoorAnswer:
    return DOOR_ANSWERS[rejected.kind]


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
