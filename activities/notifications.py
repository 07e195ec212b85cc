"""Telling people: a structured log line always, and a JSON webhook POST when one is configured."""

from __future__ import annotations

import httpx
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from workflows.activity_contracts import NOTIFY, Notification

log = structlog.get_logger("baton.notifications")
WEBHOOK_TIMEOUT = httpx.Timeout(10.0)


class Notifier:
    def __init__(self, webhook_url: str | None = None, client: httpx.AsyncClient | None = None):
        self._webhook_url = webhook_url
        self._client = client

    @activity.defn(name=NOTIFY)
    async def notify(self, notification: Notification) -> None:
        info = activity.info()
        log.info("notification", notification_id=notification.notification_id,
                 initiative_id=notification.initiative_id, kind=notification.kind,
                 to=notification.to, message=notification.message,
                 workflow_id=info.workflow_id, run_id=info.workflow_run_id,
                 attempt=info.attempt)
        if self._webhook_url:
            await self._post(notification)

    async def _post(self, notification: Notification) -> None:
        assert self._webhook_url is not None
        client = self._client or httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT)
        try:
            # The receiver dedupes on the id: a delivery retried after a lost answer is a copy.
            response = await client.post(
                self._webhook_url, json=notification.model_dump(mode="json"),
                headers={"Idempotency-Key": notification.notification_id})
        except httpx.HTTPError as error:
            raise ApplicationError(f"webhook unreachable: {error!r}") from error
        finally:
            if self._client is None:
                await client.aclose()
        if response.status_code >= 400:
            # 4xx other than 408/429 will not get better by retrying.
            retryable = response.status_code >= 500 or response.status_code in (408, 429)
            raise ApplicationError(f"webhook answered {response.status_code}",
                                   non_retryable=not retryable)
