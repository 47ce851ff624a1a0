"""The auditor's workspace (web/audit.py): every page for the auditor, refused for a
consultant of the same organisation (403), a 404 for an auditor of another organisation,
nothing changed by looking, every page in the access log."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.app.audit_workspace import load_or_create_key

from .conftest import login, page_csrf


@pytest.fixture
def closed(werkpad, cases):
    """Jan's case, closed through the crisis route."""
    case = cases["ours"]
    intake = case["tasks"][0]["id"]
    werkpad.claim_task(intake, "kees", at="2026-01-05T09:30")
    case = werkpad.complete_task(intake, "kees", {"crisis": True, "woonsituatie": "dakloos"}, at="2026-01-05T10:00")
    task = next(t["id"] for t in case["tasks"] if t["spec"] == "crisisroute")
    return werkpad.complete_task(task, "kees", {"doorverwezen_naar": "maatschappelijke_opvang"},
                                 at="2026-01-06T10:00")


@pytest.fixture
def other_auditor(accounts):
    accounts.create_user("otto", "geheim-wachtwoord-1", "Otto")
    accounts.grant("otto", "anderstad", "auditor")
    return "otto"


def _pages(case_id: str) -> list[str]:
    return ["/audit/", f"/audit/zaken/{case_id}", f"/audit/zaken/{case_id}/moment/1",
            f"/audit/zaken/{case_id}/moment/1/diagram.json", f"/audit/zaken/{case_id}/dossier.json",
            f"/audit/zaken/{case_id}/dossier.json?formaat=zgw", "/audit/controle",
            f"/audit/zaken/{case_id}/moment?nummer=2", "/audit/logboek", "/audit/logboek?formaat=csv",
            "/audit/termijnen", "/audit/termijnen?formaat=csv", f"/audit/zaken/{case_id}/dossier.pdf"]


def _state(werkpad, case_id):
    case = werkpad.get_case(case_id)
    return case["status"], case["updated_at"], len(werkpad.case_history(case_id))


def test_auditor_sees_every_page_and_changes_nothing(client, werkpad, accounts, closed):
    cid = closed["id"]
    login(client, "aafke")
    before = _state(werkpad, cid)
    for path in _pages(cid):
        response = client.get(path)
        assert response.status_code in (200, 302), path
    assert _state(werkpad, cid) == before
    logged = accounts.access_log(username="aafke", limit=50)
    assert {e["operation"] for e in logged} >= {"audit.zoeken", "audit.zaak.geschiedenis", "audit.zaak.moment",
                                               "audit.zaak.moment.diagram", "audit.zaak.exporteren"}
    assert all(e["status"] == "ok" for e in logged)


def test_consultant_of_the_same_organisation_is_refused(client, accounts, closed):
    login(client, "kees")
    for path in _pages(closed["id"]):
        assert client.get(path).status_code == 403, path
    token = page_csrf(client)
    assert client.post(f"/audit/zaken/{closed['id']}/controleren", data={"csrf_token": token}).status_code == 403
    assert client.post("/audit/anker", data={"csrf_token": token}).status_code == 403
    assert {e["status"] for e in accounts.access_log(username="kees", limit=50)} == {"geweigerd"}


def test_auditor_of_another_organisation_gets_404_like_a_missing_case(client, accounts, closed, other_auditor):
    login(client, other_auditor)
    for path in _pages(closed["id"])[1:6]:
        assert client.get(path).status_code == 404, path
    assert client.get("/audit/zaken/0000000000000000").status_code == 404
    token = page_csrf(client, "/audit/")
    assert client.post(f"/audit/zaken/{closed['id']}/controleren", data={"csrf_token": token}).status_code == 404
    assert client.post("/audit/controle", data={"csrf_token": token, "organisatie": "voorbeeldstad"}).status_code \
        == 404
    results = client.get("/audit/").get_data(as_text=True)
    assert "Jan Jansen" not in results and "Els Anders" in results


def test_search_by_bsn_is_posted_not_in_the_url(client, accounts, closed):
    login(client, "aafke")
    token = page_csrf(client, "/audit/")
    response = client.post("/audit/zoeken", data={"csrf_token": token, "zoek": "111222333", "status": "completed"})
    assert response.status_code == 302 and "111222333" not in response.location
    html = client.get(response.location).get_data(as_text=True)
    assert "Jan Jansen" in html and "1 zaak gevonden" in html
    assert "5 januari 2026" in html  # Dutch dates, not ISO
    assert not re.search(r"\b2026-01-05\b", html)
    assert accounts.access_log(username="aafke", bsn="111222333", limit=5)
    assert client.post("/audit/zoeken", data={"zoek": "x"}).status_code == 403  # no CSRF token


def test_the_auditor_finds_a_case_by_its_number_and_sees_that_number_not_its_id(client, werkpad, closed):
    """Found by using the product: the results showed the internal id as "zaaknummer", and the
    readable number the search field asks for ("Naam, BSN of zaaknummer") found nothing."""
    number = werkpad.get_case(closed["id"])["number"]
    year, seq = number.split("-")
    login(client, "aafke")
    listing = client.get("/audit/").get_data(as_text=True)
    assert f"zaaknummer <span class=\"zaaknummer\">{number}</span>" in listing and closed["id"] not in listing.replace(f"/audit/zaken/{closed['id']}", "")
    token = page_csrf(client, "/audit/")
    for typed in (number, f"{year}-{int(seq)}", f" {year}/{seq} "):
        response = client.post("/audit/zoeken", data={"csrf_token": token, "zoek": typed})
        html = client.get(response.location).get_data(as_text=True)
        assert "1 zaak gevonden" in html and "Jan Jansen" in html, typed


def test_history_with_filters_data_changes_and_verification(client, closed):
    cid = closed["id"]
    login(client, "aafke")
    html = client.get(f"/audit/zaken/{cid}").get_data(as_text=True)
    assert "Taak afgerond" in html and "Meldingsgesprek voeren" in html and "Ingevulde gegevens" in html
    assert "toegevoegd" in html and "Woonsituatie" in html
    # fields and choices as the process version calls them, not their names in the data
    assert "Maatschappelijke opvang" in html and "maatschappelijke_opvang" not in html
    assert "Dakloos of zonder vaste woonplek" in html and "Is er sprake van een crisissituatie?" in html
    moment = client.get(f"/audit/zaken/{cid}/moment/3").get_data(as_text=True)
    assert "Dakloos of zonder vaste woonplek" in moment and ">dakloos<" not in moment
    only = client.get(f"/audit/zaken/{cid}?soort=task_claimed").get_data(as_text=True)
    assert "1 van 4 gebeurtenissen" in only
    assert "2 van 4" in client.get(f"/audit/zaken/{cid}?persoon=kees&soort=task_completed").get_data(as_text=True)
    # who acted: the person's name with the account the event recorded, in the list and the filter
    assert html.count("Kees (kees)") >= 4 and ">Kees (kees)</option>" in html
    token = page_csrf(client, f"/audit/zaken/{cid}")
    result = client.post(f"/audit/zaken/{cid}/controleren", data={"csrf_token": token}).get_data(as_text=True)
    assert "Klopt" in result and "4 gebeurtenissen" in result


def test_verification_names_the_first_difference(client, werkpad, closed):
    from sqlalchemy import text

    with werkpad.db.engine.begin() as conn:
        conn.execute(text("UPDATE events SET payload = replace(payload, 'true', 'false') "
                          "WHERE case_id = :c AND seq = 3"), {"c": closed["id"]})
    login(client, "aafke")
    token = page_csrf(client, "/audit/")
    html = client.post(f"/audit/zaken/{closed['id']}/controleren", data={"csrf_token": token}).get_data(as_text=True)
    assert "Klopt niet" in html and "gebeurtenis 3" in html and "Taak afgerond" in html
    assert "de vastlegging is gewijzigd" in html and "De vastlegging is verbroken" in html
    assert "hash" not in html.lower()  # no engine words in front of the auditor


def test_verification_shows_what_a_replay_rebuilds_differently(client, werkpad, closed, monkeypatch):
    from engine.core.runtime import CaseRuntime

    real = CaseRuntime.complete_user_task
    monkeypatch.setattr(CaseRuntime, "complete_user_task",
                        lambda self, t, d: real(self, t, {**d, "woonsituatie": "huurwoning"}))
    login(client, "aafke")
    token = page_csrf(client, "/audit/")
    html = client.post(f"/audit/zaken/{closed['id']}/controleren", data={"csrf_token": token}).get_data(as_text=True)
    assert "de herbouwde zaak wijkt af" in html and "De vastlegging is ongeschonden" in html
    assert "Vastgelegd" in html and "Herbouwd" in html and "huurwoning" in html and "zaakgegeven" in html


def test_time_travel_shows_the_case_after_an_event(client, closed):
    cid = closed["id"]
    login(client, "aafke")
    first = client.get(f"/audit/zaken/{cid}/moment/1").get_data(as_text=True)
    assert "Meldingsgesprek voeren" in first and "na gebeurtenis 1 van 4" in first
    diagram = client.get(f"/audit/zaken/{cid}/moment/1/diagram.json").get_json()
    assert diagram["current"] == ["intake"] and diagram["completed"] == []
    third = client.get(f"/audit/zaken/{cid}/moment/3/diagram.json").get_json()
    assert third["current"] == ["crisisroute"] and third["completed"] == ["intake"]
    last = client.get(f"/audit/zaken/{cid}/moment/4").get_data(as_text=True)
    assert "Geen actieve taken." in last and "Afgesloten" in last
    assert client.get(f"/audit/zaken/{cid}/moment/5").status_code == 404
    jump = client.get(f"/audit/zaken/{cid}/moment?nummer=3")
    assert jump.status_code == 302 and jump.location.endswith(f"/audit/zaken/{cid}/moment/3")


def test_time_travel_shows_a_case_standing_at_its_wait(client, werkpad, cases):
    """Between two tasks a case waits at a timer (the four weeks of searching): at that moment the
    diagram marks the timer as where the case stood, and once it fired, the next task instead."""
    case = cases["ours"]
    werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"},
                          at="2026-01-05T10:00")
    assert werkpad.fire_due_timers("2026-03-01T09:00")
    login(client, "aafke")
    waiting = client.get(f"/audit/zaken/{case['id']}/moment/2/diagram.json").get_json()
    assert waiting["current"] == ["inspanningsperiode"] and waiting["completed"] == ["intake"]
    fired = client.get(f"/audit/zaken/{case['id']}/moment/3/diagram.json").get_json()
    assert "inspanningsperiode" not in fired["current"] and fired["current"]


def test_exports_and_anchor_download(client, app, closed, tmp_path):
    app.config["ANCHOR_KEY"] = str(tmp_path / "anker.key")
    login(client, "aafke")
    response = client.get(f"/audit/zaken/{closed['id']}/dossier.json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["case"]["id"] == closed["id"] and data["definitions"][0]["files"]
    zgw = json.loads(client.get(f"/audit/zaken/{closed['id']}/dossier.json?formaat=zgw").get_data(as_text=True))
    assert zgw["zaaktype"]["doorlooptijd"] == "P56D"
    pdf = client.get(f"/audit/zaken/{closed['id']}/dossier.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert "dossier.pdf" in client.get(f"/audit/zaken/{closed['id']}").get_data(as_text=True)
    token = page_csrf(client, "/audit/controle")
    started = client.post("/audit/controle", data={"csrf_token": token, "organisatie": "voorbeeldstad"})
    assert started.status_code == 302 and "/audit/controle/" in started.location
    from .test_audit_runs import wait_for

    wait_for(client, started.location)
    assert "1 zaak gecontroleerd" in client.get(started.location).get_data(as_text=True)
    anchor = client.post("/audit/anker", data={"csrf_token": token})
    body = json.loads(anchor.get_data(as_text=True))
    assert list(body["cases"]) == [closed["id"]] and body["organisations"] == ["voorbeeldstad"]
    from engine.app.audit_workspace import AuditorWorkspace

    key = load_or_create_key(tmp_path / "anker.key")
    assert AuditorWorkspace(app.extensions["werkpad"]).check_anchor(body, key.public_key())["ok"] is True


def test_access_log_is_readable_paged_exportable_and_searched_by_posted_bsn(client, app, accounts, closed):
    login(client, "kees")
    client.get(f"/zaken/{closed['id']}")
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "aafke")
    assert client.get("/logboek").location.endswith("/audit/logboek")
    html = client.get("/audit/logboek").get_data(as_text=True)
    assert "Zaak bekeken" in html and "zaak.bekijken" not in html and "Jan Jansen" in html
    assert "toegestaan" in html and not re.search(r"\b20\d\d-\d\d-\d\d\b", html.split("<tbody>")[1])
    assert "<td>Kees (kees)</td>" in html  # who: the person, with the account the row recorded
    token = page_csrf(client, "/audit/logboek")
    found = client.post("/audit/logboek/zoeken", data={"csrf_token": token, "bsn": "111222333"})
    assert "111222333" not in found.location
    subject = accounts.pseudonymise("111222333")
    assert subject[:12] in client.get(found.location).get_data(as_text=True)
    csv_text = client.get("/audit/logboek?formaat=csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("tijdstip;gebruiker;handeling")
    assert "Zaak bekeken" in csv_text and "Jan Jansen" in csv_text
    from web.audit import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("Jan") == "Jan" and _cell(None) == ""
    for _ in range(60):
        client.get(f"/audit/zaken/{closed['id']}/moment/1/diagram.json")
    paged = client.get("/audit/logboek?pagina=2").get_data(as_text=True)
    assert "Pagina 2 van" in paged


def test_searches_and_reports_over_organisations_are_in_the_auditors_log(client, accounts, closed):
    """Found by using the product: a search for a BSN (the client search, the auditor's own case
    search), the deadlines of all organisations and the integrity anchor were logged without an
    organisation, and a row without one is in no auditor's log: "who looked for this person?"
    missed them. Now they are logged once per organisation read (where found, where searched)."""
    login(client, "kees")
    token = page_csrf(client, "/clienten")
    assert client.post("/clienten", data={"csrf_token": token, "bsn": "111222333"}).status_code == 200
    assert client.post("/clienten", data={"csrf_token": token, "bsn": "999999990"}).status_code == 200
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "aafke")
    client.get("/audit/termijnen")
    token = page_csrf(client, "/audit/")
    searched = client.post("/audit/zoeken", data={"csrf_token": token, "zoek": "111222333"})
    assert "Jan Jansen" in client.get(searched.location).get_data(as_text=True)
    rows = accounts.access_log(limit=100)
    by_operation: dict[str, set] = {}
    for row in rows:
        by_operation.setdefault(row["operation"], set()).add(row["organisation"])
    for operation in ("client.zoeken", "audit.termijnen", "audit.zoeken"):
        assert by_operation.get(operation) == {"voorbeeldstad"}, (operation, by_operation.get(operation))
    token = page_csrf(client, "/audit/logboek")
    found = client.post("/audit/logboek/zoeken", data={"csrf_token": token, "bsn": "111222333"})
    html = client.get(found.location).get_data(as_text=True)
    assert "Cliënt gezocht" in html and "Zaak zoeken voor controle" in html  # in words, both searches
    assert "999999990" not in html


def test_a_refused_completion_is_logged_as_refused(client, accounts, werkpad, cases):
    task = cases["ours"]["tasks"][0]["id"]
    login(client, "wendy")  # werkconsulent: the intake is the inkomensconsulent's
    token = page_csrf(client)
    assert client.post(f"/taken/{task}", data={"csrf_token": token, "actie": "afronden"}).status_code == 403
    entry = accounts.access_log(username="wendy", limit=1)[0]
    assert entry["operation"] == "taak.afronden" and entry["status"] == "geweigerd"
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "kees")
    token = page_csrf(client)
    refused = client.post(f"/taken/{task}", data={"csrf_token": token, "actie": "afronden", "crisis": "nee"})
    assert refused.status_code == 422  # the woonsituatie is missing
    assert accounts.access_log(username="kees", limit=1)[0]["status"] == "geweigerd"


# ---------------------------------------------------------------------- in the browser
from . import test_browser as _browser  # noqa: E402

server = _browser.server
page = _browser.page


def test_auditor_finds_a_closed_case_steps_through_it_verifies_and_downloads(server, page, werkpad, closed):
    from .conftest import PASSWORD

    werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at="2026-02-10T09:00")
    piet = werkpad.start_case("voorbeeldstad", "100000022", "Piet de Boer", "1968-03-09", at="2026-03-01T09:00")
    werkpad.send_message(piet["id"], "aanvraag_ingetrokken", user="kees", at="2026-03-02T09:00")
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", "aafke")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Controle")
    assert page.locator("table.zaken tbody tr").count() == 3
    page.fill("input[name=zoek]", "111222333")
    page.select_option("select[name=status]", "completed")
    page.click("button:has-text('Zoeken')")
    assert "111222333" not in page.url
    assert page.locator("table.zaken tbody tr").count() == 1
    page.fill("input[name=zoek]", "")
    page.select_option("select[name=status]", "")
    page.click("button:has-text('Zoeken')")
    _browser._shot(page, "audit-zoeken.png")
    page.click("table.zaken >> text=Jan Jansen")
    page.wait_for_selector("text=Meldingsgesprek voeren")
    assert page.locator(".audit-tijdlijn > li").count() == 4
    page.click("button:has-text('Herspelen en controleren')")
    page.wait_for_selector(".controle h2:has-text('Klopt')")
    _browser._shot(page, "audit-geschiedenis.png")
    page.locator("#gebeurtenis-3").locator("text=Bekijk de zaak na deze gebeurtenis").click()
    current, done = _browser._diagram_state(page)
    assert current == "crisisroute" and done == "intake"
    assert page.locator(".openlijst", has_text="Crisisroute").count() == 1
    _browser._shot(page, "audit-tijdreis.png")
    page.click("text=Volgende gebeurtenis")
    current, done = _browser._diagram_state(page)
    assert current == "" and "crisisroute" in done
    page.click(".kruimel >> text=Geschiedenis")
    with page.expect_download() as info:
        page.click("text=Volledig dossier (JSON)")
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["case"]["id"] == closed["id"] and data["case"]["status"] == "completed"
    assert not page.console_errors, page.console_errors


def test_deadlines_page_with_chart_cases_and_csv(client, closed):
    login(client, "aafke")
    html = client.get("/audit/termijnen").get_data(as_text=True)
    assert "Termijnen per maand" in html and "<svg" in html and "Jan Jansen" in html
    assert "Crisisroute" in html and "eigen norm" in html
    csv_response = client.get("/audit/termijnen?formaat=csv&organisatie=voorbeeldstad")
    assert csv_response.mimetype == "text/csv" and "Jan Jansen" in csv_response.get_data(as_text=True)
    assert "Geen termijnen" in client.get("/audit/termijnen?van=2030-01-01").get_data(as_text=True)
