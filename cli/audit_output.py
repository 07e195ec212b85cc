"""What `baton audit replay`, `verify` and `workflow` print as text (their JSON is
`app.audit_json`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cli.output import table
from cli.render_state import at, state_text
from domain.formatting import when

if TYPE_CHECKING:
    from app.audit import Break, Digest, DigestFinding, WorkflowCheck

SHORT_HASH = 16


def _break_text(found: Break, label: str = "ALTERED") -> str:
    return _found_text(found.version, found.reason, label)


def _found_text(version: int | None, reason: str, label: str = "ALTERED") -> str:
    where = f" at version {version}" if version is not None else ""
    return f"{label}{where}: {reason}"


def _moment(value: datetime | str) -> datetime:
    moment = at(value)
    assert moment is not None
    return moment


# -- replay ------------------------------------------------------------------------------------
# Both render the JSON of `app.audit_json` (the API's answer too), so that the same command
# reads the same whether it opened the store or asked the API.


def replayed_moment(replayed: dict[str, Any]) -> datetime:
    """The moment relative times read from ("due in 3d"): the one replayed, not today."""
    timeline = replayed["timeline"]
    if replayed["as_of"] is not None:
        return _moment(replayed["as_of"])
    if timeline and replayed["version"] < replayed["latest_version"]:
        return _moment(timeline[-1]["at"])
    return datetime.now(UTC)


def replay_text(replayed: dict[str, Any]) -> str:
    timeline = replayed["timeline"]
    moment = replayed_moment(replayed)
    lines = [f"As of {when(moment, seconds=True)}: version {replayed['version']} of "
             f"{replayed['latest_version']}, replayed from the event store", ""]
    if replayed["state"] is not None:
        lines += [state_text(replayed["state"], moment), ""]
    lines += ["Timeline", table(
        ["#", "WHEN", "WHO", "WHAT"],
        [[row["version"], when(_moment(row["at"]), seconds=True), row["actor"], row["what"]]
         for row in timeline], indent="  "), ""]
    found = replayed["first_break"]
    if found is None:
        last = timeline[-1]["version"] if timeline else 0
        lines.append(f"Chain intact up to version {last} "
                     f"(hash {replayed['head_hash'][:SHORT_HASH]})")
    else:
        lines.append(_found_text(found["version"], found["reason"])
                     + "; the replay stops before it")
    return "\n".join(lines)


# -- verify ------------------------------------------------------------------------------------


def _checked_against(verified: dict[str, Any]) -> str:
    witness = verified["workflow"]
    return "head row" + (f" + workflow ({witness['source']})" if witness is not None else "")


def _result(verified: dict[str, Any]) -> str:
    if verified["ok"]:
        return "intact"
    return _found_text(verified["broken_version"], verified["reason"])


def verified_text(results: list[dict[str, Any]]) -> str:
    """Rows of `app.audit_json.verified_json`."""
    if not results:
        return "no initiatives to verify"
    lines = [table(
        ["INITIATIVE", "EVENTS", "PHASE", "HEAD", "CHECKED AGAINST", "RESULT"],
        [[r["id"], r["events"], r["phase"], r["head_hash"][:SHORT_HASH], _checked_against(r),
          _result(r)] for r in results])]
    for r in results:
        lines += [f"  {r['id']}: {note}" for note in r["notes"]]
    altered = sum(1 for r in results if not r["ok"])
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
               f"({when(digest.taken_at, seconds=True)})")
    if not findings:
        return f"every stream is as the digest saw it or grew since, {against}"
    return "\n".join([f"{len(findings)} stream(s) not as the digest saw them, {against}:",
                      *(f"  {f.stream_id}: {f.reason}" for f in findings)])
