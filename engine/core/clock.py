"""The clock seam: all engine code asks ``clock.now()`` for the time.

The current clock lives in a context variable so that a command can act "at"
a given moment (``--at``), timers can be fired at their own due time and tests
never sleep. Times are always timezone-aware; naive inputs are read as
Europe/Amsterdam local time, which is what a Dutch consultant means.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_fixed: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("werkpad_now", default=None)
# True while the frozen moment is the real time taken at the command's start (no --at, no timer's due time)
_taken_now: contextvars.ContextVar[bool] = contextvars.ContextVar("werkpad_taken_now", default=False)


def now() -> datetime:
    """The current time (UTC, aware); a frozen moment inside :func:`at`."""
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextlib.contextmanager
def at(moment: datetime | None) -> Iterator[datetime]:
    """Run the enclosed code at one frozen moment: ``moment``, or the current time when None.

    A command is one instant. Everything inside it (the event's time, timers armed,
    ``nu()`` in scripts, deadlines) must see the same moment, or replay — which runs
    the command again at the event's recorded time — rebuilds a different state.
    Inside an already frozen moment, None keeps that moment.
    """
    # the wall clock's moment, taken here or by an enclosing command that took it
    real = moment is None and (_fixed.get() is None or _taken_now.get())
    moment = now() if moment is None else to_utc(moment)
    token, flag = _fixed.set(moment), _taken_now.set(real)
    try:
        yield moment
    finally:
        _taken_now.reset(flag)
        _fixed.reset(token)


def is_real_time() -> bool:
    """Whether the current frozen moment is the wall-clock time a command took when it began
    (rather than a moment it was given): a later event on its case then means someone else
    changed the case meanwhile, not that the caller asked for a moment in the past."""
    return _taken_now.get()


def to_utc(value: datetime | date | str) -> datetime:
    """Parse/normalise a moment to aware UTC; naive means Amsterdam time."""
    original = value
    if isinstance(value, str):
        value = parse_moment(value)
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.combine(value, time(0, 0))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=AMSTERDAM)
    try:
        return dt.astimezone(UTC)
    except OverflowError as exc:  # the first hours of year 1 or the last of 9999 in another zone
        shown = original if isinstance(original, str) else original.isoformat()
        raise ValueError(f"tijdstip {shown!r} ligt buiten de kalender (jaar 1 tot en met 9999)") from exc


def moment(value: Any) -> datetime:
    """A moment (datetime, date or ISO text) as aware UTC; anything else is refused."""
    if isinstance(value, datetime | date | str):
        return to_utc(value)
    raise ValueError(f"geen tijdstip: {value!r}")


def parse_moment(text: str) -> datetime:
    """Accept ``2026-03-01``, ``2026-03-01T09:00``, with or without offset/Z."""
    raw = text.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0, 0))
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"ongeldig tijdstip {text!r} (verwacht JJJJ-MM-DD of JJJJ-MM-DDTHH:MM)") from exc


def day_start(day: date) -> datetime:
    """The first moment of a calendar day in Amsterdam, in UTC. The first and last days a date can
    hold (a filter of 0001-01-01 or 9999-12-31) give the first and last moment a datetime can hold."""
    try:
        return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)
    except OverflowError:
        return (datetime.min if day.year == 1 else datetime.max).replace(tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The first moment after a calendar day in Amsterdam (the next day's start), in UTC: the
    exclusive end of a period "up to and including" ``day``."""
    return datetime.max.replace(tzinfo=UTC) if day == date.max else day_start(day + timedelta(days=1))


def local_date(moment: datetime | None = None) -> date:
    """The calendar date in Amsterdam at ``moment`` (default: now)."""
    return (moment or now()).astimezone(AMSTERDAM).date()


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else to_utc(moment).isoformat()
