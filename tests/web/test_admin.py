"""The administrator's pages: users of their own organisation only, every change through
Accounts (same rules as ``werkpad users``) and in the access log; one-time secrets."""
from __future__ import annotations

import re

from .conftest import PASSWORD, login, page_csrf


def _text(response) -> str:
    return response.get_data(as_text=True)


def _secret(html: str) -> str:
    match = re.search(r'id="eenmalig">([^<]+)<', html)
    assert match, "geen eenmalig geheim op de pagina"
    return match.group(1)


def test_administrator_lands_on_the_admin_page_and_others_do_not(client):
    response = login(client, "bea")
    assert response.headers["Location"].endswith("/beheer")
    assert "Kees" in _text(client.get("/beheer")) and "Anna" not in _text(client.get("/beheer"))
    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/beheer")})
    assert login(client, "kees").headers["Location"].endswith("/inbox")
    for path in ("/beheer", "/beheer/nieuw", "/beheer/gebruikers/wendy"):
        assert client.get(path).status_code == 403
    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/inbox")})
    login(client, "piet")  # process designer: no cases, the inbox says why instead of being empty
    assert 'id="geen-zaken"' in _text(client.get("/inbox"))


def test_administrator_creates_a_user_who_must_change_the_temporary_password(client, accounts):
    login(client, "bea")
    token = page_csrf(client, "/beheer/nieuw")
    # every error at once, with a summary linking to the fields
    response = client.post("/beheer/nieuw", data={"csrf_token": token, "naam": "", "gebruikersnaam": "",
                                                  "organisatie": "voorbeeldstad", "rol": "consultant"})
    assert response.status_code == 422
    body = _text(response)
    assert 'href="#naam"' in body and 'href="#gebruikersnaam"' in body and 'href="#werkvoorraad"' in body
    response = client.post("/beheer/nieuw", data={
        "csrf_token": token, "naam": "Mila Jansen", "gebruikersnaam": "mila", "organisatie": "voorbeeldstad",
        "rol": "consultant", "werkvoorraad": "consulent_handhaving"})
    assert response.status_code == 200
    temporary = _secret(_text(response))
    user = accounts.get_user("mila")
    assert user["must_change_password"] and user["roles"] == [
        {"organisation": "voorbeeldstad", "role": "consultant", "lane": "consulent_handhaving"}]
    # a foreign organisation cannot be chosen
    response = client.post("/beheer/nieuw", data={
        "csrf_token": token, "naam": "X", "gebruikersnaam": "x", "organisatie": "anderstad", "rol": "auditor"})
    assert response.status_code == 422
    log = accounts.access_log(username="bea")
    assert any(e["operation"] == "beheer.gebruiker_aanmaken" for e in log)

    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/beheer")})
    response = login(client, "mila", temporary)
    assert response.headers["Location"].endswith("/wachtwoord")
    assert client.get("/inbox").headers["Location"].endswith("/wachtwoord")  # nothing else first
    token = page_csrf(client, "/wachtwoord")
    response = client.post("/wachtwoord", data={"csrf_token": token, "huidig": temporary, "nieuw": "kort",
                                                "herhaal": "anders"})
    assert response.status_code == 422
    response = client.post("/wachtwoord", data={"csrf_token": token, "huidig": temporary,
                                                "nieuw": "mijn-eigen-wachtwoord", "herhaal": "mijn-eigen-wachtwoord"})
    assert response.status_code == 302 and "/inbox" in response.headers["Location"]
    assert client.get("/inbox").status_code == 200
    assert not accounts.get_user("mila")["must_change_password"]
    assert accounts.authenticate("mila", "mijn-eigen-wachtwoord") is not None


def test_roles_block_reset_and_tokens(client, accounts):
    login(client, "bea")
    token = page_csrf(client, "/beheer/gebruikers/kees")
    assert client.get("/beheer/gebruikers/anna").status_code == 404  # another organisation's user
    assert client.post("/beheer/gebruikers/anna/blokkeren", data={"csrf_token": token}).status_code == 404

    # the same rule as `werkpad users grant`: a consultant needs a werkvoorraad
    response = client.post("/beheer/gebruikers/kees/rollen", data={"csrf_token": token, "organisatie": "voorbeeldstad",
                                                                   "rol": "consultant", "werkvoorraad": ""})
    assert "fout=rol" in response.headers["Location"]
    client.post("/beheer/gebruikers/kees/rollen", data={"csrf_token": token, "organisatie": "voorbeeldstad",
                                                        "rol": "consultant", "werkvoorraad": "werkconsulent"})
    assert {r["lane"] for r in accounts.get_user("kees")["roles"]} == {"inkomensconsulent", "werkconsulent"}
    assert client.post("/beheer/gebruikers/kees/rollen", data={
        "csrf_token": token, "organisatie": "anderstad", "rol": "auditor"}).status_code == 403
    client.post("/beheer/gebruikers/kees/rollen/intrekken", data={
        "csrf_token": token, "organisatie": "voorbeeldstad", "rol": "consultant", "werkvoorraad": "werkconsulent"})
    assert {r["lane"] for r in accounts.get_user("kees")["roles"]} == {"inkomensconsulent"}
    page = _text(client.get("/beheer/gebruikers/kees"))
    assert "Inkomensconsulent" in page and "inkomensconsulent<" not in page

    client.post("/beheer/gebruikers/kees/blokkeren", data={"csrf_token": token, "actie": "blokkeren"})
    assert accounts.get_user("kees")["blocked"] and accounts.authenticate("kees", PASSWORD) is None
    client.post("/beheer/gebruikers/kees/blokkeren", data={"csrf_token": token, "actie": "opheffen"})
    assert not accounts.get_user("kees")["blocked"]
    # not oneself
    assert "fout=zelf" in client.post("/beheer/gebruikers/bea/blokkeren",
                                      data={"csrf_token": token}).headers["Location"]

    temporary = _secret(_text(client.post("/beheer/gebruikers/kees/wachtwoord", data={"csrf_token": token})))
    assert accounts.authenticate("kees", PASSWORD) is None
    assert accounts.authenticate("kees", temporary).must_change_password

    issued = _secret(_text(client.post("/beheer/gebruikers/kees/tokens", data={"csrf_token": token,
                                                                                "naam": "koppeling"})))
    assert accounts.principal_for_token(issued).username == "kees"
    assert issued not in _text(client.get("/beheer/gebruikers/kees"))  # shown once
    token_id = accounts.list_tokens("kees")[0]["id"]
    client.post(f"/beheer/gebruikers/kees/tokens/{token_id}/intrekken", data={"csrf_token": token})
    assert accounts.principal_for_token(issued) is None
    operations = {e["operation"] for e in accounts.access_log(username="bea")}
    assert {"beheer.rol_toekennen", "beheer.rol_intrekken", "beheer.blokkeren", "beheer.deblokkeren",
            "beheer.wachtwoord_herstellen", "beheer.token_uitgeven", "beheer.token_intrekken"} <= operations
