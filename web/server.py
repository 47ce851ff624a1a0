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

    return create_app(werkpad=Werkpad(database_url or os.environ.get("DATABASE_URL")), start_scheduler=False)


def default_workers() -> int:
    return max(2, multiprocessing.cpu_count())


def serve(host: str, port: int, workers: int | None = None, database_url: str | None = None,
          dev: bool = False, with_timers: bool = False, threads: int = 4) -> None:
    """Run the web app until stopped. ``dev``: Flask's development server (one process)."""
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
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 60,
                "graceful_timeout": 10,
                "keepalive": 5,
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

        def load(self) -> Any:
            return application(database_url)

    _Gunicorn().run()
