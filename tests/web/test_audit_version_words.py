"""A case's history can span process versions: a designer renames a field in a new version and
moves running cases onto it. The auditor reads every event in the words of the version in effect
when it happened — the timeline, the case as it was at a moment, and the PDF case file — not in the
words of today's version."""
from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
from datetime import date

import pytest

from .conftest import login

OLD, NEW = "Woonsituatie", "Woonsituatie bij de melding"


def _plain(body: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def migrated(werkpad, accounts):
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "dakloos"},
                          at="2026-01-06T10:00")
    form = json.loads(werkpad.designer.working_record("voorbeeld")["forms"]["voorbeeld_intake"])
    form["properties"]["woonsituatie"] = {"title": NEW}
    werkpad.designer.save_draft("voorbeeld", "piet", forms={"voorbeeld_intake": json.dumps(form)},
                                at="2026-01-07T09:00")
    werkpad.designer.offer("voorbeeld", "piet", date(2026, 1, 7), "Veldnaam verduidelijkt", at="2026-01-07T09:00")
    accounts.create_user("joke", "geheim-wachtwoord-1", "Joke")
    werkpad.designer.approve("voorbeeld", "joke", at="2026-01-07T10:00")
    moved = werkpad.designer.migrate_cases("voorbeeld", 2, "piet", [case["id"]], at="2026-01-07T11:00")
    assert [m["moved"] for m in moved] == [True]
    history = werkpad.case_history(case["id"])
    assert history[-1]["type"] == "version_migrated"
    return case["id"], history


def test_the_timeline_names_a_field_as_the_version_then_did(client, migrated):
    case_id, history = migrated
    login(client, "aafke")
    page = _plain(client.get(f"/audit/zaken/{case_id}").get_data(as_text=True))
    assert f"{OLD} Dakloos" in page  # the intake of version 1, as it was asked then
    assert NEW not in page
    assert re.search(r"Overgezet op een nieuwe procesversie ?: van versie 1 naar versie 2", page)


def test_the_moment_page_shows_the_data_in_the_words_of_its_version(client, migrated):
    case_id, history = migrated
    login(client, "aafke")
    intake = next(e["seq"] for e in history if e["type"] == "task_completed")
    then = _plain(client.get(f"/audit/zaken/{case_id}/moment/{intake}").get_data(as_text=True))
    assert f"{OLD} Dakloos" in then and NEW not in then
    now = _plain(client.get(f"/audit/zaken/{case_id}/moment/{history[-1]['seq']}").get_data(as_text=True))
    assert f"{NEW} Dakloos" in now  # after the move the case's data is read in version 2's words
    assert "van versie 1 naar versie 2" in now


def test_the_consultant_s_case_page_says_between_which_versions_the_case_moved(client, migrated):
    case_id, _history = migrated
    login(client, "kees")
    page = _plain(client.get(f"/zaken/{case_id}").get_data(as_text=True))
    assert "van versie 1 naar versie 2" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils niet geïnstalleerd")
def test_the_pdf_case_file_uses_the_words_of_each_event_s_version(client, migrated, tmp_path):
    case_id, _history = migrated
    login(client, "aafke")
    response = client.get(f"/audit/zaken/{case_id}/dossier.pdf")
    assert response.status_code == 200
    (tmp_path / "zaak.pdf").write_bytes(response.data)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "zaak.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert f"{OLD}: Dakloos" in text and NEW not in text
    assert "Overgezet op een nieuwe procesversie: van versie 1 naar versie 2" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils niet geïnstalleerd")
def test_the_auditor_sees_what_the_engine_ended_and_why(client, migrated, tmp_path):
    """Completing the intake ended its reminder: the history, the moment page and the PDF say so."""
    case_id, history = migrated
    intake = next(e for e in history if e["type"] == "task_completed")
    lapsed = [c for c in intake["payload"].get("cancelled", []) if c["kind"] == "timer"]
    assert lapsed
    said = f"Termijn '{lapsed[0]['name']}' vervallen: taak '{intake['payload']['task']['name']}' afgerond"
    login(client, "aafke")
    assert said in _plain(client.get(f"/audit/zaken/{case_id}").get_data(as_text=True))
    assert said in _plain(client.get(f"/audit/zaken/{case_id}/moment/{intake['seq']}").get_data(as_text=True))
    (tmp_path / "zaak.pdf").write_bytes(client.get(f"/audit/zaken/{case_id}/dossier.pdf").data)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "zaak.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert f"termijn '{lapsed[0]['name']}' vervallen (taak '{intake['payload']['task']['name']}' afgerond)" in text
