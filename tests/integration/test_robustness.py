"""A worker killed mid-stream loses nothing; the scheduler fires due timers; a
failing step stores nothing; the layers keep their boundaries."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Werkpad
from engine.errors import EngineError

ROOT = Path(__file__).resolve().parents[2]


def _engine(url: str) -> Werkpad:
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    return wp


def _timer_events(wp: Werkpad) -> list[tuple]:
    with wp.db.engine.connect() as conn:
        return conn.execute(text("SELECT case_id, count(*) FROM events WHERE type = 'timer_fired' "
                                 "GROUP BY case_id")).all()


def test_worker_killed_mid_stream_loses_nothing(db_url):
    wp = _engine(db_url)
    for i in range(60):
        wp.start_case("voorbeeldstad", "111222333", f"Klant {i}", "1980-01-01", at="2026-01-05T09:00")
    script = ("import sys; from engine import Werkpad; "
              "Werkpad(sys.argv[1]).fire_due_timers('2026-02-01')")
    proc = subprocess.Popen([sys.executable, "-c", script, db_url], cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline and len(_timer_events(wp)) < 5:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = len(_timer_events(wp))
    assert 0 < partial < 60, "the worker should have been killed halfway"
    assert wp.verify_audit()["ok"] is True
    wp.fire_due_timers("2026-02-01")
    counts = _timer_events(wp)
    assert len(counts) == 60 and {c for _, c in counts} == {1}
    assert wp.verify_audit()["ok"] is True
    wp.db.dispose()


def test_a_failing_step_stores_nothing(wp_sqlite, monkeypatch):
    case = wp_sqlite.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01", at="2026-01-05T09:00")
    task_id = case["tasks"][0]["id"]
    before = wp_sqlite.get_case(case["id"])

    def boom(*args, **kwargs):
        raise EngineError("schijf vol")

    monkeypatch.setattr(type(wp_sqlite.repo), "append_event", boom)
    with pytest.raises(EngineError):
        wp_sqlite.complete_task(task_id, "kees", {"crisis": False, "woonsituatie": "dakloos"})
    monkeypatch.undo()
    after = wp_sqlite.get_case(case["id"])
    assert after == before
    assert len(wp_sqlite.case_history(case["id"])) == 1
    wp_sqlite.complete_task(task_id, "kees", {"crisis": False, "woonsituatie": "dakloos"})


def test_scheduler_fires_due_timers(wp_sqlite):
    from engine.worker import start_scheduler, stop_scheduler

    case = wp_sqlite.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01", at="2025-06-01T09:00")
    scheduler = start_scheduler(wp_sqlite, interval_seconds=0.2)
    try:
        assert start_scheduler(wp_sqlite) is scheduler  # one poller per process
        deadline = time.time() + 20
        while time.time() < deadline and wp_sqlite.get_case(case["id"])["timers"]:
            time.sleep(0.1)
    finally:
        stop_scheduler()
    events = [e["type"] for e in wp_sqlite.case_history(case["id"])]
    assert events == ["case_started", "timer_fired"]


def test_models_match_the_migrations(sqlite_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from engine.storage import metadata

    wp = Werkpad(sqlite_url)
    wp.upgrade_db()
    with wp.db.engine.connect() as conn:
        # the search index of migration 0014_admin2 (an FTS5 table with its shadow tables) is no model
        context = MigrationContext.configure(conn, opts={"include_name": lambda name, kind, _parent: not (
            kind == "table" and (name or "").startswith("case_names"))})
        diff = compare_metadata(context, metadata)
    wp.db.dispose()
    assert diff == [], diff


def test_a_process_error_on_a_timer_puts_the_case_in_error(db_url):
    fixtures = ROOT / "tests" / "fixtures"
    wp = Werkpad(db_url, processes_dir=fixtures, forms_dir=fixtures / "forms_lus")
    wp.upgrade_db()
    wp.deploy(only=["fout"])
    case = wp.start_case("foutstad", "111222333", "Jan", "1980-01-01", at="2026-01-05T09:00")
    assert case["status"] == "waiting"
    result = wp.fire_due_timers("2026-01-07")
    assert result == []
    shown = wp.get_case(case["id"])
    assert shown["status"] == "error" and "onbekend_gegeven" in shown["error"]
    assert shown["timers"] == []
    assert [e["type"] for e in wp.case_history(case["id"])] == ["case_started", "engine_error"]
    assert wp.fire_due_timers("2026-02-01") == []  # it does not retry forever
    assert wp.verify_audit()["ok"] is True
    wp.db.dispose()
