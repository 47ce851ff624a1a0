"""Inbox speed with 100,000 open cases and 300,000 completed tasks, on SQLite and PostgreSQL.

    python -m bench.inbox [--cases N] [--runs R] [sqlite] [postgres]

Measured per database, median and p95 over R requests after a warm-up:
- the first page of a consultant's inbox as HTML (``GET /inbox``, logged in, view 'team'
  and view 'mijn'), through Flask's test client (no network, the whole app stack);
- the same through the JSON API (``GET /api/v1/taken``, bearer token);
- the inbox query alone (``engine.app.inbox.Inbox.tasks``);
against a naive baseline in the same run: ``Werkpad.list_tasks(lane=...)``, which
reads every open task of the lane and sorts them (no paging, no count cap).
The target is p95 under 100 ms for the first page of a consultant's inbox.
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import insert, select, text

from engine import Werkpad, clock
from engine.app.accounts import Accounts
from engine.app.inbox import Inbox, InboxQuery, Scope
from engine.storage import CaseRow, TaskRow

ROOT = Path(__file__).resolve().parent.parent
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
LANES = ("inkomensconsulent", "werkconsulent")
NAMES = ("Jan", "Fatima", "Piet", "Anouk", "Mohamed", "Sanne", "Kees", "Ayla", "Bram", "Noor")


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return f"mediaan {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def _timed(fn, runs: int) -> list[float]:
    fn()
    fn()  # warm-up
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def populate(wp: Werkpad, n_cases: int) -> None:
    """One real case as prototype, then n_cases rows cloned from it in bulk."""
    now = clock.now()
    proto = wp.start_case("voorbeeldstad", "111222333", "Proto", "1980-01-01", at=now - timedelta(days=30))
    with wp.db.engine.connect() as conn:
        table = CaseRow.__table__
        case = dict(conn.execute(select(table).where(table.c.id == proto["id"])).mappings().one())
    rng = random.Random(7)
    batch_cases, batch_tasks = [], []

    def flush() -> None:
        with wp.db.engine.begin() as conn:
            if batch_cases:
                conn.execute(insert(CaseRow.__table__), batch_cases)
            if batch_tasks:
                conn.execute(insert(TaskRow.__table__), batch_tasks)
        batch_cases.clear()
        batch_tasks.clear()

    for i in range(n_cases):
        cid = uuid.uuid4().hex[:16]
        started = now - timedelta(days=rng.randint(1, 700))
        batch_cases.append({**case, "id": cid, "case_number": f"2000-{i + 1:06d}",  # filler numbers apart
                            "client_name": f"{rng.choice(NAMES)} {i:06d}",
                            "bsn": f"{rng.randint(10**8, 10**9 - 1)}", "started_at": started, "updated_at": started,
                            "phase": rng.choice(("poort", "diagnose", "traject", "nazorg"))})
        lane = LANES[i % 2]
        batch_tasks.append({"id": str(uuid.uuid4()), "case_id": cid, "spec": "intake" if lane == LANES[0] else "diagnose",
                            "ordinal": 0, "name": "Meldingsgesprek voeren" if lane == LANES[0] else "Diagnose",
                            "lane": lane, "form": "voorbeeld_intake" if lane == LANES[0] else "voorbeeld_diagnose",
                            "phase": "poort" if lane == LANES[0] else "diagnose",
                            "due_at": now + timedelta(days=rng.randint(-30, 60), hours=rng.randint(0, 23)),
                            "status": "open", "claimed_by": "kees" if rng.random() < 0.02 else None,
                            "created_at": started, "completed_at": None, "completed_by": None})
        for k in range(3):
            done = started + timedelta(days=k + 1)
            batch_tasks.append({"id": str(uuid.uuid4()), "case_id": cid, "spec": "intake", "ordinal": 0,
                                "name": "Meldingsgesprek voeren", "lane": LANES[k % 2], "form": "voorbeeld_intake",
                                "phase": "poort", "due_at": done, "status": "completed", "claimed_by": "kees",
                                "created_at": started, "completed_at": done, "completed_by": "kees"})
        if len(batch_cases) >= 5000:
            flush()
    flush()
    with wp.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def run(kind: str, url: str, n_cases: int, runs: int) -> None:
    from web import create_app

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    t0 = time.perf_counter()
    populate(wp, n_cases)
    load = time.perf_counter() - t0
    accounts = Accounts(wp, "bench-secret", FAST)
    accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad")
    accounts.create_user("kees", "bench-wachtwoord-1", "Kees")
    accounts.grant("kees", "voorbeeldstad", "consultant", "inkomensconsulent")
    token = accounts.create_token("kees")["token"]
    app = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": "bench-secret", "PASSWORD_HASHER": FAST})
    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/inloggen", data={"gebruikersnaam": "kees", "wachtwoord": "bench-wachtwoord-1",
                                          "csrf_token": csrf}).status_code == 302

    def get(path: str, **headers):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return response

    with wp.db.engine.connect() as conn:
        open_tasks = conn.execute(text("SELECT count(*) FROM tasks WHERE status = 'open'")).scalar_one()
        done_tasks = conn.execute(text("SELECT count(*) FROM tasks WHERE status = 'completed'")).scalar_one()
    first = json.loads(get("/api/v1/taken?weergave=team", Authorization=f"Bearer {token}").get_data(as_text=True))
    print(f"\n{kind}: {open_tasks:,} open taken, {done_tasks:,} afgeronde taken (geladen in {load:.0f} s); "
          f"team-inbox van kees: {first['totaal']}{'' if first['totaal_exact'] else '+'} taken, "
          f"eerste pagina {len(first['taken'])} rijen")
    inbox = Inbox(wp)
    scope = Scope("kees", ["voorbeeldstad"], {"voorbeeldstad": {"inkomensconsulent"}})
    results = {
        "inboxpagina, team (HTML)": _timed(lambda: get("/inbox?weergave=team"), runs),
        "inboxpagina, mijn taken (HTML)": _timed(lambda: get("/inbox"), runs),
        "inboxpagina, zoeken op naam (HTML)": _timed(lambda: get("/inbox?weergave=team&zoek=Fatima"), runs),
        "API /api/v1/taken, team (JSON)": _timed(
            lambda: get("/api/v1/taken?weergave=team", Authorization=f"Bearer {token}"), runs),
        "inbox-query alleen (engine)": _timed(lambda: inbox.tasks(scope, InboxQuery(view="team")), runs),
    }
    for label, samples in results.items():
        print(f"   {label:<38} {_stats(samples)}")
    naive = _timed(lambda: wp.list_tasks(lane="inkomensconsulent", with_form=False), max(3, runs // 10))
    print(f"   {'naïef: alle open taken van de lane':<38} {_stats(naive)}")
    wp.db.dispose()


def main() -> None:
    args = sys.argv[1:]
    n_cases = int(args[args.index("--cases") + 1]) if "--cases" in args else 100_000
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 50
    kinds = [a for a in args if a in ("sqlite", "postgres")] or ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in kinds:
            run("SQLite", f"sqlite:///{Path(tmp) / 'inbox.sqlite'}", n_cases, runs)
        if "postgres" in kinds:
            from tests.pgserver import PgServer

            server = PgServer().start()
            try:
                run("PostgreSQL", server.create_database("bench_inbox"), n_cases, runs)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
