"""Run one client profile through every municipality's process on a simulated clock.

This is the seeds' own method — follow one client (Jan) through each
municipality and compare — made executable. A profile holds the client's facts
in the shared vocabulary and the choices a consultant would make::

    {
      "naam": "Jan", "bsn": "111222333", "geboortedatum": "1980-05-01",
      "start": "2026-01-05T09:00",
      "horizon": "P3Y",                    # stop simulating after this
      "reactietijd": "P1D",                # a consultant acts this long after a task appears
      "feiten": {"crisis": false, "woonsituatie": "inwonend", ...},
      "gemeenten": {"tilburg": "tilburg"}, # which municipality to use per process (default: its first)
      "keuzes": {                          # per task id; per process under its key
        "*": {"rechtmatigheid": {"gegevens": {"recht_op_bijstand": true}}},
        "tilburg": {"terugmelding": {"na": "P3W"}, "time_to_market": {"open": true}},  # left open
        "alphen": {"volgende_stap": [{"gegevens": {...}}, {"gegevens": {...}}]}   # one per occurrence
      },
      "berichten": [{"bericht": "werk_gevonden", "na": "P18M"}]
    }

The consultant acts on the open task whose moment comes first (its appearance
plus its ``na``, or the profile's ``reactietijd``); a choice ``{"open": true}``
leaves the task unanswered (the case stays there), and nothing is done after
the horizon. Form fields are filled from the task's choices, then from the facts, then —
only for required fields — with a neutral default (the first choice, no,
the minimum); every default used is reported, so a reader sees where the
profile said nothing. The simulation runs on a temporary database; the real
one is never touched.
"""
from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..app import Werkpad
from ..app.capacity import PLACE_FREE_MESSAGE, places_of_case, store_limits
from ..app.deadlines import LEGAL_SHORT, seed_norm, span_words
from ..core import clock
from ..core.checks import bundle_from_files, check_bundle
from ..core.definitions import discover
from ..core.findings import dutch_date
from ..core.runtime import PHASES, _local_plus
from ..errors import DefinitionError, WerkpadError

ENDED = ("completed", "withdrawn", "error")


def compare(profile: dict, processes_dir: Path, forms_dir: Path, only: list[str] | None = None,
            max_steps: int = 400) -> list[dict]:
    """One result per process folder: path, phase durations, deadlines, end state."""
    folders = [b.key for b in discover(Path(processes_dir), Path(forms_dir), only)]
    results = []
    with tempfile.TemporaryDirectory(prefix="werkpad-compare-") as tmp:
        for key in folders:  # one database per process: no case sees another's timers
            wp = Werkpad(f"sqlite:///{Path(tmp) / f'{key}.sqlite'}", processes_dir, forms_dir)
            try:
                wp.upgrade_db()
                wp.deploy(only=[key])
                results.append(_simulate(wp, key, profile, max_steps))
            except WerkpadError as exc:
                results.append({"process": key, "error": exc.message})
            finally:
                wp.db.dispose()
    return results


def dry_run_record(profile: dict, record: dict, max_steps: int = 400, limits: dict[str, dict] | None = None) -> dict:
    """Run ``profile`` through one unpublished version (a designer's draft: manifest, files,
    forms, vocabulary) in a temporary database: the path, the timers that fired, the days
    per phase. The draft must pass its checks. ``limits`` are the organisation's places
    (``Werkpad.capacity_limits``), so a step that takes a place asks the same question as live."""
    bundle = bundle_from_files(record["manifest"], record["files"], record["forms"], record.get("vocabulary", "{}"))
    problems = check_bundle(bundle)
    if problems:
        raise DefinitionError("het concept heeft problemen: " + "; ".join(p.message for p in problems))
    with tempfile.TemporaryDirectory(prefix="werkpad-proefrit-") as tmp:
        wp = Werkpad(f"sqlite:///{Path(tmp) / 'proefrit.sqlite'}", Path(tmp), Path(tmp))
        try:
            wp.upgrade_db()
            with wp.db.unit_of_work() as uow:
                wp.processes.store_bundles(uow, [bundle], "proefrit")
                if limits:
                    store_limits(uow, bundle.organisation, limits)
                uow.commit()
            return _simulate(wp, bundle.key, profile, max_steps)
        finally:
            wp.db.dispose()


def _simulate(wp: Werkpad, key: str, profile: dict, max_steps: int) -> dict:
    shown = wp.show_process(key)
    municipality = (profile.get("gemeenten") or {}).get(key) or shown["municipalities"][0]
    start = clock.to_utc(profile.get("start", "2026-01-05T09:00"))
    horizon = _local_plus(start, profile.get("horizon", "P3Y"))
    reaction = profile.get("reactietijd", "P1D")
    choices = {**(profile.get("keuzes", {}).get("*", {})), **(profile.get("keuzes", {}).get(key, {}))}
    facts = dict(profile.get("feiten", {}))
    messages = sorted(
        ({"name": m["bericht"], "at": _local_plus(start, m["na"]) if "na" in m else clock.to_utc(m["op"]),
          "data": m.get("gegevens", {})} for m in profile.get("berichten", [])), key=lambda m: m["at"])
    case = wp.start_case(municipality, profile.get("bsn", "111222333"), profile.get("naam", "Cliënt"),
                         profile["geboortedatum"], data=facts, at=start, actor="simulatie")
    cid = case["id"]
    path: list[dict] = []
    done: dict[str, int] = {}  # how often each task was completed: the n-th time uses the n-th choice
    defaults: list[str] = []
    note = None
    now = start
    for _ in range(max_steps):
        case = wp.get_case(cid)
        if case["status"] in ENDED or now > horizon:
            break
        next_timer = min((clock.to_utc(t["due"]) for t in case["timers"]), default=None)
        task, choice, act_at = None, {}, None
        left_open = []
        for open_task in case["tasks"]:  # the consultant acts on whatever is due to be acted on first
            this_choice = _choice(choices, open_task["spec"], done.get(open_task["spec"], 0))
            if this_choice.get("open"):  # the profile leaves this task unanswered
                left_open.append(open_task["name"])
                continue
            moment = max(now, _local_plus(clock.to_utc(open_task["created_at"]), this_choice.get("na", reaction)))
            if act_at is None or moment < act_at:
                task, choice, act_at = open_task, this_choice, moment
        candidates = [t for t in (next_timer, act_at) if t is not None]
        if messages and (not candidates or messages[0]["at"] <= min(candidates)):
            msg = messages.pop(0)
            now = max(now, msg["at"])
            if msg["name"] in case["waiting_for_messages"]:
                wp.send_message(cid, msg["name"], msg["data"], user="simulatie", at=now)
                path.append({"op": now.isoformat(), "soort": "bericht", "naam": msg["name"]})
            else:
                path.append({"op": now.isoformat(), "soort": "bericht genegeerd", "naam": msg["name"]})
            continue
        if not candidates or min(candidates) > horizon:  # nothing more happens within the horizon
            if left_open:
                note = "blijft open volgens het profiel: " + ", ".join(left_open)
            elif not candidates:
                note = "wacht op een bericht dat het profiel niet stuurt: " + ", ".join(case["waiting_for_messages"])
            break
        if next_timer is not None and (act_at is None or next_timer <= act_at):
            now = max(now, next_timer)
            for fired in wp.fire_due_timers(now):
                path.append({"op": fired["due"], "soort": "timer", "naam": ", ".join(fired["timers"]),
                             "ids": fired.get("timer_ids", [])})
            continue
        assert act_at is not None and task is not None  # no timer to wait for, so a task is next
        now = act_at
        full = wp.get_task(task["id"])
        data, used = fill_form(full["form"] or {}, facts, choice.get("gegevens", {}), now)
        defaults += [f"{task['spec']}.{name}" for name in used]
        try:
            wp.complete_task(task["id"], "simulatie", data, at=now)
        except WerkpadError as exc:
            note = f"taak '{task['name']}' kon niet worden afgerond: {exc.message}"
            break
        done[task["spec"]] = done.get(task["spec"], 0) + 1
        path.append({"op": now.isoformat(), "soort": "taak", "naam": task["name"], "id": task["spec"],
                     "rol": task["lane"]})
    final = wp.get_case(cid)
    history = wp.case_history(cid)
    end = clock.to_utc(final["ended_at"]) if final["ended_at"] else now
    return {
        "process": key, "naam": shown["name"], "gemeente": municipality, "pad": path,
        "fasen_dagen": _phase_days(history, end),
        "termijnen": _deadlines(wp, cid, key, shown["name"], end, history),
        "plaatsen": _places(wp, cid, history),
        "eind": {"status": final["status"], "fase": final["phase"], "eindgebeurtenis": final["end_event"],
                 "op": end.isoformat(), "duur_dagen": round((end - start) / timedelta(days=1), 1)},
        "standaardwaarden": defaults, "opmerking": note,
        "replay_klopt": wp.replay_case(cid)["match"],
    }


def _choice(choices: dict, spec: str, occurrence: int) -> dict:
    """A task's choice; a list gives one per occurrence (the last one repeats)."""
    choice = choices.get(spec, {})
    if isinstance(choice, list):
        return choice[min(occurrence, len(choice) - 1)] if choice else {}
    return choice


def fill_form(schema: dict, facts: dict, given: dict, now: datetime) -> tuple[dict, list[str]]:
    """Fill a form from choices, then facts; neutral defaults only for required fields."""
    data, used = {}, []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name in given:
            data[name] = given[name]
        elif name in facts:
            data[name] = facts[name]
        elif name in required:
            data[name] = _default(prop, now)
            used.append(name)
    return data, used


def _default(prop: dict, now: datetime) -> Any:
    kind = prop.get("type")
    if "enum" in prop:
        return prop["enum"][0]
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return prop.get("minimum", 0)
    if kind == "array":
        items = prop.get("items", {}).get("enum", [])
        return items[: max(prop.get("minItems", 0), 1 if items else 0)]
    if prop.get("format") == "date":
        return clock.local_date(now).isoformat()
    return "(simulatie)"


def _phase_days(history: list[dict], end: datetime) -> dict[str, float]:
    days: dict[str, float] = {}
    for current, following in zip(history, history[1:] + [None], strict=True):
        phase = current["phase"] or "onbekend"
        until = clock.to_utc(following["at"]) if following else end
        span = (until - clock.to_utc(current["at"])) / timedelta(days=1)
        days[phase] = round(days.get(phase, 0.0) + max(span, 0.0), 1)
    order = {p: i for i, p in enumerate(PHASES)}
    return dict(sorted(days.items(), key=lambda kv: order.get(kv[0], len(order))))


def _deadlines(wp: Werkpad, case_id: str, key: str, name: str, end: datetime, history: list[dict]) -> dict:
    """Every deadline of the case: the task, the norm it comes from (a law article, or the seed that
    describes the organisation), when it was due, when it was met, and whether it was met. A task
    still open at the end counts as missed once its moment has passed, else as running; tasks the
    engine cancelled do not count (the case page names them)."""
    completed = {e["payload"]["task"]["id"]: e for e in history if e["type"] == "task_completed"}
    source = seed_norm(key, name)
    items = []
    for task in wp.list_tasks(case_id=case_id, status="", with_form=False):
        if not task["due"] or task["status"] == "cancelled":
            continue
        due, done = clock.to_utc(task["due"]), completed.get(task["id"])
        if done is not None:
            outcome = "gehaald" if clock.to_utc(done["at"]) <= due else "gemist"
        else:
            outcome = "gemist" if end > due else "loopt"
        legal = LEGAL_SHORT.get(task["spec"])
        norm = legal or f"{source}: {span_words(clock.to_utc(task['created_at']), due)}"
        items.append({"taak": task["name"], "id": task["spec"], "norm": norm, "bron": "wet" if legal else "seed",
                      "uiterlijk": task["due"], "afgerond": done["at"] if done else None, "uitkomst": outcome})
    items.sort(key=lambda i: (i["uiterlijk"], i["taak"]))
    missed = [{"taak": i["taak"], "termijn": i["uiterlijk"], "afgerond": i["afgerond"]}
              for i in items if i["uitkomst"] == "gemist"]
    return {"gehaald": sum(i["uitkomst"] == "gehaald" for i in items), "gemist": len(missed),
            "loopt": sum(i["uitkomst"] == "loopt" for i in items), "gemiste": missed, "lijst": items}


def _places(wp: Werkpad, case_id: str, history: list[dict]) -> list[dict]:
    """The places the case asked for, as recorded in its events: taken (with period, start and batch),
    or the position on the waiting list; a place handed over later says so; and where it stands now."""
    names = {(o["organisation"], o["instrument"]): o["name"] for o in wp.capacity_overview()}
    organisation = wp.get_case(case_id)["organisation"]
    out: list[dict] = []
    for event in history:
        payload = event["payload"] or {}
        for answer in payload.get("plaatsen", []):
            out.append({"naam": names.get((organisation, answer["instrument"]), answer["instrument"]),
                        "op": event["at"], "na_wachten": False, **answer})
        if event["type"] == "message_received" and payload.get("message") == PLACE_FREE_MESSAGE:
            answer = payload.get("data") or {}
            out.append({"naam": names.get((organisation, answer.get("instrument")), answer.get("instrument")),
                        "op": event["at"], "na_wachten": True, **answer})
    with wp.db.unit_of_work(write=False) as uow:
        now = {p["instrument"]: p["status"] for p in places_of_case(uow, case_id)}
    for place in out:
        place["status"] = now.get(place["instrument"])
    return out


def place_words(place: dict) -> str:
    """One place in a line of Dutch: 'Re-integratietraject: genomen op 16 februari 2026 (jaar 2026, batch 1
    van sagenn, nieuwe batch)'."""
    when = dutch_date(place["op"])
    if place.get("na_wachten"):
        text = f"{place['naam']}: vrijgekomen plaats gekregen op {when}"
    elif place.get("toegekend"):
        text = f"{place['naam']}: genomen op {when}"
        details = []
        if place.get("periode"):
            details.append(f"{'week' if '-W' in place['periode'] else 'jaar'} {place['periode']}")
        if place.get("vanaf") and place["vanaf"] > place["op"][:10]:
            details.append(f"begint {dutch_date(place['vanaf'])}")
        if place.get("batch"):
            details.append(f"batch {place['batch']}" + (f" van {place['partij']}" if place.get("partij") else "")
                           + (", nieuwe batch" if place.get("nieuwe_batch") else ""))
        if details:
            text += f" ({'; '.join(details)})"
    else:
        text = (f"{place['naam']}: op de wachtlijst op {when}, plek {place['wachtlijst']}" if place.get("wachtlijst")
                else f"{place['naam']}: geen plaats ({when})")
    return text + (f"; nu: {PLACE_STATUS.get(place['status'], place['status'])}" if place.get("status") else "")


PLACE_STATUS = {"bezet": "bezet", "wachtlijst": "wacht", "vrijgegeven": "vrijgegeven", "vervallen": "vervallen",
                "besteed": "besteed (een plaats per jaar komt niet terug)"}


def deadline_words(item: dict) -> str:
    """One deadline in a line of Dutch: task, norm, due, met, outcome."""
    done = f", afgerond {dutch_date(item['afgerond'])}" if item["afgerond"] else ", niet afgerond"
    return f"{item['taak']} — {item['norm']}; uiterlijk {dutch_date(item['uiterlijk'])}{done}: {item['uitkomst']}"
