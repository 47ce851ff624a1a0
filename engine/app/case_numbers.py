"""Readable case numbers: start year + a sequence per year, ``2026-000123``.

A counter row per year is incremented inside the transaction that starts the case
(``UPDATE … SET last = last + 1``): the row lock serialises concurrent starts on
PostgreSQL, SQLite's write lock does the same. The number is stored on the case row
(``cases.case_number``, migration 0006) and never changes.
"""
from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..storage.models import CaseNumberRow

PATTERN = re.compile(r"^\s*(\d{4})\s*[-/ ]\s*0*(\d{1,9})\s*$")


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:06d}"


def normalise(text: str | None) -> str | None:
    """``2026-123``, ``2026/000123`` or ``2026 123`` → ``2026-000123``; None if it is no case number."""
    match = PATTERN.match(text or "")
    return format_number(int(match.group(1)), int(match.group(2))) if match else None


def next_number(session, year: int) -> str:
    """The next number of ``year``, within the caller's transaction."""
    bump = (update(CaseNumberRow).where(CaseNumberRow.year == year).values(last=CaseNumberRow.last + 1)
            .returning(CaseNumberRow.last).execution_options(synchronize_session=False))
    seq = session.scalar(bump)
    if seq is None:  # the year's first case: make its counter row (a concurrent start may just have)
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(CaseNumberRow).values(year=year, last=0)
                        .on_conflict_do_nothing(index_elements=["year"]))
        seq = session.scalar(bump)
    return format_number(year, seq)


__all__ = ["CaseNumberRow", "format_number", "next_number", "normalise"]
