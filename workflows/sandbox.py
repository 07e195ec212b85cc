"""The sandbox initiative workflows run in, shared by the worker and the auditor's replayer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import CodeType
from typing import Any, cast

from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    SerializationContext,
    WorkflowSerializationContext,
)
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance

# The domain and the workflow's contracts are pure and immutable, so every workflow run can share
# one import of them instead of re-importing them into its sandbox: a new run starts about 20%
# sooner. The workflow module itself stays sandboxed, so its restrictions still apply.
SHARED_PURE_MODULES = ("domain", "workflows.activity_contracts", "workflows.contracts",
                       "workflows.notifications", "workflows.announcements",
                       "workflows.search_attributes")


@lru_cache(maxsize=256)
def _compiled(code: str) -> CodeType:
    return compile(code, "<string>", "exec")


class _CompiledOnceInstance(_Instance):
    """The sandbox's own instance, with each snippet it runs compiled once rather than on every
    run: it enters the sandbox through `exec` of a few fixed lines for every activation and
    several times more for every payload it encodes or decodes, and compiling those lines
    again each time was about 8% of the worker's CPU under load. What runs, and with which
    globals, restrictions and flags, is unchanged: `exec` takes the compiled code as it takes
    the text."""

    def _run_code(self, code: str, **extra_globals: Any) -> None:
        super()._run_code(cast(str, _compiled(code)), **extra_globals)


class _ContextFreeInstance(_CompiledOnceInstance):
    """For a data converter that ignores serialization contexts (`ignores_context`): the
    worker asks the workflow, inside the sandbox, for the context of every payload it encodes
    or decodes, several times over, only to hand it to a converter that returns itself for any
    context. That was another 11% of the worker's CPU. With no context, the worker uses its
    converter as it is, which for such a converter is the same converter."""

    def get_serialization_context(self, command_info: Any) -> SerializationContext | None:
        return None


def ignores_context(converter: DataConverter) -> bool:
    """Whether `converter` comes back unchanged for a workflow's and an activity's context:
    then no payload's encoding depends on where it goes."""
    contexts: tuple[SerializationContext, ...] = (
        WorkflowSerializationContext(namespace="default", workflow_id="w"),
        ActivitySerializationContext(
            namespace="default", activity_id="1", activity_type="a", activity_task_queue="q",
            workflow_id="w", workflow_type="t", is_local=False),
    )
    return all(converter.with_context(context) is converter for context in contexts)


@dataclass(frozen=True)
class BatonSandboxRunner(SandboxedWorkflowRunner):
    context_free: bool = False

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        instance = _ContextFreeInstance if self.context_free else _CompiledOnceInstance
        return instance(det, self.runner_class, self.restrictions)


def workflow_runner(converter: DataConverter) -> SandboxedWorkflowRunner:
    """The sandbox for workflows whose payloads go through `converter`."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*SHARED_PURE_MODULES)
    return BatonSandboxRunner(restrictions=restrictions, context_free=ignores_context(converter))
