"""Running the installed `baton` as a user would: a subprocess with an environment of its own."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR, quick_spec_data

BATON = Path(sys.executable).parent / "baton"

# The caller's own settings must not leak into what the tests run.
_INHERITED = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_line(self) -> str:
        """The one line a failing command prints; fails the test if it printed more."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got:\n{self.stderr}"
        assert "Traceback" not in self.stderr
        return lines[0]

    @property
    def problem_lines(self) -> list[str]:
        """A failing command's problems, one per line, each a line of its own from `baton`."""
        lines = self.stderr.strip().splitlines()
        assert lines and all(line.startswith("baton: ") for line in lines), self.stderr
        assert "Traceback" not in self.stderr
        return lines


class Baton:
    def __init__(self, **env: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if k in _INHERITED}
        self.env.update(env)

    def with_env(self, **env: str) -> Baton:
        return Baton(**{**self.env, **env})

    async def __call__(self, *args: str, actor: str | None = None,
                       timeout: float = 60.0) -> Outcome:
        command = [str(BATON), *args, *(("--as", actor) if actor else ())]
        process = await asyncio.create_subprocess_exec(
            *command, env=self.env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
        assert process.returncode is not None
        return Outcome(process.returncode, stdout.decode(), stderr.decode())

    async def ok(self, *args: str, actor: str | None = None) -> Outcome:
        outcome = await self(*args, actor=actor)
        assert outcome.code == 0, f"baton {' '.join(args)} exited {outcome.code}: " + (
            outcome.stderr)
        return outcome

    async def launched(self, spec: Path, *, approved: bool = False,
                       delivered: bool = False) -> str:
        iid = (await self.ok("launch", str(spec), actor=PMO)).stdout.strip()
        if approved or delivered:
            await self.ok("approve-launch", iid, actor=SPONSOR)
        if delivered:
            await self.ok("deliver", iid, "--value", "5.2", actor=EXPERT)
        return iid

    async def handed_over(self, spec: Path) -> str:
        """Launched and driven to sustaining."""
        iid = await self.launched(spec, delivered=True)
        await self.ok("complete", iid, "sop", actor=EXPERT)
        await self.ok("complete", iid, "control-plan", actor=OWNER)
        await self.ok("accept", iid, actor=OWNER)
        await self.ok("review", iid, "--approve", actor=PMO)
        return iid


def write_spec(directory: Path, name: str = "spec.yaml", **overrides: Any) -> Path:
    """A spec with second-scale sustainment, as a PMO would write it, in YAML."""
    data = quick_spec_data(
        expert_on_call="1h",
        sustainment={"checks": ["1s", "1h"], "tolerance": 0.8, "response_within": "1h"},
    )
    data.update(overrides)
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
