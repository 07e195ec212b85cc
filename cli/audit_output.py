"""What `baton audit replay`, `verify` and `workflow` print as text (their JSON is
`app.audit_json`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.audit_json import replayed_view
from app.presenter import describe_event
from cli.output import table, when
from cli.render_state import state_text

if TYPE_CHECKING:
    from app.audit import Break, Digest, DigestFinding, Replayed, VerifiedStream, WorkflowCheck

SHORT_HASH = 16


def _break_text(found: Break, label: str = "ALTERED") -> str:
    where = f" at version {found.version}" if found.version is not None else ""
    return f"{label}{where}: {found.reason}"


def _result(verified: VerifiedStream) -> str:
    found = verified.audit.first_break
    return "intact" if found is None else _break_text(found)


# -- replay ------------------------------------------------------------------------------------


def replay_text(replayed: Replayed, as_of: datetime | None) -> str:
    events, version = replayed.events, replayed.state.version
    latest = replayed.latest_version
    # Relative times ("due in 3d") read from the moment replayed, not from today.
    moment = as_of or (events[-1].event.occurred_at if version < latest else datetime.now(UTC))
    lines = [f"As of {when(moment)}: version {version} of {latest}, replayed from the event "
             "store", ""]
    view = replayed_view(replayed)
    if view is not None:
        lines += [state_text(view, moment), ""]
    lines += ["Timeline", table(
        ["#", "WHEN", "WHO", "WHAT"],
        [[r.version, when(r.event.occurred_at), r.event.actor, describe_event(r.event)]
         for r in events], indent="  "), ""]
    if replayed.chain_break is None:
        lines.append(f"Chain intact up to version {events[-1].version} "
                     f"(hash {replayed.head_hash[:SHORT_HASH]})")
    else:
        lines.append(_break_text(replayed.chain_break) + "; the replay stops before it")
    return "\n".join(lines)


# -- verify ------------------------------------------------------------------------------------


def _checked_against(verified: VerifiedStream) -> str:
    witness = verified.audit.witness
    return "head row" + (f" + workflow ({witness.source})" if witness is not None else "")


def verified_text(results: list[VerifiedStream]) -> str:
    if not results:
        return "no initiatives to verify"
    lines = [table(
        ["INITIATIVE", "EVENTS", "PHASE", "HEAD", "CHECKED AGAINST", "RESULT"],
        [[r.audit.stream_id, r.audit.events, r.phase, r.audit.chain.computed_head[:SHORT_HASH],
          _checked_against(r), _result(r)] for r in results])]
    for r in results:
        lines += [f"  {r.audit.stream_id}: {note}" for note in r.audit.notes]
    altered = sum(1 for r in results if not r.ok)
    if len(results) > 1:
        lines.append(f"{len(results)} initiatives, {altered} altered")
    return "\n".join(lines)


# -- workflow ----------------------------------------------------------------------------------


def workflow_check_text(check: WorkflowCheck) -> str:
    replays = "deterministic" if check.deterministic else "NOT DETERMINISTIC"
    lines = [f"Workflow {check.workflow_id}: {len(check.runs)} run(s) replayed on the current "
             f"code: {replays}", table(
                 ["RUN", "REPLAYS", "APPENDS", "VERSIONS"],
                 [[run.run_id, "yes" if run.failure is None else "NO", run.appends,
                   f"{run.versions[0]}-{run.versions[1]}" if run.versions else None]
                  for run in check.runs], indent="  ")]
    lines.append(f"Store: {check.stored} events; {check.matched} rebuilt exactly by the replay")
    lines += [f"  {_break_text(found, 'replayed otherwise')}"
              for found in check.replay_differences]
    if not check.complete:
        lines.append(f"  Temporal no longer holds the runs before version {check.covered_from}; "
                     "`baton audit verify` covers those")
    if check.in_flight:
        lines.append(f"  versions {', '.join(map(str, check.in_flight))} were recorded after "
                     "the history was read (the workflow is running)")
    if check.ok:
        lines.append("Result: the history and the store agree")
    else:
        lines += [f"Result: {len(check.problems)} difference(s)"] + [
            f"  {_break_text(problem, 'DIFFERS')}" for problem in check.problems]
    return "\n".join(lines)


def digest_check_text(digest: Digest, findings: list[DigestFinding]) -> str:
    against = (f"against the digest {digest.digest[:SHORT_HASH]} of {len(digest.heads)} streams "
               f"({digest.taken_at:%Y-%m-%d %H:%M:%S} UTC)")
    if not findings:
        return f"every stream is as the digest saw it or grew since, {against}"
    return "\n".join([f"{len(findings)} stream(s) not as the digest saw them, {against}:",
                      *(f"  {f.stream_id}: {f.reason}" for f in findings)])
