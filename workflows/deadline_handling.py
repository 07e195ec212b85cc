"""The initiative workflow's clock: sleeping until the earliest deadline (or until it moves),
firing those due through the same `_record` as people's commands, and the search attributes
(phase, owner, overdue) that the list of initiatives filters on."""

from __future__ import annotations

import contextlib
from typing import Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import InitiativeState, Rejected
    from domain import commands as cmd
    from domain.commitments import commitments
    from domain.deadlines import Deadline, moot, pending_deadlines
    from domain.envelope import Event, Provenance
    from workflows import search_attributes as attrs
    from workflows.contracts import InitiativeInput
    from workflows.pull import PullSide, pull_deadline

# Runs begun before announcements, e-mail and early reminders replay without them.
ANNOUNCE = "announcements-mail-reminders"


class DeadlineHost(Protocol):
    """What the mixin uses of the workflow it is mixed into."""

    _state: InitiativeState
    _changed: bool
    _pull_stream: bool
    _pull: PullSide
    _index: bool
    _indexed: tuple[str, str, bool] | None

    async def _record(self, command: cmd.AnyCommand, request_id: str | None = None,
                      provenance: Provenance | None = None) -> list[Event]: ...

    async def _on_triage_due(self, idea_id: str, escalate: bool) -> None: ...

    def _start_metric_read(self, check: int) -> None: ...

    def _should_continue_as_new(self, start: InitiativeInput) -> bool: ...

    def _deadlines(self, announce: bool | None = None) -> list[Deadline]: ...

    def _index_search_attributes(self) -> None: ...


class DeadlineHandling:
    """Mixed into the initiative workflow, whose state it reads (`DeadlineHost`)."""

    _indexed: tuple[str, str, bool] | None  # the search attributes last set

    async def _sleep_until_due_or_changed(self: DeadlineHost, start: InitiativeInput) -> None:
        """Sleep until the earliest deadline, or until it moves; a change that leaves it where
        it was (most updates) keeps the same timer, so the history does not fill with timers."""
        deadlines = self._deadlines()
        waiting_for = deadlines[0].at if deadlines else None
        timeout = None
        if waiting_for is not None:
            timeout = (waiting_for - workflow.now()).total_seconds()
            if timeout <= 0:
                return

        def woken() -> bool:
            due = self._deadlines() if self._changed else deadlines
            self._changed = False
            moved = (due[0].at if due else None) != waiting_for
            return moved or not self._state.is_open or self._should_continue_as_new(start)

        self._changed = False
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(woken, timeout=timeout, timeout_summary="next deadline")

    def _deadlines(self: DeadlineHost, announce: bool | None = None) -> list[Deadline]:
        """`announce`: whether reminders count, given by a query (which may not ask `patched`).
        """
        now = workflow.now()
        announce = workflow.patched(ANNOUNCE) if announce is None else announce
        found = pending_deadlines(self._state)
        if self._pull_stream and self._state.is_open:
            found = sorted((*found, *self._pull.deadlines(self._state.require_spec())),
                           key=lambda d: d.at)
        return [d for d in found if not moot(d, now) and (
            announce or not isinstance(d.command, cmd.RemindDueSoon))]

    async def _fire_due_deadlines(self: DeadlineHost) -> None:
        now = workflow.now()
        for deadline in [d for d in self._deadlines() if d.at <= now]:
            about_idea = pull_deadline(deadline) if self._pull_stream else None
            if about_idea is not None:
                await self._on_triage_due(*about_idea)
                continue
            try:
                await self._record(deadline.command)
            except Rejected:
                continue  # a person acted first; nothing is due any more
            if isinstance(deadline.command, cmd.OpenCheck):
                self._start_metric_read(deadline.command.check)
        self._index_search_attributes()

    def _index_search_attributes(self: DeadlineHost) -> None:
        if not self._index:
            return
        now = workflow.now()
        triage = self._pull.ledger.next_triage if self._pull_stream else None
        overdue = any(c.overdue(now) for c in commitments(self._state)) or (
            triage is not None and triage.due_at < now)
        values = (self._state.phase.value, self._state.owner, overdue)
        if values != self._indexed:
            self._indexed = values
            workflow.upsert_search_attributes([
                attrs.PHASE.value_set(values[0]), attrs.OWNER.value_set(values[1]),
                attrs.OVERDUE.value_set(values[2])])
