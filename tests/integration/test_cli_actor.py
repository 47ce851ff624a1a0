"""The CLI acts as a person: ``--user`` (or ``--als``) names a user, the command runs as their
principal, the one access policy decides as on the pages and the API, and the access log
records each attempt with the CLI's operation and purpose. Real subprocesses, real SQLite."""
from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Werkpad, clock
from engine.storage.accounts_models import AccessLogRow

from .people import SECRET, add_people

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"


def _werkpad() -> list[str]:
    script = Path(sys.executable).with_name("werkpad")
    return [str(script)] if script.exists() else [sys.executable, "-m", "engine.cli"]


@pytest.fixture
def setup(tmp_path):
    """A database with the voorbeeld process, its people, and one case at its first task (intake)."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    add_people(url)
    case = wp.start_case("voorbeeldstad", BSN, "Jan Jansen", "1980-01-01", at="2026-01-05T09:00")
    yield wp, case["id"], case["tasks"][0]
    wp.db.dispose()


def _run(wp: Werkpad, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": wp.db.url, "WERKPAD_PSEUDONYM_SECRET": SECRET}
    done = subprocess.run([*_werkpad(), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _log(wp: Werkpad) -> list[AccessLogRow]:
    with wp.db.unit_of_work(write=False) as uow:
        return list(uow.session.scalars(select(AccessLogRow).order_by(AccessLogRow.id)))


def _pseudonym(bsn: str) -> str:
    return hmac.new(SECRET.encode(), bsn.encode(), hashlib.sha256).hexdigest()


def test_a_consultant_of_the_lane_claims_and_completes_and_the_log_says_so(setup):
    wp, case_id, task = setup
    claimed = _run(wp, "task", "claim", task["id"], "--user", "kees", "--at", "2026-01-05T10:00")
    assert claimed.returncode == 0 and claimed.stdout.strip() == f"taak {task['id']} geclaimd door kees"
    done = _run(wp, "task", "complete", task["id"], "--als", "kees", "--at", "2026-01-06T10:00", "--json",
                "--data", json.dumps({"crisis": False, "woonsituatie": "dakloos"}))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["phase"] == "inspanningsperiode"
    assert [(e["type"], e["actor"]) for e in wp.case_history(case_id)] == [
        ("case_started", "system"), ("task_claimed", "kees"), ("task_completed", "kees")]
    log = _log(wp)
    assert [(r.operation, r.status, r.username, r.purpose) for r in log] == [
        ("cli.taak.claimen", "ok", "kees", "Taak oppakken"), ("cli.taak.afronden", "ok", "kees", "Taak afronden")]
    assert all(r.organisation == "voorbeeldstad" and r.case_id == case_id and r.task_id == task["id"]
               and r.data_subject_id == _pseudonym(BSN) and r.user_id is not None for r in log)


def test_a_consultant_of_another_lane_is_refused_in_one_line(setup):
    wp, case_id, task = setup
    refused = _run(wp, "task", "claim", task["id"], "--user", "wendy")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "fout: Deze taak hoort niet bij jouw team."
    assert wp.get_case(case_id)["tasks"][0]["claimed_by"] is None
    refused = _run(wp, "task", "complete", task["id"], "--user", "wendy", "--json", "--data", "{}")
    assert refused.returncode == 1 and json.loads(refused.stderr)["error"] == "forbidden"
    assert [e["type"] for e in wp.case_history(case_id)] == ["case_started"]
    log = _log(wp)
    assert [(r.operation, r.status, r.username) for r in log] == [
        ("cli.taak.claimen", "geweigerd", "wendy"), ("cli.taak.afronden", "geweigerd", "wendy")]
    assert log[0].case_id == case_id and log[0].data_subject_id == _pseudonym(BSN)
    # a consultant may note a case of their organisation, but moving it is a designer's
    assert _run(wp, "case", "note", case_id, "Cliënt belde.", "--user", "wendy").returncode == 0
    moved = _run(wp, "case", "migrate", case_id, "--user", "wendy")
    assert moved.returncode == 1 and "procesontwerper" in moved.stderr
    closed = _run(wp, "case", "close", case_id, "--reden", "dubbel", "--user", "kees")
    assert closed.returncode == 1 and "teamleider" in closed.stderr
    assert [(r.operation, r.status) for r in _log(wp)[2:]] == [
        ("cli.zaak.notitie", "ok"), ("cli.zaak.overzetten", "geweigerd"), ("cli.zaak.sluiten", "geweigerd")]


def test_another_organisations_case_looks_not_found(setup):
    wp, case_id, task = setup
    for args, missing in ((("task", "claim", task["id"]), f"taak {task['id']} bestaat niet"),
                          (("case", "note", case_id, "gezien"), f"zaak {case_id} bestaat niet"),
                          (("case", "message", case_id, "aanvraag_ingetrokken"), f"zaak {case_id} bestaat niet"),
                          (("case", "migrate", case_id), f"zaak {case_id} bestaat niet")):
        out = _run(wp, *args, "--user", "anna")
        assert out.returncode == 1 and out.stderr.strip() == f"fout: {missing}", (args, out.stderr)
    # the same words as for a case that does not exist at all
    assert _run(wp, "case", "note", "0" * 16, "gezien", "--user", "kees").stderr.strip() == \
        f"fout: zaak {'0' * 16} bestaat niet"
    case = wp.get_case(case_id)
    assert case["status"] == "running" and case["notes"] == []
    log = _log(wp)
    assert [(r.operation, r.status, r.username) for r in log] == [
        ("cli.taak.claimen", "niet_gevonden", "anna"), ("cli.zaak.notitie", "niet_gevonden", "anna"),
        ("cli.zaak.bericht", "niet_gevonden", "anna"), ("cli.zaak.overzetten", "niet_gevonden", "anna"),
        ("cli.zaak.notitie", "niet_gevonden", "kees")]
    # nothing of the case they cannot read lands in their records: no organisation, no data subject
    assert all(r.organisation is None and r.data_subject_id is None for r in log)


def test_an_unknown_or_blocked_user_acts_for_nobody(setup):
    wp, case_id, task = setup
    out = _run(wp, "task", "claim", task["id"], "--user", "niemand")
    assert out.returncode == 1 and out.stderr.strip() == "fout: gebruiker 'niemand' bestaat niet"
    out = _run(wp, "case", "start", "--municipality", "voorbeeldstad", "--bsn", "123456782", "--name", "Els",
               "--birthdate", "1975-02-03", "--user", "niemand", "--json")
    assert out.returncode == 1 and json.loads(out.stderr)["error"] == "not_found"
    assert _run(wp, "users", "block", "kees").returncode == 0
    out = _run(wp, "task", "claim", task["id"], "--user", "kees")
    assert out.returncode == 1 and out.stderr.strip() == "fout: gebruiker 'kees' is geblokkeerd"
    assert wp.get_case(case_id)["tasks"][0]["claimed_by"] is None
    assert [e["type"] for e in wp.case_history(case_id)] == ["case_started"]
    assert len(wp.list_tasks(status="", with_form=False)) == 1  # no second case
    # nobody acted and nothing was read; the one row is the operator blocking kees
    assert [(r.operation, r.username.startswith("beheer:")) for r in _log(wp)] == [("cli.beheer.blokkeren", True)]


def test_without_a_person_the_servers_operator_acts_on_the_real_clock(setup):
    """No --user and no $WERKPAD_USER: the operator of the server acts (someone with a shell there
    holds the database already), named in the audit trail by their operating-system account; on the
    real clock the case replays and the trail verifies."""
    wp, case_id, _ = setup
    account = f"beheer:{getpass.getuser()}"
    out = _run(wp, "case", "note", case_id, "gezien")
    assert out.returncode == 0, out.stderr
    out = _run(wp, "case", "start", "--municipality", "voorbeeldstad", "--bsn", "123456782", "--name", "Els",
               "--birthdate", "1975-02-03", "--json")
    assert out.returncode == 0, out.stderr
    started = json.loads(out.stdout)
    task = started["tasks"][0]["id"]
    assert _run(wp, "task", "claim", task).returncode == 0
    assert [(e["type"], e["actor"]) for e in wp.case_history(started["id"])] == [
        ("case_started", account), ("task_claimed", account)]
    assert wp.case_history(case_id)[-1]["actor"] == account
    assert wp.replay_case(started["id"])["match"] is True and wp.replay_case(case_id)["match"] is True
    assert wp.verify_audit()["ok"] is True


def test_a_person_starts_a_case_only_where_they_work(setup):
    wp, _, _ = setup
    started = _run(wp, "case", "start", "--municipality", "voorbeeldstad", "--bsn", "123456782", "--name", "Els",
                   "--birthdate", "1975-02-03", "--user", "tineke", "--at", "2026-01-07T09:00", "--json")
    assert started.returncode == 0, started.stderr
    case = json.loads(started.stdout)
    assert wp.case_history(case["id"])[0]["actor"] == "tineke"
    refused = _run(wp, "case", "start", "--municipality", "voorbeeldstad", "--bsn", "123456782", "--name", "Els",
                   "--birthdate", "1975-02-03", "--user", "piet")  # a designer works no cases
    assert refused.returncode == 1 and refused.stderr.startswith("fout: ")
    log = _log(wp)
    assert [(r.operation, r.status, r.username) for r in log] == [
        ("cli.zaak.starten", "ok", "tineke"), ("cli.zaak.starten", log[1].status, "piet")]
    assert log[0].case_id == case["id"] and log[0].data_subject_id == _pseudonym("123456782")
    assert log[1].status in ("geweigerd", "niet_gevonden") and log[1].case_id is None


def test_a_designer_tries_a_move_first_and_nothing_changes(setup):
    """`case migrate --proef`: whether the case can move to the newest version, by version numbers
    and the case number people know, with the warnings (none here) — and nothing moved or logged as moved."""
    wp, case_id, _task = setup
    xml = wp.designer.working_record("voorbeeld")["files"]["voorbeeld.bpmn"]
    wp.designer.save_draft("voorbeeld", "piet", files={"voorbeeld.bpmn": xml.replace(
        'name="Traject evalueren"', 'name="Traject evalueren (nieuw beleid)"')})
    wp.designer.offer("voorbeeld", "piet", clock.local_date(), "nieuw beleid")
    wp.designer.approve("voorbeeld", "system")
    number = wp.get_case(case_id)["number"]
    tried = _run(wp, "case", "migrate", number, "--proef", "--user", "piet")
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.strip() == f"zaak {number} kan over van versie 1 naar versie 2 (proef: er is niets veranderd)"
    as_json = json.loads(_run(wp, "case", "migrate", case_id, "--proef", "--user", "piet", "--json").stdout)
    assert as_json["warnings"] == [] and as_json["number"] == number and as_json["process"] == "voorbeeld"
    assert [e["type"] for e in wp.case_history(case_id)] == ["case_started"]  # nothing moved
    assert [(r.operation, r.status, r.username, r.case_id) for r in _log(wp)] == [
        ("cli.zaak.proefoverzetten", "ok", "piet", case_id)] * 2  # each try read the case: in the log
    moved = _run(wp, "case", "migrate", number, "--user", "piet")  # and then for real
    assert moved.returncode == 0 and [e["type"] for e in wp.case_history(case_id)] == ["case_started",
                                                                                      "version_migrated"]
