"""Checks of a process version before it may run: one list of problems, each tied to
the element it concerns, so a designer sees them on the diagram.

``check_bundle`` is what deploying, saving a draft and publishing all call. A version
with problems can be kept as a draft but never deployed or published. The problems come
in two kinds (``Problem.refusal``):

- **refusals**, unsafe or unusable input (checks 1, 3 and 4 below; :func:`refusals`
  finds exactly these, without SpiffWorkflow): refused on every save, nothing stored;
- **modelling findings** (checks 2 and 5, and DMN lists written with commas): an editor's
  draft keeps them so no work is lost; publishing, deploying and any file taken in from
  outside (upload, folder import) refuse them.

The checks:

1. every file parses with the hardened XML parser (no DOCTYPE/ENTITY, at most 5 MB);
2. SpiffWorkflow accepts it; user tasks have an existing form and a lane that is a known
   role (``processes/rollen.json``); every message is a known one (``processes/berichten.json``);
3. every expression (conditions, scripts, timers, termijnen, message payloads, DMN inputs and
   entries) passes the safe-expression checker, DMN entries the way Spiff's DMN engine will
   evaluate them;
4. forms are valid JSON Schema and use only keywords form validation enforces;
5. the graph: everything reachable from a start, every node can reach an end, exclusive and
   inclusive gateways have a default flow (or conditions that are each other's negation),
   UNIQUE decision tables have exactly one matching rule for every sampled input.
"""
from __future__ import annotations

import ast
import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lxml import etree

from ..errors import DefinitionError
from .definitions import SHARED_DIR, Bundle, bundle_from_files, spec_problems
from .expressions import ExpressionError, SafeScriptEngine, check, functions_called, names_needed
from .forms import FormRegistry
from .messages import Msg
from .parser_words import NOT_EXECUTABLE, element_label
from .problems import Problem, joined
from .runtime import CaseRuntime, missing_main_process
from .uses import fields_of
from .xml import BPMN_NS, DMN_NS, SPIFF_NS, parse_definition

__all__ = ["Problem", "check_bundle", "refusals", "bundle_from_files", "known_roles", "known_messages"]

PROCESSES_DIR = Path(__file__).resolve().parents[2] / "processes"
ROLES_FILE = "rollen.json"
MESSAGES_FILE = "berichten.json"
# Messages the engine itself sends (withdrawal, the work-found stop): always known.
ENGINE_MESSAGES = frozenset({"aanvraag_ingetrokken", "werk_gevonden"})
MAX_COMBINATIONS = 50_000

_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
_NOT_FLOW_NODES = {"sequenceFlow", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference",
                   "textAnnotation", "association", "group", "extensionElements", "documentation",
                   "ioSpecification", "property", "dataInputAssociation", "dataOutputAssociation",
                   "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "incoming", "outgoing",
                   "script", "messageEventDefinition", "timerEventDefinition"}


@dataclass
class _Catalog:
    roles: frozenset[str] | None
    messages: frozenset[str]


def _read_json_keys(path: Path, key: str) -> frozenset[str] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DefinitionError(Msg("%(bestand)s: kan niet worden gelezen (%(fout)s)", bestand=str(path),
                                  fout=str(exc))) from exc
    return frozenset(doc.get(key, {}))


def known_roles(processes_dir: Path | None = None) -> frozenset[str] | None:
    """The role ids lanes may carry (``processes/rollen.json``); None if there is no such file."""
    return _read_json_keys(Path(processes_dir or PROCESSES_DIR) / ROLES_FILE, "rollen")


def known_messages(processes_dir: Path | None = None) -> frozenset[str]:
    """The messages a process may wait for: the engine's own plus ``processes/berichten.json``."""
    listed = _read_json_keys(Path(processes_dir or PROCESSES_DIR) / MESSAGES_FILE, "berichten")
    return ENGINE_MESSAGES | (listed or frozenset())


def _catalog(bundle: Bundle) -> _Catalog:
    folder = bundle.catalog_dir if bundle.catalog_dir is not None else PROCESSES_DIR
    roles = known_roles(folder)
    if roles is None and folder != PROCESSES_DIR:
        roles = known_roles(PROCESSES_DIR)
    messages = known_messages(folder) | (known_messages(PROCESSES_DIR) if folder != PROCESSES_DIR else frozenset())
    return _Catalog(roles, messages)


# ---------------------------------------------------------------------------- the entry point
def check_bundle(bundle: Bundle) -> list[Problem]:
    """Every problem of ``bundle``; an empty list means it may be deployed."""
    try:
        catalog = _catalog(bundle)
    except DefinitionError as exc:
        return [Problem(exc.message)]
    key = (bundle.version_hash, catalog.roles, catalog.messages)
    cached = _RESULTS.get(key)
    if cached is None:
        cached = _check(bundle, catalog)
        _RESULTS[key] = cached
        while len(_RESULTS) > 64:
            _RESULTS.pop(next(iter(_RESULTS)))
    return list(cached)


# results by version and lists of roles and messages: a save of unchanged files is not checked twice
_RESULTS: dict[tuple[str, frozenset[str] | None, frozenset[str]], list[Problem]] = {}


def refusals(files: Mapping[str, str], forms: Mapping[str, str] | None = None,
             vocabulary: str = "{}") -> list[Problem]:
    """The refusals among the problems of a set of files (each marked ``refusal``): a file
    that is not safe, well-formed XML of at most 5 MB; an expression (condition, script,
    timer, termijn, message payload, DMN input or entry) the safe-expression checker
    refuses; a form (``forms``: id -> JSON text) that is not valid JSON Schema or uses a
    keyword form validation does not enforce. Needs no SpiffWorkflow: it also judges files
    Spiff cannot read."""
    problems, roots = _parse_all(files)
    if problems:
        return problems  # nothing else can be read safely
    index = _Index(roots)
    problems += _expression_problems(index)
    problems += [p for p in _dmn_entry_problems(index) if p.refusal]
    problems += _form_refusals(index, forms or {}, vocabulary)
    return _unique(problems)


def _parse_all(files: Mapping[str, str]) -> tuple[list[Problem], dict[str, etree._Element]]:
    problems: list[Problem] = []
    roots: dict[str, etree._Element] = {}
    for name, text in sorted(files.items()):
        try:
            roots[name] = parse_definition(name, text)
        except DefinitionError as exc:
            problems.append(Problem(exc.message, None, name, refusal=True))
    return problems, roots


def _form_verdict(fid: str, text: str, vocabulary: str) -> str | None:
    """Why form ``fid`` cannot be used (None: it can), remembered per text and vocabulary:
    building a form's validator is the costly part of the refusals, and every save of a
    draft judges the same forms again."""
    key = (fid, text, vocabulary)
    if key not in _FORM_VERDICTS:
        _FORM_VERDICTS[key] = FormRegistry.from_sources({fid: text}, vocabulary, strict=False).broken.get(fid)
        while len(_FORM_VERDICTS) > 512:
            _FORM_VERDICTS.pop(next(iter(_FORM_VERDICTS)))
    return _FORM_VERDICTS[key]


_FORM_VERDICTS: dict[tuple[str, str, str], str | None] = {}


def _form_refusals(index: _Index, forms: Mapping[str, str], vocabulary: str) -> list[Problem]:
    """Forms that are no valid JSON, no valid JSON Schema, or use a keyword or type form
    validation does not enforce; shown on the user task that names the form."""
    try:
        broken = {fid: why for fid, text in forms.items()
                  if (why := _form_verdict(fid, text, vocabulary or "{}")) is not None}
    except DefinitionError as exc:  # the vocabulary itself cannot be read
        return [Problem(exc.message, refusal=True)]
    users: dict[str, tuple[str, str]] = {}
    for file, root in index.bpmn():
        for prop in root.iter(f"{{{SPIFF_NS}}}property"):
            if prop.get("name") == "formulier" and prop.get("value") and prop.get("value") not in users:
                owner = _owner(prop)
                users[prop.get("value", "")] = (owner.get("id") or "", file)
    out = []
    for fid, why in sorted(broken.items()):
        element, where = users.get(fid, ("", ""))
        out.append(Problem(why, element or None, where or None, refusal=True))
    return out


def _check(bundle: Bundle, catalog: _Catalog) -> list[Problem]:
    problems, roots = _parse_all(bundle.files)
    if problems:
        return problems  # nothing else can be read safely
    index = _Index(roots)
    problems += _expression_problems(index)
    dmn_entries = _dmn_entry_problems(index)
    problems += [p for p in dmn_entries if p.refusal]
    problems += _form_refusals(index, bundle.forms, bundle.vocabulary)
    never, unparsable = _never_run(bundle, index)
    problems += never
    if unparsable:  # SpiffWorkflow's parser would stop at the first, in English
        return _unique(problems)
    try:
        bundle.specs()
    except (DefinitionError, ExpressionError, RecursionError, LookupError, ValueError, TypeError) as exc:
        if not isinstance(exc, DefinitionError):  # a draft can break Spiff's parser in unforeseen ways
            exc = DefinitionError(Msg("BPMN kan niet worden verwerkt: %(fout)s", fout=str(exc)))
        element = exc.details.get("element")
        problems.append(Problem(exc.message, element if isinstance(element, str) else None,
                                _str(exc.details.get("file")) or index.file_of(element)))  # a finding
        return _unique(problems)
    try:
        _meta, found = spec_problems(bundle, catalog.roles, catalog.messages)
    except DefinitionError as exc:
        return _unique([*problems, Problem(exc.message)])
    # timer and termijn expressions and broken forms are refusals found above, from the XML
    problems += [p if p.file else replace(p, file=index.file_of(p.element)) for p in found if not p.refusal]
    problems += _graph_problems(index)
    problems += _gateway_problems(index)
    problems += _unknown_functions(index)
    problems += _unprovided_names(bundle, index)
    problems += [p for p in dmn_entries if not p.refusal]
    if not dmn_entries:
        problems += _coverage_problems(bundle, index)
    return _unique(problems)


def _always(_node: etree._Element) -> bool:
    return True


def _sends_nothing(node: etree._Element) -> bool:
    return not node.get("messageRef") and node.find(f"{{{BPMN_NS}}}messageEventDefinition") is None


# steps a drawing from another tool may hold that nobody in Werkpad performs: the work of a
# service task is a call to another system (camunda:class, a connector), which Werkpad does not make;
# a send task without a message sends nothing (its mail or letter would silently not go out)
_UNRUNNABLE: dict[str, tuple[Msg, Callable[[etree._Element], bool]]] = {
    "serviceTask": (Msg("servicetaak %(taak)s: Werkpad roept geen andere systemen aan. Maak er een gebruikerstaak "
                        "van (iemand doet het werk en legt de uitkomst vast in een formulier) of een scripttaak "
                        "(een berekening op de gegevens van de zaak)."), _always),
    "sendTask": (Msg("verzendtaak %(taak)s verstuurt niets: Werkpad stuurt geen post, mail of berichten naar andere "
                     "systemen. Maak er een gebruikerstaak van (iemand verstuurt het en legt dat vast in een "
                     "formulier) of haal de taak weg."), _sends_nothing),
}


def never_run(bundle: Bundle) -> list[Problem]:
    """What of the version's BPMN no case will run, read from the XML before SpiffWorkflow parses
    it: the main process missing, a process nothing calls, a step nobody performs (a service task,
    a send task without a message). Files that are not well-formed are left to :func:`refusals`."""
    problems, roots = _parse_all(bundle.files)  # the DMN files too: the decision tables a task may use
    return [] if problems else _never_run(bundle, _Index(roots))[0]


def _processes_run(bundle: Bundle, index: _Index) -> tuple[dict[str | None, tuple[str, etree._Element]], set[str]]:
    """Every process of the files (id -> file, element), and the ids of those a case runs: the
    main process and what it calls, also through another."""
    processes: dict[str | None, tuple[str, etree._Element]] = {
        node.get("id"): (name, node) for name, root in index.bpmn() for node in root.iter(f"{{{BPMN_NS}}}process")}
    runs: set[str] = set()
    todo = [bundle.process_id]
    while todo:
        current = todo.pop()
        if current in runs or current not in processes:
            continue
        runs.add(current)
        todo += [call.get("calledElement") or "" for call in processes[current][1].iter(f"{{{BPMN_NS}}}callActivity")]
    return processes, runs


def _never_run(bundle: Bundle, index: _Index) -> tuple[list[Problem], bool]:
    """The problems of :func:`never_run`, and whether the other checks wait until they are mended
    (the main process missing, or a step nobody performs: SpiffWorkflow's parser stops at a service
    task, and such a step is what a designer mends first)."""
    processes, runs = _processes_run(bundle, index)
    if bundle.process_id not in processes:
        return [Problem(missing_main_process(bundle.process_id, dict(index.bpmn())))], True
    unrunnable, unreadable, findings = [], [], []
    decisions = {node.get("id") or "": label(node) for _name, root in index.dmn() for node in root.iter("{*}decision")}
    signals = _thrown_signals(index)
    for ident, (name, process) in processes.items():
        if ident not in runs:
            continue  # never run: said by _unused_processes
        for kind, (message, applies) in _UNRUNNABLE.items():
            unrunnable += [Problem(Msg(message.template, taak=label(node)), node.get("id"), name)
                           for node in process.iter(f"{{{BPMN_NS}}}{kind}") if applies(node)]
        unreadable += _unreadable(name, index.roots[name], process, processes, decisions)
        findings += _would_fail(name, process, signals)
    tables, stops = _dmn_from_elsewhere(index)
    unreadable += stops
    findings += tables
    return (_unused_processes(bundle, processes, runs) + unrunnable + unreadable + findings,
            bool(unrunnable or unreadable))


# references to what a file must define: SpiffWorkflow's parser fails on a missing one with a TypeError
# of its own (3.2.0), not naming the element
_REFERENCES = {  # element -> (attribute, what it refers to, the problem)
    "messageEventDefinition": ("messageRef", "message", Msg(
        "%(element)s wacht op of verstuurt bericht '%(ref)s', maar dat bericht staat niet in %(bestand)s: kies "
        "in de modeler een bericht dat Werkpad kent")),
    "receiveTask": ("messageRef", "message", Msg(
        "%(element)s wacht op bericht '%(ref)s', maar dat bericht staat niet in %(bestand)s: kies in de modeler "
        "een bericht dat Werkpad kent")),
    "sendTask": ("messageRef", "message", Msg(
        "%(element)s verstuurt bericht '%(ref)s', maar dat bericht staat niet in %(bestand)s: kies in de modeler "
        "een bericht dat Werkpad kent")),
    "signalEventDefinition": ("signalRef", "signal", Msg(
        "%(element)s verwijst naar signaal '%(ref)s', maar dat signaal staat niet in %(bestand)s: maak het aan "
        "in de modeler of kies een bestaand signaal")),
    "errorEventDefinition": ("errorRef", "error", Msg(
        "%(element)s verwijst naar fout '%(ref)s', maar die fout staat niet in %(bestand)s: maak haar aan in de "
        "modeler of kies een bestaande fout")),
    "escalationEventDefinition": ("escalationRef", "escalation", Msg(
        "%(element)s verwijst naar escalatie '%(ref)s', maar die escalatie staat niet in %(bestand)s: maak haar "
        "aan in de modeler of kies een bestaande escalatie")),
}


def _unreadable(file: str, root: etree._Element, process: etree._Element, processes: Mapping[str | None, Any],
                decisions: Mapping[str, str]) -> list[Problem]:
    """What of a process that runs SpiffWorkflow's parser cannot read or stops at without naming it:
    a reference to a message, signal, error or escalation the file does not define, a call of a
    process that is in none of the version's files (``processes``: their ids), a decision task
    without one of the version's decision tables (``decisions``: id -> how they are named; another program's
    ``camunda:decisionRef`` is not read), and a process marked as not to be run (the parser leaves
    it out, then says it does not exist)."""
    problems = []
    known = ", ".join(sorted(decisions.values())) or "—"
    for task in process.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        chosen = _text(next(task.iter(f"{{{SPIFF_NS}}}calledDecisionId"), None))
        if not chosen:
            problems.append(Problem(Msg("beslistaak %(element)s zegt niet welke beslistabel zij gebruikt: kies er een "
                                        "in de modeler (%(bekend)s)", element=label(task), bekend=known),
                                    task.get("id"), file))
        elif chosen not in decisions:
            problems.append(Problem(Msg("beslistaak %(element)s gebruikt beslistabel '%(tabel)s', maar die bestaat "
                                        "niet (wel: %(bekend)s)", element=label(task), tabel=chosen, bekend=known),
                                    task.get("id"), file))
    if process.get("isExecutable") == "false":
        problems.append(Problem(Msg(NOT_EXECUTABLE.template, proces=label(process), bestand=file),
                                process.get("id"), file))
    for call in process.iter(f"{{{BPMN_NS}}}callActivity"):
        called = call.get("calledElement")
        if called and called not in processes:
            problems.append(Problem(Msg("aanroepactiviteit %(element)s roept proces '%(proces)s' aan, maar dat staat "
                                        "in geen van de bestanden van deze versie (wel: %(bekend)s)",
                                        element=label(call), proces=called,
                                        bekend=", ".join(sorted(str(k) for k in processes if k))),
                                    call.get("id"), file))
    defined: dict[str, set[str]] = {}
    for node in process.iter():
        if _ns(node) != BPMN_NS or _local(node) not in _REFERENCES:
            continue
        attribute, kind, message = _REFERENCES[_local(node)]
        ref = node.get(attribute)
        if not ref:
            continue
        if kind not in defined:
            defined[kind] = {n.get("id") or "" for n in root.iter(f"{{{BPMN_NS}}}{kind}")}
        if ref not in defined[kind]:
            event = _owner(node)
            problems.append(Problem(Msg(message.template, element=label(event), ref=ref, bestand=file),
                                    event.get("id"), file))
    return problems


# what a decision table's hit policy makes of its matches in SpiffWorkflow 3.2.0: UNIQUE, FIRST and ANY give
# the first matching rule's outputs (UNIQUE and ANY are then checked to agree), COLLECT a list per output;
# any other policy would also give the first match, which is not what it means
_HIT_POLICIES = {"UNIQUE", "FIRST", "ANY", "COLLECT"}


def _dmn_from_elsewhere(index: _Index) -> tuple[list[Problem], list[Problem]]:
    """Decision files as other programs write them: (findings, problems SpiffWorkflow's DMN reader stops
    at). It reads one decision per file, holding a decision table; DMN 1.3 (other versions would pass
    the checks unread); the hit policies in ``_HIT_POLICIES`` without an aggregation; an output that
    has a name (the case data it fills)."""
    findings, stops = [], []
    for file, root in sorted(index.roots.items()):
        if not file.endswith(".dmn"):
            continue
        if _ns(root) != DMN_NS:
            stops.append(Problem(Msg("%(bestand)s is geen DMN 1.3 (maar %(versie)s); Werkpad leest beslistabellen in "
                                     "DMN 1.3: open het bestand in de beslistabel-editor of in een recent programma en "
                                     "bewaar het opnieuw", bestand=file, versie=_ns(root) or "?"), None, file))
            continue
        decisions = [d for d in root if _ns(d) == DMN_NS and _local(d) == "decision"]
        if len(decisions) != 1:
            stops.append(Problem(Msg("%(bestand)s bevat %(aantal)s beslissingen; Werkpad leest precies één beslissing "
                                     "per bestand: zet elke beslistabel in een eigen .dmn-bestand",
                                     bestand=file, aantal=len(decisions)), None, file))
            continue
        decision = decisions[0]
        table = decision.find(f"{{{DMN_NS}}}decisionTable")
        if table is None:
            stops.append(Problem(Msg("beslissing %(beslissing)s heeft geen beslistabel: Werkpad voert alleen "
                                     "beslistabellen uit, geen losse expressie", beslissing=label(decision)),
                                 decision.get("id"), file))
            continue
        policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
        if policy not in _HIT_POLICIES:
            findings.append(Problem(Msg("beslistabel %(beslissing)s: de beslisregel %(regel)s kent Werkpad niet; kies UNIQUE "
                                        "(precies één regel raakt), FIRST (de eerste die raakt), ANY (alle die raken "
                                        "zeggen hetzelfde) of COLLECT (alle uitkomsten als lijst)",
                                        beslissing=label(decision), regel=policy), decision.get("id"), file))
        elif table.get("aggregation"):
            findings.append(Problem(Msg("beslistabel %(beslissing)s: COLLECT met %(aggregatie)s telt of rekent niet; "
                                        "Werkpad geeft alle uitkomsten als lijst. Haal de aggregatie weg en reken in "
                                        "een scripttaak (bijvoorbeeld sum(…))", beslissing=label(decision),
                                        aggregatie=table.get("aggregation")), decision.get("id"), file))
        for output in table.findall(f"{{{DMN_NS}}}output"):
            if not (output.get("name") or "").strip():
                findings.append(Problem(Msg("beslistabel %(beslissing)s: uitvoerkolom %(kolom)s heeft geen naam; de "
                                            "uitkomst komt zo in geen gegeven van de zaak terecht",
                                            beslissing=label(decision),
                                            kolom=f"'{output.get('label')}'" if output.get("label") else label(output)),
                                        output.get("id"), file))
    return findings, stops


# a timer or termijn written as the text of another program (Camunda: P28D, R3/PT10M, 2027-01-01) is an
# expression here: unquoted it reads as a name or a sum and fails only when a case reaches it
_BARE_TIME = re.compile(r"(?:R\d*/\S+|-?P(?:\d+(?:[.,]\d+)?[YMWD]|T)[\dYMWDTHS.,]*|\d{4}-\d{2}-\d{2}(?:[T ][\d:.+Z-]*)?)")
_TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")


def bare_time(text: str) -> bool:
    """Whether an expression is a duration, moment or repetition written without quotes."""
    return _BARE_TIME.fullmatch(text.strip()) is not None


def _signal_name(definition: etree._Element) -> str:
    """The name a signal is matched by (SpiffWorkflow: the signal's name, else its id)."""
    ref = definition.get("signalRef") or ""
    root = definition.getroottree().getroot()
    found = next((s for s in root.iter(f"{{{BPMN_NS}}}signal") if s.get("id") == ref), None)
    return (found.get("name") or ref) if found is not None else ref


def _thrown_signals(index: _Index) -> set[str]:
    """The signals something in the version's files gives (a throw or end event)."""
    return {_signal_name(d) for _file, root in index.bpmn() for d in root.iter(f"{{{BPMN_NS}}}signalEventDefinition")
            if _local(_owner(d)) in ("intermediateThrowEvent", "endEvent")}


def _would_fail(file: str, process: etree._Element, signals: set[str]) -> list[Problem]:
    """What SpiffWorkflow reads but a case would fail at, or silently skip, when it gets there:
    a timer or termijn written as bare text, a script task without a script, a receive task that
    waits for no message, a compensation or link event (Werkpad runs neither), a conditional event
    (its condition is looked at only when the case arrives there), a wait for a signal nothing in
    the version gives (``signals``; Werkpad takes no signals from outside)."""
    problems = []
    for node in process.iter():
        local = _local(node)
        if (local == "signalEventDefinition" and _local(_owner(node)) == "intermediateCatchEvent"
                and node.get("signalRef") and _signal_name(node) not in signals):
            event = _owner(node)
            problems.append(Problem(Msg("%(element)s wacht op signaal '%(signaal)s', maar niets in het proces geeft dat "
                                        "signaal en Werkpad neemt geen signalen van buiten aan: de zaak zou er blijven "
                                        "staan. Geef het signaal ergens in het proces, of wacht op een bericht.",
                                        element=label(event), signaal=_signal_name(node)), event.get("id"), file))
            continue
        if _ns(node) == BPMN_NS and local in _TIMER_TAGS and bare_time(_text(node)):
            event = _owner(node)
            problems.append(Problem(Msg("timer van %(element)s: %(tekst)s is geen tekst maar een expressie; schrijf "
                                        "hem tussen aanhalingstekens: \"%(tekst)s\"", element=label(event),
                                        tekst=_text(node)), event.get("id"), file))
        elif (_ns(node) == SPIFF_NS and local == "property" and node.get("name") == "termijn"
              and bare_time(node.get("value") or "")):
            owner = _owner(node)
            value = (node.get("value") or "").strip()
            problems.append(Problem(Msg("termijn van %(element)s: %(tekst)s is geen tekst maar een expressie; schrijf "
                                        "hem tussen aanhalingstekens: \"%(tekst)s\"", element=label(owner),
                                        tekst=value), owner.get("id"), file))
        elif _ns(node) != BPMN_NS:
            continue
        elif local == "scriptTask" and not any(_local(c) == "script" and _text(c) for c in node):
            problems.append(Problem(Msg("scripttaak %(taak)s heeft geen script: een zaak zou daar in fout gaan. "
                                        "Schrijf het script in de modeler of haal de taak weg.", taak=label(node)),
                                    node.get("id"), file))
        elif local == "receiveTask" and not node.get("messageRef"):
            problems.append(Problem(Msg("ontvangsttaak %(taak)s wacht op geen enkel bericht: een zaak zou daar blijven "
                                        "staan. Kies het bericht in de modeler of maak er een gebruikerstaak van.",
                                        taak=label(node)), node.get("id"), file))
        elif local == "compensateEventDefinition":
            event = _owner(node)
            problems.append(Problem(Msg("%(element)s: Werkpad voert geen compensatie uit; teken het terugdraaien als "
                                        "gewone taken", element=label(event)), event.get("id"), file))
        elif local == "conditionalEventDefinition":  # SpiffWorkflow refreshes only timers after arrival
            event = _owner(node)
            problems.append(Problem(Msg("voorwaardelijke gebeurtenis %(element)s: Werkpad bekijkt de voorwaarde alleen "
                                        "op het moment dat de zaak er aankomt, daarna niet meer; is zij dan niet waar, "
                                        "dan blijft de zaak er staan. Kies op dat moment met een exclusieve gateway, "
                                        "of wacht op een bericht of een timer.", element=label(event)),
                                    event.get("id"), file))
        elif local == "linkEventDefinition":
            event = _owner(node)
            problems.append(Problem(Msg("%(element)s: Werkpad volgt geen koppelingen (link-gebeurtenissen); teken "
                                        "de pijl door naar waar het proces verder gaat", element=label(event)),
                                    event.get("id"), file))
    return problems


def _unused_processes(bundle: Bundle, processes: Mapping[str | None, tuple[str, etree._Element]],
                      runs: set[str]) -> list[Problem]:
    """A process of the version's own files that neither is the main process nor is called from
    it never runs: a file uploaded under a new name instead of replacing the process's file, or a
    drawing from another tool."""
    problems = []
    for ident, (name, process) in processes.items():
        if ident in runs or name.startswith(SHARED_DIR + "/"):
            continue
        if not any(_local(child).endswith(("Event", "Task", "task", "Gateway")) for child in process):
            continue  # a pool drawn for another party holds no steps
        problems.append(Problem(
            Msg("proces %(proces)s in %(bestand)s wordt nergens aangeroepen, dus nooit uitgevoerd: het "
                "hoofdproces is %(hoofd)s. Vervang het bestand van het proces (zelfde bestandsnaam), roep "
                "het aan met een aanroepactiviteit of haal het bestand weg.",
                proces=label(process), bestand=name, hoofd=bundle.process_id),
            ident, name))
    return problems


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.message, p.element, p.file, p.refusal)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# ---------------------------------------------------------------------------- XML index
def _local(node: etree._Element) -> str:
    tag = node.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _ns(node: etree._Element) -> str | None:
    tag = node.tag
    return etree.QName(tag).namespace if isinstance(tag, str) else None


def label(node: etree._Element) -> str:
    """How a message names an element: ``'Naam' (id)`` or ``(id)``."""
    return element_label(node.get("name"), node.get("id") or "?")


class _Index:
    def __init__(self, roots: dict[str, etree._Element]) -> None:
        self.roots = roots
        self.files: dict[str, str] = {}
        for name, root in roots.items():
            for node in root.iter():
                ident = node.get("id") if isinstance(node.tag, str) else None
                if ident and ident not in self.files:
                    self.files[ident] = name

    def file_of(self, element: object) -> str | None:
        return self.files.get(element) if isinstance(element, str) else None

    def bpmn(self) -> Iterator[tuple[str, etree._Element]]:
        for name, root in sorted(self.roots.items()):
            if name.endswith(".bpmn"):
                yield name, root

    def dmn(self) -> Iterator[tuple[str, etree._Element]]:
        for name, root in sorted(self.roots.items()):
            if name.endswith(".dmn"):
                yield name, root


def _text(node: etree._Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def _owner(node: etree._Element) -> etree._Element:
    """The nearest ancestor (or the node) with an id that is not an event definition: the element a
    problem is shown on (a timer's text or a definition that carries an id, as other tools write
    them, is shown on its event)."""
    current: etree._Element | None = node
    while current is not None and (not current.get("id") or _local(current).endswith("EventDefinition")):
        current = current.getparent()
    return current if current is not None else node


# ---------------------------------------------------------------------------- expressions
_DUTCH = [
    (re.compile(r"names starting with '_' are not allowed"), "namen die met '_' beginnen zijn niet toegestaan"),
    (re.compile(r"access to private attribute"), "toegang tot het verborgen attribuut"),
    (re.compile(r"^method "), "methode "),
    (re.compile(r"list comprehension|set comprehension|dict comprehension|generator expression"),
     "een comprehension (lijstopbouw met for)"),
    (re.compile(r"^syntax error"), "syntaxfout"),
    (re.compile(r"(?<= )literals"), "letterlijke waarden"),
    (re.compile(r" are not allowed"), " zijn niet toegestaan"),
    (re.compile(r" is not allowed"), " is niet toegestaan"),
    (re.compile(r" is too deeply nested"), " is te diep genest"),
    (re.compile(r"is longer than (\d+) characters"), r"is langer dan \1 tekens"),
]


def dutch(reason: str) -> str:
    """The safe-expression checker's reason in the designers' language."""
    for pattern, replacement in _DUTCH:
        reason = pattern.sub(replacement, reason)
    return reason


# The checker's reasons that :func:`dutch` puts in Dutch, as templates: the English page shows them in
# English. The parts taken over (a name, the parser's own words, where) stay as the checker wrote them.
_REASONS = [
    (re.compile(r"syntax error(?P<waar>(?: \(line \d+\))?): (?P<fout>.*)", re.S), Msg("syntaxfout%(waar)s: %(fout)s")),
    (re.compile(r"names starting with '_' are not allowed(?P<rest>.*)", re.S),
     Msg("namen die met '_' beginnen zijn niet toegestaan%(rest)s")),
    (re.compile(r"access to private attribute (?P<naam>'[^']*') is not allowed(?P<rest>.*)", re.S),
     Msg("toegang tot het verborgen attribuut %(naam)s is niet toegestaan%(rest)s")),
    (re.compile(r"method (?P<naam>'[^']*') is not allowed(?P<rest>.*)", re.S),
     Msg("methode %(naam)s is niet toegestaan%(rest)s")),
    (re.compile(r"(?:list comprehension|set comprehension|dict comprehension|generator expression) is not "
                r"allowed(?P<rest>.*)", re.S), Msg("een comprehension (lijstopbouw met for) is niet toegestaan%(rest)s")),
    (re.compile(r"(?P<soort>\w+) literals are not allowed(?P<rest>.*)", re.S),
     Msg("%(soort)s letterlijke waarden zijn niet toegestaan%(rest)s")),
    (re.compile(r"(?P<wat>.+?) is too deeply nested(?P<rest>.*)", re.S), Msg("%(wat)s is te diep genest%(rest)s")),
    (re.compile(r"(?P<wat>.+?) is longer than (?P<aantal>\d+) characters(?P<rest>.*)", re.S),
     Msg("%(wat)s is langer dan %(aantal)s tekens%(rest)s")),
    (re.compile(r"(?P<wat>.+?) is not allowed(?P<rest>.*)", re.S), Msg("%(wat)s is niet toegestaan%(rest)s")),
    (re.compile(r"(?P<wat>.+?) are not allowed(?P<rest>.*)", re.S), Msg("%(wat)s zijn niet toegestaan%(rest)s")),
]


def reason(text: str) -> str:
    """The safe-expression checker's reason as :func:`dutch` gives it, as a :class:`Msg` when it
    has a template (so the English page shows it in English); only when that gives exactly the
    text :func:`dutch` gives, else that text."""
    wanted = dutch(text)
    for pattern, template in _REASONS:
        found = pattern.fullmatch(text)
        if found:
            message = Msg(template.template, **found.groupdict())
            return message if message == wanted else wanted
    return wanted


# what an expression is, in the message that refuses it: one template each (a script is run, the
# others evaluated as an expression)
_REFUSED = {
    "voorwaarde": Msg("voorwaarde van %(element)s: expressie %(expressie)s wordt geweigerd: %(reden)s"),
    "script": Msg("script van %(element)s: script %(expressie)s wordt geweigerd: %(reden)s"),
    "meervoudige uitvoering": Msg("meervoudige uitvoering van %(element)s: expressie %(expressie)s wordt "
                                  "geweigerd: %(reden)s"),
    "timer": Msg("timer van %(element)s: expressie %(expressie)s wordt geweigerd: %(reden)s"),
    "berichtinhoud": Msg("berichtinhoud van %(element)s: expressie %(expressie)s wordt geweigerd: %(reden)s"),
    "termijn": Msg("termijn van %(element)s: expressie %(expressie)s wordt geweigerd: %(reden)s"),
}


# how other programs write expressions: Camunda's JUEL (${...}) and scripts in another language
_FOREIGN_EXPRESSION = re.compile(r"[$#]\{(?P<binnen>.*)\}", re.S)
_FOREIGN_SCRIPT = {"javascript", "js", "ecmascript", "groovy", "juel", "feel", "nashorn", "graal.js"}


_JUEL_WORDS = [(re.compile(r"\btrue\b"), "True"), (re.compile(r"\bfalse\b"), "False"),
               (re.compile(r"\bnull\b"), "None"), (re.compile(r"\s*&&\s*"), " and "),
               (re.compile(r"\s*\|\|\s*"), " or "), (re.compile(r"!(?!=)\s*"), "not ")]


def _from_juel(text: str) -> str:
    """A JUEL expression's inside as Werkpad writes it (true, false, null, &&, || and !)."""
    for pattern, replacement in _JUEL_WORDS:
        text = pattern.sub(replacement, text)
    return text.strip()


def _refused(node: etree._Element, file: str, what: str, expression: str, mode: str) -> Problem | None:
    try:
        check(expression, mode)
    except ExpressionError as exc:
        owner = _owner(node)
        foreign = _FOREIGN_EXPRESSION.fullmatch(expression.strip())
        language = (owner.get("scriptFormat") or "").strip().lower()
        if foreign:
            message = Msg("%(element)s: %(expressie)s is geschreven zoals een ander programma dat doet (${…}); "
                          "schrijf de expressie zelf, zonder ${ en }: %(zonder)s", element=label(owner),
                          expressie=_short(expression), zonder=_short(_from_juel(foreign["binnen"])))
        elif what == "script" and language in _FOREIGN_SCRIPT:
            message = Msg("script van %(element)s is in %(taal)s geschreven; Werkpad voert alleen scripts in zijn "
                          "eigen rekentaal uit (zoals teller = teller + 1)", element=label(owner),
                          taal=owner.get("scriptFormat"))
        else:
            message = Msg(_REFUSED[what].template, element=label(owner), expressie=_short(expression),
                          reden=reason(exc.message))
        return Problem(message, owner.get("id"), file, refusal=True)
    return None


def _short(text: str) -> str:
    one = " ".join(text.split())
    return repr(one if len(one) <= 80 else one[:77] + "...")


def _expressions(index: _Index) -> Iterator[tuple[etree._Element, str, str, str, str]]:
    """Every expression and script of the BPMN files: (node, file, what it is, text, mode)."""
    for file, root in index.bpmn():
        for node in root.iter():
            if _ns(node) == BPMN_NS:
                local = _local(node)
                if local == "conditionExpression" and _text(node):
                    yield node, file, "voorwaarde", _text(node), "eval"
                elif local == "script" and _text(node):
                    yield node, file, "script", node.text or "", "exec"
                elif local in ("loopCardinality", "completionCondition") and _text(node):
                    yield node, file, "meervoudige uitvoering", _text(node), "eval"
                elif local in _TIMER_TAGS and _text(node) and not bare_time(_text(node)):  # bare: _would_fail
                    yield node, file, "timer", _text(node), "eval"
            elif _ns(node) == SPIFF_NS:
                local = _local(node)
                if local in ("preScript", "postScript") and _text(node):
                    yield node, file, "script", node.text or "", "exec"
                elif local == "messagePayload" and _text(node):
                    yield node, file, "berichtinhoud", _text(node), "eval"
                elif (local == "property" and node.get("name") == "termijn" and (node.get("value") or "").strip()
                      and not bare_time(node.get("value") or "")):
                    yield node, file, "termijn", (node.get("value") or "").strip(), "eval"


def _expression_problems(index: _Index) -> list[Problem]:
    out = [_refused(node, file, what, text, mode) for node, file, what, text, mode in _expressions(index)]
    return [p for p in out if p is not None]


def _known_functions() -> frozenset[str]:
    """The functions an expression may call: the interpreter's, the engine's (nu, vandaag, …) and the
    data functions bekend/waarde."""
    return frozenset(CaseRuntime.script_engine().environment.functions) | {"bekend", "waarde"}


def _unknown_functions(index: _Index) -> list[Problem]:
    """A call of a function Werkpad does not have (a typo, or another program's function) passes the
    safety check but fails when a case gets there: a finding naming it, with the nearest known name.
    Read in every BPMN expression and script and in a decision table's input expressions, input
    entries and outputs."""
    known = _known_functions()
    found = [(node, file, text, functions_called(text, mode) - known)
             for node, file, _what, text, mode in _expressions(index)]
    for file, root in index.dmn():
        for node in [*root.iter(f"{{{DMN_NS}}}inputExpression"), *root.iter(f"{{{DMN_NS}}}outputEntry")]:
            text = _text(node.find(f"{{{DMN_NS}}}text"))
            if text:
                found.append((node, file, text, functions_called(text, "eval") - known))
        for node in root.iter(f"{{{DMN_NS}}}inputEntry"):  # a value, an expression with ?, or a comparison's tail
            text = _text(node.find(f"{{{DMN_NS}}}text"))
            entry = _QUESTION_MARK.sub("dmninputexpr", text)
            if text and text != "-":
                found.append((node, file, text, (functions_called(entry) | functions_called(f"v {entry}")) - known))
    problems = []
    for node, file, text, unknown in found:
        if not unknown:
            continue
        if _ns(node) == DMN_NS:
            owner = next(node.iterancestors(f"{{{DMN_NS}}}decision"), node)  # the decision table people know
        else:
            owner = _owner(node)
        for name in sorted(unknown):
            near = difflib.get_close_matches(name, sorted(known), n=1)
            message = (Msg("%(element)s: %(expressie)s roept %(functie)s aan, maar die functie kent Werkpad niet; "
                           "bedoel je %(voorstel)s?", element=label(owner), expressie=_short(text), functie=name,
                           voorstel=near[0]) if near else
                       Msg("%(element)s: %(expressie)s roept %(functie)s aan, maar die functie kent Werkpad niet "
                           "(wel: %(bekend)s)", element=label(owner), expressie=_short(text), functie=name,
                           bekend=", ".join(sorted(known))))
            problems.append(Problem(message, owner.get("id"), file))
    return problems


# what every case starts with (engine/app/cases.py): the municipality, the client's birth date and age,
# the day of the melding and the municipality's settings from proces.json
START_NAMES = frozenset({"gemeente", "geboortedatum", "leeftijd", "melddatum", "gemeente_config"})


def start_data_names(manifest: Mapping[str, Any]) -> set[str]:
    """The names a process expects in the data a case is started with through the API or the command
    line (``"startgegevens"`` in proces.json: a list of names, or names with what they mean)."""
    declared = manifest.get("startgegevens") if isinstance(manifest, Mapping) else None
    return {n for n in declared if isinstance(n, str)} if isinstance(declared, (list, dict)) else set()


def _in_running(node: etree._Element, running: set[int]) -> bool:
    """Whether ``node`` lies in a process a case runs (``running``: the ids of those process elements)."""
    return any(id(p) in running for p in node.iterancestors(f"{{{BPMN_NS}}}process"))


def _provided_names(bundle: Bundle, index: _Index, running: set[int]) -> set[str]:
    """The case-data names something in the version gives: the start (and the start data proces.json
    declares), the fields of the forms its user tasks name, what a script of a process that runs sets, a caught message (under its name or its message variable),
    a multi-instance item, a decision table's outputs."""
    named = {prop.get("value") or "" for _file, root in index.bpmn() for prop in root.iter(f"{{{SPIFF_NS}}}property")
             if prop.get("name") == "formulier" and _in_running(prop, running)}
    provided = (set(START_NAMES) | fields_of({fid: text for fid, text in bundle.forms.items() if fid in named})
                | ENGINE_MESSAGES | start_data_names(bundle.manifest))
    for _file, root in index.bpmn():
        messages = {m.get("id"): m.get("name") or "" for m in root.iter(f"{{{BPMN_NS}}}message")}
        for node in root.iter(f"{{{BPMN_NS}}}messageEventDefinition", f"{{{BPMN_NS}}}receiveTask"):
            variable = _text(node.find(f"{{{SPIFF_NS}}}messageVariable"))
            provided.add(variable or messages.get(node.get("messageRef"), ""))
        for node in root.iter(f"{{{BPMN_NS}}}inputDataItem", f"{{{BPMN_NS}}}outputDataItem",
                              f"{{{BPMN_NS}}}loopDataOutputRef"):
            provided.update(n for n in (node.get("name"), node.get("id"), _text(node)) if n)
    for _file, root in index.dmn():
        provided.update(o.get("name") or "" for o in root.iter(f"{{{DMN_NS}}}output"))
    return provided


def _unprovided_names(bundle: Bundle, index: _Index) -> list[Problem]:
    """A condition, script, timer, term or decision table that reads a name nothing in the version
    gives (a typo, a field renamed in its form, a name from another tool) passes every other check
    but stops a case in error when it gets there: a finding naming it, with the nearest name that
    is given. A name read with bekend()/waarde() may be missing and is not one; nor are the
    processes of shared files that no process of this version calls."""
    processes, runs = _processes_run(bundle, index)
    running = {id(node) for ident, (_file, node) in processes.items() if ident in runs}
    reads: list[tuple[etree._Element, str, str, frozenset[str]]] = []
    provided = _provided_names(bundle, index, running)
    for node, file, _what, text, mode in _expressions(index):
        if not _in_running(node, running):
            continue
        needed, sets = names_needed(text, mode)
        provided |= sets
        reads.append((node, file, text, needed))
    for file, root in index.dmn():
        for node in root.iter(f"{{{DMN_NS}}}inputExpression"):
            text = _text(node.find(f"{{{DMN_NS}}}text"))
            if text:
                reads.append((node, file, text, names_needed(text)[0]))
    problems = []
    for node, file, text, needed in reads:
        owner = (next(node.iterancestors(f"{{{DMN_NS}}}decision"), node) if _ns(node) == DMN_NS else _owner(node))
        for name in sorted(needed - provided):
            near = difflib.get_close_matches(name, sorted(provided), n=1)
            message = (Msg("%(element)s leest %(naam)s (%(expressie)s), maar geen formulier, script, beslistabel of "
                           "bericht van dit proces geeft die naam: een zaak zou daar in fout gaan. Bedoel je "
                           "%(voorstel)s? Wordt hij bij het starten van een zaak meegegeven, noem hem dan onder "
                           "startgegevens in proces.json; mag hij ontbreken, lees hem met waarde(\"%(naam)s\", …).",
                           element=label(owner), naam=name, expressie=_short(text), voorstel=near[0]) if near else
                       Msg("%(element)s leest %(naam)s (%(expressie)s), maar geen formulier, script, beslistabel of "
                           "bericht van dit proces geeft die naam: een zaak zou daar in fout gaan. Voeg een "
                           "formulierveld of script toe dat hem vastlegt, noem hem onder startgegevens in proces.json "
                           "als hij bij het starten van een zaak wordt meegegeven, of lees hem met "
                           "waarde(\"%(naam)s\", …) als hij mag ontbreken.", element=label(owner), naam=name, expressie=_short(text)))
            problems.append(Problem(message, owner.get("id"), file))
    return problems


# ---------------------------------------------------------------------------- graph
def _containers(root: etree._Element) -> Iterator[etree._Element]:
    for node in root.iter():
        if _ns(node) == BPMN_NS and _local(node) in _CONTAINERS:
            yield node


def _flow_nodes(container: etree._Element) -> list[etree._Element]:
    return [c for c in container if _ns(c) == BPMN_NS and c.get("id")
            and _local(c) not in _NOT_FLOW_NODES and _local(c) != "sequenceFlow"]


def _link_name(node: etree._Element) -> str | None:
    for child in node:
        if _ns(child) == BPMN_NS and _local(child) == "linkEventDefinition":
            name: str | None = child.get("name") or child.get("id")
            return name
    return None


def _graph_problems(index: _Index) -> list[Problem]:
    problems: list[Problem] = []
    for file, root in index.bpmn():
        for container in _containers(root):
            nodes = {n.get("id"): n for n in _flow_nodes(container)}
            succ: dict[str, set[str]] = {k: set() for k in nodes if k}
            for flow in container:
                if _ns(flow) == BPMN_NS and _local(flow) == "sequenceFlow":
                    src, dst = flow.get("sourceRef"), flow.get("targetRef")
                    if src in succ and dst in succ:
                        succ[src].add(dst)
            for ident, node in nodes.items():
                host = node.get("attachedToRef") if _local(node) == "boundaryEvent" else None
                if host in succ and ident:
                    succ[host].add(ident)
            throws = {_link_name(n): k for k, n in nodes.items() if _local(n) == "intermediateThrowEvent"}
            for ident, node in nodes.items():
                name = _link_name(node) if _local(node) == "intermediateCatchEvent" else None
                if name and name in throws and throws[name] in succ and ident:
                    succ[throws[name]].add(ident)
            event_sub = {k for k, n in nodes.items() if _local(n) == "subProcess"
                         and (n.get("triggeredByEvent") == "true" or n.get(f"{{{BPMN_NS}}}triggeredByEvent") == "true")}
            starts = [k for k, n in nodes.items() if _local(n) == "startEvent" or k in event_sub]
            reached = _walk(starts, succ)
            pred: dict[str, set[str]] = {k: set() for k in succ}
            for src, dsts in succ.items():
                for dst in dsts:
                    pred[dst].add(src)
            ends = [k for k, n in nodes.items() if _local(n) == "endEvent" or k in event_sub]
            finishing = _walk(ends, pred)
            sub = None if _local(container) == "process" else label(container)
            for ident, node in nodes.items():
                if ident not in reached:
                    problems.append(Problem(Msg(
                        "%(element)s is niet bereikbaar vanaf een startgebeurtenis: geen enkele volgorde-stroom "
                        "leidt ernaartoe", element=label(node)) if sub is None else Msg(
                        "%(element)s in subproces %(subproces)s is niet bereikbaar vanaf een startgebeurtenis: "
                        "geen enkele volgorde-stroom leidt ernaartoe", element=label(node), subproces=sub),
                        ident, file))
                elif ident not in finishing:
                    problems.append(Problem(Msg(
                        "vanaf %(element)s is geen eindgebeurtenis bereikbaar: een zaak die hier komt loopt vast "
                        "(pad zonder einde of lus zonder uitgang)", element=label(node)) if sub is None else Msg(
                        "vanaf %(element)s in subproces %(subproces)s is geen eindgebeurtenis bereikbaar: een zaak "
                        "die hier komt loopt vast (pad zonder einde of lus zonder uitgang)", element=label(node),
                        subproces=sub), ident, file))
    return problems


def _walk(starts: Iterable[str | None], edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [s for s in starts if s]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(edges.get(current, ()))
    return seen


# ---------------------------------------------------------------------------- gateways
_COMPLEMENT = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
               ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def _parsed(expression: str) -> ast.expr | None:
    try:
        return ast.parse(expression.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _negates(a: ast.expr, b: ast.expr) -> bool:
    """``b`` is literally ``not a``, or both compare the same operands with opposite operators."""
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.Not) and ast.dump(b.operand) == ast.dump(a):
        return True
    if (isinstance(a, ast.Compare) and isinstance(b, ast.Compare) and len(a.ops) == len(b.ops) == 1
            and _COMPLEMENT.get(type(a.ops[0])) is type(b.ops[0])
            and ast.dump(a.left) == ast.dump(b.left) and ast.dump(a.comparators[0]) == ast.dump(b.comparators[0])):
        return True
    return False


def _exhaustive(conditions: list[str]) -> bool:
    trees = [_parsed(c) for c in conditions]
    if any(isinstance(t, ast.Constant) and t.value is True for t in trees):
        return True
    return any(a is not None and b is not None and _negates(a, b) for a, b in itertools.permutations(trees, 2))


def _gateway_problems(index: _Index) -> list[Problem]:
    problems = []
    for file, root in index.bpmn():
        flows: dict[str, list[etree._Element]] = {}
        for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            flows.setdefault(flow.get("sourceRef") or "", []).append(flow)
        for kind in ("exclusiveGateway", "inclusiveGateway"):
            for gateway in root.iter(f"{{{BPMN_NS}}}{kind}"):
                outgoing = flows.get(gateway.get("id") or "", [])
                if not outgoing or gateway.get("default"):
                    continue
                conditions = [_text(f.find(f"{{{BPMN_NS}}}conditionExpression")) for f in outgoing]
                if all(conditions) and not _exhaustive(conditions):
                    problems.append(Problem(Msg(
                        "gateway %(gateway)s: alle %(aantal)s uitgaande stromen hebben een voorwaarde en er is geen "
                        "standaardstroom; als geen voorwaarde waar is, loopt de zaak vast. Regel: maak één "
                        "uitgaande stroom de standaardstroom (default), of laat één voorwaarde de letterlijke "
                        "ontkenning van een andere zijn (bijv. 'x == 1' en 'x != 1', of 'a' en 'not a')",
                        gateway=label(gateway), aantal=len(outgoing)), gateway.get("id"), file))
    return problems


# ---------------------------------------------------------------------------- decision tables
_QUESTION_MARK = re.compile(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""")


def _dmn_nodes(root: etree._Element, tag: str) -> list[etree._Element]:
    return list(root.iter(f"{{{DMN_NS}}}{tag}"))


def _entry_problem(engine: SafeScriptEngine, input_expression: str, text: str) -> tuple[str, bool] | None:
    """Check an input entry the way SpiffWorkflow's DMN engine evaluates it with the Werkpad
    script engine: '-' matches anything; with '?' it is an expression over the input; else it
    is tried as a value (input == value) and otherwise as the tail of a comparison (input < 30).
    Returns why it is wrong and whether that is a refusal (the checker refuses it or cannot
    read it) rather than a finding (a list written with commas)."""
    found = _entry_reason(engine, input_expression, text)
    if found is None:
        return None
    return found, found.template != _COMMA_LIST.template


_COMMA_LIST = Msg("%(invoer)s is een lijst met komma's; de engine vergelijkt de invoer dan met die hele lijst "
                  "en dat is nooit waar. Schrijf '? in (%(tekst)s)'")
_ENTRY_REFUSED = Msg("%(invoer)s wordt geweigerd: %(reden)s")


def _entry_reason(engine: SafeScriptEngine, input_expression: str, text: str) -> Msg | None:
    if text in ("", "-"):
        return None
    if "?" in text:
        full = _QUESTION_MARK.sub("dmninputexpr", text)
    else:
        try:
            engine.validate(text)
            tree = _parsed(text)
            if isinstance(tree, ast.Tuple):
                return Msg(_COMMA_LIST.template, invoer=repr(text), tekst=text)
            full = f"({input_expression}) == ({text})"
        except SyntaxError:
            try:
                engine.validate(f"v {text}")
            except SyntaxError:
                return Msg("%(invoer)s wordt niet begrepen. Bereiken als '[30..80]' en FEEL-notatie kent de engine "
                           "niet: schrijf een vergelijking ('< 30', '>= 80'), een waarde ('\"a\"') of een expressie "
                           "met ? ('? >= 30 and ? <= 80', '? in (\"a\", \"b\")')", invoer=repr(text))
            except ExpressionError as exc:
                return Msg(_ENTRY_REFUSED.template, invoer=repr(text), reden=reason(exc.message))
            full = input_expression + text
        except ExpressionError as exc:
            return Msg(_ENTRY_REFUSED.template, invoer=repr(text), reden=reason(exc.message))
    try:
        check(full, "eval")
    except ExpressionError as exc:
        return Msg(_ENTRY_REFUSED.template, invoer=repr(text), reden=reason(exc.message))
    return None


def _dmn_entry_problems(index: _Index) -> list[Problem]:
    """Input expressions, input entries and output entries of every decision table: those the
    safe-expression checker refuses (marked ``refusal``) and columns without an expression
    or lists written with commas (findings)."""
    problems: list[Problem] = []
    engine = SafeScriptEngine()
    for file, root in index.dmn():
        for table in _dmn_nodes(root, "decisionTable"):
            decision = table.getparent()
            inputs = [_text(i.find(f"{{{DMN_NS}}}inputExpression/{{{DMN_NS}}}text"))
                      for i in table.findall(f"{{{DMN_NS}}}input")]
            for column, (node, expression) in enumerate(zip(table.findall(f"{{{DMN_NS}}}input"), inputs,
                                                            strict=True)):
                if not expression:
                    problems.append(Problem(Msg("beslistabel %(beslissing)s: invoerkolom %(kolom)s heeft geen "
                                                "invoerexpressie", beslissing=label(decision), kolom=label(node)),
                                            node.get("id"), file))
                    continue
                try:
                    check(expression, "eval")
                except ExpressionError as exc:
                    inputs[column] = ""  # its entries cannot be judged
                    problems.append(Problem(Msg("beslistabel %(beslissing)s: invoerexpressie %(expressie)s van "
                                                "%(kolom)s wordt geweigerd: %(reden)s", beslissing=label(decision),
                                                expressie=_short(expression), kolom=label(node),
                                                reden=reason(exc.message)), node.get("id"), file, refusal=True))
            for number, rule in enumerate(table.findall(f"{{{DMN_NS}}}rule"), start=1):
                for column, entry in enumerate(rule.findall(f"{{{DMN_NS}}}inputEntry")):
                    if column >= len(inputs) or not inputs[column]:
                        continue
                    found = _entry_problem(engine, inputs[column], _text(entry.find(f"{{{DMN_NS}}}text")))
                    if found:
                        why, refused = found
                        problems.append(Problem(Msg("beslistabel %(beslissing)s, regel %(regel)s, kolom %(kolom)s: "
                                                    "%(reden)s", beslissing=label(decision), regel=number,
                                                    kolom=column + 1, reden=why),
                                                entry.get("id") or rule.get("id"), file, refusal=refused))
                for entry in rule.findall(f"{{{DMN_NS}}}outputEntry"):
                    text = _text(entry.find(f"{{{DMN_NS}}}text"))
                    if text:
                        try:
                            check(text, "eval")
                        except ExpressionError as exc:
                            problems.append(Problem(Msg(
                                "beslistabel %(beslissing)s, regel %(regel)s: uitvoer %(expressie)s wordt geweigerd: "
                                "%(reden)s", beslissing=label(decision), regel=number, expressie=_short(text),
                                reden=reason(exc.message)), entry.get("id") or rule.get("id"), file, refusal=True))
    return problems


def _tables(bundle: Bundle) -> dict[str, Any]:
    spec, subs = bundle.specs()
    found = {}
    for each in [spec, *subs.values()]:
        for ts in each.task_specs.values():
            dmn = getattr(ts, "dmnEngine", None)
            if dmn is not None:
                found[dmn.decision_table.id] = dmn
    return found


def _literals(text: str) -> list[Any]:
    for candidate in (text.replace("?", "dmninputexpr"), "v " + text):
        tree = _parsed(candidate)
        if tree is not None:
            return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                    and isinstance(n.value, bool | int | float | str)]
    return []


def _domain(expression: str, type_ref: str | None, vocabulary: dict[str, Any], texts: list[str]) -> list[Any] | None:
    """Values to try for one input column: its choices, or the numbers its rules mention and
    their neighbours (within the vocabulary's minimum/maximum). None: no numeric or known domain."""
    prop = vocabulary.get(expression, {}) if expression.isidentifier() else {}
    if prop.get("type") == "boolean" or type_ref == "boolean":
        return [True, False]
    if prop.get("enum"):
        return list(prop["enum"])
    lo, hi = prop.get("minimum"), prop.get("maximum")
    numbers: set[Any] = set()
    for text in texts:
        for value in _literals(text):
            if isinstance(value, int | float) and not isinstance(value, bool):
                step = 1 if isinstance(value, int) else 0.5
                numbers.update({value - step, value, value + step})
    if not numbers and not (type_ref in ("integer", "number", "long", "double") and lo is not None):
        return None
    if isinstance(lo, int | float):
        numbers.add(lo)
    if isinstance(hi, int | float):
        numbers.add(hi)
    return sorted(n for n in numbers if (lo is None or n >= lo) and (hi is None or n <= hi))


def _coverage_problems(bundle: Bundle, index: _Index) -> list[Problem]:
    """UNIQUE tables with numeric (or boolean/choice) inputs: every sampled combination of input
    values must match exactly one rule, evaluated by Spiff's DMN engine as at run time."""
    problems: list[Problem] = []
    try:
        vocab_doc = json.loads(bundle.vocabulary or "{}")
    except ValueError:
        vocab_doc = {}
    vocabulary = vocab_doc.get("velden", vocab_doc) if isinstance(vocab_doc, dict) else {}
    script_engine = SafeScriptEngine()
    for table_id, dmn in sorted(_tables(bundle).items()):
        table = dmn.decision_table
        if (table.hit_policy or "UNIQUE").upper() != "UNIQUE":
            continue
        domains = []
        for column, given in enumerate(table.inputs):
            texts = [" ".join(str(x) for x in r.inputEntries[column].lhs if x) for r in table.rules
                     if column < len(r.inputEntries)]
            domains.append(_domain(given.expression.strip(), given.typeRef, vocabulary, texts))
        if any(d is None for d in domains) or not domains:
            continue
        total = 1
        for d in domains:
            total *= max(len(d or []), 1)
        if total > MAX_COMBINATIONS:
            continue
        columns = [f"dmn_invoer_{i}" for i in range(len(domains))]
        names = [i.expression.strip() for i in table.inputs]
        file = index.file_of(table_id)
        decision = _decision_of(index, table_id)
        for combination in itertools.product(*[d or [] for d in domains]):
            task = SimpleNamespace(data=dict(zip(columns, combination, strict=True)),
                                   workflow=SimpleNamespace(script_engine=script_engine))
            shown = ", ".join(f"{n} = {v!r}" for n, v in zip(names, combination, strict=True))
            try:
                hits = [r for r in table.rules
                        if all(dmn.evaluate(columns[i], lhs, task)
                               for i, entry in enumerate(r.inputEntries) for lhs in entry.lhs if lhs)]
            except Exception as exc:  # noqa: BLE001 - reported with the input that caused it
                problems.append(Problem(Msg("beslistabel %(beslissing)s: fout bij invoer %(invoer)s: %(fout)s",
                                            beslissing=decision, invoer=shown, fout=str(exc)), table_id, file))
                break
            if len(hits) == 0:
                problems.append(Problem(Msg("beslistabel %(beslissing)s (UNIQUE): invoer %(invoer)s raakt geen "
                                            "enkele regel (gat in de tabel)", beslissing=decision, invoer=shown),
                                        table_id, file))
                break
            if len(hits) > 1:
                earlier = [Msg("regel %(nummer)s", nummer=r.row_number) for r in hits[:-1]]
                rows = Msg("%(eerdere)s en regel %(laatste)s", eerdere=joined(earlier, ", "),
                           laatste=hits[-1].row_number)
                problems.append(Problem(Msg("beslistabel %(beslissing)s (UNIQUE): invoer %(invoer)s raakt %(aantal)s "
                                            "regels (%(regels)s); er mag er precies één raken (overlap)",
                                            beslissing=decision, invoer=shown, aantal=len(hits), regels=rows),
                                        hits[1].id or table_id, file))
                break
    return problems


def _decision_of(index: _Index, table_id: str) -> str:
    for _file, root in index.dmn():
        for table in _dmn_nodes(root, "decisionTable"):
            if table.get("id") == table_id:
                parent = table.getparent()
                return label(parent) if parent is not None else f"({table_id})"
    return f"({table_id})"

