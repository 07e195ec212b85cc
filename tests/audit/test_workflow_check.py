"""`baton audit workflow`: Temporal's history, replayed on today's code, appended exactly what
the store holds, across continue-as-new runs too."""

from __future__ import annotations

from itertools import pairwise

import asyncpg

from audit.history import fetch_runs
from audit.history_replay import replay_runs
from audit.workflow_check import WorkflowCheck, cross_check
from domain import commands as c
from tests.domain.builders import OWNER
from tests.workflows.scenario import hand_over, quick_spec, wait_for
from workflows.client import InitiativeClient
from workflows.contracts import workflow_id_for

from .conftest import CALM, AuditStack, tamper
from .test_report import eventful


async def checked(stack: AuditStack, iid: str) -> WorkflowCheck:
    runs = await fetch_runs(stack.temporal_client, workflow_id_for(iid))
    assert runs is not None
    return cross_check(iid, runs, await replay_runs(runs.histories),
                       await stack.store.read_stream(iid))


async def test_every_run_replays_and_appended_exactly_what_is_stored(
    audit_stack: AuditStack, admin: asyncpg.Connection
) -> None:
    # A short history limit makes the workflow continue as new a few times.
    initiatives = InitiativeClient(audit_stack.temporal_client, audit_stack.task_queue,
                                   history_limit=40)
    iid = await hand_over(audit_stack.store, initiatives, quick_spec(**CALM))
    first_run = (await initiatives.view(iid)).run_id
    for number in range(8):
        await initiatives.send(iid, c.RecordReading(actor=OWNER, value=5.0 + number / 10))
    await wait_for(initiatives, iid, lambda view: view.run_id != first_run)

    check = await checked(audit_stack, iid)
    assert check.ok, check.problems
    assert len(check.runs) >= 2 and check.complete and check.deterministic
    stored = check.stored
    assert check.matched == stored >= 15
    # The runs take turns: each starts where the one before it stopped.
    versions = [run.versions for run in check.runs if run.versions]
    assert versions[0][0] == 1 and versions[-1][1] == stored
    assert all(later[0] == earlier[1] + 1 for earlier, later in pairwise(versions))

    await tamper(admin, audit_stack.store.schema,
                 f"UPDATE {audit_stack.events_table} SET payload = "
                 "jsonb_set(payload, '{value}', '9.9') "
                 f"WHERE stream_id = '{iid}' AND version = 9")
    check = await checked(audit_stack, iid)
    assert not check.ok
    assert (check.problems[0].version, check.matched) == (9, stored - 1)
    assert "differs from what run" in check.problems[0].reason
    assert "(payload)" in check.problems[0].reason


async def test_baton_audit_workflow_reports_the_cross_check(audit_stack: AuditStack) -> None:
    iid = await audit_stack.recorded()
    outcome = await audit_stack.baton.ok("audit", "workflow", iid, "--json")
    report = outcome.json
    assert (report["ok"], report["deterministic"], report["matched"]) == (True, True, 10)
    text = await audit_stack.baton.ok("audit", "workflow", iid)
    assert "the history and the store agree" in text.stdout

    # Queried while its first task runs, a workflow may finish that task before its append
    # does; the replay then decides the launch at a later clock. The history's own record of
    # the append still vouches for what is stored, so nothing is reported altered.
    polled = await eventful(audit_stack)
    report = (await audit_stack.baton.ok("audit", "workflow", polled, "--json")).json
    assert report["ok"] and report["problems"] == []
    assert report["matched"] + len(report["replay_differences"]) == report["stored_events"]
    unknown = await audit_stack.baton("audit", "workflow", "no-such-initiative")
    assert unknown.code == 2 and "Temporal holds no history" in unknown.error_line
