"""The werkpad command end to end, and several timer workers on one database."""
from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from engine import Werkpad
from engine.cli import main

from .people import SECRET, add_people

ROOT = Path(__file__).resolve().parents[2]


def _cli(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_round_trip_with_json(sqlite_url, monkeypatch):
    monkeypatch.setenv("WERKPAD_PSEUDONYM_SECRET", SECRET)
    assert _cli(sqlite_url, "db", "upgrade")[0] == 0
    add_people(sqlite_url)
    code, out, _ = _cli(sqlite_url, "processes", "deploy", str(ROOT / "processes"), "--forms",
                        str(ROOT / "forms"), "--only", "voorbeeld", "--json")
    assert code == 0 and json.loads(out)[0]["created"] is True
    code, out, _ = _cli(sqlite_url, "processes", "show", "voorbeeld", "--json")
    assert json.loads(out)["phases"][0] == "poort"
    code, out, _ = _cli(sqlite_url, "case", "start", "--municipality", "voorbeeldstad", "--bsn", "111222333",
                        "--name", "Jan", "--birthdate", "1980-05-01", "--at", "2026-01-05T09:00", "--user", "kees",
                        "--json")
    case_id = json.loads(out)["id"]
    code, out, _ = _cli(sqlite_url, "tasks", "--case", case_id, "--json")
    (task,) = json.loads(out)
    assert set(task) >= {"id", "case", "name", "lane", "due", "form"} and task["form"]["type"] == "object"
    code, out, err = _cli(sqlite_url, "task", "complete", task["id"], "--user", "kees", "--data", '{"crisis": 3}')
    assert code == 1 and err.startswith("fout:") and len(err.strip().splitlines()) == 1
    code, out, _ = _cli(sqlite_url, "task", "complete", task["id"], "--user", "kees", "--at", "2026-01-06T10:00",
                        "--data", '{"crisis": false, "woonsituatie": "dakloos"}', "--json")
    assert code == 0 and json.loads(out)["phase"] == "inspanningsperiode"
    code, out, _ = _cli(sqlite_url, "timers", "fire", "--until", "2026-03-01", "--json")
    assert [f["timers"] for f in json.loads(out)] == [["Vier weken zelf zoeken"]]
    code, out, _ = _cli(sqlite_url, "case", "show", case_id, "--json")
    shown = json.loads(out)
    assert {"id", "status", "phase", "version", "tasks", "timers"} <= set(shown)
    code, out, _ = _cli(sqlite_url, "case", "history", case_id, "--json")
    assert [e["type"] for e in json.loads(out)] == ["case_started", "task_completed", "timer_fired"]
    code, out, _ = _cli(sqlite_url, "case", "replay", case_id, "--json")
    assert json.loads(out)["match"] is True
    code, out, _ = _cli(sqlite_url, "case", "message", case_id, "aanvraag_ingetrokken", "--user", "kees", "--json")
    assert json.loads(out)["status"] == "withdrawn"
    code, out, _ = _cli(sqlite_url, "audit", "verify", "--json")
    verdict = json.loads(out)
    # the users this test acts as were made through the account trail, which verify checks too
    assert verdict.pop("account_trail") == {"ok": True, "records": 10, "findings": []}
    assert code == 0 and verdict == {"ok": True, "cases": 1, "broken": [], "in_error": []}
    wp = Werkpad(sqlite_url)
    with wp.db.engine.begin() as conn:
        conn.execute(text("UPDATE events SET actor = 'mallory' WHERE seq = 2"))
    wp.db.dispose()
    code, out, _ = _cli(sqlite_url, "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["ok"] is False
    code, _, err = _cli(sqlite_url, "case", "show", "bestaatniet")
    assert code == 1 and "bestaat niet" in err


def _worker(url: str, until: str, queue) -> None:
    wp = Werkpad(url)
    fired = wp.fire_due_timers(until)
    wp.db.dispose()
    queue.put([(f["case"], f["due"]) for f in fired])


def test_several_workers_fire_each_timer_once(db_url):
    wp = Werkpad(db_url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    cases = [wp.start_case("voorbeeldstad", "111222333", f"Klant {i}", "1980-01-01",
                           at=f"2026-01-{1 + i % 20:02d}T09:00") for i in range(24)]
    wp.db.dispose()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(db_url, "2026-02-15", queue)) for _ in range(3)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    fired = [item for r in results for item in r]
    assert len(fired) == len(cases) == len(set(fired))
    checker = Werkpad(db_url)
    try:
        with checker.db.engine.connect() as conn:
            counts = conn.execute(text("SELECT case_id, count(*) FROM events WHERE type = 'timer_fired' "
                                       "GROUP BY case_id")).all()
        assert len(counts) == 24 and {c for _, c in counts} == {1}
        assert checker.verify_audit()["ok"] is True
    finally:
        checker.db.dispose()


def test_the_text_of_case_show_history_and_tasks_is_in_words(sqlite_url, monkeypatch):
    """What a person reads on the command line: the case number, status and events in Dutch words,
    moments in Amsterdam time written out; the ids the other commands take stay."""
    import re

    monkeypatch.setenv("WERKPAD_PSEUDONYM_SECRET", SECRET)
    assert _cli(sqlite_url, "db", "upgrade")[0] == 0
    add_people(sqlite_url)
    _cli(sqlite_url, "processes", "deploy", str(ROOT / "processes"), "--forms", str(ROOT / "forms"),
         "--only", "voorbeeld")
    code, out, _ = _cli(sqlite_url, "case", "start", "--municipality", "voorbeeldstad", "--bsn", "111222333",
                        "--name", "Jan", "--birthdate", "1980-05-01", "--at", "2026-01-05T09:00", "--user", "kees")
    assert code == 0 and out.startswith("zaak 2026-000001 gestart (id ")
    case_id = re.search(r"\(id ([0-9a-f]+)\)", out).group(1)
    code, shown, _ = _cli(sqlite_url, "case", "show", case_id)
    assert "zaak 2026-000001 — Jan (voorbeeldstad)" in shown and f"id {case_id}" in shown
    assert "status: lopend" in shown and "uiterlijk 8 januari 2026" in shown  # the intake's due day, in words
    code, fired, _ = _cli(sqlite_url, "timers", "fire", "--until", "2026-01-09")  # its escalation timer
    assert code == 0 and "zaak 2026-000001" in fired and "→ lopend, fase poort" in fired
    code, history, _ = _cli(sqlite_url, "case", "history", case_id)
    assert "5 januari 2026 09:00" in history and "Zaak gestart (melding)" in history
    code, tasks, _ = _cli(sqlite_url, "tasks", "--case", case_id)
    assert "Meldingsgesprek voeren [inkomensconsulent], uiterlijk" in tasks
    for printed in (shown, history, tasks, fired):
        assert not re.search(r"\d{4}-\d{2}-\d{2}T", printed) and "case_started" not in printed and "running" not in printed
