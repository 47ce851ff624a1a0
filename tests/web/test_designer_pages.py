"""The designer's pages per role: designers of the owning organisation edit and publish
(four eyes), its consultants, teamleiders and auditors look read-only (a POST is a 403),
another organisation's users get a 404; everything lands in the access log."""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from .conftest import PASSWORD, login, page_csrf

BPMN = "voorbeeld.bpmn"


@pytest.fixture
def joke(accounts):
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)


def _xml(werkpad) -> str:
    return werkpad.designer.working_record("voorbeeld")["files"][BPMN]


def _save(client, xml: str, note: str = "") -> dict:
    token = page_csrf(client, "/ontwerp/voorbeeld/modeler")
    response = client.post("/ontwerp/voorbeeld/concept", json={"bestand": BPMN, "xml": xml, "toelichting": note},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_designer_lands_on_the_designer_home_page(client):
    response = login(client, "piet")
    assert response.headers["Location"] == "/ontwerp/"
    page = client.get("/ontwerp/").get_data(as_text=True)
    assert "Voorbeeldstad" in page and "versie 1, geldig vanaf 1 januari 2025" in page
    assert "Anderstad" not in page
    assert client.get("/inloggen").headers["Location"] == "/ontwerp/"
    other = client.application.test_client()
    assert login(other, "kees").headers["Location"] == "/inbox"  # a consultant keeps the inbox


def test_designer_saves_a_broken_draft_fixes_it_and_a_second_designer_publishes(client, werkpad, joke):
    login(client, "piet")
    original = _xml(werkpad)
    broken = original.replace('<spiffworkflow:property name="formulier" value="voorbeeld_intake" />', "")
    body = _save(client, broken, "intake zonder formulier")
    # the intake without its form, and the crisis route that read a field of that form
    assert [p["element"] for p in body["problemen"]] == ["intake", "f_crisis"]
    page = client.get("/ontwerp/voorbeeld").get_data(as_text=True)
    assert 'data-element="intake"' in page and "Aanbieden voor publicatie" not in page
    assert _save(client, original.replace('name="Meldingsgesprek voeren"',
                                          'name="Kennismakingsgesprek voeren"'))["problemen"] == []
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/aanbieden", data={"csrf_token": token, "geldig_vanaf": "2099-01-01",
                                                                 "toelichting": "Nieuwe naam"})
    assert response.status_code == 302
    assert client.post("/ontwerp/voorbeeld/goedkeuren", data={"csrf_token": token}).status_code == 409
    page = client.get("/ontwerp/voorbeeld").get_data(as_text=True)
    assert "Vier ogen" in page and "Goedkeuren en publiceren" not in page

    other = client.application.test_client()
    login(other, "joke")
    token = page_csrf(other, "/ontwerp/voorbeeld")
    response = other.post("/ontwerp/voorbeeld/goedkeuren", data={"csrf_token": token})
    assert response.status_code == 302 and "gepubliceerd" in response.headers["Location"]
    page = other.get("/ontwerp/voorbeeld?melding=gepubliceerd").get_data(as_text=True)
    assert "versie 2, geldig vanaf 1 januari 2099" in page and "Nieuwe naam" in page
    # who made, approved and did what: people's names, as everywhere else in the designer
    version = re.search(r"<tr>\s*<td>versie 2.*?</tr>", page, re.S).group(0)
    assert "<td>Piet</td><td>Joke</td>" in version
    assert re.search(r"</time> Joke: ", page) and re.search(r"</time> Piet: ", page)
    assert werkpad.show_process("voorbeeld")["versions"][-1]["deployed_by"] == "joke"
    log = werkpad.db  # the access log holds both designers' actions
    from sqlalchemy import text
    with log.engine.connect() as conn:
        ops = {tuple(r) for r in conn.execute(text(
            "select u.username, a.operation from access_log a join users u on u.id = a.user_id "
            "where a.operation like 'ontwerp.%'"))}
    assert ("piet", "ontwerp.aanbieden") in ops and ("joke", "ontwerp.goedkeuren") in ops


@pytest.mark.parametrize("user", ["kees", "tineke", "aafke"])
def test_consultants_teamleiders_and_auditors_of_the_organisation_view_read_only(client, werkpad, user):
    login(client, user)
    for path in ("/ontwerp/", "/ontwerp/voorbeeld", "/ontwerp/voorbeeld/modeler", "/ontwerp/voorbeeld/concept.json",
                 "/ontwerp/voorbeeld/verschil?van=1&naar=1", "/ontwerp/voorbeeld/versies/1/overzetten",
                 "/ontwerp/voorbeeld/versies/1.zip"):
        assert client.get(path).status_code == 200, path
    assert client.get("/ontwerp/voorbeeld/concept.json").get_json()["bewerken"] is False
    page = client.get("/ontwerp/voorbeeld").get_data(as_text=True)
    assert "alleen procesontwerpers" in page and "Nieuw concept maken" not in page
    token = page_csrf(client, "/ontwerp/voorbeeld")
    assert client.post("/ontwerp/voorbeeld/concept", json={"bestand": BPMN, "xml": _xml(werkpad)},
                       headers={"X-CSRF-Token": token}).status_code == 403
    for action in ("aanbieden", "goedkeuren", "weggooien", "upload", "versies/1/overzetten"):
        assert client.post(f"/ontwerp/voorbeeld/{action}", data={"csrf_token": token}).status_code == 403, action
    assert werkpad.designer.draft("voorbeeld") is None


def test_another_organisation_gets_a_404(client):
    login(client, "anna")
    assert client.get("/ontwerp/").status_code == 200
    assert "Voorbeeldstad" not in client.get("/ontwerp/").get_data(as_text=True)
    for path in ("/ontwerp/voorbeeld", "/ontwerp/voorbeeld/modeler", "/ontwerp/voorbeeld/concept.json",
                 "/ontwerp/voorbeeld/versies/1.zip", "/ontwerp/bestaat-niet"):
        assert client.get(path).status_code == 404, path
    token = page_csrf(client, "/ontwerp/")
    assert client.post("/ontwerp/voorbeeld/goedkeuren", data={"csrf_token": token}).status_code == 404


def test_save_needs_the_csrf_token_and_has_a_size_limit(client, werkpad):
    login(client, "piet")
    assert client.post("/ontwerp/voorbeeld/concept", json={"bestand": BPMN, "xml": _xml(werkpad)}).status_code == 403
    token = page_csrf(client, "/ontwerp/voorbeeld/modeler")
    big = client.post("/ontwerp/voorbeeld/concept", json={"bestand": BPMN, "xml": "x" * (1024 * 1024 + 10)},
                      headers={"X-CSRF-Token": token})
    assert big.status_code == 413
    bad = client.post("/ontwerp/voorbeeld/concept", json={"bestand": "../x.py", "xml": "<x/>"},
                      headers={"X-CSRF-Token": token})
    assert bad.status_code == 422


def test_diff_dry_run_zip_and_migration_pages(client, werkpad, cases):
    login(client, "piet")
    alone = client.get("/ontwerp/voorbeeld/verschil").get_data(as_text=True)
    # found by using it: one version and no draft showed version 1 beside itself as a "difference"
    assert "Er is nog maar één versie en geen concept" in alone and "diagram vergelijk" not in alone
    _save(client, _xml(werkpad).replace('name="Meldingsgesprek voeren"', 'name="Kennismakingsgesprek voeren"'))
    page = client.get("/ontwerp/voorbeeld/verschil").get_data(as_text=True)
    assert "Kennismakingsgesprek voeren" in page and "Meldingsgesprek voeren" in page
    assert '"intake": "gewijzigd"' in page or "&#34;intake&#34;: &#34;gewijzigd&#34;" in page
    assert client.get("/ontwerp/voorbeeld/bpmn/concept.json").get_json()["xml"].count("Kennismakingsgesprek") == 1
    run = client.get("/ontwerp/voorbeeld/proefrit").get_data(as_text=True)
    assert "Dagen per fase" in run and "Kennismakingsgesprek voeren" in run
    assert '<span class="klein">(Inkomensconsulent)</span>' in run and "(inkomensconsulent)" not in run  # werkvoorraad
    data = client.get("/ontwerp/voorbeeld/versies/1.zip").data
    assert BPMN in zipfile.ZipFile(io.BytesIO(data)).namelist()
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/upload", data={"csrf_token": token, "toelichting": "terug",
                                                              "bestand": (io.BytesIO(data), "v1.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    report = client.get("/ontwerp/voorbeeld/versies/1/overzetten").get_data(as_text=True)
    assert "Geen lopende zaken op andere versies." in report


def test_form_editor_with_preview_as_the_task_page_renders_it(client, werkpad):
    login(client, "piet")
    page = client.get("/ontwerp/voorbeeld/formulieren/voorbeeld_intake").get_data(as_text=True)
    assert 'id="voorbeeld"' in page and 'id="blok-woonsituatie"' in page  # the task page's own field markup
    assert "Formulier: Meldingsgesprek" in page and "voorbeeld_intake.json" in page  # its title, the file named
    token = page_csrf(client, "/ontwerp/voorbeeld/formulieren/voorbeeld_intake")
    form = json.loads(werkpad.designer.working_record("voorbeeld")["forms"]["voorbeeld_intake"])
    form["properties"]["telefoon"] = {"type": "string", "title": "Telefoonnummer"}
    preview = client.post("/ontwerp/voorbeeld/formulieren/voorbeeld_intake/voorbeeld",
                          data={"csrf_token": token, "tekst": json.dumps(form)}).get_data(as_text=True)
    assert "Telefoonnummer" in preview
    broken = client.post("/ontwerp/voorbeeld/formulieren/voorbeeld_intake", data={"csrf_token": token, "tekst": "{"})
    assert broken.status_code == 422 and "geen geldige JSON" in broken.get_data(as_text=True)
    assert "Formulier voorbeeld_intake" in broken.get_data(as_text=True)  # no title to show: its id
    assert werkpad.designer.draft("voorbeeld") is None
    saved = client.post("/ontwerp/voorbeeld/formulieren/voorbeeld_intake",
                        data={"csrf_token": token, "tekst": json.dumps(form)})
    assert saved.status_code == 302
    diff = werkpad.designer.diff("voorbeeld", 1, "concept")
    assert diff["forms"][0]["fields"] == [{"field": "telefoon", "change": "toegevoegd"}]
    assert client.get("/ontwerp/voorbeeld/formulieren/bestaat_niet").status_code == 404


def test_form_editor_is_read_only_for_viewers_and_hidden_from_other_organisations(client):
    login(client, "aafke")
    page = client.get("/ontwerp/voorbeeld/formulieren/voorbeeld_intake").get_data(as_text=True)
    assert "readonly" in page and "Bewaren in het concept" not in page
    token = page_csrf(client, "/ontwerp/voorbeeld")
    for path in ("/ontwerp/voorbeeld/formulieren/voorbeeld_intake",
                 "/ontwerp/voorbeeld/formulieren/voorbeeld_intake/voorbeeld"):
        assert client.post(path, data={"csrf_token": token, "tekst": "{}"}).status_code == 403
    other = client.application.test_client()
    login(other, "anna")
    assert other.get("/ontwerp/voorbeeld/formulieren/voorbeeld_intake").status_code == 404


def test_an_uploaded_manifest_cannot_take_another_organisations_municipality(client, werkpad):
    login(client, "piet")
    data = werkpad.designer.version_zip("voorbeeld", 1)
    source = zipfile.ZipFile(io.BytesIO(data))
    hijack = io.BytesIO()
    with zipfile.ZipFile(hijack, "w") as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "proces.json":
                manifest = json.loads(text)
                manifest["gemeenten"] = {"voorbeeldstad": {}, "anderstad": {}}
                manifest["organisatie"] = "anderstad"
                text = json.dumps(manifest)
            archive.writestr(name, text)
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/upload", data={"csrf_token": token,
                                                              "bestand": (io.BytesIO(hijack.getvalue()), "x.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "anderstad" in response.get_data(as_text=True)
    assert werkpad.designer.draft("voorbeeld") is None


def test_the_form_page_says_where_the_process_reads_each_field(client):
    """The builder's data: per name the places that read it, in words; a field that many forms
    ask for (toelichting) names three of them and counts the rest; a broken form text keeps it."""
    login(client, "piet")
    page = client.get("/ontwerp/voorbeeld/formulieren/voorbeeld_intake").get_data(as_text=True)
    uses = json.loads(re.search(r'<script type="application/json" id="veldgebruik">(.*?)</script>', page,
                                re.S).group(1))
    assert uses["crisis"] == ["voorwaarde ‘ja’ na ‘Crisis?’"]
    assert uses["loonwaarde_pct"] == ["beslistabel ‘Route op loonwaarde’", "formulier ‘Diagnose’"]
    assert len(uses["toelichting"]) == 4 and re.fullmatch(r"nog \d+ andere formulieren", uses["toelichting"][-1])
    assert all(place.startswith("formulier ‘") for place in uses["toelichting"][:3])
    token = page_csrf(client, "/ontwerp/voorbeeld/formulieren/voorbeeld_intake")
    broken = client.post("/ontwerp/voorbeeld/formulieren/voorbeeld_intake", data={"csrf_token": token, "tekst": "{"})
    assert broken.status_code == 422 and 'id="veldgebruik"' in broken.get_data(as_text=True)


def test_forms_of_one_title_are_told_apart_on_the_process_page(client):
    """A shared form beside the organisation's own of the same title (Werk.Kom's 'Termijn
    overschreden') is marked 'gedeeld', the organisation's own 'eigen formulier'; only two of its own
    under one title are told apart by their files; a title of its own needs nothing (Voorbeeldstad's
    list has no marks)."""
    login(client, "piet")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/ontwerp/voorbeeld").get_data(as_text=True)))
    assert "Meldingsgesprek Nazorgcontact" in text and "Meldingsgesprek (" not in text
    from web.designer import _form_list

    form = '{"title": "%s", "type": "object", "properties": {"toelichting": {}}}'
    with client.application.test_request_context():
        assert _form_list({"werkkom_escalatie": form % "Termijn overschreden",
                           "gedeeld_escalatie": form % "Termijn overschreden", "x": "{kapot"}) == [
            ("werkkom_escalatie", "Termijn overschreden", "eigen formulier"),
            ("gedeeld_escalatie", "Termijn overschreden", "gedeeld"), ("x", "x", "")]
        assert _form_list({"werkkom_a": form % "Intake", "werkkom_b": form % "Intake",
                           "gedeeld_intake": form % "Intake"}) == [
            ("werkkom_a", "Intake", "bestand werkkom_a.json"), ("werkkom_b", "Intake", "bestand werkkom_b.json"),
            ("gedeeld_intake", "Intake", "gedeeld")]


def test_the_shared_vocabulary_page_for_designers(client, werkpad):
    """Read-only: each shared field by its label and name, its kind in the builder's words with its
    limits or choices, its explanation, and where the designer's own processes ask for it; linked
    from the process list and the form page; a consultant sees it read-only like the other designer
    pages, and both visits are in the access log."""
    login(client, "piet")
    assert "/ontwerp/vocabulaire" in client.get("/ontwerp/").get_data(as_text=True)
    assert "/ontwerp/vocabulaire" in client.get("/ontwerp/voorbeeld/formulieren/voorbeeld_intake").get_data(as_text=True)
    response = client.get("/ontwerp/vocabulaire")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = page[page.index('id="veld-loonwaarde_pct"'):]
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row[:row.index("</tr>")]))
    assert "Loonwaarde (% van het WML)" in row and "loonwaarde_pct" in row and "Geheel getal" in row
    assert "van 0 tot en met 100" in row and "Diagnose" in row and "Voorbeeldstad" in row
    voorschot = page[page.index('id="veld-voorschot_bedrag"'):]
    assert "van 0 tot en met 10.000" in voorschot[:voorschot.index("</tr>")]  # as Dutch readers write it
    toelichting = page[page.index('id="veld-toelichting"'):]
    assert re.search(r"nog \d+ andere formulieren", toelichting[:toelichting.index("</tr>")])
    woon = page[page.index('id="veld-woonsituatie"'):]
    assert "Inwonend bij familie of vrienden" in woon[:woon.index("</tr>")]
    assert "wordt hier niet gewijzigd" in page and "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    other = client.application.test_client()
    login(other, "kees")
    assert other.get("/ontwerp/vocabulaire").status_code == 200
    from sqlalchemy import text
    with werkpad.db.engine.connect() as conn:
        who = [r[0] for r in conn.execute(text(
            "select u.username from access_log a join users u on u.id = a.user_id "
            "where a.operation = 'ontwerp.vocabulaire' and a.status = 'ok' order by a.id"))]
    assert who == ["piet", "kees"]


def _refused_upload(client, data: bytes, name: str) -> str:
    """Upload ``data`` as ``name`` to Voorbeeldstad's process: refused (422), said beside the upload."""
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/upload", data={"csrf_token": token, "bestand": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    body = re.sub(r"\s+", " ", response.get_data(as_text=True))
    assert response.status_code == 422, body
    return re.search(r'<div[^>]*id="upload-geweigerd".*?</div></div>', body).group(0)


def test_a_drawing_from_another_tool_under_a_new_name_is_refused_as_never_run(client, werkpad):
    """A Camunda model (its own process id, camunda: attributes) uploaded beside the process's
    file would be stored and never run; the upload says so, names the main process and stores
    nothing. The same model under the process's own file name is judged as the process."""
    login(client, "piet")
    foreign = (Path(__file__).resolve().parents[1] / "fixtures" / "camunda_aanvraag.bpmn").read_bytes()
    refusal = _refused_upload(client, foreign, "camunda.bpmn")
    assert "camunda.bpmn is niet bewaard." in refusal
    assert ("proces &#39;Aanvraag&#39; (Process_aanvraag) in camunda.bpmn wordt nergens aangeroepen" in refusal
            and "het hoofdproces is voorbeeld_participatie" in refusal), refusal
    assert werkpad.designer.draft("voorbeeld") is None

    refusal = _refused_upload(client, foreign, "voorbeeld.bpmn")
    assert ("het hoofdproces voorbeeld_participatie staat in geen van de BPMN-bestanden (gevonden: Process_aanvraag)"
            in refusal), refusal
    assert werkpad.designer.draft("voorbeeld") is None

    # with the process's own id: its service task (camunda:class) is named in Dutch, not Spiff's English
    refusal = _refused_upload(client, foreign.replace(b"Process_aanvraag", b"voorbeeld_participatie"),
                              "voorbeeld.bpmn")
    assert "servicetaak &#39;Mail sturen&#39; (Task_mail): Werkpad roept geen andere systemen aan." in refusal, refusal
    assert "Service Task" not in refusal
    assert werkpad.designer.draft("voorbeeld") is None

    # the same step as a send task without a message would silently send nothing: said too
    sending = foreign.replace(b"Process_aanvraag", b"voorbeeld_participatie").replace(
        b"bpmn:serviceTask", b"bpmn:sendTask")
    refusal = _refused_upload(client, sending, "voorbeeld.bpmn")
    assert "verzendtaak &#39;Mail sturen&#39; (Task_mail) verstuurt niets" in refusal, refusal
    assert werkpad.designer.draft("voorbeeld") is None


def test_a_camunda_model_under_the_process_name_is_refused_with_each_step_said_in_words(client, werkpad):
    """A Camunda model with its habits (a decision chosen by camunda:decisionRef, a timer written as bare
    P28D, a message it defines elsewhere) uploaded as the process's file: refused, one line per step in
    Dutch naming it and what to change; SpiffWorkflow's English (and its TypeError) never shows."""
    login(client, "piet")
    foreign = (Path(__file__).resolve().parents[1] / "fixtures" / "camunda_termijn.bpmn").read_bytes()
    refusal = _refused_upload(client, foreign.replace(b"Process_termijn", b"voorbeeld_participatie"),
                              "voorbeeld.bpmn")
    text = html.unescape(refusal)
    for said in ("beslistaak 'Route bepalen' (Task_route) zegt niet welke beslistabel zij gebruikt",
                 "timer van 'Vier weken zoeken' (Event_wachten): P28D is geen tekst maar een expressie; schrijf hem "
                 "tussen aanhalingstekens: \"P28D\"",
                 "'Stukken ontvangen' (Event_stukken) wacht op of verstuurt bericht 'Message_stukken', maar dat "
                 "bericht staat niet in voorbeeld.bpmn"):
        assert said in text, text
    assert not any(word in text for word in ("TypeError", "Expected", "No DMN", "ongeldige BPMN")), text
    assert werkpad.designer.draft("voorbeeld") is None


def test_a_decision_table_from_an_older_modeler_is_uploaded_as_dmn_13_and_said(client, werkpad):
    """Camunda Modeler before version 4 saves DMN 1.1: the upload takes the table in as DMN 1.3 (the rules
    unchanged), says so above the process page, and records it with the saved draft."""
    login(client, "piet")
    table = werkpad.designer.working_record("voorbeeld")["files"]["voorbeeld_route.dmn"]
    old = table.replace("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20151101/dmn.xsd")
    assert old != table
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/upload", data={
        "csrf_token": token, "bestand": (io.BytesIO(old.encode()), "voorbeeld_route.dmn")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("melding=geupload_omgezet")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "omgezet naar DMN 1.3" in html.unescape(page)
    draft = werkpad.designer.draft("voorbeeld")
    stored = draft["record"]["files"]["voorbeeld_route.dmn"]
    assert "20151101" not in stored and "https://www.omg.org/spec/DMN/20191111/MODEL/" in stored
    assert draft["problems"] == [] and stored.count("<rule ") == table.count("<rule ")
    event = werkpad.designer.process("voorbeeld")["events"][0]
    assert event["payload"]["omgezet"] == [{"bestand": "voorbeeld_route.dmn", "versie": "1.1"}]
