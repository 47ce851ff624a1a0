"""The process designer's use cases: drafts in the database, checks on every save,
four-eyes publication into a deployed version, versions named for people, the
difference between two versions and moving running cases to a newer version.

A draft is one process's files (its BPMN and DMN, ``proces.json`` and the forms its user
tasks name) with an author and a change note. Every save is checked (``check_bundle``), and
what it finds is of two kinds (:class:`~engine.core.problems.Problem` ``refusal``):

- a **refusal** (a file that is not safe, well-formed XML of at most 5 MB; an expression the
  safe-expression checker refuses; a form that is no valid JSON Schema or uses a keyword form
  validation does not enforce) is refused on every save path with a ValidationError that
  lists it: nothing is stored, no draft row, no event;
- a **modelling finding** (unreachable element, path without an end, gateway that can get
  stuck, missing form, unknown role or message, DMN gap or overlap) is kept in the draft when
  an editor saves (modeler, decision table, form), so no work is lost, and blocks publication;
  a file taken in from outside (an uploaded file, an imported folder) must be free of
  findings too, or it is refused with nothing stored, like ``werkpad processes deploy``.

Publishing takes two designers: one offers a draft without
problems for publication with an effective-from date, another designer of the same
organisation — never one who edited it — approves it, and only then does it become a
version, through the same path ``werkpad processes deploy`` takes.

Access (who may view or edit which organisation's processes) is decided by
:mod:`engine.app.policy`; these use cases trust their caller on that.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree
from sqlalchemy import func, select

from ..core import clock
from ..core.checks import Problem, bundle_from_files, check_bundle, known_roles, never_run, refusals
from ..core.definitions import MANIFEST, SHARED_DIR, Bundle
from ..core.forms import VOCABULARY_FILE, FormRegistry, vocabulary_fields
from ..core.messages import Msg
from ..core.problems import joined, message_from_dict
from ..core.runtime import properties
from ..core.uses import FORM_PLACE, form_fields, form_title, where_read
from ..core.xml import BPMN_NS, DMN_NS, SPIFF_NS, dmn_in_13, parse_definition
from ..errors import Conflict, DefinitionError, NotFound, ValidationError, WerkpadError
from ..storage import CaseRow, DefinitionRow, UnitOfWork
from ..storage.designer_models import DesignerEventRow, DraftRow, PublicationRow
from .acting import Actor, RequestContext, as_actor
from .processes import Processes
from .repository import Repository, municipalities_in

OPEN = ("concept", "ter_goedkeuring")
RUNNING = ("running", "waiting", "error")  # not ended: open tasks, or only a timer/message pending
MAX_DRAFT_BYTES = 2 * 1024 * 1024
MAX_ZIP_BYTES = 2 * 1024 * 1024
MAX_ZIP_FILES = 100
MAX_LISTED = 5  # reasons named in one refusal message (the rest counted)
_FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}\.(bpmn|dmn)$")
_FORM_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_ELEMENT_IN_TEXT = re.compile(r"\(([A-Za-z_][\w.-]*)\)|'([^']{1,200})'")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(_json(record).encode()).hexdigest()


def own_files(record: Mapping[str, Any]) -> dict[str, str]:
    """The process's own BPMN/DMN files (the shared ones are not edited in a draft)."""
    return {k: v for k, v in record["files"].items() if not k.startswith(SHARED_DIR + "/")}


FORMS_NAMED = 4  # the other forms named beside a field; more are counted


def some_forms(forms: list[Any]) -> list[Any]:
    """Forms (titles or places) as a designer reads them beside a field: all of them, or, for a field
    that many forms ask for (toelichting), the first three and how many more — not all their names."""
    if len(forms) <= FORMS_NAMED:
        return forms
    return forms[:FORMS_NAMED - 1] + [Msg("nog %(n)s andere formulieren", n=len(forms) - FORMS_NAMED + 1)]


class Designer:
    def __init__(self, repo: Repository, processes: Processes, forms_dir: Path) -> None:
        self.repo = repo
        self.db = repo.db
        self.processes = processes
        self.forms_dir = forms_dir

    # ------------------------------------------------------------------ reading
    def organisation_of(self, key: str) -> str:
        """The organisation owning process ``key``; NotFound for an unknown process."""
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                      .order_by(DefinitionRow.id.desc())).first()
            if row is None:  # a new process, not yet published: its draft
                draft = self._open_draft(uow, key)
                if draft is not None:
                    return draft.organisation
        if row is None:
            raise NotFound(Msg("proces '%(key)s' bestaat niet", key=key))
        return row.organisation

    def _names(self, organisations: list[str]) -> dict[str, str]:
        """The processes of ``organisations``: key -> name (of its newest version), by key."""
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.execute(select(DefinitionRow.process_key, DefinitionRow.name).where(
                DefinitionRow.organisation.in_(organisations)).order_by(DefinitionRow.id)).all()
            new = uow.session.execute(select(DraftRow.process_key, DraftRow.record).where(
                DraftRow.organisation.in_(organisations), DraftRow.status.in_(OPEN),
                DraftRow.base_definition_id.is_(None))).all()
        names = {key: name for key, name in rows}
        for key, record in new:  # new processes, not yet published
            names.setdefault(key, json.loads(record)["manifest"].get("naam") or key)
        return dict(sorted(names.items()))

    def overview(self, organisations: list[str]) -> list[dict]:
        """The processes of ``organisations`` with their current version and open draft."""
        out = []
        for key in self._names(organisations):
            info = self.process(key)
            out.append({k: info[k] for k in ("process", "name", "organisation", "current", "draft")}
                       | {"versions": len(info["versions"]),
                          "running": sum(v["running"] for v in info["versions"])})
        return out

    def process(self, key: str) -> dict:
        """A process with its versions (newest first), its open draft and its designer events."""
        today = clock.local_date()
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                       .order_by(DefinitionRow.id)).all()
            draft = self._open_draft(uow, key)
            if not rows and draft is None:
                raise NotFound(Msg("proces '%(key)s' bestaat niet", key=key))
            running = dict(uow.session.execute(
                select(CaseRow.definition_id, func.count()).where(CaseRow.process_key == key,
                                                                  CaseRow.status.in_(RUNNING))
                .group_by(CaseRow.definition_id)).all())
            publications = {p.definition_id: p for p in uow.session.scalars(select(PublicationRow).where(
                PublicationRow.definition_id.in_([r.id for r in rows])))}
            events = uow.session.scalars(select(DesignerEventRow).where(DesignerEventRow.process_key == key)
                                         .order_by(DesignerEventRow.id.desc()).limit(50)).all()
            draft_info = self._draft_summary(draft) if draft else None
            event_list = [{"type": e.type, "actor": e.actor, "at": e.at, "payload": json.loads(e.payload)}
                          for e in events]
            moved = {e["payload"].get("zaak") for e in event_list if e["type"] == "zaak_overgezet"}
            numbers = dict(uow.session.execute(select(CaseRow.id, CaseRow.case_number).where(
                CaseRow.id.in_([m for m in moved if isinstance(m, str)]))).all()) if moved else {}
            for e in event_list:  # a moved case by the number people know
                if e["type"] == "zaak_overgezet":
                    e["case_number"] = numbers.get(e["payload"].get("zaak"))
        current = _current(rows, today)
        versions = []
        for number, row in enumerate(rows, start=1):
            pub = publications.get(row.id)
            versions.append({
                "number": number, "id": row.id, "effective_from": row.effective_from,
                "deployed_at": row.deployed_at, "author": pub.author if pub else row.deployed_by,
                "approved_by": pub.approved_by if pub else None, "change_note": pub.change_note if pub else "",
                "running": running.get(row.id, 0), "current": current is not None and row.id == current.id,
                "future": row.effective_from > today,
            })
        if rows:
            name, organisation = rows[-1].name, rows[-1].organisation
        else:  # a new process: only its draft so far
            assert draft is not None
            name = json.loads(draft.record)["manifest"].get("naam") or key
            organisation = draft.organisation
        return {"process": key, "name": name, "organisation": organisation,
                "current": next((v for v in versions if v["current"]), None),
                "versions": list(reversed(versions)), "draft": draft_info, "events": event_list}

    def version_record(self, key: str, number: int) -> dict:
        """The files of version ``number`` (1 is the first version of the process)."""
        return json.loads(self._version_row(key, number).record)

    def draft(self, key: str) -> dict | None:
        """The open draft with its files and problems, or None."""
        with self.db.unit_of_work(write=False) as uow:
            row = self._open_draft(uow, key)
            if row is None:
                return None
            return self._draft_summary(row) | {"record": json.loads(row.record)}

    def working_record(self, key: str) -> dict:
        """What the designer edits: the open draft, or else the newest version."""
        draft = self.draft(key)
        if draft is not None:
            return draft["record"]
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                      .order_by(DefinitionRow.id.desc())).first()
            if row is None:
                raise NotFound(Msg("proces '%(key)s' bestaat niet", key=key))
            return json.loads(row.record)

    def form_schema(self, form_id: str, text: str) -> dict:
        """The JSON Schema a form text gives (with the shared vocabulary), as the task page
        renders it; DefinitionError with the reason when the text is not a valid form."""
        return FormRegistry.from_sources({form_id: text}, self._vocabulary_text()).get(form_id).schema

    @staticmethod
    def name_uses(record: Mapping[str, Any], form_id: str) -> dict[str, list[Msg]]:
        """Per case-data name, where the process in ``record`` (as :meth:`working_record` gives it)
        reads it — conditions, scripts, timers, terms, decision tables — and which of its other
        forms ask for it: what a designer must mend when renaming or removing a field of ``form_id``."""
        out = {}
        for name, places in where_read(record["files"], record["forms"], skip_form=form_id).items():
            forms = [p for p in places if p.template == FORM_PLACE.template]
            out[name] = [p for p in places if p not in forms] + some_forms(forms)
        return out

    def vocabulary(self) -> dict[str, dict]:
        """The shared vocabulary's fields (``forms/vocabulaire.json``): a form field of one of these
        names takes its type, label and limits from here. Nothing when the file cannot be read."""
        try:
            fields = vocabulary_fields(self._vocabulary_text())
        except (OSError, DefinitionError):  # unreadable, or no JSON
            return {}
        return {k: v for k, v in fields.items() if isinstance(v, dict)} if isinstance(fields, dict) else {}

    def vocabulary_uses(self, organisations: list[str]) -> dict[str, list[dict]]:
        """Per shared-vocabulary name, where the processes of ``organisations`` (as their designers
        edit them: the open draft, else the newest version) use it: ``{"process": name, "forms": [form
        titles]}`` per process whose forms ask for it (many named as :func:`some_forms` does)."""
        names = set(self.vocabulary())
        out: dict[str, list[dict]] = {name: [] for name in names}
        for key, process_name in self._names(organisations).items():
            record = self.working_record(key)
            forms: dict[str, list[str]] = {}
            for form_id, text in sorted(record["forms"].items()):
                for field in form_fields(text):
                    if field in names:
                        forms.setdefault(field, []).append(form_title(text, form_id))
            for field, titles in forms.items():
                out[field].append({"process": process_name, "forms": some_forms(sorted(set(titles), key=str.lower))})
        return out

    def _vocabulary_text(self) -> str:
        """The shared forms folder's vocabulary as text ("{}" when there is none)."""
        path = self.forms_dir / VOCABULARY_FILE
        return path.read_text(encoding="utf-8") if path.exists() else "{}"

    def available_forms(self, key: str | None = None) -> list[str]:
        """The forms a task may name: the process's own (those of its working record) and the shared
        folder's; without ``key`` every form in the forms folder."""
        every = FormRegistry.load_dir(self.forms_dir).forms
        if key is None:
            return sorted(every)
        return sorted(set(self.working_record(key)["forms"]) | {fid for fid in every if shared_form(fid)})

    def events(self, key: str) -> list[dict]:
        return self.process(key)["events"]

    # ------------------------------------------------------------------ saving
    def save_draft(self, key: str, user: str, files: Mapping[str, str] | None = None,
                   forms: Mapping[str, str] | None = None, manifest: Mapping[str, Any] | None = None,
                   change_note: str | None = None, at: datetime | None = None, from_file: bool = False,
                   drop_forms: Sequence[str] = (), whole: bool = False) -> dict:
        """Store the draft of ``key`` (started from the newest version when there is none);
        ``files`` replace or add the process's own BPMN/DMN files, ``forms`` replace or add
        forms by id. A refusal (see the module) is refused with a ValidationError listing it
        (``problemen``) and nothing stored. Modelling findings are stored with the draft —
        unless ``from_file`` (files taken in from outside: an upload, a folder import), which
        refuses them too. With ``whole`` the files and forms given are all the process's own (a zip
        of its folder): its own files and forms that are not among them go. A decision file in DMN 1.1 or 1.2 is taken in as DMN 1.3 (``omgezet`` in
        the summary names it and the version it came from)."""
        record = self.working_record(key)
        if whole:  # ``files`` and ``forms`` are the whole process (a zip of its folder): the rest of its own goes
            record["files"] = {k: v for k, v in record["files"].items() if k not in own_files(record)}
            record["forms"] = {}
        converted: list[dict[str, str]] = []
        for name, text in (files or {}).items():
            if not _FILE_NAME.match(name):
                raise ValidationError(Msg("bestandsnaam '%(name)s' is niet toegestaan (alleen .bpmn of .dmn)",
                                          name=name[:100]))
            if name.endswith(".dmn"):  # a table from an older modeler (DMN 1.1, 1.2) as the 1.3 Werkpad reads
                text, was = dmn_in_13(name, text)
                if was:
                    converted.append({"bestand": name, "versie": was})
            record["files"][name] = text
        for fid, text in (forms or {}).items():
            if not _FORM_ID.match(fid):
                raise ValidationError(Msg("formulier-id '%(fid)s' is niet toegestaan", fid=fid[:100]))
            record["forms"][fid] = text
        for fid in drop_forms:  # a form of the process's own that no task names any more
            record["forms"].pop(fid, None)
        if manifest is not None:
            record["manifest"] = {**dict(manifest), "sleutel": key,
                                  "organisatie": record["manifest"].get("organisatie")}
            self._refuse_foreign_municipalities(key, record["manifest"])
        size = len(_json(record).encode())
        if size > MAX_DRAFT_BYTES:
            raise ValidationError(Msg("het concept is te groot (%(waarde)s kB; de grens is %(waarde2)s kB)",
                                      waarde=size // 1024, waarde2=MAX_DRAFT_BYTES // 1024))
        record, problems = self._check(record)
        refused = [p for p in problems if p.refusal]
        if refused:
            raise _refusal(Msg("geweigerd, er is niets bewaard: %(redenen)s", redenen=_reasons(refused)), refused)
        if from_file and problems:
            raise _refusal(Msg("een bestand van buiten moet alle controles doorstaan; er is niets bewaard: "
                               "%(redenen)s", redenen=_reasons(problems)), problems)
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self._open_draft(uow, key)
            if row is None:
                base = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                           .order_by(DefinitionRow.id.desc())).first()
                if base is None:
                    raise NotFound(Msg("proces '%(key)s' bestaat niet", key=key))
                row = DraftRow(process_key=key, organisation=base.organisation, base_definition_id=base.id,
                               author=user, editors=_json([user]), created_at=moment, change_note="",
                               status="concept")
                uow.session.add(row)
            editors = json.loads(row.editors or "[]")
            if user not in editors:
                editors.append(user)
            row.editors = _json(editors)
            row.record = _json(record)
            row.problems = _json([p.to_dict() for p in problems])
            row.updated_at = moment
            if change_note is not None:
                row.change_note = change_note.strip()[:4000]
            if row.status == "ter_goedkeuring" and row.requested_hash != _record_hash(record):
                row.status = "concept"  # changed after it was offered: offer it again
                row.requested_by = row.requested_hash = None
            uow.flush()
            self._event(uow, row, "concept_bewaard", user, moment, {"problemen": len(problems)}
                        | ({"omgezet": converted} if converted else {}))
            summary = self._draft_summary(row) | {"omgezet": converted}
            uow.commit()
        return summary

    def new_process(self, organisation: str, name: str, municipalities: Sequence[str], role: str, user: str,
                    at: datetime | None = None) -> dict:
        """Start a new process of ``organisation`` for some of the municipalities it serves: a
        draft (no version yet) that already runs — a start, one first task in the lane of
        ``role`` with a form of its own, an end — for the designer to build on in the modeler
        and publish through the same four eyes as any change. Its key comes from the name
        (``Bezwaar en beroep`` -> ``bezwaar_en_beroep``, numbered when taken). Returns
        ``{"process": key}``; a ValidationError names what is wrong, and nothing is stored."""
        given = _given_name(name)
        errors: dict[str, list[str]] = {}
        if given is None:
            errors["naam"] = [Msg("Geef het proces een naam van 3 tot 120 tekens.")]
        served = self.municipalities_of(organisation)
        chosen = sorted({str(m) for m in municipalities})
        if not chosen:
            errors["gemeenten"] = [Msg("Kies voor welke gemeenten het proces werkt.")]
        elif not set(chosen) <= set(served):
            errors["gemeenten"] = [Msg("Kies alleen gemeenten van je eigen organisatie.")]
        roles = known_roles() or frozenset()
        if role not in roles:
            errors["rol"] = [Msg("Kies de rol die de eerste taak krijgt.")]
        if errors or given is None:
            raise ValidationError(Msg("Het nieuwe proces is niet gemaakt."), fields=errors)
        name = given
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            taken = set(uow.session.scalars(select(DefinitionRow.process_key)).all()) \
                | set(uow.session.scalars(select(DraftRow.process_key)).all()) | RESERVED_KEYS
            key = _new_key(name, taken)
            record = _new_record(key, name, organisation, chosen, role, clock.local_date(moment),
                                 self._vocabulary_text())
            record, problems = self._check(record)
            if any(p.refusal for p in problems):  # the skeleton is the product's own: it must pass
                raise DefinitionError(Msg("het nieuwe proces kon niet worden gemaakt: %(redenen)s",
                                          redenen=_reasons(problems)))
            row = DraftRow(process_key=key, organisation=organisation, base_definition_id=None, author=user,
                           editors=_json([user]), created_at=moment, updated_at=moment, change_note="",
                           status="concept", record=_json(record),
                           problems=_json([p.to_dict() for p in problems]))
            uow.session.add(row)
            uow.flush()
            self._event(uow, row, "proces_aangemaakt", user, moment, {"naam": name, "gemeenten": chosen})
            uow.commit()
        return {"process": key}

    def new_form(self, key: str, user: str, title: str, at: datetime | None = None) -> str:
        """A new form of process ``key`` in its draft, titled ``title``, with one field to begin with
        (the shared ``toelichting``), to build on in the form builder and name on a task in the
        modeler. Its id comes from the process key and the title (numbered when taken); returned."""
        given = _given_name(title)
        if given is None:
            raise ValidationError(Msg("Het formulier is niet gemaakt."),
                                  fields={"titel": [Msg("Geef het formulier een titel van 3 tot 120 tekens.")]})
        record = self.working_record(key)
        taken = set(record["forms"]) | set(FormRegistry.load_dir(self.forms_dir).forms)
        form_id = _new_key(f"{key}_{given}", taken, limit=80)
        doc = {"id": form_id, "title": given, "type": "object", "properties": {"toelichting": {}}, "required": []}
        self.save_draft(key, user, forms={form_id: json.dumps(doc, ensure_ascii=False, indent=1)}, at=at)
        return form_id

    def remove_form(self, key: str, user: str, form_id: str, at: datetime | None = None) -> None:
        """Take a form of the process's own out of its draft; refused while a task names it."""
        record = self.working_record(key)
        if form_id not in record["forms"] or shared_form(form_id):
            raise NotFound(Msg("formulier '%(fid)s' hoort niet bij dit proces", fid=form_id[:100]))
        task = task_naming(record, form_id)
        if task:
            raise Conflict(Msg("het formulier wordt nog gebruikt door taak '%(taak)s'; kies daar eerst een ander "
                               "formulier", taak=task))
        self.save_draft(key, user, drop_forms=[form_id], at=at)

    def municipalities_of(self, organisation: str) -> list[str]:
        """The municipalities the processes of ``organisation`` serve (a new process may serve these)."""
        with self.db.unit_of_work(write=False) as uow:
            texts = uow.session.scalars(select(DefinitionRow.municipalities).where(
                DefinitionRow.organisation == organisation)).all()
        return sorted(set().union(*(municipalities_in(text) for text in texts)))

    def discard_draft(self, key: str, user: str, at: datetime | None = None) -> None:
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self._require_draft(uow, key)
            row.status = "verworpen"
            self._event(uow, row, "concept_verworpen", user, moment, {})
            uow.commit()

    def check(self, record: Mapping[str, Any]) -> list[dict]:
        """The problems of a set of files, as the draft would store them."""
        return [_shown(p.to_dict()) for p in self._check(dict(record))[1]]

    # ------------------------------------------------------------------ four eyes
    def offer(self, key: str, user: str, effective_from: date, change_note: str,
              at: datetime | None = None) -> dict:
        """Offer the draft for publication from ``effective_from``: it must have no problems
        and a change note. Another designer then approves it."""
        if not change_note.strip():
            raise ValidationError(Msg("beschrijf wat er verandert"))
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self._require_draft(uow, key)
            if json.loads(row.problems):
                raise Conflict(Msg("het concept heeft nog problemen; los ze eerst op"))
            if effective_from < clock.local_date(moment):
                raise ValidationError(Msg("de ingangsdatum ligt in het verleden"))
            row.status = "ter_goedkeuring"
            row.effective_from = effective_from.isoformat()
            row.change_note = change_note.strip()[:4000]
            row.requested_by = user
            row.requested_hash = _record_hash(json.loads(row.record))
            self._event(uow, row, "aangeboden", user, moment, {"geldig_vanaf": row.effective_from,
                                                                "toelichting": row.change_note})
            summary = self._draft_summary(row)
            uow.commit()
        return summary

    def approve(self, key: str, user: str, at: datetime | None = None) -> dict:
        """The second designer approves the offered draft: it is published as a new version
        (through the deploy path) with its effective-from date. Nobody who edited or offered
        the draft may approve it."""
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self._require_draft(uow, key)
            if row.status != "ter_goedkeuring":
                raise Conflict(Msg("het concept is niet aangeboden voor publicatie"))
            if user in json.loads(row.editors) or user == row.requested_by:
                raise Conflict(Msg("vier ogen: een ander dan wie het concept maakte moet het goedkeuren"))
            record = json.loads(row.record)
            if _record_hash(record) != row.requested_hash:
                raise Conflict(Msg("het concept is gewijzigd sinds het werd aangeboden"))
            assert row.effective_from is not None
            record["manifest"] = {**record["manifest"], "geldig_vanaf": row.effective_from}
            bundle = _bundle(record)
            problems = check_bundle(bundle)
            if problems:
                raise Conflict(Msg("het concept heeft problemen: %(problemen)s",
                                   problemen=joined([p.message for p in problems])))
            stored = self.processes.store_bundles(uow, [bundle], user)[0]
            if not stored["created"]:
                raise Conflict(Msg("deze versie bestaat al: het concept verandert niets"))
            row.status = "gepubliceerd"
            row.published_definition_id = stored["id"]
            uow.session.add(PublicationRow(definition_id=stored["id"], draft_id=row.id, author=row.author,
                                           approved_by=user, change_note=row.change_note, published_at=moment))
            self._event(uow, row, "goedgekeurd", user, moment, {"auteur": row.author})
            number = uow.session.scalar(select(func.count()).select_from(DefinitionRow).where(
                DefinitionRow.process_key == key, DefinitionRow.id <= stored["id"]))
            self._event(uow, row, "gepubliceerd", user, moment,
                        {"versie": number, "geldig_vanaf": row.effective_from}, definition_id=stored["id"])
            uow.commit()
        return {"process": key, "number": number, "effective_from": date.fromisoformat(row.effective_from),
                "definition_id": stored["id"]}

    # ------------------------------------------------------------------ files round trip
    def version_zip(self, key: str, number: int) -> bytes:
        """Version ``number`` as a zip of its process folder (plus its forms under ``forms/``)."""
        record = self.version_record(key, number)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(record["manifest"], ensure_ascii=False, indent=2) + "\n")
            for name, text in sorted(own_files(record).items()):
                archive.writestr(name, text)
            for fid, text in sorted(record["forms"].items()):
                archive.writestr(f"forms/{fid}.json", text)
        return buffer.getvalue()

    def upload_file(self, key: str, user: str, filename: str, data: bytes, change_note: str = "",
                    at: datetime | None = None) -> dict:
        """An uploaded file into the draft: a zip of a process folder (:meth:`upload_zip`), one
        BPMN or DMN file (replacing the process's file of that name, or added) or one form
        (``<id>.json``, replacing that form of the process). A file from outside: any problem
        refuses it, nothing stored."""
        name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        if name.lower().endswith(".zip"):
            return self.upload_zip(key, user, data, change_note, at=at)
        if len(data) > MAX_DRAFT_BYTES:
            raise ValidationError(Msg("het bestand is groter dan %(waarde)s kB", waarde=MAX_DRAFT_BYTES // 1024))
        if not name.endswith((".bpmn", ".dmn", ".json")):
            raise ValidationError(Msg("kies een zip-bestand van een procesmap, of een .bpmn-, .dmn- of "
                                      ".json-bestand (formulier)"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(Msg("%(name)s: geen UTF-8-tekst", name=name[:100])) from None
        if name.endswith(".json"):
            fid = name[:-5]
            if fid not in self.working_record(key)["forms"]:
                raise ValidationError(Msg("formulier '%(fid)s' hoort niet bij dit proces", fid=fid[:100]))
            return self.save_draft(key, user, forms={fid: text}, change_note=change_note or None, at=at,
                                   from_file=True)
        return self.save_draft(key, user, files={name: text}, change_note=change_note or None, at=at,
                               from_file=True)

    def upload_zip(self, key: str, user: str, data: bytes, change_note: str = "",
                   at: datetime | None = None) -> dict:
        """A zip of a process folder becomes the draft — its files and forms replace the process's own,
        the shared files stay —: a file from outside, so any problem refuses it with nothing stored
        (as ``werkpad processes deploy`` does)."""
        if len(data) > MAX_ZIP_BYTES:
            raise ValidationError(Msg("het zip-bestand is groter dan %(waarde)s kB",
                                      waarde=MAX_ZIP_BYTES // 1024))
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValidationError(Msg("dit is geen zip-bestand")) from exc
        if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_DRAFT_BYTES:
            raise ValidationError(Msg("het zip-bestand bevat te veel of te grote bestanden"))
        files: dict[str, str] = {}
        forms: dict[str, str] = {}
        manifest = None
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename.rsplit("/", 1)[-1]
            try:
                text = archive.read(info).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValidationError(Msg("%(name)s: geen UTF-8-tekst", name=name)) from exc
            if name == MANIFEST:
                try:
                    manifest = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValidationError(Msg("%(MANIFEST)s: geen geldige JSON", MANIFEST=MANIFEST)) from exc
            elif name.endswith((".bpmn", ".dmn")):
                files[name] = text  # read by the hardened parser in the checks: no DOCTYPE, entities, network
            elif name.endswith(".json") and "forms/" in info.filename:
                forms[name[:-5]] = text
        if not files:
            raise ValidationError(Msg("het zip-bestand bevat geen .bpmn- of .dmn-bestand"))
        if manifest is not None and not isinstance(manifest, dict):
            raise ValidationError(Msg("%(MANIFEST)s: verwacht een object", MANIFEST=MANIFEST))
        return self.save_draft(key, user, files=files, forms=forms, manifest=manifest,
                               change_note=change_note or None, at=at, from_file=True, whole=True)

    # ------------------------------------------------------------------ diff
    def diff(self, key: str, old: int | str, new: int | str) -> dict:
        """Elements added, removed and changed between two versions (or a version and the
        draft: ``"concept"``), compared by element id; forms compared field by field."""
        a, b = self._record_for(key, old), self._record_for(key, new)
        return diff_records(a, b)

    def _record_for(self, key: str, which: int | str) -> dict:
        if which == "concept":
            draft = self.draft(key)
            if draft is None:
                raise NotFound(Msg("er is geen concept"))
            return draft["record"]
        return self.version_record(key, int(which))

    # ------------------------------------------------------------------ migration
    def migration_report(self, key: str, number: int) -> list[dict]:
        """Per running case of older versions: can it move to version ``number``, and if not, why."""
        target = self._version_row(key, number)
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.execute(select(CaseRow.id, CaseRow.client_name, CaseRow.definition_id,
                                              CaseRow.phase, CaseRow.case_number).where(
                CaseRow.process_key == key, CaseRow.status.in_(("running", "waiting")),
                CaseRow.definition_id != target.id).order_by(CaseRow.started_at)).all()
            ids = [r.id for r in uow.session.scalars(select(DefinitionRow).where(
                DefinitionRow.process_key == key).order_by(DefinitionRow.id))]
        out = []
        for case_id, name, definition_id, phase, case_number in rows:
            warnings: list[Msg] = []
            try:
                warnings = self.processes.migrate_case(case_id, target.version_hash, dry_run=True)["warnings"]
                reason = None
            except WerkpadError as exc:
                reason = exc.message
            out.append({"case": case_id, "number": case_number, "client": name, "phase": phase,
                        "from": ids.index(definition_id) + 1 if definition_id in ids else None,
                        "can_move": reason is None, "reason": reason, "warnings": warnings})
        return out

    def migrate_cases(self, key: str, number: int, actor: Actor | str, case_ids: list[str] | None = None,
                      at: datetime | None = None, context: RequestContext | None = None) -> list[dict]:
        """Move every movable running case (or those named) to version ``number``; one audited
        event per case (``version_migrated`` in the case's trail and a designer event). For a
        person the one policy decides per case (:func:`policy.may_edit_design`) and each move's
        access-log row is in that case's unit of work."""
        who = as_actor(actor)
        target = self._version_row(key, number)
        organisation = target.organisation
        out = []
        for item in self.migration_report(key, number):
            if case_ids is not None and item["case"] not in case_ids:
                continue
            if not item["can_move"]:
                out.append(item | {"moved": False})
                continue
            def designer_event(uow, moment, item=item) -> None:  # in the case's own unit of work
                uow.session.add(DesignerEventRow(
                    process_key=key, organisation=organisation, type="zaak_overgezet", actor=who.username, at=moment,
                    draft_id=None, definition_id=target.id,
                    payload=_json({"zaak": item["case"], "van": item["from"], "naar": number})))
            try:
                self.processes.migrate_case(item["case"], target.version_hash, user=who, at=at, also=designer_event,
                                            context=context)
            except WerkpadError as exc:
                out.append(item | {"moved": False, "reason": exc.message})
                continue
            out.append(item | {"moved": True})
        return out

    # ------------------------------------------------------------------ internals
    def _check(self, record: dict) -> tuple[dict, list[Problem]]:
        """Complete the record's forms from the shared forms folder and check it. The refusals
        come first and alone (nothing else is judged of a file that is refused)."""
        if not record.get("vocabulary") or record["vocabulary"] == "{}":
            record["vocabulary"] = self._vocabulary_text()
        refused = refusals(record["files"], record["forms"], record["vocabulary"])
        if refused:
            return record, refused
        problems: list[Problem] = []
        try:  # the forms the user tasks name, as a deploy finds them (main process and what it calls)
            bundle = bundle_from_files(record["manifest"], record["files"], {})
            never = never_run(bundle)  # in words, before SpiffWorkflow's parser stops at one in English
            if never:
                return record, never
            spec, subprocess_specs = bundle.specs()
        except WerkpadError as exc:
            return record, [Problem(exc.message)]
        except Exception as exc:  # noqa: BLE001 - the BPMN parser's own errors: reported, not raised
            return record, [Problem(Msg("het proces kan niet worden gelezen: %(fout)s", fout=str(exc)))]
        needed: set[str] = {str(properties(ts).get("formulier")) for s in [spec, *subprocess_specs.values()]
                            for ts in s.task_specs.values()
                            if getattr(ts, "manual", False) and properties(ts).get("formulier")}
        registry = FormRegistry.load_dir(self.forms_dir)
        forms = {fid: record["forms"].get(fid) or registry.raw_sources([fid]).get(fid) for fid in sorted(needed)}
        for fid, text in forms.items():
            if text is None:
                problems.append(Problem(Msg("formulier '%(formulier)s' bestaat niet", formulier=fid),
                                        _element_with_form(record, fid), None))
        taken = {fid: text for fid, text in forms.items() if text is not None and fid not in record["forms"]}
        # the forms the tasks name, and the process's own that no task names (yet): a form the designer
        # just made, or one whose task was taken away, stays with the process until it is removed
        record["forms"] = {k: v for k, v in forms.items() if v is not None} | {
            fid: text for fid, text in record["forms"].items() if fid not in forms and not shared_form(fid)}
        refused = refusals(record["files"], taken, record["vocabulary"]) if taken else []
        if refused:  # a form from the shared folder that cannot be used
            return record, refused
        if problems:
            return record, problems
        try:
            bundle = _bundle(record)
            found = check_bundle(bundle)
        except WerkpadError as exc:
            listed = exc.details.get("problems")
            found = [Problem(str(p)) for p in (listed if isinstance(listed, list) and listed else [exc.message])]
        return record, [_locate(p, record) for p in found]

    def _refuse_foreign_municipalities(self, key: str, manifest: Mapping[str, Any]) -> None:
        """A draft may not take over a municipality another organisation's process serves."""
        wanted = manifest.get("gemeenten") or {key: {}}
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.execute(select(DefinitionRow.organisation, DefinitionRow.municipalities).where(
                DefinitionRow.organisation != manifest.get("organisatie"))).all()
        taken = {m for _org, text in rows for m in json.loads(text)}
        foreign = sorted(set(wanted) & taken)
        if foreign:
            raise ValidationError(Msg("deze gemeenten horen bij een andere organisatie: %(gemeenten)s",
                                      gemeenten=", ".join(foreign)))

    def _open_draft(self, uow: UnitOfWork, key: str) -> DraftRow | None:
        return uow.session.scalars(select(DraftRow).where(DraftRow.process_key == key,
                                                          DraftRow.status.in_(OPEN))
                                   .order_by(DraftRow.id.desc())).first()

    def _require_draft(self, uow: UnitOfWork, key: str) -> DraftRow:
        row = self._open_draft(uow, key)
        if row is None:
            raise NotFound(Msg("proces '%(key)s' heeft geen concept", key=key))
        return row

    def _version_row(self, key: str, number: int) -> DefinitionRow:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                       .order_by(DefinitionRow.id)).all()
        if not 1 <= number <= len(rows):
            raise NotFound(Msg("versie %(number)s van proces '%(key)s' bestaat niet", number=number, key=key))
        return rows[number - 1]

    def _draft_summary(self, row: DraftRow) -> dict:
        return {"id": row.id, "status": row.status, "author": row.author, "editors": json.loads(row.editors),
                "change_note": row.change_note, "created_at": row.created_at, "updated_at": row.updated_at,
                "effective_from": date.fromisoformat(row.effective_from) if row.effective_from else None,
                "requested_by": row.requested_by, "problems": [_shown(p) for p in json.loads(row.problems)]}

    def _event(self, uow: UnitOfWork, row: DraftRow, kind: str, actor: str, moment: datetime, payload: dict,
               definition_id: int | None = None) -> None:
        uow.session.add(DesignerEventRow(process_key=row.process_key, organisation=row.organisation, type=kind,
                                         actor=actor, at=moment, draft_id=row.id, definition_id=definition_id,
                                         payload=_json(payload)))


_NEW_FIRST_FORM = "eerste_gesprek"
RESERVED_KEYS = frozenset({"nieuw", "vocabulaire"})  # pages of the designer's own (/ontwerp/nieuw)


def shared_form(form_id: str) -> bool:
    """A form of the shared folder (``gedeeld_…``): it comes with a version only while a task names it."""
    return form_id.startswith(SHARED_DIR + "_")


def task_naming(record: Mapping[str, Any], form_id: str) -> str | None:
    """The name of a task of the process (``record``: its files) that names form ``form_id``; None: none does."""
    element = _element_with_form(record, form_id)
    return (_elements(record).get(element or "", {}).get("name") or element) if element else None


def _given_name(text: str | None) -> str | None:
    """A name people give (a process, a form): its words with single spaces, 3 to 120 printable
    characters; None when it is not one."""
    name = " ".join((text or "").split())
    return name if 3 <= len(name) <= 120 and name.isprintable() else None


def _new_key(name: str, taken: set[str], limit: int = 40) -> str:
    """A process key (or form id) from its name: plain lower-case letters, digits and underscores
    ('Súdwest bezwaar' -> 'sudwest_bezwaar'), at most ``limit`` long, numbered when already taken."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:limit].strip("_") or "proces"
    if slug[0].isdigit():
        slug = f"proces_{slug}"[:limit]
    key, n = slug, 1
    while key in taken:
        n += 1
        key = f"{slug}_{n}"
    return key


def _new_record(key: str, name: str, organisation: str, municipalities: list[str], role: str, today: date,
                vocabulary: str) -> dict[str, Any]:
    """The files of a new process: a start, one first task (in the lane of ``role``, with a
    form of its own asking whether the talk took place and what came of it), an end; laid out."""
    from ..core.layout import apply_layout

    form_id = f"{key}_{_NEW_FIRST_FORM}"
    process_id = f"{key}_proces"
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:spiffworkflow="{SPIFF_NS}"
                  id="Definitions_{key}" targetNamespace="https://werkpad.nl/bpmn/{key}">
  <bpmn:process id="{process_id}" name={quoteattr(name)} isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_1" name={quoteattr(role)}>
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>eerste_gesprek</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Melding ontvangen">
      <bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="eerste_gesprek" />
    <bpmn:userTask id="eerste_gesprek" name="Eerste gesprek voeren">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="fase" value="poort" />
          <spiffworkflow:property name="formulier" value="{form_id}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:outgoing>f_einde</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_einde" sourceRef="eerste_gesprek" targetRef="einde" />
    <bpmn:endEvent id="einde" name="Afgerond">
      <bpmn:incoming>f_einde</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
    form = {"id": form_id, "title": "Eerste gesprek",
            "description": "Leg vast of het gesprek is gevoerd en wat eruit kwam.", "type": "object",
            "properties": {"gesprek_gevoerd": {}, "toelichting": {}}, "required": ["gesprek_gevoerd"]}
    manifest = {"sleutel": key, "naam": name, "organisatie": organisation,
                "gemeenten": {m: {} for m in municipalities}, "proces": process_id,
                "geldig_vanaf": today.isoformat(), "toelichting": ""}
    return {"manifest": manifest, "files": {f"{key}.bpmn": apply_layout(bpmn)[0]},
            "forms": {form_id: json.dumps(form, ensure_ascii=False, indent=1)}, "vocabulary": vocabulary}


def _reasons(problems: Sequence[Problem]) -> Msg:
    """The reasons of a refusal in one line: the first few, the rest counted."""
    texts = [p.text() for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        texts.append(Msg("en nog %(aantal)s", aantal=len(problems) - MAX_LISTED))
    return joined(texts)


def _refusal(message: Msg, problems: Sequence[Problem]) -> ValidationError:
    """A refused save: the message, and the problems for showing on the diagram."""
    return ValidationError(message, problemen=[_shown(p.to_dict()) for p in problems])


def decision_tables(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The process's own DMN files with the name a person knows each by (the decision's
    name, else the file name) and the ids of their decisions, in file order; a file that
    cannot be read keeps its name."""
    out = []
    for name, text in sorted(own_files(record).items()):
        if not name.endswith(".dmn"):
            continue
        title = name[:-4]
        decisions: list[str] = []
        try:
            root = parse_definition(name, text)
            decisions = [d.get("id", "") for d in root.iter(f"{{{DMN_NS}}}decision")]
            decision = root.find(f"{{{DMN_NS}}}decision")
            if decision is not None and decision.get("name"):
                title = decision.get("name", title)
            elif root.get("name"):
                title = root.get("name", title)
        except DefinitionError:
            pass
        out.append({"file": name, "name": title, "decisions": decisions})
    return out


def _bundle(record: Mapping[str, Any]) -> Bundle:
    return bundle_from_files(record["manifest"], record["files"], record["forms"], record.get("vocabulary", "{}"))


def _current(rows: Sequence[DefinitionRow], today: date) -> DefinitionRow | None:
    effective = [r for r in rows if r.effective_from <= today]
    return max(effective, key=lambda r: (r.effective_from, r.id)) if effective else None


def _shown(stored: Mapping[str, Any]) -> dict:
    """A problem as the draft gives it: its message (a Msg when template and values were stored
    with it, see :meth:`Problem.to_dict`), element and file."""
    return {"message": message_from_dict(stored), "element": stored.get("element"), "file": stored.get("file")}


def _element_with_form(record: Mapping[str, Any], form_id: str) -> str | None:
    for element in _elements(record).values():
        if element["properties"].get("formulier") == form_id:
            return element["id"]
    return None


def _locate(problem: Problem, record: Mapping[str, Any]) -> Problem:
    """A problem without an element: find the element its message names (by id or name)."""
    if problem.element:
        return problem
    elements = _elements(record)
    by_name = {e["name"]: e["id"] for e in elements.values() if e.get("name")}
    for match in _ELEMENT_IN_TEXT.finditer(problem.message):
        ident, name = match.group(1), match.group(2)
        if ident and ident in elements:
            return replace(problem, element=ident, file=elements[ident]["file"])
        if name and name in by_name:
            return replace(problem, element=by_name[name], file=elements[by_name[name]]["file"])
        if name and name in elements:
            return replace(problem, element=name, file=elements[name]["file"])
    return problem


# ---------------------------------------------------------------------- comparing versions
_SKIP = {"extensionElements", "incoming", "outgoing", "flowNodeRef", "laneSet", "documentation", "property",
         "properties", "conditionExpression", "timeDuration", "timeDate", "timeCycle", "script"}


def _elements(record: Mapping[str, Any]) -> dict[str, dict]:
    """Every BPMN element with an id in the process's own files: type, name, properties,
    role (lane), flow ends, condition, timer and script."""
    out: dict[str, dict] = {}
    for name, text in own_files(record).items():
        if not name.endswith(".bpmn"):
            continue
        try:
            root = parse_definition(name, text)
        except DefinitionError:
            continue
        lanes = {}
        for lane in root.iter(f"{{{BPMN_NS}}}lane"):
            for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
                lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
        for el in root.iter():
            if not isinstance(el.tag, str) or not el.tag.startswith(f"{{{BPMN_NS}}}") or not el.get("id"):
                continue
            kind = etree.QName(el).localname
            if kind in _SKIP or kind in ("definitions", "process", "lane"):
                continue
            props = {p.get("name"): p.get("value") for p in el.iter(f"{{{SPIFF_NS}}}property")}
            item: dict[str, Any] = {"id": el.get("id"), "type": kind, "name": el.get("name") or "",
                                    "properties": props, "file": name, "rol": lanes.get(el.get("id"))}
            for attr in ("sourceRef", "targetRef", "attachedToRef", "cancelActivity", "calledElement",
                         "messageRef"):
                if el.get(attr) is not None:
                    item[attr] = el.get(attr)
            if kind == "boundaryEvent":  # the default, which modelers leave out
                item["cancelActivity"] = el.get("cancelActivity", "true")
            for tag in ("conditionExpression", "timeDuration", "timeDate", "timeCycle", "script"):
                found = el.find(f".//{{{BPMN_NS}}}{tag}")
                if found is not None:
                    item[tag] = (found.text or "").strip()
            out[item["id"]] = item
    return out


_LABELS = {"name": "naam", "type": "soort", "rol": "rol", "sourceRef": "van", "targetRef": "naar",
           "attachedToRef": "vast aan", "conditionExpression": "voorwaarde", "timeDuration": "timer",
           "timeDate": "timer", "timeCycle": "timer", "script": "script", "cancelActivity": "onderbrekend",
           "calledElement": "roept aan", "messageRef": "bericht"}


def diff_records(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict:
    a, b = _elements(old), _elements(new)
    added = [b[k] for k in b if k not in a]
    removed = [a[k] for k in a if k not in b]
    changed = []
    for k in a:
        if k not in b:
            continue
        changes = []
        for field in _LABELS:
            if field == "type" or a[k].get(field) != b[k].get(field):
                if a[k].get(field) != b[k].get(field):
                    changes.append({"field": _LABELS[field], "old": a[k].get(field), "new": b[k].get(field)})
        for prop in sorted(set(a[k]["properties"]) | set(b[k]["properties"])):
            if a[k]["properties"].get(prop) != b[k]["properties"].get(prop):
                changes.append({"field": prop, "old": a[k]["properties"].get(prop),
                                "new": b[k]["properties"].get(prop)})
        if changes:
            changed.append({"id": k, "name": b[k]["name"] or a[k]["name"], "type": b[k]["type"],
                            "changes": changes})
    return {"added": added, "removed": removed, "changed": changed,
            "forms": _diff_forms(old.get("forms", {}), new.get("forms", {})),
            "tables": diff_tables(old, new),
            "manifest": [{"field": f, "old": old["manifest"].get(f), "new": new["manifest"].get(f)}
                         for f in sorted(set(old["manifest"]) | set(new["manifest"]))
                         if old["manifest"].get(f) != new["manifest"].get(f)]}


def _table_contents(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per decision table (by decision id): its name, hit policy, columns and rules, each
    rule as its number, input entries, output entries and description."""
    out: dict[str, dict[str, Any]] = {}
    for file, text in own_files(record).items():
        if not file.endswith(".dmn"):
            continue
        try:
            root = parse_definition(file, text)
        except DefinitionError:
            continue
        for decision in root.iter(f"{{{DMN_NS}}}decision"):
            table = decision.find(f"{{{DMN_NS}}}decisionTable")
            if table is None:
                continue

            def texts(node: etree._Element, tag: str) -> list[str]:
                return [" ".join((e.findtext(f"{{{DMN_NS}}}text") or "").split())
                        for e in node.findall(f"{{{DMN_NS}}}{tag}")]

            expression = f"{{{DMN_NS}}}inputExpression/{{{DMN_NS}}}text"
            columns = [f"{i.get('label') or ''} ({' '.join((i.findtext(expression) or '').split())})"
                       for i in table.findall(f"{{{DMN_NS}}}input")]
            outputs = [f"{o.get('label') or o.get('name') or ''} ({o.get('name') or ''})"
                       for o in table.findall(f"{{{DMN_NS}}}output")]
            rules = {}
            for number, rule in enumerate(table.findall(f"{{{DMN_NS}}}rule"), start=1):
                rules[rule.get("id") or str(number)] = {
                    "number": number, "when": texts(rule, "inputEntry"), "then": texts(rule, "outputEntry"),
                    "description": " ".join((rule.findtext(f"{{{DMN_NS}}}description") or "").split())}
            out[decision.get("id") or file] = {"name": decision.get("name") or decision.get("id") or file,
                                               "hit_policy": table.get("hitPolicy", "UNIQUE"),
                                               "inputs": columns, "outputs": outputs, "rules": rules}
    return out


def _rule_text(rule: Mapping[str, Any]) -> str:
    return (f"als {' · '.join(t or '-' for t in rule['when'])} dan {' · '.join(t or '-' for t in rule['then'])}"
            + (f" ({rule['description']})" if rule["description"] else ""))


def diff_tables(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The decision tables that differ, rule by rule: rules added, removed and changed (by
    their number in the new table), and changed columns or hit policy, in words."""
    a, b = _table_contents(old), _table_contents(new)
    out: list[dict[str, Any]] = []
    for ident in sorted(set(a) | set(b)):
        if ident not in a:
            out.append({"table": b[ident]["name"], "change": "toegevoegd", "items": []})
            continue
        if ident not in b:
            out.append({"table": a[ident]["name"], "change": "verwijderd", "items": []})
            continue
        ta, tb = a[ident], b[ident]
        items: list[dict[str, str]] = []
        if ta["hit_policy"] != tb["hit_policy"]:
            items.append({"change": "gewijzigd", "text": f"beslisregel {ta['hit_policy']} → {tb['hit_policy']}"})
        for kind, word in (("inputs", "invoer"), ("outputs", "uitvoer")):
            if ta[kind] != tb[kind]:
                items.append({"change": "gewijzigd",
                              "text": f"{word}kolommen {', '.join(ta[kind]) or '—'} → {', '.join(tb[kind]) or '—'}"})
        for rid, rule in tb["rules"].items():
            before = ta["rules"].get(rid)
            if before is None:
                items.append({"change": "toegevoegd", "text": f"regel {rule['number']}: {_rule_text(rule)}"})
            elif (before["when"], before["then"], before["description"]) != (rule["when"], rule["then"],
                                                                               rule["description"]):
                items.append({"change": "gewijzigd", "text": f"regel {rule['number']}: {_rule_text(before)} → "
                                                             f"{_rule_text(rule)}"})
        for rid, rule in ta["rules"].items():
            if rid not in tb["rules"]:
                items.append({"change": "verwijderd", "text": f"regel {rule['number']} (oud): {_rule_text(rule)}"})
        if items:
            out.append({"table": tb["name"], "change": "gewijzigd", "items": items})
    return out


def _diff_forms(old: Mapping[str, str], new: Mapping[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fid in sorted(set(old) | set(new)):
        if fid not in old:
            out.append({"form": fid, "change": "toegevoegd", "fields": []})
            continue
        if fid not in new:
            out.append({"form": fid, "change": "verwijderd", "fields": []})
            continue
        if old[fid] == new[fid]:
            continue
        try:
            a, b = json.loads(old[fid]), json.loads(new[fid])
        except json.JSONDecodeError:
            out.append({"form": fid, "change": "gewijzigd", "fields": []})
            continue
        fa = _form_fields(a)
        fb = _form_fields(b)
        fields: list[dict[str, Any]] = []
        for name in list(fa) + [n for n in fb if n not in fa]:
            if name not in fb:
                fields.append({"field": name, "change": "verwijderd"})
            elif name not in fa:
                fields.append({"field": name, "change": "toegevoegd"})
            elif fa[name] != fb[name]:
                fields.append({"field": name, "change": "gewijzigd", "old": fa[name], "new": fb[name]})
        out.append({"form": fid, "change": "gewijzigd", "fields": fields})
    return out


def _form_fields(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        return {}
    schema = doc.get("schema", doc)
    props = schema.get("properties") if isinstance(schema, dict) else None
    required = set(schema.get("required", [])) if isinstance(schema, dict) else set()
    fields: dict[str, Any] = {}
    if isinstance(props, dict):
        for name, prop in props.items():
            fields[name] = {**(prop if isinstance(prop, dict) else {"waarde": prop}), "verplicht": name in required}
    elif isinstance(doc.get("velden"), list):
        for item in doc["velden"]:
            if isinstance(item, dict) and item.get("naam"):
                fields[item["naam"]] = item
            elif isinstance(item, str):
                fields[item] = {}
    return fields
