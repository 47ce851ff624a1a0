"""The modeler's Werkpad panel through the Flask test client: the draft's JSON offers the
known messages (processes/berichten.json) with their descriptions beside the phases, roles
and forms; a draft that names a message nobody sends is saved with a problem on that
element and cannot be offered for publication."""
from __future__ import annotations

import json

from .conftest import ROOT, login, page_csrf

BPMN = "voorbeeld.bpmn"


def test_the_panel_offers_the_known_messages(client):
    login(client, "piet")
    data = client.get("/ontwerp/voorbeeld/concept.json").get_json()
    listed = json.loads((ROOT / "processes" / "berichten.json").read_text(encoding="utf-8"))["berichten"]
    assert set(data["berichten"]) == set(listed)
    assert data["berichten"]["werk_gevonden"] == listed["werk_gevonden"]["omschrijving"]
    assert data["beslistabellen"] == {"voorbeeld_route": "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route"}


def test_an_unknown_message_is_refused_on_the_element_that_waits_for_it(client, werkpad):
    login(client, "piet")
    xml = werkpad.designer.working_record("voorbeeld")["files"][BPMN]
    changed = xml.replace('<bpmn:message id="Bericht_werk_gevonden" name="werk_gevonden" />',
                          '<bpmn:message id="Bericht_werk_gevonden" name="baan_gevonden" />')
    assert changed != xml
    token = page_csrf(client, "/ontwerp/voorbeeld/modeler")
    response = client.post("/ontwerp/voorbeeld/concept", json={"bestand": BPMN, "xml": changed},
                           headers={"X-CSRF-Token": token})
    problems = response.get_json()["problemen"]
    assert [p["element"] for p in problems] == ["werk_gevonden_tijdens_traject"]
    assert "bericht 'baan_gevonden'" in problems[0]["message"] and "kent Werkpad niet" in problems[0]["message"]
    token = page_csrf(client, "/ontwerp/voorbeeld")
    assert client.post("/ontwerp/voorbeeld/aanbieden", data={"csrf_token": token, "geldig_vanaf": "2099-01-01",
                                                             "toelichting": "x"}).status_code == 409
