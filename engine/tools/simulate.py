"""``werkpad simulate``: many cases over the organisations, played through months of simulated time.

Every case gets a municipality of a deployed process (spread over the organisations in
turn), a client profile from ``docs/profielen/`` (facts and choices, as ``werkpad compare``
uses them) and a start moment in the first half of the period. One simulated clock runs
forward for all cases together: the next thing to happen — a case starting, a consultant
acting on an open task (after a random reaction time), a timer coming due, a message
(work found, application withdrawn) — happens next, through the engine's public API
(:class:`engine.Werkpad`, the same calls the web app makes), as the trusted system actor
``simulatie`` (no person acts here, so no access policy and no access log).

Messages fit the process: a client who finds work sends ``werk_gevonden`` only where the
case's process has that message (its definition says which it knows), at some moment
while the case waits for it (``waiting_for_messages``: from when it starts waiting until
the consultant acts on its open tasks, at most four months); should it no longer wait
then, the client tells again a month later, at most six times. The figures per message kind say how many were sent,
landed, and did not apply (and why). Form fields come from the
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
from ..app.acting import SystemActor
from ..core import clock
from ..errors import WerkpadError
from ..storage import CaseRow, EventRow, TaskRow
from .compare import fill_form

ENDED = ("completed", "withdrawn", "error")
START = "2026-01-05T09:00"
SIMULATIE = SystemActor("simulatie")
WORK_FOUND = "werk_gevonden"
WITHDRAWN = "aanvraag_ingetrokken"  # the engine withdraws a case on it, whether the process catches it or not
RETELLS = 6
# why a message did not apply
NOT_IN_PROCESS = "proces kent het bericht niet"
CASE_ENDED = "zaak al beëindigd"
NEVER_WAITING = "zaak wachtte er niet op"


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
        self.scheduled: dict[str, datetime] = {}  # task id -> when a consultant will act on it
        self.stats: Counter = Counter()
        self.known_messages: dict[str, frozenset[str]] = {}  # per process: the messages its definition has
        self.messages: dict[str, Counter] = {}  # per message kind: sent, landed, not applicable (and why)
        self.finds_work: set[str] = set()  # cases whose client finds work when the case waits for it

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
        for _ in self.finds_work:  # their case never waited for the news within the period
            self._not_applicable(WORK_FOUND, NEVER_WAITING)
        for _, _, kind, item in self.queue:  # planned for after the period: neither sent nor refused
            if kind == "message":
                self._figures_of(item["name"])["na de periode"] += 1
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
                                  actor=SIMULATIE, at=moment)
        self.stats["zaken gestart"] += 1
        self.case_profile[case["id"]] = {**profile, "_process": item["process"]}
        if self.rng.random() < 0.15:  # some clients find work on their own, once the case waits for it
            if WORK_FOUND in self._messages_of(item["process"]):
                self.finds_work.add(case["id"])
            else:
                self._not_applicable(WORK_FOUND, NOT_IN_PROCESS)
        elif self.rng.random() < 0.05:
            self._push(moment + timedelta(days=self.rng.uniform(3, 60)), "message",
                       {"case": case["id"], "name": WITHDRAWN})
        self._plan(case["id"], moment, case)

    def _messages_of(self, process: str) -> frozenset[str]:
        """The messages the process's definition has anywhere (asked once per process)."""
        if process not in self.known_messages:
            self.known_messages[process] = frozenset(self.wp.show_process(process).get("messages", []))
        return self.known_messages[process]

    def _figures_of(self, name: str) -> Counter:
        return self.messages.setdefault(name, Counter({"verstuurd": 0, "geland": 0, "niet_van_toepassing": 0}))

    def _not_applicable(self, name: str, why: str) -> None:
        figures = self._figures_of(name)
        figures["niet_van_toepassing"] += 1
        figures[why] += 1

    def _plan(self, case_id: str, now: datetime, case: dict | None = None) -> None:
        """A consultant will act on each new open task after a random reaction time (hours to two
        weeks); a client who finds work tells while the case waits for it."""
        case = case or self.wp.get_case(case_id)
        if case["status"] in ENDED:
            return
        for task in case["tasks"]:
            if task["id"] in self.scheduled:
                continue
            reaction = timedelta(hours=self.rng.choice([2, 4, 24, 48, 72, 120, 168, 336]))
            self.scheduled[task["id"]] = max(now, clock.to_utc(task["created_at"])) + reaction
            self._push(self.scheduled[task["id"]], "task", {"case": case_id, "task": task["id"]})
        if case_id in self.finds_work and WORK_FOUND in case["waiting_for_messages"]:
            # the case's definition waits for the news now, for as long as its open tasks run (a
            # message caught on a task ends with the task) or at most four months: the client
            # tells somewhere in that time
            self.finds_work.discard(case_id)
            ends = [self.scheduled[t["id"]] for t in case["tasks"] if self.scheduled.get(t["id"], now) > now]
            window = min([*ends, now + timedelta(days=120)]) - now
            self._push(now + window * self.rng.uniform(0.1, 0.9), "message", {"case": case_id, "name": WORK_FOUND})

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
            self.wp.complete_task(task["id"], SIMULATIE, data, at=moment)
        except WerkpadError:
            # the random values did not pass the form's rules: the neutral defaults do
            data, _ = fill_form(schema, profile.get("feiten", {}), choice.get("gegevens", {}), moment)
            self.wp.complete_task(task["id"], SIMULATIE, data, at=moment)
            self.stats["formulier opnieuw ingevuld"] += 1
        self._plan(item["case"], moment)

    def _do_message(self, moment: datetime, item: dict) -> None:
        name = item["name"]
        case = self.wp.get_case(item["case"])
        if case["status"] in ENDED:
            self._not_applicable(name, CASE_ENDED)
            return
        if name != WITHDRAWN and name not in case["waiting_for_messages"]:
            # the case's definition does not wait for it now: the client tells again a month later
            if item.get("tries", 0) < RETELLS:
                self._push(moment + timedelta(days=30), "message", {**item, "tries": item.get("tries", 0) + 1})
            else:
                self._not_applicable(name, NEVER_WAITING)
            return
        figures = self._figures_of(name)
        figures["verstuurd"] += 1
        try:
            self.wp.send_message(item["case"], name, {}, user=SIMULATIE, at=moment)
        except WerkpadError as exc:
            figures[f"geweigerd: {exc.code}"] += 1
            return
        figures["geland"] += 1
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
                "berichten": {name: dict(figures) for name, figures in sorted(self.messages.items())},
                "gebeurtenissen": dict(self.stats), "seconden": round(seconds, 1)}


def simulate(n_cases: int, months: int, processes_dir: Path, forms_dir: Path, profiles_dir: Path,
             seed: int = 1, only: list[str] | None = None, progress: bool | None = None) -> dict:
    progress = sys.stderr.isatty() if progress is None else progress
    bar = _bar if progress else None
    with tempfile.TemporaryDirectory(prefix="werkpad-simulate-") as tmp:
        wp = Werkpad(f"sqlite:///{Path(tmp) / 'simulatie.sqlite'}", processes_dir, forms_dir)
        try:
            wp.upgrade_db()
            wp.deploy(only=only or None, actor=SIMULATIE.name)
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
