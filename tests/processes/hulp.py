"""Shared helpers for the process acceptance tests."""
from __future__ import annotations

import json
from pathlib import Path

from engine import Werkpad

ROOT = Path(__file__).resolve().parents[2]


def pad(wp: Werkpad, zaak: str) -> list[str]:
    """Completed user tasks, fired timers and received messages in order, from the audit trail."""
    out = []
    for ev in wp.case_history(zaak):
        if ev["type"] == "task_completed":
            out.append(ev["payload"]["task"]["spec"])
        elif ev["type"] == "timer_fired":
            out.extend("timer:" + t["spec"] for t in ev["payload"]["timers"])
        elif ev["type"] == "message_received":
            out.append("bericht:" + ev["payload"]["message"])
    return out


def open_taak(wp: Werkpad, zaak: str, spec: str) -> dict:
    """The one open task with this id (fails when there are none or several)."""
    taken = [t for t in wp.list_tasks(case_id=zaak, with_form=False) if t["spec"] == spec]
    assert len(taken) == 1, f"verwacht één open taak {spec}, open: {open_lijst(wp, zaak)}"
    return taken[0]


def open_specs(wp: Werkpad, zaak: str) -> set[str]:
    return {t["spec"] for t in wp.list_tasks(case_id=zaak, with_form=False)}


def open_lijst(wp: Werkpad, zaak: str) -> list[str]:
    """Open task ids, sorted, duplicates kept (a parallel instance shows twice)."""
    return sorted(t["spec"] for t in wp.list_tasks(case_id=zaak, with_form=False))


def doe_zonder_timers(wp: Werkpad, zaak: str, spec: str, data: dict, at: str, user: str = "medewerker") -> dict:
    """Complete a task at ``at``, asserting that no timer was due before it."""
    assert wp.fire_due_timers(at) == [], f"onverwachte timer voor {spec} op {at}"
    return wp.complete_task(open_taak(wp, zaak, spec)["id"], user, data, at=at)


def doe_na_timers(wp: Werkpad, zaak: str, spec: str, data: dict, at: str) -> dict:
    """Let the clock run to ``at`` (due timers fire), then complete the task."""
    wp.fire_due_timers(at)
    return wp.complete_task(open_taak(wp, zaak, spec)["id"], "medewerker", data, at=at)


def doe_eerste(wp: Werkpad, zaak: str, spec: str, data: dict, at: str, user: str = "medewerker") -> dict:
    """Complete the first open task with this id, without moving the clock first."""
    open_tasks = [t for t in wp.get_case(zaak)["tasks"] if t["spec"] == spec]
    assert open_tasks, f"geen open taak '{spec}'; open: {[t['spec'] for t in wp.get_case(zaak)['tasks']]}"
    return wp.complete_task(open_tasks[0]["id"], user, data, at=at)


def besluit_en_beschikking(wp: Werkpad, zaak: str, recht: bool, at: str) -> dict:
    """Besluit op de aanvraag (gedeeld_aanvraag) en daarna de beschikking verzenden."""
    doe_zonder_timers(wp, zaak, "besluit_aanvraag", {"recht_op_bijstand": recht, "stukken_compleet": True}, at)
    return doe_zonder_timers(wp, zaak, "beschikking_verzenden", {"beschikking_verzonden": True}, at[:10] + "T16:00")


def replay_klopt(wp: Werkpad, zaak: str) -> None:
    result = wp.replay_case(zaak)
    assert result["match"] is True, result


def timer_due(zaak: dict, spec: str) -> str:
    dues = [t["due"] for t in zaak["timers"] if t["spec"] == spec]
    assert len(dues) == 1, f"verwacht één timer {spec}, wel: {[t['spec'] for t in zaak['timers']]}"
    return dues[0]


def fasen_en_rollen(wp: Werkpad, sleutel: str) -> dict:
    """All five phases, and every lane a known role; returns the process description."""
    proces = wp.show_process(sleutel)
    assert proces["phases"] == ["poort", "inspanningsperiode", "diagnose", "traject", "nazorg"]
    rollen = json.loads((ROOT / "processes" / "rollen.json").read_text(encoding="utf-8"))["rollen"]
    assert set(proces["lanes"]) <= set(rollen)
    return proces


def formulieren_met_uitleg(wp: Werkpad, sleutel: str, taken: list[dict]) -> None:
    """Every form a title (own forms a description too), every field a label, and
    required fields that exist."""
    formulieren = wp.definition_files(sleutel)["forms"]
    for taak in taken:
        schema = json.loads(formulieren[taak["form"]])
        assert schema.get("title"), taak["form"]
        if taak["form"].startswith(sleutel + "_"):
            assert schema.get("description"), taak["form"]
    for naam in (ROOT / "forms" / sleutel).glob("*.json"):
        schema = json.loads(naam.read_text(encoding="utf-8"))
        for veld, definitie in schema["properties"].items():
            assert definitie == {} or definitie.get("title"), f"{naam.name}: {veld} zonder label"
        assert set(schema["required"]) <= set(schema["properties"]), naam.name
