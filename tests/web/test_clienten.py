"""Zoek cliënt: every case of the own organisation (also waiting or closed), by name, BSN
(posted, never in a URL) or birth date; and one client per BSN at a new melding."""
from __future__ import annotations

from .conftest import login, page_csrf


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_finds_waiting_and_closed_cases_of_the_own_organisation_only(client, werkpad, accounts):
    jan = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    # Jan's intake done: his case waits four weeks without an open task
    werkpad.complete_task(jan["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                          at="2026-01-06T10:00")
    closed = werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17",
                                at="2026-01-05T09:00")
    werkpad.send_message(closed["id"], "aanvraag_ingetrokken", {}, user="kees")
    werkpad.start_case("anderstad", "100000010", "Jan Anders", "1975-02-03", at="2026-01-05T09:00")
    login(client, "kees")
    assert "Zoek cliënt" in _text(client.get("/inbox"))
    token = page_csrf(client, "/clienten")
    body = _text(client.post("/clienten", data={"csrf_token": token, "naam": "jan"}))
    assert "Jan Jansen" in body and "geen open taak" in body and "Jan Anders" not in body
    body = _text(client.post("/clienten", data={"csrf_token": token, "bsn": "123456782"}))
    assert "Fatima el Amrani" in body and "Ingetrokken" in body
    body = _text(client.post("/clienten", data={"csrf_token": token, "geboortedatum": "1980-05-01"}))
    assert "Jan Jansen" in body and "Fatima" not in body
    # case numbers: start year + sequence, stored on the case
    assert [werkpad.get_case(c["id"])["number"] for c in (jan, closed)] == ["2026-000001", "2026-000002"]
    body = _text(client.post("/clienten", data={"csrf_token": token, "zaaknummer": "2026-2"}))
    assert "Fatima el Amrani" in body and "Jan Jansen" not in body
    body = _text(client.post("/clienten", data={"csrf_token": token, "bsn": "100000010"}))
    assert "Jan Anders" not in body and "0 zaken gevonden" in body  # another organisation's client
    assert client.post("/clienten", data={"csrf_token": token}).status_code == 422
    searches = [e for e in accounts.access_log(username="kees") if e["operation"] == "client.zoeken"]
    assert len(searches) == 5 and sum(1 for e in searches if e["data_subject_id"]) == 2
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "bea")
    assert client.get("/clienten").status_code == 403  # no case access


def test_a_known_bsn_shows_the_client_and_a_second_running_case_needs_a_reason(client, werkpad):
    first = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    login(client, "kees")
    token = page_csrf(client, "/melding")
    form = {"csrf_token": token, "gemeente": "voorbeeldstad|voorbeeld", "naam": "J. Janssen", "bsn": "111222333",
            "geboortedatum": "1980-05-02"}
    shown = client.post("/melding", data=form)
    body = _text(shown)
    assert shown.status_code == 409
    assert "Bekende cliënt" in body and "Jan Jansen" in body
    assert "De naam wijkt af" in body and "De geboortedatum wijkt af" in body
    assert "loopt al een zaak" in body
    refused = client.post("/melding", data=dict(form, bevestigd="1"))
    assert refused.status_code == 409 and "Geef een reden" in _text(refused)
    assert "Tweede" not in _text(refused)  # nothing started yet
    started = client.post("/melding", data=dict(form, bevestigd="1", reden="Tweede aanvraag na verhuizing"))
    assert started.status_code == 302
    case_id = started.headers["Location"].split("/zaken/")[1].split("?")[0]
    assert case_id != first["id"]
    event = werkpad.case_history(case_id)[0]
    assert event["type"] == "case_started"
    assert event["payload"]["data"]["reden_tweede_zaak"] == "Tweede aanvraag na verhuizing"


def test_a_search_without_hits_in_my_tasks_says_so(client, werkpad):
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    werkpad.claim_task(case["tasks"][0]["id"], "kees")
    login(client, "kees")
    token = page_csrf(client, "/inbox")
    found = client.post("/inbox/zoeken", data={"csrf_token": token, "weergave": "mijn", "zoek": "Pietje"})
    body = _text(client.get(found.headers["Location"]))
    assert "Geen open taken gevonden voor deze zoekopdracht" in body and "geen taken op je naam" not in body
    assert "Zoek cliënt" in body
