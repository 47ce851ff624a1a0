"""The auditor's timeline lists every decision table a case evaluated as an item of its own:
which table, the inputs with their values, the rule that matched and the outcome, in words.
The record comes from the event (``beslissingen``); an older event without it shows what
replaying it derives, marked as derived."""
from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from sqlalchemy import text

from engine.app.audit_workspace import AuditorWorkspace

from .conftest import jan_at_diagnosis, login


def _to_route(werkpad, at_day: int = 6) -> dict:
    """Jan through intake and rechtmatigheid to the diagnosis: loonwaarde 45 -> the route table."""
    case = jan_at_diagnosis(werkpad)
    werkpad.complete_task(werkpad.get_case(case["id"])["tasks"][0]["id"], "wendy",
                          {"loonwaarde_pct": 45, "trede": 3}, at=f"2026-02-{at_day:02d}T10:00")
    return werkpad.get_case(case["id"])


@pytest.fixture
def routed(werkpad, accounts):
    return _to_route(werkpad)


def _plain(body: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_event_records_the_decision_in_words(werkpad, routed):
    events = werkpad.case_history(routed["id"])
    decided = [e for e in events if e["payload"].get("beslissingen")]
    assert len(decided) == 1 and decided[0]["type"] == "task_completed"
    record = decided[0]["payload"]["beslissingen"][0]
    assert record == {"tabel": "Route op loonwaarde", "taak": "Route bepalen op loonwaarde",
                      "invoer": [{"naam": "Loonwaarde (% WML)", "waarde": 45}],
                      "regels": [{"nummer": 2, "omschrijving": "Loonwaarde 30% tot 80%: re-integratietraject"}],
                      "uitkomst": [{"naam": "Route", "waarde": "traject"}]}
    assert werkpad.verify_audit()["ok"] is True


def test_timeline_shows_the_decision_as_its_own_item(client, routed):
    login(client, "aafke")
    body = client.get(f"/audit/zaken/{routed['id']}").get_data(as_text=True)
    items = re.findall(r'<li class="beslissing"[^>]*>(.*?)</li>', body, re.S)
    assert len(items) == 1
    item = _plain(items[0])
    assert "Beslistabel toegepast: Route op loonwaarde" in item
    assert "Loonwaarde (% WML) 45" in item
    assert "Regel 2: Loonwaarde 30% tot 80%: re-integratietraject" in item
    assert "Route traject" in item
    assert "afgeleid" not in item
    # words, not element ids
    for element_id in ("voorbeeld_route", "regel_traject", "in_loonwaarde", "out_route", "route_bepalen"):
        assert element_id not in items[0]
    only = _plain(client.get(f"/audit/zaken/{routed['id']}?soort=beslissing").get_data(as_text=True))
    assert "1 van" in only and "Beslistabel toegepast: Route op loonwaarde" in only


def test_an_older_event_without_the_record_shows_the_replayed_decision(client, werkpad, routed):
    with werkpad.db.engine.begin() as conn:
        rows = conn.execute(text("SELECT seq, payload FROM events WHERE case_id = :c"), {"c": routed["id"]}).all()
        for seq, payload in rows:
            data = json.loads(payload)
            if data.pop("beslissingen", None) is not None:
                conn.execute(text("UPDATE events SET payload = :p WHERE case_id = :c AND seq = :s"),
                             {"p": json.dumps(data), "c": routed["id"], "s": seq})
    history = AuditorWorkspace(werkpad).history(routed["id"])
    derived = [d for e in history for d in e["decisions"]]
    assert len(derived) == 1 and derived[0]["afgeleid"] is True
    assert derived[0]["uitkomst"] == [{"naam": "Route", "waarde": "traject"}]
    login(client, "aafke")
    item = _plain(re.findall(r'<li class="beslissing"[^>]*>(.*?)</li>',
                             client.get(f"/audit/zaken/{routed['id']}").get_data(as_text=True), re.S)[0])
    assert "Regel 2" in item and "afgeleid door de gebeurtenis opnieuw uit te voeren" in item


@pytest.mark.skipif(__import__("shutil").which("pdftotext") is None, reason="poppler-utils niet geïnstalleerd")
def test_the_pdf_names_the_decision_table_with_inputs_rule_and_outcome(client, routed, tmp_path):
    import subprocess

    login(client, "aafke")
    pdf = client.get(f"/audit/zaken/{routed['id']}/dossier.pdf")
    assert pdf.status_code == 200
    (tmp_path / "zaak.pdf").write_bytes(pdf.data)
    text_ = " ".join(subprocess.run(["pdftotext", str(tmp_path / "zaak.pdf"), "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    assert "Beslistabel Route op loonwaarde: invoer Loonwaarde (% WML) = 45" in text_
    assert "regel 2 (Loonwaarde 30% tot 80%: re-integratietraject); uitkomst Route = traject" in text_
