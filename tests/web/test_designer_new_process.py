"""A designer starts a new process in the browser: a name, the municipalities it serves and
the role of its first task give a draft that already runs (start, first task, end), which
is built on in the modeler and published with four eyes like any change; then consultants
start cases on it. Bad input is said per field and stores nothing; only designers of the
organisation may do it."""
from __future__ import annotations

import html

import pytest

from .conftest import PASSWORD, login, page_csrf


@pytest.fixture
def joke(accounts):
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)


def _create(client, naam: str, gemeenten=("voorbeeldstad|voorbeeldstad",), rol: str = "inkomensconsulent"):
    token = page_csrf(client, "/ontwerp/nieuw")
    return client.post("/ontwerp/nieuw", data={"csrf_token": token, "naam": naam, "gemeenten": list(gemeenten),
                                               "rol": rol})


def test_a_new_process_is_made_published_with_four_eyes_and_worked_by_consultants(client, werkpad, joke):
    login(client, "piet")
    home = client.get("/ontwerp/").get_data(as_text=True)
    assert 'href="/ontwerp/nieuw"' in home
    form = client.get("/ontwerp/nieuw").get_data(as_text=True)
    assert "Voorbeeldstad" in form and "Inkomensconsulent" in form and "Anderstad" not in form
    response = _create(client, "  Bezwaar   en beroep ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ontwerp/bezwaar_en_beroep?melding=nieuw"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bezwaar en beroep" in page and "Het nieuwe proces is gemaakt als concept" in page
    assert "Nog geen versie" in page and "Aanbieden voor publicatie" in page  # it passes every check
    assert "Vergelijk met de nieuwste versie" not in page and "Eerste gesprek" in page
    home = client.get("/ontwerp/").get_data(as_text=True)
    assert "Bezwaar en beroep" in home and "nieuw, nog niet gepubliceerd" in home
    draft = werkpad.designer.draft("bezwaar_en_beroep")
    assert draft["problems"] == [] and draft["author"] == "piet"
    bpmn = draft["record"]["files"]["bezwaar_en_beroep.bpmn"]
    assert "<bpmndi:BPMNDiagram" in bpmn or "BPMNDiagram" in bpmn  # laid out: the modeler can draw it
    assert client.get("/ontwerp/bezwaar_en_beroep/modeler").status_code == 200
    assert client.get("/ontwerp/bezwaar_en_beroep/concept.json").status_code == 200

    token = page_csrf(client, "/ontwerp/bezwaar_en_beroep")
    assert client.post("/ontwerp/bezwaar_en_beroep/aanbieden", data={
        "csrf_token": token, "geldig_vanaf": "01-01-2020", "toelichting": "Nieuw"}).status_code in (302, 422)
    today = werkpad_today()
    response = client.post("/ontwerp/bezwaar_en_beroep/aanbieden", data={
        "csrf_token": token, "geldig_vanaf": today, "toelichting": "Eerste versie van bezwaar en beroep"})
    assert response.status_code == 302
    other = client.application.test_client()
    login(other, "joke")
    token = page_csrf(other, "/ontwerp/bezwaar_en_beroep")
    response = other.post("/ontwerp/bezwaar_en_beroep/goedkeuren", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = other.get("/ontwerp/bezwaar_en_beroep").get_data(as_text=True)
    assert "versie 1, geldig vanaf" in page and "nieuw proces gemaakt" in page

    # a consultant of the organisation now chooses between the two processes and works the new one
    kees = client.application.test_client()
    login(kees, "kees")
    melding = kees.get("/melding").get_data(as_text=True)
    assert 'value="voorbeeldstad|bezwaar_en_beroep"' in melding and 'value="voorbeeldstad|voorbeeld"' in melding
    token = page_csrf(kees, "/melding")
    response = kees.post("/melding", data={"csrf_token": token, "gemeente": "voorbeeldstad|bezwaar_en_beroep",
                                           "naam": "Jan de Vries", "bsn": "111222333",
                                           "geboortedatum": "14-03-1979"})
    assert response.status_code == 302, response.get_data(as_text=True)
    case_id = response.headers["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[1]
    view = werkpad.get_case(case_id)
    assert view["process"] == "bezwaar_en_beroep"
    task = view["tasks"][0]
    assert task["name"] == "Eerste gesprek voeren" and task["lane"] == "inkomensconsulent"
    done = werkpad.complete_task(task["id"], "kees", {"gesprek_gevoerd": True, "toelichting": "Goed gesprek"})
    assert done["status"] == "completed"


def werkpad_today() -> str:
    from engine import clock

    return clock.local_date().strftime("%d-%m-%Y")


@pytest.mark.parametrize("naam, gemeenten, rol, field, said", [
    ("", ("voorbeeldstad|voorbeeldstad",), "inkomensconsulent", "naam", "naam van 3 tot 120 tekens"),
    ("ab", ("voorbeeldstad|voorbeeldstad",), "inkomensconsulent", "naam", "naam van 3 tot 120 tekens"),
    ("x" * 121, ("voorbeeldstad|voorbeeldstad",), "inkomensconsulent", "naam", "naam van 3 tot 120 tekens"),
    ("Nazorg", (), "inkomensconsulent", "gemeenten", "Kies voor welke gemeenten"),
    ("Nazorg", ("voorbeeldstad|anderstad",), "inkomensconsulent", "gemeenten", "gemeenten van je eigen organisatie"),
    ("Nazorg", ("anderstad|anderstad",), "inkomensconsulent", "gemeenten", "Kies voor welke gemeenten"),
    ("Nazorg", ("voorbeeldstad|voorbeeldstad", "anderstad|anderstad"), "inkomensconsulent", "gemeenten",
     "één organisatie"),
    ("Nazorg", ("voorbeeldstad|voorbeeldstad",), "", "rol", "Kies de rol"),
    ("Nazorg", ("voorbeeldstad|voorbeeldstad",), "<script>", "rol", "Kies de rol"),
    ("Nazorg\x00", ("voorbeeldstad|voorbeeldstad",), "inkomensconsulent", "naam", "naam van 3 tot 120 tekens"),
])
def test_bad_input_is_said_per_field_and_nothing_is_made(client, werkpad, naam, gemeenten, rol, field, said):
    login(client, "piet")
    before = werkpad.designer.overview(["voorbeeldstad", "anderstad"])
    response = _create(client, naam, gemeenten, rol)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Het nieuwe proces is niet gemaakt" in page and said in page
    assert f'id="fout-{field}"' in response.get_data(as_text=True)
    assert werkpad.designer.overview(["voorbeeldstad", "anderstad"]) == before


def test_keys_come_from_the_name_and_never_clash(client, werkpad):
    login(client, "piet")
    made = []
    for naam in ("Bezwaar & beroep", "Bezwaar, beroep", "Nieuw", "Ωμέγα", "2e lijn", "Súdwest <b>test</b>"):
        response = _create(client, naam)
        assert response.status_code == 302, response.get_data(as_text=True)
        made.append(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    assert made == ["bezwaar_beroep", "bezwaar_beroep_2", "nieuw_2", "proces", "proces_2e_lijn", "sudwest_b_test_b"]
    page = client.get("/ontwerp/sudwest_b_test_b").get_data(as_text=True)
    assert "Súdwest &lt;b&gt;test&lt;/b&gt;" in page and "<b>test</b>" not in page
    assert client.get("/ontwerp/nieuw").status_code == 200  # the page, not the process of that name
    assert client.get("/ontwerp/nieuw_2").status_code == 200


def test_a_discarded_new_process_is_gone(client, werkpad):
    login(client, "piet")
    _create(client, "Proefproces")
    token = page_csrf(client, "/ontwerp/proefproces")
    assert client.post("/ontwerp/proefproces/weggooien", data={"csrf_token": token}).status_code == 302
    assert client.get("/ontwerp/proefproces").status_code == 404
    assert "Proefproces" not in client.get("/ontwerp/").get_data(as_text=True)
    assert _create(client, "Proefproces").headers["Location"].startswith("/ontwerp/proefproces_2")


@pytest.mark.parametrize("user", ["kees", "tineke", "aafke", "anna"])
def test_only_designers_of_an_organisation_make_processes(client, werkpad, user):
    login(client, user)
    assert client.get("/ontwerp/nieuw").status_code == 403
    token = page_csrf(client, "/inbox") if user != "aafke" else None
    response = client.post("/ontwerp/nieuw", data={"csrf_token": token or "", "naam": "Stiekem",
                                                   "gemeenten": ["voorbeeldstad|voorbeeldstad"],
                                                   "rol": "inkomensconsulent"})
    assert response.status_code in (400, 403)
    assert "Stiekem" not in str(werkpad.designer.overview(["voorbeeldstad", "anderstad"]))
    if user != "anna":
        assert 'href="/ontwerp/nieuw"' not in client.get("/ontwerp/").get_data(as_text=True)


def test_every_designer_page_of_a_new_process_answers_without_a_version(client, werkpad):
    """Before its first version a new process has only its draft: the comparison says there is
    no version yet (on the process page), a version's zip or migration is not found, none answers 500."""
    login(client, "piet")
    _create(client, "Nazorg na uitstroom")
    key = "nazorg_na_uitstroom"
    for path, wanted in ((f"/ontwerp/{key}", 200), (f"/ontwerp/{key}/modeler", 200),
                         (f"/ontwerp/{key}/concept.json", 200), (f"/ontwerp/{key}/proefrit", 200),
                         (f"/ontwerp/{key}/formulieren/{key}_eerste_gesprek", 200),
                         (f"/ontwerp/{key}/bpmn/concept.json", 200), (f"/ontwerp/{key}/verschil", 302),
                         (f"/ontwerp/{key}/versies/1.zip", 404), (f"/ontwerp/{key}/versies/1/overzetten", 404)):
        response = client.get(path)
        assert response.status_code == wanted, (path, response.status_code, response.get_data(as_text=True)[:300])
    assert "nog geen versie om het concept mee te vergelijken" in client.get(
        f"/ontwerp/{key}/verschil", follow_redirects=True).get_data(as_text=True)
    assert f'href="/ontwerp/{key}/verschil"' not in client.get(f"/ontwerp/{key}/modeler").get_data(as_text=True)


def test_a_designer_makes_a_form_names_it_on_a_new_task_and_the_draft_keeps_it(client, werkpad):
    """A process grows beyond its first task: a new form from its title (then the form builder), kept by
    the draft while no task names it yet, offered in the modeler's form list beside the shared forms (and
    not another organisation's), and named on a new task the draft checks clean."""
    login(client, "piet")
    _create(client, "Bezwaar en beroep")
    token = page_csrf(client, "/ontwerp/bezwaar_en_beroep")
    response = client.post("/ontwerp/bezwaar_en_beroep/nieuw-formulier",
                           data={"csrf_token": token, "titel": "Besluit op bezwaar"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/ontwerp/bezwaar_en_beroep/formulieren/bezwaar_en_beroep_besluit_op_bezwaar"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Besluit op bezwaar" in page
    info = client.get("/ontwerp/bezwaar_en_beroep/concept.json").get_json()
    assert "bezwaar_en_beroep_besluit_op_bezwaar" in info["formulieren"]
    assert "bezwaar_en_beroep_eerste_gesprek" in info["formulieren"]
    assert any(f.startswith("gedeeld_") for f in info["formulieren"])
    assert not any(f.startswith(("tilburg_", "alphen_", "voorbeeld_")) for f in info["formulieren"])

    # the model saved without naming it: the form stays with the draft
    record = werkpad.designer.working_record("bezwaar_en_beroep")
    bpmn = record["files"]["bezwaar_en_beroep.bpmn"]
    werkpad.designer.save_draft("bezwaar_en_beroep", "piet", files={"bezwaar_en_beroep.bpmn": bpmn})
    assert "bezwaar_en_beroep_besluit_op_bezwaar" in werkpad.designer.working_record("bezwaar_en_beroep")["forms"]
    # a second task naming it: checks clean
    second = bpmn.replace('<bpmn:sequenceFlow id="f_einde" sourceRef="eerste_gesprek" targetRef="einde" />',
                          '<bpmn:sequenceFlow id="f_besluit" sourceRef="eerste_gesprek" targetRef="besluit" />'
                          '<bpmn:userTask id="besluit" name="Besluit op bezwaar nemen"><bpmn:extensionElements>'
                          '<spiffworkflow:properties><spiffworkflow:property name="formulier" '
                          'value="bezwaar_en_beroep_besluit_op_bezwaar" /></spiffworkflow:properties>'
                          '</bpmn:extensionElements><bpmn:incoming>f_besluit</bpmn:incoming>'
                          '<bpmn:outgoing>f_einde</bpmn:outgoing></bpmn:userTask>'
                          '<bpmn:sequenceFlow id="f_einde" sourceRef="besluit" targetRef="einde" />')
    second = second.replace("<bpmn:outgoing>f_einde</bpmn:outgoing>\n    </bpmn:userTask>",
                            "<bpmn:outgoing>f_besluit</bpmn:outgoing>\n    </bpmn:userTask>", 1)
    second = second.replace("<bpmn:flowNodeRef>einde</bpmn:flowNodeRef>",
                            "<bpmn:flowNodeRef>besluit</bpmn:flowNodeRef><bpmn:flowNodeRef>einde</bpmn:flowNodeRef>")
    saved = werkpad.designer.save_draft("bezwaar_en_beroep", "piet", files={"bezwaar_en_beroep.bpmn": second})
    assert saved["problems"] == [], saved["problems"]
    # the same title again: numbered, not overwritten
    response = client.post("/ontwerp/bezwaar_en_beroep/nieuw-formulier",
                           data={"csrf_token": token, "titel": "Besluit op bezwaar"})
    assert response.headers["Location"].endswith("/bezwaar_en_beroep_besluit_op_bezwaar_2")


@pytest.mark.parametrize("titel", ["", "ab", "x" * 121, "Besluit\x07"])
def test_a_form_without_a_proper_title_is_not_made(client, werkpad, titel):
    login(client, "piet")
    before = werkpad.designer.working_record("voorbeeld")["forms"]
    token = page_csrf(client, "/ontwerp/voorbeeld")
    response = client.post("/ontwerp/voorbeeld/nieuw-formulier", data={"csrf_token": token, "titel": titel})
    assert response.status_code == 422
    assert "Geef het formulier een titel van 3 tot 120 tekens." in html.unescape(response.get_data(as_text=True))
    assert werkpad.designer.working_record("voorbeeld")["forms"] == before


@pytest.mark.parametrize("user", ["kees", "aafke", "anna"])
def test_only_the_organisations_designers_make_forms(client, werkpad, user):
    login(client, user)
    token = page_csrf(client, "/inbox") if user != "aafke" else ""
    response = client.post("/ontwerp/voorbeeld/nieuw-formulier", data={"csrf_token": token, "titel": "Stiekem"})
    assert response.status_code in (400, 403, 404)
    assert not any("stiekem" in f for f in werkpad.designer.working_record("voorbeeld")["forms"])


def test_a_form_no_task_names_can_be_removed_and_one_in_use_cannot(client, werkpad):
    login(client, "piet")
    _create(client, "Bezwaar en beroep")
    token = page_csrf(client, "/ontwerp/bezwaar_en_beroep")
    made = client.post("/ontwerp/bezwaar_en_beroep/nieuw-formulier", data={"csrf_token": token, "titel": "Besluit"})
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Formulier verwijderen" in page
    in_use = client.get("/ontwerp/bezwaar_en_beroep/formulieren/bezwaar_en_beroep_eerste_gesprek").get_data(
        as_text=True)
    assert "Formulier verwijderen" not in in_use
    refused = client.post("/ontwerp/bezwaar_en_beroep/formulieren/bezwaar_en_beroep_eerste_gesprek/verwijderen",
                          data={"csrf_token": token})
    assert refused.status_code == 409
    assert "nog gebruikt door taak 'Eerste gesprek voeren'" in html.unescape(refused.get_data(as_text=True))
    removed = client.post("/ontwerp/bezwaar_en_beroep/formulieren/bezwaar_en_beroep_besluit/verwijderen",
                          data={"csrf_token": token})
    assert removed.status_code == 302 and removed.headers["Location"].endswith("melding=formulier_verwijderd")
    forms = werkpad.designer.working_record("bezwaar_en_beroep")["forms"]
    assert "bezwaar_en_beroep_besluit" not in forms and "bezwaar_en_beroep_eerste_gesprek" in forms
    gone = client.post("/ontwerp/bezwaar_en_beroep/formulieren/gedeeld_nazorgcontact/verwijderen",
                       data={"csrf_token": token})
    assert gone.status_code == 404


def _folder_zip(process_id: str) -> bytes:
    """Voorbeeldstad's process folder as a designer would zip it from elsewhere, under its own process id."""
    import io
    import json
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = json.loads((root / "processes" / "voorbeeld" / "proces.json").read_text(encoding="utf-8"))
        manifest.update({"proces": process_id, "naam": "Ingelezen proces"})
        archive.writestr("ingelezen/proces.json", json.dumps(manifest))
        for name in ("voorbeeld.bpmn", "voorbeeld_route.dmn"):
            text = (root / "processes" / "voorbeeld" / name).read_text(encoding="utf-8")
            archive.writestr(f"ingelezen/{name}", text.replace('id="voorbeeld_participatie"', f'id="{process_id}"'))
        for form in sorted((root / "forms" / "voorbeeld").glob("*.json")):
            archive.writestr(f"ingelezen/forms/{form.name}", form.read_text(encoding="utf-8"))
    return buffer.getvalue()


def test_a_process_folder_from_elsewhere_uploaded_as_zip_becomes_the_new_processs_draft(client, werkpad):
    """The zip is the whole process: the starting skeleton (its file and form) gives way to the folder's
    files, forms and manifest, and the draft checks as the folder does."""
    import io

    login(client, "piet")
    _create(client, "Ingelezen proces")
    token = page_csrf(client, "/ontwerp/ingelezen_proces")
    response = client.post("/ontwerp/ingelezen_proces/upload", data={
        "csrf_token": token, "bestand": (io.BytesIO(_folder_zip("ingelezen_participatie")), "ingelezen.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[-1500:]
    record = werkpad.designer.working_record("ingelezen_proces")
    own = sorted(name for name in record["files"] if not name.startswith("gedeeld/"))
    assert own == ["voorbeeld.bpmn", "voorbeeld_route.dmn"]
    assert record["manifest"]["proces"] == "ingelezen_participatie" and record["manifest"]["sleutel"] == "ingelezen_proces"
    assert "ingelezen_proces_eerste_gesprek" not in record["forms"] and "voorbeeld_intake" in record["forms"]
    assert werkpad.designer.draft("ingelezen_proces")["problems"] == []
