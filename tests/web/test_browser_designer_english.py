"""The designer in English, in Debian's chromium: the status and error messages the designer's scripts
show (modeler, decision-table editor) come from the catalogue like the rest of the page, so a
designer who chose English sees no Dutch message when saving, checking and publishing; dmn-js's own
labels are English too. The checks' findings and the reasons of a refusal are English as well; the
names in them (of tasks, tables, expressions) are the municipality's own words and stay as they are."""
from __future__ import annotations

import re

from engine import clock

from .conftest import PASSWORD
from .test_browser import _shot, page, server  # noqa: F401 - fixtures
from .test_browser_dmn import RULE_2, RULE_3, _cell, _type_in
from .test_browser_modeler_panel import _select

__all__ = ["page", "server"]

# words of the Dutch status messages; none may show in English
DUTCH = re.compile(r"Bewaard|Bezig|Niet bewaard|niet bewaard|probleem|problemen|controles|wijzigingen|"
                   r"Geen problemen|ontbreekt|kan niet worden|onbekend|Beslisregel|Toelichting|Regel toevoegen")


# words of the checks' Dutch texts; none may show in a finding or a refusal in English
CHECK_DUTCH = re.compile(r"beslistabel|regel|kolom|wordt|geweigerd|gebruikerstaak|eigenschap|niets|bewaard|"
                         r"syntaxfout|termijn van|expressie|toegestaan")


def _login_in_english(page, server, username):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(server + "/ontwerp/")
    if page.get_attribute("html", "lang") != "en":  # the choice is kept in a cookie
        page.click("footer button[value=en]")
    page.wait_for_selector("html[lang=en]")


def _status(page, expected: str) -> str:
    page.wait_for_selector(f"#bewaar-status:has-text({expected!r})")
    text = page.inner_text("#bewaar-status")
    assert not DUTCH.search(text), text
    return text


def test_the_designer_in_english_shows_no_dutch_messages(server, page, werkpad, accounts):  # noqa: F811
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)
    _login_in_english(page, server, "piet")

    # the modeler: a broken termijn is refused (nothing saved); a step without its form is saved with
    # a problem, then fixed; a failed save says why
    page.goto(server + "/ontwerp/voorbeeld/modeler")
    page.wait_for_selector("#modeler.geladen", timeout=30000)
    _select(page, "intake")
    assert page.locator("#ep-fase option:checked").inner_text() == "Gate (poort)"  # the phase by its name
    page.fill("#ep-termijn", '"P3D')
    page.press("#ep-termijn", "Tab")
    page.click("#bewaar")
    page.wait_for_selector("#bewaar-status:has-text('Not saved')")
    # the refusal and its reason in English: which termijn, and why the checker refuses it
    refusal = page.inner_text("#bewaar-status")
    assert refusal.startswith("Not saved: refused, nothing saved: voorbeeld.bpmn: deadline (termijn) of "), refusal
    assert "expression '\"P3D' is refused: syntax error: " in refusal, refusal
    assert not CHECK_DUTCH.search(refusal), refusal
    assert page.locator("#problemen li[data-element=intake]").inner_text().startswith("deadline (termijn) of ")
    page.fill("#ep-termijn", '"P4D"')
    page.press("#ep-termijn", "Tab")
    form = page.locator("#ep-formulier").input_value()
    page.select_option("#ep-formulier", "")
    page.click("#bewaar")
    # the intake without its form, and so the crisis route reading a field nothing gives any more
    assert _status(page, "Saved") == "Saved, with 2 problems."
    listed = page.inner_text("#problemen").split("\n")
    assert listed[0] == "user task 'Meldingsgesprek voeren' (intake) has no property 'formulier'", listed
    assert listed[1].startswith("'ja' (f_crisis) reads crisis ('crisis == True'), but no form, script"), listed
    assert not CHECK_DUTCH.search(" ".join(listed)), listed
    page.select_option("#ep-formulier", form)
    page.click("#bewaar")
    assert _status(page, "checks") == "Saved; the checks are in order."
    assert page.inner_text("#problemen") == "No problems found."
    page.route("**/ontwerp/voorbeeld/concept", lambda route: route.abort())
    page.click("#bewaar")
    assert _status(page, "Not saved") == "Not saved: the server cannot be reached"
    page.unroute("**/ontwerp/voorbeeld/concept")
    page.route("**/ontwerp/voorbeeld/concept", lambda route: route.fulfill(status=502, body="<html>Bad gateway</html>"))
    page.click("#bewaar")
    assert _status(page, "Not saved") == "Not saved: unexpected answer from the server (error 502)"
    page.unroute("**/ontwerp/voorbeeld/concept")
    _shot(page, "designer-modeler-english.png")

    # the decision table: dmn-js's labels and the status messages in English
    page.goto(server + "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route")
    page.wait_for_selector("#beslistabel.geladen", timeout=30000)
    table = page.inner_text("#tabel")
    assert "Hit policy" in table and "When" in table and "Then" in table, table
    assert "whole number" in table, table  # the column's data type (integer), named in English
    assert not DUTCH.search(table) and "Als" not in table.split() and "Dan" not in table.split(), table
    _type_in(page, RULE_3, ">= 70")  # overlaps rule 2
    _status(page, "Unsaved changes.")
    page.click("#bewaar")
    assert _status(page, "Saved") == "Saved, with 1 problem."
    overlap = page.inner_text("#problemen")
    assert overlap.startswith("decision table 'Route op loonwaarde' (voorbeeld_route) (UNIQUE): input "), overlap
    assert overlap.endswith("matches 2 rules (rule 2 and rule 3); exactly one may match (overlap)"), overlap
    _type_in(page, RULE_2, "30 <= ? < 70")
    page.click("#bewaar")
    assert _status(page, "checks") == "Saved; the checks are in order."
    assert page.inner_text("#problemen") == "No problems found."
    assert _cell(page, RULE_2).inner_text().strip() == "30 <= ? < 70"
    _shot(page, "designer-beslistabel-english.png")

    # publishing: offered by piet, approved by joke (four eyes), in English
    page.goto(server + "/ontwerp/voorbeeld")
    page.fill("#geldig_vanaf", clock.local_date().isoformat())
    page.fill("#toelichting", "Bemiddeling vanaf 70% loonwaarde")
    page.click("button:has-text('Submit for publication')")
    page.wait_for_selector("text=The draft has been submitted; another process designer approves it.")
    page.click("text=Log out")
    _login_in_english(page, server, "joke")
    page.goto(server + "/ontwerp/voorbeeld")
    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.click("button:has-text('Approve and publish')")
    page.wait_for_selector("text=The new version has been published.")
    assert questions == ["Approve and publish?"]
    assert werkpad.designer.version_record("voorbeeld", 2)
    expected = ("net::ERR_FAILED", "status of 502", "status of 422")  # the saves made to fail above
    assert [e for e in page.console_errors if not any(x in e for x in expected)] == [], page.console_errors
