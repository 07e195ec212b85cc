"""Upcasting: stored events keep the schema they were written with; readers see the current one.

An upcaster takes the payload of (type, version) and returns the payload of version + 1. Chains
run until the event reaches the version its payload model declares. Events are never rewritten in
the store: the hash chain covers what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.envelope import Event
from domain.events import PAYLOAD_TYPES

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(function: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = function
        return function
    return register


def current_version(event_type: str) -> int:
    model = PAYLOAD_TYPES.get(event_type)
    return model.VERSION if model else 1


def upcast(event: Event) -> Event:
    target = current_version(event.type)
    if event.schema_version >= target:
        return event
    payload, version = dict(event.payload), event.schema_version
    while version < target:
        try:
            payload = UPCASTERS[(event.type, version)](payload)
        except KeyError:
            raise ValueError(
                f"no upcaster for {event.type} from schema version {version}") from None
        version += 1
    return event.model_copy(update={"payload": payload, "schema_version": version})
