"""Telling people: a structured log line always, and a JSON webhook POST when one is configured.

With a secret, each POST is signed the way GitHub and Stripe sign theirs: `Baton-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, so a receiver can tell a delivery from
Baton from a forgery, and a replayed old one by its time (README: Webhooks).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.tls import tls_context
from workflows.activity_contracts import NOTIFY, Notification

log = structlog.get_logger("baton.notifications")
WEBHOOK_TIMEOUT = httpx.Timeout(10.0)
SIGNATURE_HEADER = "Baton-Signature"
# What a webhook receives: the fields it always had, whatever mail needs besides.
WEBHOOK_FIELDS = {"notification_id", "initiative_id", "initiative_name", "kind", "to", "message"}


def signature(secret: str, body: bytes, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Notifier:
    def __init__(self, webhook_url: str | None = None, client: httpx.AsyncClient | None = None,
                 secret: str | None = None):
        self._webhook_url = webhook_url
        self._client = client
        self._secret = secret

    @activity.defn(name=NOTIFY)
    async def notify(self, notification: Notification) -> None:
        """For runs that deliver their notices themselves (`workflows.outbox`)."""
        info = activity.info()
        await self.deliver(notification, attempt=info.attempt, workflow_id=info.workflow_id,
                           run_id=info.workflow_run_id)

    async def deliver(self, notification: Notification, **context: object) -> None:
        """Log it, and POST it to the webhook when there is one. ApplicationError when the
        webhook failed: `non_retryable` when trying again would not help."""
        log.info("notification", notification_id=notification.notification_id,
                 initiative_id=notification.initiative_id, kind=notification.kind,
                 to=notification.to, **context)  # never its message: a person's words
        if self._webhook_url:
            await self._post(notification)

    async def _post(self, notification: Notification) -> None:
        assert self._webhook_url is not None
        client = self._client or httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT,
                                                   verify=tls_context(trust_env=True))
        try:
            # The receiver dedupes on the id: a delivery retried after a lost answer is a copy.
            body = json.dumps(notification.model_dump(mode="json", include=WEBHOOK_FIELDS),
                              separators=(",", ":")).encode()
            headers = {"Idempotency-Key": notification.notification_id,
                       "Content-Type": "application/json"}
            if self._secret:
                headers[SIGNATURE_HEADER] = signature(self._secret, body, int(time.time()))
            response = await client.post(self._webhook_url, content=body, headers=headers)
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
