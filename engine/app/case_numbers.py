"""Readable case numbers: start year + a sequence per year, ``2026-000123``.

A counter row per year is incremented inside the transaction that starts the case
(``UPDATE … SET last = last + 1``): the row lock serialises concurrent starts on
PostgreSQL, SQLite's write lock does the same. The number is stored on the case row
(``cases.case_number``, migration 0006) and never changes.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, update

from ..storage.db import table_of
from ..storage.models import CaseNumberRow
from ..storage.plain import PlainQuery

_COUNTERS = table_of(CaseNumberRow)
_BUMP = (update(_COUNTERS).where(_COUNTERS.c.year == bindparam("b_year")).values(last=_COUNTERS.c.last + 1)
         .returning(_COUNTERS.c.last))
_BUMP_ON_DRIVER = PlainQuery(_BUMP)  # on the driver on PostgreSQL (storage/plain.py)
PATTERN = re.compile(r"^\s*(\d{4})\s*[-/ ]\s*0*(\d{1,9})\s*$")


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:06d}"


def normalise(text: str | None) -> str | None:
    """``2026-123``, ``2026/000123`` or ``2026 123`` → ``2026-000123``; None if it is no case number."""
    match = PATTERN.match(text or "")
    return format_number(int(match.group(1)), int(match.group(2))) if match else None


def next_number(session, year: int) -> str:
    """The next number of ``year``, within the caller's transaction."""
    connection = session.connection()  # a plain statement: the session has nothing to flush for it
    found = _BUMP_ON_DRIVER.rows(connection, {"b_year": year})
    seq = found[0][0] if found else None
    if seq is None:  # the year's first case: make its counter row (a concurrent start may just have)
        dialect = session.get_bind().dialect.name
        insert: Callable[..., Any]
        if dialect == "postgresql":  # each dialect's module is loaded only where it runs
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        connection.execute(insert(_COUNTERS).values(year=year, last=0)
                        .on_conflict_do_nothing(index_elements=["year"]))
        seq = connection.execute(_BUMP, {"b_year": year}).scalar()
    return format_number(year, seq)


__all__ = ["CaseNumberRow", "format_number", "next_number", "normalise"]
