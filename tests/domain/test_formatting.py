"""Times, numbers, money and nothing, as every door writes them (`domain.formatting`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.formatting import (
    NOTHING,
    Locale,
    day,
    hours_or_days,
    money,
    number,
    percent,
    relative,
    shown,
    span,
    weekday,
    when,
)

COMMA = Locale(comma=True)
PARIS = Locale(zone=ZoneInfo("Europe/Paris"))
NARROW = "\u202f"  # between thousands, where a comma marks decimals
MOMENT = datetime(2026, 3, 1, 9, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize("format_nothing", [number, percent, money, when, day, span, shown])
def test_what_is_not_there_shows_as_nothing_everywhere(format_nothing: object) -> None:
    assert format_nothing(None) == NOTHING  # type: ignore[operator]


@pytest.mark.parametrize(("value", "point", "comma"), [
    (5.2, "5.2", "5,2"), (5.0, "5", "5"), (-3.25, "-3.25", "-3,25"), (0.1 + 0.2, "0.3", "0,3"),
    (1234567.891, "1,234,568", f"1{NARROW}234{NARROW}568"),
    (1e15, "1,000,000,000,000,000", f"1{NARROW}000{NARROW}000{NARROW}000{NARROW}000{NARROW}000"),
    (0.000012345, "0.000012345", "0,000012345"), (0.0, "0", "0"), (-0.0, "0", "0")])
def test_numbers_keep_six_digits_in_the_readers_marks_and_never_an_exponent(
        value: float, point: str, comma: str) -> None:
    assert number(value) == point
    assert number(value, COMMA) == comma


def test_fewer_digits_where_a_chart_has_little_room() -> None:
    assert number(12.3456, digits=4) == "12.35"
    assert number(12345.6, digits=4) == "12,346"
    assert number(float("inf")) == "inf"


def test_money_names_its_currency_and_shows_cents_unless_asked_for_whole_units() -> None:
    assert money(40000, "EUR") == "40,000.00 EUR"
    assert money(69041.4, "EUR", cents=False) == "69,041 EUR"
    assert money(1234567.5, "USD", COMMA) == f"1{NARROW}234{NARROW}567,50 USD"
    assert money(20.4) == "20.40"  # where a column names the currency
    assert money(-12.5, "EUR", cents=False) == "-12 EUR"
    assert money(None, "EUR") == NOTHING


def test_shares_are_whole_percentages() -> None:
    assert (percent(0.853), percent(1.0), percent(0.0)) == ("85%", "100%", "0%")
    assert percent(123.45, COMMA) == f"12{NARROW}345%"


def test_moments_read_on_the_readers_clock_with_the_zone_named() -> None:
    assert when(MOMENT) == "2026-03-01 09:00 UTC"
    assert when(MOMENT, seconds=True) == "2026-03-01 09:00:05 UTC"
    assert when(MOMENT, PARIS) == "2026-03-01 10:00 CET"
    assert when(datetime(2026, 7, 1, 22, 30, tzinfo=UTC), PARIS) == "2026-07-02 00:30 CEST"
    assert day(datetime(2026, 7, 1, 22, 30, tzinfo=UTC), PARIS) == "2026-07-02"
    assert when("2026-03-01T09:00:05+00:00") == "2026-03-01 09:00 UTC"  # as JSON spells it
    assert when(datetime(2026, 3, 1, 9, 0)) == "2026-03-01 09:00 UTC"  # no zone: taken as UTC
    assert when("") == NOTHING


def test_days_as_people_say_them() -> None:
    today = datetime(2025, 12, 9, 10, 0, tzinfo=UTC)
    assert weekday(datetime(2025, 12, 12, 9, 0, tzinfo=UTC), PARIS, today) == "Fri 12 Dec"
    assert weekday(datetime(2026, 1, 20, 9, 0, tzinfo=UTC), PARIS, today) == "Tue 20 Jan 2026"


def test_durations_and_distances_in_time_are_rough() -> None:
    assert [span(s) for s in (45, 720, 5 * 3600, 3 * 86400)] == ["45s", "12m", "5h", "3d"]
    assert span(timedelta(hours=-5)) == "5h"
    assert relative(MOMENT + timedelta(days=3), MOMENT) == "in 3d"
    assert relative(MOMENT - timedelta(hours=2), MOMENT) == "2h ago"
    assert relative(None, MOMENT) == NOTHING
    assert hours_or_days(12.5 * 3600) == "12.5 hours"
    assert hours_or_days(3.5 * 86400, COMMA) == "3,5 days"


def test_any_value_shows_as_a_cell() -> None:
    assert [shown(v) for v in ("", [], True, False, 3, 5.2, MOMENT, ["a", None, 2.5])] == [
        NOTHING, NOTHING, "yes", "no", "3", "5.2", "2026-03-01 09:00:05 UTC",
        f"a, {NOTHING}, 2.5"]
    assert shown(5.2, COMMA) == "5,2"
