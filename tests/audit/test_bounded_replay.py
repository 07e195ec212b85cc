"""A replay that never ends is abandoned in time; one that ends gives its result or its error."""

from __future__ import annotations

import asyncio

import pytest

from audit.history_replay import _on_own_thread


async def _forever() -> int:
    await asyncio.Event().wait()
    return 0


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


async def _failure() -> None:
    raise ValueError("no such history")


async def test_work_that_never_ends_is_abandoned() -> None:
    assert await _on_own_thread(_forever, 0.2) is None


async def test_work_that_ends_gives_its_result_or_its_error() -> None:
    assert await _on_own_thread(_answer, 10) == 42
    with pytest.raises(ValueError, match="no such history"):
        await _on_own_thread(_failure, 10)
