"""A stuck test fails on its own, shows where it was stuck, and lets the rest of the suite run.

pytest-timeout's own methods either raise from a signal handler (which tears the shared event
loop down) or end the whole process. For a coroutine test, the timer here instead prints every
task's stack and cancels the test's task on the session loop: the test fails with the reason and
the next one starts. A test that does not let go within the grace period, and every synchronous
test, falls back to pytest-timeout's thread method, which dumps every thread and exits.
"""

from __future__ import annotations

import asyncio
import faulthandler
import inspect
import os
import sys
import threading
from collections.abc import AsyncIterator
from types import CodeType
from typing import Any

import pytest

# After cancelling a stuck test, how long it may take to unwind before the run is ended.
GRACE_SECONDS = 30.0

_session_loop: asyncio.AbstractEventLoop | None = None
_timers: dict[str, threading.Timer] = {}


@pytest.fixture(scope="session", autouse=True)
async def _loop_for_timeouts() -> AsyncIterator[None]:
    global _session_loop
    _session_loop = asyncio.get_running_loop()
    yield
    _session_loop = None


def _test_code(item: pytest.Item) -> CodeType | None:
    function = getattr(item, "obj", None)
    if function is None or not inspect.iscoroutinefunction(function):
        return None
    code: CodeType = inspect.unwrap(function).__code__
    return code


def _cancel_stuck(loop: asyncio.AbstractEventLoop, code: CodeType, reason: str) -> None:
    """Runs on the loop: every task's stack to stderr, then the test's own task cancelled."""
    print(f"\n=== {reason}; the tasks on the loop:", file=sys.stderr)
    for task in asyncio.all_tasks(loop):
        task.print_stack(file=sys.stderr)
    for task in asyncio.all_tasks(loop):
        if getattr(task.get_coro(), "cr_code", None) is code:
            task.cancel(reason)


def _give_up(reason: str) -> None:
    print(f"\n=== {reason}, and did not end when cancelled; every thread:", file=sys.stderr)
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(1)


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    code = _test_code(item)
    if code is None or settings.timeout <= 0:
        return None  # pytest-timeout's own method
    reason = f"{item.nodeid} ran longer than {settings.timeout:g} s"

    def expire() -> None:
        loop = _session_loop
        if loop is None:
            _give_up(reason)
            return
        loop.call_soon_threadsafe(_cancel_stuck, loop, code, reason)
        last_resort = threading.Timer(GRACE_SECONDS, _give_up, (reason,))
        last_resort.daemon = True
        _timers[item.nodeid] = last_resort
        last_resort.start()

    timer = threading.Timer(settings.timeout, expire)
    timer.daemon = True
    _timers[item.nodeid] = timer
    timer.start()
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool | None:
    timer = _timers.pop(item.nodeid, None)
    if timer is None:
        return None
    timer.cancel()
    return True
