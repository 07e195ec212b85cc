"""Text people type into specs and commands: what each kind of field may hold, said in plain words.

Single-line text (names, ids, actors, titles) ends up in table cells, e-mail subjects and log
lines, where a line break or a terminal control sequence would forge lines of its own: it may hold
no control characters at all. Multi-line text (evidence, ideas, plans, reasons) keeps line breaks,
as `\\n`, and nothing else of the kind. Invisible characters that reorder or hide text (bidi
overrides, zero-width marks) are control characters too for this purpose. Actor ids are compared
as one person: Unicode NFC, and e-mail addresses in lower case.

NUL in particular PostgreSQL stores in neither text nor jsonb: a command holding one would be
accepted, then fail every attempt to record it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Format characters that change how text is shown without being seen: bidi embeddings,
# overrides and isolates, and zero-width characters (a "Trojan source" in a name).
_INVISIBLE = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x00": "NUL",
          "\x1b": "an escape character", "\u2028": "a line separator",
          "\u2029": "a paragraph separator"}


# Control characters are those of the Unicode categories Cc, Cs, Zl and Zp, and the invisible
# ones above: one character class, so that text is checked in one pass of the regex engine
# rather than one Python call per character. The categories are closed sets (Cc is U+0000-001F
# and U+007F-009F, Cs the surrogates, Zl and Zp one character each); a test checks the class
# against the categories over every code point.
_OTHER_CONTROLS = "\x7f-\x9f\ud800-\udfff\u2028\u2029" + "".join(sorted(_INVISIBLE))
_ANY_CONTROL = re.compile("[\x00-\x1f" + _OTHER_CONTROLS + "]")
_CONTROL_BUT_LINE_BREAK = re.compile("[\x00-\x09\x0b-\x1f" + _OTHER_CONTROLS + "]")
_SPACE = re.compile(r"\s")  # what str.isspace says of a character, as Python's re reads \s


def _describe(char: str) -> str:
    return _NAMES.get(char, f"the control character U+{ord(char):04X}")


def _first_control(text: str, *, line_breaks: bool = False) -> str | None:
    found = (_CONTROL_BUT_LINE_BREAK if line_breaks else _ANY_CONTROL).search(text)
    return None if found is None else found.group()


def single_line(text: str) -> str:
    """Refuse line breaks and control characters; NFC so one spelling means one string."""
    text = unicodedata.normalize("NFC", text)
    found = _first_control(text)
    if found is not None:
        raise ValueError(f"must be one line of text, without {_describe(found)}")
    return text


def multi_line(text: str) -> str:
    """Keep line breaks (any spelling of them becomes `\\n`); refuse every other control."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    found = _first_control(text, line_breaks=True)
    if found is not None:
        raise ValueError(f"may hold line breaks but not {_describe(found)}")
    return text


def actor_id(text: str) -> str:
    """One person, one id: NFC, and an e-mail address compared case-insensitively (so kept in
    lower case, which is how it is recorded)."""
    text = single_line(text)
    if _SPACE.search(text):
        raise ValueError("must be a single word (an e-mail address or a user name), "
                         "without spaces")
    return text.lower() if "@" in text else text


ActorText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254),
                      AfterValidator(actor_id)]


def for_terminal(text: str) -> str:
    """Text as a terminal may show it: control characters (but not line breaks) spelled out as
    `\\uXXXX`, so nothing recorded before these rules, or sent by a metric source, can move the
    cursor, recolour the screen or forge a line."""
    return _CONTROL_BUT_LINE_BREAK.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def for_one_line(text: str) -> str:
    """`for_terminal`, with line breaks spelled out too: for table cells and log-like lines."""
    return for_terminal(text).replace("\n", "\\n")


QUOTE_LIMIT = 280  # characters of someone's text that a message or a list quotes


def excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` on one line, cut at a word before `limit` characters with an ellipsis: a quote of
    what someone wrote, short enough to read in passing; the page keeps the whole of it."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip(" ,;:.") + "…"
