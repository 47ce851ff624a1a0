"""Every route × every role × own/other organisation.

Another organisation's case or task is a 404 for every role, on every route,
GET or POST, and the response contains nothing of it; nothing about it
changes. Within the own organisation each role gets what it may have.
"""
from __future__ import annotations

import pytest

from .conftest import login, page_csrf

ROLES = {  # username -> expected status of the own-organisation GET routes
    "kees": {"inbox": 200, "overzicht": 403, "melding": 200, "taak": 200, "zaak": 200, "diagram": 200},
    "tineke": {"inbox": 200, "overzicht": 200, "melding": 200, "taak": 200, "zaak": 200, "diagram": 200},
    "aafke": {"inbox": 200, "overzicht": 403, "melding": 403, "taak": 200, "zaak": 200, "diagram": 200},
    "piet": {"inbox": 200, "overzicht": 403, "melding": 403, "taak": 404, "zaak": 404, "diagram": 404},
    "bea": {"inbox": 200, "overzicht": 403, "melding": 403, "taak": 404, "zaak": 404, "diagram": 404},
}


def _routes(case: dict) -> dict[str, tuple[str, str]]:
    task_id = case["tasks"][0]["id"]
    return {
        "taak": ("GET", f"/taken/{task_id}"),
        "zaak": ("GET", f"/zaken/{case['id']}"),
        "diagram": ("GET", f"/zaken/{case['id']}/diagram.json"),
        "afronden": ("POST", f"/taken/{task_id}"),
        "claimen": ("POST", f"/taken/{task_id}/claimen"),
        "vrijgeven": ("POST", f"/taken/{task_id}/vrijgeven"),
        "toewijzen": ("POST", f"/taken/{task_id}/toewijzen"),
        "bericht": ("POST", f"/zaken/{case['id']}/bericht"),
    }


def _leaks(body: str, case: dict, ids: bool = True) -> bool:
    bsn = case["client"]["bsn"]
    secrets = [case["client"]["name"], bsn, "******" + bsn[-3:]]
    if ids:
        secrets += [case["id"], case["tasks"][0]["id"]]
    return any(s in body for s in secrets)


@pytest.mark.parametrize("username", sorted(ROLES))
def test_matrix(client, cases, werkpad, username):
    theirs, ours = cases["theirs"], cases["ours"]
    before = len(werkpad.case_history(theirs["id"]))
    login(client, username)
    token = page_csrf(client)
    data = {"csrf_token": token, "crisis": "nee", "woonsituatie": "inwonend", "collega": username,
            "bericht": "aanvraag_ingetrokken"}
    # Another organisation: 404 everywhere, nothing leaks, nothing changes.
    for name, (method, path) in _routes(theirs).items():
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        assert response.status_code == 404, (username, name)
        assert not _leaks(response.get_data(as_text=True), theirs), (username, name)
    for path in ("/inbox?weergave=mijn", "/inbox?weergave=team", "/inbox?weergave=alle",
                 "/inbox?weergave=alle&organisatie=anderstad", "/overzicht", "/melding"):
        assert not _leaks(client.get(path).get_data(as_text=True), theirs), (username, path)
    searched = client.get(f"/inbox?weergave=alle&zoek={theirs['client']['bsn']}").get_data(as_text=True)
    assert theirs["client"]["name"] not in searched and "******782" not in searched  # the box echoes the query
    assert len(werkpad.case_history(theirs["id"])) == before
    assert werkpad.get_case(theirs["id"])["tasks"][0]["claimed_by"] is None
    # Own organisation: what the role may see.
    expected = ROLES[username]
    own = {"inbox": "/inbox", "overzicht": "/overzicht", "melding": "/melding"}
    own.update({k: path for k, (method, path) in _routes(ours).items() if method == "GET"})
    for name, path in own.items():
        assert client.get(path).status_code == expected[name], (username, name)
    if expected["zaak"] == 404:
        assert not _leaks(client.get("/inbox?weergave=alle").get_data(as_text=True), ours)


@pytest.mark.parametrize("username", sorted(ROLES))
def test_state_changes_in_own_organisation_follow_the_role(client, cases, werkpad, username):
    ours = cases["ours"]
    task_id = ours["tasks"][0]["id"]
    login(client, username)
    token = page_csrf(client)
    claim = client.post(f"/taken/{task_id}/claimen", data={"csrf_token": token})
    claimed_by = werkpad.get_task(task_id)["claimed_by"]
    if username in ("kees", "tineke"):
        assert claim.status_code == 302 and claimed_by == username
    elif username == "aafke":
        assert "fout=geen_recht" in claim.headers["Location"] and claimed_by is None
    else:
        assert claim.status_code == 404 and claimed_by is None
    complete = client.post(f"/taken/{task_id}", data={"csrf_token": token, "crisis": "nee",
                                                       "woonsituatie": "inwonend"})
    status = werkpad.get_task(task_id)["status"]
    if username in ("kees", "tineke"):
        assert complete.status_code == 302 and status == "completed"
    else:
        assert complete.status_code in (403, 404) and status == "open"


def test_anonymous_gets_nothing(client, cases):
    ours = cases["ours"]
    for name, (method, path) in _routes(ours).items():
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": "x"})
        assert response.status_code in (302, 403), name
        assert not _leaks(response.get_data(as_text=True), ours, ids=False)  # a redirect echoes the path
    for path in ("/inbox", "/overzicht", "/melding"):
        assert client.get(path).status_code == 302
