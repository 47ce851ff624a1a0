"""Hostile and malformed requests answer 4xx with a clear message, never 500."""
from __future__ import annotations

import pytest

from .conftest import login, page_csrf


@pytest.fixture
def token(accounts):
    return {"Authorization": "Bearer " + accounts.create_token("kees", "test")["token"]}


@pytest.mark.parametrize("path", ["/inbox?pagina=99999999999999999999", "/inbox?pagina=-5", "/inbox?pagina=abc",
                                  "/inbox?pagina=9223372036854775808"])
def test_page_numbers_out_of_range(client, cases, path):
    login(client, "kees")
    response = client.get(path)
    assert response.status_code in (200, 400, 422), response.status_code


@pytest.mark.parametrize("path", ["/api/v1/taken?pagina=9223372036854775808", "/api/v1/taken?pagina=99999999999999999999",
                                  "/api/v1/taken?per_pagina=99999999999999999999"])
def test_api_page_numbers_out_of_range(client, cases, token, path):
    response = client.get(path, headers=token)
    assert response.status_code in (200, 400, 422), response.status_code
    assert response.is_json


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("user, path", [
    ("aafke", "/audit/termijnen?van={d}&tot={d}"), ("aafke", "/audit/termijnen?van={d}&formaat=csv"),
    ("aafke", "/audit/?van={d}&tot={d}"), ("bea", "/beheer/accountspoor?van={d}&tot={d}")])
def test_the_first_and_last_day_of_the_calendar_as_a_filter(client, cases, user, path, day):
    """A period from or to the first or last day a date can hold is a period like any other (the
    start of 0001-01-01 in Amsterdam, or the day after 9999-12-31, once overflowed into a 500)."""
    login(client, user)
    response = client.get(path.format(d=day))
    assert response.status_code == 200, response.status_code


def test_deeply_nested_json_body(client, cases, token, werkpad):
    body = "[" * 400_000
    response = client.post("/api/v1/zaken", headers={**token, "Content-Type": "application/json"}, data=body)
    assert 400 <= response.status_code < 500 and response.is_json
    task_id = werkpad.list_tasks(case_id=cases["ours"]["id"])[0]["id"]
    nested = '{"gegevens": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(f"/api/v1/taken/{task_id}/afronden",
                           headers={**token, "Content-Type": "application/json"}, data=nested)
    assert 400 <= response.status_code < 500 and response.is_json


def test_lone_surrogate_in_a_form_field(client, cases, token, werkpad):
    task_id = werkpad.list_tasks(case_id=cases["ours"]["id"])[0]["id"]
    response = client.post(f"/api/v1/taken/{task_id}/afronden", headers={**token, "Content-Type": "application/json"},
                           data='{"gegevens": {"crisis": false, "woonsituatie": "\\ud800"}}')
    assert 400 <= response.status_code < 500
    login(client, "kees")
    csrf = page_csrf(client, f"/taken/{task_id}")
    client.post(f"/taken/{task_id}/claimen", data={"csrf_token": csrf})
    response = client.post(f"/taken/{task_id}", data={"csrf_token": csrf, "crisis": "nee",
                                                    "woonsituatie": "\ud800".encode("utf-8", "surrogatepass"),
                                                    "actie": "afronden"})
    assert response.status_code < 500
    response = client.post("/melding", data={"csrf_token": csrf, "gemeente": "voorbeeldstad|voorbeeld",
                                             "bsn": "111222333", "naam": "\ud800".encode("utf-8", "surrogatepass"),
                                             "geboortedatum": "1980-01-01"})
    assert response.status_code < 500


def test_a_known_user_name_cannot_lock_its_owner_out(app, accounts):
    attacker = app.test_client()
    owner = app.test_client()
    for _ in range(8):
        response = login(attacker, "kees", "fout-wachtwoord")
        assert response.status_code == 401
    # the attacker's address is paused for this account, even with the right password ...
    assert login(attacker, "kees").status_code == 401
    # ... but the owner, from another address, logs in
    owner.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert login(owner, "kees").status_code == 302


def test_login_attempts_per_address_are_limited(app, accounts):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    responses = [login(client, f"onbekend{i}", "x") for i in range(32)]
    assert [r.status_code for r in responses] == [401] * 30 + [429, 429]
    assert "Te veel inlogpogingen" in responses[-1].get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert login(other, "kees").status_code == 302


def test_the_api_limits_requests_per_address(app, token):
    app.config["API_RATE_LIMIT"] = 5
    client = app.test_client()
    statuses = [client.get("/api/v1/ik", headers=token).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    response = client.get("/api/v1/ik", headers=token)
    assert response.get_json()["fout"] == "te_veel_verzoeken" and int(response.headers["Retry-After"]) >= 1
