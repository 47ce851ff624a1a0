"""A case as ``Cases.get_case`` shows it, read (and its access-log row written) without
SQLAlchemy for short-lived processes.

``werkpad case show`` is a whole process per call: importing SQLAlchemy's ORM would
cost it more than everything else together. :func:`read_case` reads the same rows
through :mod:`engine.storage.quick` and shapes the same dictionary; it returns None
whenever it cannot answer exactly (unknown URL, no such case, any error), and the
caller then asks :meth:`Cases.get_case`, which also gives the usual error.
``tests/integration/test_cli_shape.py`` holds the two equal over cases in every state,
on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ..core.versions import version_label


def read_case(database_url: str, case_id: str) -> dict[str, Any] | None:
    from ..storage.quick import open_reader

    try:
        with open_reader(database_url) as reader:
            rows = reader.case_rows(case_id) if reader is not None else None
        return _case(rows) if rows is not None else None
    except Exception:  # noqa: BLE001 - the ordinary path answers instead, and reports what is wrong
        logging.getLogger("werkpad.case_view").debug("snel lezen lukte niet", exc_info=True)
        return None


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _state(text: str | None) -> dict[str, Any]:
    """The stored state for display; an unreadable one shows as empty (the case is in error)."""
    try:
        state = json.loads(text) if text else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _case(rows: dict[str, Any]) -> dict[str, Any]:
    row, definition = rows["case"], rows["definition"]
    state = _state(row["state"])
    return {
        "id": row["id"], "number": row["case_number"], "status": row["status"], "phase": row["phase"],
        "version": version_label(definition["version_hash"]) if definition else None,
        "version_hash": definition["version_hash"] if definition else None,
        "process": row["process_key"], "process_name": definition["name"] if definition else row["process_key"],
        "municipality": row["municipality"], "organisation": row["organisation"],
        "client": {"name": row["client_name"], "bsn": row["bsn"], "birthdate": row["birthdate"].isoformat()},
        "started_at": row["started_at"].isoformat(), "updated_at": row["updated_at"].isoformat(),
        "ended_at": _iso(row["ended_at"]),
        "end_event": state.get("end_event"), "error": row["error"],
        "data": state.get("data", {}),
        "waiting_for_messages": state.get("messages", []),
        "tasks": [{"id": t["id"], "case": t["case_id"], "name": t["name"], "spec": t["spec"], "lane": t["lane"],
                   "phase": t["phase"], "due": _iso(t["due_at"]), "status": t["status"],
                   "claimed_by": t["claimed_by"], "created_at": t["created_at"].isoformat(), "form_id": t["form"],
                   "municipality": row["municipality"], "client": row["client_name"]} for t in rows["tasks"]],
        "timers": [{"id": t["task_id"], "spec": t["spec"], "name": t["name"], "kind": t["kind"],
                    "due": t["due_at"].isoformat()} for t in rows["timers"]],
        "notes": [{"at": n["at"].isoformat(), "by": n["actor"], "text": json.loads(n["payload"])["text"]}
                  for n in rows["notes"]],
    }


def read_case_logged(database_url: str, case_id: str,
                     access_row: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any] | None:
    """:func:`read_case`, and the access-log row ``access_row(case)`` gives written with the driver
    before the case is handed back; None (nothing written) whenever either cannot be done here."""
    from ..storage.quick import append_row

    case = read_case(database_url, case_id)
    if case is None:
        return None
    try:
        return case if append_row(database_url, "access_log", access_row(case)) else None
    except Exception:  # noqa: BLE001 - the ordinary path writes the row instead, or says why it cannot
        logging.getLogger("werkpad.case_view").debug("logboekregel schrijven lukte niet", exc_info=True)
        return None
