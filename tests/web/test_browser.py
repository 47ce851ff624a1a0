"""End to end in Debian's chromium (Playwright): log in, find a task, submit
its form with an error and then correctly, see the next task appear and the
diagram's highlight move. Saves screenshots (to docs/screenshots/ with WERKPAD_SCREENSHOTS=1)."""
from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine import clock

from .conftest import PASSWORD, ROOT

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# The README's screenshots are refreshed with WERKPAD_SCREENSHOTS=1; otherwise a test run
# writes them to a temporary folder and leaves the work tree clean.
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("WERKPAD_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "werkpad-screenshots")


@contextlib.contextmanager
def serving(app):
    """The app served on a free loopback port in a thread, for as long as the block runs: its base URL."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def server(app):
    with serving(app) as base:
        yield base


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="nl-NL")
        pg = context.new_page()
        errors: list[str] = []
        pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.console_errors = errors
        yield pg
        browser.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SCREENSHOTS / name)), full_page=True)


def _diagram_state(page) -> tuple[str, str]:
    page.wait_for_selector("#diagram.geladen", timeout=15000)
    diagram = page.locator("#diagram")
    return diagram.get_attribute("data-huidig"), diagram.get_attribute("data-gedaan")


def test_consultant_completes_a_task_with_an_error_first(server, page, werkpad):
    now = clock.now()
    jan_case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=1))
    werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at=now - timedelta(days=5))
    werkpad.start_case("anderstad", "100000010", "Els Anders", "1975-02-03")
    # Piet's four weeks of self-search are over: his rechtmatigheidsgesprek is open.
    piet = werkpad.start_case("voorbeeldstad", "100000022", "Piet de Boer", "1968-03-09", at=now - timedelta(days=40))
    werkpad.complete_task(piet["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                          at=now - timedelta(days=39))
    werkpad.fire_due_timers(now)

    page.goto(server + "/inbox")
    assert "/inloggen" in page.url
    page.fill("#gebruikersnaam", "kees")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Taken van mijn team")
    rows = page.locator("table.taken tbody tr")
    assert rows.count() == 3
    assert "Els Anders" not in page.content()
    assert page.locator("tr.te_laat").count() == 1  # Fatima's intake was due two days ago
    _shot(page, "inbox.png")

    # Claim Jan's task; it moves to "Mijn taken".
    jan = page.locator("tr", has_text="Jan Jansen")
    jan.locator("button", has_text="Oppakken").click()
    page.wait_for_selector("text=De taak staat nu op jouw naam.")
    page.click("text=Mijn taken")
    page.click("table.taken >> text=Meldingsgesprek voeren")

    # Submit with the required woonsituatie missing: inline error, typed text kept.
    page.check("input[name=crisis][value=nee]")
    page.fill("#veld-toelichting", "Woont tijdelijk bij een vriend.")
    page.click("button[value=afronden]")
    error = page.locator("#blok-woonsituatie .veldfout")
    assert error.inner_text() == "Dit veld is verplicht."
    assert page.input_value("#veld-toelichting") == "Woont tijdelijk bij een vriend."
    assert page.is_checked("input[name=crisis][value=nee]")
    _shot(page, "taak-met-fout.png")
    _fields_stacked(page)

    page.check("input[name=woonsituatie][value=inwonend]")
    page.click("button[value=afronden]")
    page.wait_for_selector("text=De taak is afgerond.")
    # no next task for kees: back in the inbox, told what happens next
    assert "De zaak van Jan Jansen wacht nu op: Vier weken zelf zoeken" in page.locator("#vervolg").inner_text()
    page.goto(server + f"/zaken/{jan_case['id']}")
    current, done = _diagram_state(page)
    assert current == "inspanningsperiode" and done == "intake"  # the case stands at its four-week wait

    # Piet's rechtmatigheidsgesprek: a wrong number first, then right; the diagnose appears.
    page.goto(server + "/inbox?weergave=team")
    page.click("tr:has-text('Piet de Boer') >> text=Rechtmatigheidsgesprek voeren")
    page.check("input[name=recht_op_bijstand][value=ja]")
    page.fill("#veld-sollicitaties", "veel")
    page.click("button[value=afronden]")
    assert "Vul een geheel getal in." in page.locator("#blok-sollicitaties").inner_text()
    page.fill("#veld-sollicitaties", "16")
    page.click("button[value=afronden]")
    page.wait_for_selector("text=De taak is afgerond.")
    assert "Diagnose en loonwaarde-inschatting door Werkconsulent" in page.locator("#vervolg").inner_text()
    page.goto(server + f"/zaken/{piet['id']}")
    assert page.locator(".openlijst", has_text="Diagnose en loonwaarde-inschatting").count() == 1
    current, done = _diagram_state(page)
    assert current == "diagnose" and done == "intake rechtmatigheid"
    assert page.locator("#diagram .djs-element.huidig").count() == 1
    assert page.locator("#diagram .djs-element.gedaan").count() == 2
    assert "100000022" in page.content()  # the full BSN on the case's own page
    _shot(page, "zaak.png")
    unexpected = [e for e in page.console_errors if "status of 422" not in e]  # 422: the refused form posts
    assert not unexpected, unexpected


def test_teamleider_assigns_and_sees_the_overview(server, page, werkpad):
    now = clock.now()
    first = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=6))
    werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at=now - timedelta(days=1))
    werkpad.fire_due_timers(now)  # Jan's intake is late: the escalation task for the teamleider appears
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", "tineke")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Teamoverzicht")
    # Jan's intake and the escalation about it are both late; Fatima's intake is not yet
    assert page.locator("h2").first.inner_text() == "Gemeente Voorbeeldstad — 3 open taken, 2 te laat"
    page.goto(server + f"/taken/{first['tasks'][0]['id']}")
    page.select_option("#collega", "kees")
    page.click("button:has-text('Toewijzen')")
    page.wait_for_selector("text=De taak is toegewezen.")
    assert werkpad.get_task(first["tasks"][0]["id"])["claimed_by"] == "kees"
    page.click("text=Teamoverzicht")
    assert page.locator("table.cijfers td", has_text="kees").count() == 1
    assert page.evaluate("Array.from(document.querySelectorAll('.overzicht section'))"
                         ".every(s => s.scrollWidth <= s.clientWidth)")
    _names_whole(page)
    _shot(page, "teamoverzicht.png")


def _fields_stacked(page) -> None:
    """Each form field reads top to bottom in one column: its label, its explanation, its error, its input.
    The design system's stylesheet once gave the explanation a grid area of its own, which put a
    text field's label beside its box instead of above it."""
    beside = page.evaluate("""Array.from(document.querySelectorAll('.formulier .veld')).filter(v => {
        const parts = Array.from(v.children).filter(c => c.getClientRects().length > 0);
        return parts.some((c, i) => i > 0 && c.getBoundingClientRect().top < parts[i - 1].getBoundingClientRect().bottom - 1
                          || Math.abs(c.getBoundingClientRect().left - parts[0].getBoundingClientRect().left) > 1);
    }).map(v => v.id)""")
    assert page.locator(".formulier .veld").count() >= 3
    assert beside == []


def _names_whole(page) -> None:
    """A name of one word (a werkvoorraad such as 'Inkomensconsulent') stays on one line in its card:
    the table once shrank that column and split the word mid-way."""
    split = page.evaluate("""Array.from(document.querySelectorAll('.cijfers td:first-child a'))
        .filter(a => !/\\s/.test(a.textContent.trim()) && a.getClientRects().length > 1)
        .map(a => a.textContent.trim())""")
    assert page.locator(".cijfers td:first-child a").count() > 0
    assert split == []


@pytest.fixture
def every_organisation(tmp_path):
    """All processes of processes/ deployed, one running case per process (its first open task),
    and one auditor who may read the cases of every organisation."""
    from engine import Werkpad
    from engine.app.accounts import Accounts
    from engine.tools.demo import _more_clients
    from web import create_app

    from .conftest import FAST_HASHER, SECRET

    wp = Werkpad(f"sqlite:///{tmp_path / 'alle.sqlite'}", processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy()
    acc = Accounts(wp, SECRET, FAST_HASHER)
    acc.create_user("lezer", PASSWORD, "Lezer")
    clients = _more_clients(7)
    cases: dict[str, list[str]] = {}
    for proc in wp.list_processes():
        org = proc["organisation"]
        acc.create_organisation(org, org)
        acc.grant("lezer", org, "auditor")
        bsn, name, born = next(clients)
        case = wp.start_case(sorted(proc["municipalities"])[0], bsn, name, born, process=proc["process"],
                             at=clock.now() - timedelta(hours=1))
        if wp.get_case(case["id"])["tasks"]:
            cases.setdefault(org, []).append(case["id"])
    app = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET, "PASSWORD_HASHER": FAST_HASHER})
    yield app, cases
    wp.db.dispose()


def test_the_current_step_is_in_view_for_every_organisation(every_organisation, page):
    app, cases = every_organisation
    assert len(cases) >= 8, cases  # the eight organisations of the seeds plus the example
    with serving(app) as server:
        page.goto(server + "/inloggen")
        page.fill("#gebruikersnaam", "lezer")
        page.fill("#wachtwoord", PASSWORD)
        page.click("button[type=submit]")
        for org, ids in sorted(cases.items()):
            page.goto(server + f"/zaken/{ids[0]}")
            current, _done = _diagram_state(page)
            assert current, org
            frame = page.locator("#diagram").bounding_box()
            # the step the diagram opens at: the first current one (an open task before a wait beside it)
            first = current.split()[0]
            assert page.locator(f'#diagram .djs-element.huidig[data-element-id="{first}"]').count() == 1, org
            shape = page.locator(f'#diagram .djs-element[data-element-id="{first}"]').first.bounding_box()
            assert shape is not None, org
            inside = (shape["x"] >= frame["x"] and shape["y"] >= frame["y"]
                      and shape["x"] + shape["width"] <= frame["x"] + frame["width"]
                      and shape["y"] + shape["height"] <= frame["y"] + frame["height"])
            assert inside, (org, frame, shape)
            # readable: a task is drawn at least 60% of its natural 100 px width
            assert shape["width"] >= 36 * 0.6, (org, shape)
            if org == "tilburg":
                _shot(page, "zaak-tilburg.png")
        # sub-processes open on click (bpmn-js drill-down) and the breadcrumb leads back
        page.goto(server + f"/zaken/{cases['tilburg'][0]}")
        _diagram_state(page)
        # zoom with the mouse wheel and the buttons
        viewport = page.locator("#diagram svg g.viewport").first
        before = viewport.get_attribute("transform")
        page.hover("#diagram")
        page.mouse.wheel(0, -400)
        page.wait_for_function("t => document.querySelector('#diagram svg g.viewport').getAttribute('transform') !== t",
                               arg=before)
        zoomed = viewport.get_attribute("transform")
        page.click(".diagram-knoppen button[title='Uitzoomen']")
        assert viewport.get_attribute("transform") != zoomed
        page.click(".diagram-knoppen button[title='Toon de huidige stap']")
        assert viewport.get_attribute("transform") == before
        page.click("#diagram button.diagram-knoppen-geheel, .diagram-knoppen button[title='Toon het hele proces']")
        # the process files carry their own layout (BPMN DI) with the event sub-processes drawn open;
        # a collapsed sub-process (drawn in a plane of its own) would open on click
        drill = page.locator("#diagram .bjs-drilldown").first
        if drill.count():
            drill.click()
            assert page.locator("#diagram .bjs-breadcrumbs li").count() == 2
            page.locator("#diagram .bjs-breadcrumbs li a").first.click()
        assert page.locator("#diagram .djs-element.huidig").count() >= 1
        # a call activity (a shared sub-process such as the aanvraag) opens on click, with the case's
        # current step inside it marked, and a button leads back to the main process
        opened = 0
        for org, ids in sorted(cases.items()):
            info = page.request.get(server + f"/zaken/{ids[0]}/diagram.json").json()
            call = next((c for c, p in info["calls"].items() if info["called"][p]["current"]), None)
            if call is None:
                continue
            inner = info["called"][info["calls"][call]]["current"]
            page.goto(server + f"/zaken/{ids[0]}")
            _diagram_state(page)
            assert info["calls"][call] and call in page.get_attribute("#diagram", "data-huidig").split(), org
            # the diagram opened at the open task; the aanvraag waiting beside it may lie out of view
            page.click(".diagram-knoppen button[title='Toon het hele proces']")
            page.click(f"#diagram .djs-element.opent[data-element-id='{call}']")
            page.wait_for_selector("#diagram[data-model='aangeroepen']")
            assert page.get_attribute("#diagram", "data-huidig").split() == inner, org
            for element in inner:
                assert page.locator(f"#diagram .djs-element.huidig[data-element-id='{element}']").count() == 1
            page.click(".diagram-terug")
            page.wait_for_selector("#diagram[data-model='hoofdproces']")
            opened += 1
        assert opened >= 3, opened  # every organisation that is in its aanvraag right now
        assert not page.console_errors, page.console_errors


def _login(page, server, username, password=PASSWORD):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", password)
    page.click("main button[type=submit]")


def test_inbox_and_pages_fit_a_phone(server, page, werkpad):
    now = clock.now()
    werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=1))
    werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at=now - timedelta(days=5))
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, server, "kees")
    page.goto(server + "/inbox?weergave=team")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    button = page.locator("button", has_text="Oppakken").first
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # the search and the first task on the first screen; the other filters behind "Meer filters"
    assert box["y"] + box["height"] <= 844 and page.locator("input[name=zoek]").is_visible()
    more = page.locator("button.meer-filters")
    assert not page.locator("select[name=fase]").is_visible() and more.get_attribute("aria-expanded") == "false"
    more.click()
    assert page.locator("select[name=fase]").is_visible() and more.get_attribute("aria-expanded") == "true"
    assert more.inner_text() == "Minder filters"
    page.goto(server + "/inbox?weergave=team&termijn=te_laat")  # a filter in use stays in sight
    assert page.locator("select[name=termijn]").is_visible() and not more.is_visible()
    page.goto(server + "/inbox?weergave=team")
    _shot(page, "inbox-telefoon.png")
    page.locator("tr", has_text="Fatima").locator("a").first.click()
    _diagram_state(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert page.locator(".termijnen .label.te-laat").count() == 1
    _shot(page, "zaak-telefoon.png")
    page.click("text=Uitloggen")
    _login(page, server, "tineke")
    page.goto(server + "/overzicht")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    # every column (also "Te laat") fits inside its card: nothing clipped or scrolled away
    assert page.evaluate("Array.from(document.querySelectorAll('.overzicht section'))"
                         ".every(s => s.scrollWidth <= s.clientWidth)")
    _names_whole(page)
    _shot(page, "teamoverzicht-telefoon.png")
    # the smallest phones (320 CSS pixels, WCAG's reflow width): still no card scrolls
    for width in (320, 340, 360):
        page.set_viewport_size({"width": width, "height": 700})
        assert page.evaluate("Array.from(document.querySelectorAll('.overzicht section'))"
                             ".every(s => s.scrollWidth <= s.clientWidth)"), width
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        _names_whole(page)


def test_administrator_creates_a_user_who_can_log_in(server, page):
    _login(page, server, "bea")
    assert page.url.endswith("/beheer")
    _shot(page, "beheer.png")
    page.click("text=Nieuwe gebruiker")
    page.fill("#naam", "Mila Jansen")
    page.fill("#gebruikersnaam", "mila")
    page.select_option("#rol", "consultant")
    page.select_option("#werkvoorraad", "inkomensconsulent")
    page.click("button:has-text('Gebruiker aanmaken')")
    temporary = page.locator("#eenmalig").inner_text()
    _shot(page, "beheer-nieuw-wachtwoord.png")
    page.click("text=Terug naar de gebruiker")
    assert page.locator("td", has_text="Inkomensconsulent").count() == 1
    _shot(page, "beheer-gebruiker.png")
    page.click("text=Uitloggen")
    _login(page, server, "mila", temporary)
    assert page.url.endswith("/wachtwoord")
    page.fill("#huidig", temporary)
    page.fill("#nieuw", "mila-haar-eigen-wachtwoord")
    page.fill("#herhaal", "mila-haar-eigen-wachtwoord")
    page.click("button:has-text('Wachtwoord opslaan')")
    page.wait_for_selector("text=Je wachtwoord is gewijzigd.")
    assert "/inbox" in page.url
    assert not page.console_errors, page.console_errors


def test_the_diagram_buttons_follow_the_chosen_language(server, page, werkpad):
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01")
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", "kees")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.goto(server + f"/zaken/{case['id']}")
    _diagram_state(page)
    assert page.locator(".diagram-knoppen button[title='Toon de huidige stap']").count() == 1
    page.click("button[name=taal][value=en]")
    page.goto(server + f"/zaken/{case['id']}")
    _diagram_state(page)
    buttons = page.locator(".diagram-knoppen button")
    titles = [buttons.nth(i).get_attribute("title") for i in range(buttons.count())]
    assert titles == ["Zoom in", "Zoom out", "Show the current step", "Show the whole process", "Left", "Right",
                      "Up", "Down"]
    assert page.locator(".diagram-knoppen").inner_text().split("\n")[2:4] == ["Current step", "Whole process"]
    assert not page.console_errors, page.console_errors
