"""Who is acting, as a door authenticated them: the person, their grants, and how they were known.

Doors never take the actor from a request's body: they authenticate first, and every use case is
given the `Identity` that came out of it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.envelope import AuthMethod, Provenance
from domain.spec import ActorId


class Grant(StrEnum):
    """Powers that no spec confers: they come from the token or the identity provider."""

    PMO = "pmo"  # may launch initiatives (and only those whose spec names them as PMO)
    AUDITOR = "auditor"  # may read any initiative's audit trail and the global event feed


class Identity(BaseModel):
    model_config = ConfigDict(frozen=True)

    person: ActorId
    grants: frozenset[Grant] = frozenset()
    provenance: Provenance

    def has(self, grant: Grant) -> bool:
        return grant in self.grants


# Whoever holds the Temporal and database credentials, acting as anyone (`--as`).
OPERATOR = Provenance(method=AuthMethod.OPERATOR)
