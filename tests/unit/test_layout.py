"""Diagram layout of the process files (engine.core.layout) and its SVG drawing (engine.core.diagram_svg)."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from lxml import etree

from engine.core.diagram_svg import render_svg
from engine.core.layout import BPMN, BPMNDI, DC, DI, NOT_NODES, apply_layout, count_crossings, strip_di

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "processes").glob("**/*.bpmn"))
IDS = [p.relative_to(ROOT / "processes").as_posix() for p in FILES]

# Measured with scripts/layout_processes.py (see docs/diagrams.md); a change to the layout or the
# processes that makes a diagram wider or more tangled than this fails here.
MAX_WIDTH = {
    "alphen/alphen.bpmn": 4400,
    "amersfoort/amersfoort.bpmn": 4200,
    "gedeeld/gedeeld_aanvraag.bpmn": 2150,
    "gedeeld/gedeeld_beschut_werk_advies.bpmn": 750,
    "gedeeld/gedeeld_bezwaar.bpmn": 1200,
    "gedeeld/gedeeld_doelgroepregister.bpmn": 750,
    "gedeeld/gedeeld_loonwaardemeting.bpmn": 600,
    "gedeeld/gedeeld_maatregel.bpmn": 1250,
    "gedeeld/gedeeld_nazorg.bpmn": 1350,
    "gedeeld/gedeeld_ontheffing_alleenstaande_ouder.bpmn": 1350,
    "ijmond/ijmond.bpmn": 4700,
    "nijmegen/nijmegen.bpmn": 3250,  # rows per phase (single strip: 6,972)
    "sudwest_fryslan/sudwest_fryslan.bpmn": 4700,
    "tilburg/tilburg.bpmn": 4700,  # grew with the yearly places (wait for 1 January)
    "voorbeeld/voorbeeld.bpmn": 2400,
    "weener_xl/weener_xl.bpmn": 2800,  # rows per phase (single strip: 6,041)
    "werkkom/werkkom.bpmn": 4300,  # rows per phase (single strip: 7,441)
}
MAX_CROSSINGS = {
    "alphen/alphen.bpmn": 57,
    "amersfoort/amersfoort.bpmn": 9,
    "gedeeld/gedeeld_aanvraag.bpmn": 11,
    "gedeeld/gedeeld_beschut_werk_advies.bpmn": 0,
    "gedeeld/gedeeld_bezwaar.bpmn": 0,
    "gedeeld/gedeeld_doelgroepregister.bpmn": 0,
    "gedeeld/gedeeld_loonwaardemeting.bpmn": 0,
    "gedeeld/gedeeld_maatregel.bpmn": 0,
    "gedeeld/gedeeld_nazorg.bpmn": 0,
    "gedeeld/gedeeld_ontheffing_alleenstaande_ouder.bpmn": 0,
    "ijmond/ijmond.bpmn": 11,
    "nijmegen/nijmegen.bpmn": 12,
    "sudwest_fryslan/sudwest_fryslan.bpmn": 6,
    "tilburg/tilburg.bpmn": 4,
    "voorbeeld/voorbeeld.bpmn": 1,
    "weener_xl/weener_xl.bpmn": 34,
    "werkkom/werkkom.bpmn": 11,
}

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="klein" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="L_a" name="werkconsulent">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>intake</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>plan</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>join</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="L_b" name="teamleider">
        <bpmn:flowNodeRef>toets</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>escalatie</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde_escalatie</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Melding ontvangen" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake" />
    <bpmn:userTask id="intake" name="Intakegesprek voeren" />
    <bpmn:boundaryEvent id="te_laat" name="Intake te laat" attachedToRef="intake" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_esc" sourceRef="te_laat" targetRef="escalatie" />
    <bpmn:userTask id="escalatie" name="Te late intake oppakken" />
    <bpmn:sequenceFlow id="f_esc2" sourceRef="escalatie" targetRef="einde_escalatie" />
    <bpmn:endEvent id="einde_escalatie" name="Escalatie afgehandeld" />
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="plan" />
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="toets" />
    <bpmn:userTask id="plan" name="Plan van aanpak opstellen" />
    <bpmn:userTask id="toets" name="Plan toetsen" />
    <bpmn:sequenceFlow id="f5" sourceRef="plan" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="toets" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" name="Akkoord?" default="f_terug" />
    <bpmn:sequenceFlow id="f_terug" name="nee" sourceRef="gw" targetRef="intake" />
    <bpmn:sequenceFlow id="f8" name="ja" sourceRef="gw" targetRef="einde">
      <bpmn:conditionExpression>akkoord == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="einde" name="Klaar" />
  </bpmn:process>
</bpmn:definitions>
"""


def _shapes(text: str) -> dict[str, tuple[float, float, float, float]]:
    root = etree.fromstring(text.encode("utf-8"))
    out = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        b = shape.find(f"{{{DC}}}Bounds")
        out[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _semantic(text: str) -> bytes:
    """Canonical XML of everything but the diagram (whitespace between elements ignored)."""
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=True))
    for diagram in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root, method="c14n")


def _script():
    spec = importlib.util.spec_from_file_location("layout_processes", ROOT / "scripts" / "layout_processes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_process_file_is_listed_with_bounds():
    assert set(IDS) == set(MAX_WIDTH) == set(MAX_CROSSINGS)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_flow_node_and_flow_has_di(path):
    text = path.read_text(encoding="utf-8")
    root = etree.fromstring(text.encode("utf-8"))
    shapes = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    edges = {}
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        edges[edge.get("bpmnElement")] = edge.findall(f"{{{DI}}}waypoint")
    for process in root.iter(f"{{{BPMN}}}process", f"{{{BPMN}}}subProcess"):
        for el in process:
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
                continue
            name = etree.QName(el).localname
            if name == "sequenceFlow":
                assert len(edges.get(el.get("id"), [])) >= 2, f"{el.get('id')} heeft geen lijn"
            elif name not in NOT_NODES:
                assert el.get("id") in shapes, f"{el.get('id')} heeft geen vorm"
    groups = list(root.iter(f"{{{BPMN}}}group"))
    for group in groups:  # rows per phase: the phase groups are drawn, the lanes are not
        assert group.get("id") in shapes
    for lane in root.iter(f"{{{BPMN}}}lane"):
        assert (lane.get("id") in shapes) != bool(groups)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_layout_is_current_deterministic_idempotent_and_leaves_semantics(path):
    text = path.read_text(encoding="utf-8")
    again, _ = apply_layout(text)
    assert again == text, "DI is verouderd: draai scripts/layout_processes.py"
    bare = strip_di(text)
    assert "BPMNDiagram" not in bare
    first, _ = apply_layout(bare)
    second, _ = apply_layout(bare)
    assert first == second == text
    assert strip_di(first) == bare
    assert _semantic(first) == _semantic(bare)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_width_and_crossings_stay_within_measured_bounds(path):
    name = path.relative_to(ROOT / "processes").as_posix()
    _, metrics = apply_layout(path.read_text(encoding="utf-8"))
    assert metrics["width"] <= MAX_WIDTH[name]
    assert metrics["crossings"] <= MAX_CROSSINGS[name]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_shapes_do_not_overlap_and_no_flow_runs_through_a_shape(path):
    text = path.read_text(encoding="utf-8")
    root = etree.fromstring(text.encode("utf-8"))
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    process_id = root.find(f"{{{BPMN}}}process").get("id")
    plane = next(p for p in root.iter(f"{{{BPMNDI}}}BPMNPlane") if p.get("bpmnElement") == process_id)
    shapes = {}
    for shape in plane.findall(f"{{{BPMNDI}}}BPMNShape"):
        el = elements[shape.get("bpmnElement")]
        if etree.QName(el).localname in ("lane", "group", "boundaryEvent") or shape.get("isExpanded") == "true":
            continue
        b = shape.find(f"{{{DC}}}Bounds")
        shapes[el.get("id")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    ids = sorted(shapes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            (ax, ay, aw, ah), (bx, by, bw, bh) = shapes[a], shapes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, f"{a} overlapt {b}"

    def through(p, q, box) -> bool:
        x, y, w, h = box
        if p[0] == q[0]:
            return x < p[0] < x + w and max(min(p[1], q[1]), y) < min(max(p[1], q[1]), y + h)
        if p[1] == q[1]:
            return y < p[1] < y + h and max(min(p[0], q[0]), x) < min(max(p[0], q[0]), x + w)
        return False

    for edge in plane.findall(f"{{{BPMNDI}}}BPMNEdge"):
        flow = elements[edge.get("bpmnElement")]
        ends = {flow.get("sourceRef"), flow.get("targetRef"), elements[flow.get("sourceRef")].get("attachedToRef")}
        pts = [(float(w.get("x")), float(w.get("y"))) for w in edge.findall(f"{{{DI}}}waypoint")]
        for node, box in shapes.items():
            if node not in ends:
                assert not any(through(p, q, box) for p, q in zip(pts, pts[1:], strict=False)), \
                    f"{flow.get('id')} loopt door {node}"


def test_check_mode_detects_missing_and_stale_di(tmp_path, capsys):
    script = _script()
    target = tmp_path / "processes"
    shutil.copytree(ROOT / "processes", target)
    assert script.main(["--check", "--processes", str(target)]) == 0
    victim = target / "voorbeeld" / "voorbeeld.bpmn"
    text = victim.read_text(encoding="utf-8")
    shifted = text.replace('<dc:Bounds x="', '<dc:Bounds x="1', 1)
    assert shifted != text
    victim.write_text(shifted, encoding="utf-8")
    assert script.main(["--check", "--processes", str(target)]) == 1
    victim.write_text(strip_di(text), encoding="utf-8")
    assert script.main(["--check", "--processes", str(target)]) == 1
    assert "voorbeeld/voorbeeld.bpmn" in capsys.readouterr().err
    assert script.main(["--processes", str(target)]) == 0
    assert victim.read_text(encoding="utf-8") == text


def test_small_process_is_laid_out_left_to_right_without_overlap():
    text, metrics = apply_layout(SMALL)
    shapes = _shapes(text)
    nodes = {k: v for k, v in shapes.items() if not k.startswith("L_") and k != "te_laat"}
    ids = sorted(nodes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ax, ay, aw, ah = nodes[a]
            bx, by, bw, bh = nodes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, f"{a} overlapt {b}"

    def cx(node):
        return shapes[node][0] + shapes[node][2] / 2

    for a, b in [("start", "intake"), ("intake", "split"), ("split", "plan"), ("split", "toets"),
                 ("plan", "join"), ("toets", "join"), ("join", "gw"), ("gw", "einde"),
                 ("te_laat", "escalatie"), ("escalatie", "einde_escalatie")]:
        assert cx(a) < cx(b), f"{a} staat niet links van {b}"
    # Lanes are bands above each other; every node lies within its lane.
    la, lb = shapes["L_a"], shapes["L_b"]
    assert la[1] + la[3] <= lb[1] or lb[1] + lb[3] <= la[1]
    assert la[0] == lb[0] and la[2] == lb[2]
    for node in ("start", "intake", "plan", "gw", "einde"):
        assert la[1] <= shapes[node][1] and shapes[node][1] + shapes[node][3] <= la[1] + la[3]
    for node in ("toets", "escalatie", "einde_escalatie"):
        assert lb[1] <= shapes[node][1] and shapes[node][1] + shapes[node][3] <= lb[1] + lb[3]
    # The boundary timer sits on its host's lower border.
    hx, hy, hw, hh = shapes["intake"]
    tx, ty, tw, th = shapes["te_laat"]
    assert hx <= tx and tx + tw <= hx + hw and ty < hy + hh < ty + th
    assert metrics["crossings"] == 0
    assert apply_layout(text)[0] == text


def test_crossings_count_pairs_of_flows_that_cross():
    assert count_crossings([[(0, 0), (10, 0)], [(5, -5), (5, 5)]]) == 1
    assert count_crossings([[(0, 0), (10, 0)], [(10, 0), (10, 5)]]) == 0   # touching at an end
    assert count_crossings([[(0, 0), (10, 0)], [(2, 0), (8, 0)]]) == 0     # overlapping, not crossing
    assert count_crossings([[(0, 0), (10, 0), (10, 10)], [(5, -5), (5, 5), (15, 5)]]) == 1


@pytest.mark.parametrize("path", [ROOT / "processes" / "voorbeeld" / "voorbeeld.bpmn",
                                  ROOT / "processes" / "werkkom" / "werkkom.bpmn"], ids=["voorbeeld", "werkkom"])
def test_svg_is_well_formed_and_shows_every_task_label(path):
    text = path.read_text(encoding="utf-8")
    svg = render_svg(text, {"werkconsulent": {"naam": "Werkconsulent"}})
    root = etree.fromstring(svg.encode("utf-8"))
    assert etree.QName(root).localname == "svg"
    shown = "".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))

    def squash(s: str) -> str:
        return s.replace(" ", "").replace("-", "")

    bpmn = etree.fromstring(text.encode("utf-8"))
    tasks = [el for el in bpmn.iter() if isinstance(el.tag, str) and etree.QName(el).localname.endswith("Task")]
    assert tasks
    for task in tasks:
        assert squash(task.get("name")) in squash(shown), task.get("name")
    if "voorbeeld" in path.name:
        assert "Werkconsulent" in shown


def test_process_docs_show_the_diagram_at_the_top():
    docs = ROOT / "docs" / "processes"
    for md in ("voorbeeld.md", "werkkom.md", "nijmegen.md"):
        head = (docs / md).read_text(encoding="utf-8").splitlines()[:3]
        svg = md.replace(".md", ".svg")
        assert any(line.startswith("![Procesdiagram") and f"]({svg})" in line for line in head)
        etree.fromstring((docs / svg).read_bytes())
    for path in sorted((ROOT / "processes" / "gedeeld").glob("*.bpmn")):
        assert (docs / f"{path.stem}.svg").exists()
        assert f"]({path.stem}.svg)" in (docs / "gedeeld.md").read_text(encoding="utf-8")


ROWS = ["nijmegen/nijmegen.bpmn", "weener_xl/weener_xl.bpmn", "werkkom/werkkom.bpmn"]


@pytest.mark.parametrize("name", ROWS)
def test_wide_processes_are_drawn_in_rows_per_phase_with_roles_as_colours(name):
    """Wider than PHASE_ROWS_ABOVE in one strip: a group per phase around its row, no lanes drawn (the
    laneSet stays in the model), every task coloured after its role, each node inside its phase's group."""
    from engine.core.layout import BIOC, PHASE_ROWS_ABOVE, layout_plane, node_phases, phase_label
    text = (ROOT / "processes" / name).read_text(encoding="utf-8")
    root = etree.fromstring(text.encode("utf-8"))
    process = root.find(f"{{{BPMN}}}process")
    assert process.find(f"{{{BPMN}}}laneSet") is not None
    values = {v.get("id"): v.get("value") for v in root.iter(f"{{{BPMN}}}categoryValue")}
    groups = {g.get("id"): values[g.get("categoryValueRef")] for g in process.findall(f"{{{BPMN}}}group")}
    phases = node_phases(process)
    # The groups carry the phase's name as people see it ("Poort", not the key "poort").
    assert sorted(groups.values()) == sorted(phase_label(phase) for phase in set(phases.values()))
    assert {"Poort", "Traject"} <= set(groups.values())
    assert all(name[0].isupper() for name in groups.values())
    plane = next(p for p in root.iter(f"{{{BPMNDI}}}BPMNPlane") if p.get("bpmnElement") == process.get("id"))
    shapes = {s.get("bpmnElement"): s for s in plane.findall(f"{{{BPMNDI}}}BPMNShape")}
    box = {gid: tuple(float(shapes[gid].find(f"{{{DC}}}Bounds").get(k)) for k in ("x", "y", "width", "height"))
           for gid in groups}
    lane_of = {(r.text or "").strip(): lane.get("name") for lane in process.iter(f"{{{BPMN}}}lane")
               for r in lane.findall(f"{{{BPMN}}}flowNodeRef")}
    colour_of_role: dict[str, str] = {}
    for node_id, phase in phases.items():
        gx, gy, gw, gh = box[next(g for g, v in groups.items() if v == phase_label(phase))]
        b = shapes[node_id].find(f"{{{DC}}}Bounds")
        x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
        assert gx <= x and x + w <= gx + gw and gy <= y and y + h <= gy + gh, (node_id, phase)
        el = process.find(f"*[@id='{node_id}']")
        if etree.QName(el).localname.endswith("Task") and node_id in lane_of:
            fill = shapes[node_id].get(f"{{{BIOC}}}fill")
            assert fill, node_id
            assert colour_of_role.setdefault(lane_of[node_id], fill) == fill  # one colour per role
    assert len(set(colour_of_role.values())) == len(colour_of_role)
    single = layout_plane(etree.fromstring(strip_di(text).encode("utf-8")).find(f"{{{BPMN}}}process"), [])
    assert single.width > PHASE_ROWS_ABOVE > MAX_WIDTH[name]
    svg = render_svg(text)
    assert "Rollen (kleur van de taak)" in svg
    for phase in groups.values():
        assert f">{phase}</text>" in svg


TWO_TIMERS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="termijnen" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="L_a" name="consulent">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>wachten</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>besluit</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>herinneren</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde_herinnering</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="L_b" name="teamleider">
        <bpmn:flowNodeRef>escalatie</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde_escalatie</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wachten" />
    <bpmn:userTask id="wachten" name="Stukken afwachten" />
    <bpmn:boundaryEvent id="herinnering" name="Na een week" attachedToRef="wachten" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P7D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="te_laat" name="Na vier weken" attachedToRef="wachten" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P28D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_herinnering" sourceRef="herinnering" targetRef="herinneren" />
    <bpmn:sequenceFlow id="f_te_laat" sourceRef="te_laat" targetRef="escalatie" />
    <bpmn:userTask id="herinneren" name="Herinnering sturen" />
    <bpmn:sequenceFlow id="f3" sourceRef="herinneren" targetRef="einde_herinnering" />
    <bpmn:endEvent id="einde_herinnering" />
    <bpmn:userTask id="escalatie" name="Te late stukken oppakken" />
    <bpmn:sequenceFlow id="f4" sourceRef="escalatie" targetRef="einde_escalatie" />
    <bpmn:endEvent id="einde_escalatie" />
    <bpmn:sequenceFlow id="f2" sourceRef="wachten" targetRef="besluit" />
    <bpmn:userTask id="besluit" name="Besluiten" />
    <bpmn:sequenceFlow id="f5" sourceRef="besluit" targetRef="einde" />
    <bpmn:endEvent id="einde" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_the_boundary_event_whose_flow_goes_lowest_sits_left_on_its_host():
    """Two timers on one task, the second in the file leading to the lane below: drawn left of the
    first, its flow runs below its sibling's and the two do not cross (in file order they did)."""
    text, metrics = apply_layout(TWO_TIMERS)
    shapes = _shapes(text)
    assert shapes["te_laat"][0] < shapes["herinnering"][0]
    host = shapes["wachten"]
    for event in ("te_laat", "herinnering"):
        x, y, w, h = shapes[event]
        assert host[0] <= x and x + w <= host[0] + host[2] and y < host[1] + host[3] < y + h
    assert metrics["crossings"] == 0
    assert apply_layout(text)[0] == text
