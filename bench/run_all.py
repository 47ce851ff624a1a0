"""Werkpad benchmarks, each against a naive baseline in the same run. Prints figures.

    python -m bench.run_all [--quick] [step] [tick] [replay]

1. per-step cost (complete a user task) at 10 and 400 steps of history:
   Werkpad (pruned state, no spec, one transaction) vs SpiffWorkflow's whole-workflow
   JSON per step (BpmnWorkflowSerializer.serialize_json, spec included, no pruning);
2. a timer tick with 100 due timers among 10,000 and 100,000 waiting cases:
   Werkpad (indexed due times) vs loading every waiting case to ask it;
3. replay of a 400-event case.
"""
from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import text

from engine import Werkpad, clock
from engine.core.definitions import discover
from engine.core.runtime import CaseRuntime, ClockCycle, ClockDuration, ClockTimeDate

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.2f} ms"


def per_step(tmp: Path) -> None:
    wp = Werkpad(f"sqlite:///{tmp / 'step.sqlite'}", processes_dir=FIX, forms_dir=FIX / "forms_lus")
    wp.upgrade_db()
    wp.deploy(only=["lus"])
    case = wp.start_case("lusstad", "111222333", "Lus", "1980-01-01", data={"aantal": 100000, "modus": "taak"},
                        at="2026-01-01T09:00")
    ours: dict[int, list[float]] = {10: [], 400: []}
    for step in range(1, 411):
        task_id = wp.list_tasks(case_id=case["id"], with_form=False)[0]["id"]
        t0 = time.perf_counter()
        wp.complete_task(task_id, "bench", {})
        dt = time.perf_counter() - t0
        for mark in ours:
            if mark <= step < mark + 10:
                ours[mark].append(dt)
    # baseline: plain Spiff, whole-workflow JSON after every step, no pruning
    bundle = discover(FIX, FIX / "forms_lus", only=["lus"])[0]
    spec, subs = bundle.specs()
    config = dict(SPIFF_CONFIG)
    for cls in (ClockTimeDate, ClockDuration, ClockCycle):  # our clock-aware timers, same converter as Spiff's
        config[cls] = SPIFF_CONFIG[TimeDateEventDefinition]
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    wf = BpmnWorkflow(spec, subs, script_engine=CaseRuntime.script_engine())
    wf.get_tasks(state=TaskState.READY)[0].data.update({"aantal": 100000, "modus": "taak"})
    wf.do_engine_steps()
    # plain Spiff cannot reach 400 steps of this loop: five tasks per iteration hit the
    # depth-1000 trap near iteration 200, so the baseline is measured at 10 and 180 steps
    base: dict[int, list[float]] = {10: [], 180: []}
    size = {}
    for step in range(1, 191):
        t0 = time.perf_counter()
        task = wf.get_tasks(state=TaskState.READY, manual=True, max_depth=10**6)[0]  # past the depth-1000 trap
        task.run()
        wf.do_engine_steps()
        blob = serializer.serialize_json(wf)
        dt = time.perf_counter() - t0
        for mark in base:
            if mark <= step < mark + 10:
                base[mark].append(dt)
        if step in (10, 180):
            size[step] = len(blob)
    with wp.db.engine.connect() as conn:
        ours_size = len(conn.execute(text("SELECT state FROM cases")).scalar_one())
    # the same work as the baseline, in memory: run the step and serialise the state
    with clock.at(clock.to_utc("2026-01-01T09:00")):
        rt = CaseRuntime.start(spec, subs, {"aantal": 100000, "modus": "taak"})
        mem: dict[int, list[float]] = {10: [], 400: []}
        for step in range(1, 411):
            t0 = time.perf_counter()
            rt.complete_user_task(rt.user_tasks()[0].id, {})
            json.dumps(rt.serialize())
            dt = time.perf_counter() - t0
            for mark in mem:
                if mark <= step < mark + 10:
                    mem[mark].append(dt)
    print("1. kosten per stap (taak afronden, mediaan van 10 stappen)")
    print(f"   Werkpad (SQLite, incl. transactie)  na 10: {_ms(ours[10])}   na 400: {_ms(ours[400])}"
          f"   toestand {ours_size / 1024:.1f} KiB")
    print(f"   Werkpad in geheugen (stap + JSON)   na 10: {_ms(mem[10])}   na 400: {_ms(mem[400])}")
    print(f"   naïef: Spiff + hele JSON per stap   na 10: {_ms(base[10])}   na 180: {_ms(base[180])}"
          f"   JSON {size[10] / 1024:.0f} KiB -> {size[180] / 1024:.0f} KiB (Spiff stopt rond stap 200)")


def timer_tick(tmp: Path, sizes: list[int]) -> None:
    print("2. timer-tick: 100 verlopen timers tussen N wachtende zaken (SQLite)")
    for n in sizes:
        wp = Werkpad(f"sqlite:///{tmp / f'tick{n}.sqlite'}", processes_dir=ROOT / "processes",
                     forms_dir=ROOT / "forms")
        wp.upgrade_db()
        wp.deploy(only=["voorbeeld"])
        proto = wp.start_case("voorbeeldstad", "111222333", "Proto", "1980-01-01", at="2026-01-05T09:00")
        with wp.db.engine.begin() as conn:
            case = conn.execute(text("SELECT * FROM cases WHERE id = :i"), {"i": proto["id"]}).mappings().one()
            timer = conn.execute(text("SELECT * FROM timers WHERE case_id = :i"), {"i": proto["id"]}).mappings().one()
            task = conn.execute(text("SELECT * FROM tasks WHERE case_id = :i"), {"i": proto["id"]}).mappings().one()
            events = conn.execute(text("SELECT * FROM events WHERE case_id = :i"), {"i": proto["id"]}).mappings().all()
            proto_timer_id = timer["task_id"]
            # clone the prototype: same state (so the due timer really fires), other ids; 100 due, rest far away
            state = json.loads(case["state"])
            rows_c, rows_t, rows_k, rows_e = [], [], [], []
            ids = sorted(set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                        case["state"])))
            pattern = re.compile("|".join(ids))
            for i in range(n - 1):
                cid = uuid.uuid4().hex[:16]
                fresh = {old: str(uuid.uuid4()) for old in ids}  # every clone gets its own task ids
                clone_state = pattern.sub(lambda m, f=fresh: f[m.group(0)], case["state"])
                rows_c.append({**case, "id": cid, "state": clone_state})
                timer = {**timer, "task_id": fresh.get(proto_timer_id, proto_timer_id)}
                due = timer["due_at"] if i < 99 else "2030-01-01 00:00:00.000000"
                rows_t.append({**timer, "case_id": cid, "due_at": due})
                rows_k.append({**task, "id": fresh.get(task["id"], str(uuid.uuid4())), "case_id": cid})
                rows_e.extend({**e, "id": None, "case_id": cid} for e in events)
            cols = lambda r: ", ".join(r)  # noqa: E731
            vals = lambda r: ", ".join(":" + k for k in r)  # noqa: E731
            conn.execute(text(f"INSERT INTO cases ({cols(case)}) VALUES ({vals(case)})"), rows_c)
            conn.execute(text(f"INSERT INTO timers ({cols(timer)}) VALUES ({vals(timer)})"), rows_t)
            conn.execute(text(f"INSERT INTO tasks ({cols(task)}) VALUES ({vals(task)})"), rows_k)
            e0 = {k: v for k, v in events[0].items() if k != "id"}
            conn.execute(text(f"INSERT INTO events ({cols(e0)}) VALUES ({vals(e0)})"),
                         [{k: v for k, v in e.items() if k != "id"} for e in rows_e])
        del state
        until = clock.to_utc("2026-01-09T00:00")
        t0 = time.perf_counter()
        fired = wp.fire_due_timers(until)
        ours = time.perf_counter() - t0
        assert len(fired) == 100, len(fired)
        # naive: load and restore every waiting case, ask it for due timers
        bundle = discover(ROOT / "processes", ROOT / "forms", only=["voorbeeld"])[0]
        spec, subs = bundle.specs()
        sample = min(n, 10_000)
        t0 = time.perf_counter()
        with wp.db.engine.connect() as conn:
            due = 0
            for (st,) in conn.execute(text("SELECT state FROM cases WHERE status IN ('running','waiting') "
                                           f"LIMIT {sample}")):
                rt = CaseRuntime.restore(json.loads(st), spec, subs)
                due += sum(1 for t in rt.waiting_timers() if t.due and t.due <= until + timedelta(0))
        naive = (time.perf_counter() - t0) * (n / sample)
        note = "" if sample == n else f" (gemeten op {sample:,} zaken, lineair opgeschaald)"
        print(f"   N = {n:>7,}: Werkpad {ours * 1000:8.1f} ms ({ours * 10:.2f} ms per timer)   "
              f"naïef {naive * 1000:10.1f} ms{note}")
        wp.db.dispose()


def replay(tmp: Path) -> None:
    wp = Werkpad(f"sqlite:///{tmp / 'replay.sqlite'}", processes_dir=FIX, forms_dir=FIX / "forms_lus")
    wp.upgrade_db()
    wp.deploy(only=["lus"])
    case = wp.start_case("lusstad", "111222333", "Lus", "1980-01-01", data={"aantal": 100000, "modus": "taak"},
                         at="2026-01-01T09:00")
    for _ in range(399):
        task_id = wp.list_tasks(case_id=case["id"], with_form=False)[0]["id"]
        wp.complete_task(task_id, "bench", {})
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = wp.replay_case(case["id"])
        times.append(time.perf_counter() - t0)
        assert result["match"] and result["events"] == 400
    print(f"3. replay van een zaak met 400 gebeurtenissen: {_ms(times)} (mediaan van 3), match = True")


def main() -> None:
    quick = "--quick" in sys.argv
    parts = [a for a in sys.argv[1:] if not a.startswith("--")] or ["step", "tick", "replay"]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "step" in parts:
            per_step(tmp)
        if "tick" in parts:
            timer_tick(tmp, [10_000] if quick else [10_000, 100_000])
        if "replay" in parts:
            replay(tmp)


if __name__ == "__main__":
    main()
