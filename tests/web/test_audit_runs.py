"""Verifying a whole organisation runs in the background (web/audit.py, AuditorWorkspace.execute_run):
the progress page polls a JSON endpoint (static JS, no inline script), the run can be stopped and the
page left, and the result is kept and shown with its findings in words."""
from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import text

from engine.app.audit_workspace import AuditorWorkspace

from .conftest import login, page_csrf


def wait_for(client, page_url: str, seconds: float = 60) -> dict:
    """Poll the run's JSON until it has finished (the run is a real background thread)."""
    deadline = time.monotonic() + seconds
    while True:
        state = json.loads(client.get(page_url + "/voortgang.json").get_data(as_text=True))
        if state["finished"] or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


@pytest.fixture
def several(werkpad, accounts):
    ids = []
    for n, (bsn, name) in enumerate([("111222333", "Jan Jansen"), ("123456782", "Fatima el Amrani"),
                                      ("100000010", "Piet de Boer")]):
        case = werkpad.start_case("voorbeeldstad", bsn, name, "1980-05-01", at=f"2026-01-0{5 + n}T09:00")
        werkpad.add_note(case["id"], "kees", "Gebeld.", at=f"2026-01-0{5 + n}T10:00")
        ids.append(case["id"])
    return ids


def _start(client) -> str:
    token = page_csrf(client, "/audit/controle")
    response = client.post("/audit/controle", data={"csrf_token": token, "organisatie": "voorbeeldstad"})
    assert response.status_code == 302
    return response.location


def test_run_reports_progress_as_json_and_keeps_the_result(client, accounts, several):
    login(client, "aafke")
    page = _start(client)
    state = wait_for(client, page)
    assert state == {"status": "done", "finished": True, "total": 3, "done": 3, "broken": 0, "percent": 100,
                     "cancel_requested": False, "status_text": "klaar",
                     "progress_text": "3 van 3 zaken gecontroleerd"}
    html = client.get(page).get_data(as_text=True)
    assert "Klopt" in html and "3 zaken gecontroleerd" in html
    assert "data-voortgang-url" not in html  # a finished run is not polled
    assert '<script src="/static/js/audit-voortgang.js">' in html and "<script>" not in html
    listing = client.get("/audit/controle").get_data(as_text=True)
    assert "Eerdere controles" in listing and "3 van 3 zaken gecontroleerd" in listing and "alles klopt" in listing
    operations = {e["operation"] for e in accounts.access_log(username="aafke", limit=50)}
    assert {"audit.organisatie.controleren", "audit.organisatie.voortgang"} <= operations


def test_a_case_in_error_is_named_beside_the_outcome(client, werkpad, several):
    """A case in error is verified on its recorded history; its stored state (which may be what broke)
    is not compared, and the result says so and names the case, with why and since when."""
    with werkpad.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'kapot' WHERE id = :c"), {"c": several[2]})
    werkpad.fire_due_timers("2026-03-01")  # its timer cannot fire: the case goes in error
    assert werkpad.get_case(several[2])["status"] == "error"
    login(client, "aafke")
    page = _start(client)
    assert wait_for(client, page)["broken"] == 0
    html = client.get(page).get_data(as_text=True)
    visible = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Klopt" in visible and "Gestart door Aafke op" in visible
    assert "1 zaak staat in fout" in visible and "niet de opgeslagen toestand" in visible
    assert "Piet de Boer zaaknummer 2026-000003 — timer kon niet afgaan" in visible and "geen leesbare JSON" in visible


def test_findings_are_kept_in_words(client, werkpad, several):
    victim = several[1]
    with werkpad.db.engine.begin() as conn:  # the trailing note cut off, pointers set back
        prev = conn.execute(text("SELECT hash FROM events WHERE case_id = :c AND seq = 1"), {"c": victim}).scalar_one()
        conn.execute(text("DELETE FROM events WHERE case_id = :c AND seq = 2"), {"c": victim})
        conn.execute(text("UPDATE cases SET last_seq = 1, last_hash = :h WHERE id = :c"), {"h": prev, "c": victim})
    login(client, "aafke")
    page = _start(client)
    assert wait_for(client, page)["broken"] == 1
    html = client.get(page).get_data(as_text=True)
    assert "Klopt niet" in html and "1 wijkt af" in html
    assert "Fatima el Amrani" in html and "de vastlegging is gewijzigd" in html and "zegel" in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert "zaaknummer 2026-000002" in " ".join(visible.split()) and victim not in visible  # no hex ids in words


def test_a_run_can_be_stopped(werkpad, several):
    workspace = AuditorWorkspace(werkpad)
    run_id = workspace.start_run("voorbeeldstad", "aafke")
    assert workspace.run_status(run_id, ["voorbeeldstad"])["status"] == "running"
    workspace.cancel_run(run_id, ["voorbeeldstad"])
    workspace.execute_run(run_id, every=0)  # sees the request after its first case
    state = workspace.run_status(run_id, ["voorbeeldstad"])
    assert state["status"] == "cancelled" and state["done"] == 1 and state["total"] == 3


def test_stop_button_and_a_run_whose_process_died(client, werkpad, several):
    workspace = AuditorWorkspace(werkpad)
    run_id = workspace.start_run("voorbeeldstad", "aafke")  # never executed: as if its process was killed
    login(client, "aafke")
    page = client.get(f"/audit/controle/{run_id}").get_data(as_text=True)
    assert "data-voortgang-url" in page and "Controle stoppen" in page
    token = page_csrf(client, f"/audit/controle/{run_id}")
    assert client.post(f"/audit/controle/{run_id}/stoppen", data={"csrf_token": token}).status_code == 302
    assert "Stoppen gevraagd" in client.get(f"/audit/controle/{run_id}").get_data(as_text=True)
    with werkpad.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_runs SET updated_at = :t WHERE id = :r"),
                     {"t": "2020-01-01 00:00:00.000000", "r": run_id})
    state = json.loads(client.get(f"/audit/controle/{run_id}/voortgang.json").get_data(as_text=True))
    assert state["status"] == "stopped" and state["finished"] is True
    assert "onderbroken" in state["status_text"]


def test_runs_of_another_organisation_are_not_found(client, app, werkpad, accounts, several):
    accounts.create_user("otto", "geheim-wachtwoord-1", "Otto")
    accounts.grant("otto", "anderstad", "auditor")
    run_id = AuditorWorkspace(werkpad).start_run("voorbeeldstad", "aafke")
    login(client, "otto")
    assert client.get(f"/audit/controle/{run_id}").status_code == 404
    assert client.get(f"/audit/controle/{run_id}/voortgang.json").status_code == 404
    token = page_csrf(client, "/audit/controle")
    assert client.post(f"/audit/controle/{run_id}/stoppen", data={"csrf_token": token}).status_code == 404
    consultant = app.test_client()
    login(consultant, "kees")
    assert consultant.get(f"/audit/controle/{run_id}").status_code == 403


def test_a_stored_state_changed_behind_werkpads_back_is_named_as_such(client, werkpad, several):
    """A case whose stored state was edited in the database (its events intact): the organisation
    run and the case page say the stored state differs — not that the software rebuilds differently —
    with the client's name, a space, and the stored and rebuilt values each under their own heading."""
    case_id = several[0]
    with werkpad.db.engine.begin() as conn:
        state = conn.execute(text("SELECT state FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
        assert '"leeftijd":' in state
        conn.execute(text("UPDATE cases SET state = :s WHERE id = :c"),
                     {"s": state.replace('"leeftijd":', '"leeftijd":1', 1), "c": case_id})
    login(client, "aafke")
    page = _start(client)
    assert wait_for(client, page)["broken"] == 1
    html = client.get(page).get_data(as_text=True)
    assert "de opgeslagen toestand wijkt af</strong>" in html and "de herbouwde zaak wijkt af" not in html
    assert "</a>: <strong>" in html  # the client's name and the finding apart
    token = page_csrf(client, "/audit/")
    shown = client.post(f"/audit/zaken/{case_id}/controleren", data={"csrf_token": token}).get_data(as_text=True)
    assert "de opgeslagen toestand wijkt af" in shown and "buiten Werkpad om gewijzigd" in shown
    assert "<th>Opgeslagen</th>" in shown and "<th>Herbouwd</th>" in shown
