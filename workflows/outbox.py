"""The notices an initiative owes people, each delivered once: as a webhook notice and, where the
run sends mail, as one e-mail per addressee. A notice stays pending until delivered (or given up
on), so continue-as-new carries it over.

Only runs begun before notices were kept in the store with their events (`KEEP_NOTICES` in
`workflows.initiative`) still deliver from here, and the run after them delivers what they carried
over; every later notice goes from the store (workers/notice_delivery.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.text import excerpt
    from workflows.activity_contracts import (
        MAIL_REFUSED,
        NOTIFY,
        PLAN_MAIL,
        SEND_MAIL,
        MailRequest,
        Notification,
    )

UNDELIVERED_REASON_LIMIT = 500
# Stores and webhooks may be down for a while; activities keep trying, a little less often.
PATIENT = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
ACTIVITY_TIMEOUT = timedelta(seconds=30)
NOTIFICATION_GIVE_UP = timedelta(days=7)

Spawn = Callable[[Coroutine[Any, Any, None]], None]
# Records that `to` was not told of a notice, and why: (notification id, to, reason).
RecordUndelivered = Callable[[str, str, str], Awaitable[None]]


class Outbox:
    def __init__(self, pending: Iterable[Notification], spawn: Spawn,
                 sends_mail: Callable[[], bool], record_undelivered: RecordUndelivered) -> None:
        self.pending = list(pending)
        self._sending: set[str] = set()
        self._spawn = spawn
        self._sends_mail = sends_mail
        self._record_undelivered = record_undelivered

    def add(self, notifications: Iterable[Notification]) -> None:
        self.pending.extend(notifications)

    def dispatch(self) -> None:
        for notification in self.pending:
            if notification.notification_id not in self._sending:
                self._sending.add(notification.notification_id)
                self._spawn(self._send(notification))

    async def _send(self, notification: Notification) -> None:
        sending = [self._notify(notification)]
        if self._sends_mail():
            sending.append(self._mail(notification))
        await asyncio.gather(*sending)
        sent = notification.notification_id
        self.pending = [n for n in self.pending if n.notification_id != sent]
        self._sending.discard(sent)

    async def _notify(self, notification: Notification) -> None:
        try:
            await workflow.execute_activity(
                NOTIFY, notification, start_to_close_timeout=ACTIVITY_TIMEOUT,
                schedule_to_close_timeout=NOTIFICATION_GIVE_UP, retry_policy=PATIENT)
        except ActivityError:
            workflow.logger.error("gave up notifying %s", notification.notification_id)

    async def _mail(self, notification: Notification) -> None:
        """Each addressee's copy goes alone, so a retry for one never repeats another's."""
        recipients = await workflow.execute_local_activity(
            PLAN_MAIL, notification, result_type=list[str],
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=PATIENT)
        await asyncio.gather(*(self._mail_one(notification, to) for to in recipients))

    async def _mail_one(self, notification: Notification, to: str) -> None:
        try:
            await workflow.execute_activity(
                SEND_MAIL, MailRequest(notification=notification, to=to, at=workflow.now()),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                schedule_to_close_timeout=NOTIFICATION_GIVE_UP, retry_policy=PATIENT)
            return
        except ActivityError as error:
            cause = error.cause
            reason = "gave up after retrying for a week"
            if isinstance(cause, ApplicationError) and cause.type == MAIL_REFUSED:
                reason = cause.message
        # A mail server's refusal can be of any length: what is recorded is one bounded line.
        reason = excerpt(reason, UNDELIVERED_REASON_LIMIT)
        workflow.logger.error("mail %s to %s undelivered: %s", notification.notification_id,
                              to, reason)
        await self._record_undelivered(notification.notification_id, to, reason)
