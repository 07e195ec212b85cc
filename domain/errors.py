"""The two ways the domain says no: a spec that is not valid, a command the rules refuse."""

from __future__ import annotations

from enum import StrEnum


class RejectionKind(StrEnum):
    """Why a request is refused, so that each door answers in its own terms (an exit code, an
    HTTP status) without reading the message."""

    FORBIDDEN = "forbidden"  # who is acting may not do this
    CONFLICT = "conflict"  # not in this phase, or already done
    INVALID = "invalid"  # the input itself is wrong
    NOT_FOUND = "not_found"  # no such initiative, step or idea
    CLOSED = "closed"  # the initiative is closed; nothing more can be recorded
    UNAVAILABLE = "unavailable"  # Temporal, PostgreSQL or a worker did not answer


class Rejected(Exception):
    """A command the rules refuse; the message is the one line a person reads."""

    def __init__(self, reason: str, kind: RejectionKind = RejectionKind.CONFLICT) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = RejectionKind(kind)


class SpecError(ValueError):
    """A launch spec that cannot be accepted; one line per problem, each naming its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
