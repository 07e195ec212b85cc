"""The two ways the domain says no: a spec that is not valid, a command the rules refuse."""

from __future__ import annotations


class Rejected(Exception):
    """A command the rules refuse; the message is the one line a person reads."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SpecError(ValueError):
    """A launch spec that cannot be accepted; one line per problem, each naming its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
