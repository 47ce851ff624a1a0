"""Readable diagram layout (BPMN DI) for the process files.

A layered (Sugiyama-style) layout computed from the semantic model alone:

1. loops are found with a depth-first search over the sequence flows and their
   back edges reversed, so the graph is acyclic;
2. every node gets the rank of its longest path from a start, which becomes its
   column (left to right along the flow);
3. flows that skip columns get dummy points, then barycenter sweeps order the
   nodes of each column within their lane band to reduce crossings;
4. rows are assigned per lane so that chains run straight; lanes become
   horizontal bands (file order, or the order the flow reaches them, whichever
   crosses less); flows are routed orthogonally through the gaps between columns,
   which hold no shapes; loops run back along the gutter below or above their
   rows and through such a gap.

Boundary events sit on the lower border of their host. Event sub-processes are
drawn expanded below the lanes; other embedded sub-processes are drawn
collapsed with their content on a diagram plane of their own (bpmn-js drill-down).
Event and gateway labels are sized for bpmn-js's 90 px external label box.

Only the DI is written: :func:`apply_layout` strips existing ``BPMNDiagram``
elements from the text and inserts a freshly generated block before the closing
``definitions`` tag, leaving every semantic byte as it was. The output depends on
nothing but the input, so re-running is byte-identical.
"""
from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from lxml import etree

from .xml import BPMN_NS

BPMN = BPMN_NS
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
BIOC = "http://bpmn.io/schema/bpmn/biocolor/1.0"
COLOR = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"

NOT_NODES = {"sequenceFlow", "laneSet", "extensionElements", "documentation", "textAnnotation", "association",
             "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification", "property",
             "dataInputAssociation", "dataOutputAssociation", "multiInstanceLoopCharacteristics",
             "standardLoopCharacteristics", "incoming", "outgoing", "group", "category"}

# Geometry (px).
TASK_W, TASK_H = 120, 80
EVENT = 36
GATEWAY = 50
DUMMY_PITCH = 40       # height of a row that only flows pass through
PITCH = 150            # height of one row within a lane
LANE_HEAD = 30         # the band on the left of a lane that carries its name
MARGIN = 40            # between the lane head and the first column, and after the last
GAP = 34               # horizontal gap between two columns that only straight flows cross
CHANNEL_STEP = 8       # distance between vertical flow segments in one gap
LANE_PAD = 10          # vertical padding inside a lane band
SUB_PAD = 30           # padding inside an expanded sub-process
FONT = 12
FLOW_LABEL_W = 64      # a flow's name wraps at this width, to keep the gaps between columns narrow
LABEL_W = 90           # external labels of events and gateways (bpmn-js wraps them at 90 px)
LINE = 14


# Advance widths in em, measured in a browser on a sans-serif font slightly wider than Arial, so that
# labels sized with them also fit where bpmn-js draws in Arial.
_WIDTHS = {**dict.fromkeys("0123456789", 0.64), **dict.fromkeys("fjilt'I|J", 0.3), **dict.fromkeys(" .,:;/", 0.33),
           **dict.fromkeys("()[]-r!", 0.39), **dict.fromkeys("mMW", 0.92), **dict.fromkeys("w", 0.82),
           **dict.fromkeys("=+", 0.84), **dict.fromkeys("csvxyzkT", 0.56), "F": 0.48, "Y": 0.5, "P": 0.56,
           "L": 0.56}


def text_width(text: str, size: float = FONT) -> float:
    """Approximate rendered width of ``text`` at ``size`` px."""
    total = 0.0
    for ch in text:
        if ch in _WIDTHS:
            total += _WIDTHS[ch]
        elif ch.isupper():
            total += 0.72
        else:
            total += 0.62
    return total * size


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width``.

    Hyphenated words may break after a hyphen; a word longer than a line is split with a hyphen.
    """
    pieces: list[tuple[str, bool]] = []  # (piece, glued to the previous piece)
    for token in (text or "").split():
        parts = token.split("-")
        parts = [part + "-" for part in parts[:-1]] + [parts[-1]]
        for k, part in enumerate(p for p in parts if p):
            pieces.append((part, k > 0))
    lines: list[str] = []
    current = ""
    for word, glued in pieces:
        if glued and current and text_width(current + word, size) <= width:
            current += word
            continue
        while text_width(word, size) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width(word[:cut] + "-", size) > width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        candidate = (current + word if glued else f"{current} {word}") if current else word
        if current and text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def flow_label_size(name: str) -> tuple[int, int]:
    """Width and height of a sequence flow's label (11 px, wrapped at FLOW_LABEL_W)."""
    lines = wrap(name, FLOW_LABEL_W, 11)
    return int(max((text_width(line, 11) for line in lines), default=0)) + 6, 13 * len(lines) + 1


def local(el: etree._Element) -> str:
    name: str = etree.QName(el).localname
    return name


def kind_of(tag: str) -> str:
    if tag.endswith("Event"):
        return "event"
    if tag.endswith("Gateway"):
        return "gateway"
    return "task"


@dataclass
class Node:
    id: str
    tag: str
    name: str
    index: int
    lane: str | None = None
    host: str | None = None
    w: int = TASK_W
    h: int = TASK_H
    x: int = 0
    y: int = 0
    rank: int = 0
    row: int = 0
    dummy: bool = False
    expanded: bool = False
    label: tuple[int, int, int, int] | None = None
    slot: int = 0  # a boundary event's place among its host's, left to right

    @property
    def kind(self) -> str:
        return "dummy" if self.dummy else kind_of(self.tag)

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str
    index: int
    points: list[tuple[int, int]] = field(default_factory=list)
    label: tuple[int, int, int, int] | None = None


@dataclass
class Plane:
    """The laid-out content of one container (process or collapsed sub-process)."""
    element: str
    nodes: dict[str, Node]
    flows: list[Flow]
    lanes: list[tuple[str, str, tuple[int, int, int, int]]]  # (id, name, bounds)
    width: int = 0
    height: int = 0
    columns: int = 0
    # Phase mode: (group id, phase, bounds) per row, and per coloured node its role.
    groups: list[tuple[str, str, tuple[int, int, int, int]]] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)


Edge = tuple[str, str, Flow]  # (anchor of the source, anchor of the target, flow)
Box = tuple[int, int, int, int]  # (x, y, width, height)
Point = tuple[float, float]


# --------------------------------------------------------------------------- semantic model


def _size(node: Node) -> None:
    if node.kind == "event":
        node.w = node.h = EVENT
    elif node.kind == "gateway":
        node.w = node.h = GATEWAY
    else:
        node.w, node.h = TASK_W, TASK_H
        # Wider for a word that does not fit or for more than five lines.
        for width in (TASK_W, 140, 160, 180):
            node.w = width
            lines = wrap(node.name, width - 10)
            split = any(line.endswith("-") and line[:-1] + " " not in node.name + " " for line in lines)
            if len(lines) <= 5 and (not split or width >= 180):
                break


def _container_items(container: etree._Element) -> tuple[list[etree._Element], list[etree._Element]]:
    nodes: list[etree._Element] = []
    flows: list[etree._Element] = []
    for el in container:
        if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
            continue
        tag = local(el)
        if tag == "sequenceFlow":
            flows.append(el)
        elif tag not in NOT_NODES:
            nodes.append(el)
    return nodes, flows


def _lanes(container: etree._Element) -> list[etree._Element]:
    lanes: list[etree._Element] = []
    for lane_set in container.findall(f"{{{BPMN}}}laneSet"):
        for lane in lane_set.iter(f"{{{BPMN}}}lane"):
            if lane.find(f"{{{BPMN}}}childLaneSet") is None:
                lanes.append(lane)
    return lanes


# --------------------------------------------------------------------------- layered layout


def _boundary_label(nodes: dict[str, Node], n: Node, lines: list[str], mirror: bool = False
                    ) -> tuple[int, int, int, int]:
    """Beside the events below their host: the first half left of the first event (where no flow runs),
    the rest right of the last one; stacked when there are several on one side."""
    siblings = sorted((m for m in nodes.values() if m.host == n.host and m.tag == "boundaryEvent"),
                      key=lambda m: m.slot)
    top = nodes[n.host].y + nodes[n.host].h + 2 if n.host in nodes else n.y + n.h
    left_count = (len(siblings) + 1) // 2
    i = siblings.index(n)
    side = siblings[:left_count] if i < left_count else siblings[left_count:]
    y = top + sum(len(wrap(m.name, LABEL_W - 4, 11)) * 13 + 4 for m in side[:side.index(n)])
    h = len(lines) * 13 + 2
    if (i < left_count) != mirror:
        return (siblings[0].x - 2 - LABEL_W, y, LABEL_W, h)
    return (siblings[-1].x + siblings[-1].w + 2, y, LABEL_W, h)


LANE_ORDERS = ("file", "first", "linked")


def _layout_container(container: etree._Element, planes: list[Plane], lane_order: str = "file", drop: str = "late",
                      reverse: bool = False, sinks: frozenset[str] = frozenset()
                      ) -> tuple[Plane, list[etree._Element]]:
    """Lay out one container; returns its plane (origin 0,0) and its event sub-processes. ``sinks``:
    boundary events whose flow leaves the container (rows per phase), placed as if it went lowest."""
    node_els, flow_els = _container_items(container)
    nodes: dict[str, Node] = {}
    event_subs: list[etree._Element] = []
    collapsed: list[etree._Element] = []
    for i, el in enumerate(node_els):
        node = Node(el.get("id"), local(el), el.get("name") or "", i, host=el.get("attachedToRef"))
        if node.tag == "subProcess":
            if el.get("triggeredByEvent") == "true":
                event_subs.append(el)
                continue
            collapsed.append(el)
        if node.tag == "boundaryEvent" and node.host is None:
            node.tag = "intermediateCatchEvent"
        _size(node)
        nodes[node.id] = node
    flows = [Flow(f.get("id"), f.get("sourceRef"), f.get("targetRef"), f.get("name") or "", i)
             for i, f in enumerate(flow_els) if f.get("sourceRef") in nodes and f.get("targetRef") in nodes]

    lanes = _lanes(container)
    lane_ids = [lane.get("id") for lane in lanes]
    for lane in lanes:
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            ref_id = (ref.text or "").strip()
            if ref_id in nodes and nodes[ref_id].lane is None:
                nodes[ref_id].lane = lane.get("id")
    _fill_lanes(nodes, flows, lane_ids)
    _widen_hosts(nodes)

    main = [n for n in nodes.values() if n.tag != "boundaryEvent" or n.host not in nodes]
    for n in nodes.values():
        if n.tag == "boundaryEvent" and n.host not in nodes:
            n.host = None

    def anchor(node_id: str) -> str:
        n = nodes[node_id]
        return n.host if n.host else node_id

    edges = [(anchor(f.source), anchor(f.target), f) for f in flows]
    back = _back_edges(main, edges)
    _rank(main, edges, back)
    lane_ids = _order_lanes(lane_ids, main, lane_order, edges, nodes)
    lanes = sorted(lanes, key=lambda lane: lane_ids.index(lane.get("id")))

    layers, chains = _dummies(nodes, main, edges, back, drop)
    weak = {(chains[f.id][0], chains[f.id][1]) for f in flows
            if f.id in chains and nodes[f.source].tag == "boundaryEvent" and nodes[f.source].host}
    _order(layers, chains, lane_ids, nodes, weak, reverse)
    _rows(layers, chains, weak)
    plane = _place(container.get("id"), nodes, flows, layers, lanes, lane_ids, chains, sinks)

    for el in collapsed:
        planes.append(layout_plane(el, planes))
    return plane, event_subs


def _order_lanes(lane_ids: list[str], main: list[Node], mode: str, edges: Sequence[Edge] = (),
                 nodes: dict[str, Node] | None = None) -> list[str]:
    """Lanes in file order ("file"), in the order the flow first reaches them ("first"), or ("linked")
    from the first lane reached on, each next the one with the most flows to the last placed lanes."""
    if mode == "file":
        return lane_ids
    if mode == "linked" and nodes:
        weight: dict[tuple[str | None, str | None], int] = {}
        for s, t, _ in edges:
            a, b = nodes[s].lane, nodes[t].lane
            if a != b:
                weight[(a, b)] = weight.get((a, b), 0) + 1
                weight[(b, a)] = weight.get((b, a), 0) + 1
        placed = _order_lanes(lane_ids, main, "first")[:1]
        while len(placed) < len(lane_ids):
            rest = [lane for lane in lane_ids if lane not in placed]
            placed.append(max(rest, key=lambda lane: (sum(weight.get((lane, p), 0) * (k + 1)
                                                          for k, p in enumerate(placed)), -lane_ids.index(lane))))
        return placed
    first: dict[str | None, int] = {}
    for n in main:
        first[n.lane] = min(first.get(n.lane, n.rank), n.rank)
    return sorted(lane_ids, key=lambda lane: (first.get(lane, 10 ** 6), lane_ids.index(lane)))


def _fill_lanes(nodes: dict[str, Node], flows: list[Flow], lane_ids: list[str]) -> None:
    """Nodes outside every lane take their host's, predecessor's or successor's lane."""
    if not lane_ids:
        return
    for n in nodes.values():
        if n.host and n.host in nodes and nodes[n.host].lane:
            n.lane = nodes[n.host].lane
    for _ in range(len(nodes)):
        changed = False
        for f in flows:
            s, t = nodes[f.source], nodes[f.target]
            if t.lane is None and s.lane is not None:
                t.lane, changed = s.lane, True
        for f in reversed(flows):
            s, t = nodes[f.source], nodes[f.target]
            if s.lane is None and t.lane is not None:
                s.lane, changed = t.lane, True
        for n in nodes.values():
            if n.host and n.host in nodes and n.lane is None and nodes[n.host].lane:
                n.lane, changed = nodes[n.host].lane, True
        if not changed:
            break
    for n in nodes.values():
        if n.lane is None:
            n.lane = lane_ids[0]


def _back_edges(main: list[Node], edges: list[Edge]) -> set[int]:
    """Indices (into ``edges``) of flows that close a loop, found by depth-first search in file order."""
    out: dict[str, list[tuple[str, int]]] = {n.id: [] for n in main}
    indeg = {n.id: 0 for n in main}
    for i, (s, t, _) in enumerate(edges):
        if s in out and t in out and s != t:
            out[s].append((t, i))
            indeg[t] += 1
    state: dict[str, int] = {}
    back: set[int] = set()
    roots = [n.id for n in main if indeg[n.id] == 0] + [n.id for n in main]
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            target, i = step
            if state.get(target) == 1:
                back.add(i)
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(out[target])))
    for i, (s, t, _) in enumerate(edges):
        if s == t:
            back.add(i)
    return back


def _rank(main: list[Node], edges: list[Edge], back: set[int]) -> None:
    """Longest-path ranking over the acyclic graph (back edges reversed)."""
    ids = [n.id for n in main]
    succ: dict[str, list[str]] = {i: [] for i in ids}
    indeg = dict.fromkeys(ids, 0)
    for i, (s, t, _) in enumerate(edges):
        if s not in succ or t not in succ or s == t:
            continue
        if i in back:
            s, t = t, s
        succ[s].append(t)
        indeg[t] += 1
    rank = dict.fromkeys(ids, 0)
    ready = [i for i in ids if indeg[i] == 0]
    order = {n: k for k, n in enumerate(ids)}
    while ready:
        ready.sort(key=order.__getitem__)
        n = ready.pop(0)
        for t in succ[n]:
            rank[t] = max(rank[t], rank[n] + 1)
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    # Sources other than the first start sit just before their first successor.
    for n in ids:
        has_pred = any(n in succ[m] for m in ids)
        if not has_pred and succ[n]:
            rank[n] = max(rank[n], min(rank[t] for t in succ[n]) - 1)
    mapping = {n.id: n for n in main}
    for n in ids:
        mapping[n].rank = rank[n]


def _dummies(nodes: dict[str, Node], main: list[Node], edges: list[Edge], back: set[int], drop: str = "late"
             ) -> tuple[list[list[Node]], dict[str, list[str]]]:
    """Layers of real and dummy nodes, and per flow the chain of node ids it passes (forward flows only).

    A flow to another lane runs in its source's lane and changes lanes in the last gap ("late"), or
    changes lanes in the first gap and runs in its target's lane ("early").
    """
    count = max((n.rank for n in main), default=0) + 1
    layers: list[list[Node]] = [[] for _ in range(count)]
    for n in main:
        layers[n.rank].append(n)
    chains: dict[str, list[str]] = {}
    for i, (s, t, flow) in enumerate(edges):
        if i in back or s == t:
            continue
        src, tgt = nodes[s], nodes[t]
        chain = [s]
        for r in range(src.rank + 1, tgt.rank):
            d = Node(f"{flow.id}#{r}", "dummy", "", 10_000 + flow.index, lane=src.lane if drop == "late" else tgt.lane,
                     dummy=True, w=0, h=0)
            d.rank = r
            nodes[d.id] = d
            layers[r].append(d)
            chain.append(d.id)
        chain.append(t)
        chains[flow.id] = chain
    return layers, chains


def _layer_edges(chains: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = []
    for chain in chains.values():
        pairs += list(pairwise(chain))
    return pairs


def _order(layers: list[list[Node]], chains: dict[str, list[str]], lane_ids: list[str], nodes: dict[str, Node],
           weak: set[tuple[str, str]], reverse: bool = False) -> None:
    """Barycenter sweeps within lane groups, from file order (or the reverse); keeps the ordering with
    the fewest crossings."""
    lane_pos: dict[str | None, int] = {lane: i for i, lane in enumerate(lane_ids)}
    pairs = _layer_edges(chains)
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for s, t in pairs:
        succs.setdefault(s, []).append(t)
        preds.setdefault(t, []).append(s)

    def lane_key(n: Node) -> int:
        return lane_pos.get(n.lane, 0)

    for layer in layers:
        layer.sort(key=lambda n: (lane_key(n), -n.index if reverse else n.index))

    strong_from: dict[str, set[str]] = {}
    weak_from: dict[str, set[str]] = {}
    for s, t in pairs:
        (weak_from if (s, t) in weak else strong_from).setdefault(t, set()).add(s)

    def crossings() -> tuple[int, int]:
        """Crossings between adjacent layers, then boundary-event targets ordered above the host's
        ordinary successors."""
        pos = {n.id: i for layer in layers for i, n in enumerate(layer)}
        misplaced = 0
        for layer in layers:
            for i, a in enumerate(layer):
                for b in layer[i + 1:]:
                    if weak_from.get(a.id, set()) & strong_from.get(b.id, set()):
                        misplaced += 1
        total = 0
        by_layer: dict[int, list[tuple[int, int]]] = {}
        for s, t in pairs:
            by_layer.setdefault(nodes[s].rank, []).append((pos[s], pos[t]))
        for segs in by_layer.values():
            segs.sort()
            for j in range(len(segs)):
                for k in range(j + 1, len(segs)):
                    if segs[j][0] < segs[k][0] and segs[j][1] > segs[k][1]:
                        total += 1
        return total, misplaced

    best = [list(layer) for layer in layers]
    best_count = crossings()
    for sweep in range(12):
        down = sweep % 2 == 0
        seq = range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)
        for r in seq:
            ref = layers[r - 1] if down else layers[r + 1]
            ref_pos = {n.id: i for i, n in enumerate(ref)}
            links = preds if down else succs
            other = layers[r + 1] if down and r + 1 < len(layers) else (layers[r - 1] if not down and r else [])
            other_pos = {n.id: i for i, n in enumerate(other)}
            other_links = succs if down else preds
            keyed = []
            for i, n in enumerate(layers[r]):
                # Flows leaving a boundary event pull their target below the host's other successors.
                around = [ref_pos[m] + (0.5 if ((m, n.id) if down else (n.id, m)) in weak else 0)
                          for m in links.get(n.id, []) if m in ref_pos]
                if not around:  # no neighbour on this side: go by the other side
                    around = [other_pos[m] + (0.5 if ((n.id, m) if down else (m, n.id)) in weak else 0)
                              for m in other_links.get(n.id, []) if m in other_pos]
                bary = sum(around) / len(around) if around else float(i)
                keyed.append((lane_key(n), bary, i, n))
            keyed.sort(key=lambda k: (k[0], k[1], k[2]))
            layers[r] = [k[3] for k in keyed]
        count = crossings()
        if count < best_count:
            best, best_count = [list(layer) for layer in layers], count
    for r, layer in enumerate(best):
        layers[r] = layer


def _rows(layers: list[list[Node]], chains: dict[str, list[str]], weak: set[tuple[str, str]]) -> None:
    """Row index of every node within its lane: chains stay straight where the order allows."""
    pairs = _layer_edges(chains)
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for s, t in pairs:
        preds.setdefault(t, []).append(s)
        succs.setdefault(s, []).append(t)
    all_nodes = {n.id: n for layer in layers for n in layer}

    def succ_rows_of(n: Node) -> list[int]:
        return [all_nodes[m].row for m in succs.get(n.id, []) if all_nodes[m].lane == n.lane]

    def assign(layer: list[Node], links: dict[str, list[str]]) -> None:
        last: dict[str | None, int] = {}
        for n in layer:
            same = sorted(all_nodes[m].row for m in links.get(n.id, [])
                          if all_nodes[m].lane == n.lane and (m, n.id) not in weak)
            below = [all_nodes[m].row + 1 for m in links.get(n.id, [])
                     if all_nodes[m].lane == n.lane and (m, n.id) in weak]
            want = same[(len(same) - 1) // 2] if same else (min(below) if below else 0)
            n.row = max(want, last.get(n.lane, -1) + 1)
            last[n.lane] = n.row

    for layer in layers:
        assign(layer, preds)
    # Right to left: nodes without predecessors in their lane line up with their successors.
    for layer in reversed(layers):
        last: dict[str | None, int] = {}
        for n in layer:
            same = [all_nodes[m].row for m in preds.get(n.id, []) if all_nodes[m].lane == n.lane]
            succ_rows = sorted(all_nodes[m].row for m in succs.get(n.id, [])
                               if all_nodes[m].lane == n.lane and (n.id, m) not in weak)
            if not same and succ_rows:
                n.row = max(succ_rows[0], last.get(n.lane, -1) + 1)
            else:
                n.row = max(n.row, last.get(n.lane, -1) + 1)
            last[n.lane] = n.row
        # Move a node down to its only successor's row when the rows below it in its lane are free.
        for i, n in enumerate(layer):
            if len(succ_rows_of(n)) != 1:
                continue
            target = succ_rows_of(n)[0]
            below = [m.row for m in layer[i + 1:] if m.lane == n.lane]
            if target > n.row and (not below or min(below) > target):
                n.row = target


def _place(element: str, nodes: dict[str, Node], flows: list[Flow], layers: list[list[Node]],
           lanes: list[etree._Element], lane_ids: list[str], chains: dict[str, list[str]],
           sinks: frozenset[str] = frozenset()) -> Plane:
    has_lanes = bool(lane_ids)
    lane_of: dict[str | None, int] = {lid: i for i, lid in enumerate(lane_ids)} if has_lanes else {}
    # Rows that hold only flows passing by (dummies) are thin; rows with shapes are PITCH high.
    lane_count = max(1, len(lane_ids))
    real_rows: list[set[int]] = [set() for _ in range(lane_count)]
    rows_in = [0] * lane_count
    for layer in layers:
        for n in layer:
            k = lane_of.get(n.lane, 0)
            rows_in[k] = max(rows_in[k], n.row + 1)
            if not n.dummy:
                real_rows[k].add(n.row)
    row_mid: list[list[int]] = []
    lane_h: list[int] = []
    for k in range(lane_count):
        mids, y = [], LANE_PAD
        for row in range(max(1, rows_in[k])):
            pitch = PITCH if row in real_rows[k] or rows_in[k] == 0 else DUMMY_PITCH
            mids.append(y + pitch // 2)
            y += pitch
        row_mid.append(mids)
        lane_h.append(max(y + LANE_PAD, PITCH // 2 + 2 * LANE_PAD))
    tops = []
    y = 0
    for k in range(lane_count):
        tops.append(y)
        y += lane_h[k]
    height = y

    for layer in layers:
        for n in layer:
            k = lane_of.get(n.lane, 0)
            cy = tops[k] + row_mid[k][n.row]
            n.y = cy if n.dummy else cy - n.h // 2

    _boundary_slots(nodes, flows, chains, sinks)

    # Column widths and gaps: a gap widens with the vertical segments and flow names in it. The rows are
    # placed, so the vertical segments are known: one channel per source that changes row in the gap,
    # counted exactly as _route assigns them (a boundary event is a source of its own, apart from its host).
    label_room: dict[int, int] = {}
    for f in flows:
        if f.name:
            host = nodes[f.source].host
            src = nodes[host] if host else nodes[f.source]
            label_room[src.rank] = max(label_room.get(src.rank, 0), flow_label_size(f.name)[0])
    # A column of named events or gateways is wide enough for their 90 px labels not to touch.
    widths = [max([n.w for n in layer if not n.dummy]
                  + [LABEL_W - GAP + 6 for n in layer if n.name and n.kind in ("event", "gateway")], default=20)
              for layer in layers]
    x = (LANE_HEAD if has_lanes else 0) + MARGIN
    gap_sources, _ = _gap_sources(nodes, flows, chains)
    lefts = []
    for r, w in enumerate(widths):
        lefts.append(x)
        verticals = len(gap_sources.get(r, []))
        gap = GAP if not verticals else GAP + 8 + (verticals - 1) * CHANNEL_STEP
        if r in label_room:
            gap = max(gap, label_room[r] + 18 + max(0, verticals - 1) * CHANNEL_STEP)
        x += w + gap
    width = x - GAP + MARGIN - GAP // 2 if layers else 2 * MARGIN
    width = max(width, (LANE_HEAD if has_lanes else 0) + 2 * MARGIN)

    for r, layer in enumerate(layers):
        for n in layer:
            n.x = lefts[r] + widths[r] // 2 - n.w // 2
            if n.dummy:
                n.x, n.w = lefts[r], widths[r]
    _boundaries(nodes)
    _route(nodes, flows, lefts, widths, chains)
    above, below = _escapes(nodes, flows, lefts, widths, chains, height)
    if above:  # the first lane (or the plane) grows upwards: everything moves down
        for n in nodes.values():
            n.y += above
        for f in flows:
            f.points = [(x, y + above) for x, y in f.points]
        tops = [0] + [top + above for top in tops[1:]]
        lane_h[0] += above
    height += above + below
    lane_h[-1] += below
    _labels(nodes, flows, set(chains))
    lane_shapes = []
    for k, lane in enumerate(lanes):
        lane_shapes.append((lane.get("id"), lane.get("name") or "", (0, tops[k], width, lane_h[k])))
    real = {i: n for i, n in nodes.items() if not n.dummy}
    return Plane(element, real, flows, lane_shapes, width, height, len(layers))


def _widen_hosts(nodes: dict[str, Node]) -> None:
    """A task with three or more boundary events is wide enough to keep them apart."""
    count: dict[str, int] = {}
    for n in nodes.values():
        if n.tag == "boundaryEvent" and n.host:
            count[n.host] = count.get(n.host, 0) + 1
    for host, k in count.items():
        if k >= 3 and nodes[host].kind == "task":
            nodes[host].w = max(nodes[host].w, 60 * k)


def _boundary_slots(nodes: dict[str, Node], flows: list[Flow], chains: dict[str, list[str]],
                    sinks: frozenset[str] = frozenset()) -> None:
    """The order of the boundary events on their host's border (the rows are placed), left to right:
    the one whose flow goes lowest first, so that its flow runs below its siblings' and crosses none
    of them (``sinks``: events whose flow leaves the plane, below it); else file order."""
    depth: dict[str, int] = dict.fromkeys(sinks, 10 ** 9)
    for f in flows:
        chain = chains.get(f.id)
        if chain and nodes[f.source].tag == "boundaryEvent":
            nxt = nodes[chain[1]]
            depth[f.source] = max(depth.get(f.source, nxt.y), nxt.y if nxt.dummy else nxt.cy)
    attached: dict[str, list[Node]] = {}
    for n in nodes.values():
        if n.tag == "boundaryEvent" and n.host in nodes:
            attached.setdefault(n.host, []).append(n)
    for host_id, events in attached.items():
        events.sort(key=lambda n: (-depth.get(n.id, nodes[host_id].cy), n.index))
        for i, n in enumerate(events):
            n.slot = i


def _boundaries(nodes: dict[str, Node]) -> None:
    attached: dict[str, list[Node]] = {}
    for n in nodes.values():
        if n.tag == "boundaryEvent" and n.host:
            attached.setdefault(n.host, []).append(n)
    for host_id, events in attached.items():
        host = nodes[host_id]
        events.sort(key=lambda n: n.slot)
        for i, n in enumerate(events):
            cx = host.x + host.w * (i + 1) // (len(events) + 1)
            n.x, n.y = cx - EVENT // 2, host.y + host.h - EVENT // 2
            n.rank = host.rank


def _simplify(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (ax == bx == p[0]) or (ay == by == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


def _hops(nodes: dict[str, Node], flow: Flow, chain: list[str]) -> Iterator[tuple[str, int, int, int, str]]:
    """(channel key, rank of the gap, exit y, entry y, target) per hop of a flow's chain."""
    for i, (s, t) in enumerate(pairwise(chain)):
        key = flow.source if i == 0 else s
        yield key, nodes[s].rank, _exit_y(nodes, key), _entry_y(nodes, t), t


def _gap_sources(nodes: dict[str, Node], flows: list[Flow], chains: dict[str, list[str]]
                 ) -> tuple[dict[int, list[str]], dict[tuple[int, str], int]]:
    """Channels: in each gap, one vertical line per source that changes row (a boundary event is a
    source of its own, apart from its host). Per gap its sources, and per (gap, source) the net drop."""
    by_id = {f.id: f for f in flows}
    gap_sources: dict[int, list[str]] = {}
    drop: dict[tuple[int, str], int] = {}
    for fid, chain in chains.items():
        for key, r, y_out, y_in, _ in _hops(nodes, by_id[fid], chain):
            if y_out != y_in:
                if key not in gap_sources.setdefault(r, []):
                    gap_sources[r].append(key)
                drop[(r, key)] = drop.get((r, key), 0) + (y_in - y_out)
    return gap_sources, drop


def _route(nodes: dict[str, Node], flows: list[Flow], lefts: list[int], widths: list[int],
           chains: dict[str, list[str]]) -> None:
    by_id = {f.id: f for f in flows}
    gap_sources, drop = _gap_sources(nodes, flows, chains)

    def hops(fid: str, chain: list[str]) -> Iterator[tuple[str, int, int, int, str]]:
        return _hops(nodes, by_id[fid], chain)

    channel: dict[tuple[int, str], int] = {}
    # Sources whose flows go down: the lower one gets the channel further left; going up: the higher
    # one. Then an L-shaped hop does not cut through its neighbour's.
    for r, sources in gap_sources.items():
        sources.sort(key=lambda s: (0, -_exit_y(nodes, s), nodes[s].index) if drop[(r, s)] > 0
                     else (1, _exit_y(nodes, s), nodes[s].index))
        gap_left = lefts[r] + widths[r]
        for i, s in enumerate(sources):
            channel[(r, s)] = gap_left + 14 + i * CHANNEL_STEP
    for fid, chain in chains.items():
        f = by_id[fid]
        src = nodes[f.source]
        pts: list[tuple[int, int]] = []
        y = _exit_y(nodes, src.id)
        if src.tag == "boundaryEvent" and src.host:
            pts += [(src.cx, src.y + src.h), (src.cx, y)]
        else:
            pts.append((src.x + src.w, y))
        for key, r, _, ty, t in hops(fid, chain):
            if ty != y:
                cx = channel.get((r, key), lefts[r] + widths[r] + 14)
                pts += [(cx, y), (cx, ty)]
                y = ty
            tn = nodes[t]
            pts.append((tn.x, ty))
            if tn.dummy:
                pts.append((tn.x + tn.w, ty))
        f.points = _simplify(pts)
    # Loops run back below their rows (bottom to bottom) or above them (top to top): along the gutter
    # of the source's row to a gap between the two columns, through that gap (gaps hold no shapes) to
    # the gutter of the target's row, and into the target. Side and gap: whichever crosses fewest of
    # the flows drawn so far. The bottom of a task with boundary events is used beside them.
    routed = [f.points for f in flows if f.id in chains]
    gap_end = [lefts[r + 1] if r + 1 < len(lefts) else lefts[r] + widths[r] + GAP for r in range(len(lefts))]
    # Loops into one target share their offset, so they join into one line instead of crossing.
    loops = sorted((f for f in flows if f.id not in chains), key=lambda f: f.index)
    targets = list(dict.fromkeys(f.target for f in loops))
    def loop_options(f: Flow) -> list[tuple[float, list[tuple[int, int]]]]:
        sn, tn = nodes[f.source], nodes[f.target]
        shift = (targets.index(f.target) % 3) * 6
        sx_b, tx_b = _bottom_spot(nodes, sn, last=True), _bottom_spot(nodes, tn, last=False)
        options: list[tuple[float, list[tuple[int, int]]]] = []
        for r in range(min(tn.rank, sn.rank), max(tn.rank, sn.rank) + 1):
            xc = gap_end[r] - 8 - shift
            ys, yt = sn.cy + PITCH // 2 + 2 - shift, tn.cy + PITCH // 2 + 2 - shift
            below = _simplify([(sx_b, sn.y + sn.h), (sx_b, ys), (xc, ys), (xc, yt), (tx_b, yt), (tx_b, tn.y + tn.h)])
            ys, yt = sn.cy - PITCH // 2 - 2 + shift, tn.cy - PITCH // 2 - 2 + shift
            above = _simplify([(sn.cx, sn.y), (sn.cx, ys), (xc, ys), (xc, yt), (tn.cx, yt), (tn.cx, tn.y)])
            for path, penalty in ((below, 0.5 * (sx_b != sn.cx)), (above, 0.0)):
                options.append((sum(count_crossings([path, other]) for other in routed) + penalty, path))
        return options

    for f in loops:
        # The cheapest; of equal ones the first tried (the range of gaps is never empty).
        f.points = min(loop_options(f), key=lambda option: option[0])[1]
        routed.append(f.points)


ESCAPE_STEP = 8  # distance between the flows along the bottom or top edge


def _escapes(nodes: dict[str, Node], flows: list[Flow], lefts: list[int], widths: list[int],
             chains: dict[str, list[str]], height: int) -> tuple[int, int]:
    """Flows that skip columns, and loops, may run along the bottom or top edge instead: out of the
    source's column through the gap after it, down (up) to a track below (above) every row, along
    it, and up (down) through the gap before the target's column into the target. Flow by flow in
    file order, a flow takes the edge that crosses fewest of the other flows if that is fewer than
    on its own way; the tracks are ordered short span nearest the rows. Returns the room the tracks
    need above and below the rows (the caller moves the rows down by the first)."""
    by_id = {f.id: f for f in flows}
    candidates = [by_id[fid] for fid, chain in chains.items() if len(chain) > 2]
    candidates += [f for f in flows if f.id not in chains and f.source != f.target]  # loops
    if not candidates:
        return 0, 0

    def path(f: Flow, y: int, out_slot: int, in_slot: int) -> list[tuple[int, int]]:
        src, tgt = nodes[f.source], nodes[f.target]
        gx = lefts[_rank_of(nodes, src.id)] + widths[_rank_of(nodes, src.id)] + 6 + 3 * out_slot
        tx = lefts[tgt.rank] - 3 - 3 * in_slot
        if src.tag == "boundaryEvent" and src.host:
            ey = _exit_y(nodes, src.id)
            pts = [(src.cx, src.y + src.h), (src.cx, ey), (gx, ey)]
        else:
            pts = [(src.x + src.w, src.cy), (gx, src.cy)]
        return _simplify(pts + [(gx, y), (tx, y), (tx, tgt.cy), (tgt.x, tgt.cy)])

    chosen: dict[str, str] = {}  # flow id: "bottom" or "top"
    original = {f.id: f.points for f in flows}

    def arrange(group: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
        outs: dict[int, list[str]] = {}
        ins: dict[int, list[str]] = {}
        for fid in sorted(group, key=lambda fid: by_id[fid].index):
            outs.setdefault(_rank_of(nodes, by_id[fid].source), []).append(fid)
            ins.setdefault(nodes[by_id[fid].target].rank, []).append(fid)
        routes = {}
        for side in ("bottom", "top"):
            spans = sorted((by_id[fid] for fid, s in group.items() if s == side),
                           key=lambda f: (abs(nodes[f.target].rank - _rank_of(nodes, f.source)), f.index))
            for k, f in enumerate(spans):
                y = height + ESCAPE_STEP * (k + 1) if side == "bottom" else -ESCAPE_STEP * (k + 1)
                routes[f.id] = path(f, y, outs[_rank_of(nodes, f.source)].index(f.id) % 4,
                                    ins[nodes[f.target].rank].index(f.id) % 4)
        return routes

    pair_cost: dict[tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], int] = {}

    def involving(group: dict[str, str], members: set[str]) -> int:
        """Crossings of pairs of flows with at least one of ``members`` when ``group`` runs along the edges."""
        routes = arrange(group)
        lines = [(f.id, tuple(routes.get(f.id, original[f.id]))) for f in flows]
        total = 0
        for k, (fid, a) in enumerate(lines):
            if fid not in members:
                continue
            for j, (other, b) in enumerate(lines):
                if j == k or (other in members and j < k):
                    continue
                if (a, b) not in pair_cost:
                    pair_cost[(a, b)] = count_crossings([a, b])
                total += pair_cost[(a, b)]
        return total

    for f in sorted(candidates, key=lambda f: f.index):
        members = set(chosen) | {f.id}
        best = involving(chosen, members)
        choice = None
        for side in ("bottom", "top"):
            trial = involving({**chosen, f.id: side}, members)
            if trial < best:
                best, choice = trial, side
        if choice:
            chosen[f.id] = choice
    for fid, pts in arrange(chosen).items():
        by_id[fid].points = pts
    above = sum(1 for side in chosen.values() if side == "top")
    below = len(chosen) - above
    return (ESCAPE_STEP * (above + 1) if above else 0), (ESCAPE_STEP * (below + 1) if below else 0)


def _rank_of(nodes: dict[str, Node], node_id: str) -> int:
    n = nodes[node_id]
    return nodes[n.host].rank if n.tag == "boundaryEvent" and n.host in nodes else n.rank


def _bottom_spot(nodes: dict[str, Node], n: Node, last: bool) -> int:
    """Where a loop leaves or enters the bottom of ``n``: the middle, or beside its boundary events."""
    count = sum(1 for m in nodes.values() if m.host == n.id and m.tag == "boundaryEvent")
    if not count:
        return n.cx
    step = n.w // (2 * (count + 1))
    return n.x + n.w - step if last else n.x + step


def _exit_y(nodes: dict[str, Node], node_id: str) -> int:
    n = nodes[node_id]
    if n.dummy:
        return n.y
    if n.tag == "boundaryEvent" and n.host:
        return nodes[n.host].cy + PITCH // 2 - 4 - 7 * n.slot
    return n.cy


def _entry_y(nodes: dict[str, Node], node_id: str) -> int:
    n = nodes[node_id]
    return n.y if n.dummy else n.cy


def _labels(nodes: dict[str, Node], flows: list[Flow], chained: set[str]) -> None:
    # Labels go to the side of a gateway or event that no loop uses (gateways: above, events: below).
    top_used: set[str] = set()
    bottom_used: set[str] = set()
    for f in flows:
        if f.id in chained:
            continue
        for node_id, y in ((f.source, f.points[0][1]), (f.target, f.points[-1][1])):
            (top_used if y == nodes[node_id].y else bottom_used).add(node_id)
    for n in nodes.values():
        if n.dummy or n.kind == "task" or not n.name:
            continue
        lines = wrap(n.name, LABEL_W - 4, 11)
        h = len(lines) * 13 + 2
        if n.tag == "boundaryEvent":
            continue
        if (n.kind == "gateway" and n.id not in top_used) or n.id in bottom_used:
            n.label = (n.cx - LABEL_W // 2, n.y - h - 4, LABEL_W, h)
        else:
            n.label = (n.cx - LABEL_W // 2, n.y + n.h + 4, LABEL_W, h)
    # Boundary events' names, then flow names: the first candidate spot that touches no shape or label
    # placed before, else the first.
    taken = [(n.x, n.y, n.w, n.h) for n in nodes.values() if not n.dummy]
    taken += [n.label for n in nodes.values() if n.label]
    for n in nodes.values():
        if n.tag == "boundaryEvent" and n.name:
            lines = wrap(n.name, LABEL_W - 4, 11)
            spots = [_boundary_label(nodes, n, lines), _boundary_label(nodes, n, lines, mirror=True)]
            n.label = next((spot for spot in spots if not any(_overlap(spot, box) for box in taken)), spots[0])
            taken.append(n.label)
    for f in sorted(flows, key=lambda f: f.index):
        if not f.name or len(f.points) < 2:
            continue
        w, h = flow_label_size(f.name)
        spots = _label_spots(f.points, w, h, f.id not in chained)
        f.label = next((spot for spot in spots if not any(_overlap(spot, box) for box in taken)), spots[0])
        taken.append(f.label)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _label_spots(pts: list[tuple[int, int]], w: int, h: int, loop: bool) -> list[Box]:
    """Candidate spots for a flow's name, best first."""
    spots: list[Box] = []
    if loop:  # beside its first, vertical stretch
        down = pts[1][1] > pts[0][1]
        spots.append((pts[0][0] + 4, pts[0][1] + 2 if down else pts[0][1] - h - 2, w, h))
    # Above the first stretch to the right after the flow's first turn (branches of one gateway share
    # the stretch before it), beside that turn, then just after the source.
    turned = False
    for (x1, y1), (x2, y2) in pairwise(pts):
        if x1 == x2:
            turned = True
            spots.append((x1 + 4, (y1 + y2) // 2 - h // 2, w, h))
        elif turned and x2 > x1:
            spots.insert(1 if loop else 0, (x1 + 8, y1 - h - 3, w, h))
            spots.append((x1 + 8, y1 + 3, w, h))
            break
    (x1, y1), (x2, y2) = pts[0], pts[1]
    if y1 == y2:
        spots.append((x1 + 14, y1 - h - 3, w, h))
        spots.append((x1 + 14, y1 + 3, w, h))
    else:
        spots.append((x1 + 4, y1 + 4 if y2 > y1 else y1 - h - 4, w, h))
    return spots


# --------------------------------------------------------------------------- whole file


# --------------------------------------------------------------------------- rows per phase

PHASE_ROWS_ABOVE = 5000  # a process wider than this in one strip is drawn as rows per phase
GROUP_HEAD = 30          # the band at the top of a phase group that carries its name
CORRIDOR = 30            # between two phase groups, plus TRACK per flow that runs along it
TRACK = 8
SPINE_STEP = 8           # distance between the vertical flows left of the groups
# Fill and stroke per role (bpmn-js colour attributes), in the order the lanes are listed.
ROLE_COLOURS = (("#e3f2fd", "#1565c0"), ("#e8f5e9", "#2e7d32"), ("#fff3e0", "#e65100"), ("#f3e5f5", "#6a1b9a"),
                ("#e0f7fa", "#00838f"), ("#fce4ec", "#ad1457"), ("#f9fbe7", "#827717"), ("#efebe9", "#4e342e"),
                ("#ede7f6", "#4527a0"), ("#e0f2f1", "#00695c"), ("#fbe9e7", "#bf360c"), ("#eceff1", "#37474f"))


def phase_label(phase: str) -> str:
    """The name a phase goes by in front of people: its key with a capital ("Poort", "Inspanningsperiode",
    "Diagnose", "Traject", "Nazorg"), as the case page (web/filters.py) and the process documentation
    (engine/tools/docgen.py) name the phases of runtime.PHASES."""
    return phase[:1].upper() + phase[1:]


def _own_phase(el: etree._Element) -> str | None:
    ext = el.find(f"{{{BPMN}}}extensionElements")
    if ext is None:
        return None
    for prop in ext.iter():
        if isinstance(prop.tag, str) and etree.QName(prop).localname == "property" and prop.get("name") == "fase":
            value: str | None = prop.get("value")
            return value
    return None


def node_phases(container: etree._Element) -> dict[str, str]:
    """The phase of every flow node of a container: its own ``fase``, else its host's, predecessor's or
    successor's (in file order), else the first phase met."""
    node_els, flow_els = _container_items(container)
    node_els = [el for el in node_els if el.get("triggeredByEvent") != "true"]
    phase = {el.get("id"): _own_phase(el) for el in node_els}
    host = {el.get("id"): el.get("attachedToRef") for el in node_els if el.get("attachedToRef")}
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in flow_els
             if f.get("sourceRef") in phase and f.get("targetRef") in phase]
    for n, h in host.items():
        if h in phase and phase[h]:
            phase[n] = phase[h]
    for _ in range(len(phase)):
        changed = False
        for n, h in host.items():
            if phase[n] is None and h in phase and phase[h]:
                phase[n], changed = phase[h], True
        for s, t in flows:
            if phase[t] is None and phase[s]:
                phase[t], changed = phase[s], True
        for s, t in reversed(flows):
            if phase[s] is None and phase[t]:
                phase[s], changed = phase[t], True
        if not changed:
            break
    first = next((v for v in phase.values() if v), "")
    out = {n: v or first for n, v in phase.items()}
    # A node without a phase of its own (a gateway, an event) joins the phase most of its flows come
    # from or go to, so a split into the traject lies in the traject's row; ties keep the phase above.
    free = [n for n in out if n not in host and not _own_phase(next(el for el in node_els if el.get("id") == n))]
    for _ in range(2):
        for n in free:
            near = [out[t] for s, t in flows if s == n] + [out[s] for s, t in flows if t == n]
            counts = {ph: near.count(ph) for ph in near}
            if counts and counts.get(out[n], 0) < max(counts.values()):
                out[n] = min(counts, key=lambda ph: (-counts[ph], near.index(ph)))
    return out


def _strip_plane(sub: etree._Element, planes: list[Plane], ends: dict[str, set[str]]) -> Plane:
    """One phase's row: the layered layout of its nodes, without lanes. Of the orderings tried the one
    with the fewest crossings wins, counting for every flow to or from another row (``ends``: per node
    "out" and/or "in") the flows a line from it to the upper or lower edge of the row would cross
    (the fewer of the two); then the narrowest."""
    results = []
    sinks = frozenset(n for n, legs in ends.items() if "out" in legs)
    for reverse in (False, True):  # without lanes, "late" and "early" are the same layout
        sub_planes: list[Plane] = []
        plane, _ = _layout_container(sub, sub_planes, "file", "late", reverse, sinks)
        lines = [f.points for f in plane.flows]
        crossings = count_crossings(lines)
        for node_id, legs in ends.items():
            n = plane.nodes[node_id]
            host = plane.nodes[n.host] if n.tag == "boundaryEvent" and n.host in plane.nodes else n
            for leg in sorted(legs):
                x, y = (host.x + host.w + 5, host.cy) if leg == "out" else (host.x - 5, n.cy)
                crossings += min(sum(count_crossings([[(x, y), (x, edge)], other]) for other in lines)
                                 for edge in (0, plane.height))
        score = (crossings, plane.width, plane.height)
        results.append((score, plane, sub_planes))
    _, plane, sub_planes = min(results, key=lambda result: result[0])
    planes.extend(sub_planes)
    return plane


def _phase_rows(container: etree._Element, single: Plane) -> tuple[Plane, list[Plane]] | None:
    """The process as rows per phase: each phase laid out left to right on its own, the rows below
    each other in the order the flow first reaches them, each inside a group named after its phase.
    Flows between phases leave their row through the gap after the source's column (gaps hold no
    shapes), run along the corridor between two rows, or along the spine left of the rows when they
    skip a row, and enter through the gap before the target's column. Lanes are not drawn: the role
    of a task becomes its colour (:attr:`Plane.roles`)."""
    phase = node_phases(container)
    order = sorted(set(phase.values()), key=lambda ph: (min(single.nodes[n].rank for n, v in phase.items()
                                                               if v == ph and n in single.nodes), ph))
    if len(order) < 2:
        return None
    node_els, flow_els = _container_items(container)
    index = {el.get("id"): i for i, el in enumerate(node_els)}
    flow_index = {f.get("id"): i for i, f in enumerate(flow_els)}
    row_of = {n: order.index(v) for n, v in phase.items()}
    cross = [f for f in flow_els if f.get("sourceRef") in phase and f.get("targetRef") in phase
             and row_of[f.get("sourceRef")] != row_of[f.get("targetRef")]]
    ends: dict[str, set[str]] = {}
    for f in cross:
        ends.setdefault(f.get("sourceRef"), set()).add("out")
        ends.setdefault(f.get("targetRef"), set()).add("in")
    sub_planes: list[Plane] = []
    strips: list[Plane] = []
    for ph in order:
        sub = etree.Element(f"{{{BPMN}}}process", id=container.get("id"))
        for el in node_els:
            if phase.get(el.get("id")) == ph:
                sub.append(copy.deepcopy(el))
        for f in flow_els:
            if phase.get(f.get("sourceRef")) == ph and phase.get(f.get("targetRef")) == ph:
                sub.append(copy.deepcopy(f))
        strips.append(_strip_plane(sub, sub_planes, {n: legs for n, legs in ends.items() if phase[n] == ph}))

    # Every flow between rows leaves its row through the gap after its source's column, up or down to
    # the corridor above or below that row (corridor k lies above row k), enters the target's row from
    # the corridor above or below it through the gap before the target's column, and, when the two
    # corridors differ, runs between them along a spine left or right of the rows. Which way each flow
    # goes and the order of the tracks in a corridor, of the lines on a spine and of the lines in a gap
    # are chosen for the fewest crossings (flow by flow and adjacent swaps, while that crosses less).
    # The search runs on a placement with room for every track; crossings depend only on the order of
    # tracks and lines, so the rows are then moved together to the room the chosen tracks need.
    fids = [f.get("id") for f in cross]
    source = {f.get("id"): f.get("sourceRef") for f in cross}
    target = {f.get("id"): f.get("targetRef") for f in cross}
    # (corridor out, corridor in, spine: "", "left" or "right", where the vertical out runs, where the
    # vertical in runs: NEAR or FAR end of the gap beside the column, or straight through the COLUMN
    # from the shape's top or bottom when no shape of the column lies on that side)
    Way = tuple[int, int, str, int, int]
    NEAR, FAR, COLUMN = 0, 1, 2

    def ways(fid: str) -> list[Way]:
        a, b = row_of[source[fid]], row_of[target[fid]]
        outs, ins = ((a + 1, a), (b, b + 1)) if b > a else ((a, a + 1), (b + 1, b))
        src, tgt = nodes[source[fid]], nodes[target[fid]]
        anchor = nodes[src.host] if src.host and src.id in boundary_y else src
        key_out, key_in = (a, anchor.rank), (b, tgt.rank)

        def label_on(n: Node, below: bool) -> bool:
            return n.label is not None and (n.label[1] > n.y if below else n.label[1] < n.y)

        def out_modes(c_out: int) -> tuple[int, ...]:
            if c_out == a + 1:
                free = col_low.get(key_out) == anchor.id and (src.id in boundary_y or src.id not in hosts) \
                    and not (src.id not in boundary_y and label_on(src, True))
            else:
                free = col_high.get(key_out) == src.id and src.id not in boundary_y and not label_on(src, False)
            return (NEAR, FAR, COLUMN) if free else (NEAR, FAR)

        def in_modes(c_in: int) -> tuple[int, ...]:
            if c_in == b:
                free = col_high.get(key_in) == tgt.id and not label_on(tgt, False)
            else:
                free = col_low.get(key_in) == tgt.id and tgt.id not in hosts and not label_on(tgt, True)
            return (NEAR, FAR, COLUMN) if free else (NEAR, FAR)

        return [(c_out, c_in, side, mode_out, mode_in) for c_out in outs for c_in in ins
                for side in (("",) if c_out == c_in else ("left", "right"))
                for mode_out in out_modes(c_out) for mode_in in in_modes(c_in)]

    way: dict[str, Way] = {}
    prio = {key: i for i, key in enumerate([(fid, leg) for leg in ("out", "in", "spine") for fid in fids])}

    def tracks(c: int) -> list[tuple[str, str]]:
        keys = [(fid, "out") for fid in fids if way[fid][0] == c]
        keys += [(fid, "in") for fid in fids if way[fid][1] == c and way[fid][0] != c]
        return sorted(keys, key=prio.__getitem__)

    def spine(side: str) -> list[tuple[str, str]]:
        return sorted(((fid, "spine") for fid in fids if way[fid][2] == side), key=prio.__getitem__)

    row_dx = [0] * len(strips)
    row_dy = [0] * len(strips)
    nodes: dict[str, Node] = {}
    flows: list[Flow] = []

    def place(x0: int, roomy: bool) -> tuple[list[int], dict[int, int], int]:
        """Move the rows to their places; returns the top of every row, the y of the first track in
        every corridor, and the height."""
        tops: list[int] = []
        corridor_y: dict[int, int] = {}
        y = 0
        for k in range(len(strips) + 1):
            along = len(fids) * 2 if roomy else len(tracks(k))
            corridor_y[k] = y + CORRIDOR // 2
            if along or 0 < k < len(strips):
                y += CORRIDOR + TRACK * max(0, along - 1)
            if k < len(strips):
                tops.append(y)
                y += GROUP_HEAD + strips[k].height
        for k, strip in enumerate(strips):
            dx, dy = x0 - row_dx[k], tops[k] + GROUP_HEAD - row_dy[k]
            row_dx[k], row_dy[k] = x0, tops[k] + GROUP_HEAD
            _shift(strip.nodes.values(), strip.flows, dx, dy)
        return tops, corridor_y, y

    for strip in strips:
        for n in strip.nodes.values():
            n.index = index.get(n.id, n.index)
            nodes[n.id] = n
        for f in strip.flows:
            f.index = flow_index.get(f.id, f.index)
            flows.append(f)

    gap_out: dict[str, tuple[int, int]] = {}
    gap_in: dict[str, tuple[int, int]] = {}
    for fid in fids:
        src = nodes[source[fid]]
        host = nodes[src.host] if src.tag == "boundaryEvent" and src.host in nodes else src
        gap_out[fid] = (row_of[src.id], host.rank)
        gap_in[fid] = (row_of[target[fid]], nodes[target[fid]].rank)
    slots_out: dict[tuple[int, int], list[str]] = {}
    slots_in: dict[tuple[int, int], list[str]] = {}
    for fid, key in gap_out.items():
        slots_out.setdefault(key, []).append(fid)
    for fid, key in gap_in.items():
        slots_in.setdefault(key, []).append(fid)

    col_left: dict[tuple[int, int], int] = {}
    col_right: dict[tuple[int, int], int] = {}
    col_low: dict[tuple[int, int], str] = {}   # per column of a row its lowest shape
    col_high: dict[tuple[int, int], str] = {}  # and its highest
    hosts = {n.host for n in nodes.values() if n.tag == "boundaryEvent" and n.host}
    boundary_y: dict[str, int] = {}

    def columns() -> None:
        """Column extents per row, for the gaps beside them, and where a boundary event's flow turns."""
        col_left.clear()
        col_right.clear()
        for n in nodes.values():
            if n.tag == "boundaryEvent" and n.host:
                if n.host in nodes:
                    boundary_y[n.id] = nodes[n.host].cy + PITCH // 2 - 4 - 7 * n.slot
                continue
            key = (row_of.get(n.id, 0), n.rank)
            col_left[key] = min(col_left.get(key, n.x), n.x)
            col_right[key] = max(col_right.get(key, n.x + n.w), n.x + n.w)
            if key not in col_low or n.y + n.h > nodes[col_low[key]].y + nodes[col_low[key]].h:
                col_low[key] = n.id
            if key not in col_high or n.y < nodes[col_high[key]].y:
                col_high[key] = n.id

    def route(corridor_y: dict[int, int], x0: int, right: int) -> dict[str, list[tuple[int, int]]]:
        track_y = {key: corridor_y[c] + i * TRACK for c in corridor_y for i, key in enumerate(tracks(c))}
        spine_x = {key: x0 - 10 - SPINE_STEP * i for i, key in enumerate(reversed(spine("left")))}
        spine_x.update({key: right + 10 + SPINE_STEP * i for i, key in enumerate(spine("right"))})
        out: dict[str, list[tuple[int, int]]] = {}
        for fid in fids:
            src, tgt = nodes[source[fid]], nodes[target[fid]]
            c_out, c_in, side, mode_out, mode_in = way[fid]
            cy1 = track_y[(fid, "out")]
            if mode_out == COLUMN:
                edge = src.y + src.h if c_out == row_of[src.id] + 1 or src.id in boundary_y else src.y
                pts = [(src.cx, edge), (src.cx, cy1)]
            else:
                if src.id in boundary_y:
                    ey = boundary_y[src.id]
                    pts = [(src.cx, src.y + src.h), (src.cx, ey)]
                else:
                    ey = src.cy
                    pts = [(src.x + src.w, ey)]
                (row, rank), i = gap_out[fid], slots_out[gap_out[fid]].index(fid) % 6
                if mode_out == FAR and (row, rank + 1) in col_left:
                    gx = col_left[(row, rank + 1)] - 5 - 4 * i
                else:
                    gx = col_right[(row, rank)] + 5 + 4 * i
                pts += [(gx, ey), (gx, cy1)]
            cy2 = cy1
            if side:
                sx = spine_x[(fid, "spine")]
                cy2 = track_y[(fid, "in")]
                pts += [(sx, cy1), (sx, cy2)]
            if mode_in == COLUMN:
                edge = tgt.y if c_in == row_of[tgt.id] else tgt.y + tgt.h
                pts += [(tgt.cx, cy2), (tgt.cx, edge)]
            else:
                (row, rank), i = gap_in[fid], slots_in[gap_in[fid]].index(fid) % 6
                if mode_in == FAR and (row, rank - 1) in col_right:
                    tx = col_right[(row, rank - 1)] + 5 + 4 * i
                else:
                    tx = col_left[(row, rank)] - 5 - 4 * i
                pts += [(tx, cy2), (tx, tgt.cy), (tgt.x, tgt.cy)]
            out[fid] = _simplify(pts)
        return out

    roomy_x0 = 20 + SPINE_STEP * len(fids)
    _, roomy_y, _ = place(roomy_x0, roomy=True)
    columns()
    way.update({fid: ways(fid)[0] for fid in fids})
    roomy_right = max(roomy_x0 + strip.width for strip in strips)
    inner = [f.points for f in flows]
    inner_cost: dict[tuple[tuple[int, int], ...], int] = {}
    inner_segs = [(k, p, q) for k, pts in enumerate(inner) for p, q in pairwise(pts)]
    seg_hits: dict[tuple[tuple[int, int], tuple[int, int]], set[int]] = {}
    pair_cost: dict[tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], int] = {}

    def cost() -> tuple[int, int]:
        """Crossings, then the length of the flows between rows."""
        routes = route(roomy_y, roomy_x0, roomy_right)
        keys = [tuple(pts) for pts in routes.values()]
        total = 0
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if (a, b) not in pair_cost:
                    pair_cost[(a, b)] = count_crossings([a, b])
                total += pair_cost[(a, b)]
        length = 0
        for pts in routes.values():
            key = tuple(pts)
            if key not in inner_cost:
                crossed: set[int] = set()
                for seg in pairwise(pts):
                    if seg not in seg_hits:
                        seg_hits[seg] = _crossed_by(seg, inner_segs)
                    crossed |= seg_hits[seg]
                inner_cost[key] = len(crossed)
            total += inner_cost[key]
            length += sum(abs(p[0] - q[0]) + abs(p[1] - q[1]) for p, q in pairwise(pts))
        return total, length

    def swap(a: tuple[str, str], b: tuple[str, str]) -> None:
        prio[a], prio[b] = prio[b], prio[a]

    best = cost()
    for _ in range(6):
        improved = False
        for fid in fids:
            for option in ways(fid):
                if option == way[fid]:
                    continue
                old, way[fid] = way[fid], option
                trial = cost()
                if trial < best:
                    best, improved = trial, True
                else:
                    way[fid] = old
        for seq in [*(tracks(c) for c in range(len(strips) + 1)), spine("left"), spine("right")]:
            for a, b in pairwise(seq):
                swap(a, b)
                trial = cost()
                if trial < best:
                    best, improved = trial, True
                else:
                    swap(a, b)
        for lines in [*(slots_out[k] for k in sorted(slots_out)), *(slots_in[k] for k in sorted(slots_in))]:
            for i in range(len(lines) - 1):
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
                trial = cost()
                if trial < best:
                    best, improved = trial, True
                else:
                    lines[i], lines[i + 1] = lines[i + 1], lines[i]
        if not improved:
            break

    x0 = 20 + SPINE_STEP * len(spine("left"))
    tops, corridor_y, height = place(x0, roomy=False)
    columns()
    right = max(x0 + strip.width for strip in strips)
    pid = container.get("id")
    # A group is at least as wide as its name (a row of one timer is narrower than "Inspanningsperiode").
    groups = [(f"Fase_{pid}_{order[k]}", phase_label(order[k]),
               (x0, tops[k], max(strip.width, int(text_width(phase_label(order[k]), 14)) + 28),
                GROUP_HEAD + strip.height))
              for k, strip in enumerate(strips)]
    width = right + MARGIN // 2
    if spine("right"):
        width = right + 10 + SPINE_STEP * (len(spine("right")) - 1) + MARGIN // 2
    for fid, pts in route(corridor_y, x0, right).items():
        f = next(el for el in cross if el.get("id") == fid)
        flows.append(Flow(fid, f.get("sourceRef"), f.get("targetRef"), f.get("name") or "", flow_index[fid], pts))
    taken = [(n.x, n.y, n.w, n.h) for n in nodes.values()] + [n.label for n in nodes.values() if n.label]
    taken += [f.label for f in flows if f.label]
    for flow in flows:
        if flow.name and flow.label is None and len(flow.points) >= 2:
            w, h = flow_label_size(flow.name)
            spots = _label_spots(flow.points, w, h, True)
            flow.label = next((spot for spot in spots if not any(_overlap(spot, box) for box in taken)), spots[0])
            taken.append(flow.label)
    flows.sort(key=lambda f: f.index)

    roles: dict[str, str] = {}
    for lane in _lanes(container):
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            ref_id = (ref.text or "").strip()
            if ref_id in nodes and nodes[ref_id].kind == "task" and ref_id not in roles:
                roles[ref_id] = lane.get("name") or lane.get("id")
    plane = Plane(pid, nodes, flows, [], width, height, max(s.columns for s in strips), groups, roles)
    return plane, sub_planes


def role_colours(roles: dict[str, str]) -> dict[str, tuple[str, str]]:
    """(fill, stroke) per role, in the order the roles are first met (lane order)."""
    names = list(dict.fromkeys(roles.values()))
    return {name: ROLE_COLOURS[i % len(ROLE_COLOURS)] for i, name in enumerate(names)}


def layout_plane(container: etree._Element, planes: list[Plane], phase_rows: bool = False) -> Plane:
    """Lay out a container and its event sub-processes (expanded below the lanes).

    With lanes, two lane orders are tried (file order, order of the first column in a lane); the one
    with the fewest crossings wins, then the narrowest, then the earliest tried. With ``phase_rows``
    a process wider than :data:`PHASE_ROWS_ABOVE` is drawn as rows per phase (:func:`_phase_rows`).
    """
    results: list[tuple[tuple[int, int, int], Plane, list[etree._Element], list[Plane]]] = []
    candidates = [(mode, drop) for mode in (LANE_ORDERS if _lanes(container) else LANE_ORDERS[:1])
                  for drop in ("late", "early")]
    for mode, drop in candidates:
        sub_planes: list[Plane] = []
        plane, event_subs = _layout_container(container, sub_planes, mode, drop)
        score = (count_crossings([f.points for f in plane.flows]), plane.width, plane.height)
        results.append((score, plane, event_subs, sub_planes))
    # The lowest score; of equal ones the earliest tried (there are always candidates).
    _, plane, event_subs, sub_planes = min(results, key=lambda result: result[0])
    if phase_rows and plane.width > PHASE_ROWS_ABOVE:
        rows = _phase_rows(container, plane)
        if rows is not None:
            plane, sub_planes = rows
    planes.extend(sub_planes)
    y = plane.height + (20 if plane.lanes else 0)
    x = (LANE_HEAD if plane.lanes else 0) + MARGIN
    extra_width = plane.width
    for sub in event_subs:
        inner = layout_plane(sub, planes)
        box = Node(sub.get("id"), "subProcess", sub.get("name") or "", 5000, expanded=True)
        box.x, box.y = x, y
        box.w = inner.width + 2 * SUB_PAD
        box.h = inner.height + 2 * SUB_PAD
        dx, dy = x + SUB_PAD, y + SUB_PAD
        _shift(inner.nodes.values(), inner.flows, dx, dy)
        plane.nodes.update(inner.nodes)
        plane.flows.extend(inner.flows)
        plane.nodes[box.id] = box
        x += box.w + MARGIN
        extra_width = max(extra_width, x)
        plane.height = max(plane.height, y + box.h + 20)
    if extra_width > plane.width:
        plane.width = extra_width
        plane.lanes = [(i, n, (bx, by, extra_width, bh)) for i, n, (bx, by, _, bh) in plane.lanes]
    return plane


def _processes(root: etree._Element) -> list[etree._Element]:
    found: list[etree._Element] = root.findall(f"{{{BPMN}}}process")
    return found


def compute(text: str) -> list[Plane]:
    """Planes for every process in a BPMN document (main process planes first, drill-down planes after)."""
    root = etree.fromstring(strip_di(text).encode("utf-8"))
    planes: list[Plane] = []
    mains: list[Plane] = []
    for process in _processes(root):
        mains.append(layout_plane(process, planes, phase_rows=True))
    return mains + planes


DI_BLOCK = re.compile(r"[ \t]*<(\w+:)?BPMNDiagram\b.*?</(\w+:)?BPMNDiagram>[ \t]*\r?\n?", re.S)


def strip_di(text: str) -> str:
    """The document text without its ``BPMNDiagram`` elements."""
    return DI_BLOCK.sub("", text)


def _fmt(v: float) -> str:
    return str(int(round(v)))


def _esc(v: str) -> str:
    return v.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def render_di(planes: list[Plane]) -> str:
    out: list[str] = []
    for plane in planes:
        pid = _esc(plane.element)
        ns = f'xmlns:bpmndi="{BPMNDI}" xmlns:dc="{DC}" xmlns:di="{DI}"'
        if plane.roles:
            ns += f' xmlns:bioc="{BIOC}" xmlns:color="{COLOR}"'
        colours = role_colours(plane.roles)
        out.append(f'  <bpmndi:BPMNDiagram {ns} id="{pid}_diagram">')
        out.append(f'    <bpmndi:BPMNPlane id="{pid}_plane" bpmnElement="{pid}">')

        def bounds(b: Sequence[float], indent: str = "        ") -> str:
            return f'{indent}<dc:Bounds x="{_fmt(b[0])}" y="{_fmt(b[1])}" width="{_fmt(b[2])}" height="{_fmt(b[3])}" />'

        for lane_id, _name, b in plane.lanes:
            out.append(f'      <bpmndi:BPMNShape id="{_esc(lane_id)}_di" bpmnElement="{_esc(lane_id)}" '
                       'isHorizontal="true">')
            out.append(bounds(b))
            out.append("      </bpmndi:BPMNShape>")
        for gid, name, b in plane.groups:
            out.append(f'      <bpmndi:BPMNShape id="{_esc(gid)}_di" bpmnElement="{_esc(gid)}">')
            out.append(bounds(b))
            out.append("        <bpmndi:BPMNLabel>")
            out.append(bounds((b[0] + 8, b[1] + 6, max(text_width(name, 14) + 12, 60), 20), "          "))
            out.append("        </bpmndi:BPMNLabel>")
            out.append("      </bpmndi:BPMNShape>")
        for n in sorted(plane.nodes.values(), key=lambda n: (n.expanded is False, n.index, n.id)):
            extra = ' isExpanded="true"' if n.expanded else (' isExpanded="false"' if n.tag == "subProcess" else "")
            if n.tag == "exclusiveGateway":
                extra = ' isMarkerVisible="true"'
            if n.id in plane.roles:
                fill, stroke = colours[plane.roles[n.id]]
                extra += (f' bioc:stroke="{stroke}" bioc:fill="{fill}" color:background-color="{fill}"'
                          f' color:border-color="{stroke}"')
            out.append(f'      <bpmndi:BPMNShape id="{_esc(n.id)}_di" bpmnElement="{_esc(n.id)}"{extra}>')
            out.append(bounds((n.x, n.y, n.w, n.h)))
            if n.label:
                out.append("        <bpmndi:BPMNLabel>")
                out.append(bounds(n.label, "          "))
                out.append("        </bpmndi:BPMNLabel>")
            out.append("      </bpmndi:BPMNShape>")
        for f in plane.flows:
            out.append(f'      <bpmndi:BPMNEdge id="{_esc(f.id)}_di" bpmnElement="{_esc(f.id)}">')
            for x, y in f.points:
                out.append(f'        <di:waypoint x="{_fmt(x)}" y="{_fmt(y)}" />')
            if f.label:
                out.append("        <bpmndi:BPMNLabel>")
                out.append(bounds(f.label, "          "))
                out.append("        </bpmndi:BPMNLabel>")
            out.append("      </bpmndi:BPMNEdge>")
        out.append("    </bpmndi:BPMNPlane>")
        out.append("  </bpmndi:BPMNDiagram>")
    return "\n".join(out) + "\n"


CLOSING = re.compile(r"</(\w+:)?definitions>\s*$")


PHASE_GROUPS = re.compile(r'[ \t]*<(\w+:)?group id="Fase_[^"]*"[^>]*/>[ \t]*\r?\n?')
PHASE_CATEGORY = re.compile(r'[ \t]*<(\w+:)?category id="Fasen_[^"]*">.*?</(\w+:)?category>[ \t]*\r?\n?', re.S)
PROCESS_END = re.compile(r"[ \t]*</(\w+:)?process>")


def strip_layout(text: str) -> str:
    """The document without its diagram and without the phase groups the layout adds."""
    return PHASE_CATEGORY.sub("", PHASE_GROUPS.sub("", strip_di(text)))


def _phase_semantics(base: str, plane: Plane) -> str:
    """Add the phase groups of a plane in rows: a ``group`` per phase in the process, pointing at a
    ``categoryValue`` named after the phase in one ``category`` of the document."""
    end = PROCESS_END.search(base)
    closing = CLOSING.search(base)
    if not plane.groups or end is None or closing is None:
        return base
    prefix = end.group(1) or ""
    pid = _esc(plane.element)
    groups = "".join(f'    <{prefix}group id="{_esc(gid)}" categoryValueRef="{_esc(gid)}_naam" />\n'
                     for gid, _, _ in plane.groups)
    values = "".join(f'    <{prefix}categoryValue id="{_esc(gid)}_naam" value="{_esc(name)}" />\n'
                     for gid, name, _ in plane.groups)
    category = f'  <{prefix}category id="Fasen_{pid}">\n{values}  </{prefix}category>\n'
    head = base[:closing.start()]
    if not head.endswith("\n"):
        head += "\n"
    base = head + category + base[closing.start():]
    return base[:end.start()] + groups + base[end.start():]


def apply_layout(text: str) -> tuple[str, dict[str, Any]]:
    """The document with fresh DI (and phase groups when drawn in rows per phase), and the layout's
    metrics (width, height, crossings)."""
    base = strip_layout(text)
    planes = compute(base)
    if planes:
        base = _phase_semantics(base, planes[0])
    match = CLOSING.search(base)
    if not match:
        raise ValueError("geen afsluitende definitions-tag gevonden")
    head = base[:match.start()]
    if not head.endswith("\n"):
        head += "\n"
    new = head + render_di(planes) + base[match.start():].rstrip() + "\n"
    return new, metrics(planes[0]) if planes else {"width": 0, "height": 0, "crossings": 0}


def metrics(plane: Plane) -> dict[str, Any]:
    return {"width": plane.width, "height": plane.height, "columns": plane.columns,
            "crossings": count_crossings([f.points for f in plane.flows])}


# --------------------------------------------------------------------------- metrics


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """Proper intersection: the segments cross at a point interior to both (touching and overlap do not count)."""
    def orient(a: Point, b: Point, c: Point) -> int:
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def _crossed_by(seg: tuple[Point, Point], segs: Sequence[tuple[int, Point, Point]]) -> set[int]:
    """The keys of the segments ``(key, p, q)`` that ``seg`` crosses (as :func:`count_crossings` counts)."""
    (ax, ay), (bx, by) = seg
    x1, x2, y1, y2 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
    return {k for k, p, q in segs
            if not (max(p[0], q[0]) < x1 or x2 < min(p[0], q[0]) or max(p[1], q[1]) < y1 or y2 < min(p[1], q[1]))
            and _segments_cross(seg[0], seg[1], p, q)}


def count_crossings(polylines: Sequence[Sequence[Point]]) -> int:
    """Number of pairs of polylines that cross at least once."""
    segs = [list(pairwise(p)) for p in polylines]
    boxes = []
    for p in polylines:
        xs, ys = [q[0] for q in p] or [0], [q[1] for q in p] or [0]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    total = 0
    for i in range(len(segs)):
        for j in range(i + 1, len(segs)):
            a, b = boxes[i], boxes[j]
            if a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]:
                continue
            if any(_segments_cross(p1, p2, q1, q2) for p1, p2 in segs[i] for q1, q2 in segs[j]):
                total += 1
    return total


NAIVE_STEP = 176  # column pitch of the naive layout: a 120 px task and a 56 px gap


def naive_metrics(text: str) -> dict[str, Any]:
    """Width and crossings of a naive layout: BFS ranks, file order within a rank, no lanes, straight flows."""
    root = etree.fromstring(strip_di(text).encode("utf-8"))
    process = _processes(root)[0]
    node_els, flow_els = _container_items(process)
    ids = [el.get("id") for el in node_els]
    host = {el.get("id"): el.get("attachedToRef") for el in node_els if el.get("attachedToRef")}
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in flow_els]
    succ: dict[str, list[str]] = {i: [] for i in ids}
    indeg = dict.fromkeys(ids, 0)
    for s, t in flows:
        s = host.get(s, s)
        if s in succ and t in succ:
            succ[s].append(t)
            indeg[t] += 1
    rank: dict[str, int] = {}
    queue = [i for i in ids if indeg[i] == 0 and i not in host]
    for q in queue:
        rank[q] = 0
    while queue:
        n = queue.pop(0)
        for t in succ[n]:
            if t not in rank:
                rank[t] = rank[n] + 1
                queue.append(t)
    for i in ids:
        if i in host:
            rank[i] = rank.get(host[i], 0)
        rank.setdefault(i, 0)
    pos: dict[str, tuple[int, int]] = {}
    filled: dict[int, int] = {}
    for el in node_els:
        i = el.get("id")
        if i in host:
            continue
        r = rank[i]
        pos[i] = (MARGIN + r * NAIVE_STEP, filled.get(r, 0) * (TASK_H + 40) + 60)
        filled[r] = filled.get(r, 0) + 1
    for i in ids:
        if i in host:
            hx, hy = pos.get(host[i], (0, 0))
            pos[i] = (hx, hy + TASK_H // 2)
    lines = []
    for s, t in flows:
        if s in pos and t in pos:
            (sx, sy), (tx, ty) = pos[s], pos[t]
            lines.append([(sx + TASK_W // 2, sy), (tx - TASK_W // 2, ty)])
    width = MARGIN * 2 + (max(rank.values(), default=0) + 1) * NAIVE_STEP
    return {"width": width, "crossings": count_crossings(lines)}


def layout_file(path: str | os.PathLike[str], write: bool = True) -> dict[str, Any]:
    """Lay out one file; returns metrics plus ``changed`` (whether the DI differed from the fresh layout)."""
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    new, result = apply_layout(text)
    result["changed"] = new != text
    if write and result["changed"]:
        file.write_text(new, encoding="utf-8")
    return result


def _shift(nodes: Iterable[Node], flows: Iterable[Flow], dx: int, dy: int) -> None:
    """Move shapes, flows and their labels by (dx, dy)."""
    for n in nodes:
        n.x += dx
        n.y += dy
        if n.label:
            lx, ly, lw, lh = n.label
            n.label = (lx + dx, ly + dy, lw, lh)
    for f in flows:
        f.points = [(px + dx, py + dy) for px, py in f.points]
        if f.label:
            lx, ly, lw, lh = f.label
            f.label = (lx + dx, ly + dy, lw, lh)
