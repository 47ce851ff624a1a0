"""Dutch working-day calendar for legal deadlines (pure standard library).

Municipal decisions run on statutory terms ("beslistermijn van 8 weken").
Under the Algemene termijnenwet (Atw) a term that ends on a Saturday, Sunday
or an *algemeen erkende feestdag* is extended to the next day that is none of
those (art. 1). This module knows which days those are and does the
calendar-aware date arithmetic needed to compute such deadlines.

Holidays (Atw art. 3):

* lid 1 names Nieuwjaarsdag, tweede Paas- en Pinksterdag, both Kerstdagen,
  Hemelvaartsdag, the day the King's birthday is celebrated (Koningsdag) and
  "de vijfde mei" (Bevrijdingsdag) -- the latter *every* year since the 1981
  amendment. The "only in lustrum years" rule that many people know is a
  CAO / civil-service rule for a day off, not part of the Atw;
  :func:`feestdagen` offers it as an option for such uses.
* lid 2 equates Goede Vrijdag with those days *for the application of the Atw*,
  so it is included by default (it does move deadlines).
* lid 3 lets the government equate further days by decree (published every
  three years in the Staatscourant, e.g. the Friday after Ascension Day).
  Those are not derivable from a rule; callers pass them via ``gelijkgesteld``.

Eerste Paasdag and Eerste Pinksterdag are Sundays anyway; they are listed so
that :func:`feestdagen` reads like a normal holiday calendar.

Not implemented: Atw art. 2 (a term of at least three days is extended so it
contains at least two working days) -- only relevant for very short terms.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TypeVar

__all__ = [
    "pasen",
    "feestdagen",
    "is_werkdag",
    "volgende_werkdag",
    "werkdagen_na",
    "plus_duur",
    "termijn_einde",
    "parse_duur",
]

D = TypeVar("D", date, datetime)


def pasen(jaar: int) -> date:
    """Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher).

    Every other movable holiday is an offset from Easter, so this is the root
    of the whole calendar.
    """
    if not 1583 <= jaar <= 9999:
        raise ValueError(f"year {jaar} is outside the Gregorian range 1583-9999")
    golden = jaar % 19
    century, year_in_century = divmod(jaar, 100)
    leap_centuries, century_rest = divmod(century, 4)
    moon_correction = (century + 8) // 25
    solar_correction = (century - moon_correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - solar_correction + 15) % 30
    leap_years, year_rest = divmod(year_in_century, 4)
    weekday_offset = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    correction = (golden + 11 * epact + 22 * weekday_offset) // 451
    month, day = divmod(epact + weekday_offset - 7 * correction + 114, 31)
    return date(jaar, month, day + 1)


def _koningsdag(jaar: int) -> tuple[date, str]:
    """The day the monarch's birthday is celebrated; moved back if it is a Sunday."""
    if jaar >= 2014:
        dag = date(jaar, 4, 27)
        naam = "Koningsdag"
    else:
        # Koninginnedag 30 April (celebrated on the 29th when the 30th was a
        # Sunday, the rule used from 1980 to 2013).
        dag = date(jaar, 4, 30)
        naam = "Koninginnedag"
    if dag.weekday() == 6:
        dag -= timedelta(days=1)
    return dag, naam


@lru_cache(maxsize=256)
def _feestdagen(
    jaar: int, goede_vrijdag: bool, bevrijdingsdag_elk_jaar: bool
) -> tuple[tuple[date, str], ...]:
    paas = pasen(jaar)
    dagen: list[tuple[date, str]] = [
        (date(jaar, 1, 1), "Nieuwjaarsdag"),
        (paas, "Eerste Paasdag"),
        (paas + timedelta(days=1), "Tweede Paasdag"),
        _koningsdag(jaar),
        (paas + timedelta(days=39), "Hemelvaartsdag"),
        (paas + timedelta(days=49), "Eerste Pinksterdag"),
        (paas + timedelta(days=50), "Tweede Pinksterdag"),
        (date(jaar, 12, 25), "Eerste Kerstdag"),
        (date(jaar, 12, 26), "Tweede Kerstdag"),
    ]
    if goede_vrijdag:
        dagen.append((paas - timedelta(days=2), "Goede Vrijdag"))
    if bevrijdingsdag_elk_jaar or jaar % 5 == 0:
        dagen.append((date(jaar, 5, 5), "Bevrijdingsdag"))
    # Hemelvaartsdag can fall on 5 May (e.g. 2016) or 27 April; keep both names.
    merged: dict[date, str] = {}
    for dag, naam in dagen:
        merged[dag] = f"{merged[dag]} / {naam}" if dag in merged else naam
    return tuple(sorted(merged.items()))


def feestdagen(
    jaar: int,
    inclusief_goede_vrijdag: bool = True,
    *,
    bevrijdingsdag_elk_jaar: bool = True,
) -> dict[date, str]:
    """Holidays of ``jaar`` that move legal deadlines, mapped to their Dutch name.

    The defaults follow the Algemene termijnenwet: Goede Vrijdag is equated
    with the holidays by art. 3 lid 2, and 5 May counts every year (art. 3
    lid 1). Set ``inclusief_goede_vrijdag=False`` for the bare art. 3 lid 1
    list, and ``bevrijdingsdag_elk_jaar=False`` for the lustrum rule (5 May
    only when ``jaar % 5 == 0``) that CAOs use for days off.
    Days equated by decree (art. 3 lid 3) are not included.
    """
    return dict(_feestdagen(jaar, inclusief_goede_vrijdag, bevrijdingsdag_elk_jaar))


@lru_cache(maxsize=256)
def _atw_feestdagen(jaar: int) -> frozenset[date]:
    return frozenset(dag for dag, _ in _feestdagen(jaar, True, True))


def is_werkdag(d: date, *, gelijkgesteld: Collection[date] = ()) -> bool:
    """True for Monday-Friday that is not an Atw holiday nor in ``gelijkgesteld``.

    ``gelijkgesteld`` carries the days equated by decree (Atw art. 3 lid 3),
    which the host has to supply from the current Staatscourant publication.
    """
    if isinstance(d, datetime):
        d = d.date()
    if d.weekday() >= 5:
        return False
    return d not in _atw_feestdagen(d.year) and d not in gelijkgesteld


def volgende_werkdag(d: date, *, gelijkgesteld: Collection[date] = ()) -> date:
    """``d`` itself if it is a working day, else the first working day after it.

    This is the Atw art. 1 rule for a term that ends on a weekend or holiday.
    """
    if isinstance(d, datetime):
        d = d.date()
    while not is_werkdag(d, gelijkgesteld=gelijkgesteld):
        d += timedelta(days=1)
    return d


def werkdagen_na(d: date, n: int, *, gelijkgesteld: Collection[date] = ()) -> date:
    """The date ``n`` working days after ``d`` (``d`` itself is never counted).

    ``n == 0`` returns :func:`volgende_werkdag` of ``d``. Counting starts the
    day after ``d``, so Saturday + 1 working day is the following Monday.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"number of working days must be an integer, got {n!r}")
    if n < 0:
        raise ValueError(f"number of working days must be >= 0, got {n}")
    if isinstance(d, datetime):
        d = d.date()
    if n == 0:
        return volgende_werkdag(d, gelijkgesteld=gelijkgesteld)
    while n:
        d += timedelta(days=1)
        if is_werkdag(d, gelijkgesteld=gelijkgesteld):
            n -= 1
    return d


_DUUR_RE = re.compile(
    r"P(?!$)"
    r"(?:(?P<jaren>\d+)Y)?"
    r"(?:(?P<maanden>\d+)M)?"
    r"(?:(?P<weken>\d+)W)?"
    r"(?:(?P<dagen>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<uren>\d+)H)?(?:(?P<minuten>\d+)M)?(?:(?P<seconden>\d+)S)?)?"
)
_MAX_DUUR_DIGITS = 9


def parse_duur(duur: str) -> tuple[int, int, int, int, int, int, int]:
    """Parse ``PnYnMnWnDTnHnMnS`` into (years, months, weeks, days, hours, minutes, seconds).

    Fractions and negative durations are refused: legal terms are whole
    units, and a silent approximation would move a deadline.
    """
    if not isinstance(duur, str):
        raise ValueError(f"duration must be a string like 'P8W', got {type(duur).__name__}")
    match = _DUUR_RE.fullmatch(duur)
    if match is None:
        raise ValueError(
            f"invalid ISO-8601 duration {duur!r}: expected e.g. 'P8W', 'P3M', 'P1Y2M', 'P28D' or 'PT2H' "
            "(whole numbers only, at least one part)"
        )
    parts = match.group("jaren", "maanden", "weken", "dagen", "uren", "minuten", "seconden")
    if any(p is not None and len(p) > _MAX_DUUR_DIGITS for p in parts):
        raise ValueError(f"duration {duur!r} is unreasonably large")
    jaren, maanden, weken, dagen, uren, minuten, seconden = (int(p) if p else 0 for p in parts)
    return jaren, maanden, weken, dagen, uren, minuten, seconden


def schaal_duur(duur: str, keer: int) -> str:
    """``duur`` times ``keer``: 'P3M' times 4 is 'P12M' (the n-th cycle counted from its anchor)."""
    tekst = str(duur).strip().upper()
    if keer == 1:
        return tekst
    jaren, maanden, weken, dagen, uren, minuten, seconden = parse_duur(tekst)
    datum = "".join(f"{n * keer}{eenheid}" for n, eenheid in
                    ((jaren, "Y"), (maanden, "M"), (weken, "W"), (dagen, "D")) if n)
    tijd = "".join(f"{n * keer}{eenheid}" for n, eenheid in ((uren, "H"), (minuten, "M"), (seconden, "S")) if n)
    if not datum and not tijd:
        datum = "0D"
    return "P" + datum + ("T" + tijd if tijd else "")


def leeftijd(geboren: date, op: date) -> int:
    """Age in full years on ``op``; someone born on 29 Feb ages on 1 March in common years."""
    return op.year - geboren.year - ((op.month, op.day) < (geboren.month, geboren.day))


def _plus_maanden(d: D, maanden: int) -> D:
    """Add calendar months, clamping the day to the end of the target month."""
    if not maanden:
        return d
    index = d.year * 12 + (d.month - 1) + maanden
    jaar, maand0 = divmod(index, 12)
    if not 1 <= jaar <= 9999:
        raise ValueError("resulting date is outside the supported range (years 1-9999)")
    dag = min(d.day, calendar.monthrange(jaar, maand0 + 1)[1])
    return d.replace(year=jaar, month=maand0 + 1, day=dag)


def plus_duur(dt: D, duur: str) -> D:
    """``dt`` plus an ISO-8601 duration, calendar-aware; returns the same type.

    Years and months are added first (31 Jan + P1M = 28/29 Feb), then weeks
    and days, then the time part. A plain ``date`` cannot take a time part.
    No working-day shift is applied; see :func:`termijn_einde` for that.
    """
    if not isinstance(dt, date):
        raise ValueError(f"expected a date or datetime, got {type(dt).__name__}")
    jaren, maanden, weken, dagen, uren, minuten, seconden = parse_duur(duur)
    if not isinstance(dt, datetime) and (uren or minuten or seconden):
        raise ValueError(f"duration {duur!r} has a time part, which cannot be added to a date")
    try:
        result = _plus_maanden(dt, jaren * 12 + maanden)
        result = result + timedelta(weeks=weken, days=dagen)
        if isinstance(dt, datetime):
            result = result + timedelta(hours=uren, minutes=minuten, seconds=seconden)
    except OverflowError as exc:
        raise ValueError("resulting date is outside the supported range (years 1-9999)") from exc
    return result


def termijn_einde(start: date, duur: str, *, gelijkgesteld: Collection[date] = ()) -> date:
    """Last day of a statutory term: ``start`` + ``duur``, then moved by Atw art. 1.

    Example: a decision term of 8 weeks (``P8W``) that would end on Tweede
    Paasdag ends on the Tuesday after it.
    """
    if isinstance(start, datetime):
        start = start.date()
    return volgende_werkdag(plus_duur(start, duur), gelijkgesteld=gelijkgesteld)
