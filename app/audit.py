"""What an auditor asks of the record, with read-only rights: the initiative replayed as of a
moment, each stream verified against its witnesses, the audit report, and Temporal's history
replayed and cross-checked with the store. All of it reads the auditor's store (never migrated,
never written)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.context import Context, use_case
from app.errors import Rejected, RejectionKind, not_found
from app.ids import check_initiative_id
from app.presenter import describe_event
from app.visibility import require_seen
from audit import Break, Replayed, VerifiedStream
from audit.digest import Digest, DigestFinding
from audit.report_document import AuditReport, TimelineLine
from audit.verify import Witnesses
from audit.workflow_check import WorkflowCheck
from domain.pull_ideas import with_ideas
from domain.pull_stream import pull_stream_id
from domain.visibility import AuditTrail, Operator, Viewer, may_see

__all__ = ["Break", "Digest", "DigestFinding", "Replayed", "Report", "TimelineLine",
           "VerifiedStream", "WorkflowCheck", "check_digest", "digest", "replay", "report",
           "verify", "workflow"]

PARALLEL_FROM = 300_000  # events in the store: past this, processes pay off

Note = Callable[[str], None]


def _ignore(message: str) -> None:
    pass


async def _require_auditor(context: Context, viewer: Viewer, initiative_id: str) -> None:
    """An initiative the viewer may not see answers as an unknown one; one they see but may not
    audit is refused."""
    from audit import replay as replay_stream

    check_initiative_id(initiative_id)
    if isinstance(viewer, Operator):
        return  # the operator sees every trail (the rule says so): no replay to find out
    latest = (await replay_stream(await context.audit_store(), initiative_id)).state
    require_seen(viewer, latest)
    if not may_see(viewer, AuditTrail(latest)):
        raise Rejected(f"{viewer.id} cannot audit {initiative_id}: it needs the auditor grant, "
                       "or being the initiative's PMO", RejectionKind.FORBIDDEN)


@use_case
async def replay(context: Context, initiative_id: str, *, viewer: Viewer,
                 as_of: datetime | None = None, version: int | None = None) -> Replayed:
    from audit import replay as replay_stream

    await _require_auditor(context, viewer, initiative_id)
    store = await context.audit_store()
    replayed = await replay_stream(store, initiative_id, as_of=as_of, to_version=version)
    if not replayed.events:
        if replayed.latest_version == 0:
            raise not_found(f"unknown initiative {initiative_id}: no events recorded")
        raise not_found(f"initiative {initiative_id} had recorded nothing by "
                        f"{as_of.isoformat() if as_of else version}")
    return replayed


@use_case
async def verify(context: Context, initiative_ids: list[str] | None, *, viewer: Viewer,
                 store_only: bool = False, jobs: int | None = None,
                 on_verified: Callable[[VerifiedStream], None] | None = None,
                 note: Note = _ignore) -> list[VerifiedStream]:
    """`initiative_ids` None: every initiative (the operator's to ask). `note` hears what the
    audit goes without."""
    from audit import verify_streams

    if not initiative_ids and not isinstance(viewer, Operator):  # none named: every one
        raise Rejected("verifying every initiative is the operator's", RejectionKind.FORBIDDEN)
    for iid in initiative_ids or ():
        await _require_auditor(context, viewer, iid)
    store = await context.audit_store()
    witnesses = None if store_only else await _witnesses(context, note)
    processes = jobs if jobs is not None else await _jobs(context, initiative_ids)
    results = await verify_streams(store, initiative_ids or None, witnesses,
                                   on_verified or (lambda verified: None), processes=processes,
                                   dsn=context.where.audit_dsn)
    unknown = [r.audit.stream_id for r in results if r.unknown]
    if unknown and initiative_ids:
        raise not_found(f"unknown initiative {', '.join(unknown)}: no events recorded")
    return results


@use_case
async def digest(context: Context) -> Digest:
    """Every stream's head, for the auditor to keep outside the database (`check_digest`)."""
    from audit.digest import DigestError, take_digest

    try:
        return await take_digest(await context.audit_store())
    except DigestError as error:
        raise Rejected(str(error), RejectionKind.CONFLICT) from None


@use_case
async def check_digest(context: Context, digest_file: str) -> tuple[Digest, list[DigestFinding]]:
    """The digest a file holds (its text), and each stream the store no longer holds as the
    digest saw it: deleted whole, cut short, or rewritten."""
    from audit.digest import DigestError
    from audit.digest import check_digest as check

    try:
        kept = Digest.from_json(digest_file)
        return kept, await check(await context.audit_store(), kept)
    except DigestError as error:
        raise Rejected(f"--digest: {error}", RejectionKind.INVALID) from None


@dataclass(frozen=True)
class Report:
    document: AuditReport  # the sections of the record, as plain data
    intact: bool


@use_case
async def report(context: Context, initiative_id: str, *, viewer: Viewer,
                 store_only: bool = False, note: Note = _ignore,
                 now: datetime | None = None) -> Report:
    from audit.replay import replay_events, replay_pull_events, trusted_prefix
    from audit.report import build_report
    from audit.scan import read_one_stream
    from audit.verify import verify_stored

    await _require_auditor(context, viewer, initiative_id)
    store = await context.audit_store()
    witnesses = None if store_only else await _witnesses(context, note)
    witnessed = await witnesses.witnesses([initiative_id]) if witnesses else {}
    stored = await read_one_stream(store.pool, store.schema, initiative_id)
    verified = await verify_stored(stored, witnessed.get(stored.stream_id), witnesses)
    state, _ = replay_events(stored.stream_id,
                             trusted_prefix(stored.events, verified.audit.first_break))
    if state.spec is None:
        raise not_found(f"unknown initiative {initiative_id}: no launch recorded")
    # The ideas, from their own stream, verified as every stream is.
    pull = await read_one_stream(store.pool, store.schema, pull_stream_id(initiative_id))
    pull_verified = await verify_stored(pull, None, None)
    ideas, _ = replay_pull_events(pull.stream_id,
                                  trusted_prefix(pull.events, pull_verified.audit.first_break))
    document = build_report(verified, stored.events, with_ideas(state, ideas), describe_event,
                            now or datetime.now(UTC), pull=(pull_verified, pull.events))
    return Report(document=document, intact=verified.ok and pull_verified.ok)


@use_case
async def workflow(context: Context, initiative_id: str,
                   replaying: Callable[[int], Any] | None = None) -> WorkflowCheck:
    """`replaying(runs)` is told before the (slow) replay of that many runs begins."""
    from audit.history import fetch_runs
    from audit.history_replay import replay_runs
    from audit.workflow_check import cross_check
    from workflows.contracts import workflow_id_for

    check_initiative_id(initiative_id)
    client = await context.temporal()
    runs = await fetch_runs(client, workflow_id_for(initiative_id))
    if runs is None:
        raise not_found(f"Temporal holds no history of initiative {initiative_id} (unknown, "
                        "or closed longer ago than the namespace's retention); `baton audit "
                        "verify` checks the event store alone")
    if replaying is not None:
        replaying(len(runs.histories))
    replays = await replay_runs(runs.histories)
    # Read after the history, so that a live workflow can only seem behind the store, never
    # ahead of it (see `cross_check`).
    stored = await (await context.audit_store()).read_stream(initiative_id)
    return cross_check(initiative_id, runs, replays, stored)


async def _jobs(context: Context, initiative_ids: list[str] | None) -> int:
    """Processes pay off once hashing and folding outweigh starting them (about a second)."""
    from audit.scan import recorded_events

    store = await context.audit_store()
    if initiative_ids or await recorded_events(store.pool, store.schema) < PARALLEL_FROM:
        return 1
    return os.cpu_count() or 1


async def _witnesses(context: Context, note: Note) -> Witnesses | None:
    """The workflows as witnesses; without Temporal the audit goes on against the head rows."""
    from audit.witnesses import TemporalWitnesses

    try:
        client = await context.temporal()
        pollers = await context.workers_polling()
    except Rejected as error:
        if error.kind is not RejectionKind.UNAVAILABLE:
            raise
        note(f"{error.reason}; checking against the head rows alone")
        return None
    if not pollers:
        note(f"no worker polls task queue {context.where.task_queue!r}; reading the "
             "workflows' heads from their histories")
    return TemporalWitnesses(client, ask_workers=bool(pollers))

