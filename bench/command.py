"""One task completion and one case start in-process through the JSON API (Flask's test client,
the whole request: token, policy, step, save, access log, JSON), on SQLite and PostgreSQL.

    python -m bench.command [--n 300] [sqlite] [postgres] [--profile]

Printed per database: median and p95 of ``POST /api/v1/taken/<id>/afronden`` and of
``POST /api/v1/zaken``, the CPU time of this process (the web side, without HTTP) and on PostgreSQL
the database server's, the SQL statements and transactions per request, and in the same
run the naive baseline: the request as it was built before (read the task's header in
its own transaction, complete, discard the drafts, read the whole case back, write the
access-log row in a transaction of its own). ``--profile`` (``--cpu``: CPU time only) prints the top of a cProfile
of the completions.
"""
from __future__ import annotations

import contextlib
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import event

from engine import Werkpad, clock
from engine.app.accounts import Accounts
from engine.app.inbox import Inbox, Scope
from engine.storage import plain

ROOT = Path(__file__).resolve().parent.parent
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
FORM = {"crisis": False, "woonsituatie": "inwonend"}


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return f"mediaan {statistics.median(ordered) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"


class Counter:
    def __init__(self, engine) -> None:
        self.statements = self.transactions = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        # and what goes onto the driver directly (storage/plain.py: the command's reads and its
        # batched writes on PostgreSQL), which SQLAlchemy's event does not see
        self._watch = contextlib.ExitStack()
        self._watch.enter_context(plain.watching(lambda sql: self._statement(None, None, sql, None, None, False)))

    def _statement(self, conn, cursor, sql, params, context, many) -> None:
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            self.statements += 1

    def _begin(self, conn) -> None:
        self.transactions += 1

    def reset(self) -> tuple[int, int]:
        out = (self.statements, self.transactions)
        self.statements = self.transactions = 0
        return out


def _profiler() -> cProfile.Profile:
    """A profile of wall time, or with ``--cpu`` of this process's CPU time (waits for the database left out)."""
    return cProfile.Profile(time.process_time) if "--cpu" in sys.argv else cProfile.Profile()


def run(url: str, n: int, profile: bool, postmaster: int | None = None) -> None:
    from web import create_app

    from .load import _processes, _tree_cpu

    def database_cpu() -> float:  # the PostgreSQL server's processes (0 on SQLite)
        return _tree_cpu(*_processes(), [postmaster]) if postmaster else 0.0

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    accounts = Accounts(wp, "bench-secret", FAST)
    accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad")
    accounts.create_user("kees", "bench-wachtwoord-1", "Kees")
    accounts.grant("kees", "voorbeeldstad", "consultant", "inkomensconsulent")
    token = accounts.create_token("kees", "bench")["token"]
    app = create_app(wp, config={"PSEUDONYM_SECRET": "bench-secret", "PASSWORD_HASHER": FAST, "API_RATE_LIMIT": 0})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    start = clock.now() - timedelta(days=1)
    tasks = [wp.start_case("voorbeeldstad", "111222333", f"Bench {i}", "1980-01-01",
                           at=start + timedelta(microseconds=i))["tasks"][0]["id"] for i in range(2 * n + 10)]
    counter = Counter(wp.db.engine)
    client.get("/api/v1/ik", headers=headers)  # the token's last use noted, the bundle parsed

    def api_complete(task_id: str) -> None:
        response = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers, json={"gegevens": FORM})
        assert response.status_code == 200, response.get_json()

    principal = accounts.principal_for_token(token)
    assert principal is not None

    def naive_complete(task_id: str) -> None:  # the request's work as it was done before, engine calls only
        header = Inbox(wp).task_header(Scope.of(principal), task_id)
        case = wp.complete_task(task_id, principal.username, FORM)
        accounts.discard_drafts(task_id)
        case = wp.get_case(case["id"])
        accounts.log_access(principal=principal, operation="api.taak.afronden", purpose="Taak afronden",
                            processing_activity="uitvoering-participatiewet", status="ok", trace_id="0" * 32,
                            span_id="0" * 16, started_at=clock.now(), organisation=header["organisation"],
                            case_id=header["case"], task_id=task_id, bsn=header["bsn"])

    def api_start(i: int) -> None:
        response = client.post("/api/v1/zaken", headers=headers, json={
            "gemeente": "voorbeeldstad", "bsn": "111222333", "naam": f"Start {i}", "geboortedatum": "1980-01-01"})
        assert response.status_code == 201

    for label, fn, items in (("API afronden", api_complete, tasks[:n]),
                             ("naïef: los + teruglezen", naive_complete, tasks[n:2 * n]),
                             ("API zaak starten", api_start, list(range(n)))):
        samples = []
        counter.reset()
        cpu0, db0 = time.process_time(), database_cpu()
        profiler = _profiler() if profile and label == ("API zaak starten" if "--start" in sys.argv else "API afronden") else None
        for item in items:
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            fn(item)
            if profiler:
                profiler.disable()
            samples.append(time.perf_counter() - t0)
        cpu = (time.process_time() - cpu0) / len(items)
        db_cpu = (database_cpu() - db0) / len(items)
        statements, transactions = counter.reset()
        database = f" + database {db_cpu * 1000:4.2f} ms" if postmaster else ""
        print(f"   {label:26s} {_stats(samples)}   CPU {cpu * 1000:5.2f} ms{database}   "
              f"{statements / len(items):4.1f} statements, {transactions / len(items):3.1f} transacties per keer")
        if profiler:
            stats = pstats.Stats(profiler)
            if "--callers" in sys.argv:
                stats.print_callers(sys.argv[sys.argv.index("--callers") + 1])
            if "--callees" in sys.argv:
                stats.sort_stats("cumulative").print_callees(sys.argv[sys.argv.index("--callees") + 1])
            stats.sort_stats(sys.argv[sys.argv.index("--sort") + 1] if "--sort" in sys.argv else "tottime").print_stats(int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 30)
    wp.db.dispose()


def main() -> None:
    args = sys.argv[1:]
    n = int(args[args.index("--n") + 1]) if "--n" in args else 300
    profile = "--profile" in args
    which = [a for a in args if a in ("sqlite", "postgres")] or ["sqlite", "postgres"]
    if "sqlite" in which:
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite (WAL, synchronous=NORMAL)")
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", n, profile)
    if "postgres" in which:
        from tests.pgserver import PgServer

        server = PgServer(durable=True).start()
        try:
            print("PostgreSQL (127.0.0.1)")
            from .load import postmaster_pid

            run(server.create_database("bench_command"), n, profile, postmaster_pid(server.data))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
