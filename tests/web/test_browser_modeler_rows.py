"""A process drawn in rows per phase (no lanes in the diagram, roles in the laneSet) in the modeler in
Debian's chromium: it imports without warnings, shows its phase groups, and moving a task on the canvas
keeps the task's role (bpmn-js would otherwise take it out of its lane, as no lane shape contains it)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import PASSWORD
from .test_browser import page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def processes_dir(tmp_path) -> Path:
    """Werk.Kom's process, owned for this test by Voorbeeldstad (where piet designs)."""
    target = tmp_path / "processes"
    shutil.copytree(ROOT / "processes" / "werkkom", target / "werkkom")
    shutil.copytree(ROOT / "processes" / "gedeeld", target / "gedeeld")
    manifest = json.loads((target / "werkkom" / "proces.json").read_text(encoding="utf-8"))
    manifest["organisatie"] = "voorbeeldstad"
    (target / "werkkom" / "proces.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


def test_moving_a_task_in_rows_per_phase_keeps_its_role(server, page, werkpad):  # noqa: F811
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", "piet")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.goto(server + "/ontwerp/werkkom/modeler")
    page.wait_for_selector("#modeler.geladen", timeout=30000)
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
