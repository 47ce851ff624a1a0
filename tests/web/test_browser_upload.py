"""A designer uploads a file as a draft, in Debian's chromium (Playwright), with the page's own
Dutch file chooser ('Bestand kiezen', the chosen file's name), by mouse and by keyboard: a
hostile file is refused with its reason and nothing stored, a sound one lands in the draft."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .modeler_pages import log_in
from .test_browser import page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "kwaadaardig" / "billion_laughs.bpmn"


def test_a_file_is_chosen_in_dutch_and_uploaded_as_a_draft(server, page, werkpad, tmp_path):  # noqa: F811
    log_in(page, server)
    page.goto(server + "/ontwerp/voorbeeld")
    chooser = page.locator(".bestandskeuze")
    assert chooser.locator("label").inner_text() == "Bestand kiezen"
    assert chooser.locator(".bestandsnaam").inner_text() == "Geen bestand gekozen"
    # the input is reached by its Dutch name and described by what it takes
    field = page.get_by_label("Bestand kiezen")
    assert "Zip-bestand" in field.evaluate(
        "e => e.getAttribute('aria-describedby').split(' ').map(i => document.getElementById(i).textContent).join(' ')")

    # a hostile file: refused with its reason, nothing stored
    with page.expect_file_chooser() as chosen:
        chooser.locator("label").click()
    chosen.value.set_files(str(HOSTILE))
    assert chooser.locator(".bestandsnaam").inner_text() == "billion_laughs.bpmn"
    page.click("button:has-text('Uploaden')")
    page.wait_for_load_state("networkidle")
    assert "ENTITY" in page.locator("main").inner_text() or "DOCTYPE" in page.locator("main").inner_text()
    assert werkpad.designer.draft("voorbeeld") is None

    # a sound file, chosen with the keyboard: focus the input, open the chooser with Space
    sound = tmp_path / "voorbeeld.bpmn"
    sound.write_text((ROOT / "processes" / "voorbeeld" / "voorbeeld.bpmn").read_text(encoding="utf-8")
                     .replace("Meldingsgesprek voeren", "Meldingsgesprek houden", 1), encoding="utf-8")
    page.goto(server + "/ontwerp/voorbeeld")
    chooser_opened = None
    for _attempt in range(3):  # under a loaded CI machine Chromium has let one Space pass without a chooser
        field.focus()
        assert page.evaluate("document.activeElement.id") == "bestand"
        try:
            with page.expect_file_chooser(timeout=10_000) as chosen:
                page.keyboard.press("Space")
            chooser_opened = chosen.value
            break
        except PlaywrightTimeout:
            continue
    assert chooser_opened is not None, "Space on the focused file field never opened the file chooser"
    chooser_opened.set_files(str(sound))
    assert page.locator(".bestandsnaam").inner_text() == "voorbeeld.bpmn"
    page.click("button:has-text('Uploaden')")
    page.wait_for_selector("text=Het bestand is in het concept bewaard.")
    draft = werkpad.designer.draft("voorbeeld")
    assert draft is not None and "Meldingsgesprek houden" in draft["record"]["files"]["voorbeeld.bpmn"]
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
