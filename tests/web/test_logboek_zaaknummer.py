"""The access-log page names a case by its number (2026-000123), never by its internal id, and
finds a case's rows by that number. The CSV export carries the number too."""
from __future__ import annotations

import html

from .conftest import login, page_csrf


def test_the_access_log_names_and_finds_cases_by_their_number(client, werkpad, accounts, cases):
    ours = werkpad.get_case(cases["ours"]["id"])
    number = ours["number"]
    assert number and number != ours["id"]
    login(client, "kees")
    client.get(f"/zaken/{ours['id']}")
    client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    login(client, "aafke")
    page = html.unescape(client.get("/audit/logboek").get_data(as_text=True))
    assert f"zaaknummer {number}" in page
    # an address in a link may hold the id; the text people read may not
    for shown in (f"zaaknummer {ours['id']}", f">{ours['id']}<"):
        assert shown not in page
    found = html.unescape(client.get(f"/audit/logboek?zaak={number}").get_data(as_text=True))
    assert f"zaaknummer {number}" in found and "1 vermelding" in found
    csv = client.get("/audit/logboek?formaat=csv").get_data(as_text=True)
    assert number in csv
