"""Inbox, task and case pages: tenant isolation, forms, claiming, access log."""
from __future__ import annotations

import re

import pytest

from .conftest import jan_at_diagnosis, login, page_csrf


def _text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------- tenant isolation
@pytest.mark.parametrize("username", ["kees", "wendy", "tineke", "aafke"])
def test_other_organisations_case_and_task_are_404(client, cases, username):
    login(client, username)
    theirs = cases["theirs"]
    task_id = theirs["tasks"][0]["id"]
    for path in (f"/zaken/{theirs['id']}", f"/zaken/{theirs['id']}/diagram.json", f"/taken/{task_id}"):
        response = client.get(path)
        assert response.status_code == 404, path
        body = _text(response)
        assert "Els Anders" not in body and "123456782" not in body and "*782" not in body  # not even masked (a bare "782" can be part of a trace id)
    token = page_csrf(client)
    for path in (f"/taken/{task_id}/claimen", f"/taken/{task_id}/vrijgeven", f"/taken/{task_id}",
                 f"/zaken/{theirs['id']}/bericht"):
        response = client.post(path, data={"csrf_token": token, "bericht": "aanvraag_ingetrokken"})
        assert response.status_code == 404, path
        assert "Els Anders" not in _text(response)
    # and the same answer as for an id that does not exist at all
    assert client.get("/zaken/bestaatniet").status_code == 404
    assert client.get("/taken/bestaat-niet").status_code == 404


def test_other_organisations_tasks_never_appear_in_the_inbox(client, cases, werkpad):
    login(client, "tineke")  # teamleider: sees every lane of her own organisation
    for view in ("mijn", "team", "alle"):
        body = _text(client.get(f"/inbox?weergave={view}"))
        assert "Els Anders" not in body and "anderstad" not in body
    body = _text(client.get("/inbox?weergave=alle&organisatie=anderstad"))
    assert "Els Anders" not in body
    body = _text(client.get("/inbox?weergave=alle&zoek=123456782"))
    assert "Els Anders" not in body
    assert "Jan Jansen" in _text(client.get("/inbox?weergave=alle"))
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "anna")
    body = _text(client.get("/inbox?weergave=team"))
    assert "Els Anders" in body and "Jan Jansen" not in body


def test_the_organisation_filter_is_offered_only_with_more_than_one_organisation(client, cases, accounts):
    login(client, "tineke")  # one organisation: nothing to choose
    assert 'name="organisatie"' not in client.get("/inbox?weergave=alle").get_data(as_text=True)
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    accounts.grant("tineke", "anderstad", "teamleider", None)  # and now a teamleider in two
    login(client, "tineke")
    page = client.get("/inbox?weergave=alle").get_data(as_text=True)
    assert 'name="organisatie"' in page and "Gemeente Anderstad" in page


def test_roles_without_case_access_see_no_cases(client, cases):
    for username in ("piet", "bea"):  # process designer, administrator
        login(client, username)
        home = client.get("/", follow_redirects=True).get_data(as_text=True)
        menu = home.split('class="utrecht-nav-bar hoofdmenu"', 1)[1].split("</nav>", 1)[0]
        assert "/inbox" not in menu and "/clienten" not in menu  # no menu item that leads to nothing
        assert client.get(f"/zaken/{cases['ours']['id']}").status_code == 404
        assert "Jan Jansen" not in _text(client.get("/inbox?weergave=alle"))
        client.post("/uitloggen", data={"csrf_token": page_csrf(client)})


# ---------------------------------------------------------------------- inbox
def test_inbox_team_view_lists_unclaimed_tasks_in_my_lanes_with_counts(client, cases):
    login(client, "kees")  # inkomensconsulent: the intake task is in his lane
    body = _text(client.get("/inbox?weergave=team"))
    assert "Jan Jansen" in body and "Meldingsgesprek voeren" in body
    assert "******333" in body and "111222333" not in body  # BSN masked in lists
    assert re.search(r'data-telling="team">1<', body) and re.search(r'data-telling="mijn">0<', body)
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "wendy")  # werkconsulent: not her lane
    body = _text(client.get("/inbox?weergave=team"))
    assert "Jan Jansen" not in body


def test_inbox_due_marking_filters_search_and_paging(client, werkpad, app):
    app.config["INBOX_PER_PAGE"] = 2
    names = ["Anna Appel", "Bert Boom", "Cor Clement"]
    bsns = ["111222333", "123456782", "100000010"]
    for name, bsn in zip(names, bsns, strict=True):
        werkpad.start_case("voorbeeldstad", bsn, name, "1980-01-01", at="2026-01-05T09:00")
    werkpad.start_case("voorbeeldstad", "999999990", "Dirk Later", "1980-01-01")  # due in 3 days from now
    login(client, "kees")
    first = _text(client.get("/inbox?weergave=team"))
    assert "Pagina 1 van 2" in first and first.count('class="label te-laat utrecht-badge-status"') == 2
    second = _text(client.get("/inbox?weergave=team&pagina=2"))
    assert "Dirk Later" in second  # latest due date sorts last
    late = _text(client.get("/inbox?weergave=team&termijn=te_laat"))
    assert "3 taken" in late and "Dirk Later" not in late
    assert "Bert Boom" in _text(client.get("/inbox?weergave=team&zoek=bert"))
    found = _text(client.get("/inbox?weergave=team&zoek=100000010"))
    assert "Cor Clement" in found and "Anna Appel" not in found
    assert "Geen open taken" in _text(client.get("/inbox?weergave=team&fase=traject"))


def test_claim_and_unclaim(client, cases, werkpad):
    login(client, "kees")
    task_id = cases["ours"]["tasks"][0]["id"]
    token = page_csrf(client)
    response = client.post(f"/taken/{task_id}/claimen", data={"csrf_token": token, "volgende": "/inbox?weergave=team"})
    assert response.status_code == 302 and "melding=geclaimd" in response.headers["Location"]
    assert werkpad.get_task(task_id)["claimed_by"] == "kees"
    mine = _text(client.get("/inbox?weergave=mijn"))
    assert "Jan Jansen" in mine and "Vrijgeven" in mine
    assert "Jan Jansen" not in _text(client.get("/inbox?weergave=team"))
    response = client.post(f"/taken/{task_id}/vrijgeven", data={"csrf_token": token})
    assert response.status_code == 302
    assert werkpad.get_task(task_id)["claimed_by"] is None


def test_consultant_cannot_claim_outside_lane_or_release_a_colleagues_task(client, cases, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]  # lane inkomensconsulent
    login(client, "wendy")
    token = page_csrf(client)
    response = client.post(f"/taken/{task_id}/claimen", data={"csrf_token": token})
    assert "fout=geen_recht" in response.headers["Location"]
    assert werkpad.get_task(task_id)["claimed_by"] is None
    werkpad.claim_task(task_id, "kees")
    response = client.post(f"/taken/{task_id}/vrijgeven", data={"csrf_token": token})
    assert "fout=geen_recht" in response.headers["Location"]
    assert werkpad.get_task(task_id)["claimed_by"] == "kees"


def test_claiming_a_task_claimed_by_someone_else_reports_conflict(client, cases, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]
    werkpad.claim_task(task_id, "tineke")
    login(client, "kees")
    response = client.post(f"/taken/{task_id}/claimen", data={"csrf_token": page_csrf(client)})
    assert "fout=conflict" in response.headers["Location"]
    assert werkpad.get_task(task_id)["claimed_by"] == "tineke"


# ---------------------------------------------------------------------- task page
def test_task_form_shows_inline_errors_keeps_input_then_completes(client, cases, werkpad):
    login(client, "kees")
    task_id = cases["ours"]["tasks"][0]["id"]
    page = _text(client.get(f"/taken/{task_id}"))
    assert "Is er sprake van een crisissituatie?" in page and "Dakloos of zonder vaste woonplek" in page
    assert "Jan Jansen" in page and "******333" in page  # case context, masked
    token = page_csrf(client, f"/taken/{task_id}")
    bad = client.post(f"/taken/{task_id}", data={"csrf_token": token, "crisis": "nee",
                                                  "toelichting": "Klant woont bij zijn zus."})
    assert bad.status_code == 422
    body = _text(bad)
    block = body[body.index('id="blok-woonsituatie"'):]
    assert "Dit veld is verplicht." in block[:block.index('id="blok-toelichting"')]
    assert "Klant woont bij zijn zus." in body  # what was typed stays
    assert re.search(r'value="nee"\s+checked', body)
    assert werkpad.get_task(task_id)["status"] == "open"
    good = client.post(f"/taken/{task_id}", data={"csrf_token": token, "crisis": "nee",
                                                   "woonsituatie": "inwonend"})
    assert good.status_code == 302
    # no next task for kees (the case waits four weeks): back to the inbox, saying what happens next
    assert good.headers["Location"].startswith("/inbox?melding=afgerond&vervolg=")
    page = _text(client.get(good.headers["Location"]))
    assert "De taak is afgerond." in page and "De zaak van Jan Jansen wacht nu op: Vier weken zelf zoeken" in page
    case = werkpad.get_case(cases["ours"]["id"])
    assert case["data"]["woonsituatie"] == "inwonend" and case["phase"] == "inspanningsperiode"


def test_task_form_type_errors_are_inline(client, werkpad):
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    case = werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                                 at="2026-01-06T10:00")
    werkpad.fire_due_timers("2026-02-10")
    task = werkpad.get_case(case["id"])["tasks"][0]
    assert task["spec"] == "rechtmatigheid"
    login(client, "kees")
    token = page_csrf(client, f"/taken/{task['id']}")
    bad = client.post(f"/taken/{task['id']}", data={"csrf_token": token, "recht_op_bijstand": "ja",
                                                     "sollicitaties": "twaalf"})
    assert bad.status_code == 422 and "Vul een geheel getal in." in _text(bad) and 'value="twaalf"' in _text(bad)
    bad = client.post(f"/taken/{task['id']}", data={"csrf_token": token, "recht_op_bijstand": "ja",
                                                     "sollicitaties": "500"})
    assert bad.status_code == 422 and 'value="500"' in _text(bad)
    ok = client.post(f"/taken/{task['id']}", data={"csrf_token": token, "recht_op_bijstand": "ja",
                                                    "sollicitaties": "12"})
    assert ok.status_code == 302
    assert werkpad.get_case(case["id"])["data"]["sollicitaties"] == 12


def test_every_form_error_at_once_then_the_next_task_or_the_inbox(client, werkpad, accounts):
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    case = werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                                 at="2026-01-06T10:00")
    werkpad.fire_due_timers("2026-02-10")
    task = werkpad.get_case(case["id"])["tasks"][0]
    login(client, "tineke")  # teamleider: may work every task of the case
    token = page_csrf(client, f"/taken/{task['id']}")
    bad = client.post(f"/taken/{task['id']}", data={"csrf_token": token, "sollicitaties": "twaalf"})
    body = _text(bad)
    assert bad.status_code == 422
    # both errors in one go: the unreadable number and the missing required choice, each in the summary
    assert "Vul een geheel getal in." in body and "Dit veld is verplicht." in body
    summary = body[body.index('id="formulierfout"'):body.index("</div>", body.index('id="formulierfout"'))]
    assert 'href="#veld-sollicitaties"' in summary and 'href="#blok-recht_op_bijstand"' in summary
    ok = client.post(f"/taken/{task['id']}", data={"csrf_token": token, "recht_op_bijstand": "ja",
                                                    "sollicitaties": "12"})
    following = werkpad.get_case(case["id"])["tasks"][0]
    assert ok.headers["Location"] == f"/taken/{following['id']}?melding=volgende"
    assert "Dit is de volgende taak van deze zaak." in _text(client.get(ok.headers["Location"]))


def test_an_auditor_starts_at_the_case_search_and_is_offered_no_task_to_claim(client, cases):
    """An auditor reads every open task but works none: they land on the case search, their inbox
    has only 'Alle open taken' and no 'Oppakken' button (that would answer 403); the teamleider's has."""
    assert login(client, "aafke").headers["Location"] == "/audit/"
    page = client.get("/inbox").get_data(as_text=True)
    assert "Jan Jansen" in page and "Alle open taken" in page
    assert "Mijn taken" not in page and "Taken van mijn team" not in page and "Oppakken" not in page
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    assert login(client, "tineke").headers["Location"] == "/inbox"
    page = client.get("/inbox?weergave=alle").get_data(as_text=True)
    assert "Jan Jansen" in page and "Oppakken" in page and "Mijn taken" in page


def test_auditor_can_read_but_not_complete(client, cases, werkpad):
    login(client, "aafke")
    task_id = cases["ours"]["tasks"][0]["id"]
    page = client.get(f"/taken/{task_id}")
    assert page.status_code == 200 and "Afronden" not in _text(page)
    response = client.post(f"/taken/{task_id}", data={"csrf_token": page_csrf(client), "crisis": "nee",
                                                       "woonsituatie": "inwonend"})
    assert response.status_code == 403
    assert werkpad.get_task(task_id)["status"] == "open"


# ---------------------------------------------------------------------- case page
def test_case_page_shows_full_bsn_timeline_timers_and_diagram_data(client, cases, werkpad):
    case_id = cases["ours"]["id"]
    werkpad.complete_task(cases["ours"]["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "dakloos"},
                          at="2026-01-06T10:00")
    login(client, "kees")
    body = _text(client.get(f"/zaken/{case_id}"))
    assert "111222333" in body  # the case's own page shows the BSN
    assert "Zaak gestart (melding)" in body and "Taak afgerond" in body
    assert "Vier weken zelf zoeken" in body  # the running timer with its due date
    assert "Aanvraag ingetrokken" in body
    diagram = client.get(f"/zaken/{case_id}/diagram.json").get_json()
    assert "<bpmn:definitions" in diagram["xml"] or "definitions" in diagram["xml"]
    # the case stands at its four-week wait, not at the intake it finished: the timer is its current step
    assert diagram["completed"] == ["intake"] and diagram["current"] == ["inspanningsperiode"]


def test_consultant_sends_a_message_by_post(client, cases, werkpad):
    case_id = cases["ours"]["id"]
    login(client, "kees")
    token = page_csrf(client, f"/zaken/{case_id}")
    assert client.post(f"/zaken/{case_id}/bericht", data={"csrf_token": token, "bericht": "iets_anders"}).status_code == 400
    response = client.post(f"/zaken/{case_id}/bericht", data={"csrf_token": token, "bericht": "aanvraag_ingetrokken"})
    assert response.status_code == 302
    assert werkpad.get_case(case_id)["status"] == "withdrawn"


def test_new_melding_with_errors_then_success(client, werkpad):
    login(client, "kees")
    page = _text(client.get("/melding"))
    assert "voorbeeldstad" in page and "anderstad" not in page
    token = page_csrf(client, "/melding")
    bad = client.post("/melding", data={"csrf_token": token, "gemeente": "voorbeeldstad|voorbeeld",
                                         "naam": "Piet Puk", "bsn": "123456789", "geboortedatum": "1990-01-01"})
    assert bad.status_code == 422 and "Geen geldig BSN" in _text(bad) and 'value="Piet Puk"' in _text(bad)
    other = client.post("/melding", data={"csrf_token": token, "gemeente": "anderstad|anderstad",
                                           "naam": "Piet Puk", "bsn": "111222333", "geboortedatum": "1990-01-01"})
    assert other.status_code == 422  # not a municipality of his organisation
    good = client.post("/melding", data={"csrf_token": token, "gemeente": "voorbeeldstad|voorbeeld",
                                          "naam": "Piet Puk", "bsn": "111222333", "geboortedatum": "1990-01-01"})
    assert good.status_code == 302
    case_id = good.headers["Location"].split("/zaken/")[1].split("?")[0]
    case = werkpad.get_case(case_id)
    assert case["client"]["name"] == "Piet Puk" and case["organisation"] == "voorbeeldstad"


# ---------------------------------------------------------------------- access log
def test_every_case_and_task_view_is_logged_with_pseudonymised_subject(client, cases, accounts):
    login(client, "kees")
    case_id = cases["ours"]["id"]
    task_id = cases["ours"]["tasks"][0]["id"]
    client.get(f"/zaken/{case_id}")
    client.get(f"/taken/{task_id}")
    client.get(f"/zaken/{cases['theirs']['id']}")
    log = accounts.access_log()
    views = [e for e in log if e["status"] == "ok" and e["case"] == case_id]
    assert {e["operation"] for e in views} >= {"zaak.bekijken", "taak.bekijken"}
    subject = accounts.pseudonymise("111222333")
    for entry in views:
        assert entry["user"] == "kees" and entry["data_subject_id"] == subject
        assert entry["data_subject_id_type"] == "bsn-pseudoniem"
        assert entry["processing_activity"] and entry["purpose"] and len(entry["trace_id"]) == 32
        assert "111222333" not in str(entry)
    refused = [e for e in log if e["case"] == cases["theirs"]["id"]]
    assert refused and refused[0]["status"] == "niet_gevonden" and refused[0]["data_subject_id"] is None


# ---------------------------------------------------------------------- teamleider
def test_teamleider_assigns_a_task_to_a_colleague_of_the_lane(client, cases, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]  # lane inkomensconsulent
    login(client, "tineke")
    page = _text(client.get(f"/taken/{task_id}"))
    assert 'value="kees"' in page and 'value="wendy"' not in page  # wendy works another lane
    token = page_csrf(client, f"/taken/{task_id}")
    refused = client.post(f"/taken/{task_id}/toewijzen", data={"csrf_token": token, "collega": "wendy"})
    assert "fout=geen_collega" in refused.headers["Location"]
    assert client.post(f"/taken/{task_id}/toewijzen", data={"csrf_token": token, "collega": "anna"}).status_code == 302
    assert werkpad.get_task(task_id)["claimed_by"] is None  # anna is of another organisation
    done = client.post(f"/taken/{task_id}/toewijzen", data={"csrf_token": token, "collega": "kees"})
    assert "melding=toegewezen" in done.headers["Location"]
    assert werkpad.get_task(task_id)["claimed_by"] == "kees"


def test_only_a_teamleider_may_assign(client, cases, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]
    login(client, "kees")
    assert 'name="collega"' not in _text(client.get(f"/taken/{task_id}"))
    response = client.post(f"/taken/{task_id}/toewijzen", data={"csrf_token": page_csrf(client), "collega": "kees"})
    assert response.status_code == 403
    assert werkpad.get_task(task_id)["claimed_by"] is None


def test_teamleider_overview_counts_own_organisation_only(client, cases, werkpad):
    werkpad.claim_task(cases["ours"]["tasks"][0]["id"], "kees")
    werkpad.start_case("voorbeeldstad", "123456782", "Bert Boom", "1980-01-01")
    login(client, "tineke")
    body = _text(client.get("/overzicht"))
    assert "Gemeente Voorbeeldstad" in body and "Anderstad" not in body
    assert "2 open taken" in body and "1 te laat" in body
    assert re.search(r"<td>Kees</td><td class=\"getal\">1</td><td class=\"getal te-laat\">1</td>", body)
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "kees")
    assert client.get("/overzicht").status_code == 403


def test_save_as_draft_keeps_input_without_completing(client, cases, werkpad):
    login(client, "kees")
    task_id = cases["ours"]["tasks"][0]["id"]
    token = page_csrf(client, f"/taken/{task_id}")
    saved = client.post(f"/taken/{task_id}", data={"csrf_token": token, "actie": "concept", "crisis": "nee",
                                                    "toelichting": "Half ingevuld."})
    assert saved.status_code == 302 and "melding=concept" in saved.headers["Location"]
    assert werkpad.get_task(task_id)["status"] == "open"
    page = _text(client.get(f"/taken/{task_id}"))
    assert "Half ingevuld." in page and re.search(r'value="nee"\s+checked', page) and "Concept opgeslagen" in page
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "tineke")  # a draft is personal
    assert "Half ingevuld." not in _text(client.get(f"/taken/{task_id}"))
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "kees")
    done = client.post(f"/taken/{task_id}", data={"csrf_token": page_csrf(client), "actie": "afronden",
                                                   "crisis": "nee", "woonsituatie": "inwonend"})
    assert done.status_code == 302 and werkpad.get_task(task_id)["status"] == "completed"


def test_dutch_by_default_english_on_request(client, cases):
    login(client, "kees")
    assert "Mijn taken" in _text(client.get("/inbox"))
    response = client.post("/taal", data={"csrf_token": page_csrf(client), "taal": "en", "volgende": "/inbox"})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    body = _text(client.get("/inbox?weergave=team"))
    assert "My tasks" in body and "My team's tasks" in body and 'lang="en"' in body
    assert "overdue" in body and "Claim" in body
    client.post("/taal", data={"csrf_token": page_csrf(client), "taal": "nl"})
    assert "Mijn taken" in _text(client.get("/inbox"))
    assert client.post("/taal", data={"taal": "en"}).status_code == 403  # CSRF like every state change


def test_inbox_shows_chosen_case_data_as_columns(client, werkpad):
    case = jan_at_diagnosis(werkpad)
    werkpad.complete_task(werkpad.get_case(case["id"])["tasks"][0]["id"], "wendy",
                          {"loonwaarde_pct": 45, "trede": 3}, at="2026-02-06T10:00")
    login(client, "wendy")
    body = _text(client.get("/inbox?weergave=team&kolom=trede&kolom=loonwaarde_pct"))
    assert "Trede op de re-integratieladder" in body and "Loonwaarde (% van het WML)" in body
    assert re.search(r'<td class="kolom-trede"[^>]*>3</td>', body)
    assert re.search(r'<td class="kolom-loonwaarde_pct"[^>]*>45</td>', body)


def test_auditor_reads_the_access_log_of_own_organisation(client, cases, accounts):
    login(client, "kees")
    client.get(f"/zaken/{cases['ours']['id']}")
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "anna")
    client.get(f"/zaken/{cases['theirs']['id']}")
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "aafke")
    body = _text(client.get("/logboek", follow_redirects=True))
    assert cases["ours"]["id"] in body and "kees" in body
    assert cases["theirs"]["id"] not in body and "anna" not in body  # another organisation's log
    by_subject = _text(client.post("/audit/logboek/zoeken", data={"bsn": "111222333", "csrf_token": page_csrf(client)},
                                   follow_redirects=True))
    assert accounts.pseudonymise("111222333")[:12] in by_subject and "111222333" not in by_subject.split("<tbody>")[1].split("</tbody>")[0]
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "kees")
    assert client.get("/logboek").status_code == 403


def test_form_prefills_known_facts_but_not_free_text(client, werkpad):
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig",
                                                           "toelichting": "Notitie bij het meldingsgesprek."},
                          at="2026-01-06T10:00")
    werkpad.fire_due_timers("2026-02-04")
    werkpad.complete_task(werkpad.get_case(case["id"])["tasks"][0]["id"], "kees", {"recht_op_bijstand": True},
                          at="2026-02-05T10:00")
    werkpad.complete_task(werkpad.get_case(case["id"])["tasks"][0]["id"], "wendy",
                          {"loonwaarde_pct": 45, "trede": 3}, at="2026-02-06T10:00")
    werkpad.fire_due_timers("2026-05-10")  # the quarterly evaluation
    evaluation = [t for t in werkpad.get_case(case["id"])["tasks"] if t["spec"] == "evaluatie"][0]
    login(client, "wendy")
    page = _text(client.get(f"/taken/{evaluation['id']}"))
    assert 'id="veld-trede" name="trede" value="3"' in page
    assert "Notitie bij het meldingsgesprek." not in page.split('id="veld-toelichting"')[1].split("</textarea>")[0]


def test_consultant_adds_a_note_and_sees_it_on_the_case_page(client, cases, werkpad):
    case_id = cases["ours"]["id"]
    login(client, "kees")
    token = page_csrf(client, f"/zaken/{case_id}")
    assert client.post(f"/zaken/{case_id}/notitie", data={"csrf_token": token, "notitie": "   "}).status_code == 302
    assert werkpad.get_case(case_id)["notes"] == []
    response = client.post(f"/zaken/{case_id}/notitie",
                           data={"csrf_token": token, "notitie": "Jan slaapt voorlopig bij zijn zus."})
    assert response.status_code == 302
    page = _text(client.get(f"/zaken/{case_id}"))
    assert "Jan slaapt voorlopig bij zijn zus." in page and "Notities" in page
    assert [e["type"] for e in werkpad.case_history(case_id)][-1] == "note_added"
    assert client.post(f"/zaken/{case_id}/notitie", data={"notitie": "zonder token"}).status_code in (400, 403)
    theirs = cases["theirs"]["id"]
    assert client.post(f"/zaken/{theirs}/notitie", data={"csrf_token": token, "notitie": "x"}).status_code == 404
    assert werkpad.get_case(theirs)["notes"] == []


def test_auditor_cannot_add_notes(client, cases, werkpad):
    case_id = cases["ours"]["id"]
    login(client, "aafke")
    page = _text(client.get(f"/zaken/{case_id}"))
    assert "Notitie vastleggen" not in page
    token = page_csrf(client, f"/zaken/{case_id}")
    assert client.post(f"/zaken/{case_id}/notitie", data={"csrf_token": token, "notitie": "x"}).status_code == 403


def test_inbox_search_keeps_the_bsn_out_of_urls(client, cases, werkpad):
    login(client, "kees")
    token = page_csrf(client, "/inbox")
    response = client.post("/inbox/zoeken", data={"csrf_token": token, "weergave": "team", "zoek": "111222333"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "111222333" not in location and "zoekopdracht=" in location and "weergave=team" in location
    page = _text(client.get(location))
    assert "Jan Jansen" in page and "111222333" not in page.split("<main", 1)[-1].split('value="111222333"')[0]
    for href in re.findall(r'href="([^"]+)"', page):
        assert "111222333" not in href
    assert client.post("/inbox/zoeken", data={"zoek": "111222333"}).status_code in (400, 403)  # no CSRF token


def test_a_saved_search_belongs_to_its_user(client, cases, werkpad, app):
    login(client, "kees")
    token = page_csrf(client, "/inbox")
    location = client.post("/inbox/zoeken", data={"csrf_token": token, "weergave": "team",
                                                  "zoek": "iemand anders"}).headers["Location"]
    assert "Jan Jansen" not in _text(client.get(location))  # the search applies for kees
    other = app.test_client()
    login(other, "wendy")
    # wendy cannot reuse kees's search id: it is ignored, not applied
    assert "iemand anders" not in _text(other.get(location))


def test_municipality_shown_by_its_name_not_its_key(client, cases, werkpad, processes_dir):
    (processes_dir / "gemeenten.json").write_text('{"gemeenten": {"voorbeeldstad": "Voorbeeld-aan-Zee"}}',
                                                  encoding="utf-8")
    login(client, "tineke")
    ours = cases["ours"]
    for path in ("/inbox?weergave=team", f"/zaken/{ours['id']}", f"/taken/{ours['tasks'][0]['id']}"):
        body = _text(client.get(path))
        assert "Voorbeeld-aan-Zee" in body, path
        assert ">voorbeeldstad<" not in body, path


def test_the_task_page_shows_case_facts_as_the_process_calls_them(client, werkpad):
    """The case facts beside a task read as the forms of the case's version name them: a field's
    title, a choice's label, a date written out — not the names and codes in the data."""
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"},
                          at="2026-01-05T10:00")
    werkpad.fire_due_timers("2026-02-03T09:00")
    task = werkpad.list_tasks(case_id=case["id"])[0]
    login(client, "kees")
    aside = client.get(f"/taken/{task['id']}").get_data(as_text=True).split('class="context')[1]
    assert "<dt>Woonsituatie</dt><dd>Inwonend bij familie of vrienden</dd>" in aside
    assert "Is er sprake van een crisissituatie?</dt><dd>nee</dd>" in aside
    assert "inwonend<" not in aside and "Melddatum</dt><dd>5 januari 2026</dd>" in aside
