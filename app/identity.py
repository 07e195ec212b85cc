"""Who is acting, as a door authenticated them: the person, their grants, and how they were known.

Doors never take the actor from a request's body: they authenticate first, and every use case is
given the `Identity` that came out of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from domain.envelope import AuthMethod, Provenance
from domain.spec import ActorId
from domain.visibility import Grant, Person

__all__ = ["OPERATOR", "Grant", "Identity", "grants_named"]


def grants_named(names: Iterable[str]) -> frozenset[Grant]:
    """The grants among `names`; a name no longer known grants nothing."""
    known = {grant.value for grant in Grant}
    return frozenset(Grant(name) for name in names if name in known)


class Identity(BaseModel):
    model_config = ConfigDict(frozen=True)

    person: ActorId
    grants: frozenset[Grant] = frozenset()
    provenance: Provenance

    def has(self, grant: Grant) -> bool:
        return grant in self.grants

    @property
    def viewer(self) -> Person:
        """Who is looking, as the rule of who may see what (`domain.visibility`) takes it."""
        return Person(self.person, self.grants)


# Whoever holds the Temporal and database credentials, acting as anyone (`--as`).
OPERATOR = Provenance(method=AuthMethod.OPERATOR)
