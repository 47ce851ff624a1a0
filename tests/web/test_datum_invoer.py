"""Dates are typed as people in the Netherlands write them — day, month, year — whatever language
the browser runs in (a browser's own date field shows 03/14/1979 in an American one, and "14-03-1979"
typed into it lands in the wrong places). Every date field (the melding's birth date, the client
search, a task form's dates, the verdaging, a version's start, the auditor's and the account trail's
filters) takes "14-03-1979", "14-3-1979", "14/03/1979", "14.03.1979", "14 3 1979", "14031979" and a
browser's "1979-03-14"; anything else is refused on the field with an example and nothing happens."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from web.formulieren import read_date

from .conftest import jan_at_diagnosis, login, page_csrf
from .test_browser import _login, page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]


@pytest.mark.parametrize("typed", ["14-03-1979", "14-3-1979", "14/03/1979", "14.3.1979", "14 3 1979", "14031979",
                                   "1979-03-14", " 14 - 03 - 1979 "])
def test_the_ways_people_write_a_date(typed):
    assert read_date(typed) == date(1979, 3, 14)


@pytest.mark.parametrize("typed", ["", "banaan", "31-02-1979", "14-13-1979", "00-01-1979", "14-03-79", "3/14",
                                   "1979/03/14", "14-03-19790", "٣-٣-١٩٧٩", "14-03-1979T00:00", "-1-1-1979"])
def test_what_is_no_date_is_refused(typed):
    with pytest.raises(ValueError):
        read_date(typed)


def _melding(client, born: str):
    token = page_csrf(client, "/melding")
    return client.post("/melding", data={"csrf_token": token, "gemeente": "voorbeeldstad|voorbeeld",
                                         "naam": "Els de Wit", "bsn": "123456782", "geboortedatum": born})


def test_a_melding_takes_the_birth_date_as_people_write_it(client, werkpad, accounts):
    login(client, "kees")
    started = _melding(client, "14-3-1979")
    assert started.status_code == 302
    case_id = started.headers["Location"].split("/zaken/")[1].split("?")[0]
    assert werkpad.get_case(case_id)["client"]["birthdate"] == "1979-03-14"


@pytest.mark.parametrize("typed", ["31-02-1979", "14-03-79", "maart 1979"])
def test_a_birth_date_that_is_no_date_is_refused_on_its_field_and_kept(client, werkpad, accounts, typed):
    login(client, "kees")
    refused = _melding(client, typed)
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Vul de geboortedatum in als dag-maand-jaar, bijvoorbeeld 14-03-1979." in body
    assert f'value="{typed}"' in body  # what was typed stays, to be corrected
    assert werkpad.list_tasks(status="", with_form=False) == []  # nothing started


def test_the_client_search_takes_the_birth_date_as_people_write_it(client, werkpad, accounts):
    werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01")
    login(client, "kees")
    token = page_csrf(client, "/clienten")
    found = html.unescape(client.post("/clienten", data={"csrf_token": token, "geboortedatum": "1-5-1980"})
                          .get_data(as_text=True))
    assert "Jan Jansen" in found
    refused = html.unescape(client.post("/clienten", data={"csrf_token": token, "geboortedatum": "1-5-80"})
                            .get_data(as_text=True))
    assert "bijvoorbeeld 14-03-1979" in refused and "Jan Jansen" not in refused


def test_in_the_browser_the_birth_date_is_a_field_for_day_month_year(server, page, werkpad):  # noqa: F811
    _login(page, server, "kees")
    page.goto(server + "/melding")
    field = page.locator("#geboortedatum")
    assert field.get_attribute("type") == "text"  # not the browser's own date field, whose order varies
    hint = page.locator("#" + field.get_attribute("aria-describedby").split()[0]).inner_text()
    assert hint == "dag-maand-jaar, bijvoorbeeld 14-03-1979"
    # the municipalities by name, grouped under their process
    group = page.locator("#gemeente optgroup")
    assert group.count() == 1 and group.get_attribute("label") == "Voorbeeldstad — Participatiewet (voorbeeldproces)"
    assert group.locator("option").all_inner_texts() == ["Voorbeeldstad"]
    page.select_option("#gemeente", "voorbeeldstad|voorbeeld")
    page.fill("#naam", "Els de Wit")
    page.fill("#bsn", "123456782")
    page.fill("#geboortedatum", "31-02-1979")
    page.click("main button[type=submit]")
    page.wait_for_selector("#fout-geboortedatum")
    assert page.input_value("#geboortedatum") == "31-02-1979"
    page.fill("#geboortedatum", "14-03-1979")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/zaken/"))
    assert "14 mrt 1979" in page.inner_text("main") or "14 maart 1979" in page.inner_text("main")
    # the refused submit answered 422 (the browser logs that); nothing else went wrong
    assert [e for e in page.console_errors if "422" not in e] == []


def test_the_date_filters_take_day_month_year_and_show_it_so(client, werkpad, accounts):
    """The auditor's case search and deadlines report and the account trail filter on dates typed
    as day-month-year and show the chosen dates that way (never as 2026-03-14)."""
    werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    login(client, "aafke")
    found = html.unescape(client.get("/audit/?van=1-1-2026&tot=31-01-2026").get_data(as_text=True))
    assert "Jan Jansen" in found and 'value="01-01-2026"' in found and 'value="31-01-2026"' in found
    assert "2026-01-01" not in found
    outside = html.unescape(client.get("/audit/?van=1-2-2026").get_data(as_text=True))
    assert "Jan Jansen" not in outside
    report = html.unescape(client.get("/audit/termijnen?van=01-01-2026&tot=31-03-2026").get_data(as_text=True))
    assert 'value="01-01-2026"' in report and 'value="31-03-2026"' in report
    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/audit/")})
    login(client, "bea")
    trail = html.unescape(client.get("/beheer/accountspoor?van=1-1-2020&tot=31-2-2020").get_data(as_text=True))
    assert 'value="1-1-2020"' in trail  # as typed, to be corrected
    assert "Vul een datum in als dag-maand-jaar, bijvoorbeeld 14-03-2026." in trail  # 31 February is no date


def _at_diagnosis(werkpad) -> str:
    """Jan through intake and rechtmatigheid: the diagnosis (with 'Datum van het diagnosegesprek') is open."""
    task = jan_at_diagnosis(werkpad)["tasks"][0]
    assert task["spec"] == "diagnose"
    return task["id"]


def test_a_task_form_s_date_field_takes_day_month_year_and_shows_a_draft_so(client, werkpad, accounts):
    task_id = _at_diagnosis(werkpad)
    login(client, "wendy")
    path = f"/taken/{task_id}"
    body = client.get(path).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="datum_gesprek"[^>]*>', body).group(0)
    assert 'type="text"' in field and 'placeholder="dd-mm-jjjj"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert any(re.search(rf'id="{d}"[^>]*>dag-maand-jaar, bijvoorbeeld 14-03-2026<', body) for d in described)
    form = {"csrf_token": page_csrf(client, path), "loonwaarde_pct": "45", "trede": "3"}
    refused = html.unescape(client.post(path, data={**form, "actie": "afronden", "datum_gesprek": "31-02-2026"})
                            .get_data(as_text=True))
    assert "Vul een bestaande datum in als dag-maand-jaar, bijvoorbeeld 14-03-2026." in refused
    assert 'value="31-02-2026"' in refused and werkpad.get_task(task_id)["status"] == "open"
    client.post(path, data={**form, "actie": "concept", "datum_gesprek": "6-2-2026"})
    again = client.get(path).get_data(as_text=True)
    assert 'name="datum_gesprek" value="6-2-2026"' in again  # the draft keeps what was typed
    done = client.post(path, data={**form, "actie": "afronden", "datum_gesprek": "06-02-2026"})
    assert done.status_code == 302 and werkpad.get_task(task_id)["status"] == "completed"
    case = werkpad.get_case(werkpad.get_task(task_id)["case"])
    assert case["data"]["datum_gesprek"] == "2026-02-06"


def test_a_stored_date_is_shown_in_a_form_as_day_month_year():
    from web.formulieren import fields_for

    schema = {"properties": {"datum": {"type": "string", "format": "date", "title": "Datum"}}}
    assert fields_for(schema, {"datum": "2026-02-06"})[0].value == "06-02-2026"
    assert fields_for(schema, {"datum": "6-2-2026"})[0].value == "6-2-2026"  # as typed
    assert fields_for(schema, {"datum": "2026-02-31"})[0].value == "2026-02-31"  # no date: as it is
