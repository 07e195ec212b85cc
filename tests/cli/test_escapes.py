"""Text recorded before today's input rules (or sent by a metric source) reaches terminals and
Markdown records inert."""

from __future__ import annotations

import io

from app.audit_documents import escaped
from cli.output import Output, table


def test_the_terminal_sees_no_control_sequence() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(json_mode=False, stdout=stdout, stderr=stderr)
    out.result({}, "idea: \x1b[2Jwipe\u202eevil\nnext line")
    out.note("from \x07 a bell")
    assert stdout.getvalue() == "idea: \\u001b[2Jwipe\\u202eevil\nnext line\n"
    assert stderr.getvalue() == "from \\u0007 a bell\n"


def test_a_table_cell_stays_on_its_line() -> None:
    assert table(["A", "B"], [["x\ny", "z"]]).splitlines() == ["A     B", "x\\ny  z"]


def test_markdown_cells_cannot_format_link_or_embed() -> None:
    assert escaped("[click](http://evil.example) <img src=x> *bold* | pipe\n`code`") == (
        "\\[click\\](http://evil.example) \\<img src=x\\> \\*bold\\* \\| pipe \\`code\\`")
