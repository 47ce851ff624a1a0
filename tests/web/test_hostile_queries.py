"""Every page and JSON route that answers GET, for every role, with hostile query strings and path
parts: never a 5xx. The routes come from the app itself, so a new page is covered the day it is added.
(Found by using the product: a period filter of 0001-01-01 or 9999-12-31 once answered 500.)"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from .conftest import login

# every query parameter a page reads (web/*.py), each set to a hostile value at once
PARAMS = ("pagina", "per_pagina", "weergave", "organisatie", "zoek", "fase", "taak", "termijn", "werkvoorraad",
          "kolom", "lane", "sorteer", "van", "tot", "soort", "persoon", "proces", "status", "gebruiker", "zaak",
          "nummer", "naar", "formaat", "zoekopdracht", "melding", "fout", "vervolg", "volgende", "bsn", "taal")
VALUES = ("-1", "99999999999999999999", "9223372036854775808", "0001-01-01", "9999-12-31", "1e400", "%00",
          "%ed%a0%80", "%ff%fe", "x" * 2000, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
          "csv", "pdf", "alle", "team")
ROLES = ("kees", "tineke", "aafke", "piet", "bea")
SLOW = re.compile(r"\.pdf$|\.zip$|/proefrit$")  # renders or simulates: one query each is enough


def _query(offset: int) -> str:
    """All parameters at once, each with another hostile value (already URL-encoded where it must be)."""
    parts = []
    for i, name in enumerate(PARAMS):
        value = VALUES[(i + offset) % len(VALUES)]
        parts.append(f"{name}={value if '%' in value else quote(value, safe='')}")
    return "&".join(parts)


def _paths(app, case: dict, run_id: str) -> list[str]:
    """Each GET route once with real path parts (the organisation's own case, task, process, form,
    decision table, version, run and user) and once with junk in every part."""
    real = {"case_id": case["id"], "task_id": case["tasks"][0]["id"], "key": "voorbeeld", "name": "voorbeeld_route",
            "number": "1", "seq": "1", "run_id": run_id, "username": "kees", "form_id": "voorbeeld_intake",
            "which": "concept", "filename": "css/werkpad.css"}
    junk = {"number": "99999999999999999999", "seq": "99999999999999999999"}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("vendor", "static", "thema"):
            continue
        for values in (real, junk):
            path = rule.rule
            for arg in rule.arguments:
                value = values.get(arg, "%ed%a0%80" if values is junk else real[arg])
                path = re.sub(rf"<(?:[a-z]+:)?{arg}>", value, path)
            paths.append(path)
    return sorted(set(paths))


@pytest.mark.parametrize("username", ROLES)
def test_no_get_route_answers_5xx_to_hostile_queries(app, client, cases, werkpad, username):
    from engine.app.audit_workspace import AuditorWorkspace

    run_id = AuditorWorkspace(werkpad).start_run("voorbeeldstad", "aafke")
    login(client, username)
    failed = []
    paths = _paths(app, cases["ours"], run_id)
    assert len(paths) > 60  # the walk reached the app's routes
    for path in paths:
        for offset in ((0,) if SLOW.search(path) else (0, 8, 13)):
            response = client.get(f"{path}?{_query(offset)}")
            if response.status_code >= 500:
                failed.append((path, offset, response.status_code))
    assert failed == []


# every form field a page reads (web/*.py)
FIELDS = ("actie", "bericht", "bevestigd", "bsn", "collega", "dagen", "gebruikersnaam", "geldig_vanaf", "herhaal",
          "huidig", "kolom", "naam", "nieuw", "notitie", "organisatie", "reden", "rol", "taal", "tekst",
          "toelichting", "volgende", "wachtwoord", "werkvoorraad", "zaak", "zoek", "gemeente", "geboortedatum",
          "crisis", "woonsituatie", "van", "tot", "xml", "bestand")
# as a browser or a script would send them, URL-encoded; %ED%A0%80 is a lone surrogate in UTF-8 bytes (not
# valid UTF-8), %FF%FE no UTF-8 at all
RAW = ("-1", "99999999999999999999", "0001-01-01", "9999-12-31", "1e400", "%00", "%ED%A0%80", "%FF%FE",
       "x" * 5000, quote("<script>alert(1)</script>"), quote("' OR 1=1 --"), quote("../../etc/passwd"),
       "afronden", "concept", "ja", "")


def _form(offset: int, csrf: str) -> str:
    return "&".join([f"csrf_token={quote(csrf)}"] + [f"{name}={RAW[(i + offset) % len(RAW)]}"
                                                     for i, name in enumerate(FIELDS)])


@pytest.mark.parametrize("username", ROLES)
def test_no_post_route_answers_5xx_to_hostile_forms(app, client, cases, werkpad, username):
    """Every POST route with the page's own CSRF token and every form field hostile at once (lone
    surrogates, NUL, huge numbers, the ends of the calendar, 5,000 characters): a 4xx or a page
    with the error, never a 5xx. Logging out comes last."""
    from engine.app.audit_workspace import AuditorWorkspace

    from .conftest import page_csrf

    run_id = AuditorWorkspace(werkpad).start_run("voorbeeldstad", "aafke")
    login(client, username)
    csrf = page_csrf(client)
    real = {"case_id": cases["ours"]["id"], "task_id": cases["ours"]["tasks"][0]["id"], "key": "voorbeeld",
            "name": "voorbeeld_route", "number": "1", "run_id": run_id, "username": "wendy",
            "form_id": "voorbeeld_intake", "token_id": "1"}
    routes = sorted((rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
                    key=lambda r: r == "/uitloggen")
    assert len(routes) > 35
    failed, reached = [], set()
    for rule in routes:
        path = rule
        for arg, value in real.items():
            path = re.sub(rf"<(?:[a-z]+:)?{arg}>", value, path)
        for offset in (0, 2, 7):
            response = client.post(path, data=_form(offset, csrf),
                                   content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                failed.append((path, offset, response.status_code))
            if response.status_code not in (401, 403, 404, 405):
                reached.add(rule)  # past the token check, into the page's own handling of what it got
    assert failed == []
    assert len(reached) >= 8, sorted(reached)
