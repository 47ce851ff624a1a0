"""The JSON API: bearer tokens, tenant isolation, schemas, errors, OpenAPI."""
from __future__ import annotations

import pytest


@pytest.fixture
def tokens(accounts):
    return {u: accounts.create_token(u, "test")["token"] for u in ("kees", "wendy", "tineke", "aafke", "piet", "anna")}


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_requires_a_valid_token_and_ignores_cookies(client, tokens, accounts):
    assert client.get("/api/v1/taken").status_code == 401
    response = client.get("/api/v1/taken", headers=_auth("wp_onzin"))
    assert response.status_code == 401 and response.get_json()["fout"] == "niet_aangemeld"
    assert "Bearer" in response.headers["WWW-Authenticate"]
    # a logged-in browser session is not an API credential
    from .conftest import login
    login(client, "kees")
    assert client.get("/api/v1/taken").status_code == 401
    assert client.get("/api/v1/ik", headers=_auth(tokens["kees"])).get_json()["gebruikersnaam"] == "kees"


def test_revoked_token_and_blocked_user_are_refused(client, tokens, accounts):
    token_id = accounts.list_tokens("wendy")[0]["id"]
    accounts.revoke_token("wendy", token_id)
    assert client.get("/api/v1/ik", headers=_auth(tokens["wendy"])).status_code == 401
    accounts.block("kees")
    assert client.get("/api/v1/ik", headers=_auth(tokens["kees"])).status_code == 401


def test_inbox_claim_complete_flow(client, cases, tokens, werkpad):
    headers = _auth(tokens["kees"])
    page = client.get("/api/v1/taken?weergave=team", headers=headers).get_json()
    assert page["totaal"] == 1 and page["aantallen"] == {"mijn": 0, "team": 1}
    item = page["taken"][0]
    assert item["client"] == "Jan Jansen" and item["bsn_gemaskeerd"] == "******333" and item["markering"] == "te_laat"
    task_id = item["id"]
    task = client.get(f"/api/v1/taken/{task_id}", headers=headers).get_json()
    assert task["formulier"]["properties"]["woonsituatie"]["enum"]
    claimed = client.post(f"/api/v1/taken/{task_id}/claimen", headers=headers).get_json()
    assert claimed["opgepakt_door"] == "kees" and claimed["status"] == "open"
    again = client.post(f"/api/v1/taken/{task_id}/claimen", headers=_auth(tokens["tineke"]))
    assert again.status_code == 409 and again.get_json()["fout"] == "conflict"
    bad = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers, json={"gegevens": {"crisis": False}})
    assert bad.status_code == 422
    assert bad.get_json()["velden"]["woonsituatie"] == ["Dit veld is verplicht."]
    malformed = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers, json={"data": {}})
    assert malformed.status_code == 422 and "gegevens" in malformed.get_json()["velden"]  # the old English name
    done = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers,
                       json={"gegevens": {"crisis": False, "woonsituatie": "inwonend"}})
    assert done.status_code == 200 and done.get_json()["fase"] == "inspanningsperiode"
    assert done.get_json()["status"] == "wachtend" and done.get_json()["zaaknummer"]
    history = client.get(f"/api/v1/zaken/{cases['ours']['id']}/geschiedenis", headers=headers).get_json()
    assert [e["soort"] for e in history["gebeurtenissen"]] == ["case_started", "task_claimed", "task_completed"]


def test_other_organisation_is_404_on_every_api_route(client, cases, tokens, werkpad):
    theirs = cases["theirs"]
    task_id = theirs["tasks"][0]["id"]
    for username in ("kees", "tineke", "aafke", "piet"):
        headers = _auth(tokens[username])
        for method, path, body in [
            ("GET", f"/api/v1/taken/{task_id}", None), ("POST", f"/api/v1/taken/{task_id}/claimen", None),
            ("POST", f"/api/v1/taken/{task_id}/vrijgeven", None),
            ("POST", f"/api/v1/taken/{task_id}/toewijzen", {"collega": username}),
            ("POST", f"/api/v1/taken/{task_id}/afronden", {"gegevens": {}}),
            ("GET", f"/api/v1/zaken/{theirs['id']}", None), ("GET", f"/api/v1/zaken/{theirs['id']}/geschiedenis", None),
            ("POST", f"/api/v1/zaken/{theirs['id']}/berichten", {"bericht": "aanvraag_ingetrokken"}),
        ]:
            response = client.open(path, method=method, headers=headers, json=body)
            assert response.status_code == 404, (username, path)
            assert "Els Anders" not in response.get_data(as_text=True)
        listed = client.get("/api/v1/taken?weergave=team&organisatie=anderstad", headers=headers).get_json()
        assert listed["totaal"] == 0
        everything = client.get("/api/v1/taken?weergave=alle&organisatie=anderstad", headers=headers)
        assert everything.status_code == 403 or everything.get_json()["totaal"] == 0
    assert len(werkpad.case_history(theirs["id"])) == 1


def test_roles_on_the_api(client, cases, tokens, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]
    assert client.post(f"/api/v1/taken/{task_id}/claimen", headers=_auth(tokens["wendy"])).status_code == 403
    assert client.post(f"/api/v1/taken/{task_id}/claimen", headers=_auth(tokens["aafke"])).status_code == 403
    assert client.get(f"/api/v1/zaken/{cases['ours']['id']}", headers=_auth(tokens["aafke"])).status_code == 200
    assert client.get(f"/api/v1/zaken/{cases['ours']['id']}", headers=_auth(tokens["piet"])).status_code == 404
    refused = client.post(f"/api/v1/taken/{task_id}/toewijzen", headers=_auth(tokens["kees"]), json={"collega": "kees"})
    assert refused.status_code == 403
    wrong = client.post(f"/api/v1/taken/{task_id}/toewijzen", headers=_auth(tokens["tineke"]), json={"collega": "wendy"})
    assert wrong.status_code == 422 and "collega" in wrong.get_json()["velden"]
    ok = client.post(f"/api/v1/taken/{task_id}/toewijzen", headers=_auth(tokens["tineke"]), json={"collega": "kees"})
    assert ok.status_code == 200 and ok.get_json()["opgepakt_door"] == "kees"


def test_start_case_and_send_message(client, tokens, werkpad):
    headers = _auth(tokens["kees"])
    bad = client.post("/api/v1/zaken", headers=headers,
                      json={"gemeente": "voorbeeldstad", "bsn": "123456789", "naam": "Piet", "geboortedatum": "1990-01-01"})
    assert bad.status_code == 422 and "bsn" in bad.get_json()["velden"]
    other = client.post("/api/v1/zaken", headers=headers,
                        json={"gemeente": "anderstad", "bsn": "111222333", "naam": "Piet", "geboortedatum": "1990-01-01"})
    assert other.status_code == 422 and "gemeente" in other.get_json()["velden"]
    created = client.post("/api/v1/zaken", headers=headers,
                          json={"gemeente": "voorbeeldstad", "bsn": "111222333", "naam": "Piet",
                                "geboortedatum": "1990-01-01"})
    assert created.status_code == 201
    case = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/zaken/{case['id']}")
    unknown = client.post(f"/api/v1/zaken/{case['id']}/berichten", headers=headers, json={"bericht": "hallo"})
    assert unknown.status_code == 422 and "bericht" in unknown.get_json()["velden"]
    withdrawn = client.post(f"/api/v1/zaken/{case['id']}/berichten", headers=headers,
                            json={"bericht": "aanvraag_ingetrokken"})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "ingetrokken"


def test_inbox_columns_on_the_api(client, cases, tokens):
    page = client.get("/api/v1/taken?weergave=team&kolom=leeftijd&kolom=woonsituatie",
                      headers=_auth(tokens["kees"])).get_json()
    assert page["kolommen"] == ["leeftijd", "woonsituatie"]
    assert page["taken"][0]["gegevens"] == {"leeftijd": 45, "woonsituatie": None}
    bad = client.get("/api/v1/taken?kolom=state.x", headers=_auth(tokens["kees"]))
    assert bad.status_code == 422 and "kolom" in bad.get_json()["velden"]


def test_all_open_tasks_only_for_teamleider_and_auditor(client, cases, tokens):
    assert client.get("/api/v1/taken?weergave=alle", headers=_auth(tokens["kees"])).status_code == 403
    for username in ("tineke", "aafke"):
        page = client.get("/api/v1/taken?weergave=alle", headers=_auth(tokens[username])).get_json()
        assert [item["client"] for item in page["taken"]] == ["Jan Jansen"]


def test_query_validation_errors_are_json(client, tokens):
    response = client.get("/api/v1/taken?per_pagina=1000&termijn=gisteren", headers=_auth(tokens["kees"]))
    assert response.status_code == 422
    assert set(response.get_json()["velden"]) == {"per_pagina", "termijn"}


def test_api_reads_are_access_logged(client, cases, tokens, accounts):
    client.get(f"/api/v1/zaken/{cases['ours']['id']}", headers=_auth(tokens["kees"]))
    entry = accounts.access_log(case_id=cases["ours"]["id"])[0]
    assert entry["operation"] == "api.zaak.bekijken" and entry["user"] == "kees"
    assert entry["data_subject_id"] == accounts.pseudonymise("111222333")


def test_openapi_document_describes_every_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {("/api/v1" + path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.replace("<", "{").replace(">", "}")
            routed |= {(path, m) for m in rule.methods if m in ("GET", "POST")}
    assert routed == documented
    schemas = doc["components"]["schemas"]
    assert schemas["Error"]["properties"]["velden"]["type"] == "object"
    assert schemas["InboxItem"]["properties"]["markering"]["enum"] == ["te_laat", "deze_week", None]
    for ref_holder in str(doc).split("'$ref': '#/components/schemas/")[1:]:
        assert ref_holder.split("'")[0] in schemas


ENGLISH = {"error", "message", "fields", "items", "total", "client_name", "municipality", "organisation", "phase",
           "task", "due", "claimed_by", "created_at", "data", "tasks", "events", "started_at", "username", "roles",
           "lane", "name", "birthdate", "process", "status_code", "page", "view", "counts", "columns"}


def _keys(value) -> set[str]:
    """Every key of a JSON answer, nested (the values of free data — form fields — excluded)."""
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    out = set(value)
    for key, inner in value.items():
        if key not in ("gegevens", "formulier", "aantallen", "aantallen_exact", "velden"):
            out |= _keys(inner)
    return out


def test_the_api_speaks_one_language(client, cases, tokens, app):
    """Requests, answers, errors and the OpenAPI document use Dutch names only."""
    headers = _auth(tokens["kees"])
    task_id = cases["ours"]["tasks"][0]["id"]
    answers = [client.get("/api/v1/ik", headers=headers).get_json(),
               client.get("/api/v1/taken?weergave=team", headers=headers).get_json(),
               client.get(f"/api/v1/taken/{task_id}", headers=headers).get_json(),
               client.get(f"/api/v1/zaken/{cases['ours']['id']}", headers=headers).get_json(),
               client.get(f"/api/v1/zaken/{cases['ours']['id']}/geschiedenis", headers=headers).get_json(),
               client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers, json={"gegevens": {}}).get_json(),
               client.get("/api/v1/taken", headers=_auth("wp_onzin")).get_json(),
               client.post("/api/v1/zaken", headers=headers, json=[]).get_json()]
    found = set().union(*(_keys(a) for a in answers))
    assert not found & ENGLISH, found & ENGLISH
    assert {"fout", "melding", "velden", "taken", "totaal", "gemeente", "fase", "termijn", "zaak"} <= found
    assert answers[-1] == {"fout": "ongeldig", "melding": "Het verzoek bevat fouten.",
                           "velden": {"_verzoek": ["Verwacht een JSON-object."]}}
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = set()
    for schema in doc["components"]["schemas"].values():
        documented |= set(schema.get("properties", {}))
    for path in doc["paths"].values():
        for op in path.values():
            documented |= {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    assert not documented & ENGLISH, documented & ENGLISH
    assert "werkvoorraad" in documented and "lane" not in documented
