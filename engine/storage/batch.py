"""A command's writes to PostgreSQL in one statement.

A step writes a handful of rows it never reads back: the case row, the task and timer index,
its event, the access-log row, the discarded drafts. Sent one by one they cost a round trip
each, and on a small machine every round trip costs both processes CPU (parse, plan, context
switches) — about as much as the statement's work. Here they travel together as the parts of
one ``WITH`` statement (PostgreSQL runs every data-modifying part of a ``WITH`` exactly once,
all in the same snapshot); a part that must change exactly one row (the case row, guarded by
its version) returns its rows, and the statement answers how many each such part changed.

The parts are the statements the code already has (SQLAlchemy Core), compiled once for this
dialect; each shape of batch (which statements, which columns) becomes once a statement with
PostgreSQL's own numbered placeholders, sent through psycopg's raw cursor (``plain.execute``), so the
driver neither parses the long statement for placeholders on every command nor misses its prepared
statement.
Bind processors (the UTC timestamps) are applied as SQLAlchemy would. Statements whose columns get
client-side defaults are not batched (the caller runs them one by one)."""
from __future__ import annotations

import re
from typing import Any

_PARAM = re.compile(r"%\(([^)]+)\)s")
_CACHE: dict[tuple[int, tuple[str, ...]], tuple[Any, str, list[str], dict]] = {}
_CACHE_LIMIT = 512
# a step writes a handful of rows; a command that writes many (a migration of many tasks) sends
# them one by one, far from PostgreSQL's 65,535 parameters per statement
MAX_PARTS = 200


def _compiled(statement, keys: tuple[str, ...], dialect) -> tuple[Any, str, list[str], dict] | None:
    key = (id(statement), keys)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is statement:
        return hit
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
        return None  # a column with a client-side default: let SQLAlchemy run it
    names = _PARAM.findall(compiled.string)
    entry = (statement, compiled.string, names, dict(compiled._bind_processors))
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = entry
    return entry


class _Shape:
    """One batch shape as PostgreSQL's own statement: ``$n`` placeholders (so the driver need not
    parse a long statement for them every time), and where each value comes from. The statements
    are kept so that a cached shape is only used for the very statements it was made of."""

    __slots__ = ("statements", "sql", "sources", "guarded")

    def __init__(self, statements: tuple, sql: str, sources: list[tuple[int, str, Any]],
                 guarded: list[int]) -> None:
        self.statements, self.sql, self.sources, self.guarded = statements, sql, sources, guarded


_SHAPES: dict[tuple, _Shape | None] = {}  # None: a shape that cannot be batched


def _shape(rows: list[tuple[Any, dict, bool]], dialect) -> _Shape | None:
    key = tuple((id(statement), tuple(row), must) for statement, row, must in rows)
    statements = tuple(statement for statement, _, _ in rows)
    if key in _SHAPES:
        found = _SHAPES[key]
        if found is None or all(a is b for a, b in zip(found.statements, statements, strict=True)):
            return found
    shape = _build(rows, statements, dialect)
    if len(_SHAPES) >= _CACHE_LIMIT:
        _SHAPES.clear()
    _SHAPES[key] = shape
    return shape


def _build(rows: list[tuple[Any, dict, bool]], statements: tuple, dialect) -> _Shape | None:
    parts: list[str] = []
    counted: list[str] = []
    guarded: list[int] = []  # which of ``counted`` must be exactly one
    sources: list[tuple[int, str, Any]] = []
    numbers: dict[tuple[int, str], int] = {}
    for k, (statement, row, must_change_one) in enumerate(rows):
        entry = _compiled(statement, tuple(row), dialect)
        if entry is None:
            return None
        _statement, sql, names, processors = entry
        missing = [param for param in names if param not in row]
        if missing:
            raise KeyError(f"parameters missing for a batched statement: {', '.join(missing)}")

        def number(match, k=k, processors=processors) -> str:
            name = match.group(1)
            if (k, name) not in numbers:
                sources.append((k, name, processors.get(name)))
                numbers[(k, name)] = len(sources)
            return f"${numbers[(k, name)]}"

        sql = _PARAM.sub(number, sql).replace("%%", "%")
        part = f"w{k}"
        is_select = sql.lstrip().upper().startswith("SELECT")
        if must_change_one:
            sql += " RETURNING 1"
        parts.append(f"{part} AS ({sql})")
        if must_change_one or is_select:  # a SELECT part runs only when the statement reads it
            counted.append(part)
            if must_change_one:
                guarded.append(len(counted) - 1)
    final = "SELECT " + (", ".join(f"(SELECT count(*) FROM {n})" for n in counted) if counted else "1")
    return _Shape(statements, "WITH " + ", ".join(parts) + " " + final, sources, guarded)


def run(connection, pending: list[tuple[Any, Any, bool]]) -> list[int] | None:
    """Run ``pending`` — (statement, parameters or a list of them, must change one row) — as one
    statement on ``connection``; the row counts of the parts that must change one row, in order.
    None, with nothing sent, when they are better sent one by one: a single row, more than
    MAX_PARTS rows, or a statement with a client-side default."""
    from .plain import execute

    rows = [(statement, row, must) for statement, params, must in pending
            for row in (params if isinstance(params, list) else [params or {}])]
    if not 1 < len(rows) <= MAX_PARTS:
        return None
    shape = _shape(rows, connection.dialect)
    if shape is None:
        return None
    values = [processor(rows[k][1][name]) if processor is not None else rows[k][1][name]
              for k, name, processor in shape.sources]
    # on the driver, $n placeholders as they are and values in order: SQLAlchemy's execution
    # (its result object, its event dispatch) cost about as much CPU as psycopg's own
    answer = execute(connection, shape.sql, values, numbered=True)[0]
    return [answer[k] for k in shape.guarded]
