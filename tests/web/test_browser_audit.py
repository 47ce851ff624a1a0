"""In Debian's chromium (Playwright): the auditor's timeline shows a decision table as an item of its
own, and the progress page of an organisation's verification follows the run live (polling the JSON
endpoint from a static script under the CSP) until it shows the result."""
from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect

from engine.app.audit_workspace import AuditorWorkspace

from . import test_browser as _browser
from .conftest import PASSWORD
from .test_audit_decisions import _to_route

server = _browser.server
page = _browser.page


def _login(page, server) -> None:
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", "aafke")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def routed(werkpad, accounts):
    return _to_route(werkpad)


def test_timeline_decision_item_and_live_verification_progress(server, page, werkpad, routed):
    _login(page, server)
    page.goto(f"{server}/audit/zaken/{routed['id']}")
    item = page.locator(".audit-tijdlijn > li.beslissing")
    assert item.count() == 1
    text = item.inner_text()
    assert "Beslistabel toegepast: Route op loonwaarde" in text
    assert "Loonwaarde (% WML)" in text and "45" in text
    assert "Regel 2: Loonwaarde 30% tot 80%: re-integratietraject" in text and "traject" in text
    _browser._shot(page, "audit-beslissing.png")

    for n, bsn in enumerate(("123456782", "100000010")):
        werkpad.start_case("voorbeeldstad", bsn, f"Klant {n}", "1980-05-01", at="2026-03-01T09:00")
    workspace = AuditorWorkspace(werkpad)
    run_id = workspace.start_run("voorbeeldstad", "aafke")
    page.goto(f"{server}/audit/controle/{run_id}")
    assert page.locator("#voortgang-tekst").inner_text().startswith("0 van 3")
    real_verify = workspace.verify_case

    def slow_verify(case_id, replay=True):  # slow enough for the page to see the run move
        time.sleep(0.8)
        return real_verify(case_id, replay)

    workspace.verify_case = slow_verify  # type: ignore[method-assign]
    runner = threading.Thread(target=workspace.execute_run, args=(run_id, 0), daemon=True)
    runner.start()
    expect(page.locator("#voortgang-tekst")).to_have_text(re.compile(r"^\s*[12] van 3 zaken"), timeout=15000)
    assert page.locator("#voortgang-balk").get_attribute("max") == "3"
    page.wait_for_selector(".uitkomst h2:has-text('Klopt')", timeout=20000)  # reloaded with the result
    assert "3 zaken gecontroleerd" in page.locator(".uitkomst").inner_text()
    _browser._shot(page, "audit-controle.png")
    runner.join(timeout=10)
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]


def test_the_access_log_in_the_browser_names_cases_by_number_and_cli_reads_in_words(server, page, werkpad):
    """The auditor's access log, as aafke uses it: who looked at Jan's case in the browser and on the
    command line, found by the case number she has from the case page; no codes or ids in the rows."""
    import getpass

    from click.testing import CliRunner

    from engine.cli import main

    from .conftest import SECRET

    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01")
    number = werkpad.get_case(case["id"])["number"]
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", "kees")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/zaken/{case['id']}")
    result = CliRunner().invoke(main, ["--database-url", werkpad.db.url, "case", "show", case["id"]],
                                env={"WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_USER": None})
    assert result.exit_code == 0, result.output
    page.context.clear_cookies()
    _login(page, server)
    page.goto(server + "/audit/logboek")
    page.fill("input[name=zaak]", number)
    page.click("button:has-text('Zoek')")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2  # kees's page (and its diagram, fetched by the page) and the command line
    text = page.locator("table").inner_text()
    assert "Zaak bekeken (opdrachtregel)" in text and f"Beheerder van de server (account {getpass.getuser()})" in text
    assert "kees" in text and "Zaak bekeken\t" in text and "Jan Jansen" in text and f"zaaknummer {number}" in text
    assert case["id"] not in text and "cli." not in text and "beheer:" not in text
    _browser._shot(page, "audit-logboek.png")
