"""Last known heads of recently appended streams, so the next append needs one round trip.

Only ever a hint: the database function re-checks version and head under the stream's row lock
and answers with the actual head when the hint is stale, so a wrong entry costs one extra round
trip, never a wrong chain.
"""

from __future__ import annotations

from collections import OrderedDict

from .models import StreamHead


class HeadCache:
    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._heads: OrderedDict[str, StreamHead] = OrderedDict()

    def get(self, stream_id: str) -> StreamHead | None:
        head = self._heads.get(stream_id)
        if head is not None:
            self._heads.move_to_end(stream_id)
        return head

    def remember(self, stream_id: str, head: StreamHead) -> None:
        self._heads[stream_id] = head
        self._heads.move_to_end(stream_id)
        if len(self._heads) > self._capacity:
            self._heads.popitem(last=False)
