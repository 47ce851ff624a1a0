"""*Zoek cliënt* at 100,000 cases, on SQLite and PostgreSQL.

    python -m bench.clients [--cases N] [--runs R] [sqlite] [postgres]

The cases are cloned in bulk from one real case: a fifth of them ended, names drawn from
ten common first names (so a search for a first name matches about 10% of all cases),
birth dates spread over 60 years, BSNs and case numbers of their own.

Measured per database and per kind of search (name: a common first name and a rare
surname part; BSN; birth date; case number), median and p95 over R searches after a
warm-up:
- the engine's search alone (``engine.app.clients.Clients.find``);
- the whole page: ``POST /clienten`` through Flask's test client, logged in;
against a naive baseline in the same run: read every case row of the organisation and
filter in Python. The target is p95 under 100 ms for every kind.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from bench.inbox import NAMES, _stats, _timed, kees_logged_in
from engine import Werkpad, clock
from engine.app.clients import Clients
from engine.storage import CaseRow

ROOT = Path(__file__).resolve().parent.parent


def populate(wp: Werkpad, n_cases: int) -> dict:
    """n_cases case rows cloned from one real case; returns one sample of each key to search for."""
    now = clock.now()
    proto = wp.start_case("voorbeeldstad", "111222333", "Proto", "1980-01-01", at=now - timedelta(days=30))
    with wp.db.engine.connect() as conn:
        table = CaseRow.__table__
        case = dict(conn.execute(select(table).where(table.c.id == proto["id"])).mappings().one())
    rng = random.Random(11)
    batch: list[dict] = []
    sample: dict = {}
    for i in range(n_cases):
        started = now - timedelta(days=rng.randint(1, 1500), minutes=rng.randint(0, 1439))
        ended = rng.random() < 0.2
        row = {**case, "id": uuid.uuid4().hex[:16], "case_number": f"2000-{i + 1:06d}",
               "client_name": f"{rng.choice(NAMES)} Achternaam{i:06d}",
               "bsn": f"{rng.randint(10**8, 10**9 - 1)}",
               "birthdate": date(1950, 1, 1) + timedelta(days=rng.randint(0, 60 * 365)),
               "started_at": started, "updated_at": started,
               "status": "completed" if ended else "running", "ended_at": started + timedelta(days=90) if ended else None,
               "phase": rng.choice(("poort", "diagnose", "traject", "nazorg"))}
        batch.append(row)
        if i == n_cases // 2:
            sample = {"bsn": row["bsn"], "birthdate": row["birthdate"], "number": row["case_number"],
                      "rare": f"achternaam{i:06d}"}
        if len(batch) >= 5000:
            with wp.db.engine.begin() as conn:
                conn.execute(insert(CaseRow.__table__), batch)
            batch.clear()
    if batch:
        with wp.db.engine.begin() as conn:
            conn.execute(insert(CaseRow.__table__), batch)
    with wp.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return sample


def naive(wp: Werkpad, **criteria) -> list[dict]:
    """Every case row of the organisation, filtered in Python, newest 50 first."""
    with wp.db.engine.connect() as conn:
        t = CaseRow.__table__
        rows = conn.execute(select(t.c.id, t.c.client_name, t.c.bsn, t.c.birthdate, t.c.case_number,
                                   t.c.started_at).where(t.c.organisation == "voorbeeldstad")).all()
    name = (criteria.get("name") or "").lower()
    hits = [r for r in rows
            if (not name or name in r.client_name.lower())
            and (not criteria.get("bsn") or r.bsn == criteria["bsn"])
            and (not criteria.get("birthdate") or r.birthdate == criteria["birthdate"])
            and (not criteria.get("number") or r.case_number == criteria["number"])]
    return [r._asdict() for r in sorted(hits, key=lambda r: r.started_at, reverse=True)[:50]]


def run(kind: str, url: str, n_cases: int, runs: int) -> None:

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    t0 = time.perf_counter()
    sample = populate(wp, n_cases)
    load = time.perf_counter() - t0
    client, _token = kees_logged_in(wp)
    csrf = client.get("/clienten").get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    clients = Clients(wp)
    orgs = ["voorbeeldstad"]
    kinds = {
        "naam, veelvoorkomend (Fatima)": ({"name": "Fatima"}, {"naam": "Fatima"}),
        "naam, zeldzaam": ({"name": sample["rare"]}, {"naam": sample["rare"]}),
        "BSN": ({"bsn": sample["bsn"]}, {"bsn": sample["bsn"]}),
        "geboortedatum": ({"birthdate": sample["birthdate"]}, {"geboortedatum": sample["birthdate"].isoformat()}),
        "zaaknummer": ({"number": sample["number"]}, {"zaaknummer": sample["number"]}),
    }
    with wp.db.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    print(f"\n{kind}: {total:,} zaken (geladen in {load:.0f} s), {runs} zoekopdrachten per soort")
    for label, (engine_args, form) in kinds.items():
        found = clients.find(orgs, **engine_args)
        expected = naive(wp, **engine_args)
        assert [r["id"] for r in found] == [r["id"] for r in expected], label

        def page_search(form=form):
            response = client.post("/clienten", data={**form, "csrf_token": csrf})
            assert response.status_code == 200, response.status_code

        engine_times = _timed(lambda a=engine_args: clients.find(orgs, **a), runs)
        page_times = _timed(page_search, runs)
        naive_times = _timed(lambda a=engine_args: naive(wp, **a), max(3, runs // 10))
        print(f"   {label:<30} ({len(found):>2} treffers)")
        print(f"      {'engine (Clients.find)':<26} {_stats(engine_times)}")
        print(f"      {'pagina (POST /clienten)':<26} {_stats(page_times)}")
        print(f"      {'naïef (alles lezen)':<26} {_stats(naive_times)}")
    wp.db.dispose()


def main() -> None:
    args = sys.argv[1:]
    n_cases = int(args[args.index("--cases") + 1]) if "--cases" in args else 100_000
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 50
    kinds = [a for a in args if a in ("sqlite", "postgres")] or ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in kinds:
            run("SQLite", f"sqlite:///{Path(tmp) / 'clients.sqlite'}", n_cases, runs)
        if "postgres" in kinds:
            from tests.pgserver import PgServer

            server = PgServer(durable=True).start()
            try:
                run("PostgreSQL", server.create_database("bench_clients"), n_cases, runs)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
