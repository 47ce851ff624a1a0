"""``werkpad serve``: the web app's own command, registered as a ``werkpad.commands``
entry point so that the CLI needs no import of the web layer.

By default it runs gunicorn (``--workers`` processes, one request at a time each) and one
``werkpad worker`` process beside it for the timers, and stops both together.
``--dev`` runs Flask's development server instead (one process, timers in a thread).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import click

from .server import default_workers
from .server import serve as run_server


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Aantal webprocessen (standaard: aantal cores, minstens 2).")
@click.option("--demo", is_flag=True, help="Zet de database klaar en laad demogegevens.")
@click.option("--dev", is_flag=True, help="Flask's ontwikkelserver in plaats van gunicorn (niet voor productie).")
@click.option("--no-timers", "--no-scheduler", "no_timers", is_flag=True,
              help="Geen timer-worker starten (draai 'werkpad worker' apart).")
@click.pass_obj
def serve(ctx_obj, host: str, port: int, workers: int | None, demo: bool, dev: bool, no_timers: bool):
    """Start de webapplicatie (gunicorn) met een timer-worker ernaast."""
    wp = ctx_obj()
    wp.upgrade_db()
    if demo:
        from engine.tools.demo import load_demo
        load_demo(wp)
    url = wp.db.url
    wp.db.dispose()  # the server processes open their own connections after forking
    click.echo(f"Werkpad draait op http://{host}:{port}/"
               + (" (ontwikkelserver)" if dev else f" (gunicorn, {workers or default_workers()} webprocessen)"))
    if dev:
        run_server(host, port, database_url=url, dev=True, with_timers=not no_timers)
        return
    timer_worker = None
    if not no_timers:
        werkpad_cmd = os.path.join(os.path.dirname(sys.executable), "werkpad")
        command = [werkpad_cmd] if os.path.exists(werkpad_cmd) else [sys.executable, "-m", "engine.cli"]
        timer_worker = subprocess.Popen([*command, "worker"], env={**os.environ, "DATABASE_URL": url})
    try:
        run_server(host, port, workers=workers, database_url=url)
    finally:
        if timer_worker is not None and timer_worker.poll() is None:
            timer_worker.send_signal(signal.SIGTERM)
            try:
                timer_worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                timer_worker.kill()
