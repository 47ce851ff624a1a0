"""No access-log row, no data: when the database refuses the access log's rows (a trigger, a
permission taken away), a page or API read answers 503 with a clear message and shows nothing
of the case, and a command is not carried out (its row is in the command's transaction)."""
from __future__ import annotations

import sqlite3

import pytest

from tests.web.conftest import login


@pytest.fixture
def closed_log(werkpad):
    def close() -> None:
        with sqlite3.connect(werkpad.db.url.removeprefix("sqlite:///")) as con:
            con.execute("CREATE TRIGGER geen_logboek BEFORE INSERT ON access_log "
                        "BEGIN SELECT RAISE(ABORT, 'logboek dicht'); END")
    return close


def test_a_read_whose_row_is_refused_shows_nothing(app, werkpad, accounts, closed_log):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01")
    token = accounts.create_token("kees", "test")["token"]
    client = app.test_client()
    closed_log()
    response = client.get(f"/api/v1/zaken/{case['id']}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Jan Jansen" not in body and "111222333" not in body
    assert "logboek dataverwerkingen" in response.get_json()["melding"]
    login(client, "kees")
    page = client.get(f"/zaken/{case['id']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "Jan Jansen" not in text and "logboek dataverwerkingen" in text


def test_a_command_whose_row_is_refused_is_not_carried_out(app, werkpad, accounts, closed_log):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01")
    task = case["tasks"][0]
    token = accounts.create_token("kees", "test")["token"]
    before = len(werkpad.case_history(case["id"]))
    closed_log()
    response = app.test_client().post(f"/api/v1/taken/{task['id']}/afronden",
                                      headers={"Authorization": f"Bearer {token}"},
                                      json={"gegevens": {"crisis": False, "woonsituatie": "inwonend"}})
    assert response.status_code == 503 and "Retry-After" not in response.headers
    assert len(werkpad.case_history(case["id"])) == before
    assert [t["id"] for t in werkpad.get_case(case["id"])["tasks"]] == [task["id"]]


def test_english_readers_get_the_message_in_english(app, werkpad, accounts, closed_log):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01")
    token = accounts.create_token("kees", "test")["token"]
    closed_log()
    client = app.test_client()
    client.set_cookie("werkpad_taal", "en")
    response = client.get(f"/api/v1/zaken/{case['id']}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    said = response.get_json()["melding"]
    assert "access log" in said.lower() and "logboek" not in said.lower()
