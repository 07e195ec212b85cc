"""The digest: one e-mail per person per day or week, with their open work and what changed on their
initiatives. `workflows.digest` keeps the durable schedule; these activities say when the next one
is due (from the settings of the worker that runs them) and send them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from typing import Literal

import structlog
from temporalio import activity

from activities.mail import Mailer, is_mail_address
from activities.mail_message import compose
from domain.deadlines import open_windows
from domain.envelope import Event
from domain.formatting import clock, due_phrase, weekday
from domain.state import InitiativeState, Phase, StepStatus
from domain.visibility import Initiative, Person, may_see
from store import EventStore
from store.portfolio import PortfolioReader
from workflows.activity_contracts import NEXT_DIGEST, SEND_DIGESTS, DigestRequest
from workflows.announcements import MY_WORK, commitment_of

log = structlog.get_logger("baton.digest")
Period = Literal["daily", "weekly"]
SEND_AT = time(7, 0)  # local time: before the working day


@dataclass(frozen=True)
class Item:
    person: str
    initiative: str
    what: str
    due_at: datetime | None = None


def open_work(state: InitiativeState) -> list[Item]:
    """What each person owes an initiative now: the decisions and the dated commitments."""
    if state.spec is None or not state.is_open:
        return []
    spec, name = state.spec, state.spec.name
    undated = {
        Phase.PROPOSED: (spec.sponsor, "approve or reject the launch"),
        Phase.IMPROVING: (spec.expert, "deliver the improvement result"),
        Phase.IN_REVIEW: (spec.pmo, "review the handoff"),
    }
    items = []
    if state.phase in undated:
        person, what = undated[state.phase]
        items.append(Item(person, name, what))
    if state.phase is Phase.HANDING_OFF:
        items += [Item(state.holder_of(step.assignee), name, f"complete handoff step "
                       f"'{step.title}'") for step in state.steps
                  if step.status is StepStatus.PENDING and step.due_at is None]
        if all(step.status is StepStatus.DONE for step in state.steps):
            items.append(Item(state.owner, name, "accept ownership"))
    for subject, _, due in open_windows(state):
        person, what = commitment_of(state, subject)
        items.append(Item(person, name, what, due))
    return items


def told_of_changes(state: InitiativeState) -> set[str]:
    """Whose digest tells what changed on the initiative: its people and those who submitted
    ideas to it, as long as they may see it (a submitter taken off the front line may not)."""
    spec = state.require_spec()
    return {person for person in {spec.sponsor, spec.pmo, spec.expert, state.owner,
                                  *(idea.submitted_by for idea in state.ideas)}
            if may_see(Person(person), Initiative(state))}


def _words(event_type: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", event_type).lower().capitalize()


class Digests:
    def __init__(self, store: EventStore, mailer: Mailer, period: Period | None) -> None:
        self._store = store
        self._mailer = mailer
        self._period = period

    @activity.defn(name=NEXT_DIGEST)
    async def next_digest(self, after: datetime) -> datetime | None:
        """The next sending time after `after`, at 07:00 local (weekly: on Monday); None when
        this worker sends no digest."""
        if self._period is None or not self._mailer.enabled:
            return None
        zone = self._mailer.settings.letterhead.timezone
        local = after.astimezone(zone)
        candidate = datetime.combine(local.date(), SEND_AT, tzinfo=zone)
        while candidate <= local or (self._period == "weekly" and candidate.weekday() != 0):
            candidate += timedelta(days=1)
        return candidate

    @activity.defn(name=SEND_DIGESTS)
    async def send_digests(self, request: DigestRequest) -> int:
        """Sends each person's digest once per attempt; a retry skips whom the last attempt
        reached (the heartbeat carries them)."""
        done: set[str] = set()
        if activity.info().heartbeat_details:
            done = set(activity.info().heartbeat_details[0])
        states = [entry.state for entry in
                  await PortfolioReader(self._store.pool, self._store.schema).entries()]
        work: dict[str, list[Item]] = defaultdict(list)
        for state in states:
            for item in open_work(state):
                work[item.person].append(item)
        changes = await self._changes(states, request)
        people = sorted(p for p in set(work) | set(changes) if is_mail_address(p))
        sent = 0
        for person in people:
            if person in done:
                continue
            await self._mailer.deliver(self._digest(person, work[person], changes.get(
                person, []), request), person)
            done.add(person)
            sent += 1
            activity.heartbeat(sorted(done))
        log.info("digests sent", count=sent, since=request.since.isoformat(),
                 until=request.until.isoformat())
        return sent

    async def _changes(self, states: list[InitiativeState],
                       request: DigestRequest) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        locale = self._mailer.settings.letterhead.locale
        for state in states:
            if state.updated_at is None or state.updated_at < request.since:
                continue
            events: list[Event] = [r.event for r in await self._store.read_stream(
                state.initiative_id) if request.since <= r.event.occurred_at < request.until]
            if not events:
                continue
            lines = [f"{weekday(e.occurred_at, locale, request.until)} "
                     f"{clock(e.occurred_at, locale)} "
                     f"{state.require_spec().name}: {_words(e.type)} ({e.actor})"
                     for e in events]
            for person in told_of_changes(state):
                found[person] += lines
        return found

    def _digest(self, person: str, items: list[Item], changes: list[str],
                request: DigestRequest) -> EmailMessage:
        letterhead = self._mailer.settings.letterhead
        locale = letterhead.locale
        lines = [f"{item.initiative}: {item.what}" + (
                     f", {due_phrase(item.due_at, request.until, locale.zone)}" if item.due_at
                     else "")
                 for item in sorted(items, key=lambda i: (i.due_at is None, i.due_at or
                                                           request.until))]
        paragraphs = [f"Your open work ({len(items)}):", *(lines or ["Nothing is waiting on you."])]
        if changes:
            paragraphs += [f"What changed on your initiatives since "
                           f"{weekday(request.since, locale, request.until)}:", *changes]
        period = "weekly" if self._period == "weekly" else "daily"
        return compose(letterhead, to=person, subject=f"[Baton] Your {period} digest: "
                       f"{len(items)} open", paragraphs=paragraphs, page=MY_WORK,
                       action="Your work in Baton", key=f"digest.{request.until:%Y%m%dT%H%M}",
                       at=request.until)
