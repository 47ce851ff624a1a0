"""A process drawn in rows per phase (no lanes in the diagram, roles in the laneSet) in the modeler in
Debian's chromium: it imports without warnings, shows its phase groups, and moving a task on the canvas
keeps the task's role (bpmn-js would otherwise take it out of its lane, as no lane shape contains it)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .modeler_pages import open_modeler, werkkom_for_voorbeeldstad
from .test_browser import _shot, page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def processes_dir(tmp_path) -> Path:
    """Werk.Kom's process, owned for this test by Voorbeeldstad (where piet designs)."""
    return werkkom_for_voorbeeldstad(tmp_path)


def test_moving_a_task_in_rows_per_phase_keeps_its_role(server, page, werkpad):  # noqa: F811
    open_modeler(page, server, "werkkom")
    shown = page.evaluate("""() => {
        const m = document.getElementById('modeler').werkpadModeler;
        const reg = m.get('elementRegistry');
        const groups = reg.filter(e => e.type === 'bpmn:Group').length;
        const lanes = reg.filter(e => e.type === 'bpmn:Lane').length;
        m.get('modeling').moveShape(reg.get('jobhunting'), {x: 40, y: 0});
        m.get('modeling').moveShape(reg.get('intakegesprek'), {x: 0, y: 30});
        return {groups, lanes};
    }""")
    assert shown == {"groups": 4, "lanes": 0}
    page.click("#bewaar")
    page.wait_for_selector("#bewaar-status:has-text('Bewaard')")
    xml = werkpad.designer.draft("werkkom")["record"]["files"]["werkkom.bpmn"]
    assert "<bpmn:flowNodeRef>jobhunting</bpmn:flowNodeRef>" in xml
    assert "<bpmn:flowNodeRef>intakegesprek</bpmn:flowNodeRef>" in xml
    original = (ROOT / "processes" / "werkkom" / "werkkom.bpmn").read_text(encoding="utf-8")
    assert xml.count("<bpmn:flowNodeRef>") == original.count("<bpmn:flowNodeRef>")
    assert xml.count("<bpmn:group ") == 4
    assert not page.console_errors, page.console_errors


def _to_screen(page, x: float, y: float) -> tuple[float, float]:
    """The point of the page where diagram point (x, y) is drawn now."""
    return tuple(page.evaluate("""([x, y]) => {
        const canvas = document.getElementById('modeler').werkpadModeler.get('canvas');
        const box = canvas.viewbox();
        const rect = document.getElementById('canvas').getBoundingClientRect();
        return [rect.left + (x - box.x) * box.scale, rect.top + (y - box.y) * box.scale];
    }""", [x, y]))


def _model(page) -> dict:
    """What the model says about the user tasks: per task its lane (role) and phase."""
    return page.evaluate("""() => {
        const m = document.getElementById('modeler').werkpadModeler;
        const process = m.get('canvas').getRootElement().businessObject;
        const lane = {};
        (process.laneSets || []).forEach(s => (s.lanes || []).forEach(l =>
            (l.flowNodeRef || []).forEach(n => { lane[n.id] = l.name; })));
        const out = {};
        m.get('elementRegistry').filter(e => e.type === 'bpmn:UserTask').forEach(e => {
            const ext = (e.businessObject.extensionElements || {}).values || [];
            const props = ext.flatMap(v => v.properties || []);
            const fase = props.filter(p => p.name === 'fase').map(p => p.value)[0] || '';
            out[e.id] = {lane: lane[e.id] || '', fase: fase};
        });
        return out;
    }""")


def test_a_new_task_in_rows_per_phase_gets_a_lane(server, page, werkpad):  # noqa: F811
    """A task drawn from the palette in the diagnose row and made a user task gets the role of the
    nearest task in that row (and its colour) and the row's phase, in the model and in the panel;
    saved, the draft has no user task without a lane; Ctrl-Z takes the task away with its lane entry."""
    open_modeler(page, server, "werkkom")
    before = _model(page)
    neighbour = before["intakegesprek"]  # in the diagnose row, at (376, 493) 120 x 80
    assert neighbour["lane"] and neighbour["fase"] == "diagnose"
    assert not [t for t, v in before.items() if not v["lane"]]
    page.evaluate("""() => { const m = document.getElementById('modeler').werkpadModeler;
        m.get('canvas').scrollToElement(m.get('elementRegistry').get('intakegesprek')); }""")

    # the palette's task, dropped just below the intakegesprek, then made a user task (wrench menu)
    page.click(".djs-palette .entry.bpmn-icon-task")
    x, y = _to_screen(page, 436, 640)
    page.mouse.move(x - 20, y - 20)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.click(".djs-context-pad .entry.bpmn-icon-screw-wrench")
    page.click(".djs-popup [data-id='replace-with-user-task']")
    page.wait_for_selector("#werkpad-eigenschappen:not([hidden])")
    after = _model(page)
    new = [t for t in after if t not in before]
    assert len(new) == 1, new
    assert after[new[0]] == {"lane": neighbour["lane"], "fase": "diagnose"}
    colours = page.evaluate("""ids => { const reg = document.getElementById('modeler').werkpadModeler.get('elementRegistry');
        return ids.map(id => [reg.get(id).di.get('color:background-color'), reg.get(id).di.get('color:border-color')]); }""",
                            [new[0], "intakegesprek"])
    assert colours[0] == colours[1] and colours[0][0]  # drawn in the colour of its role
    assert page.input_value("#ep-rol") == neighbour["lane"]  # the panel shows the role ...
    assert page.locator("#ep-rol option:checked").inner_text() == werkpad_role_name(neighbour["lane"])
    assert page.locator("#ep-fase option:checked").inner_text() == "Diagnose"  # ... and the phase by name
    _shot(page, "modeler-nieuwe-taak-in-rij.png")

    page.click("#bewaar")
    page.wait_for_selector("#bewaar-status:has-text('Bewaard')")
    xml = werkpad.designer.draft("werkkom")["record"]["files"]["werkkom.bpmn"]
    assert f"<bpmn:flowNodeRef>{new[0]}</bpmn:flowNodeRef>" in xml
    refs = re.findall(r"<bpmn:flowNodeRef>([^<]+)</bpmn:flowNodeRef>", xml)
    ids = set(re.findall(r' id="([^"]+)"', xml))
    assert set(refs) <= ids  # the replaced plain task left its lane; nothing points to a removed element
    user_tasks = re.findall(r'<bpmn:userTask id="([^"]+)"', xml)
    assert not [t for t in user_tasks if t not in refs]  # no user task without a lane

    # another role from the panel: the task takes that role's colour too (jobhunting is a jobhunter's)
    page.select_option("#ep-rol", "jobhunter")
    colours = page.evaluate("""ids => { const reg = document.getElementById('modeler').werkpadModeler.get('elementRegistry');
        return ids.map(id => [reg.get(id).di.get('color:background-color'), reg.get(id).di.get('color:border-color')]); }""",
                            [new[0], "jobhunting"])
    assert colours[0] == colours[1] and _model(page)[new[0]]["lane"] == "jobhunter"

    # undo the role change, the replacement and the creation (each one step, lane entry included)
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 30, box["y"] + box["height"] - 60)
    page.keyboard.press("Control+Z")
    assert _model(page)[new[0]]["lane"] == neighbour["lane"]
    page.keyboard.press("Control+Z")
    page.keyboard.press("Control+Z")
    assert _model(page) == before
    assert not page.console_errors, page.console_errors


def werkpad_role_name(lane: str) -> str:
    roles = json.loads((ROOT / "processes" / "rollen.json").read_text(encoding="utf-8"))["rollen"]
    return roles[lane]["naam"]


def test_bpmn_js_imports_every_process_file_without_warnings(server, page):  # noqa: F811
    """The layout written into processes/ (lanes or phase groups, DI for every element) is read by
    the modeler's bpmn-js as it is: no import warnings for any file, and every flow drawn."""
    files = {p.relative_to(ROOT / "processes").as_posix(): p.read_text(encoding="utf-8")
             for p in sorted((ROOT / "processes").glob("**/*.bpmn"))}
    open_modeler(page, server, "werkkom")
    result = page.evaluate("""async (files) => {
        const m = document.getElementById('modeler').werkpadModeler;
        const out = {};
        for (const [name, xml] of Object.entries(files)) {
            const r = await m.importXML(xml);
            const reg = m.get('elementRegistry');
            out[name] = {warnings: r.warnings.map(w => w.message),
                         flows: reg.filter(e => e.type === 'bpmn:SequenceFlow').length,
                         groups: reg.filter(e => e.type === 'bpmn:Group').map(e => e.businessObject.categoryValueRef
                                                                                 && e.businessObject.categoryValueRef.value)};
        }
        return out;
    }""", files)
    assert set(result) == set(files)
    for name, shown in result.items():
        assert shown["warnings"] == [], (name, shown["warnings"])
        assert shown["flows"] == files[name].count("<bpmn:sequenceFlow "), name
    # Rows per phase: the groups carry the phase's name with a capital.
    assert sorted(result["werkkom/werkkom.bpmn"]["groups"]) == ["Diagnose", "Nazorg", "Poort", "Traject"]
    assert not page.console_errors, page.console_errors
