"""The timer worker: fires every due timer within about a second, in any number of
processes, with no coordination but the database.

``werkpad worker`` runs :class:`TimerWorker` in its own process. It fires what is
due (each timer at its own due moment, one transaction per timer, claimed with
``SKIP LOCKED`` on PostgreSQL so two workers never fire the same one), then sleeps
until the earliest timer in the index comes due — at most ``max_sleep`` seconds.
On PostgreSQL it LISTENs on a channel that every transaction arming an earlier
timer due within ``NOTIFY_HORIZON`` (its longest sleep) NOTIFYs with that timer's moment,
so a timer armed now for "in ten seconds" or "right now" wakes it when due without
polling, and a worker already waking sooner does not ask the database; a timer armed for
next month is not notified at all but found on the worker's next look. On SQLite it
polls the index every ``poll`` seconds instead. Database trouble (a restart, a dropped
connection) is logged and retried with a short pause; it never stops the worker.

``start_scheduler`` runs the same loop in a thread of a web process, for the
development server and tests.
"""
from __future__ import annotations

import logging
import select
import signal
import threading
import time
from typing import Any

from .app import Werkpad
from .app.repository import NOTIFY_HORIZON, TIMER_CHANNEL, why
from .core import clock

log = logging.getLogger("werkpad.worker")


class TimerWorker:
    def __init__(self, werkpad: Werkpad, poll: float = 0.5, max_sleep: float = 30.0,
                 retry_pause: float = 2.0) -> None:
        self.wp = werkpad
        self.poll = poll
        # never longer than the horizon past which a new timer is not notified (it is found on a look)
        self.max_sleep = min(max_sleep, NOTIFY_HORIZON.total_seconds())
        self.retry_pause = retry_pause
        self.stopping = threading.Event()
        self.fired = 0
        self._listener: Any = None  # a raw psycopg connection LISTENing (PostgreSQL only)

    # -- one round
    def run_once(self) -> int:
        """Fire everything due now; return how many timers fired."""
        fired = self.wp.fire_due_timers()
        if fired:
            self.fired += len(fired)
            log.info("%d timer(s) afgegaan", len(fired))
        return len(fired)

    def seconds_until_next(self) -> float:
        due = self.wp.next_timer_due()
        if due is None:
            return self.max_sleep
        return max(0.0, min(self.max_sleep, (due - clock.now()).total_seconds()))

    # -- the loop
    def run(self) -> None:
        log.info("timer-worker gestart (%s)", "LISTEN/NOTIFY" if not self.wp.db.is_sqlite else "peilen")
        while not self.stopping.is_set():
            try:
                if not self.wp.db.is_sqlite:
                    # LISTEN before the look, never after: a timer armed between the look and a
                    # later LISTEN would be notified to no one and wait out the whole sleep
                    self._listen()
                self.run_once()
                self._wait(self.seconds_until_next())
            except Exception as exc:  # noqa: BLE001 - the database may be briefly away: wait and try again
                # one line, like every command (a database restart is expected, not a crash);
                # the traceback only when the log level asks for detail
                log.warning("timer-worker: fout, opnieuw over %.0f s: %s", self.retry_pause, why(exc))
                log.debug("timer-worker: fout", exc_info=True)
                self._close_listener()
                self.stopping.wait(self.retry_pause)
        self._close_listener()
        log.info("timer-worker gestopt (%d timers afgegaan)", self.fired)

    def stop(self) -> None:
        self.stopping.set()

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.wp.db.is_sqlite:
            deadline = time.monotonic() + seconds
            while not self.stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self.stopping.wait(min(self.poll, remaining))
                # a timer armed meanwhile by another process may come due sooner
                if self.seconds_until_next() < deadline - time.monotonic() - self.poll:
                    return
            return
        conn = self._listen()
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            ready, _, _ = select.select([conn.fileno()], [], [], min(remaining, 1.0))  # 1 s: notice a stop
            if not ready:
                continue
            for note in conn.notifies(timeout=0, stop_after=1000):
                sooner = self._seconds_until(note.payload)
                if sooner is None:
                    return  # a timer without a moment, or a word from elsewhere: look in the index
                deadline = min(deadline, time.monotonic() + sooner)

    @staticmethod
    def _seconds_until(payload: str) -> float | None:
        """How long until the moment a NOTIFY names (the soonest timer its transaction armed);
        None when it names none. A worker already waking sooner need not ask the database:
        a busy system arms a timer with nearly every step, mostly weeks ahead."""
        try:
            due = float(payload)
        except ValueError:
            return None
        return max(0.0, due - clock.now().timestamp())

    def _listen(self) -> Any:
        if self._listener is None or self._listener.closed:
            import psycopg

            url = self.wp.db.engine.url.set(drivername="postgresql")
            conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            conn.execute(f"LISTEN {TIMER_CHANNEL}")
            self._listener = conn
        return self._listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:  # noqa: BLE001
                pass
            self._listener = None


def run_worker(werkpad: Werkpad, once: bool = False) -> int:
    """Run until SIGTERM/SIGINT (or one round with ``once``); return the number of timers fired."""
    worker = TimerWorker(werkpad)
    if once:
        return worker.run_once()
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    worker.run()
    return worker.fired


# -- in a thread of a web process (development server, tests)
_lock = threading.Lock()
_running: tuple[TimerWorker, threading.Thread] | None = None


def start_scheduler(werkpad: Werkpad, interval_seconds: float = 0.5) -> TimerWorker:
    """Start the timer loop in a daemon thread once per process; later calls return it."""
    global _running
    with _lock:
        if _running is not None:
            return _running[0]
        worker = TimerWorker(werkpad, poll=interval_seconds)
        thread = threading.Thread(target=worker.run, name="werkpad-timers", daemon=True)
        thread.start()
        _running = (worker, thread)
        return worker


def stop_scheduler() -> None:
    global _running
    with _lock:
        if _running is not None:
            worker, thread = _running
            worker.stop()
            thread.join(timeout=10)
            _running = None
