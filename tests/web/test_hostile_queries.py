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
