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

    client.post("/beheer/gebruikers/kees/blokkeren", data={"csrf_token": token, "actie": "blokkeren",
                                                           "organisatie": "voorbeeldstad"})
    # blocked in the one organisation kees belongs to: he cannot log in any more
    assert accounts.get_user("kees")["blocked_in"] == ["voorbeeldstad"] and accounts.authenticate("kees", PASSWORD) is None
    client.post("/beheer/gebruikers/kees/blokkeren", data={"csrf_token": token, "actie": "opheffen",
                                                           "organisatie": "voorbeeldstad"})
    assert accounts.get_user("kees")["blocked_in"] == [] and accounts.authenticate("kees", PASSWORD) is not None
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


def test_blocking_in_one_organisation_leaves_the_other(client, accounts, werkpad):
    """Kees works in Voorbeeldstad and Anderstad; Bea (administrator of Voorbeeldstad) blocks
    him: his Voorbeeldstad roles stop at once — also in a running session and for his API
    token — his Anderstad role keeps working."""
    accounts.grant("kees", "anderstad", "consultant", "werkconsulent")
    api_token = accounts.create_token("kees", "koppeling")["token"]
    kees = client.application.test_client()
    login(kees, "kees")
    assert kees.get("/inbox").status_code == 200
    login(client, "bea")
    token = page_csrf(client, "/beheer/gebruikers/kees")
    page = _text(client.get("/beheer/gebruikers/kees"))
    assert "Blokkeren in Gemeente Voorbeeldstad" in page and "Anderstad" not in page.split("Account")[-1]
    # an organisation bea does not manage cannot be chosen
    assert client.post("/beheer/gebruikers/kees/blokkeren", data={
        "csrf_token": token, "actie": "blokkeren", "organisatie": "anderstad"}).status_code == 403
    client.post("/beheer/gebruikers/kees/blokkeren", data={"csrf_token": token, "actie": "blokkeren",
                                                           "organisatie": "voorbeeldstad"})
    assert accounts.get_user("kees")["blocked_in"] == ["voorbeeldstad"]
    assert not accounts.get_user("kees")["blocked"]
    principal = accounts.authenticate("kees", PASSWORD)
    assert principal is not None and principal.organisations == ["anderstad"]
    assert accounts.principal_for_token(api_token).organisations == ["anderstad"]
    assert kees.get("/inbox").status_code == 200  # the session lives on, with Anderstad only
    assert "kees" not in {c["username"] for c in accounts.colleagues("voorbeeldstad", "inkomensconsulent")}
    assert "kees" in {c["username"] for c in accounts.colleagues("anderstad", "werkconsulent")}
    assert "geblokkeerd in Gemeente Voorbeeldstad" in _text(client.get("/beheer/gebruikers/kees"))
    # the system administrator's global block ends everything
    accounts.block("kees", actor="cli:root")
    assert accounts.authenticate("kees", PASSWORD) is None and kees.get("/inbox").status_code == 302
    assert accounts.principal_for_token(api_token) is None


def test_account_changes_are_in_the_account_trail(client, accounts, werkpad):
    from engine.app.account_trail import list_trail, verify_trail

    login(client, "bea")
    token = page_csrf(client, "/beheer/nieuw")
    response = client.post("/beheer/nieuw", data={
        "csrf_token": token, "naam": "Mila Jansen", "gebruikersnaam": "mila", "organisatie": "voorbeeldstad",
        "rol": "auditor", "werkvoorraad": ""})
    temporary = _secret(_text(response))
    client.post("/beheer/gebruikers/mila/blokkeren", data={"csrf_token": token, "actie": "blokkeren",
                                                           "organisatie": "voorbeeldstad"})
    client.post("/beheer/gebruikers/mila/blokkeren", data={"csrf_token": token, "actie": "opheffen",
                                                           "organisatie": "voorbeeldstad"})
    issued = _secret(_text(client.post("/beheer/gebruikers/mila/tokens", data={"csrf_token": token,
                                                                                "naam": "koppeling"})))
    rows = list_trail(werkpad.db, ["voorbeeldstad"], person="mila")
    assert [r["action"] for r in reversed(rows)] == [
        "gebruiker_aangemaakt", "rol_toegekend", "geblokkeerd", "blokkade_opgeheven", "token_uitgegeven"]
    assert {r["actor"] for r in rows} == {"bea"} and {r["subject"] for r in rows} == {"mila"}
    assert rows[-1]["organisation"] == "voorbeeldstad" and rows[-2]["details"] == {"rol": "auditor"}
    # never a password or a token, not even in the raw table
    with werkpad.db.engine.connect() as conn:
        raw = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM account_events") for v in row)
    assert temporary not in raw and issued not in raw
    assert list_trail(werkpad.db, ["anderstad"], person="mila") == []  # other organisations do not see it
    assert verify_trail(werkpad.db)["ok"]

    # administrators and auditors of the organisation read it; filters by person and date
    page = _text(client.get("/beheer/accountspoor?persoon=mila"))
    assert "Gebruiker aangemaakt" in page and "API-token uitgegeven" in page and "Mila Jansen" in page
    assert "ongeschonden" in page and "token “koppeling”" in page
    assert "Gebruiker aangemaakt" not in _text(client.get("/beheer/accountspoor?persoon=mila&van=2999-01-01"))
    assert client.get("/beheer/accountspoor?van=gisteren").status_code == 422
    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/beheer")})
    login(client, "aafke")  # auditor
    assert "Gebruiker aangemaakt" in _text(client.get("/beheer/accountspoor"))
    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/inbox")})
    login(client, "kees")  # a consultant may not
    assert client.get("/beheer/accountspoor").status_code == 403
    client.post("/uitloggen", data={"csrf_token": page_csrf(client, "/inbox")})
    login(client, "anna")  # nor anyone of another organisation (anna is a consultant there)
    assert client.get("/beheer/accountspoor").status_code == 403

    # a record edited afterwards is found
    with werkpad.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE account_events SET actor = 'iemand' WHERE seq = 2")
    result = verify_trail(werkpad.db)
    assert not result["ok"] and result["findings"][0]["seq"] == 2 and "veranderd" in result["findings"][0]["reason"]


def test_the_werkvoorraden_of_the_organisations_processes_come_first(client):
    """Granting a consultant's role offers first the werkvoorraden Voorbeeldstad's process gives
    tasks to (its lanes), then the others: not thirty roles of other municipalities in one list."""
    login(client, "bea")
    for path in ("/beheer/nieuw", "/beheer/gebruikers/kees"):
        body = _text(client.get(path))
        groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', body, re.S)
        assert [label for label, _ in groups] == ["In de processen van Gemeente Voorbeeldstad",
                                                  "Andere werkvoorraden"], path
        first = re.findall(r'<option value="([^"]+)"', groups[0][1])
        assert first == ["inkomensconsulent", "teamleider", "werkconsulent"], first  # by name
        assert "jobhunter" in groups[1][1] and "werkconsulent" not in groups[1][1]
