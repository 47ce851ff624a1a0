"""A refusal in the modeler, in Debian's chromium (Playwright): a timer that escapes the safe
expressions is refused at save — the status says so, the timer is marked on the diagram and
nothing is stored — and once the designer writes a real duration the save goes through."""
from __future__ import annotations

from .modeler_pages import open_modeler
from .test_browser import page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]


def test_an_escaping_timer_is_refused_in_the_modeler_and_marked(server, page, werkpad):  # noqa: F811
    open_modeler(page, server, "voorbeeld")

    page.click('#canvas g.djs-element[data-element-id="herinnering_intake"]')
    page.fill("#ep-timer", "__import__('os').getpid()")
    page.press("#ep-timer", "Tab")
    page.click("#bewaar")
    page.wait_for_selector("#bewaar-status:has-text('Niet bewaard')")
    status = page.inner_text("#bewaar-status")
    assert "geweigerd, er is niets bewaard" in status and "timer van 'Meldingsgesprek te laat'" in status
    assert page.locator('#problemen li[data-element="herinnering_intake"]').count() == 1
    assert page.locator('#canvas g.djs-element.probleem[data-element-id="herinnering_intake"]').count() == 1
    assert werkpad.designer.draft("voorbeeld") is None  # nothing stored

    page.fill("#ep-timer", '"P5D"')
    page.press("#ep-timer", "Tab")
    page.click("#bewaar")
    page.wait_for_selector("text=Bewaard; de controles zijn in orde.")
    assert page.locator("#canvas g.djs-element.probleem").count() == 0
    draft = werkpad.designer.draft("voorbeeld")
    assert draft["problems"] == [] and '"P5D"' in draft["record"]["files"]["voorbeeld.bpmn"]
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
