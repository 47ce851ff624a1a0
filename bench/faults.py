"""The fault tests at length: what was tried, how many times, and what was lost.

    python -m bench.faults [--web-workers N] [--web-kills 20] [--web-seconds 40] [--timer-cases 150] [--timer-seconds 30]
                           [--pg-restarts 5] [--pg-seconds 40] [--pairs 1000] [--only web,timer,pg,double]

One cluster (tests/cluster.py: PostgreSQL, gunicorn with sync web processes — by default as many
as ``werkpad serve`` starts, cores + 1 — and 2 timer workers) runs all scenarios of tests/faults.py in turn; the checks after each scenario cover the
whole database so far. Everything listens on 127.0.0.1; every loop is bounded in time.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from tests import faults
from web.server import default_workers


def _line(result: dict) -> str:
    keys = ("faults", "requests", "acked", "no_answer", "five_xx", "five_xx_other", "statuses", "timers", "fired", "never_fired",
            "fired_twice", "outcomes", "not_200_409", "completed_twice", "recovery_s", "answers_after_s",
            "timer_after_s", "web_workers_after", "timer_workers_alive", "seconds")
    parts = []
    for key in keys:
        if key in result:
            value = result[key]
            if isinstance(value, float):
                value = round(value, 2)
            elif isinstance(value, list):
                value = [round(v, 2) if isinstance(v, float) else v for v in value]
            parts.append(f"{key}={value}")
    return "  ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-workers", type=int, default=default_workers(),
                        help="gunicorn-webprocessen (standaard zoals werkpad serve: cores + 1)")
    parser.add_argument("--web-kills", type=int, default=20)
    parser.add_argument("--web-seconds", type=float, default=40)
    parser.add_argument("--timer-cases", type=int, default=150)
    parser.add_argument("--timer-seconds", type=float, default=30)
    parser.add_argument("--pg-restarts", type=int, default=5)
    parser.add_argument("--pg-seconds", type=float, default=40)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--only", default="web,timer,pg,double")
    parser.add_argument("--json", dest="json_out", type=Path, default=None, help="schrijf de resultaten als JSON")
    args = parser.parse_args()
    only = set(args.only.split(","))
    logs = Path(tempfile.mkdtemp(prefix="werkpad-faults-logs-"))
    t0 = time.monotonic()
    cluster, wp, tokens = faults.start_cluster(web_workers=args.web_workers, log_dir=logs, durable=True)
    print(f"cluster: gunicorn {cluster.web_workers} sync-webprocessen (één verzoek tegelijk per proces), "
          f"{cluster.timer_count} timer-workers, "
          f"PostgreSQL op 127.0.0.1:{cluster.pg.port if cluster.pg else '?'} (logs in {logs})", flush=True)
    results = []
    try:
        runs = [
            ("web", lambda: faults.web_workers_killed(cluster, wp, tokens["kees"], args.web_seconds, args.web_kills,
                                                      clients=args.clients, rng=random.Random(100))),
            ("timer", lambda: faults.timer_workers_killed(cluster, wp, args.timer_cases, args.timer_seconds,
                                                          rng=random.Random(200))),
            ("pg", lambda: faults.database_restarted(cluster, wp, tokens["kees"], args.pg_restarts, args.pg_seconds,
                                                     clients=args.clients)),
            ("double", lambda: faults.double_completion(cluster, wp, tokens, args.pairs)),
        ]
        for key, run in runs:
            if key not in only:
                continue
            started = time.monotonic()
            result = run()
            result["duration_s"] = round(time.monotonic() - started, 1)
            results.append(result)
            lost = result["lost"]
            print(f"\n{result['scenario']}  ({result['duration_s']} s)\n   {_line(result)}\n"
                  f"   verloren: {len(lost)}  half bijgewerkt: {len(result['half'])}  "
                  f"audit verify: {'ok' if result['audit_ok'] else 'FOUT'} ({result['cases']} zaken)", flush=True)
            for item in (lost + result["half"])[:10]:
                print(f"      - {item}")
    finally:
        wp.db.dispose()
        cluster.stop()
    print(f"\ntotaal {time.monotonic() - t0:.0f} s; timer-workers herstart door de supervisor: "
          f"{cluster.restarts['timer']}")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
