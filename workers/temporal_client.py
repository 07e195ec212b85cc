"""One way to build a Temporal client, so every worker, CLI command and test agrees on the
address, namespace, credentials and payload encoding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from temporalio.client import Client, Interceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from devstack.embedded_temporal import LOOPBACK
from workers.settings import Settings, SettingsError


def temporal_address(settings: Settings) -> str:
    """TEMPORAL_ADDRESS when set, else where `baton up` runs the embedded server."""
    return settings.temporal_address or f"{LOOPBACK}:{settings.temporal_port}"


async def connect_client(
    settings: Settings,
    *,
    address: str | None = None,
    runtime: Runtime | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> Client:
    """A client that encodes payloads with pydantic (domain types are pydantic models).

    `address` overrides the settings, e.g. for an embedded server on a chosen port.
    `runtime` and `interceptors` carry the worker's metrics and tracing (workers.telemetry).
    """
    target = address or temporal_address(settings)
    tls = tls_config(settings)
    try:
        return await Client.connect(
            target,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            api_key=settings.temporal_api_key if settings.temporal_address else None,
            tls=tls,
            runtime=runtime,
            interceptors=interceptors,
        )
    except RuntimeError as error:
        hint = (
            "check TEMPORAL_ADDRESS and its TLS settings"
            if settings.temporal_address
            else "is `baton up` running? (or set TEMPORAL_ADDRESS)"
        )
        raise ConnectionError(f"Cannot reach Temporal at {target}: {hint}") from error


def tls_config(settings: Settings) -> TLSConfig | bool:
    """How to secure the connection to TEMPORAL_ADDRESS, read from TEMPORAL_TLS*.

    The same rules as Temporal's own environment configuration: TLS is on when asked for,
    or when an API key, a certificate or a server name makes no sense without it. The
    embedded dev server (TEMPORAL_ADDRESS unset) speaks plain gRPC on loopback only.
    """
    if settings.temporal_address is None:
        return False
    cert, key = settings.temporal_tls_client_cert, settings.temporal_tls_client_key
    ca = settings.temporal_tls_server_ca_cert
    needs_tls = any(
        value is not None
        for value in (settings.temporal_api_key, cert, key, ca, settings.temporal_tls_server_name)
    )
    if settings.temporal_tls is False:
        if needs_tls:
            raise SettingsError(
                "TEMPORAL_TLS is false, yet an API key, certificate or server name is set: "
                "those need TLS"
            )
        return False
    if not (settings.temporal_tls or needs_tls):
        return False
    if (cert is None) != (key is None):
        raise SettingsError(
            "mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH"
        )
    return TLSConfig(
        server_root_ca_cert=_read_pem("TEMPORAL_TLS_SERVER_CA_CERT_PATH", ca),
        domain=settings.temporal_tls_server_name,
        client_cert=_read_pem("TEMPORAL_TLS_CLIENT_CERT_PATH", cert),
        client_private_key=_read_pem("TEMPORAL_TLS_CLIENT_KEY_PATH", key),
    )


def _read_pem(variable: str, path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        # The usual cause: the Secret holding it is not mounted where the variable says.
        raise SettingsError(f"{variable}: cannot read {path}: {error.strerror}") from error
