"""Sustained load through the HTTP API on PostgreSQL, with 1, 2 and 4 web workers.

    python -m bench.load [--cases 100000] [--work 3000] [--seconds 20] [--clients 8] [--workers 1,2,4]
                         [--due 1000] [--only load,timers] [--rounds 1]

A throw-away PostgreSQL server with its own durability settings (fsync and synchronous commit on,
as in production: a completion waits for its commit to reach the disk) holds ``--cases`` filler cases (cloned rows, as in
bench.inbox) plus ``--work`` real cases whose first task is open. For each web
worker count, gunicorn (``werkpad serve``'s production server) is started and
``--clients`` threads complete tasks through ``POST /api/v1/taken/<id>/afronden``
with keep-alive connections for ``--seconds``; meanwhile one more client reads the
first inbox page (``GET /api/v1/taken``), and a ``werkpad worker`` fires timers that
come due during the run (cases started three days back, so that their three-day
reminder falls within the run). Printed: completions per second, latency of a
completion under load and with a single client (median/p95), of starting a case
(``POST /api/v1/zaken``), of the inbox page under load, the timer lag (from due
to the fired event's recording), and where the 2 cores went: CPU per completion of the web
processes, PostgreSQL, the timer worker and this measuring client (from /proc, whole
process trees; the inbox reader's requests are counted in). The naive baseline in the same run is Flask's development
server (what ``werkpad serve`` ran before), one process, one request at a time.

The timer part (``--only timers`` runs it alone): every filler case also waits on a timer
far in the future (its row in the timer index, as a real waiting case has). Then, per
round, ``--due`` real cases are started with their reminder already due, and 1, 2 and 4
``werkpad worker`` processes (``--workers``) are started on them: printed are the time
from starting the processes until every due timer has fired (its event recorded), the
firing rate from the first to the last fired event, that each fired exactly once, and
that none of the waiting filler timers fired. Naive baselines in the same run: one
``werkpad timers fire`` in a single process (as a cron job would run it),
and finding the due timers without the timer index, by reading every waiting case and
asking it (as bench.run_all's timer tick; measured on a sample, scaled linearly).

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
from datetime import datetime, timedelta
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

    def call(self, method: str, path: str, body: dict | None = None, parse: bool = True) -> tuple[int, dict]:
        """The status and (``parse``) the JSON answer; the load's loops only need the status, and
        parsing every answer cost this measuring client CPU that the server then lacked."""
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data and parse else {})


FILLER = "2000-%"  # bench.inbox.populate's case numbers


def arm_filler_timers(wp: Werkpad) -> int:
    """Give every filler case (cloned rows, which have no timer index row) a timer far in the
    future, cloned from the prototype's own; return how many filler timers wait."""
    from sqlalchemy import insert, select

    from engine.storage import CaseRow, TimerRow

    now = clock.now()
    with wp.db.engine.begin() as conn:
        proto = conn.execute(select(TimerRow.__table__).join(CaseRow, CaseRow.id == TimerRow.case_id)
                             .where(CaseRow.client_name == "Proto").limit(1)).mappings().first()
        if proto is None:
            return 0
        ids = conn.execute(select(CaseRow.id).where(CaseRow.case_number.like(FILLER))
                           .order_by(CaseRow.case_number)).scalars().all()
        rows = [{**proto, "case_id": cid, "due_at": now + timedelta(days=30 + i % 700, seconds=i)}
                for i, cid in enumerate(ids)]
        for first in range(0, len(rows), 5000):
            conn.execute(insert(TimerRow.__table__), rows[first:first + 5000])
    return len(rows)


def prepare(url: str, n_cases: int, n_work: int) -> tuple[list[str], str]:
    from bench.inbox import populate

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    t0 = time.perf_counter()
    if n_cases:
        populate(wp, n_cases)
        arm_filler_timers(wp)
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


def _processes() -> tuple[dict[int, int], dict[int, float]]:
    """Every process's parent and the CPU seconds (user + system) it used so far, with what its
    ended children had used (reaped: PostgreSQL's backends of closed connections), from /proc
    (Linux); nothing where /proc is missing."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return parent, used
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parent[int(entry)] = int(fields[1])
        used[int(entry)] = sum(int(f) for f in fields[11:15]) / ticks  # utime stime cutime cstime
    return parent, used


def _tree_cpu(parent: dict[int, int], used: dict[int, float], roots: list[int]) -> float:
    """CPU seconds of the ``roots`` and all their descendants, from one reading of ``_processes``."""
    total = 0.0
    for pid, seconds in used.items():
        p = pid
        while p > 1:
            if p in roots:
                total += seconds
                break
            p = parent.get(p, 0)
    return total


class CpuMeter:
    """Where the 2 cores go during a load run: CPU per completion of the web processes,
    PostgreSQL, the timer worker and this measuring client (its threads)."""

    def __init__(self, server: subprocess.Popen, worker: subprocess.Popen | None, postmaster: int | None) -> None:
        self.parts = {"web": [server.pid], "PostgreSQL": [postmaster] if postmaster else [],
                      "timer-worker": [worker.pid] if worker else []}

    def read(self) -> dict[str, float]:
        parent, used = _processes()  # one pass over /proc for all parts
        out = {name: _tree_cpu(parent, used, pids) for name, pids in self.parts.items()}
        out["meetclient"] = time.process_time()
        return out

    @staticmethod
    def per_completion(before: dict[str, float], after: dict[str, float], completions: int) -> str:
        if not completions:
            return "—"
        parts = {name: (after[name] - before[name]) * 1000 / completions for name in before}
        return "  ".join(f"{name} {ms:.2f}" for name, ms in parts.items()) + f"  = {sum(parts.values()):.2f} ms"


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def load(port: int, token: str, tasks: list[str], seconds: float, clients: int,
         meter: CpuMeter | None = None) -> dict:
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
            status, _ = client.call("POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": FORM}, parse=False)
            elapsed = time.perf_counter() - t0
            with lock:
                (done if status == 200 else errors).append(elapsed if status == 200 else status)

    def reader() -> None:
        client = Client(port, token)
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            client.call("GET", "/api/v1/taken?weergave=team", parse=False)
            inbox.append(time.perf_counter() - t0)
            time.sleep(0.05)

    threads = [threading.Thread(target=worker) for _ in range(clients)] + [threading.Thread(target=reader)]
    cpu_before = meter.read() if meter else None
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu = CpuMeter.per_completion(cpu_before, meter.read(), len(done)) if meter and cpu_before else "—"
    tasks[:] = queue  # what is left for the next run
    return {"rate": len(done) / elapsed, "done": done, "errors": errors, "inbox": inbox, "cpu": cpu}


def starts(port: int, token: str, n: int) -> list[float]:
    client = Client(port, token)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        status, _ = client.call("POST", "/api/v1/zaken", {"gemeente": "voorbeeldstad", "bsn": "111222333",
                                                           "naam": f"Start {i}", "geboortedatum": "1980-01-01"},
                                parse=False)
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
        status, _ = client.call("POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": FORM}, parse=False)
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


WERKPAD = str(Path(sys.executable).parent / "werkpad")


def arm_due(wp: Werkpad, n: int, label: str) -> list[str]:
    """``n`` real cases whose reminder is already due (started three days and an hour back)."""
    start = clock.now() - TIMER_DELAY - timedelta(hours=1)
    return [wp.start_case("voorbeeldstad", "111222333", f"{label} {i}", "1980-01-01",
                          at=start + timedelta(milliseconds=i))["id"] for i in range(n)]


def fired_events(wp: Werkpad, case_ids: list[str]) -> list[tuple[str, datetime]]:
    """(case, recorded_at) of every timer_fired event of ``case_ids``."""
    from sqlalchemy import select

    from engine.storage import EventRow

    out: list[tuple[str, datetime]] = []
    with wp.db.engine.connect() as conn:
        for first in range(0, len(case_ids), 1000):
            out += conn.execute(select(EventRow.case_id, EventRow.recorded_at).where(
                EventRow.case_id.in_(case_ids[first:first + 1000]), EventRow.type == "timer_fired")).all()
    return out


def filler_state(wp: Werkpad) -> tuple[int, int]:
    """Timers still waiting for filler cases, and timer_fired events of filler cases."""
    from sqlalchemy import func, select

    from engine.storage import CaseRow, EventRow, TimerRow

    with wp.db.engine.connect() as conn:
        waiting = conn.scalar(select(func.count()).select_from(TimerRow).join(CaseRow, CaseRow.id == TimerRow.case_id)
                              .where(CaseRow.case_number.like(FILLER)))
        fired = conn.scalar(select(func.count()).select_from(EventRow).join(CaseRow, CaseRow.id == EventRow.case_id)
                            .where(CaseRow.case_number.like(FILLER), EventRow.type == "timer_fired"))
    return waiting or 0, fired or 0


def naive_scan(wp: Werkpad, sample: int) -> tuple[float, int, int]:
    """Finding the due timers without the index: read every waiting case and ask it. Returns the
    seconds for all waiting cases (measured on ``sample`` of them, scaled linearly), the number
    of waiting cases and the sample size."""
    from sqlalchemy import func, select

    from engine.core.definitions import discover
    from engine.core.runtime import CaseRuntime
    from engine.storage import CaseRow

    spec, subs = discover(ROOT / "processes", ROOT / "forms", only=["voorbeeld"])[0].specs()
    now = clock.now()
    waiting_states = CaseRow.status.in_(("running", "waiting"))
    with wp.db.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(CaseRow).where(waiting_states)) or 0
        t0 = time.perf_counter()
        seen = due = 0
        for (state,) in conn.execute(select(CaseRow.state).where(waiting_states).limit(sample)):
            runtime = CaseRuntime.restore(json.loads(state), spec, subs)
            due += sum(1 for t in runtime.waiting_timers() if t.due is not None and t.due <= now)
            seen += 1
        elapsed = time.perf_counter() - t0
    return elapsed * total / max(1, seen), total, seen


def timer_rounds(url: str, n_due: int, worker_counts: list[int], limit: float, sample: int) -> None:
    """Per round ``n_due`` due timers among the waiting filler; how fast do the workers fire them?"""
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    early = wp.fire_due_timers()  # what was already due (the prototype's reminder): not part of a round
    waiting0, fired0 = filler_state(wp)
    print(f"\ntimers afvuren: {waiting0:,} vulzaken wachten op een timer ver in de toekomst; per ronde "
          f"{n_due:,} echte zaken waarvan de herinnering al verlopen is ({len(early)} vooraf afgegaan)")
    env = {**os.environ, "DATABASE_URL": url, "WERKPAD_LOG_LEVEL": "warning"}
    rounds = [("naïef: één keer `werkpad timers fire`", [WERKPAD, "timers", "fire"], 1)]
    rounds += [(f"werkpad worker × {n}", [WERKPAD, "worker"], n) for n in worker_counts]
    rates: dict[str, float] = {}
    for label, args, n in rounds:
        t_arm = time.perf_counter()
        ids = arm_due(wp, n_due, label.split(":")[0])
        armed = time.perf_counter() - t_arm
        started = clock.now()
        t0 = time.perf_counter()
        procs = [subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True) for _ in range(n)]
        done_at = None
        try:
            while time.perf_counter() - t0 < limit:
                if len({c for c, _ in fired_events(wp, ids)}) >= n_due:
                    done_at = time.perf_counter() - t0
                    break
                if all(p.poll() is not None for p in procs):  # `timers fire` is done (or a worker died)
                    if len({c for c, _ in fired_events(wp, ids)}) >= n_due:
                        done_at = time.perf_counter() - t0
                    break
                time.sleep(0.25)
        finally:
            for p in procs:
                stop_server(p)
        events = fired_events(wp, ids)
        counts: dict[str, int] = {}
        for case_id, _ in events:
            counts[case_id] = counts.get(case_id, 0) + 1
        recorded = sorted(clock.to_utc(r) for _, r in events)
        never = sum(1 for c in ids if c not in counts)
        twice = sum(1 for v in counts.values() if v > 1)
        waiting, filler_fired = filler_state(wp)
        print(f"\n{label}: {n_due:,} verlopen timers tussen {waiting:,} wachtende "
              f"({armed:.0f} s om ze te zetten)")
        if done_at is None:
            print(f"   NIET alle timers afgegaan binnen {limit:.0f} s")
        else:
            print(f"   alle afgegaan na            {done_at:6.1f} s vanaf het starten van de processen "
                  f"({n_due / done_at:6.1f} timers/s)")
        if len(recorded) > 1:
            span = (recorded[-1] - recorded[0]).total_seconds()
            rate = (len(recorded) - 1) / span if span > 0 else float("inf")
            rates[label] = rate
            first = (recorded[0] - started).total_seconds()
            print(f"   eerste na                   {first:6.1f} s (opstarten); van eerste tot laatste "
                  f"{span:6.1f} s: {rate:6.1f} timers/s")
        print(f"   precies één keer afgegaan   {len(counts) - twice:,} van {n_due:,}  "
              f"(nooit {never}, vaker dan één keer {twice})")
        print(f"   vulzaken                    {filler_fired - fired0} timers afgegaan, "
              f"{waiting:,} wachten nog (vooraf {waiting0:,})")
    scan, total, seen = naive_scan(wp, sample)
    fire_one = rates.get(rounds[1][0] if len(rounds) > 1 else rounds[0][0]) or rates.get(rounds[0][0])
    print(f"\nnaïef zonder timerindex: elke wachtende zaak inlezen en vragen welke timer verlopen is: "
          f"{scan:6.1f} s per ronde over {total:,} zaken (gemeten op {seen:,}, lineair opgeschaald)")
    if fire_one:
        naive_total = scan + n_due / fire_one
        print(f"   {n_due:,} timers vinden en afvuren met één proces: ≈ {naive_total:6.1f} s "
              f"({n_due / naive_total:6.1f} timers/s); met de index alleen het afvuren: "
              f"{n_due / fire_one:6.1f} s")
    wp.db.dispose()


def _summary(rounds: dict[str, list[dict]]) -> None:
    """Per configuration over its rounds: the median, and the lowest and highest value."""
    def spread(values: list, unit: str) -> str:
        found = sorted(v for v in values if v is not None)
        if not found:
            return "—"
        return f"{statistics.median(found):6.1f}{unit} ({found[0]:.1f}–{found[-1]:.1f})"

    print("\nover de rondes: mediaan (laagste–hoogste)")
    for label, results in rounds.items():
        print(f"{label} ({len(results)}×)")
        print(f"   afrondingen/s           {spread([r['rate'] for r in results], '/s')}")
        print(f"   inbox p95, belasting    {spread([r['inbox'] for r in results], ' ms')}")
        print(f"   afronden, 1 client      {spread([r['single'] for r in results], ' ms')}")
        print(f"   zaak starten            {spread([r['start'] for r in results], ' ms')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--work", type=int, default=3_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--baseline", default="", help="a checkout of older code to run the same load on")
    parser.add_argument("--timers", type=int, default=40, help="timers that come due during each run")
    parser.add_argument("--due", type=int, default=1_000, help="due timers per round of the timer part")
    parser.add_argument("--timer-limit", type=float, default=300.0, help="seconds a timer round may take at most")
    parser.add_argument("--scan-sample", type=int, default=2_000, help="cases the naive scan reads (scaled up)")
    parser.add_argument("--only", default="load,timers", help="load, timers or both")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every configuration this many times, in turns, and end with each one's "
                             "median and range (this VM's speed drifts 10–20%% from run to run)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    worker_counts = [int(w) for w in args.workers.split(",")]
    from tests.pgserver import PgServer

    server = PgServer(durable=True).start()
    try:
        url = server.create_database("bench_load")
        print(f"PostgreSQL op 127.0.0.1:{server.port}")
        tasks, token = prepare(url, args.cases, args.work if "load" in parts else 0)
        runs = [("naïef: Flask-ontwikkelserver", 1, True, ROOT)] if "load" in parts else []
        for w in worker_counts if "load" in parts else []:
            label = f"gunicorn, {w} worker{'s' if w > 1 else ''}"
            if args.baseline:  # the same load on an older checkout, interleaved, against the same database
                runs.append((f"{label} — code van {args.baseline}", w, False, Path(args.baseline)))
            runs.append((label, w, False, ROOT))
        rounds: dict[str, list[dict]] = {}
        for label, workers, dev, root in [r for _ in range(max(1, args.rounds)) for r in runs]:
            if len(tasks) < 50:
                print("   (te weinig open taken over; verhoog --work)")
                break
            port = _free_port()
            worker = start_worker(url, root)  # first: its start-up (imports) is over before the load
            proc = start_server(url, port, workers, dev, root)
            try:
                timer_cases = arm_timers(url, args.timers, args.seconds - 4)
                meter = CpuMeter(proc, worker, postmaster_pid(server.data))
                result = load(port, token, tasks, args.seconds, args.clients, meter)
                start_lat = starts(port, token, 50)
                single = singles(port, token, tasks, 50)
            finally:
                stop_server(proc)
                stop_server(worker)
            lags, missed = timer_lags(url, timer_cases)
            rounds.setdefault(label, []).append({
                "rate": result["rate"], "inbox": _pct(result["inbox"], 0.95) if result["inbox"] else None,
                "single": statistics.median(single) * 1000 if single else None,
                "start": statistics.median(start_lat) * 1000 if start_lat else None})
            print(f"\n{label}: {result['rate']:6.1f} afrondingen/s ({args.clients} clients, "
                  f"{len(result['errors'])} fouten)")
            print(f"   taak afronden via API   {_fmt(result['done'])}")
            print(f"   afronden, 1 client      {_fmt(single)}")
            print(f"   zaak starten via API    {_fmt(start_lat)}")
            print(f"   inbox tijdens belasting {_fmt(result['inbox'])}")
            print(f"   CPU per afronding (ms)  {result['cpu']}")
            lag = (f"mediaan {statistics.median(lags) * 1000:6.0f} ms  p95 {_pct(lags, 0.95):6.0f} ms"
                   if lags else "—")
            print(f"   timervertraging         {lag}  ({len(lags)} afgegaan, {missed} niet)")
        if args.rounds > 1:
            _summary(rounds)
        if "timers" in parts:
            timer_rounds(url, args.due, worker_counts, args.timer_limit, args.scan_sample)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
