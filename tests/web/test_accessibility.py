"""Accessibility: axe-core (npm, run in Debian's chromium) on every page each role reaches —
consultant, teamleider, auditor, process designer and administrator, plus the login and error
pages — with no WCAG 2.1 A/AA violations allowed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from engine import clock

from . import test_browser
from .conftest import PASSWORD, ROOT
from .test_browser import _shot, serving

# the browser tests' fixtures: the app served on a free port, a chromium page
server = test_browser.server
page = test_browser.page

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.skipif(not AXE.exists(), reason="axe-core ontbreekt: npm ci")


def _violations(page) -> list[str]:
    """Runs axe on the page as it is now; one line per violated rule with the offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the pages' CSP (script-src 'self') stays as it is
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        """async tags => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          if (!result.passes.some(p => p.id === 'color-contrast') && !result.incomplete.length) {
            return ['axe checked no text contrast at all'];
          }
          return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
            + v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + n.failureSummary.replace(/\\s+/g, ' ')).join(' | '));
        }""",
        WCAG,
    )
    return [f"{page.url}: {line}" for line in found]


def _check(page, problems: list[str], url: str | None = None, wait: str | None = None) -> None:
    if url is not None:
        page.goto(url)
    if wait:
        page.wait_for_selector(wait, timeout=15000)
    problems.extend(_violations(page))


def _login(page, server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_every_page_of_every_role_passes_axe(app, server, page, werkpad):
    now = clock.now()
    jan = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=6))
    fatima = werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17",
                                at=now - timedelta(days=1))
    werkpad.complete_task(fatima["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                          at=now - timedelta(hours=20))
    werkpad.fire_due_timers(now)  # Jan's intake is late: an escalation for the teamleider
    task = jan["tasks"][0]["id"]
    with app.test_request_context():
        urls = {name: server + url_for(name, **args) for name, args in {
            "pages.inbox_page": {}, "pages.overview": {}, "pages.new_case": {}, "clienten.search": {},
            "admin.change_password": {}, "admin.users": {}, "admin.create_user": {},
            "admin.account_trail_page": {},
            "audit.search_page": {}, "audit.access_log": {}, "audit.organisation_verify": {},
        }.items()}
        task_url = server + url_for("pages.task_page", task_id=task)
        case_url = server + url_for("pages.case_page", case_id=jan["id"])
        audit_case = server + url_for("audit.case_page", case_id=fatima["id"])
        moment = server + url_for("audit.moment_page", case_id=fatima["id"], seq=2)
        user_page = server + url_for("admin.user_page", username="kees")
    problems: list[str] = []

    # anonymous: the login page, a failed login and the error page
    _check(page, problems, server + "/inloggen")
    page.fill("#gebruikersnaam", "kees")
    page.fill("#wachtwoord", "fout-wachtwoord")
    page.click("main button[type=submit]")
    _check(page, problems)
    _check(page, problems, server + "/bestaat-niet")

    # consultant
    _login(page, server, "kees")
    _check(page, problems, urls["pages.inbox_page"])
    _check(page, problems, urls["pages.inbox_page"] + "?weergave=team")
    _check(page, problems, task_url)
    page.click("button[value=afronden]")  # the form with its errors
    _check(page, problems, wait="#formulierfout")
    _check(page, problems, case_url, wait="#diagram.geladen")
    _check(page, problems, urls["pages.new_case"])
    page.click("main button[type=submit]")  # the new-case form with its errors
    _check(page, problems)
    _check(page, problems, urls["clienten.search"])
    page.fill("#naam", "Jansen")
    page.click("main button[type=submit]")
    _check(page, problems)
    _check(page, problems, urls["admin.change_password"])
    _check(page, problems, server + "/taken/bestaat-niet")

    # teamleider
    _login(page, server, "tineke")
    _check(page, problems, urls["pages.overview"])
    _check(page, problems, urls["pages.inbox_page"] + "?weergave=alle")
    _check(page, problems, task_url)

    # auditor
    _login(page, server, "aafke")
    _check(page, problems, urls["audit.search_page"])
    _check(page, problems, audit_case)
    page.click("button:has-text('Herspelen en controleren')")
    _check(page, problems, wait="#controle-titel")
    _check(page, problems, moment, wait="#diagram.geladen")
    _check(page, problems, urls["audit.organisation_verify"])
    page.locator("main form.inline button").first.click()  # the verification runs in the background
    _check(page, problems, wait=".uitkomst")  # the progress page, reloaded with the result
    _check(page, problems, urls["audit.access_log"])

    # process designer
    _login(page, server, "piet")
    _check(page, problems, urls["pages.inbox_page"])
    _check(page, problems, server + "/ontwerp/")
    _check(page, problems, server + "/ontwerp/vocabulaire")
    _check(page, problems, server + "/ontwerp/nieuw")
    _check(page, problems, server + "/ontwerp/voorbeeld")
    _check(page, problems, server + "/ontwerp/voorbeeld/formulieren/voorbeeld_diagnose",
           wait="#velden-bouwer:not([hidden])")
    page.locator('#velden-lijst [data-veld="loonwaarde_pct"] summary').click()  # a field opened to edit
    _check(page, problems)

    # administrator
    _login(page, server, "bea")
    _check(page, problems, urls["admin.users"])
    _check(page, problems, user_page)
    _check(page, problems, urls["admin.create_user"])
    page.click("button:has-text('Gebruiker aanmaken')")  # errors: name and username missing
    _check(page, problems)
    page.fill("#naam", "Mila Jansen")
    page.fill("#gebruikersnaam", "mila")
    page.select_option("#rol", "consultant")
    page.select_option("#werkvoorraad", "inkomensconsulent")
    page.click("button:has-text('Gebruiker aanmaken')")
    _check(page, problems, wait="#eenmalig")
    _check(page, problems, urls["admin.account_trail_page"])  # the account trail, with the new user in it
    _check(page, problems, urls["admin.account_trail_page"] + "?van=gisteren")  # a date error

    # and the inbox at phone width
    _login(page, server, "kees")
    page.set_viewport_size({"width": 390, "height": 844})
    _check(page, problems, urls["pages.inbox_page"] + "?weergave=team")

    assert not problems, "\n".join(problems)



@pytest.mark.parametrize("example", ["tilburg", "ijmond_werkt"])
def test_the_example_themes_pass_axe_too(werkpad, accounts, page, tmp_path, example):  # noqa: F811
    """The example huisstijlen keep the contrast. Shown here as if they were Voorbeeldstad's own:
    the theme file copied into a theme folder under the organisation's key."""
    import shutil

    from web import THEME_DIR, create_app

    from .conftest import FAST_HASHER, SECRET

    folder = tmp_path / "thema"
    folder.mkdir()
    shutil.copy(THEME_DIR / f"{example}.css", folder / "voorbeeldstad.css")
    app = create_app(werkpad, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET, "PASSWORD_HASHER": FAST_HASHER,
                                      "THEME_DIR": str(folder)})
    now = clock.now()
    werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=6))
    werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at=now - timedelta(days=1))
    with serving(app) as base:
        _login(page, base, "kees")
        problems: list[str] = []
        _check(page, problems, base + "/inbox?weergave=team")
        assert page.locator("link[data-thema=voorbeeldstad]").count() == 1
        _shot(page, f"thema-{example}.png")
        page.click("table.taken >> text=Meldingsgesprek voeren")
        page.click("button[value=afronden]")
        _check(page, problems, wait="#formulierfout")
        assert not problems, "\n".join(problems)


def test_headings_use_the_self_hosted_heading_font_of_the_example_tokens(server, page):
    """Noto Serif (the NL DS example tokens' heading font) comes from /vendor/, is loaded by
    the browser under the strict CSP (no violation in the console) and sets the headings."""
    refused: list[str] = []
    fonts: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("response", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)
    _login(page, server, "kees")
    page.goto(server + "/inbox")
    page.evaluate("document.fonts.ready")
    family = page.eval_on_selector("h1", "h => getComputedStyle(h).fontFamily")
    assert family.startswith('"Noto Serif"'), family
    assert page.evaluate("document.fonts.check('700 1em \"Noto Serif\"')")
    assert fonts and all(url.startswith(server + "/vendor/noto-serif/files/") for url in fonts)
    assert not refused, refused
    assert page.request.get(server + "/vendor/noto-serif/LICENSE").ok  # the licence travels with it
