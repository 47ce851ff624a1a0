"""The auditor's access-log page shows the command line's rows in words: the operation's Dutch
label (English in the English UI) and the server's operator by name, never a code."""
from __future__ import annotations

import getpass
import html
import json
import re

from click.testing import CliRunner

from engine.cli import main

from .conftest import SECRET, login, page_csrf


def _cli(werkpad, *args: str) -> None:
    result = CliRunner().invoke(main, ["--database-url", werkpad.db.url, *args],
                                env={"WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_USER": None})
    assert result.exit_code == 0, result.output


def test_the_access_log_page_names_cli_reads_and_the_operator(client, werkpad, accounts, cases):
    ours = cases["ours"]["id"]
    _cli(werkpad, "case", "show", ours, "--user", "kees")
    _cli(werkpad, "case", "history", ours)  # the server's operator
    _cli(werkpad, "case", "note", ours, "gebeld")
    login(client, "aafke")
    page = html.unescape(client.get(f"/audit/logboek?zaak={ours}").get_data(as_text=True))
    assert "Zaak bekeken (opdrachtregel)" in page and "Geschiedenis bekeken (opdrachtregel)" in page
    assert "Notitie vastgelegd (opdrachtregel)" in page
    assert f"Beheerder van de server (account {getpass.getuser()})" in page
    assert "cli.zaak" not in page and "beheer:" not in page  # no codes in front of the auditor
    assert "Jan Jansen" in page  # the client, as for the web's rows
    client.post("/taal", data={"csrf_token": page_csrf(client, "/audit/"), "taal": "en"})
    page = html.unescape(client.get(f"/audit/logboek?zaak={ours}").get_data(as_text=True))
    assert "Case viewed (command line)" in page and "History viewed (command line)" in page
    assert f"Server operator (account {getpass.getuser()})" in page


def test_account_commands_leave_an_access_log_row_as_the_beheerder_s_pages_do(client, werkpad, accounts):
    """``werkpad users …`` reads and changes accounts — people's data — as /beheer does, so each
    run writes the same access-log row (by the server's operator), shown to the auditor in words."""
    env = {"WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_USER": None, "WERKPAD_NEW_PASSWORD": "een-goed-wachtwoord-9"}

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--database-url", werkpad.db.url, "users", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("create", "joost", "--naam", "Joost Smit")
    run("grant", "joost", "voorbeeldstad", "consultant", "--lane", "werkconsulent")
    run("list", "--organisatie", "voorbeeldstad")
    run("block", "joost", "--organisatie", "voorbeeldstad")
    run("block", "joost", "--organisatie", "voorbeeldstad", "--opheffen")
    token_id = json.loads(run("token", "joost", "--naam", "koppeling", "--json"))["id"]
    run("revoke-token", "joost", str(token_id))
    run("reset-password", "joost")
    run("trail", "--persoon", "joost")
    run("revoke", "joost", "voorbeeldstad", "consultant", "--lane", "werkconsulent")
    operator = f"beheer:{getpass.getuser()}"
    rows = [r for r in accounts.access_log(username=operator)]
    assert [r["operation"] for r in reversed(rows)] == [
        "cli.beheer.gebruiker_aanmaken", "cli.beheer.rol_toekennen", "cli.beheer.gebruikers_bekijken",
        "cli.beheer.blokkeren", "cli.beheer.deblokkeren", "cli.beheer.token_uitgeven", "cli.beheer.token_intrekken",
        "cli.beheer.wachtwoord_herstellen", "cli.beheer.accountspoor_bekijken", "cli.beheer.rol_intrekken"]
    assert all(r["status"] == "ok" and r["processing_activity"] == "gebruikersbeheer" for r in rows)
    granted = next(r for r in rows if r["operation"] == "cli.beheer.rol_toekennen")
    assert granted["organisation"] == "voorbeeldstad"


def test_the_server_operator_is_named_in_words_in_the_account_trail_and_the_timelines(client, werkpad, accounts,
                                                                                     cases):
    """What the server's operator did on the command line (``cli:<account>`` in the account trail,
    ``beheer:<account>`` in the case's trail) reads as 'Beheerder van de server (account …)' on the
    beheerder's account trail, the consultant's case page and the auditor's history — never a code."""
    ours = cases["ours"]["id"]
    env = {"WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_USER": None, "WERKPAD_NEW_PASSWORD": "een-goed-wachtwoord-9"}
    for args in (["users", "create", "joost", "--naam", "Joost Smit"],
                 ["users", "grant", "joost", "voorbeeldstad", "auditor"], ["case", "note", ours, "gebeld"]):
        result = CliRunner().invoke(main, ["--database-url", werkpad.db.url, *args], env=env)
        assert result.exit_code == 0, result.output
    operator = f"Beheerder van de server (account {getpass.getuser()})"
    for user, path in (("bea", "/beheer/accountspoor"), ("kees", f"/zaken/{ours}"), ("aafke", f"/audit/zaken/{ours}")):
        login(client, user)
        page = html.unescape(client.get(path).get_data(as_text=True))
        assert operator in page, path
        shown = re.sub(r"<[^>]+>", " ", page)  # what people read (a filter's option value is no text)
        assert "cli:" not in shown and "beheer:" not in shown, path
        assert f"{operator} (" not in page, path  # no account code after the words
        client.post("/uitloggen", data={"csrf_token": page_csrf(client, path)})


def test_an_account_change_whose_access_log_row_cannot_be_written_is_not_made(client, werkpad, accounts):
    """The change and the record of who made it are one transaction: on the command line and on
    the beheerder's pages, a role is not granted, an account not blocked, when its row cannot be
    written, and the person hears so in one line or an error page — never a half-done change."""
    import sqlite3

    accounts.create_user("joost", "een-goed-wachtwoord-9", "Joost Smit")
    accounts.grant("joost", "voorbeeldstad", "consultant", "werkconsulent")
    trail_before = len(accounts.access_log(limit=10_000))
    with sqlite3.connect(werkpad.db.url.removeprefix("sqlite:///")) as con:
        con.execute("CREATE TRIGGER geen_logboek BEFORE INSERT ON access_log "
                    "BEGIN SELECT RAISE(ABORT, 'logboek dicht'); END")
    env = {"WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_USER": None}
    result = CliRunner().invoke(main, ["--database-url", werkpad.db.url, "users", "grant", "joost", "voorbeeldstad",
                                       "auditor"], env=env)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["--database-url", werkpad.db.url, "users", "block", "joost"], env=env)
    assert result.exit_code != 0 and len(result.stderr.strip().splitlines()) == 1
    joost = accounts.get_user("joost")
    assert [r["role"] for r in joost["roles"]] == ["consultant"] and not joost["blocked"]
    # the beheerder's page: the same
    login(client, "bea")
    token = page_csrf(client, "/beheer/gebruikers/joost")
    answer = client.post("/beheer/gebruikers/joost/rollen", data={"csrf_token": token, "organisatie": "voorbeeldstad",
                                                                  "rol": "auditor"})
    assert 400 <= answer.status_code < 600 and answer.status_code != 500
    assert [r["role"] for r in accounts.get_user("joost")["roles"]] == ["consultant"]
    with sqlite3.connect(werkpad.db.url.removeprefix("sqlite:///")) as con:
        con.execute("DROP TRIGGER geen_logboek")
    assert len(accounts.access_log(limit=10_000)) == trail_before
