"""`werkpad worker`: timers fire within about a second of coming due, woken by the
database (LISTEN/NOTIFY on PostgreSQL, polling on SQLite); several workers fire each
timer exactly once; a stop signal ends a worker cleanly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from engine import clock
from engine.worker import TimerWorker

ROOT = Path(__file__).resolve().parents[2]
WERKPAD = str(Path(sys.executable).parent / "werkpad")


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_next_due_timer_and_one_round(wp):
    assert wp.next_timer_due() is None
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01", at=clock.now() - timedelta(days=10))
    due = wp.next_timer_due()
    assert due is not None and due < clock.now()
    worker = TimerWorker(wp)
    assert worker.run_once() >= 1
    assert wp.get_case(case["id"])["timers"] == [] or wp.next_timer_due() > clock.now()
    assert worker.seconds_until_next() <= worker.max_sleep


def test_worker_processes_fire_a_timer_soon_after_it_comes_due(db_url, wp):
    env = {**os.environ, "DATABASE_URL": db_url.replace("postgresql+psycopg://", "postgresql://")}
    workers = [subprocess.Popen([WERKPAD, "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for proc in workers:  # both started and idle, waiting for work
            assert "timer-worker gestart" in _line_within(proc, 60)
        # a case whose reminder is due ~1.2 s from now: armed while the workers sleep
        start = clock.now() - timedelta(days=3) + timedelta(seconds=1.2)
        case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01", at=start)
        due = clock.to_utc(case["timers"][0]["due"])
        assert _wait_for(lambda: [e for e in wp.case_history(case["id"]) if e["type"] == "timer_fired"], 10)
        fired_at = clock.now()
        lag = (fired_at - due).total_seconds()
        assert lag < 3.0, f"timer fired {lag:.2f} s after it came due"
        history = [e["type"] for e in wp.case_history(case["id"])]
        assert history.count("timer_fired") == 1  # exactly once, with two workers
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            assert proc.wait(timeout=15) == 0
            rest = proc.stderr.read()
            proc.stderr.close()
            assert "Traceback" not in rest


def test_a_timer_armed_far_ahead_does_not_make_the_worker_look(wp):
    """Nearly every step arms a timer weeks ahead; the NOTIFY names its moment, so a waiting
    worker only goes back to the database for a timer that comes due before it would wake
    anyway — and still fires a timer armed for a second from now on time."""
    if wp.db.is_sqlite:
        return  # polling there; nothing is notified
    worker = TimerWorker(wp, max_sleep=30.0)
    rounds = []
    plain_round = worker.run_once
    worker.run_once = lambda: rounds.append(clock.now()) or plain_round()
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: worker._listener is not None and rounds, 10)
        time.sleep(0.3)
        before = len(rounds)
        for i in range(10):  # reminders three days from now
            wp.start_case("voorbeeldstad", "111222333", f"Ver {i}", "1980-01-01")
        time.sleep(1.0)
        assert len(rounds) == before, f"{len(rounds) - before} rounds for timers three days ahead"
        soon = wp.start_case("voorbeeldstad", "111222333", "Straks", "1980-01-01",
                             at=clock.now() - timedelta(days=3) + timedelta(seconds=1))
        assert _wait_for(lambda: [e for e in wp.case_history(soon["id"]) if e["type"] == "timer_fired"], 5)
        due = clock.to_utc(soon["timers"][0]["due"])
        assert (clock.now() - due).total_seconds() < 1.5
        assert len(rounds) - before <= 3
    finally:
        worker.stop()
        thread.join(timeout=10)


def test_a_timer_past_the_notify_horizon_is_found_on_the_next_look(wp, monkeypatch):
    """A timer due later than the horizon is not notified; the worker, which never sleeps longer
    than the horizon, still finds and fires it on time (the horizon shortened to 2 s here)."""
    if wp.db.is_sqlite:
        return
    from engine.app import repository

    monkeypatch.setattr(repository, "NOTIFY_HORIZON", timedelta(seconds=2))
    worker = TimerWorker(wp, max_sleep=2.0)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: worker._listener is not None, 10)
        later = wp.start_case("voorbeeldstad", "111222333", "Later", "1980-01-01",
                              at=clock.now() - timedelta(days=3) + timedelta(seconds=3.5))
        due = clock.to_utc(later["timers"][0]["due"])
        assert _wait_for(lambda: [e for e in wp.case_history(later["id"]) if e["type"] == "timer_fired"], 8)
        assert (clock.now() - due).total_seconds() < 1.5
    finally:
        worker.stop()
        thread.join(timeout=10)


def _line_within(proc: subprocess.Popen, seconds: float) -> str:
    timer = threading.Timer(seconds, proc.kill)
    timer.start()
    try:
        return proc.stderr.readline()
    finally:
        timer.cancel()


def test_database_away_is_one_log_line_without_traceback(wp_sqlite, caplog):
    """The database restarting (as in bench.faults) is logged as one line and retried; the
    worker's log gets no traceback, like every other command."""
    from sqlalchemy.exc import OperationalError

    worker = TimerWorker(wp_sqlite, retry_pause=0.01)
    calls = []

    def away():
        calls.append(1)
        if len(calls) >= 2:
            worker.stop()
        raise OperationalError("SELECT min(due_at) FROM timers", {},
                               Exception("server closed the connection unexpectedly\n\tThis probably means…"))

    wp_sqlite.fire_due_timers = away
    with caplog.at_level("INFO", logger="werkpad.worker"):
        thread = threading.Thread(target=worker.run)
        thread.start()
        thread.join(timeout=10)
    assert not thread.is_alive()
    retries = [r for r in caplog.records if "opnieuw over" in r.getMessage()]
    assert len(retries) == 2, caplog.text
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in retries), caplog.text
    assert "server closed the connection unexpectedly" in retries[0].getMessage()
    assert "Traceback" not in caplog.text


def test_a_timer_armed_between_the_look_and_the_sleep_still_wakes_the_worker(wp):
    """The worker looks in the timer index, then sleeps until the soonest timer it saw. A timer
    armed for a second from now just after that look (a case started the moment the worker
    starts) must still wake it: it LISTENs before it looks, so the NOTIFY is kept for it."""
    if wp.db.is_sqlite:
        return  # polling there; nothing is notified
    worker = TimerWorker(wp, max_sleep=30.0)
    armed: list[dict] = []
    plain_look = worker.seconds_until_next

    def look_then_arm() -> float:
        seconds = plain_look()  # nothing due: the worker would sleep the whole 30 s
        if not armed:
            armed.append(wp.start_case("voorbeeldstad", "111222333", "Tussendoor", "1980-01-01",
                                       at=clock.now() - timedelta(days=3) + timedelta(seconds=1)))
        return seconds

    worker.seconds_until_next = look_then_arm
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: bool(armed), 10)
        case = armed[0]
        assert _wait_for(lambda: [e for e in wp.case_history(case["id"]) if e["type"] == "timer_fired"], 6)
        due = clock.to_utc(case["timers"][0]["due"])
        assert (clock.now() - due).total_seconds() < 2.0
    finally:
        worker.stop()
        thread.join(timeout=10)
