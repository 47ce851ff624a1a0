"""How fast the ``werkpad`` command starts, against baselines in the same run.

    python -m bench.cli_start [--runs N] [--before PATH/TO/werkpad]

Every figure is the wall time of a whole process (start, imports, the command, exit),
median and p95 over N runs, plus the median CPU time (user+sys) of the process, which
is steadier than wall time on a shared machine. The runs go round-robin over all
commands, so a busy moment hits each of them alike.

Commands, on a fresh SQLite database with the example process and one case:
``werkpad --help``, ``case show``, ``case show --json``, ``tasks --case``,
``case history`` and one writing command (``case note``).

Baselines in the same run:
- ``python -c pass``: the interpreter alone (the floor of any command);
- ``import sqlalchemy.orm``: the database layer every command that reads the database needs;
- naive: one process importing the engine eagerly as the CLI did before (the facade and
  every job module, SpiffWorkflow, marshmallow, jsonschema, lxml, argon2, WeasyPrint's PDF module);
- with ``--before``: another installation's ``werkpad`` (e.g. main's .venv/bin/werkpad) running
  the same commands on the same database.
The target: ``werkpad case show`` under 0.3 s.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAIVE = ("import engine.app.facade, engine.app.cases, engine.app.processes, engine.app.timers, "
         "engine.app.auditing, engine.app.designer, engine.app.retention, engine.app.accounts, "
         "engine.app.audit_workspace, engine.app.audit_pdf, engine.core.checks, engine.tools.compare")


def _werkpad() -> list[str]:
    script = Path(sys.executable).with_name("werkpad")
    return [str(script)] if script.exists() else [sys.executable, "-m", "engine.cli"]


def _prepare(directory: Path) -> tuple[str, str]:
    from engine import Werkpad

    url = f"sqlite:///{directory / 'bench.sqlite'}"
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    case = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01")["id"]
    from engine.app.accounts import Accounts  # the CLI acts as a person: kees must exist

    accounts = Accounts(wp)
    accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad")
    accounts.create_user("kees", "bench-wachtwoord-1", "Kees")
    accounts.grant("kees", "voorbeeldstad", "consultant", "inkomensconsulent")
    wp.db.dispose()
    return url, case


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} faalde: {done.stderr.decode(errors='replace').strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, default=None, help="another werkpad executable to compare with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url, case = _prepare(Path(tmp))
        env = {**os.environ, "DATABASE_URL": url, "WERKPAD_PSEUDONYM_SECRET": "bench"}
        commands = {
            "--help": ["--help"],
            "case show": ["case", "show", case],
            "case show --json": ["case", "show", case, "--json"],
            "tasks --case --json": ["tasks", "--case", case, "--json"],
            "case history": ["case", "history", case],
            "case note (writes)": ["case", "note", case, "gebeld", "--user", "kees"],
        }
        runs: dict[str, list[str]] = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "import sqlalchemy.orm (floor of a read)": [sys.executable, "-c", "import sqlalchemy.orm"],
            "naive: eager engine import": [sys.executable, "-c", NAIVE],
        }
        runs |= {f"werkpad {name}": [*_werkpad(), *argv] for name, argv in commands.items()}
        if args.before:
            runs |= {f"before: werkpad {name}": [str(args.before), *argv] for name, argv in commands.items()}
        for argv in runs.values():  # warm-up: byte code compiled, files in the page cache
            _run(argv, env)
        walls: dict[str, list[float]] = {name: [] for name in runs}
        cpus: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, argv in runs.items():
                wall, cpu = _run(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)

    print(f"{args.runs} runs each, round-robin; load average at the end: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'':<46} {'wall median':>11} {'wall p95':>9} {'cpu median':>10}")
    for name in runs:
        print(f"{name:<46} {statistics.median(walls[name]):>10.3f}s {_p95(walls[name]):>8.3f}s "
              f"{statistics.median(cpus[name]):>9.3f}s")
    show = statistics.median(walls["werkpad case show"])
    print(f"target: werkpad case show under 0.300 s wall: {'met' if show < 0.3 else 'NOT met'} ({show:.3f} s)")


if __name__ == "__main__":
    main()
