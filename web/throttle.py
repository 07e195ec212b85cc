"""Slows down guessing credentials: failed authentications are counted per client address and
per presented token's prefix, and past `FAILURES_ALLOWED` in `WINDOW_SECONDS` each further try
waits twice as long as the one before (up to `MAX_WAIT_SECONDS`): 429 with Retry-After.

The counts live in this process: each web replica slows down what reaches it, so behind a load
balancer over N replicas a guesser gets at most N times the allowance.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable

FAILURES_ALLOWED = 10
WINDOW_SECONDS = 60.0
MAX_WAIT_SECONDS = 300.0
# Counters are dropped once quiet, and never kept for more than this many keys at once.
MAX_KEYS = 100_000


class FailureThrottle:
    def __init__(self, allowed: int = FAILURES_ALLOWED, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._allowed = allowed
        self._window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds to wait before any of `keys` may try again; None when none is held back."""
        now = self._clock()
        waits = [self._blocked_until.get(key, 0.0) - now for key in keys]
        longest = max(waits, default=0.0)
        return math.ceil(longest) if longest > 0 else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        if len(self._failures) > MAX_KEYS:
            self._forget_quiet(now)
        for key in keys:
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] < now - self._window:
                recent.popleft()
            excess = len(recent) - self._allowed
            if excess > 0:
                self._blocked_until[key] = now + min(2.0 ** min(excess - 1, 16), MAX_WAIT_SECONDS)

    def _forget_quiet(self, now: float) -> None:
        for key in [k for k, recent in self._failures.items()
                    if not recent or recent[-1] < now - self._window]:
            del self._failures[key]
            if self._blocked_until.get(key, 0.0) <= now:
                self._blocked_until.pop(key, None)
