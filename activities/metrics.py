"""Reading an initiative's metric from its configured source: HTTP GET of a JSON number."""

from __future__ import annotations

import math
from typing import Any

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from workflows.activity_contracts import READ_METRIC, MetricReadRequest

SOURCE_TIMEOUT = httpx.Timeout(10.0)


def extract_number(document: Any, field: str) -> float:
    """`field` may be dotted (`data.value`) to reach into nested objects."""
    value = document
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ValueError(f"field {field!r} not found in the source's answer")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"field {field!r} holds {value!r}, not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"field {field!r} holds {value!r}, not a finite number")
    return number


class MetricReader:
    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client

    @activity.defn(name=READ_METRIC)
    async def read_metric(self, request: MetricReadRequest) -> float:
        client = self._client or httpx.AsyncClient(timeout=SOURCE_TIMEOUT)
        try:
            response = await client.get(request.source.url)
            response.raise_for_status()
            # A source that answers with the wrong shape may be mid-deploy: keep retrying.
            return extract_number(response.json(), request.source.field)
        except (httpx.HTTPError, ValueError) as error:
            raise ApplicationError(
                f"metric source {request.source.url} for check {request.check}: {error}"
            ) from error
        finally:
            if self._client is None:
                await client.aclose()
