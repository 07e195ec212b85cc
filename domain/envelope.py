"""The event envelope: what every recorded change of an initiative carries, whatever its kind."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.spec import WITHOUT_NUL

# A fixed namespace makes event ids a pure function of (initiative, sequence): a retried append of
# the same decision carries the same ids, which is what makes appends idempotent.
EVENT_ID_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-5b7a-9c0e-1a2b3c4d5e6f")
# What the hash chain of a stream starts from: the "previous hash" of its first event.
GENESIS_HASH = "0" * 64


def event_id_for(initiative_id: str, sequence: int) -> uuid.UUID:
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"{initiative_id}/{sequence}")


class AuthMethod(StrEnum):
    """How the person behind a command was known."""

    TOKEN = "token"  # a personal token Baton issued; `subject` is the token's id
    OIDC = "oidc"  # a bearer JWT or sign-in from an OpenID Connect provider: `issuer`, `subject`
    OPERATOR = "operator"  # `--as` on a CLI holding the Temporal and database credentials


_Claim = Field(default=None, min_length=1, max_length=512, pattern=WITHOUT_NUL)


class Provenance(BaseModel):
    """How an event's actor was authenticated; part of the hashed envelope when present."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: AuthMethod
    issuer: str | None = _Claim
    subject: str | None = _Claim

    def encoded(self) -> dict[str, str]:
        """The canonical form: unset claims are left out."""
        return self.model_dump(mode="json", exclude_none=True)


class Event(BaseModel):
    """An immutable domain event.

    `payload` holds the kind-specific fields as plain JSON data, so the envelope can be stored,
    hashed and sent over the wire without knowing every kind; `domain.events.payload_of` gives the
    typed view.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    initiative_id: str
    sequence: int = Field(ge=1)
    type: str
    schema_version: int = Field(ge=1)
    actor: str
    occurred_at: datetime
    payload: dict[str, Any]
    # Events recorded before provenance existed (and the engine's own) have none; the canonical
    # encoding then leaves the key out, so their hashes stay what they were.
    provenance: Provenance | None = None
