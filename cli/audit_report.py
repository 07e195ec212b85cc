"""`baton audit report`: the report written to a file or standard output, in Markdown, HTML
(both laid out by `app.audit_documents`) or as the JSON of the report itself."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from app.audit_documents import Report, html_document, markdown
from cli.errors import bad_input
from cli.output import Output


def write_report(report: Report, fmt: str, path: str | None, out: Output) -> None:
    """To `path`, or to standard output; JSON through the same encoder as every `--json`."""
    if fmt == "json":
        _write(path, out, lambda stream: Output(json_mode=True, stdout=stream).result(report, ""))
    else:
        write_text(markdown(report) if fmt == "md" else html_document(report), path, out)


def write_text(text: str, path: str | None, out: Output) -> None:
    """A report already laid out (by the API, say), written as `write_report` writes one."""
    _write(path, out, lambda stream: Output(json_mode=False, stdout=stream).result(None, text))


def _write(path: str | None, out: Output, write: Callable[[TextIO], None]) -> None:
    try:
        stream = open(path, "w", encoding="utf-8") if path else sys.stdout  # noqa: SIM115
    except OSError as error:
        raise bad_input(f"--output: cannot write {path}: {error.strerror}") from None
    try:
        write(stream)
    finally:
        if path:
            stream.close()
    if path:
        out.note(f"report written to {Path(path).resolve()}")
