"""How the one-shot setup commands (`python -m workers.migrate`,
`python -m workers.register_search_attributes`) end: done, or one line on stderr saying what is
wrong and where, with the CLI's exit codes. A Job or a compose one-shot shows that line as the
reason it failed, so no traceback stands between the operator and the cause."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

from cli.main import exit_skipping_finalization
from domain.errors import Rejected, RejectionKind
from workers.settings import SettingsError

# The CLI's codes (cli.errors.ExitCode): the setup commands are read by the same scripts.
_BAD_INPUT, _UNREACHABLE, _REFUSED = 2, 3, 1


def run_setup_step(program: str, step: Callable[[], Coroutine[Any, Any, None]]) -> NoReturn:
    try:
        asyncio.run(step())
    except SettingsError as error:
        _stop(program, str(error), _BAD_INPUT)
    except Rejected as error:
        code = {RejectionKind.INVALID: _BAD_INPUT,
                RejectionKind.UNAVAILABLE: _UNREACHABLE}.get(error.kind, _REFUSED)
        _stop(program, error.reason, code)
    except PermissionError as error:
        _stop(program, str(error), _REFUSED)
    exit_skipping_finalization(0)


def _stop(program: str, reason: str, code: int) -> NoReturn:
    print(f"{program}: {reason}", file=sys.stderr)
    # As the CLI does: Temporal's Rust threads may abort a finalizing interpreter.
    exit_skipping_finalization(code)
