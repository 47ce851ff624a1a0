"""Moving running cases in Debian's chromium: after a second designer published version 2,
the designer opens *Zaken overzetten*, reads the dry-run report (both cases can move,
nothing moved yet), confirms, and both cases — one in the four-week wait, one in the
three-monthly evaluation cycle — run on version 2 with the same due moments; the audit
chain verifies and the cases replay. On the real clock."""
from __future__ import annotations

from engine import clock

from .conftest import PASSWORD
from .migration_cases import waiting_and_in_traject
from .test_browser import page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]


def _login(page, server, username):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


def test_designer_moves_waiting_and_cycling_cases_in_the_browser(server, page, werkpad, accounts):  # noqa: F811
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)
    waiting, cycling = waiting_and_in_traject(werkpad, clock.now())
    due = {cid: werkpad.get_case(cid)["timers"] for cid in (waiting["id"], cycling["id"])}
    assert [t["spec"] for t in due[waiting["id"]]] == ["inspanningsperiode"]
    assert [t["spec"] for t in due[cycling["id"]]] == ["evaluatiecyclus"]

    # version 2: saved by piet, approved by joke (the four eyes are tested in the other browser tests)
    xml = werkpad.designer.working_record("voorbeeld")["files"]["voorbeeld.bpmn"]
    werkpad.designer.save_draft("voorbeeld", "piet", files={"voorbeeld.bpmn": xml.replace(
        'name="Traject evalueren"', 'name="Traject evalueren (nieuw beleid)"')}, change_note="nieuw beleid")
    werkpad.designer.offer("voorbeeld", "piet", clock.local_date(), "nieuw beleid")
    werkpad.designer.approve("voorbeeld", "joke")

    _login(page, server, "piet")
    page.goto(server + "/ontwerp/voorbeeld")
    page.click("tr:has-text('versie 2') >> text=Zaken overzetten")
    page.wait_for_selector("text=Er is nog niets veranderd.")
    rows = page.locator("table.taken tbody tr")
    assert rows.count() == 2
    assert rows.filter(has_text="Jan Jansen").locator(".label.ok").count() == 1
    assert rows.filter(has_text="Fatima el Amrani").locator(".label.ok").count() == 1
    assert page.locator("input[name=zaak]:checked").count() == 2
    # each row names the case by its number too (one client may have two cases)
    assert rows.filter(has_text="Jan Jansen").inner_text().count(werkpad.get_case(waiting["id"])["number"]) == 1
    # nothing ticked moves nothing: an empty choice is not "all"
    for box in page.locator("input[name=zaak]").all():
        box.uncheck()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Gekozen zaken overzetten")
    page.wait_for_selector("text=Er is geen zaak gekozen; er is niets overgezet.")
    assert all(werkpad.case_history(cid)[-1]["type"] != "version_migrated" for cid in (waiting["id"], cycling["id"]))
    assert page.locator("input[name=zaak]:checked").count() == 2  # the list again, as it was
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Gekozen zaken overzetten")
    page.wait_for_selector("text=2 zaken zijn overgezet.")
    # the process page's history names each moved case by its number and the versions
    history = page.locator("li:has-text('zaak overgezet')").all_inner_texts()
    assert sorted(h.split(" — ")[-1] for h in history) == sorted(
        f"zaak {werkpad.get_case(cid)['number']} van versie 1 naar versie 2" for cid in (waiting["id"], cycling["id"]))
    assert page.locator("tr.huidige-versie td.getal").inner_text().strip() == "2"

    for cid in (waiting["id"], cycling["id"]):
        case = werkpad.get_case(cid)
        assert case["timers"] == due[cid]  # same timers, same due moments
        assert werkpad.case_history(cid)[-1]["type"] == "version_migrated"
        assert werkpad.replay_case(cid)["match"] is True
    assert werkpad.verify_audit()["ok"] is True
    assert not page.console_errors, page.console_errors
