"""Huisstijl per organisation: a token file named after the organisation, else the Werkpad theme."""
from __future__ import annotations

from web import create_app

from .conftest import FAST_HASHER, PASSWORD, SECRET, login


def _css(client, name: str) -> tuple[int, str, str]:
    with client.get(f"/thema/{name}.css") as response:  # closes the served file
        return response.status_code, response.mimetype, response.get_data(as_text=True)


def _theme_links(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('href="/thema/')[1:]]


def test_the_login_page_and_a_user_without_an_own_theme_get_the_werkpad_theme(client):
    assert _theme_links(client.get("/inloggen").get_data(as_text=True)) == ["werkpad.css"]
    login(client, "kees")
    assert _theme_links(client.get("/inbox").get_data(as_text=True)) == ["werkpad.css"]
    status, mimetype, text = _css(client, "werkpad")
    assert status == 200 and mimetype == "text/css"
    assert "--werkpad-kleur-600" in text


def test_a_user_of_an_organisation_with_a_theme_file_gets_it(app, accounts, client):
    accounts.create_organisation("tilburg", "Gemeente Tilburg")
    accounts.create_user("tess", PASSWORD, "Tess")
    accounts.grant("tess", "tilburg", "teamleider")
    login(client, "tess")
    html = client.get("/inbox").get_data(as_text=True)
    assert _theme_links(html) == ["werkpad.css", "tilburg.css"]
    assert 'class="voorbeeld-theme werkpad-thema thema-tilburg"' in html
    assert "VOORBEELDTHEMA" in _css(client, "tilburg")[2]


def test_an_organisation_adds_its_theme_in_the_instance_folder_without_code(werkpad, accounts, tmp_path):
    folder = tmp_path / "eigen-thema"
    folder.mkdir()
    (folder / "voorbeeldstad.css").write_text(".werkpad-thema { --werkpad-kleur-600: #00563f; }", encoding="utf-8")
    app = create_app(werkpad, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET, "PASSWORD_HASHER": FAST_HASHER,
                                      "THEME_DIR": str(folder)})
    client = app.test_client()
    login(client, "kees")
    assert _theme_links(client.get("/inbox").get_data(as_text=True)) == ["werkpad.css", "voorbeeldstad.css"]
    assert "#00563f" in _css(client, "voorbeeldstad")[2]


def test_only_plain_theme_names_are_served(client):
    for name in ("bestaat_niet", "..%2Fconfig", "Tilburg", ".verborgen"):
        assert _css(client, name)[0] == 404, name


def test_someone_working_for_several_organisations_keeps_the_werkpad_theme(accounts, client):
    accounts.create_organisation("tilburg", "Gemeente Tilburg")
    accounts.grant("aafke", "tilburg", "auditor")
    login(client, "aafke")
    assert _theme_links(client.get("/audit/").get_data(as_text=True)) == ["werkpad.css"]
