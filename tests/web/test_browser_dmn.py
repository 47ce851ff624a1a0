"""The decision-table editor (dmn-js) in Debian's chromium: a designer opens the route
table of the draft, changes a rule, saves, sees the overlap this made named (table and
rules) and marked on the rules, fixes it, and the version with the changed table goes
through the four-eyes publication. No console error: the strict Content-Security-Policy
holds on the page (the bpmn.io watermark's own style attributes are allowed by hash)."""
from __future__ import annotations

from engine import clock

from .conftest import PASSWORD
from .test_browser import _shot, page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]

RULE_2 = "regel_traject"
RULE_3 = "regel_bemiddeling"
COLUMN = "in_loonwaarde"


def _login(page, server, username):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


def _cell(page, rule: str):
    return page.locator(f'#tabel td[data-row-id="{rule}"][data-col-id="{COLUMN}"] [contenteditable]')


def _type_in(page, rule: str, text: str) -> None:
    cell = _cell(page, rule)
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.locator("#toelichting").click()  # leave the cell: dmn-js applies what was typed


def test_designer_edits_a_decision_table_sees_an_overlap_and_fixes_it(server, page, werkpad, accounts):  # noqa: F811
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)
    _login(page, server, "piet")
    page.goto(server + "/ontwerp/voorbeeld")
    page.click("text=Route op loonwaarde")
    page.wait_for_selector("#beslistabel.geladen", timeout=30000)
    assert _cell(page, RULE_3).inner_text().strip() == ">= 80"

    # loonwaarde 70 and up: rule 2 (30 <= ? < 80) and rule 3 now both match 70..79
    _type_in(page, RULE_3, ">= 70")
    page.fill("#toelichting", "Bemiddeling vanaf 70% loonwaarde")
    page.click("#bewaar")
    page.wait_for_selector("text=Bewaard, met 1 probleem.")
    problem = page.locator("#problemen li").first.inner_text()
    assert "beslistabel 'Route op loonwaarde'" in problem and "overlap" in problem
    assert "regel 2 en regel 3" in problem
    assert page.locator(f'#tabel td.probleem[data-row-id="{RULE_3}"]').count() >= 1  # both rules marked
    assert page.locator(f'#tabel td.probleem[data-row-id="{RULE_2}"]').count() >= 1
    assert page.locator('#tabel td.probleem[data-row-id="regel_participatie"]').count() == 0
    assert "Beslisregel" in page.inner_text("#tabel") and "Toelichting" in page.inner_text("#tabel")  # in Dutch
    _shot(page, "designer-beslistabel-overlap.png")
    draft = werkpad.designer.draft("voorbeeld")
    assert "&gt;= 70" in draft["record"]["files"]["voorbeeld_route.dmn"] and draft["problems"]

    # fix: rule 2 ends where rule 3 now begins
    _type_in(page, RULE_2, "30 <= ? < 70")
    page.click("#bewaar")
    page.wait_for_selector("text=Bewaard; de controles zijn in orde.")
    assert page.locator("#tabel .probleem").count() == 0
    _shot(page, "designer-beslistabel.png")
    draft = werkpad.designer.draft("voorbeeld")
    assert draft["problems"] == [] and "30 &lt;= ? &lt; 70" in draft["record"]["files"]["voorbeeld_route.dmn"]

    # Ctrl-Z in the table undoes changes step by step (dmn-js keeps typing as small steps) until
    # the rule reads as before; Ctrl-Y redoes them
    page.click('#tabel td.rule-index:has-text("2")')
    for _ in range(20):
        page.keyboard.press("Control+Z")
        if _cell(page, RULE_2).inner_text().strip() == "30 <= ? < 80":
            break
    assert _cell(page, RULE_2).inner_text().strip() == "30 <= ? < 80"
    assert "Niet bewaarde wijzigingen" in page.inner_text("#bewaar-status")
    for _ in range(20):
        page.keyboard.press("Control+Y")
        if _cell(page, RULE_2).inner_text().strip() == "30 <= ? < 70":
            break
    assert _cell(page, RULE_2).inner_text().strip() == "30 <= ? < 70"

    # publication of the version with the changed table: offered by piet, approved by joke
    page.goto(server + "/ontwerp/voorbeeld")
    page.fill("#geldig_vanaf", clock.local_date().isoformat())
    page.click("text=Aanbieden voor publicatie")
    page.wait_for_selector("text=een andere procesontwerper keurt het goed")
    page.click("text=Uitloggen")
    _login(page, server, "joke")
    page.goto(server + "/ontwerp/voorbeeld")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Goedkeuren en publiceren')")
    page.wait_for_selector("text=De nieuwe versie is gepubliceerd.")
    assert "30 &lt;= ? &lt; 70" in werkpad.designer.version_record("voorbeeld", 2)["files"]["voorbeeld_route.dmn"]
    assert not page.console_errors, page.console_errors
