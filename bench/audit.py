"""Auditor benchmarks (issue 7), each against a naive baseline where one makes sense. Prints figures.

    python -m bench.audit [--quick]

1. replay and verify of one case at 10, 400 and 4,000 events. Werkpad replays once and compares
   each event with the fingerprint it recorded; the naive way to check every event rebuilds the
   case from the start for each one (as showing the case at each event would), O(n^2);
2. ``audit verify`` (hash chain + replay) over 10,000 cases, and the hash chain only;
3. exporting the case file as JSON and as PDF (400 events).
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from engine import Werkpad
from engine.app.audit_pdf import case_file_pdf
from engine.app.audit_workspace import AuditorWorkspace
from engine.core import audit
from engine.storage import CaseRow, EventRow
from engine.storage.models import CaseNumberRow

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"


def _med(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms".replace(",", "_").replace(".", ",").replace("_", ".") if seconds < 10 \
        else f"{seconds:,.1f} s".replace(".", ",")


def long_cases(tmp: Path, marks: list[int]) -> None:
    wp = Werkpad(f"sqlite:///{tmp / 'lang.sqlite'}", processes_dir=FIX, forms_dir=FIX / "forms_lus")
    wp.upgrade_db()
    wp.deploy(only=["lus"])
    aud = AuditorWorkspace(wp)
    case = wp.start_case("lusstad", "111222333", "Lus", "1980-01-01", data={"aantal": 100000, "modus": "taak"},
                         at="2026-01-01T09:00")
    events = 1
    for mark in marks:
        while events < mark:
            task_id = wp.list_tasks(case_id=case["id"], with_form=False)[0]["id"]
            wp.complete_task(task_id, "bench", {})
            events += 1
        runs = 3 if mark < 4000 else 1
        replay_t, result = _med(lambda: wp.replay_case(case["id"]), runs)
        assert result["match"], result  # type: ignore[index]
        verify_t, result = _med(lambda: wp.auditing.verify_case(case["id"]), runs)
        assert result["ok"], result  # type: ignore[index]
        if mark <= 400:
            # naive: rebuild from the start for every event (what the time-travel page does per event);
            # at 400 events measured on 20 evenly spread events and scaled up (it takes minutes)
            sample = list(range(1, mark + 1)) if mark <= 10 else list(range(mark // 20, mark + 1, mark // 20))

            def naive(sample: list[int] = sample) -> None:
                for seq in sample:
                    aud.state_at(case["id"], seq)
            naive_t, _ = _med(naive, 1)
            naive_t *= mark / len(sample)
            naive_text = _fmt(naive_t) + ("" if len(sample) == mark else " (geschat uit 20 gebeurtenissen)")
        else:
            naive_text = "— (kwadratisch; bij 400 al gemeten)"
        print(f"1. zaak met {mark:>5} gebeurtenissen: replay {_fmt(replay_t)}, verify (keten + replay) "
              f"{_fmt(verify_t)}; naïef elke gebeurtenis vanaf het begin herbouwen: {naive_text}")
        if mark == 400:
            json_t, _ = _med(lambda: aud.export_json(case["id"]))
            pdf_t, pdf = _med(lambda: case_file_pdf(aud, case["id"]), 1)
            print(f"3. export van die zaak (400 gebeurtenissen): JSON {_fmt(json_t)}, PDF {_fmt(pdf_t)} "
                  f"({len(pdf) // 1024} KiB)")  # type: ignore[arg-type]
    wp.db.dispose()


def many_cases(tmp: Path, count: int) -> None:
    """``count`` copies of a small real case (start, intake done, a note), each with its own hash chain."""
    wp = Werkpad(f"sqlite:///{tmp / 'veel.sqlite'}", processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    case = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": True, "woonsituatie": "dakloos"},
                     at="2026-01-05T10:00")
    wp.add_note(case["id"], "kees", "Gebeld.", at="2026-01-05T11:00")
    with wp.db.unit_of_work() as uow:
        template = uow.session.get(CaseRow, case["id"])
        events = list(uow.session.scalars(select(EventRow).where(EventRow.case_id == case["id"]).order_by(EventRow.seq)))
        columns = {prop.columns[0].name: getattr(template, prop.key) for prop in CaseRow.__mapper__.column_attrs}
        case_rows, event_rows = [], []
        now = datetime.now(UTC)
        for n in range(count - 1):
            cid = uuid.uuid4().hex[:16]
            prev = audit.GENESIS
            for ev in events:
                h = audit.event_hash(prev, cid, ev.seq, ev.type, ev.actor, ev.at, now, ev.phase, ev.payload, ev.digest)
                event_rows.append({"case_id": cid, "seq": ev.seq, "type": ev.type, "actor": ev.actor, "at": ev.at,
                                   "recorded_at": now, "phase": ev.phase, "payload": ev.payload, "digest": ev.digest,
                                   "prev_hash": prev, "hash": h, "snapshot": ev.snapshot})
                prev = h
            seal = wp.repo.seal_key.seal(cid, events[-1].seq, prev) if wp.repo.seal_key else None
            # each copy its own case number, and the year's counter past them (verify checks for gaps)
            case_rows.append({**columns, "id": cid, "last_hash": prev, "seal": seal, "case_number": f"2026-{n + 2:06d}"})
        uow.session.execute(CaseRow.__table__.insert(), case_rows)
        uow.session.execute(CaseNumberRow.__table__.update().where(CaseNumberRow.year == 2026).values(last=count))
        uow.session.execute(EventRow.__table__.insert(), event_rows)
        uow.commit()
    chain_t, r = _med(lambda: wp.verify_audit(replay=False), 1)
    assert r["ok"] and r["cases"] == count, r  # type: ignore[index]
    full_t, r = _med(lambda: wp.verify_audit(replay=True), 1)
    assert r["ok"], r["broken"][:2]  # type: ignore[index]
    per = (f"{chain_t / count * 1000:.2f}".replace(".", ","), f"{full_t / count * 1000:.2f}".replace(".", ","))
    print(f"2. audit verify over {count:,} zaken".replace(",", ".") +
          f": hashketen {_fmt(chain_t)} ({per[0]} ms per zaak), keten + replay {_fmt(full_t)} ({per[1]} ms per zaak)")
    wp.db.dispose()


def main() -> None:
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        long_cases(tmp, [10, 400] if quick else [10, 400, 4000])
        many_cases(tmp, 1000 if quick else 10_000)
    print(json.dumps({"quick": quick}))


if __name__ == "__main__":
    main()
