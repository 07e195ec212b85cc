"""A stuck coroutine test fails alone, naming where it was stuck, and the next test still runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STUCK = '''
import asyncio

async def test_stuck() -> None:
    await asyncio.Event().wait()

async def test_after() -> None:
    await asyncio.sleep(0)
'''


def test_a_stuck_test_is_cancelled_with_its_stack_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_stuck.py").write_text(STUCK)
    options = ["timeout=2", "asyncio_mode=auto", "asyncio_default_test_loop_scope=session",
               "asyncio_default_fixture_loop_scope=session"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.timeouts", "-p", "no:cacheprovider",
         "-q", "--rootdir", str(tmp_path), *(f"-o{option}" for option in options),
         str(tmp_path / "test_stuck.py")],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1])
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    assert "test_stuck.py::test_stuck ran longer than 2 s" in run.stdout
    assert "await asyncio.Event().wait()" in run.stdout  # the stuck task's own stack
