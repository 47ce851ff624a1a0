"""Fault scenarios against a running :class:`tests.cluster.Cluster`, shared by
tests/integration/test_faults.py (small counts) and bench/faults.py (large counts).

Each scenario returns what was tried, how often, and what was lost. "Lost" means an
acknowledged change (a 2xx answer) that is not in the database afterwards. The
checks afterwards: every acknowledged change present, the task and timer index of
every case matches its stored workflow state (nothing half-updated), and the audit
trail verifies (hash chains and replay).
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine import Werkpad, clock
from engine.app.accounts import Accounts
from engine.core.runtime import CaseRuntime
from engine.storage import CaseRow, EventRow, TaskRow, TimerRow
from tests.cluster import Api, Cluster

ROOT = Path(__file__).resolve().parent.parent
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET = "werkpad-faults"
FORM = {"crisis": False, "woonsituatie": "inwonend"}
ENV = {"WERKPAD_API_RATE_LIMIT": "0", "WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_LOG_LEVEL": "warning"}


# ---------------------------------------------------------------------- setting up
def prepare(url: str) -> tuple[Werkpad, dict[str, str]]:
    """Schema, the example process and two consultants of one lane, each with an API token."""
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    accounts = Accounts(wp, SECRET, FAST)
    accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad")
    tokens = {}
    for user in ("kees", "karel"):
        accounts.create_user(user, f"{user}-wachtwoord-1", user.title())
        accounts.grant(user, "voorbeeldstad", "consultant", "inkomensconsulent")
        tokens[user] = accounts.create_token(user, "faults")["token"]
    return wp, tokens


def start_cluster(web_workers: int = 2, timer_workers: int = 2, log_dir: Path | None = None,
                  durable: bool = False) -> tuple[Cluster, Werkpad, dict[str, str]]:
    cluster = Cluster(web_workers=web_workers, timer_workers=timer_workers, log_dir=log_dir, env=ENV,
                      durable=durable)
    try:
        wp, tokens = prepare(cluster.start_database("faults"))
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster, wp, tokens


# ---------------------------------------------------------------------- load
class Load:
    """Client threads that each start a case and complete its first task through the API,
    over and over, remembering what was acknowledged."""

    def __init__(self, port: int, token: str, clients: int) -> None:
        self.port, self.token, self.clients = port, token, clients
        self.lock = threading.Lock()
        self.cases: list[str] = []  # 201 on POST /zaken
        self.completed: list[str] = []  # 200 on POST /taken/<id>/afronden
        self.statuses: Counter = Counter()
        self.no_answer = 0
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _one(self, api: Api, method: str, path: str, body: dict) -> tuple[int, dict] | None:
        try:
            status, data = api.call(method, path, body)
        except OSError:
            with self.lock:
                self.no_answer += 1
            time.sleep(0.05)
            return None
        except Exception:  # noqa: BLE001 - http.client's own errors: no answer either
            with self.lock:
                self.no_answer += 1
            time.sleep(0.05)
            return None
        with self.lock:
            self.statuses[status] += 1
        return status, data

    def _client(self, n: int) -> None:
        api = Api(self.port, self.token, timeout=20)
        i = 0
        while not self.stop.is_set():
            i += 1
            got = self._one(api, "POST", "/api/v1/zaken", {"gemeente": "voorbeeldstad", "bsn": "111222333",
                                                           "naam": f"Last {n}-{i}", "geboortedatum": "1980-01-01"})
            if got is None or got[0] != 201:
                if got is not None and got[0] >= 500:
                    time.sleep(0.1)
                continue
            with self.lock:
                self.cases.append(got[1]["id"])
            task_id = got[1]["taken"][0]["id"]
            for _attempt in range(20):  # retry while there is no answer or the server is away (5xx)
                if self.stop.is_set():
                    break
                done = self._one(api, "POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": FORM})
                if done is not None and done[0] == 200:
                    with self.lock:
                        self.completed.append(task_id)
                    break
                if done is not None and done[0] < 500:
                    break  # 409 after a retry whose first attempt committed unseen, or a 4xx: decided
                time.sleep(0.1)
        api.close()

    def start(self) -> Load:
        self.threads = [threading.Thread(target=self._client, args=(n,)) for n in range(self.clients)]
        for t in self.threads:
            t.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    @property
    def five_xx(self) -> int:
        return sum(c for s, c in self.statuses.items() if s >= 500)

    @property
    def five_xx_other(self) -> int:
        """5xx other than 503 (database briefly away, retry): an unexpected failure."""
        return sum(c for s, c in self.statuses.items() if s >= 500 and s != 503)


# ---------------------------------------------------------------------- checks
def missing_acknowledged(wp: Werkpad, case_ids: list[str], task_ids: list[str]) -> list[str]:
    """Acknowledged changes that are not in the database."""
    lost = []
    with wp.db.engine.connect() as conn:
        for chunk in _chunks(case_ids):
            found = set(conn.execute(select(CaseRow.id).where(CaseRow.id.in_(chunk))).scalars())
            lost += [f"zaak {c} ontbreekt" for c in chunk if c not in found]
        for chunk in _chunks(task_ids):
            rows = dict(conn.execute(select(TaskRow.id, TaskRow.status).where(TaskRow.id.in_(chunk))).all())
            events = set(conn.execute(select(EventRow.payload).where(
                EventRow.type == "task_completed",
                EventRow.case_id.in_(select(TaskRow.case_id).where(TaskRow.id.in_(chunk))))).scalars())
            done = {json.loads(p)["task"]["id"] for p in events}
            lost += [f"taak {t} niet afgerond" for t in chunk if rows.get(t) != "completed" or t not in done]
    return lost


def _chunks(items: list[str], size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def index_mismatches(wp: Werkpad) -> list[str]:
    """Cases whose task/timer index does not match their stored workflow state (half-updated)."""
    problems = []
    with wp.db.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(CaseRow)).all()
        open_tasks: dict[str, set[str]] = {}
        for task_id, case_id in uow.session.execute(select(TaskRow.id, TaskRow.case_id)
                                                    .where(TaskRow.status == "open")):
            open_tasks.setdefault(case_id, set()).add(task_id)
        timers: dict[str, set] = {}
        for t in uow.session.scalars(select(TimerRow)):
            timers.setdefault(t.case_id, set()).add((t.task_id, clock.to_utc(t.due_at)))
        for row in rows:
            have_tasks, have_timers = open_tasks.get(row.id, set()), timers.get(row.id, set())
            if row.status in ("completed", "withdrawn"):
                if have_tasks or have_timers:
                    problems.append(f"zaak {row.id} is {row.status} maar heeft open taken of timers")
                continue
            if row.status == "error":
                continue  # a case in error keeps the state it broke in
            spec, subprocess_specs = wp.repo.bundle_by_id(uow, row.definition_id).specs()
            obs = CaseRuntime.restore(json.loads(row.state), spec, subprocess_specs).observe()
            want_tasks = {t.id for t in obs.tasks}
            want_timers = {(t.task_id, clock.to_utc(t.due)) for t in obs.timers if t.due is not None}
            if obs.status != row.status or obs.phase != row.phase:
                problems.append(f"zaak {row.id}: status/fase {row.status}/{row.phase}, toestand "
                                f"{obs.status}/{obs.phase}")
            if want_tasks != have_tasks:
                problems.append(f"zaak {row.id}: open taken {sorted(have_tasks)}, toestand {sorted(want_tasks)}")
            if want_timers != have_timers:
                problems.append(f"zaak {row.id}: timers wijken af van de toestand")
    return problems


def check_all(wp: Werkpad, case_ids: list[str], task_ids: list[str]) -> dict:
    audit = wp.verify_audit()
    return {"lost": missing_acknowledged(wp, case_ids, task_ids), "half": index_mismatches(wp),
            "audit_ok": audit["ok"], "audit_broken": audit["broken"][:5], "cases": audit["cases"]}


def _api_answers(cluster: Cluster, token: str, timeout: float) -> float | None:
    """Seconds until GET /api/v1/ik (which reads the database) answers 200, or None."""
    t0 = time.monotonic()
    api = Api(cluster.port, token, timeout=5)
    while time.monotonic() - t0 < timeout:
        try:
            if api.call("GET", "/api/v1/ik")[0] == 200:
                api.close()
                return time.monotonic() - t0
        except Exception:  # noqa: BLE001 - not yet
            pass
        time.sleep(0.1)
    api.close()
    return None


def _fired(wp: Werkpad, case_ids: list[str]) -> Counter:
    with wp.db.engine.connect() as conn:
        rows = conn.execute(select(EventRow.case_id, func.count()).where(
            EventRow.type == "timer_fired", EventRow.case_id.in_(case_ids)).group_by(EventRow.case_id)).all()
    return Counter({c: n for c, n in rows})


def timer_fires_soon(wp: Werkpad, timeout: float = 20.0) -> float | None:
    """Arm a timer due in one second; seconds from due to fired (None: never)."""
    start = clock.now() - timedelta(days=3) + timedelta(seconds=1)
    case = wp.start_case("voorbeeldstad", "111222333", "Wekker", "1980-01-01", at=start)
    due = clock.to_utc(case["timers"][0]["due"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _fired(wp, [case["id"]]):
            return max(0.0, (clock.now() - due).total_seconds())
        time.sleep(0.1)
    return None


# ---------------------------------------------------------------------- scenarios
def web_workers_killed(cluster: Cluster, wp: Werkpad, token: str, seconds: float, kills: int,
                       clients: int = 4, rng: random.Random | None = None) -> dict:
    """SIGKILL a random gunicorn worker ``kills`` times, spread over ``seconds`` of API load. A sync
    worker has at most one request in flight: each kill leaves at most one request unanswered."""
    rng = rng or random.Random(1)
    load = Load(cluster.port, token, clients).start()
    done_kills = 0
    t_end = time.monotonic() + seconds
    for k in range(kills):
        time.sleep(max(0.05, (t_end - time.monotonic()) / (kills - k) * rng.uniform(0.5, 1.5)))
        pids = cluster.web_pids()
        if pids:
            cluster.kill_web_worker(rng.choice(pids))
            done_kills += 1
    time.sleep(max(0.0, t_end - time.monotonic()))
    load.finish()
    respawn_deadline = time.monotonic() + 30
    while time.monotonic() < respawn_deadline and len(cluster.web_pids()) < cluster.web_workers:
        time.sleep(0.1)
    answers = _api_answers(cluster, token, 30)
    return {"scenario": "kill -9 webproces onder belasting", "faults": done_kills,
            "requests": sum(load.statuses.values()) + load.no_answer, "acked": len(load.cases) + len(load.completed),
            "no_answer": load.no_answer, "five_xx": load.five_xx, "statuses": dict(sorted(load.statuses.items())),
            "web_workers_after": len(cluster.web_pids()),
            "answers_after_s": answers, **check_all(wp, load.cases, load.completed)}


def timer_workers_killed(cluster: Cluster, wp: Werkpad, cases: int, seconds: float,
                         rng: random.Random | None = None) -> dict:
    """``cases`` timers come due spread over ``seconds``; meanwhile timer workers are SIGKILLed at
    random moments and restarted by the supervisor. Each timer must fire exactly once."""
    rng = rng or random.Random(2)
    base = clock.now() - timedelta(days=3) + timedelta(seconds=1)
    ids = [wp.start_case("voorbeeldstad", "111222333", f"Timer {i}", "1980-01-01",
                         at=base + timedelta(seconds=seconds * i / cases))["id"] for i in range(cases)]
    kills = 0
    t_end = time.monotonic() + seconds + 1
    while time.monotonic() < t_end:
        time.sleep(rng.uniform(0.2, 1.2))
        alive = [i for i, p in enumerate(cluster.timers) if p is not None and p.poll() is None]
        if alive:
            cluster.kill_timer_worker(rng.choice(alive))
            kills += 1
        cluster.supervise()
    deadline = time.monotonic() + 30
    counts = _fired(wp, ids)
    while time.monotonic() < deadline and len(counts) < cases:
        cluster.supervise()
        time.sleep(0.2)
        counts = _fired(wp, ids)
    checks = check_all(wp, [], [])
    never = [c for c in ids if counts.get(c, 0) == 0]
    twice = [c for c in ids if counts.get(c, 0) > 1]
    return {"scenario": "kill -9 timer-worker terwijl timers afgaan", "faults": kills, "timers": cases,
            "fired": sum(1 for c in ids if counts.get(c)), "never_fired": len(never), "fired_twice": len(twice),
            **checks, "lost": checks["lost"] + [f"timer van zaak {c} ging niet af" for c in never]
            + [f"timer van zaak {c} ging {counts[c]}x af" for c in twice]}


def database_restarted(cluster: Cluster, wp: Werkpad, token: str, restarts: int, seconds: float,
                       clients: int = 4) -> dict:
    """``pg_ctl restart -m fast`` ``restarts`` times under API load; afterwards the web app must
    answer and the timer workers fire again without anyone restarting them."""
    load = Load(cluster.port, token, clients).start()
    recovery = []
    gap = seconds / (restarts + 1)
    for _ in range(restarts):
        time.sleep(gap)
        cluster.restart_database()
        recovery.append(_api_answers(cluster, token, 30))
    time.sleep(gap)
    load.finish()
    after = _api_answers(cluster, token, 30)
    fired_after = timer_fires_soon(wp)
    alive = len(cluster.timer_pids())
    return {"scenario": "PostgreSQL-herstart onder belasting", "faults": restarts,
            "requests": sum(load.statuses.values()) + load.no_answer, "acked": len(load.cases) + len(load.completed),
            "no_answer": load.no_answer, "five_xx": load.five_xx, "five_xx_other": load.five_xx_other,
            "statuses": dict(sorted(load.statuses.items())),
            "recovery_s": recovery,
            "answers_after_s": after, "timer_after_s": fired_after, "timer_workers_alive": alive,
            **check_all(wp, load.cases, load.completed)}


def double_completion(cluster: Cluster, wp: Werkpad, tokens: dict[str, str], pairs: int) -> dict:
    """Two people complete the same task at the same moment, ``pairs`` times: one 200, one 409."""
    start = clock.now() - timedelta(days=1)
    tasks = [wp.start_case("voorbeeldstad", "111222333", f"Dubbel {i}", "1980-01-01",
                           at=start + timedelta(microseconds=i))["tasks"][0]["id"] for i in range(pairs)]
    barrier = threading.Barrier(2)
    results: dict[str, list[list[int]]] = {"kees": [], "karel": []}

    def person(user: str) -> None:
        api = Api(cluster.port, tokens[user])
        for task_id in tasks:
            try:
                barrier.wait(timeout=30)
            except threading.BrokenBarrierError:
                return
            try:
                status, _ = api.call("POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": FORM})
            except Exception:  # noqa: BLE001
                status = 0
            results[user].append([status])
        api.close()

    threads = [threading.Thread(target=person, args=(u,)) for u in results]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.monotonic() - t0
    outcomes = Counter(tuple(sorted((a[0], b[0]))) for a, b in zip(results["kees"], results["karel"], strict=False))
    winners = [t for t, a, b in zip(tasks, results["kees"], results["karel"], strict=False) if 200 in (a[0], b[0])]
    checks = check_all(wp, [], winners)
    with wp.db.engine.connect() as conn:
        completions = Counter(json.loads(p)["task"]["id"] for p in conn.execute(
            select(EventRow.payload).where(EventRow.type == "task_completed")).scalars())
    twice = [t for t in tasks if completions.get(t, 0) > 1]
    bad = sum(n for pair, n in outcomes.items() if pair != (200, 409))
    return {"scenario": "twee mensen ronden dezelfde taak tegelijk af", "faults": pairs,
            "outcomes": {f"{a}+{b}": n for (a, b), n in sorted(outcomes.items())}, "not_200_409": bad,
            "completed_twice": len(twice), "seconds": round(elapsed, 1), **checks,
            "lost": checks["lost"] + [f"taak {t} twee keer afgerond" for t in twice]}
