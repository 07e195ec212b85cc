"""One way to build a Temporal client, so every worker, CLI command and test agrees on the
address, namespace and payload encoding."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from workers.embedded_temporal import LOOPBACK
from workers.settings import Settings


def temporal_address(settings: Settings) -> str:
    """TEMPORAL_ADDRESS when set, else where `baton up` runs the embedded server."""
    return settings.temporal_address or f"{LOOPBACK}:{settings.temporal_port}"


async def connect_client(settings: Settings, *, address: str | None = None) -> Client:
    """A client that encodes payloads with pydantic (domain types are pydantic models).

    `address` overrides the settings, e.g. for an embedded server on a chosen port.
    """
    target = address or temporal_address(settings)
    try:
        return await Client.connect(
            target,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
        )
    except RuntimeError as error:
        hint = (
            "check TEMPORAL_ADDRESS"
            if settings.temporal_address
            else "is `baton up` running? (or set TEMPORAL_ADDRESS)"
        )
        raise ConnectionError(f"Cannot reach Temporal at {target}: {hint}") from error
