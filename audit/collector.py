"""The garbage collector's pace during a scan.

A scan builds a few objects per event (the row, its event, the payload's dicts and lists) and
frees nearly all of them by reference count a moment later. At its defaults the collector runs
every 700 allocations and, every hundred runs or so, walks every object the process holds: in a
scan that was more than half of what building events cost. Freezing what the process holds
before the scan keeps those walks short, and running every SCAN_THRESHOLD allocations lets the
events die by reference count before a collection ever looks at them. Cycles are still
collected, so memory stays bounded however large the store.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SCAN_THRESHOLD = 50_000


@contextmanager
def paced_for_scanning() -> Iterator[None]:
    thresholds = gc.get_threshold()
    # A process that froze its heap itself keeps it frozen: unfreezing is all or nothing.
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.set_threshold(SCAN_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()
