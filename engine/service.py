"""The use cases: what a consultant, a designer, an auditor or the timer worker
can do with cases. Entry points (CLI, web, scheduler) call these and nothing
below them.

Every command is one unit of work: it loads the case, lets the runtime act at
the command's moment (``at``), and stores the new state, the inbox rows, the
timer rows and one audit event together — or nothing at all. Concurrent
commands on one case are refused by optimistic locking on the case row.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from . import audit, case_numbers, clock
from .bsn import is_valid_bsn, normalise_bsn
from .definitions import Bundle, discover
from .errors import CaseBroken, Conflict, NotFound, ValidationError, WerkpadError
from .runtime import WITHDRAWAL_MESSAGE, CaseRuntime, Observation
from .storage import CaseRow, Database, DefinitionRow, EventRow, TaskRow, TimerRow

log = logging.getLogger("werkpad.engine")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "sqlite:///" + str(ROOT / "instance" / "werkpad.sqlite")
TIMER_ACTOR = "system:timer"
CLOSED = ("completed", "withdrawn")


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    (ROOT / "instance").mkdir(exist_ok=True)
    return DEFAULT_DB


@dataclass
class _Loaded:
    row: CaseRow
    bundle: Bundle
    runtime: CaseRuntime


class Werkpad:
    """The engine's public API. Holds no request state; safe to share per process."""

    def __init__(self, database_url: str | None = None, processes_dir: Path | str | None = None,
                 forms_dir: Path | str | None = None) -> None:
        self.db = Database(database_url or default_database_url())
        self.processes_dir = Path(processes_dir) if processes_dir else ROOT / "processes"
        self.forms_dir = Path(forms_dir) if forms_dir else ROOT / "forms"
        self._bundles: dict[int, Bundle] = {}

    # ------------------------------------------------------------------ schema
    def upgrade_db(self) -> None:
        self.db.upgrade()

    # ------------------------------------------------------------------ definitions
    def deploy(self, processes_dir: Path | str | None = None, forms_dir: Path | str | None = None,
               actor: str = "system", at: datetime | None = None, only: list[str] | None = None) -> list[dict]:
        """Store every process folder as a version; unchanged files make no new version.
        All or nothing: one invalid folder stops the deploy with its reasons."""
        bundles = discover(Path(processes_dir or self.processes_dir), Path(forms_dir or self.forms_dir), only)
        out = []
        with clock.at(at), self.db.unit_of_work() as uow:
            for bundle in bundles:
                digest = bundle.version_hash
                existing = uow.session.scalar(select(DefinitionRow).where(
                    DefinitionRow.process_key == bundle.key, DefinitionRow.version_hash == digest))
                if existing is None:
                    existing = DefinitionRow(
                        process_key=bundle.key, version_hash=digest, name=bundle.name,
                        organisation=bundle.organisation, municipalities=json.dumps(sorted(bundle.municipalities)),
                        effective_from=bundle.effective_from, deployed_at=clock.now(), deployed_by=actor,
                        record=json.dumps(bundle.to_record(), sort_keys=True), meta=json.dumps(bundle.meta()),
                    )
                    uow.session.add(existing)
                    uow.flush()
                    created = True
                else:
                    created = False
                out.append({"process": bundle.key, "version": digest[:12], "hash": digest, "id": existing.id,
                            "created": created, "effective_from": bundle.effective_from.isoformat()})
            uow.commit()
        return out

    def list_processes(self) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(DefinitionRow).order_by(DefinitionRow.process_key,
                                                                      DefinitionRow.id)).all()
        by_key: dict[str, dict] = {}
        today = clock.local_date()
        for row in rows:
            item = by_key.setdefault(row.process_key, {
                "process": row.process_key, "name": row.name, "organisation": row.organisation,
                "municipalities": json.loads(row.municipalities), "versions": 0, "current": None})
            item["versions"] += 1
            item["name"] = row.name
            if row.effective_from <= today:
                item["current"] = row.version_hash[:12]
        return list(by_key.values())

    def show_process(self, key: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                       .order_by(DefinitionRow.id)).all()
        if not rows:
            raise NotFound(f"proces '{key}' is niet uitgerold")
        latest = rows[-1]
        meta = json.loads(latest.meta)
        return {
            "process": key, "name": latest.name, "organisation": latest.organisation,
            "municipalities": json.loads(latest.municipalities),
            "versions": [{"version": r.version_hash[:12], "hash": r.version_hash,
                          "effective_from": r.effective_from.isoformat(), "deployed_at": r.deployed_at.isoformat(),
                          "deployed_by": r.deployed_by} for r in rows],
            **meta,
        }

    def definition_files(self, key: str, version: str | None = None) -> dict:
        """The stored BPMN/DMN/forms of a version (latest when ``version`` is None)."""
        with self.db.unit_of_work(write=False) as uow:
            query = select(DefinitionRow).where(DefinitionRow.process_key == key)
            if version:
                query = query.where(DefinitionRow.version_hash.startswith(version))
            row = uow.session.scalars(query.order_by(DefinitionRow.id.desc())).first()
        if row is None:
            raise NotFound(f"versie {version or ''} van proces '{key}' bestaat niet")
        return json.loads(row.record)

    # ------------------------------------------------------------------ cases
    def start_case(self, municipality: str, bsn: str, name: str, birthdate: date | str,
                   data: Mapping[str, Any] | None = None, at: datetime | None = None, actor: str = "system",
                   process: str | None = None) -> dict:
        bsn = normalise_bsn(bsn)
        errors: dict[str, list[str]] = {}
        if not is_valid_bsn(bsn):
            errors["bsn"] = ["Geen geldig BSN (11-proef)."]
        if not (name or "").strip():
            errors["naam"] = ["Naam is verplicht."]
        try:
            born = birthdate if isinstance(birthdate, date) else date.fromisoformat(str(birthdate))
        except ValueError:
            errors["geboortedatum"] = ["Geen geldige datum (JJJJ-MM-DD)."]
            born = None
        with clock.at(at) as moment:
            if born is not None and born > clock.local_date(moment):
                errors["geboortedatum"] = ["Geboortedatum ligt in de toekomst."]
            if errors:
                raise ValidationError("De melding bevat fouten.", fields=errors)
            with self.db.unit_of_work() as uow:
                definition = self._version_in_effect(uow, municipality, clock.local_date(moment), process)
                bundle = self._bundle(definition)
                spec, subprocess_specs = bundle.specs()
                start_day = clock.local_date(moment)
                initial = {
                    "gemeente": municipality,
                    "geboortedatum": born.isoformat(),
                    "leeftijd": _age(born, start_day),
                    "melddatum": start_day.isoformat(),
                    "gemeente_config": bundle.municipalities.get(municipality, {}),
                    **dict(data or {}),
                }
                runtime = CaseRuntime.start(spec, subprocess_specs, initial)
                row = CaseRow(
                    id=uuid.uuid4().hex[:16], definition_id=definition.id, process_key=definition.process_key,
                    municipality=municipality, organisation=definition.organisation, bsn=bsn,
                    client_name=name.strip(), birthdate=born, status=runtime.status, phase=runtime.phase,
                    state="{}", started_at=moment, updated_at=moment, last_seq=0, last_hash=audit.GENESIS,
                    case_number=case_numbers.next_number(uow.session, start_day.year),
                )
                uow.session.add(row)
                loaded = _Loaded(row, bundle, runtime)
                self._save(uow, loaded, "case_started", actor, moment, {
                    "municipality": municipality, "process": definition.process_key,
                    "version": definition.version_hash, "bsn": bsn, "name": row.client_name,
                    "birthdate": born.isoformat(), "data": initial,
                })
                uow.commit()
                case_id = row.id
        return self.get_case(case_id)

    def get_case(self, case_id: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            row = self._case_row(uow, case_id)
            definition = uow.session.get(DefinitionRow, row.definition_id)
            tasks = uow.session.scalars(select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.status == "open")
                                        .order_by(TaskRow.created_at)).all()
            timers = uow.session.scalars(select(TimerRow).where(TimerRow.case_id == case_id)
                                         .order_by(TimerRow.due_at)).all()
            state = _state_or_empty(row)
            bundle = None  # the case summary needs no forms
            notes = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id,
                                                               EventRow.type == "note_added")
                                        .order_by(EventRow.seq)).all()
            return {
                "id": row.id, "number": row.case_number, "status": row.status, "phase": row.phase,
                "version": definition.version_hash[:12] if definition else None,
                "version_hash": definition.version_hash if definition else None,
                "process": row.process_key, "process_name": definition.name if definition else row.process_key,
                "municipality": row.municipality, "organisation": row.organisation,
                "client": {"name": row.client_name, "bsn": row.bsn, "birthdate": row.birthdate.isoformat()},
                "started_at": row.started_at.isoformat(), "updated_at": row.updated_at.isoformat(),
                "ended_at": row.ended_at.isoformat() if row.ended_at else None,
                "end_event": state.get("end_event"), "error": row.error,
                "data": state.get("data", {}),
                "waiting_for_messages": state.get("messages", []),
                "tasks": [self._task_dict(t, row, bundle, with_form=False) for t in tasks],
                "timers": [{"id": t.task_id, "spec": t.spec, "name": t.name, "kind": t.kind,
                            "due": t.due_at.isoformat()} for t in timers],
                "notes": [{"at": n.at.isoformat(), "by": n.actor, "text": json.loads(n.payload)["text"]}
                          for n in notes],
            }

    # ------------------------------------------------------------------ tasks
    def list_tasks(self, case_id: str | None = None, lane: str | None = None, status: str = "open",
                   claimed_by: str | None = None, with_form: bool = True, limit: int | None = None) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            query = select(TaskRow, CaseRow).join(CaseRow, CaseRow.id == TaskRow.case_id)
            if status:
                query = query.where(TaskRow.status == status)
            if case_id:
                query = query.where(TaskRow.case_id == case_id)
            if lane:
                query = query.where(TaskRow.lane == lane)
            if claimed_by:
                query = query.where(TaskRow.claimed_by == claimed_by)
            query = query.order_by(TaskRow.due_at.is_(None), TaskRow.due_at, TaskRow.created_at)
            if limit:
                query = query.limit(limit)
            rows = uow.session.execute(query).all()
            out = []
            for task, case in rows:
                bundle = self._bundle_or_none(uow, case.definition_id) if with_form else None
                out.append(self._task_dict(task, case, bundle, with_form=with_form))
        return out

    def get_task(self, task_id: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            task = uow.session.get(TaskRow, task_id)
            if task is None:
                raise NotFound(f"taak {task_id} bestaat niet")
            case = uow.session.get(CaseRow, task.case_id)
            return self._task_dict(task, case, self._bundle_or_none(uow, case.definition_id), with_form=True)

    def claim_task(self, task_id: str, user: str, at: datetime | None = None) -> dict:
        def act(loaded: _Loaded, task: TaskRow, moment: datetime):
            if task.claimed_by and task.claimed_by != user:
                raise Conflict(f"taak is al geclaimd door {task.claimed_by}")
            task.claimed_by = user
            return "task_claimed", {"task": _task_ref(task)}
        return self._task_command(task_id, user, at, act, changes_workflow=False)

    def unclaim_task(self, task_id: str, user: str, at: datetime | None = None) -> dict:
        def act(loaded: _Loaded, task: TaskRow, moment: datetime):
            if task.claimed_by is None:
                raise Conflict("taak is niet geclaimd")
            previous = task.claimed_by
            task.claimed_by = None
            return "task_unclaimed", {"task": _task_ref(task), "previous": previous}
        return self._task_command(task_id, user, at, act, changes_workflow=False)

    def assign_task(self, task_id: str, user: str, assignee: str, at: datetime | None = None) -> dict:
        if not (assignee or "").strip():
            raise ValidationError("Kies een collega.", fields={"assignee": ["Verplicht."]})

        def act(loaded: _Loaded, task: TaskRow, moment: datetime):
            previous = task.claimed_by
            task.claimed_by = assignee
            return "task_assigned", {"task": _task_ref(task), "assignee": assignee, "previous": previous}
        return self._task_command(task_id, user, at, act, changes_workflow=False)

    def complete_task(self, task_id: str, user: str, data: Mapping[str, Any] | None = None,
                      at: datetime | None = None) -> dict:
        def act(loaded: _Loaded, task: TaskRow, moment: datetime):
            if task.claimed_by and task.claimed_by != user:
                raise Conflict(f"taak is geclaimd door {task.claimed_by}")
            form = loaded.bundle.form_registry().get(task.form) if task.form else None
            cleaned = form.validate(data or {}) if form is not None else dict(data or {})
            info = loaded.runtime.complete_user_task(task_id, cleaned)
            return "task_completed", {"task": {"id": task_id, "spec": info.spec, "ordinal": info.ordinal,
                                               "name": info.name, "lane": info.lane, "form": info.form},
                                      "data": cleaned}
        result = self._task_command(task_id, user, at, act, changes_workflow=True)
        return self.get_case(result["case"])

    def _task_command(self, task_id: str, user: str, at: datetime | None, act, changes_workflow: bool) -> dict:
        with clock.at(at) as moment, self._broken_case_guard(moment), self.db.unit_of_work() as uow:
            task = uow.session.get(TaskRow, task_id)
            if task is None:
                raise NotFound(f"taak {task_id} bestaat niet")
            if task.status != "open":
                raise Conflict(f"taak '{task.name}' is al afgehandeld ({task.status})")
            loaded = self._load(uow, task.case_id, need_runtime=changes_workflow)
            event_type, payload = act(loaded, task, moment)
            if changes_workflow:
                self._save(uow, loaded, event_type, user, moment, payload, completed_task=task_id)
            else:
                self._append_event(uow, loaded.row, event_type, user, moment, payload,
                                   digest=_stored_digest(loaded.row))
            uow.commit()
            return {"case": task.case_id, "task": task_id}

    # ------------------------------------------------------------------ notes
    def add_note(self, case_id: str, user: str, text: str, at: datetime | None = None) -> dict:
        """A consultant's note on a case: part of the audit trail, changes nothing in the process."""
        text = (text or "").strip()
        if not text or len(text) > 4000:
            raise ValidationError("Een notitie heeft 1 tot 4000 tekens.",
                                  fields={"notitie": ["Schrijf een notitie van 1 tot 4000 tekens."]})
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            loaded = self._load(uow, case_id, need_runtime=False)
            self._append_event(uow, loaded.row, "note_added", user, moment, {"text": text},
                               digest=_stored_digest(loaded.row))
            uow.commit()
        return self.get_case(case_id)

    # ------------------------------------------------------------------ messages
    def send_message(self, case_id: str, name: str, data: Mapping[str, Any] | None = None,
                     user: str = "system", at: datetime | None = None) -> dict:
        with clock.at(at) as moment, self._broken_case_guard(moment), self.db.unit_of_work() as uow:
            loaded = self._load(uow, case_id)
            payload = dict(data or {})
            delivered = loaded.runtime.deliver_message(name, payload)
            if not delivered:
                if name != WITHDRAWAL_MESSAGE:
                    waiting = loaded.runtime.waiting_messages()
                    raise Conflict(f"zaak {case_id} wacht niet op bericht '{name}'"
                                   + (f" (wel op: {', '.join(waiting)})" if waiting else ""))
                loaded.runtime.withdraw()
            self._save(uow, loaded, "message_received", user, moment,
                       {"message": name, "data": payload, "handled_by": "process" if delivered else "engine"})
            uow.commit()
        return self.get_case(case_id)

    # ------------------------------------------------------------------ versions
    def migrate_case(self, case_id: str, to_version: str | None = None, user: str = "system",
                     at: datetime | None = None) -> dict:
        """Move a running case to another version of its process (default: the
        newest deployed one). Waiting timers keep their due time; tasks keep their
        claims. Refused when the new version lacks a step the case is at."""
        with clock.at(at) as moment, self._broken_case_guard(moment), self.db.unit_of_work() as uow:
            loaded = self._load(uow, case_id)
            query = select(DefinitionRow).where(DefinitionRow.process_key == loaded.row.process_key)
            if to_version:
                query = query.where(DefinitionRow.version_hash.startswith(to_version))
            target = uow.session.scalars(query.order_by(DefinitionRow.id.desc())).first()
            if target is None:
                raise NotFound(f"versie {to_version or '(nieuwste)'} van '{loaded.row.process_key}' bestaat niet")
            current = uow.session.get(DefinitionRow, loaded.row.definition_id)
            if target.id == current.id:
                raise Conflict(f"zaak {case_id} draait al op versie {target.version_hash[:12]}")
            bundle = self._bundle(target)
            spec, subprocess_specs = bundle.specs()
            loaded.runtime = loaded.runtime.migrate(spec, subprocess_specs)
            loaded.bundle = bundle
            loaded.row.definition_id = target.id
            self._save(uow, loaded, "version_migrated", user, moment,
                       {"from": current.version_hash, "to": target.version_hash})
            uow.commit()
        return self.get_case(case_id)

    # ------------------------------------------------------------------ timers
    def fire_due_timers(self, until: datetime | None = None, max_fires: int = 1_000_000) -> list[dict]:
        """Fire every timer due up to ``until`` in due order, each at its own due time.

        A case whose timer cannot be fired (whatever the exception) is put in error
        with the reason and its timers leave the index; the timers of every other
        case fire as usual. Nothing one case holds can stop the rest."""
        until = clock.to_utc(until) if until is not None else clock.now()
        fired: list[dict] = []
        skipped: set[str] = set()
        while len(fired) < max_fires:
            result = self._fire_next(until, skipped)
            if result is None:
                break
            if result.get("fired"):
                fired.append(result)
        return fired

    def _fire_next(self, until: datetime, skipped: set[str]) -> dict | None:
        with self.db.unit_of_work() as uow:
            query = select(TimerRow).where(TimerRow.due_at <= until)
            if skipped:
                query = query.where(TimerRow.case_id.notin_(sorted(skipped)))
            query = query.order_by(TimerRow.due_at, TimerRow.case_id, TimerRow.task_id).limit(1)
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            timer = uow.session.scalars(query).first()
            if timer is None:
                return None
            case_id, due = timer.case_id, timer.due_at
            try:
                with clock.at(due):
                    loaded = self._load(uow, case_id)
                    fired = loaded.runtime.fire_timers()
                    if not fired:  # stale index row: repair it
                        uow.session.delete(timer)
                        uow.commit()
                        return {"fired": False}
                    self._save(uow, loaded, "timer_fired", TIMER_ACTOR, due, {
                        "timers": [{"spec": t.spec, "name": t.name, "kind": t.kind,
                                    "due": t.due.isoformat() if t.due else None} for t in fired]})
                    uow.commit()
            except Exception as exc:  # noqa: BLE001 - one case's failure must not stop the others
                uow.session.rollback()
                skipped.add(case_id)
                reason = exc.message if isinstance(exc, WerkpadError) else _why(exc)
                log.warning("timer van zaak %s kon niet afgaan: %s", case_id, reason)
                self._put_in_error(case_id, due, f"timer kon niet afgaan: {reason}")
                return {"fired": False, "case": case_id, "error": reason}
        return {"fired": True, "case": case_id, "due": due.isoformat(),
                "timers": [t.name for t in fired], "status": loaded.row.status, "phase": loaded.row.phase}

    @contextlib.contextmanager
    def _broken_case_guard(self, moment: datetime) -> Iterator[None]:
        """A command that finds its case unloadable puts that case in error (after its
        own transaction has rolled back) and answers with a conflict naming why."""
        try:
            yield
        except CaseBroken as exc:
            self._put_in_error(exc.case_id, moment, exc.message)
            raise Conflict(f"zaak {exc.case_id} staat in fout: {exc.message}", case=exc.case_id) from exc

    def _put_in_error(self, case_id: str, moment: datetime, reason: str) -> None:
        """Mark one case in error in a transaction of its own, never raising: the
        caller is busy keeping the other cases going. When even that fails, the
        case's timers are at least taken out of the index so they stop blocking."""
        try:
            self._mark_error(case_id, moment, reason)
            return
        except Exception:  # noqa: BLE001
            log.exception("zaak %s kon niet in fout worden gezet", case_id)
        try:
            with self.db.unit_of_work() as uow:
                uow.session.execute(delete(TimerRow).where(TimerRow.case_id == case_id))
                uow.commit()
        except Exception:  # noqa: BLE001
            log.exception("timers van zaak %s konden niet worden verwijderd", case_id)

    def _mark_error(self, case_id: str, moment: datetime, reason: str) -> None:
        with clock.at(moment), self.db.unit_of_work() as uow:
            row = self._case_row(uow, case_id)
            if row.status == "error" and row.error == reason:
                return
            row.status = "error"
            row.error = reason[:2000]
            # the stored workflow state is kept as it is (it may be what is broken); the
            # case row carries the status, and retry_case reads the state again
            row.updated_at = max(row.updated_at, moment) if row.updated_at else moment
            uow.session.execute(delete(TimerRow).where(TimerRow.case_id == case_id))
            self._append_event(uow, row, "engine_error", TIMER_ACTOR, moment, {"error": row.error},
                               digest=_stored_digest(row))
            uow.commit()

    def retry_case(self, case_id: str, user: str, at: datetime | None = None) -> dict:
        """A teamleider's way on after a fix: read the case's state again and, when
        it loads, put it back to work (its tasks and timers in the index again)."""
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self._case_row(uow, case_id)
            if row.status != "error":
                raise Conflict(f"zaak {case_id} staat niet in fout")
            row.status = "running"
            try:
                loaded = self._load(uow, case_id)
                loaded.runtime._status = None
                self._save(uow, loaded, "case_resumed", user, moment, {"after_error": row.error})
            except CaseBroken as exc:
                raise Conflict(f"de zaak kan nog steeds niet worden geladen: {exc.message}") from exc
            loaded.row.error = None
            uow.commit()
        return self.get_case(case_id)

    def close_case_in_error(self, case_id: str, user: str, reason: str, at: datetime | None = None) -> dict:
        """A teamleider withdraws a case that stays in error: it leaves every work
        list, its timers stop, and the reason is in the audit trail."""
        reason = (reason or "").strip()
        if not reason or len(reason) > 2000:
            raise ValidationError("Geef een reden (1 tot 2000 tekens).", fields={"reden": ["Geef een reden."]})
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self._case_row(uow, case_id)
            if row.status != "error":
                raise Conflict(f"zaak {case_id} staat niet in fout")
            row.status = "withdrawn"
            row.ended_at = moment
            for task in uow.session.scalars(select(TaskRow).where(TaskRow.case_id == case_id,
                                                                  TaskRow.status == "open")):
                task.status, task.completed_at = "cancelled", moment
            uow.session.execute(delete(TimerRow).where(TimerRow.case_id == case_id))
            self._append_event(uow, row, "case_closed_in_error", user, moment,
                               {"reason": reason, "error": row.error}, digest=_stored_digest(row))
            uow.commit()
        return self.get_case(case_id)

    # ------------------------------------------------------------------ audit
    def case_history(self, case_id: str) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            self._case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            return [{"seq": e.seq, "type": e.type, "actor": e.actor, "at": e.at.isoformat(),
                     "recorded_at": e.recorded_at.isoformat(), "phase": e.phase,
                     "payload": json.loads(e.payload), "hash": e.hash} for e in events]

    def replay_case(self, case_id: str) -> dict:
        """Rebuild the case from its events and its exact version; compare with the stored state."""
        with self.db.unit_of_work(write=False) as uow:
            row = self._case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            try:
                bundle = self._bundle_by_id(uow, row.definition_id)
            except Exception as exc:  # noqa: BLE001
                raise CaseBroken(case_id, f"de procesversie van de zaak kan niet worden geladen ({_why(exc)})") \
                    from exc
            return _replay(case_id, events, lambda h: self._bundle_by_hash(uow, h), _actual_digest(row, bundle))

    def verify_audit(self, replay: bool = True) -> dict:
        broken = []
        with self.db.unit_of_work(write=False) as uow:
            case_ids = uow.session.scalars(select(CaseRow.id).order_by(CaseRow.started_at)).all()
        for case_id in case_ids:
            try:
                problem = self._verify_case(case_id, replay)
            except Exception as exc:  # noqa: BLE001 - one unreadable case is a finding, not a crash
                problem = f"de zaak kan niet worden gecontroleerd: {_why(exc)}"
            if problem:
                broken.append({"case": case_id, "problem": problem})
        return {"ok": not broken, "cases": len(case_ids), "broken": broken}

    def _verify_case(self, case_id: str, replay: bool) -> str | None:
        with self.db.unit_of_work(write=False) as uow:
            row = self._case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            problem = audit.check_chain(case_id, events, row.last_seq, row.last_hash)
            if problem is None and replay:
                bundle = self._bundle_by_id(uow, row.definition_id)
                result = _replay(case_id, events, lambda h: self._bundle_by_hash(uow, h),
                                 _actual_digest(row, bundle))
                if not result["match"]:
                    problem = "replay wijkt af: " + result.get("reason", "")
            return problem

    # ------------------------------------------------------------------ internals
    def _version_in_effect(self, uow, municipality: str, day: date, process: str | None) -> DefinitionRow:
        rows = uow.session.scalars(select(DefinitionRow).order_by(DefinitionRow.id)).all()
        candidates = [r for r in rows if municipality in json.loads(r.municipalities)
                      and (process is None or r.process_key == process)]
        if not candidates:
            raise NotFound(f"geen proces uitgerold voor gemeente '{municipality}'")
        keys = {r.process_key for r in candidates}
        if len(keys) > 1:
            raise ValidationError(f"gemeente '{municipality}' heeft meerdere processen ({', '.join(sorted(keys))}); "
                                  "kies er een", fields={"process": ["Kies een proces."]})
        effective = [r for r in candidates if r.effective_from <= day]
        if not effective:
            first = min(r.effective_from for r in candidates)
            raise ValidationError(f"geen procesversie voor '{municipality}' geldig op {day} (eerste: {first})",
                                  fields={"at": ["Geen geldige procesversie op deze datum."]})
        return max(effective, key=lambda r: (r.effective_from, r.id))

    def _bundle(self, definition: DefinitionRow) -> Bundle:
        bundle = self._bundles.get(definition.id)
        if bundle is None:
            bundle = Bundle.from_record(json.loads(definition.record))
            self._bundles[definition.id] = bundle
        return bundle

    def _bundle_by_hash(self, uow, version_hash: str) -> Bundle:
        row = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.version_hash == version_hash)).first()
        if row is None:
            raise NotFound(f"procesversie {version_hash[:12]} bestaat niet (meer)")
        return self._bundle(row)

    def _bundle_by_id(self, uow, definition_id: int) -> Bundle:
        bundle = self._bundles.get(definition_id)
        if bundle is None:
            definition = uow.session.get(DefinitionRow, definition_id)
            if definition is None:
                raise NotFound(f"procesversie {definition_id} bestaat niet (meer)")
            bundle = self._bundle(definition)
        return bundle

    def _bundle_or_none(self, uow, definition_id: int) -> Bundle | None:
        try:
            return self._bundle_by_id(uow, definition_id)
        except Exception:  # noqa: BLE001 - a missing or unreadable version shows the task without its form
            log.warning("procesversie %s kan niet worden geladen", definition_id, exc_info=True)
            return None

    def _case_row(self, uow, case_id: str) -> CaseRow:
        row = uow.session.get(CaseRow, case_id)
        if row is None:
            raise NotFound(f"zaak {case_id} bestaat niet")
        return row

    def _load(self, uow, case_id: str, need_runtime: bool = True) -> _Loaded:
        row = self._case_row(uow, case_id)
        try:
            bundle = self._bundle_by_id(uow, row.definition_id)
        except Exception as exc:  # noqa: BLE001 - any failure here is this case's, not the caller's
            raise CaseBroken(case_id, f"de procesversie van de zaak kan niet worden geladen ({_why(exc)})") from exc
        if need_runtime and row.status in CLOSED:
            raise Conflict(f"zaak {case_id} is afgesloten ({row.status})")
        if need_runtime and row.status == "error":
            raise Conflict(f"zaak {case_id} staat in fout: {row.error}")
        moment = clock.now()
        if row.updated_at and moment < row.updated_at:
            # an audit trail runs forward: nothing happens to a case before its last event
            raise ValidationError(
                f"het tijdstip {clock.iso(moment)} ligt vóór de laatste gebeurtenis van zaak {case_id} "
                f"({clock.iso(row.updated_at)})", fields={"at": ["Tijdstip ligt vóór de laatste gebeurtenis."]})
        if not need_runtime:
            return _Loaded(row, bundle, None)  # type: ignore[arg-type]
        try:
            spec, subprocess_specs = bundle.specs()
            runtime = CaseRuntime.restore(json.loads(row.state), spec, subprocess_specs)
        except Exception as exc:  # noqa: BLE001 - a corrupt or unreadable state puts this case in error
            raise CaseBroken(case_id, f"de opgeslagen toestand van de zaak is onleesbaar ({_why(exc)})") from exc
        return _Loaded(row, bundle, runtime)

    def _save(self, uow, loaded: _Loaded, event_type: str, actor: str, moment: datetime, payload: dict,
              completed_task: str | None = None) -> None:
        row, runtime = loaded.row, loaded.runtime
        if runtime.fired and event_type != "timer_fired":
            # a timer armed with a moment already past fires within the same step: say so
            payload = {**payload, "timers_fired": [
                {"spec": t.spec, "name": t.name, "kind": t.kind, "due": t.due.isoformat() if t.due else None}
                for t in runtime.fired]}
        observation = runtime.observe()
        state = runtime.serialize()
        state["data"] = observation.data
        state["messages"] = observation.messages
        state["digest"] = audit.digest(observation.fingerprint())
        row.state = json.dumps(state, separators=(",", ":"))
        row.status = observation.status
        row.phase = observation.phase
        row.updated_at = moment
        if observation.status in CLOSED and row.ended_at is None:
            row.ended_at = moment
        self._sync_index(uow, row, observation, moment, actor, completed_task)
        self._append_event(uow, row, event_type, actor, moment, payload, digest=state["digest"])

    def _sync_index(self, uow, row: CaseRow, obs: Observation, moment: datetime, actor: str,
                    completed_task: str | None) -> None:
        open_rows = {t.id: t for t in uow.session.scalars(
            select(TaskRow).where(TaskRow.case_id == row.id, TaskRow.status == "open"))} if row.last_seq else {}
        current = {t.id: t for t in obs.tasks}
        for task_id, task_row in open_rows.items():
            if task_id not in current:
                task_row.status = "completed" if task_id == completed_task else "cancelled"
                task_row.completed_at = moment
                task_row.completed_by = actor if task_id == completed_task else None
        for task_id, info in current.items():
            existing = open_rows.get(task_id)
            if existing is None:
                uow.session.add(TaskRow(id=task_id, case_id=row.id, spec=info.spec, ordinal=info.ordinal,
                                        name=info.name, lane=info.lane, form=info.form, phase=info.phase,
                                        due_at=info.due, status="open", created_at=moment))
            else:
                existing.ordinal, existing.phase, existing.due_at = info.ordinal, info.phase, info.due
        timers = {t.task_id: t for t in uow.session.scalars(
            select(TimerRow).where(TimerRow.case_id == row.id))} if row.last_seq else {}
        wanted = {t.task_id: t for t in obs.timers if t.due is not None}
        for task_id, timer_row in timers.items():
            if task_id not in wanted:
                uow.session.delete(timer_row)
        for task_id, info in wanted.items():
            existing = timers.get(task_id)
            if existing is None:
                uow.session.add(TimerRow(case_id=row.id, task_id=task_id, spec=info.spec, name=info.name,
                                         kind=info.kind, due_at=info.due))
            elif existing.due_at != info.due:
                existing.due_at = info.due

    def _append_event(self, uow, row: CaseRow, event_type: str, actor: str, moment: datetime, payload: dict,
                      digest: str) -> None:
        seq = row.last_seq + 1
        recorded = datetime.now(UTC)
        payload_text = audit.canonical(payload)
        ev_hash = audit.event_hash(row.last_hash, row.id, seq, event_type, actor, moment, recorded, row.phase,
                                   payload_text, digest)
        uow.session.add(EventRow(case_id=row.id, seq=seq, type=event_type, actor=actor, at=moment,
                                 recorded_at=recorded, phase=row.phase, payload=payload_text, digest=digest,
                                 prev_hash=row.last_hash, hash=ev_hash))
        row.last_seq = seq
        row.last_hash = ev_hash
        row.updated_at = max(row.updated_at, moment) if row.updated_at else moment
        uow.flush()

    def _task_dict(self, task: TaskRow, case: CaseRow, bundle: Bundle | None, with_form: bool) -> dict:
        out = {"id": task.id, "case": task.case_id, "name": task.name, "spec": task.spec, "lane": task.lane,
               "phase": task.phase, "due": task.due_at.isoformat() if task.due_at else None,
               "status": task.status, "claimed_by": task.claimed_by, "created_at": task.created_at.isoformat(),
               "form_id": task.form, "municipality": case.municipality, "client": case.client_name}
        if with_form:
            out["form"] = bundle.form_registry().get(task.form).json_schema() if (bundle and task.form) else None
        return out


def _task_ref(task: TaskRow) -> dict:
    return {"id": task.id, "spec": task.spec, "ordinal": task.ordinal, "name": task.name}


def _stored_digest(row: CaseRow) -> str:
    try:
        return str(json.loads(row.state).get("digest", "")) if row.state else ""
    except (ValueError, AttributeError):
        return ""


def _state_or_empty(row: CaseRow) -> dict:
    """The stored state for display; an unreadable one shows as empty (the case is in error)."""
    try:
        state = json.loads(row.state) if row.state else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _why(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception, for people and the log."""
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _actual_digest(row: CaseRow, bundle: Bundle) -> str:
    """The fingerprint of the state as stored now (not the digest it claims)."""
    if row.status == "error" or (row.status == "withdrawn" and row.error):
        # a case in error keeps the state it had when it broke (which may be what is broken)
        return _stored_digest(row)
    state = json.loads(row.state)
    spec, subprocess_specs = bundle.specs()
    try:
        runtime = CaseRuntime.restore(state, spec, subprocess_specs)
        return audit.digest(runtime.observe().fingerprint())
    except (WerkpadError, KeyError, ValueError, TypeError) as exc:
        return f"onleesbaar: {exc}"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _replay(case_id: str, events: list, bundle_for, stored_digest: str) -> dict:
    """Re-run the events on the exact versions they ran on; compare after each one."""
    runtime: CaseRuntime | None = None
    last_digest = ""
    for ev in events:
        payload = json.loads(ev.payload)
        try:
            with clock.at(ev.at):
                if ev.type == "case_started":
                    spec, subprocess_specs = bundle_for(payload["version"]).specs()
                    runtime = CaseRuntime.start(spec, subprocess_specs, payload["data"])
                elif runtime is None:
                    return {"match": False, "case": case_id, "event": ev.seq, "type": ev.type,
                            "reason": "geschiedenis begint niet met case_started"}
                elif ev.type == "task_completed":
                    ref = payload["task"]
                    runtime.complete_user_task(runtime.find_user_task(ref["spec"], ref["ordinal"]), payload["data"])
                elif ev.type == "timer_fired":
                    runtime.fire_timers()
                elif ev.type == "message_received":
                    if payload.get("handled_by") == "engine":
                        runtime.withdraw()
                    elif not runtime.deliver_message(payload["message"], payload.get("data", {})):
                        raise Conflict(f"bericht {payload['message']} werd niet verwacht")
                elif ev.type == "engine_error":
                    runtime._status = "error"
                elif ev.type == "case_resumed":
                    runtime._status = None
                elif ev.type == "version_migrated":
                    spec, subprocess_specs = bundle_for(payload["to"]).specs()
                    runtime = runtime.migrate(spec, subprocess_specs)
        except WerkpadError as exc:
            return {"match": False, "case": case_id, "event": ev.seq, "type": ev.type,
                    "reason": f"gebeurtenis {ev.seq} ({ev.type}) kan niet opnieuw worden uitgevoerd: {exc.message}"}
        if ev.type in ("task_claimed", "task_unclaimed", "task_assigned", "note_added", "case_closed_in_error"):
            if ev.digest != last_digest:
                return {"match": False, "case": case_id, "event": ev.seq, "type": ev.type,
                        "reason": f"gebeurtenis {ev.seq} ({ev.type}) legt een andere toestand vast"}
            continue
        last_digest = audit.digest(runtime.observe().fingerprint()) if runtime else ""
        if ev.type == "engine_error":
            last_digest = ev.digest
        if last_digest != ev.digest:
            return {"match": False, "case": case_id, "event": ev.seq, "type": ev.type,
                    "reason": f"na gebeurtenis {ev.seq} ({ev.type}) wijkt de herbouwde toestand af"}
    if last_digest != stored_digest:
        return {"match": False, "case": case_id, "event": events[-1].seq if events else None,
                "reason": "de opgeslagen toestand wijkt af van de herbouwde"}
    return {"match": True, "case": case_id, "events": len(events), "digest": last_digest}
