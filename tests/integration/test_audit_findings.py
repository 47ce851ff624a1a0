"""Issue 7: verify and replay name what differs, tell an altered record from a replay that
differs, and a case records the engine versions it ran on (and refuses an unknown state format)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine import Conflict
from engine.cli import main
from engine.core import runtime as runtime_module
from engine.core.runtime import CaseRuntime, engine_versions

JAN = {"municipality": "voorbeeldstad", "bsn": "111222333", "name": "Jan Jansen", "birthdate": "1980-05-01"}


def _task(case: dict, spec: str) -> str:
    return next(t["id"] for t in case["tasks"] if t["spec"] == spec)


@pytest.fixture
def jan(wp):
    case = wp.start_case(**JAN, at="2026-01-05T09:00")
    wp.claim_task(_task(case, "intake"), "kees", at="2026-01-05T09:30")
    wp.complete_task(_task(case, "intake"), "kees", {"crisis": True, "woonsituatie": "dakloos"},
                     at="2026-01-05T10:00")
    wp.add_note(case["id"], "kees", "Gebeld.", at="2026-01-05T11:00")
    return case["id"]


def _sql(wp, statement: str, **params) -> None:
    with wp.db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _sql_value(wp, statement: str, **params):
    with wp.db.engine.connect() as conn:
        return conn.execute(text(statement), params).scalar_one()


def _cli(wp, *args):
    url = wp.db.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)


def test_every_event_keeps_a_snapshot_consistent_with_its_digest(wp, jan):
    from engine.core import audit

    with wp.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT type, digest, snapshot FROM events WHERE case_id = :c ORDER BY seq"),
                            {"c": jan}).all()
    workflow = [r for r in rows if r.type in ("case_started", "task_completed")]
    assert workflow and all(audit.digest(json.loads(r.snapshot)) == r.digest for r in workflow)
    assert json.loads(workflow[-1].snapshot)["data"]["woonsituatie"] == "dakloos"


def test_a_replay_that_differs_names_event_field_recorded_and_rebuilt(wp, jan, monkeypatch):
    real = CaseRuntime.complete_user_task

    def another_engine(self, task_id, data):  # today's engine rebuilds another value
        return real(self, task_id, {**data, "woonsituatie": "thuis"})

    monkeypatch.setattr(CaseRuntime, "complete_user_task", another_engine)
    result = wp.auditing.verify_case(jan)
    assert result["ok"] is False and result["kind"] == "replay_differs"
    assert result["event"] == 3 and result["type"] == "task_completed" and result["actor"] == "kees"
    assert result["field"] == "data.woonsituatie" and result["recorded"] == "dakloos" and result["rebuilt"] == "thuis"
    assert "5 januari 2026 10:00" in result["reason"] and "Taak afgerond" in result["reason"]
    assert "vastgelegd als 'dakloos', herbouwd als 'thuis'" in result["reason"]
    replay = json.loads(_cli(wp, "case", "replay", jan, "--json").output)
    assert replay["match"] is False and replay["kind"] == "replay_differs"
    assert (replay["event"], replay["field"], replay["recorded"], replay["rebuilt"]) == \
        (3, "data.woonsituatie", "dakloos", "thuis")
    out = _cli(wp, "audit", "verify")
    assert out.exit_code == 1 and "REPLAY WIJKT AF" in out.output and "vastgelegd dakloos | herbouwd thuis" in out.output
    verify = json.loads(_cli(wp, "audit", "verify", "--json").output)
    assert verify["broken"][0]["kind"] == "replay_differs" and verify["broken"][0]["recorded"] == "dakloos"


def test_a_stored_state_changed_behind_werkpads_back_reads_stored_then_rebuilt(wp, jan):
    """Someone edits a case's stored state in the database (not its events): the finding says
    what is stored and what the events rebuild, each on its own side — in the reason, the list of
    differences and --json alike — names the case by its number and client, and who acted in words."""
    state = _sql_value(wp, "SELECT state FROM cases WHERE id = :c", c=jan)
    _sql(wp, "UPDATE cases SET state = :s WHERE id = :c", s=state.replace('"dakloos"', '"thuis"'), c=jan)
    result = wp.auditing.verify_case(jan)
    assert result["kind"] == "replay_differs" and (result["recorded"], result["rebuilt"]) == ("thuis", "dakloos")
    assert "is opgeslagen als 'thuis', herbouwd als 'dakloos'" in result["reason"]
    assert [(d["recorded"], d["rebuilt"]) for d in result["differences"]] == [("thuis", "dakloos")]
    out = _cli(wp, "audit", "verify")
    number = wp.get_case(jan)["number"]
    assert out.exit_code == 1 and f"zaak {number} (Jan Jansen): OPGESLAGEN TOESTAND WIJKT AF" in out.output
    assert "opgeslagen thuis | herbouwd dakloos" in out.output and jan not in out.output
    assert "door kees" in out.output
    replay = _cli(wp, "case", "replay", number)  # the case by the number people know, named the same way
    assert replay.exit_code == 1 and replay.output.startswith(f"zaak {number} (Jan Jansen): OPGESLAGEN TOESTAND")
    assert json.loads(_cli(wp, "audit", "verify", "--json").output)["broken"][0]["stored_state"] is True


def test_events_without_a_snapshot_fall_back_to_the_old_message(wp, jan, monkeypatch):
    _sql(wp, "UPDATE events SET snapshot = NULL WHERE case_id = :c", c=jan)
    assert wp.auditing.verify_case(jan)["ok"] is True
    real = CaseRuntime.complete_user_task
    monkeypatch.setattr(CaseRuntime, "complete_user_task",
                        lambda self, t, d: real(self, t, {**d, "woonsituatie": "thuis"}))
    result = wp.auditing.verify_case(jan)
    assert result["kind"] == "replay_differs" and result["event"] == 3 and result["differences"] == []
    assert "na gebeurtenis 3" in result["reason"] and "wijkt de herbouwde zaak af" in result["reason"]


@pytest.mark.parametrize("change", ["edited", "deleted", "deleted_renumbered", "inserted", "reordered",
                                    "snapshot", "truncated"])
def test_an_altered_record_is_named_by_kind(wp, jan, change):
    if change == "edited":
        _sql(wp, "UPDATE events SET payload = replace(payload, 'dakloos', 'thuis') WHERE case_id = :c AND seq = 3",
             c=jan)
        expected = ("edited", 3)
    elif change == "deleted":
        _sql(wp, "DELETE FROM events WHERE case_id = :c AND seq = 2", c=jan)
        expected = ("deleted", 2)
    elif change == "deleted_renumbered":
        _sql(wp, "DELETE FROM events WHERE case_id = :c AND seq = 2", c=jan)
        _sql(wp, "UPDATE events SET seq = seq + 100 WHERE case_id = :c AND seq > 2", c=jan)
        _sql(wp, "UPDATE events SET seq = seq - 101 WHERE case_id = :c AND seq > 100", c=jan)
        expected = ("deleted", 2)
    elif change == "inserted":
        _sql(wp, "UPDATE events SET seq = seq + 100 WHERE case_id = :c AND seq >= 2", c=jan)
        _sql(wp, "UPDATE events SET seq = seq - 99 WHERE case_id = :c AND seq > 100", c=jan)
        _sql(wp, "INSERT INTO events (case_id, seq, type, actor, at, recorded_at, phase, payload, digest, "
                 "prev_hash, hash) SELECT case_id, 2, 'note_added', 'mallory', at, recorded_at, phase, "
                 "'{\"text\":\"x\"}', digest, hash, hash FROM events WHERE case_id = :c AND seq = 1", c=jan)
        expected = ("inserted", 2)
    elif change == "reordered":
        _sql(wp, "UPDATE events SET seq = 99 WHERE case_id = :c AND seq = 2", c=jan)
        _sql(wp, "UPDATE events SET seq = 2 WHERE case_id = :c AND seq = 3", c=jan)
        _sql(wp, "UPDATE events SET seq = 3 WHERE case_id = :c AND seq = 99", c=jan)
        expected = ("reordered", 2)
    elif change == "snapshot":
        _sql(wp, "UPDATE events SET snapshot = replace(snapshot, 'dakloos', 'thuis') "
                 "WHERE case_id = :c AND seq = 3", c=jan)
        expected = ("edited", 3)
    else:
        _sql(wp, "DELETE FROM events WHERE case_id = :c AND seq = 4", c=jan)
        expected = ("deleted", 4)
    result = wp.auditing.verify_case(jan)
    assert result["ok"] is False and result["kind"] == "altered"
    assert (result["change"], result["event"]) == expected, result["reason"]
    out = json.loads(_cli(wp, "audit", "verify", "--json").output)["broken"][0]
    assert out["kind"] == "altered" and out["change"] == expected[0]


def test_a_case_records_its_engine_versions_and_when_they_change(wp, jan, monkeypatch):
    started = wp.case_history(jan)[0]
    versions = started["payload"]["engine"]
    assert versions == engine_versions() and versions["state_format"] == runtime_module.STATE_FORMAT
    assert versions["spiffworkflow"] == "3.2.0" and versions["werkpad"]
    newer = {**versions, "werkpad": "9.9.9"}
    monkeypatch.setattr("engine.app.repository.engine_versions", lambda: newer)
    wp.send_message(jan, "aanvraag_ingetrokken", at="2026-01-06T10:00")
    history = wp.case_history(jan)
    changed = [e for e in history if e["type"] == "engine_versions_changed"]
    assert len(changed) == 1 and changed[0]["payload"] == {"from": versions, "to": newer}
    assert history[-1]["type"] == "message_received"
    assert wp.auditing.verify_case(jan)["ok"] is True


def test_a_state_in_an_unknown_format_puts_the_case_in_error(wp, jan):
    with wp.db.engine.connect() as conn:
        state = json.loads(conn.execute(text("SELECT state FROM cases WHERE id = :c"), {"c": jan}).scalar_one())
    state["format"] = 99
    _sql(wp, "UPDATE cases SET state = :s WHERE id = :c", s=json.dumps(state), c=jan)
    with pytest.raises(Conflict) as caught:
        wp.send_message(jan, "aanvraag_ingetrokken", at="2026-01-06T10:00")
    assert "formaat 99" in caught.value.message
    shown = wp.get_case(jan)
    assert shown["status"] == "error" and "formaat 99" in shown["error"]
