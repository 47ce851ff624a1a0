"""One case that cannot be loaded or stepped never stops the others.

A case is made unloadable in several ways — a corrupt state row, data that the
state format cannot hold, a missing definition version — and the timers of the
healthy cases behind it still fire. The broken case goes in error with a reason
a teamleider can read; a teamleider retries it after a fix or closes it, audited.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Conflict, Werkpad

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
START = "2026-01-05T09:00"


def _engine(db_url: str) -> Werkpad:
    wp = Werkpad(db_url, processes_dir=FIXTURES, forms_dir=FIXTURES / "forms_lus")
    wp.upgrade_db()
    wp.deploy(only=["fout", "kapot"])
    return wp


def _sql(wp: Werkpad, statement: str, **params) -> None:
    with wp.db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _state(wp: Werkpad, case_id: str) -> str:
    with wp.db.engine.connect() as conn:
        return conn.execute(text("SELECT state FROM cases WHERE id = :i"), {"i": case_id}).scalar_one()


def test_script_data_that_cannot_be_stored_puts_only_that_case_in_error(db_url):
    wp = _engine(db_url)
    bad = wp.start_case("kapotstad", "111222333", "Kapot", "1980-01-01", at=START)
    good = wp.start_case("foutstad", "123456782", "Gezond", "1980-01-01", at="2026-01-05T10:00")
    fired = wp.fire_due_timers("2026-01-08")
    # the bad case's timer comes first; the healthy one behind it still runs (and fails for its own reason)
    shown = wp.get_case(bad["id"])
    assert shown["status"] == "error" and "typename" in shown["error"], shown["error"]
    assert wp.get_case(good["id"])["status"] == "error"  # the 'fout' fixture fails on its own script
    assert fired == []
    assert wp.verify_audit()["ok"] is True
    wp.db.dispose()


@pytest.mark.parametrize("breakage", ["corrupt_state", "typename_in_state", "missing_version"])
def test_an_unloadable_case_does_not_block_other_timers(db_url, breakage):
    wp = Werkpad(db_url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    broken = wp.start_case("voorbeeldstad", "111222333", "Kapot", "1980-01-01", at=START)
    healthy = [wp.start_case("voorbeeldstad", bsn, name, "1980-01-01", at=f"2026-01-05T{hour}:00")
               for bsn, name, hour in (("123456782", "Een", "10"), ("111222333", "Twee", "11"))]
    original = _state(wp, broken["id"])
    if breakage == "corrupt_state":
        _sql(wp, "UPDATE cases SET state = :s WHERE id = :i", s='{"workflow": {"tasks": ', i=broken["id"])
    elif breakage == "typename_in_state":
        state = json.loads(original)
        task = next(iter(state["workflow"]["tasks"].values()))
        task["data"]["x"] = {"typename": "BpmnWorkflow", "x": 1}
        _sql(wp, "UPDATE cases SET state = :s WHERE id = :i", s=json.dumps(state), i=broken["id"])
    else:  # its definition version can no longer be read
        wp.deploy(processes_dir=_copy_as(ROOT / "processes" / "voorbeeld", "kapotversie"), only=["kapotversie"])
        with wp.db.engine.connect() as conn:
            version = conn.execute(text("SELECT id FROM definition_versions WHERE process_key = 'kapotversie'")
                                   ).scalar_one()
        _sql(wp, "UPDATE cases SET definition_id = :v WHERE id = :i", v=version, i=broken["id"])
        _sql(wp, "UPDATE definition_versions SET record = :r WHERE id = :v", r="{kapot", v=version)
    wp.db.dispose()
    wp = Werkpad(db_url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")  # no cached versions

    fired = wp.fire_due_timers("2026-03-01")
    assert {f["case"] for f in fired} == {c["id"] for c in healthy}, "healthy cases' timers must fire"
    shown = wp.get_case(broken["id"])
    assert shown["status"] == "error"
    assert shown["error"].startswith("timer kon niet afgaan: ")
    assert shown["timers"] == []
    assert wp.fire_due_timers("2026-06-01") is not None  # a second run neither raises nor retries it
    assert [e["type"] for e in wp.case_history(broken["id"])][-1] == "engine_error"
    # work on it is refused with the reason, not a crash
    with pytest.raises(Conflict):
        wp.send_message(broken["id"], "aanvraag_ingetrokken", at="2026-06-02")
    # verify reports it without stopping, and the healthy cases are fine
    report = wp.verify_audit()
    assert [b["case"] for b in report["broken"]] in ([], [broken["id"]])
    assert report["cases"] == 3
    # named beside the outcome: verified on its history, its stored state not
    assert [(c["case"], c["client"]) for c in report["in_error"]] == [(broken["id"], "Kapot")]
    assert report["in_error"][0]["error"]  # the latest reason it could not go on
    if breakage != "missing_version":
        # after the fix (the state row restored) the teamleider puts it back to work
        _sql(wp, "UPDATE cases SET state = :s WHERE id = :i", s=original, i=broken["id"])
        resumed = wp.retry_case(broken["id"], "tineke", at="2026-06-03")
        assert resumed["status"] in ("running", "waiting") and resumed["error"] is None
        assert resumed["timers"], "its timers are in the index again"
        assert wp.replay_case(broken["id"])["match"] is True
    else:
        with pytest.raises(Conflict, match="nog steeds"):
            wp.retry_case(broken["id"], "tineke", at="2026-06-03")
        closed = wp.close_case_in_error(broken["id"], "tineke", "Versie onherstelbaar; zaak opnieuw gestart.",
                                        at="2026-06-03")
        assert closed["status"] == "withdrawn" and closed["tasks"] == [] and closed["timers"] == []
        events = wp.case_history(broken["id"])
        assert events[-1]["type"] == "case_closed_in_error" and events[-1]["actor"] == "tineke"
    wp.db.dispose()


def _copy_as(source: Path, key: str) -> Path:
    import shutil
    import tempfile

    target = Path(tempfile.mkdtemp(prefix="werkpad-kapot-"))
    shutil.copytree(source, target / key)
    manifest = json.loads((target / key / "proces.json").read_text(encoding="utf-8"))
    manifest.update({"sleutel": key, "gemeenten": {"kapotstad": {}}})
    (target / key / "proces.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


def test_a_task_on_an_unloadable_case_is_refused_and_the_case_goes_in_error(db_url):
    wp = Werkpad(db_url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    case = wp.start_case("voorbeeldstad", "111222333", "Kapot", "1980-01-01", at=START)
    task = wp.list_tasks(case_id=case["id"])[0]
    _sql(wp, "UPDATE cases SET state = :s WHERE id = :i", s="niet eens json", i=case["id"])
    with pytest.raises(Conflict, match="staat in fout"):
        wp.complete_task(task["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"}, at="2026-01-06")
    assert wp.get_case(case["id"])["status"] == "error"
    assert wp.get_task(task["id"])["status"] == "open"  # nothing half-done
    wp.db.dispose()


def test_case_data_past_the_size_limit_is_refused_and_nothing_is_stored(wp):
    from engine import ValidationError

    with pytest.raises(ValidationError, match="te groot"):
        wp.start_case("voorbeeldstad", "111222333", "Groot", "1980-01-01", data={"groot": "x" * 3_000_000},
                      at=START)
    assert wp.verify_audit()["cases"] == 0


def test_audit_verify_on_the_command_line_names_a_case_in_error(db_url):
    from click.testing import CliRunner

    from engine.cli import main

    wp = Werkpad(db_url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    case = wp.start_case("voorbeeldstad", "111222333", "Kapot", "1980-01-01", at=START)
    _sql(wp, "UPDATE cases SET state = :s WHERE id = :i", s="niet eens json", i=case["id"])
    wp.fire_due_timers("2026-03-01")
    url = wp.db.engine.url.render_as_string(hide_password=False)
    out = CliRunner().invoke(main, ["--database-url", url, "audit", "verify"])
    assert out.exit_code == 0, out.output  # the history is intact
    assert "audit in orde: 1 zaken" in out.output
    assert "1 zaak/zaken in fout" in out.output and "2026-000001  Kapot — timer kon niet afgaan" in out.output
    assert "geen leesbare JSON" in out.output
    wp.db.dispose()
