"""Cases worked on the real clock replay exactly, however they were worked.

Every other test pins the clock to round moments; a live command's moment has
microseconds and the command takes time to run. These tests leave the clock
alone: the CLI without ``--at``, the Flask pages and the JSON API, and the
engine's own API. Afterwards ``audit verify`` must pass for every case.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine import Werkpad
from engine.tools.compare import fill_form

from .people import SECRET, add_people

ROOT = Path(__file__).resolve().parents[2]


def _work_open_tasks(wp: Werkpad, case_id: str, user: str, rounds: int = 3) -> int:
    """Claim and complete whatever is open, with the form's neutral values, on the real clock."""
    done = 0
    for _ in range(rounds):
        tasks = wp.list_tasks(case_id=case_id)
        if not tasks:
            break
        for task in tasks:
            wp.claim_task(task["id"], user)
            data, _ = fill_form(task["form"] or {}, {"crisis": False, "recht_op_bijstand": True,
                                                     "woonsituatie": "inwonend"}, {}, datetime.now(UTC))
            wp.complete_task(task["id"], user, data)
            done += 1
    return done


def test_engine_commands_on_the_real_clock_replay(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-05-01")
    assert wp.replay_case(case["id"])["match"]
    assert _work_open_tasks(wp, case["id"], "kees") >= 1
    wp.add_note(case["id"], "kees", "Gebeld, terugbelverzoek.")
    # timers armed on the real clock fire at their own (microsecond) due moments
    fired = wp.fire_due_timers(until=datetime.now(UTC) + timedelta(days=120))
    assert fired, "a four-week wait or reminder should have come due within 120 days"
    other = wp.start_case("voorbeeldstad", "123456782", "Els", "1975-02-03")
    wp.send_message(other["id"], "aanvraag_ingetrokken", {})
    result = wp.verify_audit()
    assert result == {"ok": True, "cases": 2, "broken": [], "in_error": []}, result


def _cli(env: dict, *args: str) -> dict | list:
    out = subprocess.run([str(Path(sys.executable).parent / "werkpad"), *args, "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    return json.loads(out.stdout)


def test_cli_without_at_replays(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url, "WERKPAD_PSEUDONYM_SECRET": SECRET}
    _cli(env, "db", "upgrade")
    add_people(url, organisation="tilburg")
    _cli(env, "processes", "deploy", "--only", "tilburg")
    case = _cli(env, "case", "start", "--municipality", "tilburg", "--bsn", "111222333", "--name", "Jan",
                "--birthdate", "1980-05-01", "--user", "tineke")
    assert _cli(env, "case", "replay", case["id"])["match"] is True
    task = _cli(env, "tasks", "--case", case["id"])[0]
    _cli(env, "task", "claim", task["id"], "--user", "tineke")
    data, _ = fill_form(task["form"], {"crisis": False}, {}, datetime.now(UTC))
    _cli(env, "task", "complete", task["id"], "--user", "tineke", "--data", json.dumps(data))
    _cli(env, "case", "note", case["id"], "Cliënt belde.", "--user", "tineke")
    other = _cli(env, "case", "start", "--municipality", "tilburg", "--bsn", "123456782", "--name", "Els",
                 "--birthdate", "1975-02-03", "--user", "tineke")
    _cli(env, "case", "message", other["id"], "aanvraag_ingetrokken", "--user", "tineke")
    # timers armed on the real clock fire later, each at its own due moment
    assert _cli(env, "timers", "fire", "--until", (datetime.now(UTC) + timedelta(days=40)).isoformat())
    verified = _cli(env, "audit", "verify")
    assert verified["ok"] is True and verified["cases"] == 2, verified
