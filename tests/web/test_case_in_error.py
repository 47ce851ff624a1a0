"""A case in error in the browser and the API: no 500, the reason shown, and the
teamleider's way on (retry after a fix, or close), audited."""
from __future__ import annotations

from sqlalchemy import text

from .conftest import login, page_csrf


def _break(werkpad, case_id: str) -> str:
    with werkpad.db.engine.begin() as conn:
        original = conn.execute(text("SELECT state FROM cases WHERE id = :i"), {"i": case_id}).scalar_one()
        conn.execute(text("UPDATE cases SET state = 'kapot' WHERE id = :i"), {"i": case_id})
    return original


def test_working_a_broken_case_answers_409_and_the_teamleider_sees_why(client, accounts, werkpad, cases):
    case_id = cases["ours"]["id"]
    task_id = werkpad.list_tasks(case_id=case_id)[0]["id"]
    original = _break(werkpad, case_id)
    token = accounts.create_token("kees", "test")["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers,
                           json={"gegevens": {"crisis": False, "woonsituatie": "inwonend"}})
    said = response.get_json()["melding"]
    assert response.status_code == 409 and "staat in fout" in said
    number = werkpad.get_case(case_id)["number"]
    assert f"zaak {number} staat in fout" in said and case_id not in said  # the number people know
    assert "geen leesbare JSON" in said and "Error" not in said  # the reason in words, not Python's
    assert client.get(f"/api/v1/zaken/{case_id}", headers=headers).status_code == 200

    login(client, "kees")
    inbox = client.get("/inbox?weergave=team").get_data(as_text=True)
    row = next(r for r in inbox.split("<tr ")[1:] if task_id in r)
    assert "zaak in fout" in row  # seen at a glance, before opening the task
    assert sum("zaak in fout" in r for r in inbox.split("<tr ")[1:]) == 1  # only that case's task
    page = client.get(f"/zaken/{case_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Deze zaak staat in fout" in body and "onleesbaar" in body
    assert "Opnieuw proberen" not in body  # only a teamleider repairs
    csrf = page_csrf(client, f"/zaken/{case_id}")
    assert client.post(f"/zaken/{case_id}/hervatten", data={"csrf_token": csrf}).status_code == 403
    task_page = client.get(f"/taken/{task_id}")
    assert task_page.status_code == 200
    body = task_page.get_data(as_text=True)
    # the task says why it cannot be done and what happens next, and offers no button that must fail
    assert 'id="zaak-in-fout"' in body and "geen leesbare JSON" in body and "teamleider" in body
    assert 'value="afronden"' not in body and "Oppakken" not in body
    posted = client.post(f"/taken/{task_id}", data={"csrf_token": page_csrf(client, f"/taken/{task_id}"),
                                                     "actie": "afronden", "crisis": "nee", "woonsituatie": "inwonend"})
    assert posted.status_code in (403, 409)
    assert werkpad.get_task(task_id)["status"] == "open"
    client.post("/uitloggen", data={"csrf_token": csrf})

    login(client, "tineke")
    overview = client.get("/overzicht").get_data(as_text=True)
    assert "1 zaak staat in fout" in overview and "Jan Jansen" in overview
    csrf = page_csrf(client, f"/zaken/{case_id}")
    refused = client.post(f"/zaken/{case_id}/hervatten", data={"csrf_token": csrf})
    assert "fout=hervatten" in refused.headers["Location"]  # still broken: the reason stays
    with werkpad.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = :s WHERE id = :i"), {"s": original, "i": case_id})
    resumed = client.post(f"/zaken/{case_id}/hervatten", data={"csrf_token": csrf})
    assert "melding=hervat" in resumed.headers["Location"]
    assert werkpad.get_case(case_id)["status"] in ("running", "waiting")
    types = [e["type"] for e in werkpad.case_history(case_id)]
    assert types[-2:] == ["engine_error", "case_resumed"]
    # Werkpad found the fault (on kees's completion): not a timer's doing, as it once read
    assert werkpad.case_history(case_id)[-2]["actor"] == "system"
    assert werkpad.case_history(case_id)[-1]["actor"] == "tineke"
    assert werkpad.verify_audit()["ok"] is True


def test_the_teamleider_closes_a_case_that_stays_broken(client, werkpad, cases):
    case_id = cases["ours"]["id"]
    _break(werkpad, case_id)
    werkpad.fire_due_timers("2026-03-01")
    assert werkpad.get_case(case_id)["status"] == "error"
    login(client, "tineke")
    csrf = page_csrf(client, f"/zaken/{case_id}")
    no_reason = client.post(f"/zaken/{case_id}/sluiten", data={"csrf_token": csrf, "reden": " "})
    assert "fout=reden" in no_reason.headers["Location"]
    closed = client.post(f"/zaken/{case_id}/sluiten", data={"csrf_token": csrf, "reden": "Zaak opnieuw gestart"})
    assert "melding=gesloten" in closed.headers["Location"]
    shown = werkpad.get_case(case_id)
    assert shown["status"] == "withdrawn" and shown["tasks"] == []
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "Zaak gesloten na fout" in page and "Zaak opnieuw gestart" in page
    # its status reads as what happened, not as if the client withdrew the application
    assert 'status-withdrawn utrecht-badge-status">Gesloten na fout<' in page
    found = client.post("/clienten", data={"csrf_token": csrf, "naam": "Jan Jansen"}).get_data(as_text=True)
    assert "Gesloten na fout" in found and "Ingetrokken" not in found
    client.post("/uitloggen", data={"csrf_token": csrf})
    login(client, "aafke")
    searched = client.get("/audit/?status=withdrawn").get_data(as_text=True)  # 'Ingetrokken' is the filter's name
    assert 'status-withdrawn utrecht-badge-status">Gesloten na fout<' in searched
    from engine.app.audit_workspace import AuditorWorkspace

    statuses = AuditorWorkspace(werkpad).export_zgw(case_id)["statussen"]  # the archive says it too
    assert statuses[-1]["statustoelichting"] == "Zaak gesloten na fout"
    from engine.app.audit_pdf import case_file_html

    assert "<dd>gesloten na fout" in case_file_html(AuditorWorkspace(werkpad), case_id)  # and the PDF


def test_a_reason_stored_before_it_was_worded_is_shown_in_words(client, accounts, werkpad, cases):
    """A case put in error by an older release has a Python exception's name in its row; the
    consultant, the teamleider and the API read it in today's words."""
    case_id = cases["ours"]["id"]
    task_id = werkpad.list_tasks(case_id=case_id)[0]["id"]
    _break(werkpad, case_id)
    token = accounts.create_token("kees", "test")["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers,
                       json={"gegevens": {"crisis": False}}).status_code == 409
    old = "de opgeslagen toestand van de zaak is onleesbaar (KeyError: 'workflow')"
    with werkpad.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET error = :e WHERE id = :i"), {"e": old, "i": case_id})
    worded = "onleesbaar (een onderdeel ontbreekt: 'workflow')"
    said = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers,
                       json={"gegevens": {"crisis": False}}).get_json()["melding"]
    assert worded in said and "KeyError" not in said
    assert werkpad.get_case(case_id)["error"].endswith(worded)
    login(client, "tineke")
    for page in ("/overzicht", f"/zaken/{case_id}", f"/taken/{task_id}"):
        body = client.get(page).get_data(as_text=True).replace("&#39;", "'")
        assert worded in body and "KeyError" not in body, page


def test_what_a_consultant_typed_when_the_case_broke_waits_as_a_draft_until_it_is_resumed(client, werkpad, cases):
    """The consultant opened the task while the case was sound, typed the form and pressed
    Afronden — and only then did the case turn out broken. What they typed is not lost: it is
    kept as their draft, they are told so, and it is in the form again once the teamleider has
    resumed the case; then the completion goes through."""
    case_id = cases["ours"]["id"]
    task_id = werkpad.list_tasks(case_id=case_id)[0]["id"]
    login(client, "kees")
    csrf = page_csrf(client, f"/taken/{task_id}")  # the page as it was before the case broke
    original = _break(werkpad, case_id)
    typed = {"csrf_token": csrf, "actie": "afronden", "crisis": "nee", "woonsituatie": "inwonend"}
    posted = client.post(f"/taken/{task_id}", data=typed)
    body = posted.get_data(as_text=True)
    assert posted.status_code == 409 and 'id="zaak-in-fout"' in body and 'id="concept-bewaard"' in body
    assert 'value="inwonend" checked' in body
    assert werkpad.get_task(task_id)["status"] == "open"
    client.post("/uitloggen", data={"csrf_token": csrf})

    with werkpad.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = :s WHERE id = :i"), {"s": original, "i": case_id})
    login(client, "tineke")
    csrf = page_csrf(client, f"/zaken/{case_id}")
    assert "melding=hervat" in client.post(f"/zaken/{case_id}/hervatten", data={"csrf_token": csrf}).headers["Location"]
    client.post("/uitloggen", data={"csrf_token": csrf})

    login(client, "kees")
    page = client.get(f"/taken/{task_id}").get_data(as_text=True)
    assert 'value="inwonend" checked' in page and "Concept opgeslagen op" in page
    again = client.post(f"/taken/{task_id}", data={**typed, "csrf_token": page_csrf(client, f"/taken/{task_id}")})
    assert again.status_code == 302 and werkpad.get_task(task_id)["status"] == "completed"
