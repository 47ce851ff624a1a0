"""Audit findings in words an auditor understands: which event (number, Dutch label, when,
who), which task, timer or data field, the value recorded and the value rebuilt.

Pure: works on fingerprints (``Observation.fingerprint()``) and event rows, no database."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import clock

EVENT_WORDS = {
    "case_started": "Zaak gestart (melding)",
    "task_completed": "Taak afgerond",
    "task_claimed": "Taak opgepakt",
    "task_unclaimed": "Taak vrijgegeven",
    "task_assigned": "Taak toegewezen",
    "timer_fired": "Termijn verstreken",
    "message_received": "Bericht ontvangen",
    "note_added": "Notitie",
    "engine_error": "Fout in het proces",
    "case_resumed": "Zaak hervat na fout",
    "case_closed_in_error": "Zaak gesloten na fout",
    "version_migrated": "Overgezet op een nieuwe procesversie",
    "engine_versions_changed": "Andere versie van Werkpad",
    "case_destroyed": "Zaak vernietigd (archiefwet)",
}
STATUS_WORDS = {"running": "lopend", "waiting": "wacht op termijn of bericht", "completed": "afgesloten",
                "withdrawn": "ingetrokken", "error": "in fout"}
# the engine's own actors, in words (web/filters.py has them for translation)
ACTOR_WORDS = {"system": "Werkpad", "system:timer": "Werkpad (termijn verstreken)", "demo": "Werkpad (demo)"}
# the server's operator, by their operating-system account: ``beheer:<account>`` in the audit trail and the
# access log, ``cli:<account>`` in the account trail (web/filters.py says it the same way, translated)
OPERATOR_PREFIXES = ("beheer:", "cli:")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def status_words(status: str | None, error: str | None = None) -> str:
    """A case's status in words; a case closed because it stayed in error (withdrawn, its fault on
    record) is "gesloten na fout": the client withdrew nothing (web/filters.zaakstatus says it translated)."""
    if closed_after_error(status, error):
        return "gesloten na fout"
    return STATUS_WORDS.get(status or "", status or "")


def closed_after_error(status: str | None, error: str | None) -> bool:
    """Closed by a teamleider because it stayed in error: withdrawn, with its fault on record."""
    return status == "withdrawn" and bool(error)


def who(actor: str, people: Mapping[str, str] | None = None) -> str:
    """Who acted: Werkpad itself in words, or the person's name with the account the record holds
    ("Kees de Vries (kees)"); the account alone when ``people`` does not name it."""
    if actor in ACTOR_WORDS:
        return ACTOR_WORDS[actor]
    if actor.startswith(OPERATOR_PREFIXES):
        return f"Beheerder van de server (account {actor.split(':', 1)[1]})"
    name = (people or {}).get(actor)
    return f"{name} ({actor})" if name and name != actor else actor


def dutch_date(value: Any) -> str:
    """``5 januari 2026`` (Europe/Amsterdam)."""
    if value is None or value == "":
        return ""
    moment = clock.moment(value) if not isinstance(value, datetime) else value
    local = moment.astimezone(clock.AMSTERDAM)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def dutch_datetime(value: Any) -> str:
    """``5 januari 2026 10:00`` (Europe/Amsterdam)."""
    if value is None or value == "":
        return ""
    moment = clock.moment(value) if not isinstance(value, datetime) else value
    local = moment.astimezone(clock.AMSTERDAM)
    return f"{dutch_date(local)} {local:%H:%M}"


def words(value: Any) -> str:
    """A recorded or rebuilt value as text: ``ja``/``nee``, ``(leeg)``, dates in Dutch."""
    if value is None:
        return "(leeg)"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, str):
        if len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
            try:
                return dutch_datetime(value)
            except ValueError:
                return value
        if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
            try:
                return dutch_date(value + "T12:00:00+00:00")
            except ValueError:
                return value
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def event_words(ev: Any) -> dict[str, Any]:
    """The event as an auditor names it."""
    payload = json.loads(ev.payload) if isinstance(ev.payload, str) else (ev.payload or {})
    label = EVENT_WORDS.get(ev.type, ev.type)
    task = (payload.get("task") or {}) if isinstance(payload, dict) else {}
    if task.get("name"):
        label = f"{label}: {task['name']}"
    elif ev.type == "message_received" and payload.get("message"):
        label = f"{label}: {str(payload['message']).replace('_', ' ')}"
    return {"event": ev.seq, "type": ev.type, "label": label, "at": ev.at.isoformat(),
            "at_words": dutch_datetime(ev.at), "actor": getattr(ev, "actor", "")}


def differences(recorded: dict[str, Any], rebuilt: dict[str, Any], task_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every difference between two fingerprints: ``field`` (machine name), ``label`` (Dutch),
    ``recorded`` and ``rebuilt``. Data fields first, as they are what an auditor knows best."""
    names = task_names or {}
    out: list[dict[str, Any]] = []
    rec_data, new_data = recorded.get("data") or {}, rebuilt.get("data") or {}
    for key in sorted(set(rec_data) | set(new_data)):
        if key == "gemeente_config" and rec_data.get(key) == new_data.get(key):
            continue
        if rec_data.get(key, _MISSING) != new_data.get(key, _MISSING):
            out.append({"field": f"data.{key}", "label": f"zaakgegeven '{key}'",
                        "recorded": rec_data.get(key), "rebuilt": new_data.get(key)})
    rec_tasks = {(t[0], t[1]): t for t in recorded.get("tasks") or []}
    new_tasks = {(t[0], t[1]): t for t in rebuilt.get("tasks") or []}
    for key in sorted(set(rec_tasks) | set(new_tasks), key=str):
        spec = key[0]
        label = f"taak '{names.get(spec, spec)}'"
        if key not in new_tasks:
            out.append({"field": f"task.{spec}", "label": label, "recorded": "open", "rebuilt": "niet open"})
        elif key not in rec_tasks:
            out.append({"field": f"task.{spec}", "label": label, "recorded": "niet open", "rebuilt": "open"})
        elif rec_tasks[key] != new_tasks[key]:
            out.append({"field": f"task.{spec}.lane", "label": f"{label}, lane",
                        "recorded": rec_tasks[key][2], "rebuilt": new_tasks[key][2]})
    rec_timers = {t[0]: t[1] for t in recorded.get("timers") or []}
    new_timers = {t[0]: t[1] for t in rebuilt.get("timers") or []}
    for spec in sorted(set(rec_timers) | set(new_timers)):
        label = f"termijn '{names.get(spec, spec)}'"
        if spec not in new_timers:
            out.append({"field": f"timer.{spec}", "label": label, "recorded": rec_timers[spec],
                        "rebuilt": "geen termijn"})
        elif spec not in rec_timers:
            out.append({"field": f"timer.{spec}", "label": label, "recorded": "geen termijn",
                        "rebuilt": new_timers[spec]})
        elif rec_timers[spec] != new_timers[spec]:
            out.append({"field": f"timer.{spec}", "label": f"{label}, verloopt", "recorded": rec_timers[spec],
                        "rebuilt": new_timers[spec]})
    if sorted(recorded.get("messages") or []) != sorted(rebuilt.get("messages") or []):
        out.append({"field": "messages", "label": "wacht op berichten",
                    "recorded": ", ".join(recorded.get("messages") or []) or "(geen)",
                    "rebuilt": ", ".join(rebuilt.get("messages") or []) or "(geen)"})
    if recorded.get("phase") != rebuilt.get("phase"):
        out.append({"field": "phase", "label": "fase", "recorded": recorded.get("phase"),
                    "rebuilt": rebuilt.get("phase")})
    if recorded.get("status") != rebuilt.get("status"):
        out.append({"field": "status", "label": "status",
                    "recorded": STATUS_WORDS.get(recorded.get("status") or "", recorded.get("status")),
                    "rebuilt": STATUS_WORDS.get(rebuilt.get("status") or "", rebuilt.get("status"))})
    return out


def difference_sentence(event: dict[str, Any], diffs: list[dict[str, Any]]) -> str:
    """``Na gebeurtenis 3 (Taak afgerond: Intake, 5 januari 2026 10:00, door kees) wijkt de herbouwde
    zaak af: zaakgegeven 'crisis' is vastgelegd als 'ja', herbouwd als 'nee'.``"""
    head = (f"na gebeurtenis {event['event']} ({event['label']}, {event['at_words']}, door {event['actor']}) "
            "wijkt de herbouwde zaak af")
    if not diffs:
        return head
    parts = [f"{d['label']} is vastgelegd als '{words(d['recorded'])}', herbouwd als '{words(d['rebuilt'])}'"
             for d in diffs[:3]]
    more = f" (en nog {len(diffs) - 3} verschillen)" if len(diffs) > 3 else ""
    return head + ": " + "; ".join(parts) + more


class _Missing:
    def __repr__(self) -> str:
        return "(ontbreekt)"


_MISSING = _Missing()
