"""``werkpad simulate``: many cases over the organisations, played through months of simulated time.

Every case gets a municipality of a deployed process (spread over the organisations in
turn), a client profile from ``docs/profielen/`` (facts and choices, as ``werkpad compare``
uses them) and a start moment in the first half of the period. One simulated clock runs
forward for all cases together: the next thing to happen — a case starting, a consultant
acting on an open task (after a random reaction time), a timer coming due, a message
(work found, application withdrawn) — happens next, through the engine's public API
(:class:`engine.Werkpad`, the same calls the web app makes). Form fields come from the
profile's choices and facts (:func:`engine.tools.compare.fill_form`); a required field the
profile says nothing about gets a random valid value. Everything is drawn from one seeded
RNG, so a run is repeatable. The simulation runs on a temporary database.
"""
from __future__ import annotations

import heapq
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..app import Werkpad
from ..core import clock
from ..errors import WerkpadError
from ..storage import CaseRow, EventRow, TaskRow
from .compare import fill_form

ENDED = ("completed", "withdrawn", "error")
START = "2026-01-05T09:00"


def load_profiles(directory: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.json"))]


def _random_value(prop: dict, now: datetime, rng: random.Random) -> Any:
    kind = prop.get("type")
    if "enum" in prop:
        return rng.choice(prop["enum"])
    if kind == "boolean":
        return rng.random() < 0.3
    if kind in ("integer", "number"):
        low = prop.get("minimum", 0)
        high = prop.get("maximum", low + 100)
        return rng.randint(int(low), int(max(low, high))) if kind == "integer" else float(low)
    if kind == "array":
        items = prop.get("items", {}).get("enum", [])
        count = max(prop.get("minItems", 0), 1 if items else 0)
        return rng.sample(items, min(count, len(items)))
    if prop.get("format") == "date":
        return clock.local_date(now).isoformat()
    return "(simulatie)"


class Simulation:
    def __init__(self, wp: Werkpad, profiles: list[dict], seed: int = 1,
                 progress: Callable[[float, str], None] | None = None) -> None:
        self.wp, self.profiles = wp, profiles
        self.rng = random.Random(seed)
        self.progress = progress
        self.queue: list[tuple[datetime, int, str, dict]] = []
        self.counter = 0
        self.case_profile: dict[str, dict] = {}
        self.scheduled: set[str] = set()  # task ids with a consultant action planned
        self.stats: Counter = Counter()

    def _push(self, moment: datetime, kind: str, item: dict) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (moment, self.counter, kind, item))

    def run(self, n_cases: int, months: int) -> dict:
        t0 = time.perf_counter()
        start = clock.to_utc(START)
        horizon = start + timedelta(days=round(30.44 * months))
        processes = sorted(self.wp.list_processes(), key=lambda p: (p["organisation"], p["process"]))
        if not processes:
            raise WerkpadError("geen processen uitgerold")
        by_org: dict[str, list[dict]] = {}
        for proc in processes:
            by_org.setdefault(proc["organisation"], []).append(proc)
        organisations = sorted(by_org)
        span = (horizon - start) / 2
        for i in range(n_cases):
            proc = self.rng.choice(by_org[organisations[i % len(organisations)]])
            at = start + span * self.rng.random()
            self._push(at, "start", {"process": proc["process"], "municipality": self.rng.choice(
                proc["municipalities"]), "profile": self.rng.choice(self.profiles), "n": i})
        while self.queue:
            moment, _, kind, item = self.queue[0]
            due = self.wp.next_timer_due()
            if due is not None and due <= moment and due <= horizon:
                self._fire(due)
                continue
            if moment > horizon:
                break
            heapq.heappop(self.queue)
            try:
                getattr(self, f"_do_{kind}")(moment, item)
            except WerkpadError as exc:
                self.stats[f"geweigerd: {exc.code}"] += 1
            if self.progress:
                self.progress((moment - start) / (horizon - start), clock.local_date(moment).isoformat())
        while (due := self.wp.next_timer_due()) is not None and due <= horizon:
            self._fire(due)
        if self.progress:
            self.progress(1.0, clock.local_date(horizon).isoformat())
        return self.figures(n_cases, months, horizon, time.perf_counter() - t0)

    # ------------------------------------------------------------------ what happens
    def _fire(self, due: datetime) -> None:
        for fired in self.wp.fire_due_timers(due):
            self._plan(fired["case"], due)

    def _do_start(self, moment: datetime, item: dict) -> None:
        profile = item["profile"]
        case = self.wp.start_case(item["municipality"], profile.get("bsn", "111222333"),
                                  f"{profile.get('naam', 'Cliënt')} {item['n']}", profile["geboortedatum"],
                                  data=dict(profile.get("feiten", {})), process=item["process"],
                                  actor="simulatie", at=moment)
        self.stats["zaken gestart"] += 1
        self.case_profile[case["id"]] = {**profile, "_process": item["process"]}
        if self.rng.random() < 0.15:  # some clients find work on their own
            self._push(moment + timedelta(days=self.rng.uniform(30, 240)), "message",
                       {"case": case["id"], "name": "werk_gevonden"})
        elif self.rng.random() < 0.05:
            self._push(moment + timedelta(days=self.rng.uniform(3, 60)), "message",
                       {"case": case["id"], "name": "aanvraag_ingetrokken"})
        self._plan(case["id"], moment, case)

    def _plan(self, case_id: str, now: datetime, case: dict | None = None) -> None:
        """A consultant will act on each new open task after a random reaction time (hours to two weeks)."""
        case = case or self.wp.get_case(case_id)
        if case["status"] in ENDED:
            return
        for task in case["tasks"]:
            if task["id"] in self.scheduled:
                continue
            self.scheduled.add(task["id"])
            reaction = timedelta(hours=self.rng.choice([2, 4, 24, 48, 72, 120, 168, 336]))
            self._push(max(now, clock.to_utc(task["created_at"])) + reaction, "task",
                       {"case": case_id, "task": task["id"]})

    def _do_task(self, moment: datetime, item: dict) -> None:
        task = self.wp.get_task(item["task"])
        if task["status"] != "open":
            return
        profile = self.case_profile.get(item["case"], {})
        choices = {**profile.get("keuzes", {}).get("*", {}), **profile.get("keuzes", {}).get(profile.get("_process"), {})}
        choice = choices.get(task["spec"], {})
        if isinstance(choice, list):
            choice = choice[0] if choice else {}
        schema = task["form"] or {}
        data, defaults = fill_form(schema, profile.get("feiten", {}), choice.get("gegevens", {}), moment)
        for name in defaults:
            data[name] = _random_value(schema["properties"][name], moment, self.rng)
        try:
            self.wp.complete_task(task["id"], "simulatie", data, at=moment)
        except WerkpadError:
            # the random values did not pass the form's rules: the neutral defaults do
            data, _ = fill_form(schema, profile.get("feiten", {}), choice.get("gegevens", {}), moment)
            self.wp.complete_task(task["id"], "simulatie", data, at=moment)
            self.stats["formulier opnieuw ingevuld"] += 1
        self._plan(item["case"], moment)

    def _do_message(self, moment: datetime, item: dict) -> None:
        case = self.wp.get_case(item["case"])
        if case["status"] in ENDED:
            return
        if item["name"] not in case["waiting_for_messages"]:
            # not in a phase that listens for it (yet): the client tells again a month later
            if item.get("tries", 0) < 6:
                self._push(moment + timedelta(days=30), "message", {**item, "tries": item.get("tries", 0) + 1})
            return
        self.wp.send_message(item["case"], item["name"], {}, user="simulatie", at=moment)
        self.stats[f"bericht {item['name']}"] += 1
        self._plan(item["case"], moment)

    # ------------------------------------------------------------------ figures
    def figures(self, n_cases: int, months: int, horizon: datetime, seconds: float) -> dict:
        with self.wp.db.engine.connect() as conn:
            completed = conn.execute(select(func.count()).select_from(TaskRow)
                                     .where(TaskRow.status == "completed")).scalar_one()
            open_tasks = conn.execute(select(func.count()).select_from(TaskRow)
                                      .where(TaskRow.status == "open")).scalar_one()
            fired = conn.execute(select(func.count()).select_from(EventRow)
                                 .where(EventRow.type == "timer_fired")).scalar_one()
            met = conn.execute(select(func.count()).select_from(TaskRow).where(
                TaskRow.status == "completed", TaskRow.due_at.is_not(None),
                TaskRow.completed_at <= TaskRow.due_at)).scalar_one()
            missed = conn.execute(select(func.count()).select_from(TaskRow).where(
                TaskRow.status == "completed", TaskRow.due_at.is_not(None),
                TaskRow.completed_at > TaskRow.due_at)).scalar_one()
            open_late = conn.execute(select(func.count()).select_from(TaskRow).where(
                TaskRow.status == "open", TaskRow.due_at < horizon)).scalar_one()
            status: Counter = Counter()
            phase: Counter = Counter()
            per_org: Counter = Counter()
            for st, ph, org in conn.execute(select(CaseRow.status, CaseRow.phase, CaseRow.organisation)):
                status[st] += 1
                phase[ph or "-"] += 1
                per_org[org] += 1
        return {"zaken": n_cases, "maanden": months, "tot": horizon.isoformat(),
                "eindtoestand": dict(status.most_common()), "fase": dict(phase.most_common()),
                "per_organisatie": dict(sorted(per_org.items())),
                "taken_afgerond": completed, "taken_open": open_tasks, "timers_afgegaan": fired,
                "termijnen": {"gehaald": met, "gemist": missed, "open_en_verlopen": open_late},
                "gebeurtenissen": dict(self.stats), "seconden": round(seconds, 1)}


def simulate(n_cases: int, months: int, processes_dir: Path, forms_dir: Path, profiles_dir: Path,
             seed: int = 1, only: list[str] | None = None, progress: bool | None = None) -> dict:
    progress = sys.stderr.isatty() if progress is None else progress
    bar = _bar if progress else None
    with tempfile.TemporaryDirectory(prefix="werkpad-simulate-") as tmp:
        wp = Werkpad(f"sqlite:///{Path(tmp) / 'simulatie.sqlite'}", processes_dir, forms_dir)
        try:
            wp.upgrade_db()
            wp.deploy(only=only or None, actor="simulatie")
            result = Simulation(wp, load_profiles(profiles_dir), seed, bar).run(n_cases, months)
        finally:
            wp.db.dispose()
            if progress:
                sys.stderr.write("\n")
    return result


_last = [0.0]


def _bar(fraction: float, label: str) -> None:
    now = time.monotonic()
    if now - _last[0] < 0.1 and fraction < 1.0:
        return
    _last[0] = now
    width = 30
    filled = int(width * max(0.0, min(1.0, fraction)))
    sys.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {fraction * 100:3.0f}%  {label}")
    sys.stderr.flush()
