"""Read a case's rows (and write its access-log row) with the database driver alone, without SQLAlchemy.

A short-lived process (``werkpad case show``) would spend most of its life importing
SQLAlchemy's ORM (half a second of CPU on a small machine) to run five SELECTs. This
module runs the same SELECTs on the driver (``sqlite3``; ``psycopg`` for PostgreSQL)
in one read transaction and returns plain rows with the same column names and the
same Python values as the ORM's (datetimes aware in UTC, dates as dates).

:func:`append_row` writes one row (the access-log row of such a read) the same way, in a
transaction of its own, with the values as the ORM would store them.

It answers only what it can answer exactly: :func:`open_reader` returns None for a
URL it does not know (an in-memory or other-driver database), and the caller then
takes the ordinary path; so does any error while reading.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

Row = dict[str, Any]

CASE_COLUMNS = ("id", "definition_id", "process_key", "municipality", "organisation", "bsn", "client_name",
                "birthdate", "status", "phase", "state", "error", "started_at", "updated_at", "ended_at",
                "case_number")
TASK_COLUMNS = ("id", "case_id", "spec", "name", "lane", "form", "phase", "due_at", "status", "claimed_by",
                "created_at")
TIMER_COLUMNS = ("task_id", "spec", "name", "kind", "due_at")
NOTE_COLUMNS = ("at", "actor", "payload")
DATETIMES = {"started_at", "updated_at", "ended_at", "due_at", "created_at", "at"}


def _moment(value: Any) -> datetime | None:
    """As engine.storage.models.UTCDateTime reads it: naive values are UTC, aware ones converted."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps 'YYYY-MM-DD HH:MM:SS[.ffffff]'
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"geen tijdstip: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row(columns: tuple[str, ...], values: Any) -> Row:
    row = dict(zip(columns, values, strict=True))
    for name in DATETIMES.intersection(row):
        row[name] = _moment(row[name])
    if isinstance(row.get("birthdate"), str):
        row["birthdate"] = date.fromisoformat(row["birthdate"])
    return row


class Reader:
    """One read transaction on a DB-API connection (``?`` or ``%s`` placeholders)."""

    def __init__(self, connection: Any, placeholder: str) -> None:
        self._connection = connection
        self._placeholder = placeholder

    def _all(self, sql: str, *params: Any) -> list[Any]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql.replace("?", self._placeholder), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def case_id_for_number(self, number: str) -> str | None:
        """The id of the case numbered ``number`` (``2026-000033``; unique), or None."""
        found = self._all("SELECT id FROM cases WHERE case_number = ?", number)
        return str(found[0][0]) if found else None

    def case_rows(self, case_id: str) -> dict[str, Any] | None:
        """The rows ``Cases.get_case`` reads: the case, its definition's hash and name, its open
        tasks (by creation), its timers (by due time) and its notes (by sequence); None if no case."""
        found = self._all(f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE id = ?", case_id)
        if not found:
            return None
        case = _row(CASE_COLUMNS, found[0])
        definition = self._all("SELECT version_hash, name FROM definition_versions WHERE id = ?",
                               case["definition_id"])
        tasks = self._all(f"SELECT {', '.join(TASK_COLUMNS)} FROM tasks WHERE case_id = ? AND status = 'open' "
                          "ORDER BY created_at", case_id)
        timers = self._all(f"SELECT {', '.join(TIMER_COLUMNS)} FROM timers WHERE case_id = ? ORDER BY due_at",
                           case_id)
        notes = self._all(f"SELECT {', '.join(NOTE_COLUMNS)} FROM events WHERE case_id = ? AND type = 'note_added' "
                          "ORDER BY seq", case_id)
        return {
            "case": case,
            "definition": {"version_hash": definition[0][0], "name": definition[0][1]} if definition else None,
            "tasks": [_row(TASK_COLUMNS, t) for t in tasks],
            "timers": [_row(TIMER_COLUMNS, t) for t in timers],
            "notes": [_row(NOTE_COLUMNS, n) for n in notes],
        }


@contextmanager
def open_reader(url: str) -> Iterator[Reader | None]:
    """A reader in one read transaction for a SQLAlchemy URL this module understands, else None."""
    if url.startswith("sqlite:///") and "?" not in url and url != "sqlite:///:memory:":
        path = quote(url[len("sqlite:///"):])
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30,
                                     isolation_level=None, check_same_thread=False)
        try:
            connection.execute("BEGIN")
            yield Reader(connection, "?")
        finally:
            connection.close()
        return
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            import psycopg

            with psycopg.connect("postgresql://" + url[len(prefix):], autocommit=False) as pg:
                pg.read_only = True
                yield Reader(pg, "%s")
                pg.rollback()
            return
    yield None


def _stored(value: Any, sqlite: bool) -> Any:
    """A value as SQLAlchemy's UTCDateTime stores it: on SQLite naive UTC text with microseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime stored")
        if sqlite:
            return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def append_row(url: str, table: str, values: Row) -> bool:
    """Insert ``values`` into ``table`` and commit; False (nothing written) for a URL this module
    does not know. Column and table names come from the caller's code, never from input."""
    columns = ", ".join(values)
    if url.startswith("sqlite:///") and "?" not in url and url != "sqlite:///:memory:":
        connection = sqlite3.connect(url[len("sqlite:///"):], timeout=30, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in values)})",
                               [_stored(v, True) for v in values.values()])
            connection.execute("COMMIT")
        finally:
            connection.close()
        return True
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            import psycopg

            with psycopg.connect("postgresql://" + url[len(prefix):], autocommit=False) as pg:
                cursor: Any = pg.cursor()  # the statement is built here from the caller's names
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('%s' for _ in values)})",
                           [_stored(v, False) for v in values.values()])
                pg.commit()
            return True
    return False
