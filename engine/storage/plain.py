"""The command path's reads on PostgreSQL with the driver alone, and their rows as mapped objects.

A completion reads two things before it steps the case: the task with its case (locked), and the
case's open tasks and timers. Measured in a loop of the first read alone on PostgreSQL, SQLAlchemy's
ORM took 400–550 µs of CPU per read (building the result, the identity map, the instance states),
its Core 200–350 µs, the driver alone 65–80 µs, and the driver plus making the two mapped objects
220–350 µs. A whole completion (the facade's ``complete_task``) went from 2.6–2.9 to 2.4–2.5 ms.

:class:`PlainQuery` is a Core ``select`` compiled once for the dialect and run on psycopg's own
cursor, its values converted as SQLAlchemy converts them (the column types' bind and result
processors: UTC datetimes). On SQLite, where a statement
costs no round trip, it runs through SQLAlchemy as before.

:func:`persistent` turns a row into a mapped object that the session holds as if it had loaded it
(SQLAlchemy's ``make_transient_to_detached``): the command changes it and the unit of work writes it
as before.

:func:`execute` is the one way onto the driver (these reads and ``storage/batch.py``'s writes): a
driver error becomes SQLAlchemy's own, as if SQLAlchemy had run the statement (a lost server is
``OperationalError``, answered with 503, and its connection is invalidated so the pool does not hand
it out again), and :func:`watching` lets a test or a benchmark see each statement sent this way,
which SQLAlchemy's ``before_cursor_execute`` event does not.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.expression import ReturnsRows

T = TypeVar("T")
_NAMED = re.compile(r"%\(([^)]+)\)s")


_ASKED = object()  # a parameter the caller gives (not a value written in the statement)


class _Compiled:
    __slots__ = ("sql", "names", "binds", "results")

    def __init__(self, sql: str, names: list[str], binds: dict[str, tuple[Any, Any]], results: list[Any]) -> None:
        self.sql, self.names, self.binds, self.results = sql, names, binds, results


class PlainQuery:
    """A select (or a write with RETURNING) run on the driver of a PostgreSQL connection; rows as
    tuples of converted values."""

    def __init__(self, statement: ReturnsRows) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect) -> _Compiled:
        known = self._compiled.get(dialect.name)
        if known is None:
            compiled = self.statement.compile(dialect=dialect)
            if "POSTCOMPILE" in compiled.string:  # an expanding IN: its SQL is only known per execution
                raise ValueError("PlainQuery: een IN-lijst als parameter wordt niet ondersteund")
            names = _NAMED.findall(compiled.string)
            binds = {}
            for name in names:
                bind = compiled.binds[name]
                binds[name] = (_ASKED if bind.required or bind.value is None else bind.value,
                               bind.type.dialect_impl(dialect).bind_processor(dialect))
            # the columns it answers with: a select's, or a write's RETURNING
            results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                       for column in self.statement.exported_columns]
            known = self._compiled[dialect.name] = _Compiled(_NAMED.sub("%s", compiled.string), names, binds, results)
        return known

    def rows(self, connection, params: dict[str, Any]) -> list[tuple]:
        """The rows of this query on ``connection`` (SQLAlchemy's, in the unit of work's transaction)."""
        dialect = connection.dialect
        if dialect.name != "postgresql":
            return [tuple(row) for row in connection.execute(self.statement, params)]
        compiled = self._for(dialect)
        values = []
        for name in compiled.names:
            value, convert = compiled.binds[name]
            if value is _ASKED:
                value = params[name]
            values.append(value if convert is None or value is None else convert(value))
        found = execute(connection, compiled.sql, values)
        processors = compiled.results
        if not any(processors):
            return found
        return [tuple(value if convert is None or value is None else convert(value)
                      for value, convert in zip(row, processors, strict=True)) for row in found]


def persistent(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """``cls`` with ``values`` (its attributes, all of them) held by ``session`` as a loaded row."""
    return held_as_stored(session, cls(**values))


def held_as_stored(session: Session, obj: T) -> T:
    """A new object (every attribute set) held by ``session`` as if it had loaded it from its row:
    the session writes nothing for it, only later changes."""
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


_WATCHERS: list[Callable[[str], None]] = []


@contextmanager
def watching(callback: Callable[[str], None]) -> Iterator[None]:
    """Call ``callback(sql)`` for every statement :func:`execute` sends, while inside."""
    _WATCHERS.append(callback)
    try:
        yield
    finally:
        _WATCHERS.remove(callback)


def execute(connection, sql: str, values: Sequence[Any], numbered: bool = False) -> list[tuple]:
    """The rows of one statement run on the psycopg connection under ``connection`` (SQLAlchemy's,
    inside its transaction). ``numbered``: the statement has PostgreSQL's ``$1`` placeholders
    (psycopg's raw cursor), else ``%s``. A driver error is raised as SQLAlchemy would raise it."""
    import psycopg

    for watcher in _WATCHERS:
        watcher(sql)
    driver = connection.connection.driver_connection
    try:
        if numbered:
            with psycopg.RawCursor(driver) as cursor:
                cursor.execute(sql, values)
                return cursor.fetchall()
        return driver.execute(sql, values).fetchall()
    except psycopg.Error as exc:
        dialect = connection.dialect
        gone = bool(dialect.is_disconnect(exc, connection.connection.dbapi_connection, None))
        if gone and not connection.invalidated:
            connection.invalidate(exc)  # as SQLAlchemy does when a statement finds the server gone
        raise DBAPIError.instance(sql, values, exc, psycopg.Error, connection_invalidated=gone,
                                  dialect=dialect) from exc
