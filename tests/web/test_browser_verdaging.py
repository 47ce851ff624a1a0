"""The verdaging on the case page in Debian's chromium (Tilburg's process, whose aanvraag waits for it)."""
from __future__ import annotations

from datetime import date, timedelta

from .conftest import PASSWORD
from .test_browser import page, serving  # noqa: F401 - fixture
from .test_verdaging import tilburg  # noqa: F401 - fixture

__all__ = ["page", "tilburg"]


def test_de_verdaging_in_de_browser_opent_onder_haar_knop(tilburg, page):  # noqa: F811 - fixtures
    """In Debian's chromium: the verdaging's three fields are folded under its button like the other
    messages; opened, filled in day-month-year and recorded, the case page says so and names the
    new date; a refused one (a second time) opens the fields again with the reason."""
    wp, client, case_id = tilburg
    with serving(client.application) as server:
        page.goto(server + "/inloggen")
        page.fill("#gebruikersnaam", "kees")
        page.fill("#wachtwoord", PASSWORD)
        page.click("main form button[type=submit]")
        page.goto(server + f"/zaken/{case_id}")
        assert not page.locator("#verdaging-reden").is_visible()  # folded
        page.click("summary:has-text('Beslistermijn verdagen')")
        page.fill("#verdaging-reden", "Advies van de arbeidsdeskundige is nodig")
        new = date.today() + timedelta(weeks=12)
        page.fill("#verdaging-datum", new.strftime("%d-%m-%Y"))
        page.fill("#verdaging-brief", date.today().strftime("%d-%m-%Y"))
        page.click("button:has-text('Verdaging vastleggen')")
        page.wait_for_url("**melding=verdaagd")
        assert "Advies van de arbeidsdeskundige is nodig" in page.inner_text("main")
        assert page.locator("summary:has-text('Beslistermijn verdagen')").count() == 1  # offered still: refused now
        page.click("summary:has-text('Beslistermijn verdagen')")
        page.fill("#verdaging-reden", "Nog eens")
        page.fill("#verdaging-datum", (new + timedelta(weeks=2)).strftime("%d-%m-%Y"))
        page.fill("#verdaging-brief", date.today().strftime("%d-%m-%Y"))
        page.click("button:has-text('Verdaging vastleggen')")
        page.wait_for_url("**fout=verdaging*")
        assert "eenmaal verdaagd" in page.inner_text("main")
        assert page.locator("#verdaging-reden").is_visible()  # opened again with the reason above it
        assert not page.console_errors, page.console_errors
