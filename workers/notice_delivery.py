"""Delivering the notices that appends keep in the store (store/notices.py), beside the worker.

Each notice owes a webhook notice (a log line when no webhook is set) and one e-mail per
addressee the mail settings reach; each is made once, and a retry only makes those still owed.
A refusal that trying again cannot mend (a mail server's 5xx for an address, a webhook's 4xx)
settles it at once; anything else is tried again, a little less often each time, for a week.
An e-mail that never went is recorded on the initiative (`record_undelivered`), so its page shows
who was not told. Appends wake the loop at commit (LISTEN/NOTIFY); it also looks every few
seconds, for a wake lost with its connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import structlog
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from activities.mail import Mailer
from activities.notifications import Notifier
from domain.text import excerpt
from store import EventStore
from store.notices import Claimed, NoticeQueue
from workflows.activity_contracts import MAIL_REFUSED, Notification
from workflows.client import InitiativeClient
from workflows.contracts import Undelivered
from workflows.outbox import NOTIFICATION_GIVE_UP, UNDELIVERED_REASON_LIMIT

log = structlog.get_logger("baton.notices")
WEBHOOK = "webhook"
MAIL = "mail:"
BATCH = 50
# Longer than any one delivery waits (a webhook 10 s, an SMTP exchange 20 s): a lease that ran
# out means its worker died, not that it is slow.
LEASE = timedelta(minutes=2)
LOOK_AGAIN = 5.0  # seconds, when no append wakes the loop
PAUSE_AFTER_TROUBLE = 1.0  # seconds, when the database could not be asked
FIRST_RETRY = timedelta(seconds=1)
LAST_RETRY = timedelta(minutes=1)


def retry_after(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s, ... up to a minute: as the workflow's activities retried."""
    later: timedelta = FIRST_RETRY * 2 ** min(attempts, 16)
    return min(later, LAST_RETRY)


class NoticeDelivery:
    def __init__(self, store: EventStore, notifier: Notifier, mailer: Mailer,
                 initiatives: InitiativeClient) -> None:
        self._store = store
        self._queue = NoticeQueue(store.schema)
        self._notifier = notifier
        self._mailer = mailer
        self._initiatives = initiatives

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Delivering, in this event loop, while the context lasts."""
        task = asyncio.create_task(self._run(), name="notice delivery")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        wake = asyncio.Event()
        while True:
            try:
                async with self._store.listening(self._queue.channel, wake.set) as listener:
                    while not listener.is_closed():
                        wake.clear()
                        if await self.deliver_due() < BATCH:
                            await self._until_due(wake)
            except Exception as error:  # the database away: the notices wait in it
                log.warning("notice delivery paused", error=type(error).__name__)
                await asyncio.sleep(PAUSE_AFTER_TROUBLE)

    async def _until_due(self, wake: asyncio.Event) -> None:
        due = await self._queue.next_due_in(self._store.pool)
        wait = LOOK_AGAIN if due is None else min(LOOK_AGAIN, max(due.total_seconds(), 0.05))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await wake.wait()

    async def deliver_due(self) -> int:
        """Deliver what is due now; how many notices were taken. One notice's trouble is its
        own: the others go on, and its lease brings it back."""
        claimed = await self._queue.claim(self._store.pool, BATCH, LEASE)
        outcomes = await asyncio.gather(*(self._deliver(notice) for notice in claimed),
                                        return_exceptions=True)
        settled = []
        for notice, outcome in zip(claimed, outcomes, strict=True):
            if outcome is True:
                settled.append(notice.notice_id)
            elif isinstance(outcome, Exception):
                log.warning("notice delivery interrupted", notice_id=notice.notice_id,
                            error=type(outcome).__name__)
            elif isinstance(outcome, BaseException):
                raise outcome  # cancelled
        await self._queue.delivered(self._store.pool, settled)  # one statement for them all
        return len(claimed)

    async def _deliver(self, notice: Claimed) -> bool:
        """Whether the notice is settled: every delivery made or given up."""
        try:
            notification = Notification.model_validate(notice.notification)
        except ValidationError as error:  # never deliverable: kept, it would come back forever
            log.error("notice dropped: not a notification", notice_id=notice.notice_id,
                      problems=error.error_count())
            return True
        owed = [WEBHOOK, *(MAIL + to for to in self._mailer.recipients(notification))]
        pending = [d for d in owed if d not in notice.delivered]
        outcomes = await asyncio.gather(
            *(self._make(notification, d, notice.noticed_at) for d in pending),
            return_exceptions=True)
        delivered, failures = set(notice.delivered), []
        week_past = datetime.now(UTC) - notice.recorded_at >= NOTIFICATION_GIVE_UP
        for delivery, outcome in zip(pending, outcomes, strict=True):
            if outcome is None:
                delivered.add(delivery)
            elif not isinstance(outcome, Exception):
                raise outcome  # cancelled: the lease brings the notice back
            elif (refused := _refusal(outcome)) is not None or week_past:
                reason = refused or "gave up after retrying for a week"
                if await self._give_up(notification, delivery, reason):
                    delivered.add(delivery)
                else:
                    failures.append(f"{delivery}: not recorded as undelivered yet")
            else:
                failures.append(f"{delivery}: {outcome}")
        if not failures:
            return True
        await self._queue.try_again(
            self._store.pool, notice.notice_id, frozenset(delivered),
            retry_after(notice.attempts), excerpt("; ".join(failures), UNDELIVERED_REASON_LIMIT))
        return False

    async def _make(self, notification: Notification, delivery: str, at: datetime) -> None:
        if delivery == WEBHOOK:
            await self._notifier.deliver(notification)
        else:
            await self._mailer.mail(notification, delivery.removeprefix(MAIL), at)

    async def _give_up(self, notification: Notification, delivery: str, reason: str) -> bool:
        """Settle a delivery that will not be made; False when that could not be recorded yet."""
        if delivery == WEBHOOK:
            log.error("gave up notifying", notification_id=notification.notification_id,
                      initiative_id=notification.initiative_id, reason=reason)
            return True
        to = delivery.removeprefix(MAIL)
        reason = excerpt(reason, UNDELIVERED_REASON_LIMIT)
        log.error("mail undelivered", notification_id=notification.notification_id,
                  initiative_id=notification.initiative_id, to=to, reason=reason)
        try:
            recorded = await self._initiatives.record_undelivered(
                notification.initiative_id,
                Undelivered(notification_id=notification.notification_id, to=to, reason=reason))
        except Exception as error:  # Temporal away, or the worker slow: the next round tries
            log.warning("undelivered mail not recorded yet", error=type(error).__name__,
                        notification_id=notification.notification_id)
            return False
        if not recorded:
            log.warning("undelivered mail not recorded: the initiative has ended",
                        notification_id=notification.notification_id,
                        initiative_id=notification.initiative_id)
        return True


def _refusal(error: Exception) -> str | None:
    """What a refusal that trying again will not mend said; None for any other failure."""
    if isinstance(error, ApplicationError) and error.non_retryable:
        return error.message if error.type == MAIL_REFUSED else str(error)
    return None
