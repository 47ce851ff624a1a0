"""Cases and their tasks: start, read, claim, assign, complete, notes, messages,
and the teamleider's retry or close of a case in error."""
from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from ..core import audit, clock, kalender
from ..core.bsn import is_valid_bsn, normalise_bsn
from ..core.definitions import Bundle, version_label
from ..core.messages import Msg
from ..core.runtime import WITHDRAWAL_MESSAGE, CaseRuntime, engine_versions
from ..errors import CaseBroken, Conflict, NotFound, ValidationError
from ..storage import CaseRow, DefinitionRow, EventRow, TaskRow, TimerRow
from . import case_numbers
from .capacity import PlaceLedger
from .repository import Loaded, Repository, stored_digest


class Cases:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.db = repo.db

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
        elif len(name) > 200 or not name.isprintable() or not _encodable(name):
            errors["naam"] = ["Naam bevat ongeldige tekens of is langer dan 200 tekens."]
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
            assert born is not None  # an unreadable date is one of the errors above
            with self.db.unit_of_work() as uow:
                definition = self.repo.version_in_effect(uow, municipality, clock.local_date(moment), process)
                bundle = self.repo.bundle(definition)
                spec, subprocess_specs = bundle.specs()
                start_day = clock.local_date(moment)
                initial = {
                    "gemeente": municipality,
                    "geboortedatum": born.isoformat(),
                    "leeftijd": kalender.leeftijd(born, start_day),
                    "melddatum": start_day.isoformat(),
                    "gemeente_config": bundle.municipalities.get(municipality, {}),
                    **dict(data or {}),
                }
                row = CaseRow(
                    id=uuid.uuid4().hex[:16], definition_id=definition.id, process_key=definition.process_key,
                    municipality=municipality, organisation=definition.organisation, bsn=bsn,
                    client_name=name.strip(), birthdate=born, status="running", phase=None,
                    state="{}", started_at=moment, updated_at=moment, last_seq=0, last_hash=audit.GENESIS,
                    case_number=case_numbers.next_number(uow.session, start_day.year),
                )
                uow.session.add(row)
                uow.flush()  # a place the process asks for at its start belongs to this row
                runtime = CaseRuntime.start(spec, subprocess_specs, initial,
                                            places=PlaceLedger(uow, row.id, row.organisation))
                row.status, row.phase = runtime.status, runtime.phase
                loaded = Loaded(row, bundle, runtime)
                self.repo.save(uow, loaded, "case_started", actor, moment, {
                    "municipality": municipality, "process": definition.process_key,
                    "version": definition.version_hash, "bsn": bsn, "name": row.client_name,
                    "birthdate": born.isoformat(), "data": initial, "engine": engine_versions(),
                })
                uow.commit()
                case_id = row.id
        return self.get_case(case_id)

    def get_case(self, case_id: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            row = self.repo.case_row(uow, case_id)
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
                "version": version_label(definition.version_hash) if definition else None,
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
                bundle = self.repo.bundle_or_none(uow, case.definition_id) if with_form else None
                out.append(self._task_dict(task, case, bundle, with_form=with_form))
        return out

    def get_task(self, task_id: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            task = uow.session.get(TaskRow, task_id)
            if task is None:
                raise NotFound(f"taak {task_id} bestaat niet")
            case = uow.session.get(CaseRow, task.case_id)
            if case is None:
                raise NotFound(f"zaak {task.case_id} bestaat niet")
            return self._task_dict(task, case, self.repo.bundle_or_none(uow, case.definition_id), with_form=True)

    def claim_task(self, task_id: str, user: str, at: datetime | None = None) -> dict:
        def act(loaded: Loaded, task: TaskRow, moment: datetime):
            if task.claimed_by and task.claimed_by != user:
                raise Conflict(Msg("taak is al geclaimd door %(wie)s", wie=task.claimed_by))
            task.claimed_by = user
            return "task_claimed", {"task": _task_ref(task)}
        return self._task_command(task_id, user, at, act, changes_workflow=False)

    def unclaim_task(self, task_id: str, user: str, at: datetime | None = None) -> dict:
        def act(loaded: Loaded, task: TaskRow, moment: datetime):
            if task.claimed_by is None:
                raise Conflict(Msg("taak is niet geclaimd"))
            previous = task.claimed_by
            task.claimed_by = None
            return "task_unclaimed", {"task": _task_ref(task), "previous": previous}
        return self._task_command(task_id, user, at, act, changes_workflow=False)

    def assign_task(self, task_id: str, user: str, assignee: str, at: datetime | None = None) -> dict:
        if not (assignee or "").strip():
            raise ValidationError("Kies een collega.", fields={"assignee": ["Verplicht."]})

        def act(loaded: Loaded, task: TaskRow, moment: datetime):
            previous = task.claimed_by
            task.claimed_by = assignee
            return "task_assigned", {"task": _task_ref(task), "assignee": assignee, "previous": previous}
        return self._task_command(task_id, user, at, act, changes_workflow=False)

    def complete_task(self, task_id: str, user: str, data: Mapping[str, Any] | None = None,
                      at: datetime | None = None) -> dict:
        def act(loaded: Loaded, task: TaskRow, moment: datetime):
            if task.claimed_by and task.claimed_by != user:
                raise Conflict(Msg("taak is geclaimd door %(wie)s", wie=task.claimed_by))
            form = loaded.bundle.form_registry().get(task.form) if task.form else None
            cleaned = form.validate(data or {}) if form is not None else dict(data or {})
            info = loaded.runtime.complete_user_task(task_id, cleaned)
            return "task_completed", {"task": {"id": task_id, "spec": info.spec, "ordinal": info.ordinal,
                                               "name": info.name, "lane": info.lane, "form": info.form},
                                      "data": cleaned}
        result = self._task_command(task_id, user, at, act, changes_workflow=True)
        return self.get_case(result["case"])

    def _task_command(self, task_id: str, user: str, at: datetime | None, act, changes_workflow: bool) -> dict:
        with clock.at(at) as moment, self.repo.broken_case_guard(moment), self.db.unit_of_work() as uow:
            task = uow.session.get(TaskRow, task_id)
            if task is None:
                raise NotFound(f"taak {task_id} bestaat niet")
            if task.status != "open":
                raise Conflict(Msg("taak '%(taak)s' is al afgehandeld", taak=task.name))
            loaded = self.repo.load(uow, task.case_id, need_runtime=changes_workflow)
            event_type, payload = act(loaded, task, moment)
            if changes_workflow:
                self.repo.save(uow, loaded, event_type, user, moment, payload, completed_task=task_id)
            else:
                self.repo.append_event(uow, loaded.row, event_type, user, moment, payload,
                                   digest=stored_digest(loaded.row))
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
            loaded = self.repo.load(uow, case_id, need_runtime=False)
            self.repo.append_event(uow, loaded.row, "note_added", user, moment, {"text": text},
                               digest=stored_digest(loaded.row))
            uow.commit()
        return self.get_case(case_id)

    # ------------------------------------------------------------------ messages
    def send_message(self, case_id: str, name: str, data: Mapping[str, Any] | None = None,
                     user: str = "system", at: datetime | None = None) -> dict:
        with clock.at(at) as moment, self.repo.broken_case_guard(moment), self.db.unit_of_work() as uow:
            loaded = self.repo.load(uow, case_id)
            payload = dict(data or {})
            delivered = loaded.runtime.deliver_message(name, payload)
            if not delivered:
                if name != WITHDRAWAL_MESSAGE:
                    waiting = loaded.runtime.waiting_messages()
                    raise Conflict(f"zaak {case_id} wacht niet op bericht '{name}'"
                                   + (f" (wel op: {', '.join(waiting)})" if waiting else ""))
                loaded.runtime.withdraw()
            self.repo.save(uow, loaded, "message_received", user, moment,
                       {"message": name, "data": payload, "handled_by": "process" if delivered else "engine"})
            uow.commit()
        return self.get_case(case_id)

    def retry_case(self, case_id: str, user: str, at: datetime | None = None) -> dict:
        """A teamleider's way on after a fix: read the case's state again and, when
        it loads, put it back to work (its tasks and timers in the index again)."""
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            row = self.repo.case_row(uow, case_id)
            if row.status != "error":
                raise Conflict(f"zaak {case_id} staat niet in fout")
            row.status = "running"
            try:
                loaded = self.repo.load(uow, case_id)
                loaded.runtime.clear_error()
                self.repo.save(uow, loaded, "case_resumed", user, moment, {"after_error": row.error})
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
            row = self.repo.case_row(uow, case_id)
            if row.status != "error":
                raise Conflict(f"zaak {case_id} staat niet in fout")
            row.status = "withdrawn"
            row.ended_at = moment
            why = "zaak gesloten na fout"
            cancelled = []
            for task in uow.session.scalars(select(TaskRow).where(TaskRow.case_id == case_id,
                                                                  TaskRow.status == "open").order_by(TaskRow.created_at)):
                task.status, task.completed_at = "cancelled", moment
                cancelled.append({"kind": "taak", "id": task.id, "spec": task.spec, "name": task.name,
                                  "due": task.due_at.isoformat() if task.due_at else None,
                                  "claimed_by": task.claimed_by, "reason": why})
            cancelled += self.repo.timer_list(uow, case_id, why)
            uow.session.execute(delete(TimerRow).where(TimerRow.case_id == case_id))
            payload: dict = {"reason": reason, "error": row.error}
            if cancelled:
                payload["cancelled"] = cancelled
            self.repo.append_event(uow, row, "case_closed_in_error", user, moment, payload,
                                   digest=stored_digest(row))
            uow.commit()
        return self.get_case(case_id)

    def _task_dict(self, task: TaskRow, case: CaseRow, bundle: Bundle | None, with_form: bool) -> dict:
        out: dict[str, Any] = {"id": task.id, "case": task.case_id, "name": task.name, "spec": task.spec, "lane": task.lane,
               "phase": task.phase, "due": task.due_at.isoformat() if task.due_at else None,
               "status": task.status, "claimed_by": task.claimed_by, "created_at": task.created_at.isoformat(),
               "form_id": task.form, "municipality": case.municipality, "client": case.client_name}
        if with_form:
            out["form"] = bundle.form_registry().get(task.form).json_schema() if (bundle and task.form) else None
        return out



def _task_ref(task: TaskRow) -> dict:
    return {"id": task.id, "spec": task.spec, "ordinal": task.ordinal, "name": task.name}



def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _state_or_empty(row: CaseRow) -> dict:
    """The stored state for display; an unreadable one shows as empty (the case is in error)."""
    try:
        state = json.loads(row.state) if row.state else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}
