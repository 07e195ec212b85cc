"""The initiative workflow's reading of a check from the spec's metric source: an activity
retried until the check's response window closes, its value recorded as the engine's reading,
its last failure shown on the initiative until then."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import InitiativeState, Rejected
    from domain import commands as cmd
    from domain.envelope import Event, Provenance
    from domain.state import CheckStatus
    from domain.text import for_one_line
    from workflows.activity_contracts import READ_METRIC, MetricReadRequest
    from workflows.contracts import MetricSourceProblem
    from workflows.outbox import ACTIVITY_TIMEOUT, PATIENT


class MetricHost(Protocol):
    """What the mixin uses of the workflow it is mixed into."""

    _state: InitiativeState
    _reading: set[int]
    _source_problem: MetricSourceProblem | None

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None: ...

    async def _record(self, command: cmd.AnyCommand, request_id: str | None = None,
                      provenance: Provenance | None = None) -> list[Event]: ...

    def _start_metric_read(self, check: int) -> None: ...

    async def _read_metric(self, check: int, request: MetricReadRequest) -> None: ...


class MetricReading:
    """Mixed into the initiative workflow (`MetricHost`)."""

    _source_problem: MetricSourceProblem | None  # the workflow sets it first, in its __init__

    def _resume_metric_reads(self: MetricHost) -> None:
        """After continue-as-new, a check still waiting on its source reads it again."""
        for check in self._state.checks:
            if check.status.value == "due":
                self._start_metric_read(check.number)

    def _start_metric_read(self: MetricHost, check: int) -> None:
        source = self._state.require_spec().metric.source
        if source is None or check in self._reading:
            return
        self._reading.add(check)
        self._spawn(self._read_metric(check, MetricReadRequest(
            initiative_id=self._state.initiative_id, check=check, source=source)))

    async def _read_metric(self: MetricHost, check: int, request: MetricReadRequest) -> None:
        spec = self._state.require_spec()
        try:
            value = await workflow.execute_activity(
                READ_METRIC, request, result_type=float, start_to_close_timeout=ACTIVITY_TIMEOUT,
                schedule_to_close_timeout=spec.sustainment.response_within, retry_policy=PATIENT)
            await self._record(cmd.RecordReading(actor=cmd.SYSTEM_ACTOR, value=value))
            self._source_problem = None
        except ActivityError as error:
            workflow.logger.warning("metric source unreadable for check %d; it will escalate",
                                    check, extra={"initiative_id": self._state.initiative_id})
            self._source_problem = MetricSourceProblem(
                check=check, error=for_one_line(str(error.cause or error)),
                tried_at=workflow.now(), giving_up=True)
        except Rejected as rejected:
            # The owner answered the check first, or the source's value is not one to record.
            if self._state.checks[check - 1].status is CheckStatus.DUE:
                self._source_problem = MetricSourceProblem(
                    check=check, error=rejected.reason, tried_at=workflow.now(), giving_up=True)
        finally:
            self._reading.discard(check)
