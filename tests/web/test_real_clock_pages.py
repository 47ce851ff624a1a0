"""The pages and the JSON API on the real clock: every case worked through them replays.

(The same promise for the CLI and the engine API is in tests/integration/test_real_clock.py.)
"""
from __future__ import annotations

from .conftest import login, page_csrf


def test_pages_and_api_on_the_real_clock_replay(client, accounts, werkpad):
    token = accounts.create_token("kees", "test")["token"]
    headers = {"Authorization": f"Bearer {token}"}
    # a melding through the page
    login(client, "kees")
    csrf = page_csrf(client, "/melding")
    response = client.post("/melding", data={"csrf_token": csrf, "gemeente": "voorbeeldstad|voorbeeld", "bsn": "111222333",
                                             "naam": "Jan Pagina", "geboortedatum": "1980-05-01"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    # a case through the API
    created = client.post("/api/v1/zaken", headers=headers, json={"gemeente": "voorbeeldstad", "bsn": "123456782",
                                                                   "naam": "Els Api", "geboortedatum": "1975-02-03"})
    assert created.status_code == 201
    tasks = werkpad.list_tasks()
    assert len(tasks) == 2
    by_client = {t["client"]: t for t in tasks}
    # the page: claim, then complete with the form
    page_task = by_client["Jan Pagina"]
    csrf = page_csrf(client, f"/taken/{page_task['id']}")
    assert client.post(f"/taken/{page_task['id']}/claimen", data={"csrf_token": csrf}).status_code == 302
    csrf = page_csrf(client, f"/taken/{page_task['id']}")
    done = client.post(f"/taken/{page_task['id']}", data={"csrf_token": csrf, "crisis": "nee",
                                                          "woonsituatie": "inwonend", "actie": "afronden"})
    assert done.status_code in (302, 303), done.get_data(as_text=True)[:800]
    # the API: claim, complete, message
    api_task = by_client["Els Api"]
    assert client.post(f"/api/v1/taken/{api_task['id']}/claimen", headers=headers).status_code == 200
    completed = client.post(f"/api/v1/taken/{api_task['id']}/afronden", headers=headers,
                            json={"gegevens": {"crisis": False, "woonsituatie": "inwonend"}})
    assert completed.status_code == 200, completed.get_json()
    message = client.post(f"/api/v1/zaken/{created.get_json()['id']}/berichten", headers=headers,
                          json={"bericht": "aanvraag_ingetrokken"})
    assert message.status_code == 200
    history = [e["type"] for c in werkpad.list_tasks(status="completed") for e in werkpad.case_history(c["case"])]
    assert history.count("task_completed") == 2
    result = werkpad.verify_audit()
    assert result == {"ok": True, "cases": 2, "broken": [], "in_error": []}, result
