"""The auditor's workspace (AuditorWorkspace), its use cases: find any case, read its history with the case data
that changed at each event, see the case as it was right after any event
(rebuilt by replaying its events), verify cases and whole organisations, write
and check a signed integrity anchor, and export a case file (JSON and shaped
like the ZGW Zaken API).

Built on the public :class:`engine.Werkpad` API, the storage models and
:class:`engine.runtime.CaseRuntime`. Nothing here changes a case (a background verification
keeps its own progress and findings in ``audit_runs``).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time as time_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, or_, select

from ..core import audit, clock
from ..core.bsn import is_valid_rsin, normalise_bsn
from ..core.findings import closed_after_error
from ..core.messages import Msg
from ..core.runtime import CaseRuntime, Observation
from ..errors import NotFound, ValidationError, WerkpadError
from ..storage import CaseRow, DefinitionRow, DestructionRow, EventRow
from ..storage.accounts_models import AccessLogRow, OrganisationRow
from ..storage.models import AuditRunRow
from . import case_numbers
from .auditing import BOOKKEEPING, apply_event
from .repository import cases_in_error

if TYPE_CHECKING:
    from .facade import Werkpad

ANCHOR_FORMAT = "werkpad-anker/1"
ANCHOR_KEY_ENV = "WERKPAD_ANCHOR_KEY"
STATUSES = ("running", "waiting", "completed", "withdrawn", "error")
ZGW_DOORLOOPTIJD = "P56D"  # the Participatiewet's decision period: 8 weeks
# events that change nothing in the workflow (the state stays as it was)
_BOOKKEEPING = ("task_claimed", "task_unclaimed", "task_assigned", "note_added", "case_closed_in_error",
                "engine_versions_changed")


@dataclass
class CaseSearch:
    text: str | None = None  # client name (part), BSN or case id
    process: str | None = None
    status: str | None = None
    started_from: date | None = None
    started_to: date | None = None
    page: int = 1
    per_page: int = 25


@dataclass
class Step:
    """One event and the case right after it."""

    event: EventRow
    observation: Observation | None
    error: str | None = None
    decisions: list[dict] | None = None  # decision tables the replayed step evaluated



def diff_data(before: dict, after: dict) -> dict:
    """Fields added, changed (old → new) and removed between two versions of the case data."""
    added = {k: after[k] for k in sorted(after) if k not in before}
    removed = {k: before[k] for k in sorted(before) if k not in after}
    changed = {k: {"old": before[k], "new": after[k]} for k in sorted(after)
               if k in before and before[k] != after[k]}
    return {"added": added, "changed": changed, "removed": removed}


class AuditorWorkspace:
    """Read-only use cases for auditors, limited to the organisations passed in."""

    def __init__(self, werkpad: Werkpad) -> None:
        self.wp = werkpad
        self.db = werkpad.db

    # ------------------------------------------------------------------ finding cases
    def processes(self, organisations: list[str]) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.execute(select(DefinitionRow.process_key, DefinitionRow.name)
                                       .where(DefinitionRow.organisation.in_(organisations or [""]))
                                       .order_by(DefinitionRow.id)).all()
        names = {key: name for key, name in rows}
        return [{"process": k, "name": names[k]} for k in sorted(names, key=lambda k: names[k].lower())]

    def find_cases(self, organisations: list[str], query: CaseSearch) -> dict:
        """Every case of ``organisations`` matching ``query`` (open, closed, withdrawn, in error), newest first."""
        conditions: list[ColumnElement[bool]] = [CaseRow.organisation.in_(organisations or [""])]
        text = (query.text or "").strip()
        if text:
            digits = text.replace(" ", "").replace(".", "")
            number = case_numbers.normalise(text)
            wanted: list[ColumnElement[bool]] = []
            if number is not None:  # what people type is the case number: 2026-000123 (or 2026-123)
                wanted.append(CaseRow.case_number == number)
            if digits.isdigit() and len(digits) <= 9:  # "2026 4" may be either: both are looked for
                wanted.append(CaseRow.bsn == normalise_bsn(digits))
            elif len(text) == 16 and all(c in "0123456789abcdef" for c in text.lower()):
                wanted.append(CaseRow.id == text.lower())
            elif number is None:
                wanted.append(func.lower(CaseRow.client_name).contains(text.lower(), autoescape=True))
            conditions.append(or_(*wanted))
        if query.process:
            conditions.append(CaseRow.process_key == query.process)
        if query.status:
            conditions.append(CaseRow.status == query.status if query.status != "open"
                              else CaseRow.status.in_(("running", "waiting")))
        if query.started_from:
            conditions.append(CaseRow.started_at >= clock.day_start(query.started_from))
        if query.started_to:
            conditions.append(CaseRow.started_at < clock.day_end(query.started_to))
        per_page = max(1, min(query.per_page, 200))
        with self.db.unit_of_work(write=False) as uow:
            total = uow.session.scalar(select(func.count()).select_from(CaseRow).where(*conditions)) or 0
            pages = max(1, -(-total // per_page))
            page = max(1, min(query.page, pages))
            rows = uow.session.execute(
                select(CaseRow, DefinitionRow.name).join(DefinitionRow, DefinitionRow.id == CaseRow.definition_id)
                .where(*conditions).order_by(CaseRow.started_at.desc(), CaseRow.id)
                .offset((page - 1) * per_page).limit(per_page)).all()
            items = [{"id": c.id, "number": c.case_number, "client": c.client_name, "bsn": c.bsn,
                      "municipality": c.municipality,
                      "organisation": c.organisation, "process": c.process_key, "process_name": name,
                      "status": c.status, "error": c.error, "phase": c.phase, "started_at": c.started_at,
                      "ended_at": c.ended_at, "events": c.last_seq} for c, name in rows]
        return {"items": items, "total": total, "page": page, "pages": pages, "per_page": per_page}

    def case_ids(self, organisations: list[str] | None) -> list[str]:
        """The ids of the cases of ``organisations`` (None: every case), oldest first."""
        query = select(CaseRow.id).order_by(CaseRow.started_at, CaseRow.id)
        if organisations is not None:
            query = query.where(CaseRow.organisation.in_(organisations or [""]))
        with self.db.unit_of_work(write=False) as uow:
            return list(uow.session.scalars(query))

    def case_labels(self, case_ids: list[str], organisations: list[str] | None) -> dict[str, tuple[str, str | None]]:
        """Client name and readable case number (2026-000123) of those cases that belong to
        ``organisations`` (the others stay unnamed; None: every organisation, for the server's
        operator), in one read."""
        ids = sorted({c for c in case_ids if c})
        if not ids:
            return {}
        with self.db.unit_of_work(write=False) as uow:
            query = select(CaseRow.id, CaseRow.client_name, CaseRow.case_number).where(CaseRow.id.in_(ids))
            if organisations is not None:
                query = query.where(CaseRow.organisation.in_(organisations or [""]))
            rows = uow.session.execute(query).all()
        return {case_id: (name, number or None) for case_id, name, number in rows}

    def cases_in_error(self, organisation: str, limit: int = 200) -> list[dict]:
        """The organisation's cases in error now, newest first: a verification checks their recorded
        history, not their stored state (which may be what broke)."""
        with self.db.unit_of_work(write=False) as uow:
            return cases_in_error(uow.session, [organisation], limit)

    def access_log(self, organisations: list[str], subject: str | None = None, case_id: str | None = None,
                   username: str | None = None, page: int = 1, per_page: int = 50) -> dict:
        """A page of the access log about ``organisations``' cases, newest first. ``subject`` is the
        pseudonym of a data subject (see ``Accounts.pseudonymise``); ``per_page=0`` gives everything."""
        conditions: list[ColumnElement[bool]] = [AccessLogRow.organisation.in_(organisations or [""])]
        if subject:
            conditions.append(AccessLogRow.data_subject_id == subject)
        if case_id:
            # what people type is the case number (2026-000123); the log keeps the case's id
            conditions.append(AccessLogRow.case_id == (self.case_id_of(case_id, organisations) or case_id))
        if username:
            conditions.append(AccessLogRow.username == username)
        with self.db.unit_of_work(write=False) as uow:
            total = uow.session.scalar(select(func.count()).select_from(AccessLogRow).where(*conditions)) or 0
            query = select(AccessLogRow).where(*conditions).order_by(AccessLogRow.id.desc())
            pages, requested, page = 1, page, 1
            if per_page:
                pages = max(1, -(-total // per_page))
                page = max(1, min(requested, pages))
                query = query.offset((page - 1) * per_page).limit(per_page)
            items: list[dict[str, Any]] = [
                {"at": r.started_at, "user": r.username, "operation": r.operation, "purpose": r.purpose,
                 "status": r.status, "organisation": r.organisation, "case": r.case_id, "task": r.task_id,
                 "subject": r.data_subject_id, "trace_id": r.trace_id}
                for r in uow.session.scalars(query)]
        labels = self.case_labels([i["case"] for i in items], organisations)
        for item in items:
            item["client"], item["number"] = labels.get(item["case"], (None, None))
        return {"items": items, "total": total, "page": page, "pages": pages}

    def case_id_of(self, number: str, organisations: list[str]) -> str | None:
        """The id of the case with this readable number in ``organisations``, if there is one."""
        normal = case_numbers.normalise(number)
        if normal is None:
            return None
        with self.db.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(CaseRow.id).where(
                CaseRow.case_number == normal, CaseRow.organisation.in_(organisations or [""])))

    # ------------------------------------------------------------------ replaying step by step
    def _events(self, uow, case_id: str) -> tuple[CaseRow, list[EventRow]]:
        row = uow.session.get(CaseRow, case_id) if case_id and len(case_id) <= 32 else None
        if row is None:
            raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
        events = list(uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                          .order_by(EventRow.seq)))
        return row, events

    def _steps(self, uow, events: list[EventRow], until: int | None = None) -> Iterator[Step]:
        """Replay ``events`` on the versions they ran on, yielding the case after each one (like
        the engine's replay). After an event that cannot be replayed the rest come without state."""
        runtime: CaseRuntime | None = None
        observation: Observation | None = None
        broken: str | None = None
        for ev in events:
            if until is not None and ev.seq > until:
                return
            decided: list[dict] = []
            if broken is None and ev.type not in _BOOKKEEPING:
                try:
                    runtime = _apply(runtime, ev, lambda h: self.wp.repo.bundle_by_hash(uow, h))
                    observation = runtime.observe() if runtime else None
                    if runtime is not None:
                        decided, runtime.decisions = runtime.decisions, []
                except WerkpadError as exc:
                    broken = f"gebeurtenis {ev.seq} kan niet opnieuw worden uitgevoerd: {exc.message}"
                    observation = None
            yield Step(ev, observation, broken, decided)

    def history(self, case_id: str) -> list[dict]:
        """Every event with who, when, what, the data submitted and the case data it changed."""
        return self.history_and_end(case_id)[0]

    def history_and_end(self, case_id: str) -> tuple[list[dict], dict]:
        """:meth:`history` and, from the same replay, the case after its last event as far as
        :meth:`diagram_for` needs it (the version then, the open tasks, timers and awaited messages, the completed steps)."""
        with self.db.unit_of_work(write=False) as uow:
            _row, events = self._events(uow, case_id)
            out = []
            before: dict = {}
            completed: list[str] = []
            observation: Observation | None = None
            version: str | None = None
            for step in self._steps(uow, events):
                ev = step.event
                payload = json.loads(ev.payload)
                observation = step.observation
                after = observation.data if observation is not None else before
                if ev.type == "task_completed" and (payload.get("task") or {}).get("spec"):
                    completed.append(payload["task"]["spec"])
                elif ev.type == "case_started":
                    version = payload.get("version")
                elif ev.type == "version_migrated":
                    version = payload.get("to")
                out.append({
                    "seq": ev.seq, "type": ev.type, "actor": ev.actor, "at": ev.at, "phase": ev.phase,
                    "payload": payload, "submitted": payload.get("data") if ev.type == "task_completed" else None,
                    "changes": diff_data(_display(before), _display(after)),
                    "replay_error": step.error, "decisions": event_decisions(payload, step.decisions),
                    "version_hash": version,  # the version in effect after the event: its fields' words
                })
                before = after
        end = {"seq": events[-1].seq if events else 0, "version_hash": version, "completed_specs": completed,
               "tasks": [{"spec": t.spec} for t in (observation.tasks if observation else [])],
               "timers": [{"spec": t.spec} for t in (observation.timers if observation else [])],
               "messages": observation.messages if observation else []}
        return out, end

    def state_at(self, case_id: str, seq: int) -> dict:
        """The case as it was right after event ``seq``: rebuilt by replaying events 1..seq."""
        with self.db.unit_of_work(write=False) as uow:
            row, events = self._events(uow, case_id)
            if not 1 <= seq <= len(events):
                raise NotFound(Msg("gebeurtenis %(seq)s van zaak %(case_id)s bestaat niet",
                                   seq=seq, case_id=case_id))
            step: Step | None = None
            completed: list[str] = []
            before: dict = {}
            after: dict = {}
            for step in self._steps(uow, events, until=seq):
                before, after = after, (step.observation.data if step.observation is not None else after)
                if step.event.type == "task_completed":
                    spec = (json.loads(step.event.payload).get("task") or {}).get("spec")
                    if spec:
                        completed.append(spec)
            if step is None:  # no event up to ``seq`` (the sequence numbers do not start at 1)
                raise NotFound(Msg("gebeurtenis %(seq)s van zaak %(case_id)s bestaat niet",
                                   seq=seq, case_id=case_id))
            ev, obs = step.event, step.observation
            version = self._version_at(uow, events, seq)
            return {
                "case": case_id, "seq": seq, "events": len(events), "type": ev.type, "actor": ev.actor,
                "at": ev.at, "phase": obs.phase if obs else ev.phase, "status": obs.status if obs else None,
                "error": step.error, "data": obs.data if obs else {},
                "tasks": [{"spec": t.spec, "name": t.name, "lane": t.lane, "due": t.due, "phase": t.phase}
                          for t in (obs.tasks if obs else [])],
                "timers": [{"spec": t.spec, "name": t.name, "kind": t.kind, "due": t.due}
                           for t in (obs.timers if obs else [])],
                "messages": obs.messages if obs else [], "completed_specs": completed,
                "payload": json.loads(ev.payload), "changes": diff_data(_display(before), _display(after)),
                "version_hash": version, "organisation": row.organisation,
            }

    def _version_at(self, uow, events: list[EventRow], seq: int) -> str | None:
        version = None
        for ev in events:
            if ev.seq > seq:
                break
            payload = json.loads(ev.payload)
            if ev.type == "case_started":
                version = payload.get("version")
            elif ev.type == "version_migrated":
                version = payload.get("to")
        return version

    def diagram_at(self, case_id: str, seq: int) -> dict:
        """What the BPMN viewer needs for the case right after event ``seq``: the XML of the version
        in effect then, the tasks active then and the ones completed so far."""
        return self.diagram_for(case_id, self.state_at(case_id, seq))

    def diagram_for(self, case_id: str, state: dict) -> dict:
        """The diagram data for a state from :meth:`state_at` or :meth:`history_and_end`."""
        from .inbox import _bpmn_processes, _visible_elements, waiting_at

        seq = state["seq"]
        with self.db.unit_of_work(write=False) as uow:
            definition = uow.session.scalars(select(DefinitionRow).where(
                DefinitionRow.version_hash == state["version_hash"])).first()
            if definition is None:
                raise NotFound(Msg("de procesversie van dit moment bestaat niet (meer)"))
            record = json.loads(definition.record)
        files = record.get("files") or {}
        process_id = (record.get("manifest") or {}).get("proces")
        xml, name = None, None
        for file_name, content in sorted(files.items()):
            if file_name.endswith(".bpmn") and (xml is None or (process_id and f'id="{process_id}"' in content)):
                xml, name = content, file_name
        parsed = _bpmn_processes(files)
        visible = _visible_elements(files, process_id, parsed)
        steps = [t["spec"] for t in state["tasks"]] + waiting_at(
            parsed, [t["spec"] for t in state.get("timers") or ()], state.get("messages") or ())
        completed: list[str] = []
        for spec in state["completed_specs"]:
            shown = visible.get(spec, spec)
            if shown not in completed:
                completed.append(shown)
        return {"case": case_id, "seq": seq, "file": name, "xml": xml, "process_id": process_id,
                "current": sorted({visible.get(spec, spec) for spec in steps}),
                "completed": completed,
                # the steps themselves, also those inside a sub-process drawn open (the PDF's close-up)
                "steps": {"current": sorted(set(steps)), "completed": list(dict.fromkeys(state["completed_specs"]))}}

    # ------------------------------------------------------------------ verifying
    def verify_case(self, case_id: str, replay: bool = True) -> dict:
        """Hash chain and replay of one case: ``ok`` or the first finding (see
        :meth:`engine.app.auditing.AuditTrail.verify_case`): ``kind`` altered or replay_differs, the
        event (number, label, when, who) and, for a replay, the field with its recorded and rebuilt value."""
        with self.db.unit_of_work(write=False) as uow:
            self._events(uow, case_id)  # NotFound for a missing or malformed id
        result = self.wp.auditing.verify_case(case_id, replay)
        if not result["ok"]:
            result["check"] = "keten" if result.get("kind") == "altered" else "replay"
        return result

    def _verify_each(self, case_ids: list[str]) -> Iterator[dict]:
        """Verify the cases one by one; one unreadable case is a finding, not a crash."""
        for case_id in case_ids:
            try:
                yield self.verify_case(case_id)
            except Exception as exc:  # noqa: BLE001 - one unreadable case is a finding, not a crash
                yield {"ok": False, "case": case_id, "event": None, "type": None,
                       "reason": f"de zaak kan niet worden gecontroleerd: {type(exc).__name__}: {exc}"}

    def verify_cases(self, case_ids: list[str], progress: Callable[[int, int], None] | None = None) -> dict:
        """Verify many cases; ``progress(done, total)`` after each one."""
        broken = []
        for n, result in enumerate(self._verify_each(case_ids), start=1):
            if not result["ok"]:
                broken.append(result)
            if progress is not None:
                progress(n, len(case_ids))
        return {"ok": not broken, "cases": len(case_ids), "broken": broken}

    # ------------------------------------------------------------------ verifying an organisation in the background
    def start_run(self, organisation: str, user: str) -> str:
        """Record a verification of every case of ``organisation``; :meth:`execute_run` does it."""
        run_id = secrets.token_hex(8)
        total = len(self.case_ids([organisation]))
        now = clock.now()
        with self.db.unit_of_work() as uow:
            uow.session.add(AuditRunRow(id=run_id, organisation=organisation, started_by=user, started_at=now,
                                        updated_at=now, status="running", total=total, done=0, broken=0,
                                        cancel_requested=False, findings="[]"))
            uow.commit()
        return run_id

    def execute_run(self, run_id: str, every: float = 0.5) -> None:
        """Verify the run's cases, writing progress (and seeing a request to stop) at most every
        ``every`` seconds. Whatever goes wrong ends the run as failed, with the reason kept."""
        try:
            with self.db.unit_of_work(write=False) as uow:
                run = uow.session.get(AuditRunRow, run_id)
                if run is None:
                    return
                organisation = run.organisation
            case_ids = self.case_ids([organisation])
            broken: list[dict] = []
            last = time_module.monotonic()
            for n, result in enumerate(self._verify_each(case_ids), start=1):
                if not result["ok"]:
                    broken.append(_slim(result))
                if n == len(case_ids) or time_module.monotonic() - last >= every:
                    last = time_module.monotonic()
                    if self._write_progress(run_id, n, len(case_ids), broken):
                        self._finish_run(run_id, "cancelled", n, len(case_ids), broken)
                        return
            self._finish_run(run_id, "done", len(case_ids), len(case_ids), broken)
        except Exception as exc:  # noqa: BLE001 - a background run never dies silently
            self._finish_run(run_id, "failed", None, None, [{"case": None, "reason": f"de controle is afgebroken: "
                                                                                      f"{type(exc).__name__}: {exc}"}])

    def _write_progress(self, run_id: str, done: int, total: int, broken: list[dict]) -> bool:
        """Store the progress; True when someone asked to stop."""
        with self.db.unit_of_work() as uow:
            run = uow.session.get(AuditRunRow, run_id)
            if run is None:
                return True
            run.done, run.total, run.broken, run.updated_at = done, total, len(broken), clock.now()
            run.findings = json.dumps(broken, ensure_ascii=False, default=json_default)
            stop = bool(run.cancel_requested)
            uow.commit()
        return stop

    def _finish_run(self, run_id: str, status: str, done: int | None, total: int | None, broken: list[dict]) -> None:
        with self.db.unit_of_work() as uow:
            run = uow.session.get(AuditRunRow, run_id)
            if run is None:
                return
            run.status, run.finished_at, run.updated_at = status, clock.now(), clock.now()
            if done is not None and total is not None:
                run.done, run.total = done, total
            run.broken = len([b for b in broken if b.get("case")])
            run.findings = json.dumps(broken, ensure_ascii=False, default=json_default)
            uow.commit()

    def cancel_run(self, run_id: str, organisations: list[str]) -> dict:
        """Ask a running verification to stop after the case it is at."""
        with self.db.unit_of_work() as uow:
            run = uow.session.get(AuditRunRow, run_id) if run_id and len(run_id) <= 32 else None
            if run is None or run.organisation not in organisations:
                raise NotFound(Msg("deze controle bestaat niet"))
            if run.status == "running":
                run.cancel_requested = True
            uow.commit()
        return self.run_status(run_id, organisations)

    def run_status(self, run_id: str, organisations: list[str], with_findings: bool = True) -> dict:
        """Where a verification is: ``status`` running, done, cancelled, failed or ``stopped`` (its
        process ended without finishing: no sign of life for RUN_STALE)."""
        with self.db.unit_of_work(write=False) as uow:
            run = uow.session.get(AuditRunRow, run_id) if run_id and len(run_id) <= 32 else None
            if run is None or run.organisation not in organisations:
                raise NotFound(Msg("deze controle bestaat niet"))
            return _run_dict(run, with_findings)

    def recent_runs(self, organisations: list[str], limit: int = 10) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(AuditRunRow).where(AuditRunRow.organisation.in_(organisations or [""]))
                                       .order_by(AuditRunRow.started_at.desc()).limit(limit)).all()
            return [_run_dict(r, with_findings=False) for r in rows]

    # ------------------------------------------------------------------ integrity anchor
    def anchor_body(self, organisations: list[str] | None = None) -> dict:
        """The newest hash and sequence number of every case, and one digest over all of them."""
        with self.db.unit_of_work(write=False) as uow:
            query = select(CaseRow.id, CaseRow.last_seq, CaseRow.last_hash, CaseRow.organisation)
            if organisations is not None:
                query = query.where(CaseRow.organisation.in_(organisations or [""]))
            rows = uow.session.execute(query.order_by(CaseRow.id)).all()
        cases = {r.id: {"seq": r.last_seq, "hash": r.last_hash, "organisation": r.organisation} for r in rows}
        return {"format": ANCHOR_FORMAT, "created_at": clock.iso(clock.now()),
                "organisations": sorted(organisations) if organisations is not None else None,
                "cases": cases, "digest": audit.digest(cases)}

    def write_anchor(self, key, organisations: list[str] | None = None) -> dict:
        """A signed anchor (Ed25519): ``key`` is an Ed25519 private key (see :func:`load_or_create_key`)."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        body = self.anchor_body(organisations)
        signature = key.sign(_signed_bytes(body))
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {**body, "public_key": base64.b64encode(public).decode(),
                "signature": base64.b64encode(signature).decode()}

    def check_anchor(self, anchor: dict, public_key=None) -> dict:
        """Compare the database with an anchor: every case whose history changed, vanished or was
        rewritten since, and whether the signature holds (against ``public_key`` when given)."""
        findings: list[dict] = []
        destroyed: list[dict] = []
        signature_ok, signature_reason = _check_signature(anchor, public_key)
        anchored_cases = anchor.get("cases")
        cases: dict = anchored_cases if isinstance(anchored_cases, dict) else {}
        if audit.digest(cases) != anchor.get("digest"):
            signature_ok, signature_reason = False, "de vingerafdruk over de zaken klopt niet met het anker"
        with self.db.unit_of_work(write=False) as uow:
            for case_id, anchored in sorted(cases.items()):
                row = uow.session.get(CaseRow, case_id)
                if row is None:
                    record = uow.session.scalars(select(DestructionRow).where(
                        DestructionRow.case_id == case_id)).first()
                    anchored_seq = int(anchored.get("seq", 0))
                    if record is not None and (record.last_seq > anchored_seq or (
                            record.last_seq == anchored_seq and record.last_hash == anchored.get("hash"))):
                        destroyed.append({"case": case_id, "finding": "vernietigd",
                                          "destroyed_at": clock.iso(record.destroyed_at),
                                          "approved_by": record.approved_by, "destroyed_by": record.destroyed_by,
                                          "reason": "vernietigd volgens de bewaartermijn; de vernietigingsverklaring "
                                                    "legt de laatste vingerafdruk vast"})
                    elif record is not None:
                        findings.append({"case": case_id, "finding": "herschreven",
                                         "reason": "de vernietigingsverklaring past niet bij het anker"})
                    else:
                        findings.append({"case": case_id, "finding": "verdwenen",
                                         "reason": "de zaak bestaat niet meer en er is geen vernietigingsverklaring"})
                    continue
                seq, expected = int(anchored.get("seq", 0)), anchored.get("hash")
                events = list(uow.session.scalars(select(EventRow).where(
                    EventRow.case_id == case_id, EventRow.seq <= seq).order_by(EventRow.seq)))
                problem = audit.check_chain(case_id, events, seq, expected)
                if problem is not None:
                    findings.append({"case": case_id, "finding": "herschreven",
                                     "reason": "de geschiedenis tot het anker is gewijzigd: " + problem})
                elif row.last_seq < seq:
                    findings.append({"case": case_id, "finding": "ingekort",
                                     "reason": f"de zaak had {seq} gebeurtenissen, nu {row.last_seq}"})
            query = select(CaseRow.id)
            if anchor.get("organisations") is not None:
                query = query.where(CaseRow.organisation.in_(anchor["organisations"] or [""]))
            new = sorted(set(uow.session.scalars(query)) - set(cases))
        return {"ok": signature_ok and not findings, "signature_ok": signature_ok,
                "signature_reason": signature_reason, "cases": len(cases), "findings": findings,
                "new_cases": new, "destroyed": destroyed, "created_at": anchor.get("created_at")}

    # ------------------------------------------------------------------ export
    def export_json(self, case_id: str) -> dict:
        """The complete case file, machine-readable: the case, every event (with its hash) and the
        files of every process version the case ran on."""
        case = self.wp.get_case(case_id)
        history = self.wp.case_history(case_id)
        versions = []
        for ev in history:
            version = ev["payload"].get("version") if ev["type"] == "case_started" else (
                ev["payload"].get("to") if ev["type"] == "version_migrated" else None)
            if version and version not in versions:
                versions.append(version)
        definitions = []
        for version in versions:
            definitions.append({"version": version, **self.wp.definition_files(case["process"], version)})
        return {"format": "werkpad-zaakdossier/1", "exported_at": clock.iso(clock.now()), "case": case,
                "events": history, "definitions": definitions}

    def organisation_rsin(self, organisation: str) -> str:
        """The organisation's RSIN (the ZGW bronorganisatie); refused when none is configured."""
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(OrganisationRow, organisation)
            rsin = row.rsin if row is not None else None
        if not rsin or not is_valid_rsin(rsin):
            raise ValidationError(Msg("organisatie %(organisation)s heeft nog geen RSIN; een ZGW-zaak heeft "
                                      "er een nodig als bronorganisatie (werkpad users organisation "
                                      "%(organisation)s --rsin NUMMER)", organisation=organisation))
        return rsin

    def export_zgw(self, case_id: str, base_url: str = "https://werkpad.example/zgw") -> dict:
        """The case shaped like the ZGW Zaken API resources: zaak, statussen, resultaat (and the zaaktype)."""
        case = self.wp.get_case(case_id)
        history = self.wp.case_history(case_id)
        zaak_url = f"{base_url}/zaken/api/v1/zaken/{_uuid(case_id)}"
        zaaktype_url = f"{base_url}/catalogi/api/v1/zaaktypen/{_uuid(case['process'])}"
        statussen = []
        last_phase = None
        for ev in history:
            if ev["phase"] and ev["phase"] != last_phase:
                last_phase = ev["phase"]
                statussen.append(_zgw_status(zaak_url, base_url, case_id, ev["seq"], ev["phase"], ev["at"],
                                             f"Fase {ev['phase']}"))
        if case["status"] in ("completed", "withdrawn") and history:
            end = history[-1]
            statussen.append(_zgw_status(zaak_url, base_url, case_id, end["seq"], "afgesloten", end["at"],
                                         "Zaak afgesloten" if case["status"] == "completed"
                                         else "Zaak gesloten na fout" if closed_after_error(case["status"], case.get("error"))
                                         else "Aanvraag ingetrokken"))
        resultaat = None
        if case["status"] in ("completed", "withdrawn"):
            resultaat = {"url": f"{base_url}/zaken/api/v1/resultaten/{_uuid(case_id + ':resultaat')}",
                         "uuid": _uuid(case_id + ":resultaat"), "zaak": zaak_url,
                         "resultaattype": f"{zaaktype_url}/resultaattypen/{case['status']}",
                         "toelichting": case.get("end_event") or case["status"]}
        started = datetime.fromisoformat(case["started_at"])
        ended = datetime.fromisoformat(case["ended_at"]) if case["ended_at"] else None
        rsin = self.organisation_rsin(case["organisation"])
        zaak = {
            "url": zaak_url, "uuid": _uuid(case_id), "identificatie": case_id,
            "bronorganisatie": rsin, "verantwoordelijkeOrganisatie": rsin,
            "omschrijving": f"{case['process_name']} — {case['client']['name']}"[:80],
            "toelichting": f"Gemeente {case['municipality']}", "zaaktype": zaaktype_url,
            "registratiedatum": clock.local_date(started).isoformat(),
            "startdatum": clock.local_date(started).isoformat(),
            "einddatum": clock.local_date(ended).isoformat() if ended else None,
            "einddatumGepland": None,
            "uiterlijkeEinddatumAfdoening": (clock.local_date(started) + timedelta(days=56)).isoformat(),
            "vertrouwelijkheidaanduiding": "vertrouwelijk",
            "betalingsindicatie": "nvt",
            "status": statussen[-1]["url"] if statussen else None,
            "resultaat": resultaat["url"] if resultaat else None,
            "archiefnominatie": None, "archiefstatus": "nog_te_archiveren", "archiefactiedatum": None,
        }
        return {"zaaktype": {"url": zaaktype_url, "identificatie": case["process"],
                             "omschrijving": case["process_name"], "doorlooptijd": ZGW_DOORLOOPTIJD},
                "zaak": zaak, "statussen": statussen, "resultaat": resultaat}


# ---------------------------------------------------------------------- helpers
RUN_STALE = timedelta(minutes=2)  # a running verification that has not written for this long has stopped


def _slim(finding: dict) -> dict:
    """What a kept finding needs for the page: the case, the event in words and the reason."""
    keep = ("case", "kind", "change_words", "event", "type", "label", "at", "actor", "reason", "stored_state")
    out = {k: finding.get(k) for k in keep if finding.get(k) is not None}
    if finding.get("differences"):
        out["differences"] = finding["differences"][:3]
    return out


def _run_dict(run: AuditRunRow, with_findings: bool) -> dict:
    status = run.status
    if status == "running" and clock.now() - clock.to_utc(run.updated_at) > RUN_STALE:
        status = "stopped"
    out: dict[str, Any] = {
        "id": run.id, "organisation": run.organisation, "started_by": run.started_by,
        "started_at": run.started_at, "finished_at": run.finished_at, "status": status,
        "finished": status != "running", "total": run.total, "done": run.done, "broken": run.broken,
        "percent": 100 if not run.total else min(100, round(run.done * 100 / run.total)),
        "cancel_requested": bool(run.cancel_requested),
    }
    if with_findings:
        out["findings"] = json.loads(run.findings or "[]")
    return out


def event_decisions(payload: dict, replayed: list[dict] | None) -> list[dict]:
    """The decision tables an event evaluated: from its record (``beslissingen``, written since
    events carry them) or, for an older event, as replaying it derives them (``afgeleid``)."""
    recorded = payload.get("beslissingen") if isinstance(payload, dict) else None
    if isinstance(recorded, list):
        return [{**d, "afgeleid": False} for d in recorded if isinstance(d, dict)]
    return [{**d, "afgeleid": True} for d in (replayed or [])]


def _apply(runtime: CaseRuntime | None, ev: EventRow, bundle_for: Any) -> CaseRuntime | None:
    """One event onto the runtime at the event's moment: the same step as the engine's replay."""
    if ev.type in BOOKKEEPING:
        return runtime
    return apply_event(runtime, ev, json.loads(ev.payload), bundle_for)


def _display(data: dict) -> dict:
    """Case data as shown to an auditor: the static municipality configuration left out."""
    return {k: v for k, v in (data or {}).items() if k != "gemeente_config"}


def _first_number(text: str) -> int | None:
    for word in text.replace(":", " ").replace("(", " ").split():
        if word.isdigit():
            return int(word)
    return None


def _uuid(text: str) -> str:
    h = hashlib.sha256(text.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _zgw_status(zaak_url: str, base_url: str, case_id: str, seq: int, kind: str, at: str, text: str) -> dict:
    uid = _uuid(f"{case_id}:status:{seq}:{kind}")
    return {"url": f"{base_url}/zaken/api/v1/statussen/{uid}", "uuid": uid, "zaak": zaak_url,
            "statustype": f"{base_url}/catalogi/api/v1/statustypen/{_uuid(kind)}",
            "datumStatusGezet": datetime.fromisoformat(at).astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "statustoelichting": text}


def _signed_bytes(body: dict) -> bytes:
    return audit.canonical({"format": body.get("format"), "created_at": body.get("created_at"),
                            "organisations": body.get("organisations"), "digest": body.get("digest")}).encode()


def _check_signature(anchor: dict, public_key) -> tuple[bool, str | None]:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        embedded = Ed25519PublicKey.from_public_bytes(base64.b64decode(anchor.get("public_key", "")))
        signature = base64.b64decode(anchor.get("signature", ""))
    except (ValueError, TypeError):
        return False, "het anker heeft geen leesbare handtekening"
    key = embedded
    if public_key is not None:
        if public_key.public_bytes(Encoding.Raw, PublicFormat.Raw) != embedded.public_bytes(Encoding.Raw,
                                                                                            PublicFormat.Raw):
            return False, "het anker is met een andere sleutel ondertekend"
        key = public_key
    try:
        key.verify(signature, _signed_bytes(anchor))
    except InvalidSignature:
        return False, "de handtekening klopt niet"
    return True, None


def load_or_create_key(path: Path | str | None = None, instance_dir: Path | str | None = None):
    """The anchor's Ed25519 key: from ``path``, ``$WERKPAD_ANCHOR_KEY`` or ``instance/anker.key``,
    generated (mode 0600) on first use."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )

    from .facade import ROOT

    chosen = Path(path or os.environ.get(ANCHOR_KEY_ENV) or Path(instance_dir or ROOT / "instance") / "anker.key")
    if chosen.exists():
        key = load_pem_private_key(chosen.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValidationError(Msg("%(chosen)s bevat geen Ed25519-sleutel", chosen=chosen))
        return key
    key = Ed25519PrivateKey.generate()
    chosen.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(chosen, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return key


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


__all__ = ["AuditorWorkspace", "CaseSearch", "diff_data", "load_or_create_key", "STATUSES"]
