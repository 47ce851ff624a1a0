"""The process designer end to end in Debian's chromium (Playwright): open the modeler,
rename a task, break the draft (a user task without a form) and see the problem marked on
the diagram, fix it, offer it, let a second designer approve and publish it, and see a new
case start on the new version while a running case stays on the old one. Screenshots of
the modeler, a difference and a dry run (to docs/screenshots/ with WERKPAD_SCREENSHOTS=1)."""
from __future__ import annotations

from datetime import timedelta

from engine import clock

from .conftest import PASSWORD
from .test_browser import _shot, page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]


def _login(page, server, username):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


def _approve(page, server, designer: str, process: str, version: str) -> None:
    """The second designer opens the process, approves the offered draft and sees it as the current version."""
    _login(page, server, designer)
    page.click(f"text={process}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Goedkeuren en publiceren')")
    page.wait_for_selector("text=De nieuwe versie is gepubliceerd.")
    assert page.locator("tr.huidige-versie", has_text=version).count() == 1


def test_designer_models_checks_and_publishes_with_a_second_designer(server, page, werkpad, accounts):  # noqa: F811
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)
    now = clock.now()
    running = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=1))

    _login(page, server, "piet")
    assert page.url.endswith("/ontwerp/")
    page.click("text=Voorbeeldstad — Participatiewet")
    page.click("text=Nieuw concept maken")
    page.wait_for_selector("#modeler.geladen", timeout=30000)
    # a lane is drawn with its role's name (as on the case page); the model keeps the role's key
    lane = page.locator('#canvas g.djs-element[data-element-id="Lane_inkomen"] text').first
    assert lane.text_content() == "Inkomensconsulent"

    # rename the intake in the properties panel and take its form away: the check fails
    page.click('#canvas g.djs-element[data-element-id="intake"]')
    page.click(".bio-properties-panel-group-header:has-text('Algemeen')")  # bpmn-js's "General", in Dutch
    page.wait_for_selector("#bio-properties-panel-name")
    page.fill("#bio-properties-panel-name", "Kennismakingsgesprek voeren")
    page.wait_for_timeout(400)  # the panel applies typed text after a short pause
    assert page.input_value("#ep-formulier") == "voorbeeld_intake"
    page.select_option("#ep-formulier", "")
    page.fill("#toelichting", "Intake heet voortaan kennismakingsgesprek")
    page.click("#bewaar")
    # the intake without its form, and so the crisis route reading a field of that form that nothing gives now
    page.wait_for_selector("text=Bewaard, met 2 problemen.")
    assert page.locator('#problemen li[data-element="intake"]').count() == 1
    assert page.locator('#problemen li[data-element="f_crisis"]').count() == 1
    assert page.locator('#canvas g.djs-element.probleem[data-element-id="intake"]').count() == 1
    assert page.locator('#canvas g.djs-element.probleem[data-element-id="f_crisis"]').count() == 1
    assert page.locator("#canvas .probleem-teken").count() == 2
    _shot(page, "designer-modeler.png")

    # fix it: the problem in the list selects its step; choose the form again
    page.click('#canvas g.djs-element[data-element-id="start"]')
    page.click('#problemen li[data-element="intake"]')
    page.select_option("#ep-formulier", "voorbeeld_intake")
    page.click("#bewaar")
    page.wait_for_selector("text=Bewaard; de controles zijn in orde.")
    assert page.locator("#canvas g.djs-element.probleem").count() == 0
    draft = werkpad.designer.draft("voorbeeld")
    saved = draft["record"]["files"]["voorbeeld.bpmn"]
    assert "Kennismakingsgesprek voeren" in saved and draft["problems"] == []
    assert 'name="inkomensconsulent"' in saved and "Inkomensconsulent" not in saved

    page.click("nav.submenu >> text=Verschil")
    page.wait_for_selector(".diagram.vergelijk.geladen >> nth=1", timeout=30000)
    assert page.locator(".diagram.vergelijk .djs-element.gewijzigd").count() == 2  # the intake on both sides
    assert "naam: Meldingsgesprek voeren → Kennismakingsgesprek voeren" in page.content()
    # both versions name their lanes by role and zoom like the case page's diagram
    old_lane = page.locator('.diagram.vergelijk >> nth=0').locator('g.djs-element[data-element-id="Lane_inkomen"] text')
    assert old_lane.first.text_content() == "Inkomensconsulent"
    assert page.locator(".diagram-knoppen").count() == 2
    _shot(page, "designer-verschil.png")

    page.click("nav.submenu >> text=Proefrit")
    page.wait_for_selector(".diagram.proefrit.geladen", timeout=60000)
    assert page.locator(".diagram.proefrit .djs-element.gedaan").count() >= 2
    assert page.locator(".diagram.proefrit .djs-element.timer").count() >= 1
    # the walked steps carry a check mark (a process coloured per role may use the path's green)
    walked = page.locator(".diagram.proefrit .djs-element.gedaan, .diagram.proefrit .djs-element.timer").count()
    assert page.locator(".diagram.proefrit .gedaan-teken").count() == walked
    assert page.locator('.diagram.proefrit g.djs-element[data-element-id="Lane_werk"] text').first.text_content() \
        == "Werkconsulent"
    zoom = page.evaluate("() => document.querySelector('.diagram-knoppen').nextElementSibling === "
                         "document.querySelector('.diagram.proefrit')")
    assert zoom  # the zoom and pan buttons stand right above the dry run's diagram
    _shot(page, "designer-proefrit.png")

    # offer it from today; piet cannot approve his own draft
    page.goto(server + "/ontwerp/voorbeeld")
    page.fill("#geldig_vanaf", clock.local_date().isoformat())
    page.fill("textarea#toelichting", "Intake heet voortaan kennismakingsgesprek")
    page.click("text=Aanbieden voor publicatie")
    page.wait_for_selector("text=een andere procesontwerper keurt het goed")
    assert page.locator("text=Goedkeuren en publiceren").count() == 0
    page.click("text=Uitloggen")

    _approve(page, server, "joke", "Voorbeeldstad — Participatiewet", "versie 2")

    fresh = werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17")
    assert fresh["tasks"][0]["name"] == "Kennismakingsgesprek voeren"
    assert werkpad.get_case(running["id"])["tasks"][0]["name"] == "Meldingsgesprek voeren"
    rows = page.locator("table.versies tbody tr")
    page.reload()
    assert "1" in rows.nth(1).locator("td.getal").inner_text()  # Jan still runs on version 1
    # no console error: the build gives bpmn-js's align icons SVG attributes instead of inline
    # styles, which the strict Content-Security-Policy would refuse (tests/web/test_browser_modeler_panel.py)
    assert not page.console_errors, page.console_errors


def test_designer_makes_a_new_process_and_a_consultant_works_it(server, page, werkpad, accounts):  # noqa: F811
    """A new process from the designer's home page: the form, the first draft in the modeler
    (a start, a first task, an end, drawn), a task added there, four eyes, then a melding on it
    chosen from the consultant's list and its first task worked on the task page."""
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)
    _login(page, server, "piet")
    page.click("text=Nieuw proces")
    page.click("text=Proces maken")  # nothing filled in: each field says what is missing
    page.wait_for_selector("#fout-naam")
    assert page.locator("#fout-gemeenten, #fout-rol").count() == 1  # the one municipality is ticked already
    page.console_errors.clear()  # that refusal answered 422, as it should
    page.goto(server + "/ontwerp/nieuw")
    page.fill("#naam", "Bezwaar en beroep")
    page.select_option("#rol", "inkomensconsulent")
    _shot(page, "designer-nieuw-proces.png")
    page.click("text=Proces maken")
    page.wait_for_selector("text=Het nieuwe proces is gemaakt als concept")
    assert page.locator("text=Nog geen versie").count() == 1
    # a second form for the process: made from its title, opened in the form builder
    page.fill("#nieuw-formulier", "Besluit op bezwaar")
    page.click("button:has-text('Formulier maken')")
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    assert "bezwaar_en_beroep_besluit_op_bezwaar" in page.url
    page.goto(server + "/ontwerp/bezwaar_en_beroep")
    page.click("text=Concept bewerken")
    page.wait_for_selector("#modeler.geladen", timeout=30000)
    assert page.locator('#canvas g.djs-element[data-element-id="eerste_gesprek"]').count() == 1
    assert page.locator('#canvas g.djs-element[data-element-id="Lane_1"] text').first.text_content() \
        == "Inkomensconsulent"
    page.click('#canvas g.djs-element[data-element-id="eerste_gesprek"]')
    page.click(".bio-properties-panel-group-header:has-text('Algemeen')")
    page.wait_for_selector("#bio-properties-panel-name")
    page.fill("#bio-properties-panel-name", "Bezwaar ontvangen en bevestigen")
    offered = page.locator("#ep-formulier option").evaluate_all("os => os.map(o => o.value)")
    assert "bezwaar_en_beroep_besluit_op_bezwaar" in offered and "bezwaar_en_beroep_eerste_gesprek" in offered
    assert not [f for f in offered if f.startswith("voorbeeld_")], offered  # not another process's forms
    page.wait_for_timeout(400)
    page.fill("#toelichting", "Eerste versie")
    page.click("#bewaar")
    page.wait_for_selector("text=Bewaard; de controles zijn in orde.")
    page.goto(server + "/ontwerp/bezwaar_en_beroep")
    page.fill("#geldig_vanaf", clock.local_date().strftime("%d-%m-%Y"))
    page.fill("textarea#toelichting", "Eerste versie van bezwaar en beroep")
    page.click("text=Aanbieden voor publicatie")
    page.wait_for_selector("text=een andere procesontwerper keurt het goed")
    page.click("text=Uitloggen")

    _approve(page, server, "joke", "Bezwaar en beroep", "versie 1")
    page.click("text=Uitloggen")

    _login(page, server, "kees")
    page.goto(server + "/melding")
    page.select_option("#gemeente", "voorbeeldstad|bezwaar_en_beroep")
    page.fill("#naam", "Jan de Vries")
    page.fill("#bsn", "111222333")
    page.fill("#geboortedatum", "14-03-1979")
    page.click("button:has-text('Melding registreren')")
    page.wait_for_selector("text=Bezwaar ontvangen en bevestigen")
    page.goto(server + "/inbox?weergave=team")
    page.click("a:has-text('Bezwaar ontvangen en bevestigen')")
    page.check("input[name=gesprek_gevoerd][value=ja]")
    page.fill("textarea[name=toelichting]", "Bezwaar ontvangen, ontvangstbevestiging verstuurd.")
    with page.expect_navigation():
        page.click("button[value=afronden]")
    from sqlalchemy import select

    from engine.storage import CaseRow

    with werkpad.db.unit_of_work(write=False) as uow:
        statuses = uow.session.scalars(select(CaseRow.status).where(CaseRow.process_key == "bezwaar_en_beroep")).all()
    assert statuses == ["completed"]
    assert not page.console_errors, page.console_errors
