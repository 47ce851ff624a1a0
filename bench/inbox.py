"""Inbox speed with 100,000 open cases and 300,000 completed tasks, on SQLite and PostgreSQL;
and with 1,000,000 open cases on PostgreSQL (``--bulk``).

    python -m bench.inbox [--cases N] [--runs R] [sqlite] [postgres]
    python -m bench.inbox --bulk [--cases 1000000] [--runs R]

``--bulk`` fills PostgreSQL with COPY (not through the engine): N open cases, each with one open
task and one completed task, all in the consultant's organisation (every open task is in one of
its two lanes, 2% claimed by the consultant: the largest team view and "mijn taken" one person
can have). The filler cases carry a stub workflow state (the inbox never reads it); one real
case made through the engine is their prototype. Printed: how long the fill, the indexes'
upkeep during it and VACUUM ANALYZE took; the first page p50/p95 (HTML and API, team view and
"mijn taken"); the plans of the inbox's statements (EXPLAIN ANALYZE); and as baseline in the same
run the inbox's statements as they were before migration 0014 (task rows joined with their cases
for the organisation, one query over all lanes of the view).

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


def kees_logged_in(wp: Werkpad, config: dict | None = None):
    """kees, consultant of Voorbeeldstad's inkomensconsulenten, logged in to the web app through its
    login page, and his API token: (test client, token)."""
    from web import create_app

    accounts = Accounts(wp, "bench-secret", FAST)
    accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad")
    accounts.create_user("kees", "bench-wachtwoord-1", "Kees")
    accounts.grant("kees", "voorbeeldstad", "consultant", "inkomensconsulent")
    token = accounts.create_token("kees")["token"]
    app = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": "bench-secret", "PASSWORD_HASHER": FAST,
                                 **(config or {})})
    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/inloggen", data={"gebruikersnaam": "kees", "wachtwoord": "bench-wachtwoord-1",
                                          "csrf_token": csrf}).status_code == 302
    return client, token


def _getter(client):
    def get(path: str, **headers):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return response
    return get


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
        batch_tasks.append({"id": str(uuid.uuid4()), "case_id": cid, "organisation": case["organisation"],
                            "spec": "intake" if lane == LANES[0] else "diagnose",
                            "ordinal": 0, "name": "Meldingsgesprek voeren" if lane == LANES[0] else "Diagnose",
                            "lane": lane, "form": "voorbeeld_intake" if lane == LANES[0] else "voorbeeld_diagnose",
                            "phase": "poort" if lane == LANES[0] else "diagnose",
                            "due_at": now + timedelta(days=rng.randint(-30, 60), hours=rng.randint(0, 23)),
                            "status": "open", "claimed_by": "kees" if rng.random() < 0.02 else None,
                            "created_at": started, "completed_at": None, "completed_by": None})
        for k in range(3):
            done = started + timedelta(days=k + 1)
            batch_tasks.append({"id": str(uuid.uuid4()), "case_id": cid, "organisation": case["organisation"],
                                "spec": "intake", "ordinal": 0,
                                "name": "Meldingsgesprek voeren", "lane": LANES[k % 2], "form": "voorbeeld_intake",
                                "phase": "poort", "due_at": done, "status": "completed", "claimed_by": "kees",
                                "created_at": started, "completed_at": done, "completed_by": "kees"})
        if len(batch_cases) >= 5000:
            flush()
    flush()
    with wp.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def bulk_populate(wp: Werkpad, n_cases: int) -> dict[str, float]:
    """n_cases open cases with one open and one completed task each, by COPY; returns timings."""
    now = clock.now()
    proto = wp.start_case("voorbeeldstad", "111222333", "Proto", "1980-01-01", at=now - timedelta(days=30))
    with wp.db.engine.connect() as conn:
        table = CaseRow.__table__
        case = dict(conn.execute(select(table).where(table.c.id == proto["id"])).mappings().one())
    rng = random.Random(7)
    case_cols = ("id", "definition_id", "process_key", "municipality", "organisation", "bsn", "client_name",
                 "birthdate", "status", "phase", "version", "state", "started_at", "updated_at", "last_seq",
                 "last_hash", "case_number")
    task_cols = ("id", "case_id", "organisation", "spec", "ordinal", "name", "lane", "form", "phase", "due_at",
                 "status", "claimed_by", "created_at", "completed_at", "completed_by")
    stub_state = json.dumps({"format": 1, "stub": True, "data": {}})
    timings: dict[str, float] = {}
    raw = wp.db.engine.raw_connection()
    try:
        pg = raw.driver_connection
        t0 = time.perf_counter()
        with pg.cursor() as cur:
            chunk = 50_000
            for first in range(0, n_cases, chunk):
                cases, tasks = [], []
                for i in range(first, min(n_cases, first + chunk)):
                    cid = f"b{i:015d}"
                    started = now - timedelta(days=rng.randint(1, 700), seconds=rng.randint(0, 86_399))
                    phase = rng.choice(("poort", "diagnose", "traject", "nazorg"))
                    cases.append("\t".join((
                        cid, str(case["definition_id"]), case["process_key"], case["municipality"],
                        case["organisation"], f"{rng.randint(10**8, 10**9 - 1)}", f"{rng.choice(NAMES)} {i:07d}",
                        "1980-01-01", "running", phase, "1", stub_state, started.isoformat(), started.isoformat(),
                        "1", case["last_hash"], f"1{i:09d}")))
                    lane = LANES[i % 2]
                    due = now + timedelta(days=rng.randint(-30, 60), hours=rng.randint(0, 23),
                                          seconds=rng.randint(0, 3599))
                    tasks.append("\t".join((
                        f"o{i:015d}", cid, case["organisation"], "intake" if lane == LANES[0] else "diagnose", "0",
                        "Meldingsgesprek voeren" if lane == LANES[0] else "Diagnose", lane,
                        "voorbeeld_intake" if lane == LANES[0] else "voorbeeld_diagnose",
                        "poort" if lane == LANES[0] else "diagnose", due.isoformat(), "open",
                        "kees" if rng.random() < 0.02 else "\\N", started.isoformat(), "\\N", "\\N")))
                    done = started + timedelta(days=1)
                    tasks.append("\t".join((
                        f"c{i:015d}", cid, case["organisation"], "intake", "0", "Meldingsgesprek voeren",
                        LANES[0], "voorbeeld_intake", "poort", done.isoformat(), "completed", "kees",
                        started.isoformat(), done.isoformat(), "kees")))
                with cur.copy(f"COPY cases ({', '.join(case_cols)}) FROM STDIN") as copy:
                    copy.write("\n".join(cases) + "\n")
                with cur.copy(f"COPY tasks ({', '.join(task_cols)}) FROM STDIN") as copy:
                    copy.write("\n".join(tasks) + "\n")
                pg.commit()
        timings["copy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pg.autocommit = True
        with pg.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases")
            cur.execute("VACUUM ANALYZE tasks")
        timings["vacuum"] = time.perf_counter() - t0
    finally:
        raw.close()
    return timings


def _old_first_page(wp: Werkpad, org: str, lanes: list[str], user: str, view: str) -> int:
    """The inbox's statements as they were before migration 0014 (the naive baseline): the
    organisation read from each task's case, one query over every lane of the view, counting
    through the join; the count of the other view as well."""
    from sqlalchemy import and_, func, or_

    team = and_(TaskRow.claimed_by.is_(None), CaseRow.organisation.in_([org]),
                or_(and_(CaseRow.organisation == org, or_(TaskRow.lane.in_(lanes), TaskRow.lane.is_(None)))))
    mine = and_(CaseRow.organisation.in_([org]), TaskRow.claimed_by == user)

    def count(cond) -> int:
        inner = (select(TaskRow.id).join(CaseRow, CaseRow.id == TaskRow.case_id)
                 .where(TaskRow.status == "open", cond).limit(1001).subquery())
        return conn.execute(select(func.count()).select_from(inner)).scalar_one()

    with wp.db.engine.connect() as conn:
        cond = team if view == "team" else mine
        rows = conn.execute(select(TaskRow.id, TaskRow.name, CaseRow.client_name, CaseRow.bsn)
                            .join(CaseRow, CaseRow.id == TaskRow.case_id).where(TaskRow.status == "open", cond)
                            .order_by(TaskRow.due_at.asc().nulls_last(), TaskRow.created_at, TaskRow.id)
                            .limit(25)).all()
        count(team)
        count(mine)
    return len(rows)


def _explain(wp: Werkpad, fn) -> list[str]:
    """EXPLAIN ANALYZE of every SELECT ``fn`` sends, first lines of each plan."""
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM tasks" in statement:
            seen.append((statement, parameters))

    event.listen(wp.db.engine, "before_cursor_execute", grab)
    try:
        fn()
    finally:
        event.remove(wp.db.engine, "before_cursor_execute", grab)
    out = []
    with wp.db.engine.connect() as conn:
        for statement, parameters in seen:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).scalars().all()
            out.append(" | ".join(line.strip() for line in plan if "Index" in line or "Execution" in line
                                  or "Sort" in line or "Seq Scan" in line)[:400])
    return out


def run_bulk(url: str, n_cases: int, runs: int) -> None:

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    t0 = time.perf_counter()
    timings = bulk_populate(wp, n_cases)
    fill = time.perf_counter() - t0
    client, token = kees_logged_in(wp, {"API_RATE_LIMIT": 0})
    get = _getter(client)

    with wp.db.engine.connect() as conn:
        open_tasks = conn.execute(text("SELECT count(*) FROM tasks WHERE status = 'open'")).scalar_one()
        all_tasks = conn.execute(text("SELECT count(*) FROM tasks")).scalar_one()
        open_cases = conn.execute(text("SELECT count(*) FROM cases WHERE status = 'running'")).scalar_one()
    bearer = {"Authorization": f"Bearer {token}"}
    first = json.loads(get("/api/v1/taken?weergave=team", **bearer).get_data(as_text=True))
    print(f"\nPostgreSQL, bulk: {open_cases:,} lopende zaken, {open_tasks:,} open taken ({all_tasks:,} taken); "
          f"gevuld in {fill:.0f} s (COPY met index-onderhoud {timings['copy']:.0f} s, VACUUM ANALYZE "
          f"{timings['vacuum']:.0f} s); team-inbox van kees: {first['totaal']}{'' if first['totaal_exact'] else '+'} "
          f"taken, eerste pagina {len(first['taken'])} rijen")
    inbox = Inbox(wp)
    scope = Scope("kees", ["voorbeeldstad"], {"voorbeeldstad": {"inkomensconsulent"}})
    for view in ("team", "mijn"):
        for plan in _explain(wp, lambda v=view: inbox.tasks(scope, InboxQuery(view=v))):
            print(f"   plan ({view}): {plan}")
    results = {
        "inboxpagina, team (HTML)": _timed(lambda: get("/inbox?weergave=team"), runs),
        "inboxpagina, mijn taken (HTML)": _timed(lambda: get("/inbox"), runs),
        "API /api/v1/taken, team (JSON)": _timed(lambda: get("/api/v1/taken?weergave=team", **bearer), runs),
        "API /api/v1/taken, mijn (JSON)": _timed(lambda: get("/api/v1/taken?weergave=mijn", **bearer), runs),
        "inbox-query alleen, team (engine)": _timed(lambda: inbox.tasks(scope, InboxQuery(view="team")), runs),
        "inbox-query alleen, mijn (engine)": _timed(lambda: inbox.tasks(scope, InboxQuery(view="mijn")), runs),
    }
    for label, samples in results.items():
        print(f"   {label:<38} {_stats(samples)}")
    for view in ("team", "mijn"):
        old = _timed(lambda v=view: _old_first_page(wp, "voorbeeldstad", ["inkomensconsulent"], "kees", v),
                     max(5, runs // 5))
        print(f"   {'naïef: vóór 0014 (join op zaken), ' + view:<38} {_stats(old)}")
    wp.db.dispose()


def run(kind: str, url: str, n_cases: int, runs: int) -> None:

    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    t0 = time.perf_counter()
    populate(wp, n_cases)
    load = time.perf_counter() - t0
    client, token = kees_logged_in(wp)
    get = _getter(client)

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
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 50
    if "--bulk" in args:
        from tests.pgserver import PgServer

        n_bulk = int(args[args.index("--cases") + 1]) if "--cases" in args else 1_000_000
        server = PgServer().start()
        try:
            run_bulk(server.create_database("bench_inbox_bulk"), n_bulk, runs)
        finally:
            server.stop()
        return
    n_cases = int(args[args.index("--cases") + 1]) if "--cases" in args else 100_000
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
