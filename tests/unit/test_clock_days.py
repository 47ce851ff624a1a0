"""A calendar day as a period in UTC (engine/core/clock.py): Amsterdam's midnight, summer and
winter time, and the first and last day a date can hold."""
from __future__ import annotations

from datetime import UTC, date, datetime

from engine.core import clock


def test_a_day_starts_at_midnight_in_amsterdam():
    assert clock.day_start(date(2026, 1, 15)) == datetime(2026, 1, 14, 23, 0, tzinfo=UTC)  # winter time
    assert clock.day_start(date(2026, 7, 15)) == datetime(2026, 7, 14, 22, 0, tzinfo=UTC)  # summer time


def test_a_day_ends_where_the_next_begins_also_across_the_clock_change():
    assert clock.day_end(date(2026, 3, 28)) == clock.day_start(date(2026, 3, 29)) == datetime(2026, 3, 28, 23, 0,
                                                                                           tzinfo=UTC)
    assert clock.day_end(date(2026, 3, 29)) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # a day of 23 hours


def test_the_first_and_last_days_of_the_calendar_do_not_overflow():
    assert clock.day_start(date.min) == datetime.min.replace(tzinfo=UTC)
    assert clock.day_end(date.max) == datetime.max.replace(tzinfo=UTC)
    assert clock.day_start(date.max) < clock.day_end(date.max)
    assert clock.day_end(date(9999, 12, 30)) == clock.day_start(date.max)
