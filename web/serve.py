"""``werkpad serve``: the web app's own command, registered as a ``werkpad.commands``
entry point so that the CLI needs no import of the web layer."""
from __future__ import annotations

import click

from . import create_app


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--demo", is_flag=True, help="Zet de database klaar en laad demogegevens.")
@click.option("--no-scheduler", is_flag=True, help="Geen timer-poller in dit proces.")
@click.pass_obj
def serve(ctx_obj, host: str, port: int, demo: bool, no_scheduler: bool):
    """Start de webapplicatie."""
    wp = ctx_obj()
    wp.upgrade_db()
    if demo:
        from engine.tools.demo import load_demo
        load_demo(wp)
    app = create_app(werkpad=wp, start_scheduler=not no_scheduler)
    click.echo(f"Werkpad draait op http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False)
