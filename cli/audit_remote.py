"""The auditor's questions asked of the HTTP API (BATON_URL and BATON_TOKEN): replay, verify
and report of one initiative at a time, as the token's person (the `auditor` grant, or being
the initiative's PMO). What reads the whole store, or Temporal's histories, needs the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from cli.errors import CliError, ExitCode, bad_input
from cli.remote import Remote

INTACT_HEADER = "Baton-Record-Intact"  # what the API's report answers carry: true or false


def only_through_the_store(what: str) -> CliError:
    return bad_input(f"{what} reads the event store itself; the API answers replay, verify "
                     "and report of named initiatives. Unset BATON_URL and set "
                     "BATON_AUDIT_DATABASE_URL (the auditor's read-only role) for it")


async def replayed(remote: Remote, initiative_id: str, as_of: datetime | None,
                   version: int | None) -> dict[str, Any]:
    params = {key: value for key, value in (
        ("as_of", None if as_of is None else as_of.isoformat()), ("version", version))
        if value is not None}
    answer: dict[str, Any] = await remote.call(
        "GET", f"/initiatives/{initiative_id}/audit/replay", params=params)
    return answer


async def verified(remote: Remote, initiative_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = await remote.call(
        "GET", f"/initiatives/{initiative_id}/audit/verify")
    return answer


async def reported(remote: Remote, initiative_id: str,
                   fmt: str) -> tuple[httpx.Response, bool]:
    """The report as the API lays it out in `fmt`, and whether the record is intact."""
    answer = await remote.request("GET", f"/initiatives/{initiative_id}/audit/report",
                                  params={"format": fmt})
    intact = answer.headers.get(INTACT_HEADER)
    if intact not in ("true", "false"):
        raise CliError(f"the API at {remote.url} did not say whether the record is intact "
                       f"(no {INTACT_HEADER} header)", ExitCode.INTERNAL)
    return answer, intact == "true"
