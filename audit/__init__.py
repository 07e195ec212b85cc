"""Auditing initiatives: replay from the event store alone, and evidence that nothing was altered.

Pure judgement (`findings`) is kept apart from what feeds it: the store, read in one snapshot
(`scan`, shared by several processes on a large store: `parallel`), and Temporal, whose workflows
witness where each stream should end (`witnesses`) and whose histories record what each run
appended (`history`, `history_replay`, `workflow_check`). Only SELECT is ever needed on the
database, so all of it runs as the read-only auditor role.
"""

from .findings import Break, Checkpoint, StreamAudit, WorkflowWitness
from .replay import Replayed, replay
from .verify import VerifiedStream, verify_streams

__all__ = [
    "Break", "Checkpoint", "Replayed", "StreamAudit", "VerifiedStream", "WorkflowWitness",
    "replay", "verify_streams",
]
