"""Serving the web app: gunicorn in production, Flask's development server only on request.

``werkpad serve`` calls :func:`serve`. Each gunicorn worker builds its own app (and
its own database pool) after the fork; the timer poller does not run in web
workers — timers belong to ``werkpad worker`` processes, of which any number may run.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Any

from engine import Werkpad


def application(database_url: str | None = None) -> Any:
    """The WSGI app for one process (``gunicorn 'web.server:application()'``)."""
    from .app import create_app

    app = create_app(werkpad=Werkpad(database_url or os.environ.get("DATABASE_URL")), start_scheduler=False)
    settle_memory()
    return app


# gen0 collects after 5,000 new container objects instead of 700, and gen2 far more rarely
GC_THRESHOLDS = (5000, 20, 50)


def settle_memory() -> None:
    """After start-up: what the process built so far (modules, the app, process definitions) is
    moved out of the garbage collector's reach, and the collector runs less often.

    Measured in-process on PostgreSQL with 100,000 filler cases (600 completions, 30-11-2026):
    with Python's defaults, 120 collections took 0.09–0.12 ms per completion, and one full
    collection over the ~100,000 tracked objects paused the process for 31 ms (a web worker holds
    more); after this, 16 collections took 0.03 ms per completion, the longest 1.3 ms, and none
    was a full collection. Reference cycles are still collected, just in larger batches."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def default_workers() -> int:
    """One process per core plus one, so a slow request (a PDF dossier) does not halve the capacity."""
    return max(2, multiprocessing.cpu_count() + 1)


def serve(host: str, port: int, workers: int | None = None, database_url: str | None = None,
          dev: bool = False, with_timers: bool = False) -> None:
    """Run the web app until stopped. ``dev``: Flask's development server (one process).

    gunicorn's sync workers: each process handles one request at a time and only accepts a
    connection when it is free, so the kernel spreads the requests over the processes. Measured
    with bench.load's clients on 2 cores (PostgreSQL, 8 clients): threads inside a process cost
    CPU in contention for the interpreter lock (4 threads: 14 ms of CPU per completion against
    7–8 ms with one), and kept-alive connections stay with the process that accepted them, so one
    process did all the work while the other waited (68 completions/s with 2 processes of 4
    threads, 174/s with 2 or 3 sync processes). Measured again on 30-11-2026 (100,000 filler cases,
    12 s runs taken in turns): gthread with one thread per process keeps connections open and did
    264–331 completions/s against 250–294/s for sync, but the inbox's p95 under that load rose from
    48–63 ms to 42–81 ms, because a kept connection waits behind the busy process that holds it; and
    a gthread worker is not restarted when a request hangs (its main thread keeps reporting alive).
    Closing a connection without waiting for the client's FIN (gunicorn 27 lingers up to 2 s in a
    sync worker) gave 266–338/s against 287–306/s: within the noise. So sync stays. Settings can be
    overridden with ``GUNICORN_CMD_ARGS``."""
    if dev:
        from . import create_app

        app = create_app(werkpad=Werkpad(database_url), start_scheduler=with_timers)
        app.run(host=host, port=port, debug=False, use_reloader=False)
        return

    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers or default_workers(),
                "worker_class": "sync",
                "timeout": 60,
                "graceful_timeout": 10,
                "accesslog": os.environ.get("WERKPAD_ACCESS_LOG") or None,
                "errorlog": "-",
                "loglevel": os.environ.get("WERKPAD_LOG_LEVEL", "info"),
                "proc_name": "werkpad-web",
                # gunicorn 24+: no shared ~/.gunicorn/gunicorn.ctl that several servers on one host fight over
                "control_socket_disable": True,
            }
            for key, value in settings.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)
            # an operator's own settings (GUNICORN_CMD_ARGS="--workers 8 --timeout 120") come last
            from_env = self.cfg.get_cmd_args_from_env()
            if from_env:
                for key, value in vars(self.cfg.parser().parse_args(from_env)).items():
                    if value is not None and key != "args" and key in self.cfg.settings:
                        self.cfg.set(key.lower(), value)

        def load(self) -> Any:
            return application(database_url)

    _Gunicorn().run()
