"""Everything a command writes: results on stdout (text or `--json`), notes and progress on
stderr, so a script can pipe the results while a person still sees what is happening."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TextIO

from app.presenter import json_default
from cli.errors import CliError
from domain.formatting import shown
from domain.text import for_one_line, for_terminal


class Output:
    def __init__(self, json_mode: bool, stdout: TextIO | None = None,
                 stderr: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr

    def result(self, data: Any, text: str | Callable[[], str]) -> None:
        """The command's answer: `data` as JSON with --json, else the text."""
        if self.json_mode:
            self._stdout.write(json.dumps(data, indent=2, default=json_default) + "\n")
        else:
            # Recorded text reaches the terminal here: nothing in it may steer the terminal.
            shown = for_terminal(text if isinstance(text, str) else text())
            self._stdout.write(shown.rstrip("\n") + "\n")
        self._stdout.flush()

    def note(self, message: str) -> None:
        self._stderr.write(for_terminal(message) + "\n")
        self._stderr.flush()

    def error(self, error: CliError) -> None:
        # One problem per line, each saying what it is, so a spec with three problems shows three.
        for line in error.message.splitlines() or [""]:
            self.note(f"baton: {error.label}: {line}")
        if self.json_mode:
            self.result({"error": {"kind": error.label, "exit_code": int(error.code),
                                   "message": error.message, **error.details}}, "")

    @contextmanager
    def step(self, message: str) -> Iterator[None]:
        """`message... done (0.4 s)` on stderr around a slow step."""
        self._stderr.write(f"{message}... ")
        self._stderr.flush()
        begun = time.perf_counter()
        try:
            yield
        except BaseException:
            self._stderr.write("failed\n")
            raise
        self._stderr.write(f"done ({time.perf_counter() - begun:.1f} s)\n")
        self._stderr.flush()

    @asynccontextmanager
    async def patience(self, message: str, after: float = 2.0) -> AsyncIterator[None]:
        """Say `message` on stderr only if the block is still running after `after` seconds."""
        async def announce() -> None:
            await asyncio.sleep(after)
            self.note(message)

        announcer = asyncio.create_task(announce())
        try:
            yield
        finally:
            announcer.cancel()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "") -> str:
    """Aligned columns; numbers align right; each value as every door shows it (an empty cell as
    `NOTHING`)."""
    cells = [[for_one_line(shown(value)) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    numeric = [any(isinstance(row[i], int | float) for row in rows)
               and all(isinstance(row[i], int | float) or row[i] is None for row in rows)
               for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w)
                 for v, w, num in zip(values, widths, numeric, strict=True)]
        return (indent + "  ".join(parts)).rstrip()

    return "\n".join([line(headers), *(line(row) for row in cells)])

