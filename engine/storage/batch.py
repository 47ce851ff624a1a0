"""A command's writes to PostgreSQL in one statement.

A step writes a handful of rows it never reads back: the case row, the task and timer index,
its event, the access-log row, the discarded drafts. Sent one by one they cost a round trip
each, and on a small machine every round trip costs both processes CPU (parse, plan, context
switches) — about as much as the statement's work. Here they travel together as the parts of
one ``WITH`` statement (PostgreSQL runs every data-modifying part of a ``WITH`` exactly once,
all in the same snapshot); a part that must change exactly one row (the case row, guarded by
its version) returns its rows, and the statement answers how many each such part changed.

The parts are the statements the code already has (SQLAlchemy Core), compiled once per shape
for this dialect with their parameters renamed per part; bind processors (the UTC timestamps)
are applied as SQLAlchemy would. Statements whose columns get client-side defaults are not
batched (the caller runs them one by one)."""
from __future__ import annotations

import re
from typing import Any

_PARAM = re.compile(r"%\(([^)]+)\)s")
_CACHE: dict[tuple[int, tuple[str, ...]], tuple[Any, str, list[str], dict]] = {}
_CACHE_LIMIT = 512


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


def can_batch(statement, params, dialect) -> bool:
    rows = params if isinstance(params, list) else [params or {}]
    return bool(rows) and all(_compiled(statement, tuple(row), dialect) is not None for row in rows)


def run(connection, pending: list[tuple[Any, Any, bool]]) -> list[int]:
    """Run ``pending`` — (statement, parameters or a list of them, must change one row) — as one
    statement on ``connection``; the row counts of the parts that must change one row, in order."""
    dialect = connection.dialect
    parts: list[str] = []
    counted: list[str] = []
    guarded: list[int] = []  # which of ``counted`` must be exactly one
    values: dict[str, Any] = {}
    for i, (statement, params, must_change_one) in enumerate(pending):
        rows = params if isinstance(params, list) else [params or {}]
        for j, row in enumerate(rows):
            entry = _compiled(statement, tuple(row), dialect)
            assert entry is not None, "can_batch() first"
            _statement, sql, names, processors = entry
            name = f"w{i}_{j}"
            missing = [param for param in names if param not in row]
            if missing:
                raise KeyError(f"parameters missing for a batched statement: {', '.join(missing)}")
            for param in names:
                value = row[param]
                processor = processors.get(param)
                values[f"{name}_{param}"] = processor(value) if processor is not None else value
            sql = _PARAM.sub(f"%({name}_\\1)s", sql)
            is_select = sql.lstrip().upper().startswith("SELECT")
            if must_change_one:
                sql += " RETURNING 1"
            parts.append(f"{name} AS ({sql})")
            if must_change_one or is_select:  # a SELECT part runs only when the statement reads it
                counted.append(name)
            if must_change_one:
                guarded.append(len(counted) - 1)
    final = "SELECT " + (", ".join(f"(SELECT count(*) FROM {n})" for n in counted) if counted else "1")
    answer = connection.exec_driver_sql("WITH " + ", ".join(parts) + " " + final, values).one()
    return [answer[k] for k in guarded]
