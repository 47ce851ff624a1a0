"""A standalone SVG drawing of a BPMN file's diagram (its DI), for the generated docs.

Reads the ``BPMNDiagram`` of the first process (as written by :mod:`engine.core.layout`)
and draws lanes as bands with their role name, tasks as rounded rectangles with
wrapped labels, events as circles (end events thicker), gateways as diamonds with
their X or + mark, and flows with arrowheads and their names. A diagram in rows per
phase has phase groups (dashed boxes with the phase's name) instead of lanes and
colours its tasks per role (the bpmn-js colour attributes); a legend of the roles
is drawn below it.
"""
from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from .layout import (
    BIOC,
    BPMN,
    BPMNDI,
    DC,
    DI,
    FLOW_LABEL_W,
    FONT,
    LINE,
    flow_label_size,
    kind_of,
    local,
    text_width,
    wrap,
)

FILL = {"task": "#ffffff", "event": "#ffffff", "gateway": "#ffffff"}
STROKE = "#22242a"
LANE_FILL = ("#f6f8fb", "#eef2f7")
FLOW = "#3b4252"
FONT_FAMILY = "Arial, Helvetica, sans-serif"


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _text_lines(lines: list[str], cx: float, top: float, size: float = FONT, anchor: str = "middle",
                weight: str = "normal") -> str:
    out = []
    for i, line in enumerate(lines):
        y = top + (i + 1) * (size + 2) - 3
        out.append(f'<text x="{cx:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" '
                   f'font-weight="{weight}">{escape(line)}</text>')
    return "".join(out)


DONE_FILL, DONE_STROKE = "#dcefe0", "#2e7d32"
CURRENT_FILL, CURRENT_STROKE = "#fff0b3", "#b26a00"


def render_svg(text: str, roles: dict[str, Any] | None = None, title: str | None = None,
               completed: set[str] | list[str] | None = None, current: set[str] | list[str] | None = None,
               focus: set[str] | list[str] | None = None) -> str:
    """SVG markup for the main diagram plane of a BPMN document. Elements in ``completed`` (ids)
    are drawn green (the path taken) with a check mark, those in ``current`` amber with a thick
    border and a sign "nu". With ``focus`` (ids) the picture is only the part of the diagram
    around those elements (a large process's neighbourhood of the current step, readable on paper)."""
    roles = roles or {}
    done_ids, current_ids = set(completed or ()), set(current or ())

    role_colour: dict[str, tuple[str, str]] = {}

    def paint(el: Any) -> tuple[str, str, float | None]:
        if el.get("id") in current_ids:
            return CURRENT_FILL, CURRENT_STROKE, 3.5
        if el.get("id") in done_ids:
            return DONE_FILL, DONE_STROKE, 2.5
        if el.get("id") in role_colour:
            return role_colour[el.get("id")][0], role_colour[el.get("id")][1], None
        return "#ffffff", STROKE, None
    root = etree.fromstring(text.encode("utf-8"))
    process = root.find(f"{{{BPMN}}}process")
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    plane = None
    for candidate in root.iter(f"{{{BPMNDI}}}BPMNPlane"):
        if process is None or candidate.get("bpmnElement") == process.get("id"):
            plane = candidate
            break
    if plane is None:
        raise ValueError("het BPMN-bestand heeft geen diagram (draai scripts/layout_processes.py)")

    def bounds(el: etree._Element) -> tuple[float, ...]:
        b = el.find(f"{{{DC}}}Bounds")
        return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))

    shapes = []
    for shape in plane.findall(f"{{{BPMNDI}}}BPMNShape"):
        el = elements.get(shape.get("bpmnElement"))
        if el is None:
            continue
        label = shape.find(f"{{{BPMNDI}}}BPMNLabel")
        shapes.append((el, bounds(shape), bounds(label) if label is not None else None, shape))
    edges = []
    for edge in plane.findall(f"{{{BPMNDI}}}BPMNEdge"):
        el = elements.get(edge.get("bpmnElement"))
        pts = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall(f"{{{DI}}}waypoint")]
        label = edge.find(f"{{{BPMNDI}}}BPMNLabel")
        if el is not None and len(pts) >= 2:
            edges.append((el, pts, bounds(label) if label is not None else None))

    # Rows per phase: the colour of a task is its role's (lane); the legend lists the roles in lane order.
    lane_of = {(ref.text or "").strip(): lane.get("name") or lane.get("id")
               for lane in root.iter(f"{{{BPMN}}}lane") for ref in lane.findall(f"{{{BPMN}}}flowNodeRef")}
    legend: dict[str, tuple[str, str]] = {}
    for el, _, _, shape in shapes:
        fill, stroke = shape.get(f"{{{BIOC}}}fill"), shape.get(f"{{{BIOC}}}stroke")
        if fill and stroke:
            role_colour[el.get("id")] = (fill, stroke)
            if el.get("id") in lane_of:
                legend.setdefault(lane_of[el.get("id")], (fill, stroke))
    lane_order = list(dict.fromkeys(lane_of.values()))
    legend = {role: legend[role] for role in sorted(legend, key=lane_order.index)}

    xs = [b[0] + b[2] for _, b, _, _ in shapes] + [x for _, pts, _ in edges for x, _ in pts]
    ys = [b[1] + b[3] for _, b, _, _ in shapes] + [y for _, pts, _ in edges for _, y in pts]
    xs += [lb[0] + lb[2] for _, _, lb, _ in shapes if lb]
    ys += [lb[1] + lb[3] for _, _, lb, _ in shapes if lb]
    head = 34 if title else 0
    width = int(max(xs, default=100)) + 10
    legend_top = int(max(ys, default=100)) + 20
    legend_items: list[tuple[float, float, str, tuple[str, str]]] = []
    if legend:
        lx, ly = 10.0, legend_top + 24.0
        for role, colours in legend.items():
            name = roles.get(role, {}).get("naam", role)
            w = 34 + text_width(name, FONT) + 24
            if lx + w > max(width, 400) and lx > 10:
                lx, ly = 10.0, ly + 26
            legend_items.append((lx, ly, name, colours))
            lx += w
        height = int(ly) + 30 + head
    else:
        height = int(max(ys, default=100)) + 10 + head

    part = _around(shapes, set(focus), (width, height)) if focus else None
    if part:
        width, height = int(part[2]), int(part[3])
    # a part is drawn by moving the drawing, not by the viewBox's origin (WeasyPrint's renderer
    # draws a viewBox from its own 0,0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           + (f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}"><g transform="translate({-part[0]:.0f} '
              f'{-part[1]:.0f})">' if part else f'viewBox="0 {-head} {width} {height}" font-family="{FONT_FAMILY}">'),
           "<defs><marker id=\"pijl\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
           f"markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{FLOW}\"/>"
           "</marker></defs>",
           f'<rect x="0" y="{-head}" width="{width}" height="{height}" fill="#ffffff"/>']
    if title:
        out.append(f'<text x="8" y="-12" font-size="16" font-weight="bold" fill="{STROKE}">{escape(title)}</text>')

    lanes = [s for s in shapes if local(s[0]) == "lane"]
    for i, (el, (x, y, w, h), _, _) in enumerate(lanes):
        role = el.get("name") or el.get("id")
        name = roles.get(role, {}).get("naam", role)
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" fill="{LANE_FILL[i % 2]}" '
                   f'stroke="#9aa3b2" stroke-width="1"/>')
        out.append(f'<line x1="{x + 30:.0f}" y1="{y:.0f}" x2="{x + 30:.0f}" y2="{y + h:.0f}" stroke="#9aa3b2"/>')
        lines = wrap(name, max(h - 10, 40), FONT)[:2]
        cx, cy = x + 15, y + h / 2
        spans = "".join(f'<tspan x="{cx:.0f}" dy="{0 if k == 0 else LINE}">{escape(t)}</tspan>'
                        for k, t in enumerate(lines))
        out.append(f'<text transform="rotate(-90 {cx:.0f} {cy:.0f})" x="{cx:.0f}" '
                   f'y="{cy + 4 - (len(lines) - 1) * LINE / 2:.0f}" font-size="{FONT}" text-anchor="middle" '
                   f'font-weight="bold" fill="{STROKE}">{spans}</text>')

    # Phase groups (rows per phase): a dashed box with the phase's name at the top left.
    for el, (x, y, w, h), _label, _ in shapes:
        if local(el) != "group":
            continue
        value = elements.get(el.get("categoryValueRef") or "")
        name = value.get("value") if value is not None else el.get("id")
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="12" fill="#fbfcfe" '
                   f'stroke="#7b8494" stroke-width="1.5" stroke-dasharray="8 4 2 4"/>')
        out.append(f'<text x="{x + 12:.0f}" y="{y + 21:.0f}" font-size="15" font-weight="bold" '
                   f'fill="{STROKE}">{escape((name or "").capitalize())}</text>')
    if legend_items:
        out.append(f'<text x="10" y="{legend_top + 8:.0f}" font-size="{FONT}" font-weight="bold" '
                   f'fill="{STROKE}">Rollen (kleur van de taak)</text>')
        for lx, ly, name, (fill, stroke) in legend_items:
            out.append(f'<rect x="{lx:.0f}" y="{ly - 12:.0f}" width="26" height="16" rx="4" fill="{fill}" '
                       f'stroke="{stroke}" stroke-width="1.5"/>')
            out.append(f'<text x="{lx + 32:.0f}" y="{ly + 1:.0f}" font-size="{FONT}" fill="{STROKE}">'
                       f'{escape(name)}</text>')

    # Expanded sub-processes first, so their content is drawn on top of them.
    for el, (x, y, w, h), _, _ in shapes:
        if local(el) == "subProcess" and w > 150:
            dash = ' stroke-dasharray="6 4"' if el.get("triggeredByEvent") == "true" else ""
            out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="10" fill="#ffffff" '
                       f'stroke="{STROKE}" stroke-width="1.5"{dash}/>')
            out.append(_text_lines(wrap(el.get("name") or "", w - 20), x + 10, y + 4, FONT, "start", "bold"))

    for el, pts, label in edges:
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.0f},{y:.0f}" for i, (x, y) in enumerate(pts))
        source = elements.get(el.get("sourceRef"))
        is_default = source is not None and source.get("default") == el.get("id")
        out.append(f'<path d="{d}" fill="none" stroke="{FLOW}" stroke-width="1.5" marker-end="url(#pijl)"/>')
        if is_default:
            (x1, y1), (x2, y2) = pts[0], pts[1]
            length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1)
            ux, uy = (x2 - x1) / length, (y2 - y1) / length
            mx, my = x1 + ux * 8, y1 + uy * 8
            out.append(f'<line x1="{mx - 5 * uy - 3 * ux:.0f}" y1="{my + 5 * ux - 3 * uy:.0f}" '
                       f'x2="{mx + 5 * uy + 3 * ux:.0f}" y2="{my - 5 * ux + 3 * uy:.0f}" stroke="{FLOW}" '
                       'stroke-width="1.5"/>')
        name = el.get("name")
        if name and label:
            lx, ly, lw, lh = label
            lines = wrap(name, FLOW_LABEL_W, 11)
            w, _ = flow_label_size(name)
            out.append(f'<rect x="{lx:.0f}" y="{ly:.0f}" width="{w:.0f}" height="{lh:.0f}" fill="#ffffff" '
                       'fill-opacity="0.85"/>')
            out.append(_text_lines(lines, lx + 3, ly, 11, "start").replace("<text ", f'<text fill="{FLOW}" '))

    for el, (x, y, w, h), label, _shape in shapes:
        tag = local(el)
        if tag in ("lane", "group") or (tag == "subProcess" and w > 150):
            continue
        kind = kind_of(tag)
        name = el.get("name") or ""
        cx, cy = x + w / 2, y + h / 2
        if kind == "event":
            r = w / 2
            thick = 3.5 if tag == "endEvent" else 1.5
            dash = ' stroke-dasharray="4 3"' if el.get("cancelActivity") == "false" or \
                el.get("isInterrupting") == "false" else ""
            fill, stroke, pen = paint(el)
            out.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{r:.0f}" fill="{fill}" stroke="{stroke}" '
                       f'stroke-width="{max(thick, pen or 0)}"{dash}/>')
            if tag in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
                out.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{r - 3:.0f}" fill="none" stroke="{STROKE}" '
                           f'stroke-width="1"{dash}/>')
            out.append(_event_marker(el, cx, cy))
            if label and name:
                lx, ly, lw, lh = label
                out.append(_text_lines(wrap(name, lw - 4, 11), lx + lw / 2, ly, 11))
        elif kind == "gateway":
            half = w / 2
            fill, stroke, pen = paint(el)
            out.append(f'<path d="M{cx:.0f},{y:.0f} L{x + w:.0f},{cy:.0f} L{cx:.0f},{y + h:.0f} L{x:.0f},{cy:.0f} z" '
                       f'fill="{fill}" stroke="{stroke}" stroke-width="{pen or 1.5}"/>')
            m = half * 0.4
            if tag == "parallelGateway":
                out.append(f'<path d="M{cx - m:.0f},{cy:.0f} L{cx + m:.0f},{cy:.0f} M{cx:.0f},{cy - m:.0f} '
                           f'L{cx:.0f},{cy + m:.0f}" stroke="{STROKE}" stroke-width="4"/>')
            elif tag == "exclusiveGateway":
                k = m * 0.75
                out.append(f'<path d="M{cx - k:.0f},{cy - k:.0f} L{cx + k:.0f},{cy + k:.0f} M{cx + k:.0f},'
                           f'{cy - k:.0f} L{cx - k:.0f},{cy + k:.0f}" stroke="{STROKE}" stroke-width="4"/>')
            elif tag == "inclusiveGateway":
                out.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{m:.0f}" fill="none" stroke="{STROKE}" '
                           'stroke-width="3"/>')
            if label and name:
                lx, ly, lw, lh = label
                out.append(_text_lines(wrap(name, 96, 11), lx + lw / 2, ly, 11))
        else:
            thick = 3 if tag == "callActivity" else 1.5
            fill, stroke, pen = paint(el)
            out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="10" fill="{fill}" '
                       f'stroke="{stroke}" stroke-width="{pen or thick}"/>')
            lines = wrap(name, w - 10)
            top = cy - len(lines) * LINE / 2
            out.append(_text_lines(lines, cx, top, FONT))
            out.append(_task_marker(tag, x, y))
            if tag == "subProcess":
                out.append(f'<rect x="{cx - 7:.0f}" y="{y + h - 16:.0f}" width="14" height="14" fill="none" '
                           f'stroke="{STROKE}"/><path d="M{cx - 4:.0f},{y + h - 9:.0f} L{cx + 4:.0f},'
                           f'{y + h - 9:.0f} M{cx:.0f},{y + h - 13:.0f} L{cx:.0f},{y + h - 5:.0f}" '
                           f'stroke="{STROKE}"/>')
    out.extend(_stand_signs(shapes, current_ids, done_ids))
    out.append("</g></svg>" if part else "</svg>")
    return "\n".join(out) + "\n"


SIGN_NOW, SIGN_DONE = "#7a4f00", "#1e6b35"


def _around(shapes: list[Any], ids: set[str], whole: tuple[float, float], margin: float = 70.0,
            least: tuple[float, float] = (1200.0, 560.0)) -> tuple[float, float, float, float] | None:
    """The part of the diagram (x, y, width, height) that holds the shapes ``ids`` and their labels,
    with a margin, at least ``least`` in size (around them, inside the ``whole`` drawing where it
    can be); None when none of them is drawn."""
    boxes = []
    for el, box, label, _ in shapes:
        # a step, not a frame: an expanded sub-process (drawn open, its steps inside) is left out
        if el.get("id") in ids and local(el) not in ("lane", "group") and box[2] * box[3] < 600 * 400:
            boxes.append(box)
            if label:
                boxes.append(label)
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes) - margin
    y0 = min(b[1] for b in boxes) - margin
    x1 = max(b[0] + b[2] for b in boxes) + margin
    y1 = max(b[1] + b[3] for b in boxes) + margin
    grow_x = max(0.0, least[0] - (x1 - x0)) / 2
    grow_y = max(0.0, least[1] - (y1 - y0)) / 2
    x0, x1, y0, y1 = x0 - grow_x, x1 + grow_x, y0 - grow_y, y1 + grow_y

    def inside(low: float, high: float, size: float) -> tuple[float, float]:
        shift = max(0.0, -low) - max(0.0, high - size) if high - low <= size else -low
        return low + shift, high + shift
    (x0, x1), (y0, y1) = inside(x0, x1, whole[0]), inside(y0, y1, whole[1])
    return (x0, y0, x1 - x0, y1 - y0)


def _stand_signs(shapes: list[Any], current_ids: set[str], done_ids: set[str]) -> list[str]:
    """Where the case stands, in a sign beside the step ("nu" at a current one, a check mark at a
    completed one), as the case page draws it: a role's colour may be the same as the marking's."""
    out = []
    for el, (x, y, w, _h), _, _ in shapes:
        key = el.get("id")
        if key in current_ids:
            out.append(f'<g class="stand-nu"><rect x="{x - 8:.0f}" y="{y - 10:.0f}" width="24" height="16" rx="8" '
                       f'fill="{SIGN_NOW}" stroke="#ffffff" stroke-width="1.5"/><text x="{x + 4:.0f}" y="{y + 2:.0f}" '
                       f'font-size="11" font-weight="bold" text-anchor="middle" fill="#ffffff">nu</text></g>')
        elif key in done_ids:
            cx, cy = x + w - 4, y
            out.append(f'<g class="stand-gedaan"><circle cx="{cx:.0f}" cy="{cy:.0f}" r="8" fill="{SIGN_DONE}" '
                       f'stroke="#ffffff" stroke-width="1.5"/><path d="M{cx - 4:.0f},{cy:.0f} L{cx - 1:.0f},{cy + 3:.0f} '
                       f'L{cx + 4:.0f},{cy - 3:.0f}" fill="none" stroke="#ffffff" stroke-width="2"/></g>')
    return out


def _event_marker(el: etree._Element, cx: float, cy: float) -> str:
    if el.find(f"{{{BPMN}}}timerEventDefinition") is not None:
        hands = f'<path d="M{cx:.0f},{cy:.0f} L{cx:.0f},{cy - 7:.0f} M{cx:.0f},{cy:.0f} L{cx + 5:.0f},{cy:.0f}" ' \
                f'stroke="{STROKE}" stroke-width="1.5"/>'
        return f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="10" fill="#ffffff" stroke="{STROKE}"/>' + hands
    if el.find(f"{{{BPMN}}}messageEventDefinition") is not None:
        return (f'<rect x="{cx - 9:.0f}" y="{cy - 6:.0f}" width="18" height="12" fill="#ffffff" stroke="{STROKE}"/>'
                f'<path d="M{cx - 9:.0f},{cy - 6:.0f} L{cx:.0f},{cy + 1:.0f} L{cx + 9:.0f},{cy - 6:.0f}" '
                f'fill="none" stroke="{STROKE}"/>')
    if el.find(f"{{{BPMN}}}terminateEventDefinition") is not None:
        return f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="9" fill="{STROKE}"/>'
    return ""


def _task_marker(tag: str, x: float, y: float) -> str:
    """A small type marker in the top-left corner: person, script or table."""
    if tag == "userTask":
        return (f'<circle cx="{x + 14:.0f}" cy="{y + 11:.0f}" r="4" fill="none" stroke="{STROKE}"/>'
                f'<path d="M{x + 7:.0f},{y + 23:.0f} Q{x + 14:.0f},{y + 12:.0f} {x + 21:.0f},{y + 23:.0f} z" '
                f'fill="none" stroke="{STROKE}"/>')
    if tag == "scriptTask":
        return (f'<path d="M{x + 8:.0f},{y + 7:.0f} h10 M{x + 8:.0f},{y + 12:.0f} h10 M{x + 8:.0f},{y + 17:.0f} h10" '
                f'stroke="{STROKE}"/>')
    if tag == "businessRuleTask":
        return (f'<rect x="{x + 7:.0f}" y="{y + 7:.0f}" width="16" height="12" fill="none" stroke="{STROKE}"/>'
                f'<path d="M{x + 7:.0f},{y + 11:.0f} h16 M{x + 12:.0f},{y + 11:.0f} v8" stroke="{STROKE}"/>')
    return ""


def has_diagram(files: dict[str, str], process_id: str) -> bool:
    """Whether the main BPMN file of a process version carries a diagram."""
    return any(name.endswith(".bpmn") and not name.startswith("gedeeld/") and f'id="{process_id}"' in text
               and "BPMNDiagram" in text for name, text in files.items())


def bundle_diagrams(files: dict[str, str], process_id: str, key: str, roles: dict[str, Any] | None = None) -> dict[str, str]:
    """SVG per BPMN file of a process version: ``<key>.svg`` for the main process, and
    ``<name>.svg`` for each shared sub-process (``gedeeld/<name>.bpmn``) that carries a diagram."""
    out = {}
    for name, text in sorted(files.items()):
        if not name.endswith(".bpmn") or "BPMNDiagram" not in text:
            continue
        stem = name.rsplit("/", 1)[-1][:-len(".bpmn")]
        if name.startswith("gedeeld/"):
            out[f"{stem}.svg"] = render_svg(text, roles)
        elif f'id="{process_id}"' in text:
            out[f"{key}.svg"] = render_svg(text, roles)
    return out
