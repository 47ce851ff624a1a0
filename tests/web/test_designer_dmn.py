"""The decision-table page through the Flask test client: a designer saves an edited DMN
table into the draft and gets the same checks as any save (overlaps and gaps named by
table and rule number, expressions through the safe checker); publication goes through
the four eyes; others look read-only or get a 404; the page's policy stays strict."""
from __future__ import annotations

import pytest

from web.designer import DMN_CSP, WATERMARK_STYLES
from web.security import CSP

from .conftest import PASSWORD, login, page_csrf

TABLE = "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route"
FILE = "voorbeeld_route.dmn"


@pytest.fixture
def joke(accounts):
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)


def _dmn(werkpad) -> str:
    return werkpad.designer.working_record("voorbeeld")["files"][FILE]


def _save(client, xml: str, status: int = 200) -> dict:
    token = page_csrf(client, TABLE)
    response = client.post(TABLE, json={"xml": xml, "toelichting": "bemiddeling vanaf 70%"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_the_process_page_lists_its_decision_tables_and_the_table_page_loads(client, werkpad):
    login(client, "piet")
    page = client.get("/ontwerp/voorbeeld").get_data(as_text=True)
    assert "Beslistabellen" in page and f'href="{TABLE}"' in page and "Route op loonwaarde" in page
    response = client.get(TABLE)
    assert response.status_code == 200
    assert "Beslistabel Route op loonwaarde" in response.get_data(as_text=True)
    data = client.get(TABLE + "/tabel.json").get_json()
    assert data["bestand"] == FILE and data["bewerken"] is True and "regel_traject" in data["xml"]
    assert client.get("/ontwerp/voorbeeld/beslistabellen/bestaat_niet").status_code == 404
    assert client.get("/ontwerp/voorbeeld/beslistabellen/..%2Fvoorbeeld").status_code == 404


def test_an_overlap_is_named_by_table_and_rules_and_blocks_publication_until_fixed(client, werkpad, joke):
    login(client, "piet")
    original = _dmn(werkpad)
    overlapping = original.replace("&gt;= 80", "&gt;= 70")
    body = _save(client, overlapping)
    assert len(body["problemen"]) == 1
    problem = body["problemen"][0]
    assert problem["file"] == FILE and problem["element"] == "regel_bemiddeling"
    assert problem["message"].startswith("beslistabel 'Route op loonwaarde' (voorbeeld_route) (UNIQUE): ")
    assert "raakt 2 regels (regel 2 en regel 3)" in problem["message"] and "overlap" in problem["message"]
    page = client.get("/ontwerp/voorbeeld").get_data(as_text=True)
    assert "Aanbieden voor publicatie" not in page and "1 probleem" in page

    # an entry the safe checker refuses: a refusal, named with its rule number and column; the
    # draft keeps what it had (the overlap), nothing of the escape is stored
    escape = original.replace("&gt;= 80", "&gt;= ().__class__")
    refused = _save(client, escape, status=422)
    assert refused["message"].startswith("geweigerd, er is niets bewaard: ")
    message = refused["problemen"][0]["message"]
    assert "beslistabel 'Route op loonwaarde' (voorbeeld_route), regel 3, kolom 1:" in message
    assert "wordt geweigerd" in message and refused["problemen"][0]["element"] == "r3_in"
    assert werkpad.designer.draft("voorbeeld")["record"]["files"][FILE] == overlapping

    fixed = overlapping.replace("30 &lt;= ? &lt; 80", "30 &lt;= ? &lt; 70")
    assert _save(client, fixed)["problemen"] == []
    # the difference the approving designer reads, rule by rule
    diff = client.get("/ontwerp/voorbeeld/verschil").get_data(as_text=True)
    assert "<strong>Route op loonwaarde</strong>: gewijzigd" in diff
    assert ("regel 2: als 30 &lt;= ? &lt; 80 dan &#34;traject&#34; (Loonwaarde 30% tot 80%: re-integratietraject)"
            " → als 30 &lt;= ? &lt; 70 dan &#34;traject&#34;") in diff
    assert "regel 3: als &gt;= 80 dan &#34;bemiddeling&#34;" in diff and "→ als &gt;= 70 dan" in diff
    assert "regel 1:" not in diff
    token = page_csrf(client, "/ontwerp/voorbeeld")
    assert client.post("/ontwerp/voorbeeld/aanbieden", data={"csrf_token": token, "geldig_vanaf": "2099-01-01",
                                                             "toelichting": "Bemiddeling vanaf 70%"}).status_code == 302
    assert client.post("/ontwerp/voorbeeld/goedkeuren", data={"csrf_token": token}).status_code == 409  # own draft
    other = client.application.test_client()
    login(other, "joke")
    token = page_csrf(other, "/ontwerp/voorbeeld")
    assert other.post("/ontwerp/voorbeeld/goedkeuren", data={"csrf_token": token}).status_code == 302
    version = werkpad.designer.version_record("voorbeeld", 2)
    assert "30 &lt;= ? &lt; 70" in version["files"][FILE] and "&gt;= 70" in version["files"][FILE]
    events = [e["type"] for e in werkpad.designer.events("voorbeeld")]
    assert events[:3] == ["gepubliceerd", "goedgekeurd", "aangeboden"]


def test_others_only_look_and_another_organisation_gets_a_404(client, werkpad, accounts):
    login(client, "kees")  # a consultant of the organisation: read-only
    assert client.get(TABLE).status_code == 200
    assert client.get(TABLE + "/tabel.json").get_json()["bewerken"] is False
    token = page_csrf(client, "/inbox")
    before = _dmn(werkpad)
    response = client.post(TABLE, json={"xml": before.replace("&gt;= 80", "&gt;= 70")},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 403 and werkpad.designer.draft("voorbeeld") is None
    other = client.application.test_client()
    login(other, "anna")
    assert other.get(TABLE).status_code == 404
    assert other.get(TABLE + "/tabel.json").status_code == 404


def test_bad_input_is_a_clear_4xx_and_stores_nothing(client, werkpad):
    login(client, "piet")
    token = page_csrf(client, TABLE)
    assert client.post(TABLE, json={"xml": 5}, headers={"X-CSRF-Token": token}).status_code == 400
    assert client.post(TABLE, json={"xml": "<x/>"}).status_code == 403  # no CSRF token
    hostile = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>'
    refused = _save(client, hostile, status=422)
    assert refused["message"].startswith(f"geweigerd, er is niets bewaard: {FILE}: bevat een DOCTYPE- of "
                                         "ENTITY-declaratie")
    assert werkpad.designer.draft("voorbeeld") is None  # nothing stored
    assert "geen geldige XML" in _save(client, "<definitions", status=422)["message"]
    assert werkpad.designer.draft("voorbeeld") is None
    assert client.post(TABLE, data=b"x" * (1024 * 1024 + 10), content_type="application/json",
                       headers={"X-CSRF-Token": token}).status_code == 413


def test_the_table_page_allows_only_the_watermark_styles_by_hash(client):
    login(client, "piet")
    policy = client.get(TABLE).headers["Content-Security-Policy"]
    assert policy == DMN_CSP and policy.startswith(CSP)
    assert "unsafe-inline" not in policy and policy.count("'sha256-") == len(WATERMARK_STYLES)
    assert "style-src 'self'" in policy and "script-src 'self'" in policy
    assert client.get("/ontwerp/voorbeeld/modeler").headers["Content-Security-Policy"] == CSP


def test_the_table_page_speaks_english_when_asked(client):
    login(client, "piet")
    client.set_cookie("werkpad_taal", "en")
    page = client.get(TABLE).get_data(as_text=True)
    assert "Decision table Route op loonwaarde" in page and "a dash (-) matches anything" in page
    assert "Decision tables" in client.get("/ontwerp/voorbeeld").get_data(as_text=True)
