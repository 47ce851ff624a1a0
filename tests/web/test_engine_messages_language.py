"""Form errors and engine messages (a 409 conflict) follow the chosen language: Dutch by
default, English through the translation catalogue (engine.core.messages.Msg, translated in
the web layer)."""
from __future__ import annotations

import pytest

from engine.core.forms import FormDefinition
from engine.errors import ValidationError
from web.i18n import translate

from .conftest import login, page_csrf


def _english(client) -> None:
    client.post("/taal", data={"csrf_token": page_csrf(client), "taal": "en", "volgende": "/inbox"})


def _task_page_post(client, task_id: str, **fields):
    csrf = page_csrf(client, f"/taken/{task_id}")
    return client.post(f"/taken/{task_id}", data={"csrf_token": csrf, "actie": "afronden", **fields})


@pytest.mark.parametrize("language, required, invalid", [
    ("nl", "Dit veld is verplicht.", "Kies ja of nee."),
    ("en", "This field is required.", "Choose yes or no."),
])
def test_a_form_error_in_the_chosen_language(client, cases, werkpad, language, required, invalid):
    task_id = cases["ours"]["tasks"][0]["id"]
    login(client, "kees")
    if language == "en":
        _english(client)
    client.post(f"/taken/{task_id}/claimen", data={"csrf_token": page_csrf(client, f"/taken/{task_id}")})
    response = _task_page_post(client, task_id, crisis="misschien", woonsituatie="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert required in body and invalid in body
    other = "This field is required." if language == "nl" else "Dit veld is verplicht."
    assert other not in body


@pytest.mark.parametrize("language, expected", [
    ("nl", "taak is geclaimd door tineke"),
    ("en", "the task is claimed by tineke"),
])
def test_a_conflict_in_the_chosen_language(client, cases, werkpad, language, expected):
    task_id = cases["ours"]["tasks"][0]["id"]
    werkpad.claim_task(task_id, "tineke")  # the teamleider holds it
    login(client, "kees")
    if language == "en":
        _english(client)
    response = _task_page_post(client, task_id, crisis="nee", woonsituatie="inwonend")
    assert response.status_code == 409
    assert expected in response.get_data(as_text=True)


def test_engine_form_messages_keep_their_template_and_values(app):
    form = FormDefinition("f", {"title": "Intake", "type": "object", "required": ["uren"],
                                "properties": {"uren": {"type": "integer", "minimum": 1, "maximum": 40},
                                               "code": {"type": "string", "minLength": 2, "maxLength": 4}}})
    with pytest.raises(ValidationError) as caught:
        form.validate({"uren": 50, "code": "x"})
    error = caught.value
    assert error.fields == {"uren": ["Moet tussen 1 en 40 liggen."], "code": ["Lengte moet tussen 2 en 4 tekens liggen."]}
    assert error.message == "Het formulier 'Intake' bevat fouten."
    with app.test_request_context(headers={"Cookie": "werkpad_taal=en"}):
        assert translate(error.fields["uren"][0]) == "Must be between 1 and 40."
        assert translate(error.fields["code"][0]) == "Length must be between 2 and 4 characters."
        assert translate(error.message) == "The form 'Intake' contains errors."
    with app.test_request_context():
        assert translate(error.fields["uren"][0]) == "Moet tussen 1 en 40 liggen."


@pytest.mark.parametrize("language, expected", [
    ("nl", "taak onbekend123 bestaat niet"),
    ("en", "task onbekend123 does not exist"),
])
def test_an_api_not_found_in_the_chosen_language(client, cases, accounts, language, expected):
    """The API answers in Dutch; a client that chose English (the language cookie) gets the
    engine's NotFound in English, in the same JSON shape."""
    token = accounts.create_token("kees", "test")["token"]
    if language == "en":
        client.set_cookie("werkpad_taal", "en")
    response = client.get("/api/v1/taken/onbekend123", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["melding"] == expected and body["fout"]


@pytest.mark.parametrize("language, expected", [
    ("nl", "het concept is niet aangeboden voor publicatie"),
    ("en", "the draft has not been offered for publication"),
])
def test_a_designer_refusal_in_the_chosen_language(client, werkpad, language, expected):
    """Approving a draft nobody offered: the designer gets the engine's 409 in their language."""
    files = werkpad.designer.working_record("voorbeeld")["files"]
    werkpad.designer.save_draft("voorbeeld", "piet", files=files, change_note="alleen bewaard")
    login(client, "piet")
    if language == "en":
        _english(client)
    response = client.post("/ontwerp/voorbeeld/goedkeuren",
                           data={"csrf_token": page_csrf(client, "/ontwerp/voorbeeld")})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert expected in body
    assert ("aangeboden" in body) is (language == "nl")


def test_an_admin_refusal_in_english(client):
    """A wrong current password on the admin's password page: the engine's field error in English."""
    login(client, "bea")
    _english(client)
    token = page_csrf(client, "/wachtwoord")
    response = client.post("/wachtwoord", data={"csrf_token": token, "huidig": "fout-wachtwoord-123",
                                                "nieuw": "een-nieuw-wachtwoord-1", "herhaal": "een-nieuw-wachtwoord-1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The current password is not correct." in body and "klopt niet" not in body


def test_an_api_not_found_follows_the_language_cookie(app, cases):
    from engine.errors import NotFound

    with app.test_request_context(headers={"Cookie": "werkpad_taal=en"}):
        with pytest.raises(NotFound) as caught:
            app.extensions["werkpad"].get_case("onbekend123")
        assert str(caught.value.message) == "zaak onbekend123 bestaat niet"
        assert translate(caught.value.message) == "case onbekend123 does not exist"
