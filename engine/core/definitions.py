"""Process definitions: a municipality's BPMN, DMN and forms as one immutable,
content-hashed version.

``processes/<sleutel>/proces.json`` describes one process::

    {"sleutel": "tilburg", "naam": "Tilburg — NOMA", "organisatie": "tilburg",
     "gemeenten": {"tilburg": {}}, "proces": "tilburg_participatie",
     "geldig_vanaf": "2026-01-01"}

Beside it lie the ``.bpmn`` and ``.dmn`` files. ``processes/gedeeld/`` holds
shared subprocesses and decision tables that every process may call. A
version's files are the process folder, the shared folder, the forms its user
tasks name and the shared vocabulary; the version id is the SHA-256 of all of
them, so deploying unchanged files creates no new version and a running case
can always be replayed against exactly what it ran on.

Conventions inside the BPMN (``spiffworkflow:properties``) on a flow node:
``fase`` (poort, inspanningsperiode, diagnose, traject, nazorg), ``formulier``
(form id, required on user tasks), ``termijn`` (due of a user task: an
expression giving an ISO duration such as ``"P5D"`` or a date), and on end
events ``status`` (``withdrawn`` for an ending by withdrawal).
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..errors import DefinitionError
from .expressions import ExpressionError, check, evaluate
from .forms import VOCABULARY_FILE, FormRegistry
from .messages import Msg
from .problems import Problem
from .runtime import PHASES, TIMER_KINDS, check_timer_value, parse_specs, properties
from .versions import VERSION_LABEL_LENGTH as VERSION_LABEL_LENGTH
from .versions import version_label as version_label

MANIFEST = "proces.json"
SHARED_DIR = "gedeeld"

@dataclass
class Bundle:
    """Everything one definition version consists of (pure data + caches)."""

    key: str
    name: str
    organisation: str
    municipalities: dict[str, dict[str, Any]]
    process_id: str
    effective_from: date
    files: dict[str, str]
    forms: dict[str, str]
    vocabulary: str
    manifest: dict[str, Any]
    # days equated to holidays by decree (Atw art. 3 lid 3), JSON list of ISO dates; "" for none
    gelijkgesteld: str = ""
    # where rollen.json/berichten.json lie (not part of the version: they are the product's lists)
    catalog_dir: Path | None = field(default=None, repr=False, compare=False)
    _parsed: Any = field(default=None, repr=False)
    _forms: FormRegistry | None = field(default=None, repr=False)
    _meta: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def version_hash(self) -> str:
        digest = hashlib.sha256()
        parts = [("manifest", json.dumps(self.manifest, sort_keys=True))]
        parts += [(f"files/{k}", v) for k, v in sorted(self.files.items())]
        parts += [(f"forms/{k}", v) for k, v in sorted(self.forms.items())]
        parts += [("vocabulaire", self.vocabulary)]
        if self.gelijkgesteld:
            parts += [("gelijkgesteld", self.gelijkgesteld)]
        for name, text in parts:
            digest.update(name.encode() + b"\0" + text.encode("utf-8") + b"\0")
        return digest.hexdigest()

    def to_record(self) -> dict[str, Any]:
        record = {"manifest": self.manifest, "files": self.files, "forms": self.forms, "vocabulary": self.vocabulary}
        if self.gelijkgesteld:
            record["gelijkgesteld"] = self.gelijkgesteld
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Bundle:
        bundle = _bundle(dict(record["manifest"]), dict(record["files"]), dict(record["forms"]),
                         record.get("vocabulary", "{}"))
        bundle.gelijkgesteld = record.get("gelijkgesteld", "")
        return bundle

    def equated_days(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in json.loads(self.gelijkgesteld)) if self.gelijkgesteld \
            else frozenset()

    def specs(self) -> Any:
        if self._parsed is None:
            self._parsed = _SPEC_CACHE.get(self.version_hash)
            if self._parsed is None:
                self._parsed = parse_specs(self.files, self.process_id)
                # the runtime counts these days as holidays in this version's calendar functions
                self._parsed[0].werkpad_gelijkgesteld = self.equated_days()
                _SPEC_CACHE.put(self.version_hash, self._parsed)
        return self._parsed

    def form_registry(self) -> FormRegistry:
        if self._forms is None:
            self._forms = FormRegistry.from_sources(self.forms, self.vocabulary)
        return self._forms

    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            self._meta = describe(self)
        return self._meta


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        return None

    def put(self, key: str, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


_SPEC_CACHE = _LRU(64)


def _bundle(manifest: dict[str, Any], files: dict[str, Any], forms: dict[str, Any], vocabulary: str) -> Bundle:
    try:
        key = manifest["sleutel"]
        process_id = manifest["proces"]
        effective = date.fromisoformat(manifest.get("geldig_vanaf", "2000-01-01"))
    except KeyError as exc:
        raise DefinitionError(f"{MANIFEST}: veld {exc} ontbreekt") from exc
    except ValueError as exc:
        raise DefinitionError(f"{MANIFEST}: 'geldig_vanaf' is geen datum (JJJJ-MM-DD)") from exc
    municipalities = manifest.get("gemeenten") or {key: {}}
    if isinstance(municipalities, list):
        municipalities = {m: {} for m in municipalities}
    return Bundle(
        key=key, name=manifest.get("naam", key), organisation=manifest.get("organisatie", key),
        municipalities=municipalities, process_id=process_id, effective_from=effective,
        files=files, forms=forms, vocabulary=vocabulary, manifest=manifest,
    )


def load_bundle(process_dir: Path, forms: FormRegistry, forms_root: Path | None = None) -> Bundle:
    """Read one process folder (plus the shared folder) into a bundle and check it."""
    process_dir = Path(process_dir)
    manifest_path = process_dir / MANIFEST
    try:
        manifest = json.loads(_read_text(manifest_path))
    except FileNotFoundError as exc:
        raise DefinitionError(f"{process_dir}: {MANIFEST} ontbreekt") from exc
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{manifest_path}: geen geldige JSON ({exc})") from exc
    files: dict[str, str] = {}
    shared = process_dir.parent / SHARED_DIR
    for folder, prefix in ((process_dir, ""), (shared, f"{SHARED_DIR}/")):
        if folder.is_dir() and (folder != shared or process_dir != shared):
            for path in sorted(folder.iterdir()):
                if path.suffix in (".bpmn", ".dmn"):
                    files[prefix + path.name] = _read_text(path)
    if not any(n.endswith(".bpmn") for n in files):
        raise DefinitionError(f"{process_dir}: geen .bpmn-bestand")
    bundle = _bundle(manifest, files, {}, "{}")
    bundle.catalog_dir = process_dir.parent
    # Which forms does it need? Parse once to find out, then snapshot them; a missing or
    # broken form is reported by the checks below, on the user task that names it.
    try:
        form_ids = sorted({t["form"] for t in _user_tasks(bundle) if t["form"]})
    except DefinitionError:
        form_ids = []  # the checks report why the BPMN cannot be read
    bundle.forms = forms.raw_sources(form_ids)
    vocab_path = Path(forms_root) / VOCABULARY_FILE if forms_root else None
    bundle.vocabulary = _read_text(vocab_path) if vocab_path and vocab_path.exists() else "{}"
    bundle.gelijkgesteld = read_equated_days(process_dir.parent / EQUATED_DAYS_FILE)
    bundle._forms = None
    describe(bundle)  # full validation
    return bundle


EQUATED_DAYS_FILE = "gelijkgestelde_dagen.json"


def read_equated_days(path: Path) -> str:
    """The days equated to an algemeen erkende feestdag by decree (Atw art. 3 lid 3) from the
    designer's data file: ``{"2027": [{"datum": "2027-12-24", "besluit": "..."}], ...}``.
    Returns a JSON list of ISO dates (part of the version), "" when there are none."""
    if not path.exists():
        return ""
    try:
        raw = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{path.name}: geen geldige JSON ({exc})") from exc
    days: set[str] = set()
    for year, entries in raw.items():
        if year.startswith("_"):
            continue
        if not year.isdigit() or not isinstance(entries, list):
            raise DefinitionError(f"{path.name}: verwacht per jaar (\"2027\") een lijst van dagen")
        for entry in entries:
            text = entry.get("datum") if isinstance(entry, dict) else entry
            try:
                day = date.fromisoformat(str(text))
            except ValueError as exc:
                raise DefinitionError(f"{path.name}: '{text}' is geen datum (JJJJ-MM-DD)") from exc
            if str(day.year) != year:
                raise DefinitionError(f"{path.name}: {day} staat onder het jaar {year}")
            days.add(day.isoformat())
    return json.dumps(sorted(days)) if days else ""


def bundle_from_files(manifest: dict[str, Any], files: Mapping[str, str], forms: Mapping[str, str],
                      vocabulary: str = "{}") -> Bundle:
    """A version from files held in memory (a designer's draft, an imported folder):
    ``files`` maps ``name.bpmn``/``name.dmn`` (shared ones as ``gedeeld/name.bpmn``) to
    their text, ``forms`` maps a form id to its JSON text. Not yet checked."""
    return _bundle(dict(manifest), dict(files), dict(forms), vocabulary)


def discover(processes_root: Path, forms_root: Path, only: list[str] | None = None) -> list[Bundle]:
    """Every process folder under ``processes_root`` (shared folder excluded);
    ``only`` limits it to the named folders/keys."""
    processes_root = Path(processes_root)
    if not processes_root.is_dir():
        raise DefinitionError(f"map {processes_root} bestaat niet")
    forms = FormRegistry.load_dir(Path(forms_root))
    bundles = []
    for sub in sorted(processes_root.iterdir()):
        if sub.is_dir() and (sub / MANIFEST).exists() and (only is None or sub.name in only):
            bundles.append(load_bundle(sub, forms, forms_root))
    if not bundles and (processes_root / MANIFEST).exists():
        bundles.append(load_bundle(processes_root, forms, forms_root))
    if not bundles:
        raise DefinitionError(f"geen processen ({MANIFEST}) gevonden in {processes_root}")
    return bundles


def _all_specs(bundle: Bundle) -> Any:
    spec, subprocess_specs = bundle.specs()
    yield spec
    yield from subprocess_specs.values()


def _user_tasks(bundle: Bundle) -> list[dict[str, Any]]:
    out = []
    for spec in _all_specs(bundle):
        for ts in spec.task_specs.values():
            if getattr(ts, "manual", False):
                props = properties(ts)
                out.append({
                    "id": ts.bpmn_id or ts.name, "name": ts.bpmn_name or ts.name, "lane": ts.lane,
                    "form": props.get("formulier"), "fase": props.get("fase"), "termijn": props.get("termijn"),
                    "process": spec.name,
                })
    return out


def describe(bundle: Bundle) -> dict[str, Any]:
    """Phases, lanes, user tasks, timers and messages of a version; raises
    DefinitionError for anything that would fail at run time (every problem
    :func:`engine.core.checks.check_bundle` finds)."""
    from .checks import check_bundle  # checks builds on this module

    problems = check_bundle(bundle)
    if problems:
        texts = [str(p) for p in problems]
        raise DefinitionError(f"{bundle.key}: " + "; ".join(texts), problems=texts,
                              elements=[{"message": p.message, "element": p.element, "file": p.file}
                                        for p in problems])
    meta, _ = spec_problems(bundle, None, None)
    bundle._meta = meta
    return meta


def _label(name: str | None, ident: str) -> str:
    return f"'{name}' ({ident})" if name and name != ident else f"({ident})"


def spec_problems(bundle: Bundle, roles: frozenset[str] | None,
                  messages: frozenset[str] | None) -> tuple[dict[str, Any], list[Problem]]:
    """The description of a parsed version and the problems visible on its Spiff specs: forms,
    phases, lanes (``roles``: the known role ids, None to skip), messages (``messages``: the
    known names, None to skip) and constant timers."""
    problems: list[Problem] = []
    tasks = _user_tasks(bundle)
    registry = FormRegistry.from_sources(bundle.forms, bundle.vocabulary, strict=False)
    spec_files = {spec.name: getattr(spec, "file", None) for spec in _all_specs(bundle)}
    for t in tasks:
        task = _label(t["name"], t["id"])
        t_file = spec_files.get(t["process"])
        if not t["form"]:
            problems.append(Problem(Msg("gebruikerstaak %(taak)s heeft geen eigenschap 'formulier'", taak=task),
                                    t["id"], t_file))
        elif t["form"] in registry.broken:  # a refusal: engine.core.checks finds it from the files too
            problems.append(Problem(Msg("gebruikerstaak %(taak)s: %(reden)s", taak=task,
                                        reden=registry.broken[t["form"]]), t["id"], t_file, refusal=True))
        elif t["form"] not in registry:
            problems.append(Problem(Msg("gebruikerstaak %(taak)s: formulier '%(formulier)s' bestaat niet", taak=task,
                                        formulier=t["form"]), t["id"], t_file))
        if roles is not None and not t["lane"]:
            problems.append(Problem(Msg("gebruikerstaak %(taak)s staat in geen lane; de lane bepaalt welke rol de "
                                        "taak krijgt (kies uit processes/rollen.json)", taak=task), t["id"], t_file))
    timers, phases, lanes, found_messages = [], [], set(), set()
    for spec in _all_specs(bundle):
        first = len(problems)
        for ts in spec.task_specs.values():
            ident = ts.bpmn_id or ts.name
            name = _label(ts.bpmn_name, ident)
            props = properties(ts)
            fase = props.get("fase")
            if fase is not None:
                if fase not in PHASES:
                    problems.append(Problem(Msg("%(element)s: onbekende fase '%(fase)s' (kies uit %(fasen)s)",
                                                element=name, fase=fase, fasen=", ".join(PHASES)), ident))
                elif fase not in phases:
                    phases.append(fase)
            lane = getattr(ts, "lane", None)
            if lane:
                lanes.add(lane)
                if roles is not None and lane not in roles:
                    problems.append(Problem(Msg("%(element)s staat in lane '%(lane)s', maar dat is geen bekende rol "
                                                "(processes/rollen.json: %(rollen)s)", element=name, lane=lane,
                                                rollen=", ".join(sorted(roles))), ident))
            definition = getattr(ts, "event_definition", None)
            if isinstance(definition, TimerEventDefinition):
                kind = TIMER_KINDS.get(type(definition).__name__, "timer")
                if _check_expr(definition.expression, _TIMER_REFUSED, name, ident, problems):
                    _check_timer_constant(definition.expression, kind, name, ident, problems)
                timers.append({
                    "id": ident, "name": ts.bpmn_name or definition.name,
                    "kind": kind,
                    "expression": definition.expression,
                    "attached_to": _attached_to(ts),
                    "interrupting": getattr(ts, "cancel_activity", None),
                    "process": spec.name,
                })
            elif definition is not None and type(definition).__name__ == "MessageEventDefinition":
                found_messages.add(definition.name)
                if messages is not None and definition.name not in messages:
                    problems.append(Problem(Msg(
                        "%(element)s wacht op of stuurt bericht '%(bericht)s', maar dat bericht kent Werkpad niet "
                        "(bekend: %(bekend)s; voeg het toe aan processes/berichten.json)", element=name,
                        bericht=definition.name, bekend=", ".join(sorted(messages))), ident))
        for t in tasks:
            if t["termijn"] and t["process"] == spec.name:
                _check_expr(t["termijn"], _TERMIJN_REFUSED, _label(t["name"], t["id"]), t["id"], problems)
        file = getattr(spec, "file", None)
        problems[first:] = [p if p.file else replace(p, file=file) for p in problems[first:]]
    ordered = [p for p in PHASES if p in phases]
    meta = {"phases": ordered, "lanes": sorted(lanes), "user_tasks": tasks, "timers": timers,
            "messages": sorted(found_messages)}
    return meta, problems


def _attached_to(task_spec: Any) -> str | None:
    """Spiff puts a boundary event behind '<task>.BoundaryEventSplit'."""
    for parent in task_spec.inputs:
        if parent is not None and parent.name.endswith(".BoundaryEventSplit"):
            attached: str = parent.name[: -len(".BoundaryEventSplit")]
            return attached
    return None


MAX_FILE_BYTES = 5 * 1024 * 1024


def _read_text(path: Path) -> str:
    """A process file as text: UTF-8 and of a reasonable size, or a clear refusal."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DefinitionError(f"{path}: groter dan {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{path}: geen UTF-8-tekst (byte {exc.start}); sla het bestand op als UTF-8") from exc
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise DefinitionError(f"{path}: kan niet worden gelezen ({exc.strerror})") from exc


_TIMER_REFUSED = Msg("timer %(element)s: expressie %(expressie)s wordt geweigerd (%(reden)s)")
_TERMIJN_REFUSED = Msg("termijn van %(element)s: expressie %(expressie)s wordt geweigerd (%(reden)s)")


def _check_expr(expression: str, template: Msg, name: str, ident: str, problems: list[Problem]) -> bool:
    """False, with a problem (``template`` filled in), when the safe-expression checker refuses it."""
    try:
        check(expression, "eval")
    except (ExpressionError, SyntaxError) as exc:
        from .checks import reason

        problems.append(Problem(Msg(template.template, element=name, expressie=repr(expression),
                                    reden=reason(str(exc))), ident, refusal=True))
        return False
    return True


def _check_timer_constant(expression: str, kind: str, name: str, ident: str, problems: list[Problem]) -> None:
    """A timer written as a constant ("P28D", "R/P3M") is checked now, not when a case reaches it.
    An expression over case data can only be checked when it runs (a failure then puts that one
    case in error)."""
    try:
        value = evaluate(expression, {})
    except ExpressionError:
        return  # depends on case data
    try:
        check_timer_value(kind, value)
    except ValueError as exc:
        problems.append(Problem(Msg("timer %(element)s: %(fout)s", element=name, fout=str(exc)), ident))
