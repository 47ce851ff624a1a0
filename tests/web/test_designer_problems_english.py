"""The designer's check findings and refusal reasons in the user's language (Flask's test client):
in English the problems of a draft (its JSON for the modeler and the decision-table editor, the
problem list on the pages) and the reasons of a refused save or upload are English; in Dutch they are
the texts they always were. A problem stored before findings kept their template shows as it was."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import update

from engine.storage.designer_models import DraftRow

from .conftest import PASSWORD, login, page_csrf
from .test_postgres import pg_app  # noqa: F401 - fixture

BPMN = "voorbeeld.bpmn"
TABLE = "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route"
DMN = "voorbeeld_route.dmn"
NO_FORM = "gebruikerstaak 'Meldingsgesprek voeren' (intake) heeft geen eigenschap 'formulier'"
NO_FORM_EN = "user task 'Meldingsgesprek voeren' (intake) has no property 'formulier'"
# words of the Dutch check texts; none may show in an English reason
DUTCH = re.compile(r"beslistabel|regel|kolom|wordt|geweigerd|gebruikerstaak|heeft geen|eigenschap|niets|bewaard|"
                   r"syntaxfout|termijn van|expressie|toegestaan|verborgen|bestaat niet|en nog")


def _files(werkpad) -> dict:
    return werkpad.designer.working_record("voorbeeld")["files"]


def _post(client, path: str, body: dict, status: int) -> dict:
    token = page_csrf(client, "/ontwerp/voorbeeld/modeler")
    response = client.post(path, json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _without_form(werkpad) -> str:
    xml = _files(werkpad)[BPMN]
    broken = xml.replace('<spiffworkflow:property name="formulier" value="voorbeeld_intake" />', "")
    assert broken != xml
    return broken


def _in_english(client) -> None:
    client.set_cookie("werkpad_taal", "en")


def test_a_finding_in_english_in_the_draft_json_and_on_the_pages_and_dutch_as_before(client, app, werkpad):
    login(client, "piet")
    dutch = app.test_client()
    login(dutch, "piet")
    _in_english(client)
    saved = _post(client, "/ontwerp/voorbeeld/concept", {"bestand": BPMN, "xml": _without_form(werkpad)}, 200)
    # the intake without its form, and the crisis route reading a field of that form that nothing gives now
    assert [(p["message"], p["element"]) for p in saved["problemen"]][0] == (NO_FORM_EN, "intake")
    assert saved["problemen"][1]["element"] == "f_crisis"
    assert saved["problemen"][1]["message"].startswith("'ja' (f_crisis) reads crisis ('crisis == True'), but no form")
    assert client.get("/ontwerp/voorbeeld/concept.json").get_json()["problemen"][0]["message"] == NO_FORM_EN
    for path in ("/ontwerp/voorbeeld", "/ontwerp/voorbeeld/modeler", TABLE):
        page = client.get(path).get_data(as_text=True)
        assert '<li data-element="intake">' + NO_FORM_EN.replace("'", "&#39;") + "</li>" in page, path
    # in Dutch: the text the checks always gave, on the JSON, the pages and in the engine
    assert dutch.get("/ontwerp/voorbeeld/concept.json").get_json()["problemen"][0]["message"] == NO_FORM
    assert NO_FORM.replace("'", "&#39;") in dutch.get("/ontwerp/voorbeeld").get_data(as_text=True)
    assert werkpad.designer.draft("voorbeeld")["problems"][0]["message"] == NO_FORM


def test_a_decision_table_overlap_and_a_refused_entry_in_english(client, werkpad):
    login(client, "piet")
    _in_english(client)
    original = _files(werkpad)[DMN]
    overlapping = original.replace("&gt;= 80", "&gt;= 70")
    problems = _post(client, TABLE, {"xml": overlapping}, 200)["problemen"]
    assert len(problems) == 1 and problems[0]["element"] == "regel_bemiddeling"
    message = problems[0]["message"]
    assert message.startswith("decision table 'Route op loonwaarde' (voorbeeld_route) (UNIQUE): input ")
    assert "matches 2 rules (rule 2 and rule 3); exactly one may match (overlap)" in message
    assert client.get(TABLE + "/tabel.json").get_json()["problemen"][0]["message"] == message

    refused = _post(client, TABLE, {"xml": original.replace("&gt;= 80", "&gt;= ().__class__")}, 422)
    assert refused["message"].startswith("refused, nothing saved: voorbeeld_route.dmn: decision table "
                                         "'Route op loonwaarde' (voorbeeld_route), rule 3, column 1: ")
    assert "is refused: access to private attribute '__class__' is not allowed" in refused["message"]
    assert not DUTCH.search(refused["message"]), refused["message"]
    reason = refused["problemen"][0]
    assert reason["element"] == "r3_in" and reason["message"].startswith(
        "decision table 'Route op loonwaarde' (voorbeeld_route), rule 3, column 1: ")
    assert not DUTCH.search(reason["message"]), reason["message"]
    assert werkpad.designer.draft("voorbeeld")["record"]["files"][DMN] == overlapping  # nothing of it stored


def test_a_refused_termijn_in_english_and_in_dutch(client, app, werkpad):
    login(client, "piet")
    xml = _files(werkpad)[BPMN]
    assert 'name="termijn"' in xml
    broken = re.sub(r'(<spiffworkflow:property name="termijn" value=")[^"]*(")', r"\1&#34;P3D\2", xml, count=1)
    assert broken != xml
    dutch = _post(client, "/ontwerp/voorbeeld/concept", {"bestand": BPMN, "xml": broken}, 422)
    assert dutch["message"].startswith("geweigerd, er is niets bewaard: voorbeeld.bpmn: termijn van ")
    assert "expressie '\"P3D' wordt geweigerd: syntaxfout: " in dutch["message"]
    _in_english(client)
    english = _post(client, "/ontwerp/voorbeeld/concept", {"bestand": BPMN, "xml": broken}, 422)
    assert english["message"].startswith("refused, nothing saved: voorbeeld.bpmn: deadline (termijn) of ")
    assert "expression '\"P3D' is refused: syntax error: " in english["message"]
    assert not DUTCH.search(english["message"]), english["message"]
    assert werkpad.designer.draft("voorbeeld") is None


def test_an_uploaded_file_with_a_finding_is_refused_in_english(client, werkpad):
    login(client, "piet")
    _in_english(client)
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/upload", data={
        "csrf_token": token, "bestand": (io.BytesIO(_without_form(werkpad).encode()), BPMN)},
        content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    expected = f"a file from outside must pass every check; nothing saved: {BPMN}: {NO_FORM_EN}"
    assert expected.replace("'", "&#39;") in page
    assert werkpad.designer.draft("voorbeeld") is None


def test_a_problem_stored_as_plain_text_shows_as_it_is_and_a_stored_template_in_english(client, werkpad):
    login(client, "piet")
    _in_english(client)
    _post(client, "/ontwerp/voorbeeld/concept", {"bestand": BPMN, "xml": _without_form(werkpad)}, 200)
    with werkpad.db.engine.begin() as conn:
        stored = json.loads(conn.execute(DraftRow.__table__.select()).first().problems)
        assert stored[0]["template"] == "gebruikerstaak %(taak)s heeft geen eigenschap 'formulier'"
        assert stored[0]["params"] == {"taak": "'Meldingsgesprek voeren' (intake)"}
        old = [{"message": "een oude melding", "element": "intake", "file": BPMN},
               {"message": "klopt niet meer", "template": "%(x)s en meer", "params": {"x": "iets"}}]
        conn.execute(update(DraftRow).values(problems=json.dumps(old)))
    shown = client.get("/ontwerp/voorbeeld/concept.json").get_json()["problemen"]
    assert [p["message"] for p in shown] == ["een oude melding", "klopt niet meer"]
    assert "een oude melding" in client.get("/ontwerp/voorbeeld").get_data(as_text=True)


@pytest.mark.postgres
def test_a_finding_stored_on_postgresql_comes_back_in_english(pg_app):  # noqa: F811
    app, wp, accounts = pg_app
    accounts.create_user("piet", PASSWORD)
    accounts.grant("piet", "voorbeeldstad", "process_designer", None)
    client = app.test_client()
    login(client, "piet")
    _in_english(client)
    assert _post(client, "/ontwerp/voorbeeld/concept", {"bestand": BPMN, "xml": _without_form(wp)}, 200)[
        "problemen"][0]["message"] == NO_FORM_EN
    assert client.get("/ontwerp/voorbeeld/concept.json").get_json()["problemen"][0]["message"] == NO_FORM_EN
    assert wp.designer.draft("voorbeeld")["problems"][0]["message"] == NO_FORM
