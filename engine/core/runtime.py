"""The SpiffWorkflow wrapper: parse, run, observe, compact and serialise a case.

This module knows SpiffWorkflow and nothing of databases or Flask. It fixes the
engine traps listed in DOMAIN.md:

* timers read the time from :mod:`engine.core.clock`, fire when due (``<=``), add
  months and years on the calendar in Amsterdam time, and cycles (``R/P3M``)
  follow calendar quarters instead of a frozen number of seconds;
* expressions run in :class:`engine.core.expressions.SafeScriptEngine`, never in
  ``eval``/``exec``;
* a task is only run when it is READY and a user task;
* completed history is pruned from the task tree after every step (the audit
  trail keeps the history), so a loop can run ten thousand times and a save
  costs the same at step 10 and step 4,000;
* a workflow counts as completed only when its End task ran, never because the
  task iterator stopped at depth 1000;
* the serialised state leaves out the process spec (it belongs to the
  definition version) and refuses data that is not JSON-safe.
"""
from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from ..errors import Conflict, DefinitionError, EngineError, NotFound, ValidationError
from . import clock, decisions, parser_words, spiff
from .expressions import SafeScriptEngine, gelijkgestelde_dagen
from .kalender import parse_duur, plus_duur, schaal_duur
from .messages import Msg
from .versions import KNOWN_STATE_FORMATS as KNOWN_STATE_FORMATS
from .versions import STATE_FORMAT as STATE_FORMAT
from .versions import engine_versions as engine_versions
from .xml import BPMN_NS, parse_definition

PHASES = ("poort", "inspanningsperiode", "diagnose", "traject", "nazorg")
WITHDRAWAL_MESSAGE = "aanvraag_ingetrokken"
# SpiffWorkflow's timer classes by the names Werkpad shows
TIMER_KINDS = {"ClockTimeDate": "datum", "ClockDuration": "duur", "ClockCycle": "cyclus"}


# --------------------------------------------------------------------------- timers
def _local_plus(moment: datetime, duration: str, times: int = 1) -> datetime:
    """Calendar addition in Amsterdam time, result in UTC."""
    local = moment.astimezone(clock.AMSTERDAM)
    if times == 0:
        return moment.astimezone(UTC)
    scaled = schaal_duur(duration, times)
    return plus_duur(local.replace(tzinfo=None), scaled).replace(tzinfo=clock.AMSTERDAM).astimezone(UTC)


MAX_TIMER_YEARS = 100


def check_timer_duration(duration: Any) -> str:
    """A timer's duration must be a positive ISO duration of at most a century: a zero
    cycle would fire forever, a negative or absurd one is a typing error."""
    if not isinstance(duration, str):
        raise ValueError(f"een timerduur is tekst zoals \"P28D\", geen {type(duration).__name__} ({duration!r})")
    text = duration.strip().upper()
    try:
        years, months, weeks, days, hours, minutes, seconds = parse_duur(text)
    except ValueError:
        raise ValueError(f"ongeldige timerduur {duration!r} (verwacht bijvoorbeeld \"P28D\", \"P3M\" of "
                         "\"PT2H\")") from None
    total_days = years * 366 + months * 31 + weeks * 7 + days + (hours * 3600 + minutes * 60 + seconds) / 86400
    if total_days <= 0:
        raise ValueError(f"timerduur {duration!r} is nul: de timer zou meteen en steeds opnieuw afgaan")
    if total_days > MAX_TIMER_YEARS * 366:
        raise ValueError(f"timerduur {duration!r} is langer dan {MAX_TIMER_YEARS} jaar")
    return text


def check_timer_value(kind: str, value: Any) -> None:
    """Check what a timer expression gave: a duration, a cycle ``R[n]/[start/]duration`` or a moment."""
    if kind == "duur":
        check_timer_duration(value)
    elif kind == "cyclus":
        if not isinstance(value, str):
            raise ValueError(f"een cyclus is tekst zoals \"R/P3M\", geen {type(value).__name__} ({value!r})")
        parts = value.strip().split("/")
        if len(parts) not in (2, 3) or not parts[0].upper().startswith("R") or not (
                parts[0][1:] == "" or parts[0][1:].isdigit()):
            raise ValueError(f"ongeldige cyclus {value!r} (verwacht bijvoorbeeld R/P3M of R4/2026-01-01/P1M)")
        check_timer_duration(parts[-1])
        if len(parts) == 3:
            clock.moment(parts[1])
    elif kind == "datum":
        clock.moment(value)


_FIRED: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("werkpad_fired", default=None)
# who decides on places (capacity) while the current case takes a step: the app's ledger live,
# the recorded decisions in replay; see CaseRuntime.places
_PLACES: contextvars.ContextVar[Any] = contextvars.ContextVar("werkpad_places", default=None)


def _ask_place(instrument: Any, vanaf: Any = None, partij: Any = None) -> dict[str, Any]:
    """Script function ``plaats_aanvragen("wep")``: a place on the instrument, or the waiting list.

    The answer is a dict (``toegekend``, and ``wachtlijst`` or ``periode``/``vanaf`` for places per
    week or year; ``batch``/``nieuwe_batch`` for places bought in batches, counted per ``partij``);
    the engine records it in the command's event, so replay gets the same answer."""
    if not isinstance(instrument, str) or not instrument:
        raise ValidationError(Msg("plaats_aanvragen verwacht de naam van een instrument"))
    ledger = _PLACES.get()
    if ledger is None:
        raise ValidationError(Msg("plaats_aanvragen kan hier niet worden gebruikt (geen plaatsenbeheer)"))
    if partij is None:  # the two-argument form, as recorded ledgers and older versions know it
        return dict(ledger(instrument, None if vanaf is None else str(vanaf)))
    return dict(ledger(instrument, None if vanaf is None else str(vanaf), str(partij)))


def _note_fired(my_task: Any, definition: Any, due: str, kind: str) -> None:
    """Remember a timer that fires during the current command (see CaseRuntime.fired)."""
    log = _FIRED.get()
    if log is not None:
        spec = my_task.task_spec
        log.append(TimerInfo(str(my_task.id), spec.bpmn_id or spec.name, spec.bpmn_name or definition.name, kind,
                             datetime.fromisoformat(due)))


class ClockTimeDate(TimeDateEventDefinition):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """A timer at a fixed moment; the expression may compute it from case data."""

    def has_fired(self, my_task: Any) -> bool:
        value = spiff.internal(my_task, "event_value")
        if value is None:
            value = clock.moment(my_task.workflow.script_engine.evaluate(my_task, self.expression)).isoformat()
            spiff.set_internal(my_task, event_value=value)
        if datetime.fromisoformat(value) <= clock.now() and not spiff.internal(my_task, "event_fired"):
            spiff.set_internal(my_task, event_fired=True)
            _note_fired(my_task, self, value, "datum")
        fired: bool = spiff.internal(my_task, "event_fired", False)
        return fired


class ClockDuration(DurationTimerEventDefinition):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """A timer a duration (``P28D``, ``P3M``) after the moment it starts waiting."""

    def has_fired(self, my_task: Any) -> bool:
        value = spiff.internal(my_task, "event_value")
        if value is None:
            duration = check_timer_duration(my_task.workflow.script_engine.evaluate(my_task, self.expression))
            value = _local_plus(clock.now(), duration).isoformat()
            spiff.set_internal(my_task, event_value=value)
        if datetime.fromisoformat(value) <= clock.now() and not spiff.internal(my_task, "event_fired"):
            spiff.set_internal(my_task, event_fired=True)
            _note_fired(my_task, self, value, "duur")
        fired: bool = spiff.internal(my_task, "event_fired", False)
        return fired


class ClockCycle(CycleTimerEventDefinition):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """``R[n]/[start/]duration``: every occurrence is computed from the anchor on
    the calendar, so ``R/P3M`` from 31 January falls on 30 April, 31 July, ..."""

    def cycle_complete(self, my_task: Any) -> bool:
        value = spiff.internal(my_task, "event_value")
        if value is None:
            value = self._start(my_task)
        ready = False
        if value["cycles"] != 0:
            if datetime.fromisoformat(value["next"]) <= clock.now():
                _note_fired(my_task, self, value["next"], "cyclus")
                value["index"] += 1
                value["cycles"] -= 1
                value["next"] = self._occurrence(value).isoformat()
                ready = True
        else:
            my_task.internal_data["event_fired"] = True
        spiff.set_internal(my_task, event_value=value)
        return ready

    @staticmethod
    def _occurrence(value: dict[str, Any]) -> datetime:
        offset = 1 if value["from_now"] else 0
        return _local_plus(datetime.fromisoformat(value["anchor"]), value["duration"], value["index"] + offset)

    def _start(self, my_task: Any) -> dict[str, Any]:
        expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        check_timer_value("cyclus", expression)
        expression = expression.strip()
        parts = expression.split("/")
        cycles = int(parts[0][1:]) if parts[0][1:] else -1
        if len(parts) == 2:
            anchor, duration, from_now = clock.now(), parts[1].upper(), True
        else:
            anchor, duration, from_now = clock.moment(parts[1]), parts[2].upper(), False
        value = {"cycles": cycles, "anchor": anchor.isoformat(), "duration": duration, "index": 0,
                 "from_now": from_now}
        value["next"] = self._occurrence(value).isoformat()
        return value


_TIMER_CLASSES = {
    TimeDateEventDefinition: ClockTimeDate,
    DurationTimerEventDefinition: ClockDuration,
    CycleTimerEventDefinition: ClockCycle,
}


def timer_due(task: Any) -> datetime | None:
    """The next due moment of a waiting timer task (None if not yet computed)."""
    value = spiff.internal(task, "event_value")
    if value is None:
        return None
    if isinstance(value, dict):
        return datetime.fromisoformat(value["next"]) if value.get("cycles", 0) != 0 else None
    return datetime.fromisoformat(value)


# --------------------------------------------------------------------------- parsing
def missing_main_process(process_id: str, roots: Mapping[str, Any]) -> Msg:
    """Why a version cannot run when its main process is in none of its BPMN files (``roots``: file
    name -> parsed root): the processes its own files hold (a shared one lies in a folder)."""
    drawn = next(((name, node) for name, root in roots.items() for node in root.iter(f"{{{BPMN_NS}}}process")
                  if node.get("id") == process_id), None)
    if drawn is not None:  # there, but marked as not to be run (SpiffWorkflow then skips it)
        return Msg(parser_words.NOT_EXECUTABLE.template, bestand=drawn[0],
                   proces=parser_words.element_label(drawn[1].get("name"), process_id))
    own = [node.get("id") or "?" for name, root in roots.items() if "/" not in name
           for node in root.iter(f"{{{BPMN_NS}}}process")]
    return Msg("het hoofdproces %(proces)s staat in geen van de BPMN-bestanden (gevonden: %(gevonden)s); geef het "
               "proces in de modeler dat kenmerk, of vervang het bestand van het proces door een met dit proces",
               proces=process_id, gevonden=", ".join(sorted(own)) or "—")


def parse_specs(files: Mapping[str, str], process_id: str) -> Any:
    """Parse BPMN and DMN texts into (spec, subprocess_specs) with Werkpad's timers."""
    parser = SpiffBpmnParser()
    non_interrupting: set[str] = set()  # Spiff 3.2.0 ignores isInterrupting on event subprocess starts
    decision_names: dict[str, str] = {}  # decision table id -> the decision's name (for the audit trail)
    bpmn_roots: dict[str, Any] = {}
    try:
        for name, text in sorted(files.items()):
            if name.endswith(".bpmn"):
                root = bpmn_roots[name] = parse_definition(name, text)
                non_interrupting |= {node.get("id") for node in root.iter(f"{{{BPMN_NS}}}startEvent")
                                     if node.get("isInterrupting") == "false"}
                parser.add_bpmn_xml(root, filename=name)
            elif name.endswith(".dmn"):
                root = parse_definition(name, text)
                for note in [*root.iter("{*}annotation"), *root.iter("{*}annotationEntry")]:
                    if note.getparent() is not None and note.getparent().tag.endswith(("}decisionTable", "}rule")):
                        note.getparent().remove(note)  # a table's notes column: for people, unknown to Spiff's reader
                for table in root.iter("{*}decisionTable"):
                    decision_names[table.get("id")] = table.getparent().get("name") or ""
                parser.add_dmn_xml(root, filename=name)
        if process_id not in parser.get_process_ids():
            raise DefinitionError(missing_main_process(process_id, bpmn_roots))
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DefinitionError(parser_words.in_words(exc), element=getattr(exc, "id", None) or None,
                              file=getattr(exc, "file_name", None) or None) from exc
    except (SpiffWorkflowException, KeyError, AttributeError, TypeError, ValueError) as exc:
        raise DefinitionError(Msg("BPMN kan niet worden verwerkt: %(fout)s", fout=str(exc))) from exc
    for each in [spec, *subprocess_specs.values()]:
        _adopt_definitions(each)
        for task_spec in each.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) in non_interrupting:
                task_spec.interrupting = False
            decisions.adopt(task_spec, decision_names)
    return spec, subprocess_specs


def _adopt_definitions(spec: Any) -> None:
    """Swap Spiff's timer definitions for clock-aware ones; let message payloads
    land under the message name; wire event subprocesses once, at parse time.

    Spiff 3.2.0 wires a message-started event subprocess into the (shared) spec
    the first time it is triggered, which changes how every later case on that
    spec starts. Doing the same wiring here, minus the start's outputs, keeps
    specs immutable while cases run."""
    start = getattr(spec, "start", None)
    for name in getattr(start, "trigger_specs", []):
        ts = spec.task_specs.get(name)
        if ts is not None and start is not None and start not in ts.inputs:
            spiff.add_input(ts, start.name)
            ts.connect(spec.end)
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if definition is None:
            continue
        replacement = _TIMER_CLASSES.get(type(definition))
        if replacement is not None:
            task_spec.event_definition = replacement(
                definition.name, definition.expression, description=definition.description
            )
        elif isinstance(definition, MessageEventDefinition) and definition.message_var is None:
            definition.message_var = definition.name


def properties(task_spec: Any) -> dict[str, Any]:
    return dict(getattr(task_spec, "extensions", {}).get("properties", {}) or {})


# --------------------------------------------------------------------------- serialisation
_IDS: dict[str, UUID] = {}  # the ids read during the current restore (see _task_id)


def _task_id(text: str) -> UUID:
    """A task id from its stored text. A stored tree names each id about four times (its key,
    the task, its parent's children, its children's parent); each text is parsed once per
    restore, which was a fifth of restoring a case. Any text ``UUID`` refuses is refused."""
    found = _IDS.get(text)
    if found is None:
        found = _IDS[text] = UUID(text)
    return found


_NAMES: dict[Any, str] = {}  # the ids written during the current serialization (see _id_text)


def _id_text(task_id: Any) -> str:
    """``str(task_id)``, once per id per serialization (the same four places as in _task_id)."""
    text = _NAMES.get(task_id)
    if text is None:
        text = _NAMES[task_id] = str(task_id)
    return text


class _TaskConverter(TaskConverter):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """Spiff's task converter (SpiffWorkflow 3.2.0), reading the ids with :func:`_task_id`
    and an empty internal data without a walk; otherwise the same steps in the same order
    (tests/integration/test_state_converter.py compares both on every organisation's cases)."""

    def to_dict(self, task: Any) -> dict[str, Any]:
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            data, delta = {}, {"updates": DeepMerge.get_updated_keys(parent.data, task.data),
                               "deletions": DeepMerge.get_deleted_keys(parent.data, task.data)}
        return {
            "id": _id_text(task.id),
            "parent": _id_text(spiff.parent_id(task)) if parent is not None else None,
            "children": [_id_text(child) for child in spiff.child_ids(task)],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Any:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_task_id(dct["id"]))
        parent = dct["parent"]
        spiff.set_parent(task, _task_id(parent) if parent is not None else None)
        spiff.set_child_ids(task, [_task_id(child) for child in dct["children"]])
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        internal_data = dct["internal_data"]
        task.internal_data = self.registry.restore(internal_data) if internal_data else {}
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            workflow.top_workflow.event_manager.add_task(task)
        delta, parent_task = dct.get("delta"), task.parent
        if delta and parent_task is not None:
            data = DeepMerge.merge({}, parent_task.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


class _StateConverter(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """Top-level converter without the spec: the spec belongs to the version."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        _NAMES.clear()  # a cache for one serialization (another thread clearing it only costs a str())
        try:
            dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
            dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
            dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        finally:
            _NAMES.clear()
        return dct

    def mapping_to_dict(self, mapping: Any, **kwargs: Any) -> dict[str, Any]:
        return {_id_text(k): self.registry.convert(v, **kwargs) for k, v in mapping.items()}

    def restore(self, dct: Any, spec: Any, subprocess_specs: Any, script_engine: Any) -> Any:
        _IDS.clear()  # a cache for one restore (another thread clearing it only costs a parse)
        try:
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
            workflow.tasks = self.mapping_from_dict(dct["tasks"], _task_id, workflow=workflow)
            workflow.task_tree = workflow.tasks.get(_task_id(dct["root"]))
            self.set_default_attributes(workflow, dct)
            self.subprocesses_from_dict(dct["subprocesses"], workflow)
            workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        finally:
            _IDS.clear()
        return workflow


def _make_registry(task_converter: Any = _TaskConverter) -> Any:
    """The serializer registry and state converter (``task_converter``: Spiff's own to compare)."""
    config = dict(SPIFF_CONFIG)
    config[Task] = task_converter
    for cls in (ClockTimeDate, ClockDuration, ClockCycle):
        config[cls] = config.get(TimeDateEventDefinition, EventDefinitionConverter)
    registry = BpmnWorkflowSerializer.configure(config)
    converter = _StateConverter(BpmnWorkflow, registry)
    return registry, converter


_REGISTRY, _CONVERTER = _make_registry()


MAX_DATA_DEPTH = 32  # nesting of lists/objects in case data
MAX_STATE_BYTES = 2 * 1024 * 1024  # a whole case's stored state


def check_json_safe(data: Any, where: str = "data") -> None:
    """Task data is stored as JSON: refuse dates, Decimals, sets and the
    ``typename`` key that would confuse Spiff's restore."""

    def walk(value: Any, path: str, depth: int = 0) -> None:
        if depth > MAX_DATA_DEPTH:
            raise ValidationError(Msg("%(path)s: gegevens dieper genest dan %(MAX_DATA_DEPTH)s niveaus",
                                      path=path, MAX_DATA_DEPTH=MAX_DATA_DEPTH),
                                  fields={path.rsplit('.', 1)[-1]: ["te diep genest"]})
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise ValidationError(Msg("%(path)s: sleutels moeten tekst zijn",
                                              path=path), fields={path: ["ongeldige sleutel"]})
                if k == "typename":
                    raise ValidationError(Msg("%(path)s: de sleutel 'typename' is gereserveerd", path=path),
                                          fields={k: ["gereserveerde naam"]})
                walk(v, f"{path}.{k}", depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]", depth + 1)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValidationError(Msg("%(path)s: tekst met ongeldige tekens", path=path), fields={
                    path.rsplit('.', 1)[-1]: ["De tekst bevat ongeldige tekens."]}) from None
        elif value is None or isinstance(value, bool | int):
            return
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise ValidationError(Msg("%(path)s: geen eindig getal",
                                          path=path), fields={path: ["geen eindig getal"]})
        else:
            raise ValidationError(
                Msg("%(path)s: waarde van type %(soort)s kan niet worden opgeslagen (gebruik tekst, "
                    "getallen, ja/nee, lijsten of objecten; datums als JJJJ-MM-DD)",
                    path=path, soort=type(value).__name__),
                fields={path.rsplit('.', 1)[-1]: ["niet op te slaan waarde"]},
            )

    walk(data, where)


def check_state_format(state: Mapping[str, Any]) -> None:
    """Refuse a stored state in a format this Werkpad does not know (older states without one are format 1)."""
    fmt = state.get("format", 1)
    if fmt not in KNOWN_STATE_FORMATS:
        raise EngineError(f"de opgeslagen toestand heeft formaat {fmt!r}; deze versie van Werkpad leest "
                          f"alleen formaat {', '.join(str(f) for f in KNOWN_STATE_FORMATS)}")


# --------------------------------------------------------------------------- the case runtime
@dataclass
class UserTaskInfo:
    id: str
    spec: str
    name: str
    lane: str | None
    form: str | None
    due: datetime | None
    phase: str | None
    ordinal: int
    data: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class TimerInfo:
    task_id: str
    spec: str
    name: str
    kind: str
    due: datetime | None


@dataclass
class Observation:
    """What a case looks like from outside: the basis of inbox, timers, replay."""

    status: str
    phase: str | None
    tasks: list[UserTaskInfo]
    timers: list[TimerInfo]
    messages: list[str]
    data: dict[str, Any]
    end_event: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        """A time-independent, id-free summary that replay must reproduce."""
        return {
            "status": self.status,
            "phase": self.phase,
            "tasks": sorted([t.spec, t.ordinal, t.lane] for t in self.tasks),
            "timers": sorted([t.spec, t.due.isoformat() if t.due else None] for t in self.timers),
            "messages": sorted(self.messages),
            "data": self.data,
        }


class CaseRuntime:
    """One case's live workflow. Create with :meth:`start` or :meth:`restore`."""

    def __init__(self, workflow: BpmnWorkflow, phase: str | None, status: str | None = None,
                 end_event: str | None = None) -> None:
        self.workflow = workflow
        self.phase = phase
        self._status = status
        self.end_event = end_event
        self.fired: list[TimerInfo] = []  # timers that fired since this object was made
        self.decisions: list[dict[str, Any]] = []  # decision tables evaluated since (see engine.core.decisions)
        self.interrupting: str | None = None  # an interrupting event subprocess that is still running
        # answers plaats_aanvragen(instrument, vanaf) -> dict; set by whoever runs the case
        self.places: Any = None

    # -- construction
    @staticmethod
    def script_engine() -> SafeScriptEngine:
        return SafeScriptEngine(extra_functions={
            "nu": lambda: clock.now().isoformat(),
            "vandaag": lambda: clock.local_date().isoformat(),
            "plaats_aanvragen": _ask_place,
        })

    @classmethod
    def start(cls, spec: Any, subprocess_specs: Any, data: Mapping[str, Any], places: Any = None) -> CaseRuntime:
        check_json_safe(dict(data))
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=cls.script_engine())
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(json.loads(json.dumps(dict(data))))
        runtime = cls(workflow, phase=None)
        runtime.places = places
        runtime._advance()
        return runtime

    @classmethod
    def restore(cls, state: Mapping[str, Any], spec: Any, subprocess_specs: Any, copy: bool = True) -> CaseRuntime:
        """The case from its stored state. Restoring takes the workflow's dict apart, so it works on a
        copy unless ``copy=False`` says the caller's state was just read for this and is not used again."""
        check_state_format(state)
        workflow_state = state["workflow"]
        if isinstance(workflow_state, str):
            dct = json.loads(workflow_state)
        else:
            dct = json.loads(json.dumps(workflow_state)) if copy else workflow_state
        workflow = _CONVERTER.restore(dct, spec, subprocess_specs, cls.script_engine())
        runtime = cls(workflow, phase=state.get("phase"), status=state.get("status"),
                      end_event=state.get("end_event"))
        runtime.interrupting = state.get("interrupting")
        return runtime

    def migrate(self, spec: Any, subprocess_specs: Any) -> CaseRuntime:
        """The same case on another version of its process.

        The task tree is kept and re-bound to the new spec by task name, so a
        waiting timer keeps its due time (Spiff's own migration resets ready and
        waiting tasks and would restart a four-week timer). Predicted tasks are
        re-predicted from the new spec. Refused when the new version lacks a
        step the case is at."""
        state = self.serialize()
        missing = sorted({t.task_spec.name for t in self._all_tasks()
                          if not t.has_state(TaskState.PREDICTED_MASK)
                          and t.task_spec.name not in _all_names(spec, subprocess_specs, t)})
        if missing:
            raise Conflict(Msg("de nieuwe versie mist stappen waar de zaak nu staat: %(stappen)s",
                               stappen=", ".join(missing)))
        pruned = _drop_predicted(state["workflow"])
        try:
            migrated = CaseRuntime.restore({**state, "workflow": pruned}, spec, subprocess_specs)
        except (KeyError, AttributeError, SpiffWorkflowException) as exc:
            raise Conflict(Msg("de zaak past niet op de nieuwe versie: %(exc)s", exc=exc)) from exc
        migrated._run(spiff.predictor(migrated.workflow))
        for sp in migrated.workflow.subprocesses.values():
            migrated._run(spiff.predictor(sp))
        migrated._update_phase()
        return migrated

    def mark_in_error(self) -> None:
        """The case stands in error (an engine_error event, replayed)."""
        self._status = "error"

    def clear_error(self) -> None:
        """The case is back at work after an error (retried or replayed)."""
        self._status = None

    def serialize(self, tasks: list[Any] | None = None) -> dict[str, Any]:
        """The stored state; ``tasks``: the case's tasks as :meth:`walk` gave them just before
        (nothing ran since), so they are not walked again."""
        # what scripts put in task data is stored too: refuse what could not be read back
        for task in tasks if tasks is not None else self._all_tasks():
            check_json_safe(task.data, where=f"gegevens van '{task.task_spec.bpmn_name or task.task_spec.name}'")
        check_json_safe(self.workflow.data, where="gegevens van de zaak")
        with spiff.encoder_mode(_REGISTRY):
            wf = _CONVERTER.to_dict(self.workflow)
        state = {"format": STATE_FORMAT, "phase": self.phase, "status": self._status,
                 "end_event": self.end_event, "workflow": wf}
        if self.interrupting:
            state["interrupting"] = self.interrupting
        return state

    # -- commands
    def complete_user_task(self, task_id: str, data: Mapping[str, Any]) -> UserTaskInfo:
        task = self._ready_user_task(task_id)
        info = self._task_info(task, 0)
        check_json_safe(dict(data))
        task.data.update(json.loads(json.dumps(dict(data))))
        self._run(task.run)
        self._advance()
        return info

    def fire_timers(self) -> list[TimerInfo]:
        """Fire every timer due at the clock's current moment; return those that fired."""
        due = [t for t in self.waiting_timers() if t.due is not None and t.due <= clock.now()]
        if not due:
            return []
        start = len(self.fired)
        self._advance()
        return self.fired[start:] or due

    def deliver_message(self, name: str, payload: Mapping[str, Any]) -> bool:
        """Hand a message to a waiting catch event or a message-started event
        subprocess; False when nothing in the case catches it."""
        check_json_safe(dict(payload))
        catcher = self._message_catchers().get(name)
        if catcher is None:
            return False
        definition, interrupting = catcher
        main_flow = [t for t in self.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)]
        existing = set(self.workflow.subprocesses)
        event = BpmnEvent(definition, payload=json.loads(json.dumps(dict(payload))))
        self._run(lambda: self.workflow.send_event(event))
        if interrupting:
            self._interrupt(main_flow, existing)
        self._advance()
        return True

    def _interrupt(self, main_flow: list[Any], existing_subprocesses: set[Any]) -> None:
        """Spiff 3.2.0 runs an interrupting event subprocess beside the main flow;
        BPMN says it replaces it. Cancel what was running before it started and
        end the case through the event subprocess's own end event."""
        self._run(self.workflow.do_engine_steps)
        for task in main_flow:
            if not task.has_state(TaskState.FINISHED_MASK):
                self._run(task.cancel)
        new = [key for key in self.workflow.subprocesses if key not in existing_subprocesses]
        if new:
            self.interrupting = str(new[0])
            self._finish_interruption()

    def _finish_interruption(self) -> None:
        """When the interrupting event subprocess has ended (now or after its own user
        tasks), the case ends through its end event."""
        if not self.interrupting:
            return
        sp = self.workflow.subprocesses.get(UUID(self.interrupting))
        if sp is not None and not sp.completed:
            return
        ends = [t for t in (sp.get_tasks(state=TaskState.COMPLETED) if sp is not None else [])
                if isinstance(t.task_spec, EndEvent)]
        if ends:
            end = ends[-1]
            self.end_event = end.task_spec.bpmn_id or end.task_spec.name
            self._status = properties(end.task_spec).get("status") or "completed"
        else:
            self._status = "completed"
        self.interrupting = None
        self._run(self.workflow.cancel)

    def _waiting_for_messages(self) -> Iterator[Any]:
        """The catch events (and receive tasks) that wait for a message right now."""
        for task in self.workflow.event_manager.tasks.values():
            if isinstance(task.task_spec.event_definition, MessageEventDefinition) and task.has_state(TaskState.WAITING):
                yield task

    def _message_catchers(self) -> dict[str, tuple[Any, bool]]:
        """Message name -> (event definition, whether catching it interrupts the main flow).

        A waiting catch event comes first; otherwise a message-started event subprocess,
        interrupting unless its start event says otherwise."""
        found: dict[str, tuple[Any, bool]] = {}
        for task in self._waiting_for_messages():
            definition = task.task_spec.event_definition
            found.setdefault(definition.name, (definition, False))
        if not self.workflow.completed:
            for spec_name in getattr(self.workflow.spec.start, "trigger_specs", []):
                sp_spec = self.workflow.subprocess_specs.get(spec_name)
                for start in getattr(sp_spec, "bpmn_start_events", []):
                    definition = getattr(start, "event_definition", None)
                    if isinstance(definition, MessageEventDefinition):
                        found.setdefault(definition.name, (definition, getattr(start, "interrupting", True) is not False))
        return found

    def withdraw(self) -> None:
        """End the case from any phase (aanvraag ingetrokken)."""
        self._run(self.workflow.cancel)
        self._status = "withdrawn"

    # -- observation
    @property
    def status(self) -> str:
        return self._status_of(None)

    def _status_of(self, tasks: list[Any] | None) -> str:
        if self._status in ("withdrawn", "error", "completed"):
            return self._status
        if self.workflow.completed:
            return self._status or "completed"
        if self.ready_user_tasks(tasks):
            return "running"
        return "waiting"

    def ready_user_tasks(self, tasks: list[Any] | None = None) -> list[Any]:
        """``tasks``: the case's tasks from one :meth:`walk` (walked here when not given)."""
        return [t for t in (tasks if tasks is not None else self._all_tasks())
                if t.has_state(TaskState.READY) and t.task_spec.manual]

    def user_tasks(self, tasks: list[Any] | None = None) -> list[UserTaskInfo]:
        counts: dict[str, int] = {}
        out = []
        for task in self.ready_user_tasks(tasks):
            n = counts.get(task.task_spec.name, 0)
            counts[task.task_spec.name] = n + 1
            out.append(self._task_info(task, n))
        return out

    def waiting_timers(self, tasks: list[Any] | None = None) -> list[TimerInfo]:
        out = []
        for task in tasks if tasks is not None else self._all_tasks():
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and task.has_state(TaskState.WAITING):
                kind = TIMER_KINDS.get(
                    type(definition).__name__, "timer")
                due = timer_due(task)
                if due is None and kind == "cyclus":
                    continue
                out.append(TimerInfo(str(task.id), task.task_spec.bpmn_id or task.task_spec.name,
                                     task.task_spec.bpmn_name or definition.name, kind, due))
        return out

    def waiting_message_places(self) -> list[str]:
        """The elements (BPMN ids) that wait for a message right now: where the case stands when one
        message name can be caught at several places."""
        return sorted({task.task_spec.bpmn_id for task in self._waiting_for_messages() if task.task_spec.bpmn_id})

    def waiting_messages(self, status: str | None = None) -> list[str]:
        status = status if status is not None else self.status
        return sorted(self._message_catchers()) if status not in ("completed", "withdrawn") else []

    def walk(self) -> list[Any]:
        """Every task of the case once, in Spiff's depth-first order. A step's observation and
        its stored state share one walk: pass it to :meth:`observe` and :meth:`serialize`."""
        return self._all_tasks()

    def observe(self, tasks: list[Any] | None = None) -> Observation:
        """The case as seen from outside, from one walk over its tasks (``tasks``, or walked here)."""
        tasks = tasks if tasks is not None else self._all_tasks()
        ready = self.ready_user_tasks(tasks)
        status = self._status_of(ready)
        return Observation(status, self.phase, self.user_tasks(ready), self.waiting_timers(tasks),
                           self.waiting_messages(status), self.data(tasks), self.end_event)

    def data(self, tasks: list[Any] | None = None) -> dict[str, Any]:
        """The case data: the workflow's data once completed, else the freshest task data."""
        if self.workflow.completed:
            return dict(self.workflow.data)
        # waiting branches first (a branch parked at a join holds e.g. a decision's
        # output), then ready work, whose data is the freshest on shared keys
        tasks = tasks if tasks is not None else self._all_tasks()
        waiting = [t for t in tasks if t.has_state(TaskState.WAITING | TaskState.STARTED)]
        ready = [t for t in tasks if t.has_state(TaskState.READY)]
        candidates = waiting + ready
        merged: dict[str, Any] = {}
        for task in candidates:
            merged.update(task.data)
        if not candidates and self.workflow.last_task is not None:
            merged.update(self.workflow.last_task.data)
        return merged

    def find_user_task(self, spec: str, ordinal: int) -> Any:
        matching = [t for t in self.ready_user_tasks() if t.task_spec.name == spec]
        if ordinal >= len(matching):
            raise Conflict(Msg("taak '%(spec)s' is niet gereed", spec=spec))
        return str(matching[ordinal].id)

    # -- internals
    def _all_tasks(self) -> list[Any]:
        """Every task of the case once, in the order of Spiff's ``workflow.get_tasks()`` (depth
        first, a subprocess's tree before the children of the task that runs it), then the tasks
        of subprocesses that walk did not reach. The same order as Spiff's iterator (the order
        matters: ordinals and the merged case data follow it), walked without its per-task
        filter and depth bookkeeping."""
        subprocesses = self.workflow.subprocesses
        tasks = _depth_first(self.workflow.task_tree, subprocesses)
        if subprocesses:
            seen = {t.id for t in tasks}
            for sp in subprocesses.values():
                for task in _depth_first(sp.task_tree, None):
                    if task.id not in seen:
                        seen.add(task.id)
                        tasks.append(task)
        return tasks

    def _ready_user_task(self, task_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, TypeError):
            raise NotFound(Msg("taak %(task_id)s bestaat niet", task_id=task_id)) from None
        except (WorkflowException, KeyError):
            task = None
        if task is None:
            raise Conflict(Msg("taak %(task_id)s is niet (meer) gereed in deze zaak", task_id=task_id))
        if not task.task_spec.manual:
            raise Conflict(Msg("taak %(task_id)s is geen gebruikerstaak", task_id=task_id))
        if not task.has_state(TaskState.READY):
            raise Conflict(Msg("taak '%(bpmn_name)s' is niet (meer) gereed (status %(waarde)s)",
                               bpmn_name=task.task_spec.bpmn_name or task.task_spec.name,
                               waarde=TaskState.get_name(task.state)))
        return task

    def task_property(self, spec_name: str, name: str) -> str | None:
        """A property (``spiffworkflow:property``) of a task spec anywhere in the case's process."""
        for spec in [self.workflow.spec, *self.workflow.subprocess_specs.values()]:
            task_spec = spec.task_specs.get(spec_name)
            if task_spec is not None and name in properties(task_spec):
                return str(properties(task_spec)[name])
        return None

    def _task_info(self, task: Any, ordinal: int) -> UserTaskInfo:
        props = properties(task.task_spec)
        due = self._task_due(task, props)
        return UserTaskInfo(
            id=str(task.id), spec=task.task_spec.name, name=task.task_spec.bpmn_name or task.task_spec.name,
            lane=task.task_spec.lane, form=props.get("formulier"), due=due,
            phase=props.get("fase") or self.phase, ordinal=ordinal, data=task.data,
        )

    def _task_due(self, task: Any, props: dict[str, Any]) -> datetime | None:
        if spiff.internal(task, "werkpad_due") is not None:
            return datetime.fromisoformat(spiff.internal(task, "werkpad_due"))
        due = None
        expression = props.get("termijn")
        if expression:
            try:
                value = self.workflow.script_engine.evaluate(task, expression)
            except SpiffWorkflowException as exc:
                raise EngineError(f"termijn van '{task.task_spec.bpmn_name}' kan niet worden berekend: {exc}") from exc
            text = str(value)
            if text.upper().startswith("P"):
                due = _local_plus(clock.now(), text)
            elif len(text) == 10:  # a date: due by the end of that day
                due = clock.to_utc(text + "T23:59:59")
            else:
                due = clock.moment(text)
        else:
            parent = task.parent
            if parent is not None:
                dues = [timer_due(s) for s in parent.children
                        if s is not task and isinstance(getattr(s.task_spec, "event_definition", None),
                                                         TimerEventDefinition)
                        and getattr(s.task_spec, "cancel_activity", False)]
                known = [d for d in dues if d is not None]
                due = min(known) if known else None
        if due is not None:
            spiff.set_internal(task, werkpad_due=due.isoformat())
        return due

    def _run(self, fn: Any) -> Any:
        try:
            return fn()
        except (ValidationError, Conflict, NotFound):
            raise
        except SpiffWorkflowException as exc:
            raise EngineError(_spiff_message(exc)) from exc
        except RecursionError as exc:
            raise EngineError("het proces is te diep genest") from exc
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - anything else a step raises is the process's failure
            raise EngineError(f"de stap kon niet worden uitgevoerd ({type(exc).__name__}: {exc})"[:500]) from exc

    def _advance(self) -> None:
        """Run engine steps until only people, timers or messages can move the case."""
        token = _FIRED.set(self.fired)
        places_token = _PLACES.set(self.places)
        with gelijkgestelde_dagen(getattr(self.workflow.spec, "werkpad_gelijkgesteld", ())), \
                decisions.recording(self.decisions):
            try:
                self._run(self.workflow.do_engine_steps)
                self._run(self.workflow.refresh_timers)
                self._run(self.workflow.do_engine_steps)
            finally:
                _PLACES.reset(places_token)
                _FIRED.reset(token)
            self._finish_interruption()
            tasks = self._all_tasks()  # one walk for the due dates and the phase
            for task in self.ready_user_tasks(tasks):
                self._task_due(task, properties(task.task_spec))
        self._update_phase(tasks)
        self._check_completion()
        self.compact()

    def _update_phase(self, tasks: list[Any] | None = None) -> None:
        frontier = [t for t in (tasks if tasks is not None else self._all_tasks())
                    if t.has_state(TaskState.READY | TaskState.WAITING)]
        found = []
        for task in frontier:
            phase = properties(task.task_spec).get("fase")
            if phase is None:
                parent_id = getattr(task.workflow, "parent_task_id", None)
                if parent_id is not None:
                    parent = self.workflow.get_task_from_id(parent_id)
                    phase = properties(parent.task_spec).get("fase")
            if phase in PHASES:
                found.append(phase)
        if found:
            self.phase = max(found, key=PHASES.index)

    def _check_completion(self) -> None:
        if not self.workflow.completed or self.end_event is not None:
            return
        ends = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED) if isinstance(t.task_spec, EndEvent)]
        if not ends:
            raise EngineError("het proces meldt zich klaar zonder een eindgebeurtenis te bereiken")
        end = max(ends, key=lambda t: t.last_state_change)
        self.end_event = end.task_spec.bpmn_id or end.task_spec.name
        status = properties(end.task_spec).get("status")
        if status in ("withdrawn", "completed"):
            self._status = status
        phase = properties(end.task_spec).get("fase")
        if phase in PHASES:
            self.phase = phase

    def compact(self) -> None:
        """Prune finished history above the lowest common ancestor of unfinished work."""
        if self.workflow.completed:
            return
        for wf in [self.workflow, *self.workflow.subprocesses.values()]:
            _prune(wf)
        # drop subprocesses that belong to pruned or finished tasks (repeat: one may hold another)
        changed = True
        while changed:
            changed = False
            owners = [self.workflow, *self.workflow.subprocesses.values()]
            for sp_id in list(self.workflow.subprocesses):
                sp = self.workflow.subprocesses[sp_id]
                parent_task = next((wf.tasks[sp.parent_task_id] for wf in owners
                                    if sp.parent_task_id in wf.tasks), None)
                if parent_task is None or (sp.completed and parent_task.has_state(TaskState.FINISHED_MASK)):
                    del self.workflow.subprocesses[sp_id]
                    changed = True


_MAX_DEPTH = 1000  # Spiff's iterator stops descending here too


def _depth_first(root: Any, subprocesses: Mapping[Any, Any] | None) -> list[Any]:
    """The tasks under ``root`` as ``get_tasks()`` yields them with no filter; ``subprocesses``
    (the top workflow's, keyed by the id of the task that runs each) are descended into, or
    skipped when None (``skip_subprocesses``)."""
    out: list[Any] = []
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        task, depth = stack.pop()
        out.append(task)
        if depth >= _MAX_DEPTH:
            continue
        sp = subprocesses.get(task.id) if subprocesses else None
        children = task._children
        if not children and sp is None:
            continue
        lookup = task.workflow.tasks
        nxt = [lookup.get(c) for c in children]
        if sp is not None:
            nxt.insert(0, sp.task_tree)
        for child in reversed(nxt):
            stack.append((child, depth + 1))
    return out


def _all_names(spec: Any, subprocess_specs: Any, task: Any) -> set[str]:
    owner = task.workflow.spec
    names = set(spec.task_specs) if owner.name == spec.name else set()
    sub = subprocess_specs.get(owner.name)
    if sub is not None:
        names |= set(sub.task_specs)
    return names


def _drop_predicted(wf_state: dict[str, Any]) -> dict[str, Any]:
    """Remove predicted (MAYBE/LIKELY) tasks from a serialised workflow; they
    describe the old spec and are predicted again from the new one."""
    predicted = TaskState.PREDICTED_MASK

    def clean(dct: dict[str, Any]) -> dict[str, Any]:
        tasks = dct["tasks"]
        drop = {tid for tid, t in tasks.items() if t["state"] & predicted}
        kept = {tid: {**t, "children": [c for c in t["children"] if c not in drop]}
                for tid, t in tasks.items() if tid not in drop}
        return {**dct, "tasks": kept}

    out = clean(wf_state)
    out["subprocesses"] = {k: clean(v) for k, v in wf_state.get("subprocesses", {}).items()}
    return out


def _prune(wf: Any) -> None:
    """Keep the task tree as small as the live work: re-root at the lowest
    common finished ancestor of unfinished tasks, drop finished side branches,
    and splice out finished single-child links between the root and the work.

    Kept on purpose: every unfinished task, its parent and grandparent (joins
    and boundary structures look there), the split a pending join refers to,
    and every task that still has an unfinished descendant and more than one
    child. History is not lost: the audit trail has it."""
    unfinished = [t for t in wf.tasks.values() if t.has_state(TaskState.NOT_FINISHED_MASK)]
    if not unfinished:
        return
    _reroot(wf, unfinished)
    _trim(wf, unfinished)


def _reroot(wf: Any, unfinished: list[Any]) -> None:
    common: list[Any] = []
    first = True
    for task in unfinished:
        chain = []
        node = task
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        if first:
            common, first = chain, False
        else:
            n = 0
            while n < len(common) and n < len(chain) and common[n] is chain[n]:
                n += 1
            common = common[:n]
        if len(common) <= 1:
            return
    # The new root must be a finished task: unfinished ones inherit data from their parent.
    while common and not common[-1].has_state(TaskState.FINISHED_MASK):
        common.pop()
    if len(common) <= 1 or common[-1] is wf.task_tree:
        return
    new_root = common[-1]
    keep = set()
    stack = [new_root]
    while stack:
        node = stack.pop()
        keep.add(node.id)
        stack.extend(c for c in node.children if c is not None)
    for tid in list(wf.tasks):
        if tid not in keep:
            del wf.tasks[tid]
    spiff.set_parent(new_root, None)
    wf.task_tree = new_root
    if wf.last_task is not None and wf.last_task.id not in keep:
        wf.last_task = new_root


def _trim(wf: Any, unfinished: list[Any]) -> None:
    live: set[Any] = set()
    protected: set[Any] = {wf.task_tree.id}
    for task in unfinished:
        node, depth = task, 0
        while node is not None:
            if depth <= 2:
                protected.add(node.id)
            if node.id in live and depth > 2:
                break
            live.add(node.id)
            node, depth = node.parent, depth + 1
        split = getattr(task.task_spec, "split_task", None)
        if split:
            anchor = task.find_ancestor(split)
            if anchor is not None:
                protected.add(anchor.id)
    pending_joins = {t.task_spec.name for t in unfinished if isinstance(t.task_spec, Join)}
    # 1. finished side branches hanging off the live part
    for node_id in list(live):
        node = wf.tasks.get(node_id)
        if node is None:
            continue
        for child_id in list(spiff.child_ids(node)):
            if child_id in live or child_id not in wf.tasks or _carries_a_token(wf, child_id, pending_joins):
                continue
            _remove_subtree(wf, child_id)
            spiff.remove_child(node, child_id)
    # 2. finished links with a single child between the root and the work
    for node_id in list(live):
        node = wf.tasks.get(node_id)
        if node is None or node_id in protected or not node.has_state(TaskState.FINISHED_MASK):
            continue
        parent = node.parent
        if parent is None or len(spiff.child_ids(node)) != 1:
            continue
        child = wf.tasks.get(spiff.child_ids(node)[0])
        if child is None:
            continue
        spiff.replace_child(parent, node.id, child.id)
        spiff.set_parent(child, parent.id)
        del wf.tasks[node_id]
        if wf.last_task is node:
            wf.last_task = child


def _carries_a_token(wf: Any, task_id: Any, pending_joins: set[str]) -> bool:
    """A finished branch whose token reached a join still matters while that join
    is pending (a parallel join counts arrivals by the instances' parents), and
    always for the process end join, which merges the data of every branch that
    ended. Keep such a branch."""
    stack = [task_id]
    while stack:
        task = wf.tasks.get(stack.pop())
        if task is None:
            continue
        if isinstance(task.task_spec, Join):
            parent = task.parent
            arrived = parent is not None and parent.has_state(TaskState.COMPLETED)
            if arrived and (task.task_spec.name in pending_joins or task.task_spec.name.endswith(".EndJoin")):
                return True
        stack.extend(spiff.child_ids(task))
    return False


def _remove_subtree(wf: Any, task_id: Any) -> None:
    stack = [task_id]
    while stack:
        tid = stack.pop()
        task = wf.tasks.pop(tid, None)
        if task is not None:
            stack.extend(spiff.child_ids(task))
            if wf.last_task is task:
                wf.last_task = None


def _spiff_message(exc: Exception) -> str:
    parts = [str(exc)]
    task_spec = getattr(exc, "task_spec", None) or getattr(getattr(exc, "task", None), "task_spec", None)
    if task_spec is not None:
        parts.append(f"(bij '{getattr(task_spec, 'bpmn_name', None) or task_spec.name}')")
    notes = getattr(exc, "__notes__", None)
    if notes:
        parts.append("; ".join(notes))
    return " ".join(parts)
