"""The auditor's access-log page shows the command line's rows in words: the operation's Dutch
label (English in the English UI) and the server's operator by name, never a code."""
from __future__ import annotations

import getpass
import html

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
