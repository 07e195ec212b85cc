"""Times, numbers, money and what is not there, written the one way every door shows them: the
command line, the pages, the API's documents, mail and the audit report.

A `Locale` says how one reader writes: the decimal mark of their first language (`5,2` or `5.2`)
and the clock they read. It is plain data, built by the door that knows the reader; nothing here
reads a file or the environment, so the domain stays pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

NOTHING = "—"  # a value that is not there, wherever it would stand

# Languages that write decimals with a point; the others in use write a comma.
POINT_LANGUAGES = frozenset({
    "en", "zh", "ja", "ko", "he", "th", "hi", "ms", "ga", "cy", "mt", "sw", "tl", "fil", "ta",
    "te", "bn", "ur", "ar", "fa", "my", "km", "lo", "gd"})
# Where a comma marks decimals, thousands are grouped by a narrow no-break space: a comma or a
# point between thousands would be read as the decimal mark by one reader or the other.
_TO_COMMA = str.maketrans({",": "\u202f", ".": ","})
SIGNIFICANT = 6  # digits a figure keeps, as `%g` keeps them, but never in an exponent


def decimal_comma(accept_language: str | None) -> bool:
    """Whether the first language of an Accept-Language list writes decimals with a comma."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag and tag != "*":
            return tag.split("-")[0] not in POINT_LANGUAGES
    return False


@dataclass(frozen=True)
class Locale:
    """How one reader writes numbers and which clock they read."""

    comma: bool = False
    zone: tzinfo = UTC

    @classmethod
    def of_languages(cls, accept_language: str | None, zone: tzinfo = UTC) -> Locale:
        return cls(comma=decimal_comma(accept_language), zone=zone)


PLAIN = Locale()  # a point for decimals, UTC: the command line, the audit report, the API


def _marked(text: str, locale: Locale) -> str:
    """`text` written with Python's marks (`1,234.5`) in the reader's."""
    return text.translate(_TO_COMMA) if locale.comma else text


def number(value: float | None, locale: Locale = PLAIN, digits: int = SIGNIFICANT) -> str:
    """`5.2`, `0.000012`, `1,234,568`: `digits` significant digits at most, thousands grouped."""
    if value is None:
        return NOTHING
    if not math.isfinite(value):
        return str(value)
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    places = max(0, digits - 1 - magnitude)
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _marked("0" if text == "-0" else text, locale)


def percent(share: float | None, locale: Locale = PLAIN) -> str:
    """A share of one as a whole percentage: `85%`."""
    return NOTHING if share is None else _marked(f"{share * 100:,.0f}%", locale)


def money(amount: float | None, currency: str = "", locale: Locale = PLAIN, *,
          cents: bool = True) -> str:
    """`40,000.00 EUR`; without `cents`, whole units (`40,000`) where the figure is an estimate
    to read at a glance; without a currency, where a column or a line names it."""
    if amount is None:
        return NOTHING
    figure = _marked(f"{amount:,.{2 if cents else 0}f}", locale)
    return f"{figure} {currency}" if currency else figure


def _moment(value: datetime | str, locale: Locale) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    # A moment without a zone is taken as UTC, never as the clock of the machine showing it.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(locale.zone)


def when(value: datetime | str | None, locale: Locale = PLAIN, *, seconds: bool = False) -> str:
    """A moment, typed or in ISO 8601, on the reader's clock, its zone named:
    `2026-03-01 09:00 UTC` (with `seconds`, `2026-03-01 09:00:05 UTC`). Escalation reasons
    spell moments with it (`domain.deadlines`) and are recorded: its UTC spelling stays."""
    if value is None or value == "":
        return NOTHING
    local = _moment(value, locale)
    time_of_day = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local:%Y-%m-%d} {time_of_day} {local.tzname()}"


def day(value: datetime | str | None, locale: Locale = PLAIN) -> str:
    """The date of a moment on the reader's clock: `2026-03-01`."""
    return NOTHING if value is None or value == "" else f"{_moment(value, locale):%Y-%m-%d}"


def weekday(value: datetime, locale: Locale = PLAIN, today: datetime | None = None) -> str:
    """`Fri 12 Dec` as people say a day, its year only where it is not this year's."""
    local = _moment(value, locale)
    text = f"{local:%a} {local.day} {local:%b}"
    this_year = _moment(today, locale).year if today else local.year
    return text if local.year == this_year else f"{text} {local.year}"


def clock(value: datetime, locale: Locale = PLAIN) -> str:
    """The time of day of a moment on the reader's clock: `17:00`."""
    return f"{_moment(value, locale):%H:%M}"


def due_phrase(due: datetime, now: datetime, zone: tzinfo = UTC) -> str:
    """'due Fri 12 Dec, in 3 days'; 'due today at 17:00'; 'was due Mon 8 Dec, 2 days ago': in
    words, on the clock of `zone`, which has no decimals to write."""
    locale = Locale(zone=zone)
    local, today = _moment(due, locale), _moment(now, locale)
    days = (local.date() - today.date()).days
    relative = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(
        days, f"in {days} days" if days > 0 else f"{-days} days ago")
    verb = "due" if due >= now else "was due"
    if abs(days) <= 1:
        return f"{verb} {relative} at {clock(local, locale)} ({weekday(local, locale, today)})"
    return f"{verb} {weekday(local, locale, today)}, {relative}"


def span(seconds: float | timedelta | None) -> str:
    """A duration, roughly: 45s, 12m, 5h, 3d."""
    if seconds is None:
        return NOTHING
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    seconds = abs(seconds)
    for limit, size, unit in ((90, 1, "s"), (90 * 60, 60, "m"), (36 * 3600, 3600, "h")):
        if seconds < limit:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds / 86400:.0f}d"


def hours_or_days(seconds: float | None, locale: Locale = PLAIN) -> str:
    """A duration to a tenth, in hours up to two days, then in days: `12.5 hours`, `3.5 days`."""
    if seconds is None:
        return NOTHING
    hours = seconds / 3600
    shown_in = (hours / 24, "days") if hours >= 48 else (hours, "hours")
    return f"{_marked(f'{shown_in[0]:,.1f}', locale)} {shown_in[1]}"


def relative(moment: datetime | None, now: datetime) -> str:
    """`in 3d` or `2h ago`."""
    if moment is None:
        return NOTHING
    delta = (moment - now).total_seconds()
    return f"in {span(delta)}" if delta >= 0 else f"{span(delta)} ago"


def shown(value: object, locale: Locale = PLAIN) -> str:
    """Any recorded value as a cell shows it: nothing, yes or no, a moment, a figure, a list."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return when(value, locale, seconds=True)
    if isinstance(value, float):
        return number(value, locale)
    if isinstance(value, list | tuple):
        return ", ".join(shown(item, locale) for item in value)
    return str(value)
