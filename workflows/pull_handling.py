"""The initiative workflow's handling of the front line's commands, recorded on the pull stream.

A command is decided on the ideas it names, read from the store (`PullSide.read`), under the same
lock as every other command, and remembered by its request like them. A task that appended and
was lost leaves the stream ahead of what the workflow knew: the next read brings those events,
which are told as if just recorded, and the requests they answered are answered.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import InitiativeState, Rejected, RejectionKind
    from domain import commands as cmd
    from domain import events as ev
    from domain.envelope import Event, Provenance
    from domain.pull_decide import (
        PullCommand,
        carry_over,
        decide_pull,
        escalate_triage,
        named_ideas,
        remind_triage,
        separate_pull,
    )
    from domain.pull_ideas import carried_ids, folded_ideas, ideas_named, with_ideas
    from domain.pull_stream import pull_stream_id
    from domain.state import IdeaState
    from domain.upcasting import upcast
    from workflows.activity_contracts import AppendOutcome, Notification, PullAppendOutcome
    from workflows.announcements import announcements_for
    from workflows.outbox import Outbox
    from workflows.pull import CARRY_OVER_BATCH, PullSide
    from workflows.refusals import refused_by_store
    from workflows.requests import RequestMemory, command_fingerprint, request_key


class PullHost(Protocol):
    """What the mixin uses of the workflow it is mixed into."""

    _state: InitiativeState
    _lock: asyncio.Lock
    _pull: PullSide
    _pull_stream: bool
    _notices_kept: bool
    _requests: RequestMemory
    _outbox: Outbox
    _changed: bool

    async def _append(self, events: list[Event], request_key: str | None) -> AppendOutcome: ...

    def _apply(self, events: list[Event], head_hash: str) -> None: ...

    def _adopt(self, outcome: AppendOutcome) -> None: ...

    async def _answered(self, key: str, request_id: str,
                        fingerprint: str) -> list[Event] | None: ...

    def _index_search_attributes(self) -> None: ...

    async def _flag_stuck(self, command: cmd.AnyCommand, reason: str) -> None: ...

    async def _append_pull(self, expected_version: int, events: list[Event], key: str | None,
                           ideas: tuple[IdeaState, ...],
                           command: PullCommand | None = None) -> PullAppendOutcome: ...

    async def _adopt_pull(self, recorded: list[Event],
                          answered: dict[str, tuple[int, int]]) -> None: ...

    def _announce_pull(self, ideas: tuple[IdeaState, ...], events: list[Event]) -> None: ...

    async def _carry_over_ideas(self) -> None: ...


class PullHandling:
    """Mixed into the initiative workflow, whose state, lock and request memory it shares
    (`PullHost`)."""

    async def _record_pull(self: PullHost, command: PullCommand, request_id: str | None,
                           provenance: Provenance | None) -> list[Event]:
        await workflow.wait_condition(lambda: self._state.version > 0)
        key = None if request_id is None else request_key(command.actor, request_id)
        fingerprint = command_fingerprint(command)

        async def answered() -> list[Event] | None:
            if key is None or request_id is None:
                return None
            return await self._answered(key, request_id, fingerprint)

        async with self._lock:
            if (found := await answered()) is not None:
                return found
            await self._carry_over_ideas()
            while True:
                read = await self._pull.read(named_ideas(command), command.actor)
                if read.ahead:
                    await self._adopt_pull(read.ahead, read.answered)
                    if (found := await answered()) is not None:
                        return found
                pull = read.pull
                events = decide_pull(self._state, pull, command, workflow.now())
                if provenance is not None:
                    events = [e.model_copy(update={"provenance": provenance}) for e in events]
                outcome = await self._append_pull(pull.version, events, key, pull.ideas,
                                                  command)
                if outcome.appended:
                    events = outcome.recorded or events
                    self._announce_pull(pull.ideas, events)
                    break
                await self._adopt_pull(outcome.recorded, outcome.answered)
                if (found := await answered()) is not None:
                    return found
            if key is not None:
                self._requests.remember(key, fingerprint, events, workflow.now(),
                                        pull_stream_id(self._state.initiative_id))
            return events

    async def _append_pull(self: PullHost, expected_version: int, events: list[Event],
                           key: str | None, ideas: tuple[IdeaState, ...],
                           command: PullCommand | None = None) -> PullAppendOutcome:
        """`ideas` holds (at least) those the events name, before them: whom the events tell
        is judged on them. Refused by the store (the same events would be refused again): the
        initiative is flagged stuck, as for any command, so the PMO hears of it; the next
        command reads the ideas afresh, so nothing waits behind this one."""
        notices = pull_notices(self._state, ideas, events) if self._notices_kept else []
        try:
            return await self._pull.append(expected_version, events, key, notices)
        except (ActivityError, ApplicationError) as error:
            reason = refused_by_store(error)
            if reason is None:
                raise
            kind = command.kind if command is not None else "escalate"
            await self._flag_stuck(command or cmd.Escalate(
                actor=cmd.SYSTEM_ACTOR, subject="ideas", reason="triage overdue"), reason)
            raise Rejected(f"{kind} could not be recorded ({reason}); the initiative is flagged "
                           "stuck and the PMO is told", RejectionKind.INVALID) from None

    async def _adopt_pull(self: PullHost, recorded: list[Event],
                          answered: dict[str, tuple[int, int]]) -> None:
        if not recorded:
            return
        if self._notices_kept:  # the lost task's append kept its notices
            self._announce_pull((), [])
        else:
            named = sorted({idea for event in recorded
                            for idea in ideas_named(ev.payload_of(upcast(event)))})
            after = (await self._pull.read(named, cmd.SYSTEM_ACTOR)).pull.ideas if named else ()
            self._announce_pull(after, recorded)
        first = recorded[0].sequence
        for key, (low, high) in answered.items():
            self._requests.remember(key, None, recorded[low - first:high - first + 1],
                                    workflow.now(), pull_stream_id(self._state.initiative_id))

    def _announce_pull(self: PullHost, ideas: tuple[IdeaState, ...], events: list[Event]) -> None:
        """Tell whom the events concern (unless the append kept that in the store); `ideas`
        holds (at least) those they name, before them."""
        if not self._notices_kept:
            self._outbox.add(pull_notices(self._state, ideas, events))
            self._outbox.dispatch()
        self._index_search_attributes()
        self._changed = True

    async def _on_triage_due(self: PullHost, idea_id: str, escalate: bool) -> None:
        """An idea's triage is overdue (`escalate`: the sponsor hears of it) or falls due
        soon (the owner is reminded)."""
        decide_due = escalate_triage if escalate else remind_triage
        async with self._lock:
            read = await self._pull.read([idea_id], cmd.SYSTEM_ACTOR)
            await self._adopt_pull(read.ahead, read.answered)
            try:
                events = decide_due(self._state, read.pull, idea_id, workflow.now())
                outcome = await self._append_pull(read.pull.version, events, None,
                                                  read.pull.ideas)
            except Rejected as refused:
                # Still the one due, and not recordable: wait for the next command's read
                # rather than wake again at once.
                field = "next_triage" if escalate else "next_reminder"
                still = getattr(self._pull.ledger, field)
                if still is not None and still.idea_id == idea_id:
                    self._pull.ledger = self._pull.ledger.model_copy(update={field: None})
                workflow.logger.info("triage due not recorded: %s", refused.reason)
                return  # answered meanwhile, or refused: the read brought the next one due
            if outcome.appended:
                events = outcome.recorded or events
                self._announce_pull(read.pull.ideas, events)
            else:
                await self._adopt_pull(outcome.recorded, outcome.answered)

    async def _carry_over_ideas(self: PullHost) -> None:
        """Ideas recorded with the initiative, before pull had a stream of its own, move to the
        pull stream; then the initiative records that its state holds none. Under the lock."""
        if not self._pull_stream or not self._state.ideas:
            return
        remaining = list(self._state.ideas)
        version = (await self._pull.read([], cmd.SYSTEM_ACTOR)).pull.version
        while remaining:
            batch = remaining[:CARRY_OVER_BATCH]
            outcome = await self._pull.append(
                version, carry_over(self._state, batch, version, workflow.now()), None)
            version = outcome.version
            done = {i.id for i in batch} if outcome.appended else carried_ids(outcome.recorded)
            remaining = [idea for idea in remaining if idea.id not in done]
        events = separate_pull(self._state, len(self._state.ideas), workflow.now())
        separated = await self._append(events, None)
        if separated.appended:
            self._apply(separated.recorded or events, separated.head_hash)
        else:
            self._adopt(separated)


def pull_notices(state: InitiativeState, ideas: tuple[IdeaState, ...],
                 events: list[Event]) -> list[Notification]:
    """Whom a pull stream's `events` tell, judged on the `ideas` they name as they were before."""
    return announcements_for(with_ideas(state, folded_ideas(ideas, events)), events)
