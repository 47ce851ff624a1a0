"""``make cluster``: Werkpad locally in its production shape, stopped together with Ctrl-C.

    python scripts/cluster.py [--port 5000] [--web-workers 2] [--timer-workers 2] [--no-demo] [--seconds N]

Starts a throw-away PostgreSQL server (removed again on exit), ``werkpad serve
--demo --workers 2 --no-timers`` (gunicorn: one master, two web processes; the
demo data is loaded before it serves) and two ``werkpad worker`` processes for the
timers. A timer worker that dies is restarted; if the web master dies, everything
stops. All output appears here, each line prefixed with the process it came from.
``--seconds`` stops the cluster by itself after that long (for a quick check).
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster import Cluster  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--timer-workers", type=int, default=2)
    parser.add_argument("--no-demo", action="store_true", help="geen demogegevens laden")
    parser.add_argument("--seconds", type=float, default=None, help="stop vanzelf na zoveel seconden")
    args = parser.parse_args(argv)

    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    cluster = Cluster(web_workers=args.web_workers, timer_workers=args.timer_workers, port=args.port,
                      demo=not args.no_demo, echo=True, durable=True,
                      env={"WERKPAD_PSEUDONYM_SECRET": "werkpad-cluster-lokaal"})
    code = 0
    try:
        url = cluster.start_database()
        print(f"PostgreSQL: {url}  (tijdelijk; verdwijnt bij het stoppen)", file=sys.stderr)
        print("webprocessen starten" + (" en demogegevens laden (kan een minuut duren)…" if not args.no_demo
                                          else "…"), file=sys.stderr)
        cluster.start_web(timeout=600)
        cluster.start_timers()
        print(f"\nWerkpad-cluster draait op http://127.0.0.1:{args.port}/  —  "
              f"gunicorn-master {cluster.web.pid if cluster.web else '?'} met webprocessen "
              f"{cluster.web_pids()}, timer-workers {cluster.timer_pids()}.\n"
              "Inloggen: kees / werkpad-demo. Ctrl-C stopt alles.\n", file=sys.stderr)
        until = time.monotonic() + args.seconds if args.seconds else None
        while not stopping and (until is None or time.monotonic() < until):
            if cluster.web is not None and cluster.web.poll() is not None:
                print(f"gunicorn-master gestopt (exitcode {cluster.web.returncode}); het cluster stopt",
                      file=sys.stderr)
                code = 1
                break
            for line in cluster.supervise():
                print(line, file=sys.stderr)
            time.sleep(0.5)
    except RuntimeError as exc:
        print(f"fout: {exc}", file=sys.stderr)
        code = 1
    finally:
        print("cluster stoppen…", file=sys.stderr)
        cluster.stop()
        print("gestopt.", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
