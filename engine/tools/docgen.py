"""Process documentation generated from the BPMN, DMN and forms that run.

``werkpad processes docs`` writes ``docs/processes/<sleutel>.md`` per process
and an index; a test regenerates them and fails when the committed text differs,
so the documentation cannot drift from what the engine executes.
"""
from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from ..core.definitions import Bundle, discover, version_label
from ..core.diagram_svg import bundle_diagrams, has_diagram
from ..core.runtime import PHASES, properties
from ..core.xml import DMN_NS, parse_definition

FASE_NAMEN = {"poort": "Poort", "inspanningsperiode": "Inspanningsperiode", "diagnose": "Diagnose",
              "traject": "Traject", "nazorg": "Nazorg", None: "Zonder fase"}


def write_docs(processes_dir: Path, forms_dir: Path, out_dir: Path) -> list[Path]:
    bundles = discover(Path(processes_dir), Path(forms_dir))
    roles = _roles(Path(processes_dir))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    diagrams: dict[str, str] = {}
    for bundle in bundles:
        path = out_dir / f"{bundle.key}.md"
        path.write_text(render(bundle, roles), encoding="utf-8")
        written.append(path)
        diagrams.update(bundle_diagrams(bundle.files, bundle.process_id, bundle.key, roles))
    for name, svg in sorted(diagrams.items()):
        (out_dir / name).write_text(svg, encoding="utf-8")
        written.append(out_dir / name)
    index = out_dir / "README.md"
    lines = ["# Processen", "", "Gegenereerd uit de BPMN-, DMN- en formulierbestanden in `processes/` en `forms/` met",
             "`werkpad processes docs`. Niet met de hand bewerken: een test vergelijkt deze tekst met wat draait.", "",
             "| proces | organisatie | gemeenten | geldig vanaf |", "|---|---|---|---|"]
    for bundle in bundles:
        lines.append(f"| [{bundle.name}]({bundle.key}.md) | {bundle.organisation} | "
                     f"{', '.join(sorted(bundle.municipalities))} | {bundle.effective_from.isoformat()} |")
    lines += ["", "De gedeelde subprocessen staan in [gedeeld.md](gedeeld.md); het gedeelde vocabulaire van",
              "zaakgegevens in [vocabulaire.md](vocabulaire.md).", ""]
    index.write_text("\n".join(lines), encoding="utf-8")
    vocabulary = out_dir / "vocabulaire.md"
    vocabulary.write_text(render_vocabulary(Path(forms_dir), bundles), encoding="utf-8")
    return [index, vocabulary, *written]


def render_vocabulary(forms_dir: Path, bundles: list[Bundle]) -> str:
    """The shared case data: one meaning per name, and which processes ask for it."""
    doc = json.loads((forms_dir / "vocabulaire.json").read_text(encoding="utf-8"))
    fields = doc.get("velden", doc)
    users: dict[str, set[str]] = {}
    for bundle in bundles:
        registry = bundle.form_registry()
        for form_id in bundle.forms:
            for name in registry.get(form_id).schema.get("properties", {}):
                users.setdefault(name, set()).add(bundle.key)
    out = ["# Gedeeld vocabulaire van zaakgegevens", "",
           _cell(doc.get("toelichting", "")), "",
           "Bron: `forms/vocabulaire.json`. Een formulierveld met een van deze namen erft type, label en grenzen.", "",
           "| veld | label | type | waarden | uitleg | gevraagd in |", "|---|---|---|---|---|---|"]
    for name, prop in fields.items():
        values = ", ".join(map(str, prop.get("enum", [])))
        if "minimum" in prop or "maximum" in prop:
            values = f"{prop.get('minimum', '')}–{prop.get('maximum', '')}"
        kind = prop.get("type", "") + (" (datum)" if prop.get("format") == "date" else "")
        out.append(f"| `{name}` | {_cell(prop.get('title', name))} | {kind} | {_cell(values)} | "
                   f"{_cell(prop.get('description', ''))} | {', '.join(sorted(users.get(name, []))) or '—'} |")
    return "\n".join(out) + "\n"


def _roles(processes_dir: Path) -> dict:
    path = processes_dir / "rollen.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("rollen", {})


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ").strip()


def render(bundle: Bundle, roles: dict) -> str:
    meta = bundle.meta()
    spec, subprocess_specs = bundle.specs()
    forms = bundle.form_registry()
    out = [f"# {bundle.name}", ""]
    if has_diagram(bundle.files, bundle.process_id):
        out += [f"![Procesdiagram {bundle.name}]({bundle.key}.svg)", ""]
    if bundle.manifest.get("toelichting"):
        out += [bundle.manifest["toelichting"], ""]
    out += [f"- sleutel: `{bundle.key}`; organisatie: `{bundle.organisation}`",
            f"- gemeenten: {', '.join(f'`{m}`' for m in sorted(bundle.municipalities))}",
            f"- geldig vanaf: {bundle.effective_from.isoformat()}; versie: `{version_label(bundle.version_hash)}`",
            f"- fasen: {', '.join(meta['phases']) or '—'}", ""]
    config = {m: c for m, c in bundle.municipalities.items() if c}
    if config:
        out += ["## Gemeentelijke configuratie", "", "| gemeente | configuratie |", "|---|---|"]
        out += [f"| `{m}` | `{_cell(json.dumps(c, ensure_ascii=False, sort_keys=True))}` |"
                for m, c in sorted(config.items())]
        out.append("")

    out += ["## Stappen per fase", ""]
    by_phase: dict = {}
    for task in meta["user_tasks"]:
        by_phase.setdefault(task["fase"], []).append(task)
    for phase in [*PHASES, None]:
        tasks = by_phase.get(phase)
        if not tasks:
            continue
        out += [f"### {FASE_NAMEN[phase]}", "", "| stap | rol | formulier | termijn | proces |", "|---|---|---|---|---|"]
        for t in tasks:
            form = forms.get(t["form"]).title if t["form"] in forms else t["form"]
            out.append(f"| {_cell(t['name'])} (`{t['id']}`) | {_cell(t['lane'])} | {_cell(form)} | "
                       f"{_cell(t['termijn']) or '—'} | `{t['process']}` |")
        out.append("")

    out += ["## Rollen", "", "| rol | naam | stappen |", "|---|---|---|"]
    for lane in meta["lanes"]:
        steps = [t["name"] for t in meta["user_tasks"] if t["lane"] == lane]
        out.append(f"| `{lane}` | {_cell(roles.get(lane, {}).get('naam', '(onbekende rol)'))} | "
                   f"{_cell('; '.join(steps))} |")
    out.append("")

    out += ["## Termijnen en timers", "", "| timer | soort | expressie | aan | onderbrekend | proces |",
            "|---|---|---|---|---|---|"]
    for t in meta["timers"]:
        interrupting = "—" if t["interrupting"] is None else ("ja" if t["interrupting"] else "nee")
        out.append(f"| {_cell(t['name'])} (`{t['id']}`) | {t['kind']} | `{_cell(t['expression'])}` | "
                   f"{_cell(t['attached_to']) or '—'} | {interrupting} | `{t['process']}` |")
    out.append("")

    calls = []
    for each in [spec, *subprocess_specs.values()]:
        for ts in each.task_specs.values():
            called = getattr(ts, "spec", None)
            if called and type(ts).__name__ == "CallActivity":
                calls.append((each.name, ts.bpmn_name or ts.name, called, properties(ts).get("fase")))
    if calls:
        out += ["## Gedeelde en eigen subprocessen", "", "| in proces | stap | roept aan | fase |", "|---|---|---|---|"]
        out += [f"| `{p}` | {_cell(n)} | `{c}` | {f or '—'} |" for p, n, c, f in sorted(set(calls))]
        out.append("")
    if meta["messages"]:
        out += ["## Berichten", "", "De zaak kan deze berichten ontvangen: "
                + ", ".join(f"`{m}`" for m in meta["messages"]) + ".", ""]

    decisions = [(name, text) for name, text in sorted(bundle.files.items()) if name.endswith(".dmn")]
    used = _used_decisions(bundle)
    if decisions:
        out += ["## Beslistabellen", ""]
        for name, text in decisions:
            out += _render_dmn(name, text, used)
    out += ["## Formulieren", ""]
    for form_id in sorted(bundle.forms):
        form = forms.get(form_id)
        required = set(form.schema.get("required", []))
        out += [f"### {_cell(form.title)} (`{form_id}`)", "", "| veld | label | type | verplicht |",
                "|---|---|---|---|"]
        for field in form.field_names():
            prop = form.schema["properties"][field]
            kind = prop["type"] + (f" ({', '.join(map(str, prop['enum']))})" if "enum" in prop else "")
            if "minimum" in prop or "maximum" in prop:
                kind += f" {prop.get('minimum', '')}–{prop.get('maximum', '')}"
            out.append(f"| `{field}` | {_cell(prop.get('title', field))} | {_cell(kind)} | "
                       f"{'ja' if field in required else 'nee'} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _used_decisions(bundle: Bundle) -> set[str]:
    used = set()
    for name, text in bundle.files.items():
        if name.endswith(".bpmn"):
            root = parse_definition(name, text)
            for node in root.iter():
                if isinstance(node.tag, str) and etree.QName(node).localname == "calledDecisionId" and node.text:
                    used.add(node.text.strip())
    return used


def _render_dmn(name: str, text: str, used: set[str]) -> list[str]:
    root = parse_definition(name, text)
    ns = {"dmn": root.nsmap.get(None) or DMN_NS}
    out = []
    for decision in root.findall("dmn:decision", ns):
        table = decision.find("dmn:decisionTable", ns)
        if table is None:
            continue
        did = decision.get("id")
        if name.startswith("gedeeld/") and did not in used:
            continue
        inputs = [(i.get("label") or "", (i.findtext("dmn:inputExpression/dmn:text", namespaces=ns) or "").strip())
                  for i in table.findall("dmn:input", ns)]
        outputs = [o.get("label") or o.get("name") or "" for o in table.findall("dmn:output", ns)]
        out += [f"### {_cell(decision.get('name') or did)} (`{did}`, {name})", "",
                f"Hit policy: {table.get('hitPolicy', 'UNIQUE')}. Invoer: "
                + ", ".join(f"{_cell(label)} (`{expr}`)" for label, expr in inputs) + ".", ""]
        header = [f"`{expr}`" for _, expr in inputs] + [_cell(o) for o in outputs] + ["toelichting"]
        out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for rule in table.findall("dmn:rule", ns):
            cells = [(e.findtext("dmn:text", namespaces=ns) or "").strip() or "—"
                     for e in rule.findall("dmn:inputEntry", ns)]
            cells += [(e.findtext("dmn:text", namespaces=ns) or "").strip()
                      for e in rule.findall("dmn:outputEntry", ns)]
            cells.append(rule.findtext("dmn:description", namespaces=ns) or "")
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return out
