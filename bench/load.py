"""Sustained load through the HTTP API on PostgreSQL, with 1, 2 and 4 web workers.

    python -m bench.load [--cases 100000] [--work 3000] [--seconds 20] [--clients 8] [--workers 1,2,4]

A throw-away PostgreSQL server holds ``--cases`` filler cases (cloned rows, as in
bench.inbox) plus ``--work`` real cases whose first task is open. For each web
worker count, gunicorn (``werkpad serve``'s production server) is started and
``--clients`` threads complete tasks through ``POST /api/v1/taken/<id>/afronden``
with keep-alive connections for ``--seconds``; meanwhile one more client reads the
first inbox page (``GET /api/v1/taken``), and a ``werkpad worker`` fires timers that
come due during the run (cases started three days back, so that their three-day
reminder falls within the run). Printed: completions per second, latency of a
completion under load and with a single client (median/p95), of starting a case
(``POST /api/v1/zaken``), of the inbox page under load, and the timer lag (from due
to the fired event's recording). The naive baseline in the same run is Flask's development
server (what ``werkpad serve`` ran before), one process, one request at a time.

Everything listens on 127.0.0.1; request loops are bounded by time and count.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher

from engine import Werkpad, clock
from engine.app.accounts import Accounts

ROOT = Path(__file__).resolve().parent.parent
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
FORM = {"crisis": False, "woonsituatie": "inwonend"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))] * 1000


def _fmt(samples: list[float]) -> str:
    if not samples:
        return "—"
    return f"mediaan {statistics.median(samples) * 1000:6.1f} ms  p95 {_pct(samples, 0.95):6.1f} ms"


class Client:
    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})


def prepare(url: str, n_cases: int, n_work: int) -> tuple[list[str], str]:
    from bench.inbox import populate

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    t0 = time.perf_counter()
    if n_cases:
        populate(wp, n_cases)
    start = clock.now() - timedelta(days=2)
    task_ids = []
    for i in range(n_work):
        case = wp.start_case("voorbeeldstad", "111222333", f"Belasting {i:05d}", "1980-01-01",
                             at=start + timedelta(microseconds=i))
        task_ids.append(case["tasks"][0]["id"])
    accounts = Accounts(wp, "bench-secret", FAST)
    accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad")
    accounts.create_user("kees", "bench-wachtwoord-1", "Kees")
    accounts.grant("kees", "voorbeeldstad", "consultant", "inkomensconsulent")
    token = accounts.create_token("kees", "bench")["token"]
    print(f"   database klaar: {n_cases:,} vulzaken + {n_work:,} werkzaken in {time.perf_counter() - t0:.0f} s")
    wp.db.dispose()
    return task_ids, token


def start_server(url: str, port: int, workers: int, dev: bool, root: Path = ROOT) -> subprocess.Popen:
    code = ("import sys; from web.server import serve; "
            f"serve('127.0.0.1', {port}, workers={workers}, database_url={url!r}, dev={dev})")
    env = {**os.environ, "WERKPAD_API_RATE_LIMIT": "0", "WERKPAD_PSEUDONYM_SECRET": "bench-secret",
           "WERKPAD_LOG_LEVEL": "warning"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server startte niet")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def load(port: int, token: str, tasks: list[str], seconds: float, clients: int) -> dict:
    lock = threading.Lock()
    queue = list(tasks)
    done: list[float] = []
    errors: list[int] = []
    inbox: list[float] = []
    stop = time.perf_counter() + seconds

    def worker() -> None:
        client = Client(port, token)
        while time.perf_counter() < stop:
            with lock:
                if not queue:
                    return
                task_id = queue.pop()
            t0 = time.perf_counter()
            status, _ = client.call("POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": FORM})
            elapsed = time.perf_counter() - t0
            with lock:
                (done if status == 200 else errors).append(elapsed if status == 200 else status)

    def reader() -> None:
        client = Client(port, token)
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            client.call("GET", "/api/v1/taken?weergave=team")
            inbox.append(time.perf_counter() - t0)
            time.sleep(0.05)

    threads = [threading.Thread(target=worker) for _ in range(clients)] + [threading.Thread(target=reader)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    tasks[:] = queue  # what is left for the next run
    return {"rate": len(done) / elapsed, "done": done, "errors": errors, "inbox": inbox}


def starts(port: int, token: str, n: int) -> list[float]:
    client = Client(port, token)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        status, _ = client.call("POST", "/api/v1/zaken", {"gemeente": "voorbeeldstad", "bsn": "111222333",
                                                           "naam": f"Start {i}", "geboortedatum": "1980-01-01"})
        if status == 201:
            out.append(time.perf_counter() - t0)
    return out


def singles(port: int, token: str, tasks: list[str], n: int) -> list[float]:
    """Completions one at a time by one client: the latency of a completion without a queue."""
    client = Client(port, token)
    out = []
    for _ in range(min(n, len(tasks))):
        task_id = tasks.pop()
        t0 = time.perf_counter()
        status, _ = client.call("POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": FORM})
        if status == 200:
            out.append(time.perf_counter() - t0)
    return out


TIMER_DELAY = timedelta(days=3)  # voorbeeld's reminder on the intake ("P3D", non-interrupting)


def arm_timers(url: str, n: int, within: float) -> list[str]:
    """``n`` cases whose reminder comes due spread over the next ``within`` seconds."""
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    now = clock.now()
    ids = [wp.start_case("voorbeeldstad", "111222333", f"Timer {i}", "1980-01-01",
                         at=now - TIMER_DELAY + timedelta(seconds=2 + within * i / max(1, n)))["id"]
           for i in range(n)]
    wp.db.dispose()
    return ids


def start_worker(url: str, root: Path = ROOT) -> subprocess.Popen:
    code = ("from engine import Werkpad; from engine.worker import run_worker; "
            f"run_worker(Werkpad({url!r}))")
    return subprocess.Popen([sys.executable, "-c", code], cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def timer_lags(url: str, case_ids: list[str]) -> tuple[list[float], int]:
    """Seconds from due to recorded for each fired reminder of ``case_ids``; and how many did not fire."""
    from sqlalchemy import select

    from engine.storage import EventRow

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    with wp.db.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(EventRow.at, EventRow.recorded_at).where(
            EventRow.case_id.in_(case_ids), EventRow.type == "timer_fired")).all()
    wp.db.dispose()
    return [(recorded - at).total_seconds() for at, recorded in rows], len(case_ids) - len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--work", type=int, default=3_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--baseline", default="", help="a checkout of older code to run the same load on")
    parser.add_argument("--timers", type=int, default=40, help="timers that come due during each run")
    args = parser.parse_args()
    from tests.pgserver import PgServer

    server = PgServer().start()
    try:
        url = server.create_database("bench_load")
        print(f"PostgreSQL op 127.0.0.1:{server.port}")
        tasks, token = prepare(url, args.cases, args.work)
        runs = [("naïef: Flask-ontwikkelserver", 1, True, ROOT)]
        for w in map(int, args.workers.split(",")):
            label = f"gunicorn, {w} worker{'s' if w > 1 else ''}"
            if args.baseline:  # the same load on an older checkout, interleaved, against the same database
                runs.append((f"{label} — code van {args.baseline}", w, False, Path(args.baseline)))
            runs.append((label, w, False, ROOT))
        for label, workers, dev, root in runs:
            if len(tasks) < 50:
                print("   (te weinig open taken over; verhoog --work)")
                break
            port = _free_port()
            proc = start_server(url, port, workers, dev, root)
            worker = start_worker(url, root)
            try:
                timer_cases = arm_timers(url, args.timers, args.seconds - 4)
                result = load(port, token, tasks, args.seconds, args.clients)
                start_lat = starts(port, token, 50)
                single = singles(port, token, tasks, 50)
            finally:
                stop_server(proc)
                stop_server(worker)
            lags, missed = timer_lags(url, timer_cases)
            print(f"\n{label}: {result['rate']:6.1f} afrondingen/s ({args.clients} clients, "
                  f"{len(result['errors'])} fouten)")
            print(f"   taak afronden via API   {_fmt(result['done'])}")
            print(f"   afronden, 1 client      {_fmt(single)}")
            print(f"   zaak starten via API    {_fmt(start_lat)}")
            print(f"   inbox tijdens belasting {_fmt(result['inbox'])}")
            lag = (f"mediaan {statistics.median(lags) * 1000:6.0f} ms  p95 {_pct(lags, 0.95):6.0f} ms"
                   if lags else "—")
            print(f"   timervertraging         {lag}  ({len(lags)} afgegaan, {missed} niet)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
