"""The audit's answers as plain data, the same for every door: a replay, a verified stream, a
workflow's cross-check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.presenter import describe_event, state_json
from audit import Break, Replayed, VerifiedStream
from audit.digest import Digest, DigestFinding
from audit.report import timeline, verification
from audit.workflow_check import WorkflowCheck
from domain.deadlines import pending_deadlines
from workflows.contracts import InitiativeView


def replayed_view(replayed: Replayed) -> InitiativeView | None:
    """The replayed state dressed as the workflow's view, so it shows as `show` does."""
    state = replayed.state
    if state.spec is None:
        return None
    return InitiativeView(state=state, head_hash=replayed.head_hash,
                          deadlines=pending_deadlines(state), run_id="")


def break_json(found: Break | None) -> dict[str, Any] | None:
    return None if found is None else {"version": found.version, "reason": found.reason}


def replay_json(replayed: Replayed, as_of: datetime | None) -> dict[str, Any]:
    view = replayed_view(replayed)
    state = state_json(view) if view is not None else None
    if state is not None:
        del state["run_id"]  # no run: the state comes from the store
    return {"id": replayed.initiative_id, "as_of": as_of, "version": replayed.state.version,
            "latest_version": replayed.latest_version, "head_hash": replayed.head_hash,
            "intact": replayed.chain_break is None,
            "first_break": break_json(replayed.chain_break), "state": state,
            "timeline": timeline(replayed.events, describe_event)}


def verified_json(verified: VerifiedStream) -> dict[str, Any]:
    facts = verification(verified)
    found = verified.audit.first_break
    return {"id": verified.audit.stream_id, "ok": verified.ok, "events": verified.audit.events,
            "phase": verified.phase, "head_hash": facts["head_hash"],
            "broken_version": found.version if found else None,
            "reason": found.reason if found else None,
            **{key: facts[key] for key in ("head_row", "workflow", "workflow_note", "notes")}}


def workflow_check_json(check: WorkflowCheck) -> dict[str, Any]:
    return {
        "workflow_id": check.workflow_id, "ok": check.ok, "deterministic": check.deterministic,
        "runs": [{"run_id": run.run_id, "replays": run.failure is None, "failure": run.failure,
                  "appends": run.appends, "versions": run.versions} for run in check.runs],
        "complete_history": check.complete, "finished": check.finished,
        "stored_events": check.stored, "matched": check.matched,
        "covered_from_version": check.covered_from, "in_flight": list(check.in_flight),
        "replay_differences": [break_json(found) for found in check.replay_differences],
        "problems": [break_json(problem) for problem in check.problems],
    }


def digest_check_json(digest: Digest, findings: list[DigestFinding]) -> dict[str, Any]:
    return {"digest": digest.digest, "taken_at": digest.taken_at.isoformat(),
            "streams": len(digest.heads), "ok": not findings,
            "findings": [{"id": f.stream_id, "version": f.version, "reason": f.reason}
                         for f in findings]}
