"""A scan's pace for the garbage collector ends with the scan."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from audit.collector import SCAN_THRESHOLD, paced_for_scanning


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """A heap nothing froze, whatever ran before in this process."""
    frozen_before = gc.get_freeze_count() > 0
    gc.unfreeze()
    yield
    if frozen_before:
        gc.freeze()


def test_the_collector_is_as_it_was_after_a_scan_even_a_failed_one(unfrozen: None) -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        with paced_for_scanning():
            assert gc.get_threshold()[0] == SCAN_THRESHOLD
            assert gc.get_freeze_count() > frozen
            raise RuntimeError("the scan failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_a_heap_frozen_before_the_scan_stays_frozen(unfrozen: None) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paced_for_scanning():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_cycles_made_during_a_scan_are_still_collected() -> None:
    class Node:
        other: object = None

    with paced_for_scanning():
        for _ in range(3 * SCAN_THRESHOLD):
            first, second = Node(), Node()
            first.other, second.other = second, first  # a cycle, garbage at once
        assert gc.get_count()[0] < 2 * SCAN_THRESHOLD
