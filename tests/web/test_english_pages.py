"""The designer's pages, the access log and the deadlines chart in English: UI text comes from the
catalogue (web/translations), municipality content (process, task and field names) stays Dutch."""
from __future__ import annotations

import html as html_lib
import re

from .conftest import login, page_csrf


def _text(response) -> str:
    """What the page says: its text without tags and without its scripts (the script texts' JSON is
    keyed by the Dutch text the script looks up; its values are in the user's language)."""
    body = re.sub(r"<script\b[^>]*>.*?</script>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def _english(client, path: str) -> None:
    client.post("/taal", data={"csrf_token": page_csrf(client, path), "taal": "en", "volgende": path})


def test_designer_pages_in_english(client):
    login(client, "piet")
    _english(client, "/ontwerp/")
    pages = {
        "/ontwerp/": ["The processes of Gemeente Voorbeeldstad", "Versions", "Running cases",
                      "version 1, in force from 1 January 2025"],
        "/ontwerp/voorbeeld": ["There is no draft.", "Make a new draft", "deployed on", "What happened"],
        "/ontwerp/voorbeeld/verschil": ["Compare versions", "There is only one version and no draft yet", "Compare"],
        "/ontwerp/voorbeeld/proefrit": ["Trial run with", "Days per phase", "Deadlines met:", "The path"],
        "/ontwerp/voorbeeld/versies/1/overzetten": ["Trial move:", "No running cases on other versions."],
    }
    dutch = ["Er is geen concept", "Nieuw concept maken", "Lopende zaken", "Verschil tussen", "Vergelijken",
             "Dagen per fase", "Termijnen gehaald", "Proefoverzetting", "geldig vanaf", "uitgerold op"]
    for path, expected in pages.items():
        body = _text(client.get(path))
        assert [w for w in expected if w not in body] == [], path
        assert [w for w in dutch if w in body] == [], path


def test_the_access_log_names_designer_operations_in_words(client, app):
    designer = app.test_client()
    login(designer, "piet")
    designer.get("/ontwerp/voorbeeld")
    login(client, "aafke")
    _english(client, "/audit/logboek")
    body = _text(client.get("/audit/logboek"))
    assert "Process viewed" in body
    assert "ontwerp.proces" not in body


def test_the_deadlines_chart_in_english(client, cases):
    login(client, "aafke")
    dutch_chart = client.get("/audit/termijnen").get_data(as_text=True)
    assert "te laat</title>" in dutch_chart and ">jan</text>" in dutch_chart
    _english(client, "/audit/termijnen")
    chart = client.get("/audit/termijnen").get_data(as_text=True)
    assert "overdue</title>" in chart and ">Jan</text>" in chart
    assert "te laat</title>" not in chart and "op tijd</title>" not in chart


def _script_texts(client, path: str) -> dict:
    import json

    page = client.get(path).get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="werkpad-teksten">(.*?)</script>', page, re.S)
    assert block, path
    return json.loads(html_lib.unescape(block.group(1)))


def test_the_designer_scripts_get_their_texts_in_the_users_language(client):
    """The designer's scripts (status and error messages, dmn-js's labels, the phase names) take
    their words from the page, which has them from the catalogue."""
    from web.i18n import DESIGNER_TEXTS, DMN_WORDS, SCRIPT_TEXTS

    assert not set(DMN_WORDS) & set(SCRIPT_TEXTS + DESIGNER_TEXTS)  # one dictionary, no key for two texts
    login(client, "piet")
    table = "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route"
    dutch = _script_texts(client, table)
    assert dutch["Bewaard, met {n} problemen."] == "Bewaard, met {n} problemen."
    assert (dutch["When"], dutch["Hit policy:"]) == ("Als", "Beslisregel:")
    assert "When" not in _script_texts(client, "/inbox")  # the designer's words only on its pages
    assert client.get("/ontwerp/voorbeeld/concept.json").get_json()["fasenamen"]["inspanningsperiode"] == \
        "Inspanningsperiode"
    _english(client, table)
    english = _script_texts(client, table)
    assert english["Bewaard, met {n} problemen."] == "Saved, with {n} problems."
    assert (english["When"], english["Hit policy:"]) == ("When", "Hit policy:")
    assert _script_texts(client, "/ontwerp/voorbeeld/modeler")["Bewaard; de controles zijn in orde."] == \
        "Saved; the checks are in order."
    assert client.get("/ontwerp/voorbeeld/concept.json").get_json()["fasenamen"]["inspanningsperiode"] == \
        "Self-search period"


def test_the_modeler_page_gets_bpmn_js_words_in_the_users_language(client):
    """bpmn-js's own texts (web/i18n.py BPMN_WORDS, keyed by bpmn-js's English text) come with the
    modeler page only, in Dutch or, after choosing English, as bpmn-js wrote them."""
    from web.i18n import BPMN_WORDS, DESIGNER_TEXTS, SCRIPT_TEXTS

    assert not set(BPMN_WORDS) & set(SCRIPT_TEXTS + DESIGNER_TEXTS)  # one dictionary, no key for two texts
    login(client, "piet")
    modeler = "/ontwerp/voorbeeld/modeler"
    dutch = _script_texts(client, modeler)
    assert (dutch["Create task"], dutch["Append task"], dutch["General"], dutch["Name"]) == \
        ("Taak plaatsen", "Taak erachter toevoegen", "Algemeen", "Naam")
    assert dutch["Open {element}"] == "{element} openen"
    assert all(dutch[key] for key in BPMN_WORDS)
    assert "Create task" not in _script_texts(client, "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route")
    assert "Create task" not in _script_texts(client, "/inbox")
    _english(client, modeler)
    english = _script_texts(client, modeler)
    assert (english["Create task"], english["Append task"], english["General"], english["Name"]) == \
        ("Create task", "Append task", "General", "Name")
    # every English text back as bpmn-js wrote it; where one Dutch text serves two of its texts (the
    # replace menu's "Sub-process (collapsed)", the panel header's "Collapsed Sub Process", shown in
    # capitals) the first of them
    for key, dutch_text in BPMN_WORDS.items():
        same = [other.lower() for other, text in BPMN_WORDS.items() if text == dutch_text]
        assert english[key].lower() in same, (key, english[key])
    assert english["Collapsed Sub Process"] == "Sub-process (collapsed)"


def test_a_melding_with_errors_in_english(client):
    """The engine's own checks of a new melding (BSN, name, birth date) speak the user's language."""
    login(client, "kees")
    _english(client, "/melding")
    token = page_csrf(client, "/melding")
    bad = client.post("/melding", data={"csrf_token": token, "gemeente": "voorbeeldstad|voorbeeld",
                                         "naam": "Piet Puk", "bsn": "123456789", "geboortedatum": "1066-10-14"})
    body = _text(bad)
    assert bad.status_code == 422
    assert "Not a valid BSN (eleven test)." in body and "more than 120 years back" in body
    assert "Geen geldig BSN" not in body and "jaar terug" not in body
