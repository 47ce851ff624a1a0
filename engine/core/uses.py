"""Where a process version reads a case-data name: its gateway conditions, scripts, timers,
terms, multi-instance settings, message contents, decision tables' input columns, and the
other forms that ask for a field of the same name.

A designer who renames or removes a form field needs to know what still reads the old name
(a condition that reads a field no form fills fails when a case gets there); the form page
shows it beside each field. Pure: files and forms in, places in words out.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..errors import DefinitionError
from .expressions import names_read
from .messages import Msg
from .problems import joined
from .xml import BPMN_NS, DMN_NS, SPIFF_NS, parse_definition

# the parts of a BPMN file that hold an expression or a script, and how a place is said
_EXPRESSIONS = {
    (BPMN_NS, "conditionExpression"): "eval",
    (BPMN_NS, "script"): "exec",
    (BPMN_NS, "timeDuration"): "eval",
    (BPMN_NS, "timeDate"): "eval",
    (BPMN_NS, "timeCycle"): "eval",
    (BPMN_NS, "loopCardinality"): "eval",
    (BPMN_NS, "completionCondition"): "eval",
    (SPIFF_NS, "preScript"): "exec",
    (SPIFF_NS, "postScript"): "exec",
    (SPIFF_NS, "messagePayload"): "eval",
}
_PLACE = {
    "script": Msg("script ‘%(element)s’"),
    "preScript": Msg("script vóór ‘%(element)s’"),
    "postScript": Msg("script na ‘%(element)s’"),
    "timeDuration": Msg("timer ‘%(element)s’"),
    "timeDate": Msg("timer ‘%(element)s’"),
    "timeCycle": Msg("timer ‘%(element)s’"),
    "loopCardinality": Msg("meervoudige uitvoering van ‘%(element)s’"),
    "completionCondition": Msg("meervoudige uitvoering van ‘%(element)s’"),
    "messagePayload": Msg("berichtinhoud van ‘%(element)s’"),
}
FORM_PLACE = Msg("formulier ‘%(formulier)s’")
# wrappers between an expression and the element a designer sees in the diagram
_WRAPPERS = {"timerEventDefinition", "messageEventDefinition", "extensionElements", "properties",
             "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"}


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _name(node: etree._Element | None) -> str:
    if node is None:
        return "?"
    return (node.get("name") or "").strip() or node.get("id") or "?"


def _element(node: etree._Element) -> etree._Element:
    """The diagram element an expression belongs to (a timer's event, a script's task)."""
    current = node.getparent()
    while current is not None and (_local(current) in _WRAPPERS or not current.get("id")):
        parent = current.getparent()
        if parent is None:
            break
        current = parent
    return current if current is not None else node


def _condition_place(node: etree._Element, by_id: Mapping[str, etree._Element]) -> Msg:
    flow = node.getparent()
    source = by_id.get(flow.get("sourceRef") or "") if flow is not None else None
    path = (flow.get("name") or "").strip() if flow is not None else ""
    if path:
        return Msg("voorwaarde ‘%(pad)s’ na ‘%(element)s’", pad=path, element=_name(source))
    return Msg("voorwaarde na ‘%(element)s’", element=_name(source))


def _bpmn_uses(root: etree._Element, add: Any) -> None:
    by_id = {n.get("id"): n for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        qname = etree.QName(node)
        local = qname.localname
        if qname.namespace == SPIFF_NS and local == "property" and node.get("name") == "termijn":
            text, mode = node.get("value") or "", "eval"
            place = Msg("termijn van ‘%(element)s’", element=_name(_element(node)))
        elif (qname.namespace, local) in _EXPRESSIONS:
            text, mode = node.text or "", _EXPRESSIONS[(qname.namespace, local)]
            if local == "conditionExpression":
                place = _condition_place(node, by_id)
            else:
                owner = node.getparent() if local == "script" else _element(node)
                place = Msg(_PLACE[local].template, element=_name(owner))
        else:
            continue
        if text.strip():
            for name in names_read(text, mode):
                add(name, place)


def _dmn_uses(root: etree._Element, add: Any) -> None:
    for decision in root.iter(f"{{{DMN_NS}}}decision"):
        place = Msg("beslistabel ‘%(tabel)s’", tabel=_name(decision))
        for text in decision.iter(f"{{{DMN_NS}}}inputExpression"):
            expression = text.findtext(f"{{{DMN_NS}}}text") or ""
            if expression.strip():
                for name in names_read(expression.strip()):
                    add(name, place)


def form_fields(text: str) -> list[str]:
    """The field names of a form's JSON (its schema's properties); none when it is no form."""
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    schema = doc.get("schema", doc) if isinstance(doc, dict) else None
    props = schema.get("properties") if isinstance(schema, dict) else None
    return [k for k in props if isinstance(k, str)] if isinstance(props, dict) else []


def form_title(text: str, fallback: str = "") -> str:
    """A form as designers know it: its title; ``fallback`` (its id) when it has none or is no form."""
    try:
        doc = json.loads(text)
    except ValueError:
        return fallback
    title = doc.get("title") if isinstance(doc, dict) else None
    return title.strip() if isinstance(title, str) and title.strip() else fallback


def where_read(files: Mapping[str, str], forms: Mapping[str, str] | None = None,
               skip_form: str | None = None) -> dict[str, list[Msg]]:
    """Per case-data name, the places in ``files`` (BPMN and DMN) that read it and the forms in
    ``forms`` (but ``skip_form``) that ask for it, each place once, in file order. A file that
    does not parse is left out (the version's check names it)."""
    out: dict[str, list[Msg]] = {}

    def add(name: str, place: Msg) -> None:
        places = out.setdefault(name, [])
        if place not in places:
            places.append(place)

    for file, text in sorted(files.items()):
        if not file.endswith((".bpmn", ".dmn")):
            continue
        try:
            root = parse_definition(file, text)
        except DefinitionError:
            continue
        (_bpmn_uses if file.endswith(".bpmn") else _dmn_uses)(root, add)
    for form_id, text in sorted((forms or {}).items()):
        if form_id == skip_form:
            continue
        place = Msg(FORM_PLACE.template, formulier=form_title(text, form_id))
        for name in form_fields(text):
            add(name, place)
    return out


def fields_of(forms: Mapping[str, str]) -> set[str]:
    """Every field name the forms ask for."""
    return {name for text in forms.values() for name in form_fields(text)}


def missing_after_move(old_forms: Mapping[str, str], read: Mapping[str, list[Msg]], new_forms: Mapping[str, str],
                       data: Mapping[str, Any]) -> list[Msg]:
    """What a case with ``data`` would miss once moved to the version whose files read names as
    ``read`` says (:func:`where_read` of its files) and whose forms are ``new_forms``: a field that
    only the new forms ask for, that the new version's conditions, scripts or tables read, and that
    the case does not have — while it does have a field the new forms no longer ask for (a field
    renamed in the new version). Such a case would stop in error where that name is read; the
    designer can still move it, knowing."""
    old_fields, new_fields = fields_of(old_forms), fields_of(new_forms)
    dropped = sorted(name for name in old_fields - new_fields if name in data)
    if not dropped:
        return []
    out = []
    for name in sorted(new_fields - old_fields):
        if name in read and name not in data:
            out.append(Msg("de nieuwe versie gebruikt ‘%(veld)s’ (%(plekken)s), dat deze zaak niet heeft; "
                           "zij heeft wel %(oud)s, dat de nieuwe versie niet meer vraagt",
                           veld=name, plekken=joined(read[name], " · "),
                           oud=", ".join(f"‘{d}’" for d in dropped)))
    return out
