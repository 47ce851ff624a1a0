"""The Werkpad panel of the modeler in Debian's chromium: its edits go through the
modeler's command stack, so Ctrl-Z undoes a changed termijn, role or message like any
change on the canvas (and Ctrl-Y redoes it); the message of a catch event is chosen from
processes/berichten.json and saved into the draft; the align icons draw under the strict
Content-Security-Policy without a console error."""
from __future__ import annotations

from .conftest import PASSWORD
from .test_browser import page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]


def _login(page, server, username):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


def _select(page, element_id: str) -> None:
    page.evaluate("id => { const m = document.getElementById('modeler').werkpadModeler;"
                  " m.get('canvas').scrollToElement(m.get('elementRegistry').get(id)); }", element_id)
    page.click(f'#canvas g.djs-element[data-element-id="{element_id}"]')
    page.wait_for_selector("#werkpad-eigenschappen:not([hidden])")


def _blank_canvas(page) -> None:
    """Focus the diagram without an element (a click on empty canvas), as a person does
    before pressing Ctrl-Z."""
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 30, box["y"] + box["height"] - 60)


def _saved_xml(page, werkpad) -> str:
    page.click("#bewaar")
    page.wait_for_selector("#bewaar-status:has-text('Bewaard')")
    text = page.inner_text("#bewaar-status")
    page.evaluate("document.getElementById('bewaar-status').textContent = ''")
    assert text.startswith("Bewaard"), text
    return werkpad.designer.draft("voorbeeld")["record"]["files"]["voorbeeld.bpmn"]


def test_panel_edits_undo_with_ctrl_z_and_messages_come_from_the_list(server, page, werkpad):  # noqa: F811
    _login(page, server, "piet")
    page.goto(server + "/ontwerp/voorbeeld/modeler")
    page.wait_for_selector("#modeler.geladen", timeout=30000)

    # termijn: change it, undo it with Ctrl-Z on the canvas, redo it with Ctrl-Y
    _select(page, "intake")
    assert page.input_value("#ep-termijn") == '"P3D"'
    page.fill("#ep-termijn", '"P9D"')
    page.press("#ep-termijn", "Tab")  # 'change' fires when the field is left
    _blank_canvas(page)
    page.keyboard.press("Control+Z")
    _select(page, "intake")
    assert page.input_value("#ep-termijn") == '"P3D"'
    xml = _saved_xml(page, werkpad)
    assert '"P9D"' not in xml.replace("&quot;", '"') and '"P3D"' in xml.replace("&quot;", '"')
    _blank_canvas(page)
    page.keyboard.press("Control+Y")
    _select(page, "intake")
    assert page.input_value("#ep-termijn") == '"P9D"'

    # role: move the intake to another lane and back with Ctrl-Z
    before = page.input_value("#ep-rol")
    other = next(v for v in page.eval_on_selector_all("#ep-rol option", "os => os.map(o => o.value)")
                 if v and v != before)
    page.select_option("#ep-rol", other)
    _blank_canvas(page)
    page.keyboard.press("Control+Z")
    _select(page, "intake")
    assert page.input_value("#ep-rol") == before

    # message: a catch event shows its message and offers the known ones only
    _select(page, "werk_gevonden_tijdens_traject")
    assert page.is_visible("#ep-bericht")
    assert page.input_value("#ep-bericht") == "werk_gevonden"
    offered = page.eval_on_selector_all("#ep-bericht option", "os => os.map(o => o.value)")
    assert "stukken_ontvangen" in offered and "aanvraag_ingetrokken" in offered
    page.select_option("#ep-bericht", "stukken_ontvangen")
    xml = _saved_xml(page, werkpad)
    assert 'name="stukken_ontvangen"' in xml and 'messageRef="Bericht_stukken_ontvangen"' in xml
    assert werkpad.designer.draft("voorbeeld")["problems"] == []
    _blank_canvas(page)
    page.keyboard.press("Control+Z")
    _select(page, "werk_gevonden_tijdens_traject")
    assert page.input_value("#ep-bericht") == "werk_gevonden"
    _select(page, "intake")
    assert not page.is_visible("#ep-bericht")  # a user task has no message

    # a business rule task links to its decision table
    _select(page, "route_bepalen")
    assert page.get_attribute("#ep-beslistabel", "href") == "/ontwerp/voorbeeld/beslistabellen/voorbeeld_route"
    _select(page, "intake")
    assert not page.is_visible("#ep-beslistabel")

    # two elements selected: the align icons are SVG attributes now, no CSP refusal
    page.evaluate("() => { const m = document.getElementById('modeler').werkpadModeler;"
                  " const r = m.get('elementRegistry');"
                  " m.get('selection').select([r.get('intake'), r.get('start')]); }")
    page.wait_for_selector(".djs-context-pad .entry svg line[stroke='currentColor']", state="attached")
    page.click(".djs-context-pad .entry:has(svg)")  # the align menu: its icons are SVG too
    page.wait_for_selector(".djs-popup .entry svg", state="attached")
    assert not page.console_errors, page.console_errors


def test_the_phase_field_shows_the_phase_by_name_and_stores_its_key(server, page, werkpad):  # noqa: F811
    _login(page, server, "piet")
    page.goto(server + "/ontwerp/voorbeeld/modeler")
    page.wait_for_selector("#modeler.geladen", timeout=30000)
    labels = page.eval_on_selector_all("#ep-fase option", "os => os.map(o => [o.value, o.textContent])")
    assert ["inspanningsperiode", "Inspanningsperiode"] in labels and ["poort", "Poort"] in labels
    assert not [value for value, text in labels if value and text == value]  # no option shows its key
    _select(page, "inspanningsperiode")  # the four weeks of self-search
    assert page.input_value("#ep-fase") == "inspanningsperiode"
    assert page.locator("#ep-fase option:checked").inner_text() == "Inspanningsperiode"
    page.select_option("#ep-fase", label="Diagnose")
    xml = _saved_xml(page, werkpad)
    catch = xml[xml.index('id="inspanningsperiode"'):]
    assert '<spiffworkflow:property name="fase" value="diagnose" />' in catch[:catch.index("</bpmn:intermediateCatchEvent>")]
    assert not page.console_errors, page.console_errors
