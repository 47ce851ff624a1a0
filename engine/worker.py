"""The timer poller for the running product: an APScheduler job that fires due
timers through the public API. Only one poller runs per process; several
processes may poll the same database safely because firing claims each timer
inside the transaction that applies it.
"""
from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from .app import Werkpad
from .errors import WerkpadError

log = logging.getLogger("werkpad.scheduler")
_lock = threading.Lock()
_running: BackgroundScheduler | None = None


def start_scheduler(werkpad: Werkpad, interval_seconds: float = 15.0) -> BackgroundScheduler | None:
    """Start the poller once per process; later calls return the running one."""
    global _running
    with _lock:
        if _running is not None:
            return _running
        scheduler = BackgroundScheduler(daemon=True)

        def tick() -> None:
            try:
                fired = werkpad.fire_due_timers()
                if fired:
                    log.info("%d timer(s) afgevuurd", len(fired))
            except WerkpadError as exc:  # keep polling; a broken case is put in error by the service
                log.warning("timers afvuren mislukt: %s", exc.message)
            except Exception:  # noqa: BLE001 - e.g. the database is briefly away: try again next tick
                log.exception("timers afvuren mislukt")

        scheduler.add_job(tick, "interval", seconds=interval_seconds, id="werkpad-timers",
                          max_instances=1, coalesce=True, replace_existing=True)
        scheduler.start()
        _running = scheduler
        return scheduler


def stop_scheduler() -> None:
    global _running
    with _lock:
        if _running is not None:
            _running.shutdown(wait=False)
            _running = None
