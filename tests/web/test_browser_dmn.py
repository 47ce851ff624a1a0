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
    # a column's data type by its Dutch name, not the DMN file's "integer"
    assert page.locator("#tabel .input-variable").first.inner_text().strip() == "geheel getal"

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

    # Ctrl-Z undoes the changes until the rule reads as before (one step per edited cell, see
    # test_ctrl_z_undoes_one_edited_cell_at_a_time); Ctrl-Y redoes them
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


def _steps(page) -> int:
    """How many changes the table's command stack holds (undone ones included)."""
    return page.evaluate("() => document.getElementById('beslistabel').werkpadTabel.getActiveViewer()"
                         ".get('commandStack')._stack.length")


def _text(page, rule: str) -> str:
    return _cell(page, rule).inner_text().strip()


def test_ctrl_z_undoes_one_edited_cell_at_a_time(server, page, werkpad):  # noqa: F811
    """dmn-js writes typing into the model as it goes (a change per pause, here per key); one Ctrl-Z
    undoes the whole edit of a cell, with the focus in the cell or on the page, and Ctrl-Y redoes it;
    editing the same cell again later is a step of its own."""
    _login(page, server, "piet")
    page.goto(server + "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route")
    page.wait_for_selector("#beslistabel.geladen", timeout=30000)
    assert (_text(page, RULE_2), _text(page, RULE_3)) == ("30 <= ? < 80", ">= 80")

    _type_in(page, RULE_2, "30 <= ? < 70")
    _type_in(page, RULE_3, ">= 70")
    page.wait_for_timeout(400)  # dmn-js's last change of a cell may come after the focus left it
    assert _steps(page) >= 10  # many small changes were made ...
    page.click("h1")  # the focus on the page, outside any field
    page.keyboard.press("Control+Z")  # ... one Ctrl-Z undoes the whole edit of the last cell
    assert (_text(page, RULE_2), _text(page, RULE_3)) == ("30 <= ? < 70", ">= 80")
    page.keyboard.press("Control+Z")
    assert (_text(page, RULE_2), _text(page, RULE_3)) == ("30 <= ? < 80", ">= 80")
    page.keyboard.press("Control+Y")
    assert (_text(page, RULE_2), _text(page, RULE_3)) == ("30 <= ? < 70", ">= 80")
    page.keyboard.press("Control+Y")
    assert (_text(page, RULE_2), _text(page, RULE_3)) == ("30 <= ? < 70", ">= 70")

    # the same cell edited again is a new step; Ctrl-Z in the cell itself undoes only that edit
    cell = _cell(page, RULE_2)
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("30 <= ? < 75")
    page.wait_for_timeout(400)
    page.keyboard.press("Control+Z")
    assert _text(page, RULE_2) == "30 <= ? < 70"
    page.keyboard.press("Control+Z")
    assert (_text(page, RULE_2), _text(page, RULE_3)) == ("30 <= ? < 70", ">= 80")

    # the model says what the table shows: saved, the draft holds it
    page.click("#bewaar")
    page.wait_for_selector("#bewaar-status:has-text('Bewaard')")
    dmn = werkpad.designer.draft("voorbeeld")["record"]["files"]["voorbeeld_route.dmn"]
    assert "30 &lt;= ? &lt; 70" in dmn and "&gt;= 80" in dmn and "&gt;= 70" not in dmn and "75" not in dmn
    assert not page.console_errors, page.console_errors
