"""Turning what the layers below raise into the one line and exit code a person gets."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit

from cli.errors import CliError, bad_input, rejected, unreachable

# The rules say these when a command names something that does not exist: the input is wrong,
# not the request, so they are bad input (2) rather than a rejection (1).
_MISSING_THINGS = ("unknown initiative", "unknown step", "unknown idea")

_NEXT_STEP = "run `baton up` (or `baton up --detach`)"


def from_rejection(reason: str) -> CliError:
    if reason.startswith(_MISSING_THINGS):
        return bad_input(reason)
    return rejected(reason)


def temporal_unreachable(address: str, configured: bool) -> CliError:
    hint = "check TEMPORAL_ADDRESS" if configured else f"{_NEXT_STEP}, or set TEMPORAL_ADDRESS"
    return unreachable(f"cannot reach Temporal at {address}: {hint}")


def postgres_unreachable(dsn: str, detail: str, configured: bool,
                         variable: str = "DATABASE_URL") -> CliError:
    hint = f"check {variable}" if configured else f"{_NEXT_STEP}, or set {variable}"
    return unreachable(f"cannot reach PostgreSQL at {redact(dsn)} ({detail}): {hint}")


def redact(dsn: str) -> str:
    """The DSN without its password, fit to print."""
    parts = urlsplit(dsn)
    if not parts.password:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def translate(error: BaseException, temporal_address: str) -> CliError | None:
    """The CliError for a failure of the layers below, or None for a bug.

    Only modules the command already loaded are consulted: a failure cannot come from a
    module that was never imported, and importing one now would only slow the error down.
    """
    if isinstance(error, CliError):
        return error
    domain_errors = sys.modules.get("domain.errors")
    if domain_errors is not None and isinstance(error, domain_errors.Rejected):
        return from_rejection(error.reason)
    settings = sys.modules.get("workers.settings")
    if settings is not None and isinstance(error, settings.SettingsError):
        return bad_input(str(error))
    service = sys.modules.get("temporalio.service")
    if service is not None and isinstance(error, service.RPCError) and error.status in (
        service.RPCStatusCode.UNAVAILABLE, service.RPCStatusCode.DEADLINE_EXCEEDED,
    ):
        return unreachable(f"lost Temporal at {temporal_address}: {error.message}")
    store_errors = sys.modules.get("store.errors")
    if store_errors is not None and isinstance(error, store_errors.MigrationError):
        return unreachable(f"the database cannot be used as it is: {error}")
    embedded = sys.modules.get("workers.embedded_temporal")
    if embedded is not None and isinstance(error, embedded.EmbeddedTemporalError):
        return unreachable(str(error))
    return None
