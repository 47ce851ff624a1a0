"""Cases and their tasks: start, read, claim, assign, complete, notes, messages,
and the teamleider's retry or close of a case in error.

Every command takes an actor (:mod:`engine.app.acting`). For a person (a
:class:`~engine.app.accounts.Principal`) the command itself applies the one
access policy (:mod:`engine.app.policy`): a case or task of an organisation the
person cannot read is :class:`~engine.errors.NotFound` — exactly like a missing
one — and an action the person may not take there is
:class:`~engine.errors.Forbidden`. The change, its audit event, the access-log
row and (for a completion) the removal of the task's drafts are one unit of
work; a refused action is logged as ``geweigerd`` afterwards, in a transaction
of its own (nothing changed). A command answers with the case as it now is,
built from what the command already holds: no second read of the case.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm.util import identity_key

from ..core import audit, clock, kalender
from ..core.bsn import is_valid_bsn, normalise_bsn
from ..core.messages import Msg
from ..core.versions import engine_versions, version_label
from ..errors import CaseBroken, CaseMovedOn, Conflict, Forbidden, NotFound, ValidationError
from ..storage import CaseRow, EventRow, TaskRow, TimerRow
from ..storage.accounts_models import MembershipRow, TaskDraftRow, UserRow
from ..storage.db import table_of
from ..storage.plain import PlainQuery, persistent
from . import case_numbers, policy
from .accounts import Principal
from .acting import Access, AccessLog, Actor, RequestContext, as_actor
from .capacity import PlaceLedger
from .repository import Loaded, Repository, reason_in_words, stored_digest

if TYPE_CHECKING:
    from ..core.definitions import Bundle

# Reading a case (get_case, list_tasks without forms) needs only the stored rows:
# the runtime (SpiffWorkflow) is imported by the commands that step a case.

REFUSED = (Forbidden, Conflict, ValidationError)


@dataclass
class _Repair:
    """What a teamleider's repair of a case in error works with (see Cases._repairing)."""

    uow: Any
    row: CaseRow
    moment: datetime
    who: Actor


# a birth date further back than this many years is a typing error (year 0001, 1066), not a client
OLDEST = 120

# a command on the real clock whose case another command changed meanwhile runs again, at most this often
_ATTEMPTS = 3


def _at_a_new_moment_if_moved_on(at: datetime | None, step: Callable[[], dict]) -> dict:
    """Run one command's unit of work; on the real clock (``at`` None) run it again at a new moment
    when another command changed the case while this one waited for it (CaseMovedOn)."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return step()
        except CaseMovedOn:
            if at is not None or attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # the last attempt returns or raises
# a task's drafts go with it; a plain statement, so the session has nothing to flush before it
# built once: building a statement costs as much as running it
_TASK_AND_CASE = (select(TaskRow, CaseRow).join(CaseRow, CaseRow.id == TaskRow.case_id)
                  .where(TaskRow.id == bindparam("task_id")))
# a command's read on PostgreSQL, on the driver (storage/plain.py), with both rows locked: after
# waiting for another command on the case, the task's status as it committed is read
_task_table, _case_table = table_of(TaskRow), table_of(CaseRow)
_TASK_AND_CASE_FOR_COMMAND = PlainQuery(
    select(*_task_table.c, *_case_table.c).join(_case_table, _case_table.c.id == _task_table.c.case_id)
    .where(_task_table.c.id == bindparam("task_id")).with_for_update())
_TASK_KEYS = [TaskRow.__mapper__.get_property_by_column(c).key for c in _task_table.c]
_CASE_KEYS = [CaseRow.__mapper__.get_property_by_column(c).key for c in _case_table.c]
_CASE_ID_AT = len(_TASK_KEYS) + _CASE_KEYS.index("id")
_DELETE_DRAFTS = delete(table_of(TaskDraftRow)).where(table_of(TaskDraftRow).c.task_id == bindparam("task_id"))


class Cases:
    def __init__(self, repo: Repository, access_log: AccessLog | None = None) -> None:
        self.repo = repo
        self.db = repo.db
        self.access_log = access_log or AccessLog(repo.db)

    @contextmanager
    def _logged(self, actor: Actor, context: RequestContext | None, operation: str, purpose: str,
                access: list[Access]) -> Iterator[RequestContext | None]:
        """Around a command: for a person, a refused or unknown object is logged after the
        (rolled back) unit of work — ``niet_gevonden`` or ``geweigerd`` — and re-raised. The
        command itself adds the ``ok`` row to its own unit of work. ``access`` holds what is
        known of the subject when it fails (the command fills it in as it learns more).
        A system actor is logged only when the caller gave a context (the CLI's operator)."""
        if not isinstance(actor, Principal) and context is None:
            yield None
            return
        context = context or RequestContext(operation, purpose)
        try:
            yield context
        except NotFound:
            self.access_log.write(actor, context, "niet_gevonden", access[-1])
            raise
        except REFUSED:
            self.access_log.write(actor, context, "geweigerd", access[-1])
            raise

    # ------------------------------------------------------------------ cases
    def start_case(self, municipality: str, bsn: str, name: str, birthdate: date | str,
                   data: Mapping[str, Any] | None = None, at: datetime | None = None,
                   actor: Actor | str = "system", process: str | None = None,
                   context: RequestContext | None = None) -> dict:
        who = as_actor(actor)
        access = [Access()]
        with self._logged(who, context, "zaak.starten", "Melding registreren", access) as ctx:
            return self._start_case(municipality, bsn, name, birthdate, data, at, who, process, ctx, access)

    def _start_case(self, municipality: str, bsn: str, name: str, birthdate: date | str,
                    data: Mapping[str, Any] | None, at: datetime | None, actor: Actor, process: str | None,
                    context: RequestContext | None, access: list[Access]) -> dict:
        bsn = normalise_bsn(bsn)
        errors: dict[str, list[str]] = {}
        if not is_valid_bsn(bsn):
            errors["bsn"] = [Msg("Geen geldig BSN (11-proef).")]
        if not (name or "").strip():
            errors["naam"] = [Msg("Naam is verplicht.")]
        elif len(name) > 200 or not name.isprintable() or not _encodable(name):
            errors["naam"] = [Msg("Naam bevat ongeldige tekens of is langer dan 200 tekens.")]
        try:
            born = birthdate if isinstance(birthdate, date) else date.fromisoformat(str(birthdate))
        except ValueError:
            errors["geboortedatum"] = [Msg("Geen geldige datum (JJJJ-MM-DD).")]
            born = None
        with clock.at(at) as moment:
            today = clock.local_date(moment)
            if born is not None and born > today:
                errors["geboortedatum"] = [Msg("Geboortedatum ligt in de toekomst.")]
            elif born is not None and today.year - born.year > OLDEST:
                errors["geboortedatum"] = [Msg("Geboortedatum ligt meer dan %(jaren)s jaar terug; controleer het jaar.",
                                                   jaren=OLDEST)]
            if errors:
                raise ValidationError(Msg("De melding bevat fouten."), fields=errors)
            assert born is not None  # an unreadable date is one of the errors above
            with self.db.unit_of_work() as uow:
                definition = self.repo.version_in_effect(
                    uow, municipality, clock.local_date(moment), process,
                    actor.work_organisations() if isinstance(actor, Principal) else None)
                if isinstance(actor, Principal) and not policy.may_start_case_in(actor, definition.organisation):
                    raise Forbidden(Msg("Je kunt voor deze gemeente geen melding maken."))
                bundle = self.repo.bundle_by_id(uow, definition.id)
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
                uow.session.add(row)  # inserted once, with its state, when the start is saved
                from ..core.runtime import CaseRuntime

                runtime = CaseRuntime.start(spec, subprocess_specs, initial,
                                            places=PlaceLedger(uow, row.id, row.organisation))
                row.status, row.phase = runtime.status, runtime.phase
                loaded = Loaded(row, bundle, runtime)
                self.repo.save(uow, loaded, "case_started", actor.username, moment, {
                    "municipality": municipality, "process": definition.process_key,
                    "version": definition.version_hash, "bsn": bsn, "name": row.client_name,
                    "birthdate": born.isoformat(), "data": initial, "engine": engine_versions(),
                })
                if context is not None:
                    access.append(Access(row.organisation, row.id, None, bsn))
                    self.access_log.add(uow, actor, context, "ok", access[-1])
                view = self._loaded_view(uow, loaded)
                uow.commit()
        return view

    def case_id_for_number(self, number: str) -> str | None:
        """The id of the case numbered ``number`` (``2026-000033``, unique over all organisations), or None."""
        with self.db.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(CaseRow.id).where(CaseRow.case_number == number))

    def get_case(self, case_id: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            row = self.repo.case_row(uow, case_id)
            tasks = uow.session.scalars(select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.status == "open")
                                        .order_by(TaskRow.created_at)).all()
            timers = uow.session.scalars(select(TimerRow).where(TimerRow.case_id == case_id)
                                         .order_by(TimerRow.due_at)).all()
            return self._case_view(uow, row, _state_or_empty(row), list(tasks), list(timers))

    def _loaded_view(self, uow, loaded: Loaded) -> dict:
        """The case as a command left it, from the rows and state it holds (no read-back).
        Without the notes: no command answer needs them (:meth:`get_case` has them)."""
        tasks = sorted(loaded.open_tasks or [], key=lambda t: t.created_at)
        timers = sorted(loaded.timers or [], key=lambda t: t.due_at)
        return self._case_view(uow, loaded.row, loaded.state or {}, tasks, timers, with_notes=False)

    def _case_view(self, uow, row: CaseRow, state: dict, tasks: Sequence[Any], timers: Sequence[Any],
                   with_notes: bool = True) -> dict:
        info = self.repo.definition_info(uow, row.definition_id)
        out = {
            "id": row.id, "number": row.case_number, "status": row.status, "phase": row.phase,
            "version": version_label(info[1]) if info else None,
            "version_hash": info[1] if info else None,
            "process": row.process_key, "process_name": info[0] if info else row.process_key,
            "municipality": row.municipality, "organisation": row.organisation,
            "client": {"name": row.client_name, "bsn": row.bsn, "birthdate": row.birthdate.isoformat()},
            "started_at": row.started_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "ended_at": row.ended_at.isoformat() if row.ended_at else None,
            "end_event": state.get("end_event"), "error": reason_in_words(row.error),
            "data": state.get("data", {}),
            "waiting_for_messages": state.get("messages", []),
            "tasks": [self._task_dict(t, row, None, with_form=False) for t in tasks],
            "timers": [{"id": t.task_id, "spec": t.spec, "name": t.name, "kind": t.kind,
                        "due": t.due_at.isoformat()} for t in timers],
        }
        if with_notes:
            with uow.session.no_autoflush:
                out["notes"] = [{"at": n.at.isoformat(), "by": n.actor, "text": json.loads(n.payload)["text"]}
                     for n in uow.session.scalars(select(EventRow).where(EventRow.case_id == row.id,
                                                                         EventRow.type == "note_added")
                                                  .order_by(EventRow.seq))]
        return out

    # ------------------------------------------------------------------ tasks
    def list_tasks(self, case_id: str | None = None, lane: str | None = None, status: str = "open",
                   claimed_by: str | None = None, with_form: bool = True, limit: int | None = None,
                   organisations: Sequence[str] | None = None) -> list[dict]:
        """Tasks by status (open), case, lane, claimant; of ``organisations`` only when given."""
        with self.db.unit_of_work(write=False) as uow:
            query = select(TaskRow, CaseRow).join(CaseRow, CaseRow.id == TaskRow.case_id)
            if organisations is not None:
                query = query.where(CaseRow.organisation.in_(list(organisations) or [""]))
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
                raise NotFound(Msg("taak %(task_id)s bestaat niet", task_id=task_id))
            case = uow.session.get(CaseRow, task.case_id)
            if case is None:
                raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=task.case_id))
            return self._task_dict(task, case, self.repo.bundle_or_none(uow, case.definition_id), with_form=True)

    def task_for(self, principal: Principal, task_id: str) -> dict:
        """A task as ``principal`` may see it (with its form and what the policy lets them do),
        or NotFound — also for a task of an organisation they cannot read."""
        with self.db.unit_of_work(write=False) as uow:
            task, case = self._task_in_scope(uow, principal, task_id)
            out = self._task_dict(task, case, self.repo.bundle_or_none(uow, case.definition_id), with_form=True)
            out.update(organisation=case.organisation, bsn=case.bsn,
                       can_work=policy.may_work_task(principal, case.organisation, task.lane),
                       can_assign=policy.may_assign(principal, case.organisation))
            return out

    def _task_in_scope(self, uow, actor: Actor, task_id: str, lock: bool = False) -> tuple[TaskRow, CaseRow]:
        """The task and its case, or NotFound. ``lock``: a command that changes the case takes
        its row lock here on PostgreSQL, so two commands on one case queue instead of racing."""
        found: Any = None
        if task_id and len(task_id) <= 36:
            if lock and not self.db.is_sqlite:
                found = self._locked_task_and_case(uow, task_id)
            else:  # SQLite's BEGIN IMMEDIATE already queues writers
                found = uow.session.execute(_TASK_AND_CASE, {"task_id": task_id}).first()
        task, case = found if found is not None else (None, None)  # one statement; both in the session now
        if task is None or case is None or (isinstance(actor, Principal)
                                            and not policy.may_read_case(actor, case.organisation)):
            raise NotFound(Msg("taak %(task_id)s bestaat niet", task_id=task_id))
        return task, case

    @staticmethod
    def _locked_task_and_case(uow, task_id: str) -> tuple[TaskRow, CaseRow] | None:
        """A command's task and case on PostgreSQL, both locked, read on the driver and held by the
        session as if it had loaded them (storage/plain.py: about half the CPU of the ORM's read)."""
        rows = uow.rows(_TASK_AND_CASE_FOR_COMMAND, {"task_id": task_id})
        if not rows:
            return None
        row, n = rows[0], len(_TASK_KEYS)
        held = uow.session.identity_map
        task = held.get(identity_key(TaskRow, task_id)) or persistent(uow.session, TaskRow,
                                                                       dict(zip(_TASK_KEYS, row[:n], strict=True)))
        case = held.get(identity_key(CaseRow, row[_CASE_ID_AT])) or persistent(uow.session, CaseRow,
                                                                       dict(zip(_CASE_KEYS, row[n:], strict=True)))
        return task, case

    def _case_in_scope(self, uow, actor: Actor, case_id: str) -> CaseRow:
        # a command takes the case's row lock on PostgreSQL here (SQLite's BEGIN IMMEDIATE queues writers)
        lock = True if uow.write and not self.db.is_sqlite else None
        row = uow.session.get(CaseRow, case_id, with_for_update=lock) if case_id and len(case_id) <= 32 else None
        if row is None or (isinstance(actor, Principal) and not policy.may_read_case(actor, row.organisation)):
            raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
        return row

    def claim_task(self, task_id: str, actor: Actor | str, at: datetime | None = None,
                   context: RequestContext | None = None) -> dict:
        def allowed(principal: Principal, case: CaseRow, task: TaskRow) -> None:
            if not policy.may_work_task(principal, case.organisation, task.lane):
                raise Forbidden(Msg("Deze taak hoort niet bij jouw team."))

        def act(uow, loaded: Loaded, task: TaskRow, moment: datetime, user: str):
            if task.claimed_by and task.claimed_by != user:
                raise Conflict(Msg("taak is al geclaimd door %(wie)s", wie=task.claimed_by))
            task.claimed_by = user
            return "task_claimed", {"task": _task_ref(task)}
        return self._task_command(task_id, actor, at, act, allowed, False, context,
                                  ("taak.claimen", "Taak oppakken"))

    def unclaim_task(self, task_id: str, actor: Actor | str, at: datetime | None = None,
                     context: RequestContext | None = None) -> dict:
        def allowed(principal: Principal, case: CaseRow, task: TaskRow) -> None:
            if not policy.may_release_task(principal, case.organisation, task.claimed_by):
                raise Forbidden(Msg("Alleen wie de taak heeft of een teamleider kan haar vrijgeven."))

        def act(uow, loaded: Loaded, task: TaskRow, moment: datetime, user: str):
            if task.claimed_by is None:
                raise Conflict(Msg("taak is niet geclaimd"))
            previous = task.claimed_by
            task.claimed_by = None
            return "task_unclaimed", {"task": _task_ref(task), "previous": previous}
        return self._task_command(task_id, actor, at, act, allowed, False, context,
                                  ("taak.vrijgeven", "Taak vrijgeven"))

    def assign_task(self, task_id: str, actor: Actor | str, assignee: str, at: datetime | None = None,
                    context: RequestContext | None = None) -> dict:
        """Give a task to a colleague. A person (a teamleider) may only choose an unblocked
        colleague who may work the task's lane in its organisation."""
        if not isinstance(as_actor(actor), Principal) and not (assignee or "").strip():
            raise ValidationError(Msg("Kies een collega."), fields={"assignee": ["Verplicht."]})

        def allowed(principal: Principal, case: CaseRow, task: TaskRow) -> None:
            if not policy.may_assign(principal, case.organisation):
                raise Forbidden(Msg("Alleen een teamleider kan taken toewijzen."))

        def act(uow, loaded: Loaded, task: TaskRow, moment: datetime, user: str):
            if isinstance(as_actor(actor), Principal) and not _may_be_assigned(uow, loaded.row.organisation,
                                                                           task.lane, assignee):
                raise ValidationError(Msg("Kies een collega die deze taak mag uitvoeren."),
                                      fields={"collega": ["Geen collega voor deze lane."]})
            previous = task.claimed_by
            task.claimed_by = assignee
            return "task_assigned", {"task": _task_ref(task), "assignee": assignee, "previous": previous}
        return self._task_command(task_id, actor, at, act, allowed, False, context,
                                  ("taak.toewijzen", "Taak toewijzen"))

    def complete_task(self, task_id: str, actor: Actor | str, data: Mapping[str, Any] | None = None,
                      at: datetime | None = None, context: RequestContext | None = None) -> dict:
        """Complete a task with its form data; the case as it now is comes back. The task's
        drafts go in the same unit of work."""
        def allowed(principal: Principal, case: CaseRow, task: TaskRow) -> None:
            if not policy.may_work_task(principal, case.organisation, task.lane):
                raise Forbidden(Msg("Deze taak hoort niet bij jouw team."))

        def act(uow, loaded: Loaded, task: TaskRow, moment: datetime, user: str):
            if task.claimed_by and task.claimed_by != user:
                raise Conflict(Msg("taak is geclaimd door %(wie)s", wie=task.claimed_by))
            form = loaded.bundle.form_registry().get(task.form) if task.form else None
            cleaned = form.validate(data or {}) if form is not None else dict(data or {})
            info = loaded.runtime.complete_user_task(task_id, cleaned)
            return "task_completed", {"task": {"id": task_id, "spec": info.spec, "ordinal": info.ordinal,
                                               "name": info.name, "lane": info.lane, "form": info.form},
                                      "data": cleaned}
        return self._task_command(task_id, actor, at, act, allowed, True, context,
                                  ("taak.afronden", "Taak afronden"))

    def _task_command(self, task_id: str, actor: Actor | str, at: datetime | None, act,
                      allowed: Callable[[Principal, CaseRow, TaskRow], None], changes_workflow: bool,
                      context: RequestContext | None, names: tuple[str, str]) -> dict:
        who = as_actor(actor)
        access = [Access(task_id=(task_id or "")[:36])]
        with self._logged(who, context, names[0], names[1], access) as ctx:
            return _at_a_new_moment_if_moved_on(at, lambda: self._task_step(
                task_id, who, at, act, allowed, changes_workflow, ctx, access))

    def _task_step(self, task_id: str, who: Actor, at: datetime | None, act,
                   allowed: Callable[[Principal, CaseRow, TaskRow], None], changes_workflow: bool,
                   ctx: RequestContext | None, access: list[Access]) -> dict:
        with clock.at(at) as moment, self.repo.broken_case_guard(moment), self.db.unit_of_work() as uow:
            task, case = self._task_in_scope(uow, who, task_id, lock=True)
            access.append(Access(case.organisation, case.id, task_id, case.bsn))
            if isinstance(who, Principal):
                allowed(who, case, task)
            if task.status != "open":
                raise Conflict(Msg("taak '%(taak)s' is al afgehandeld", taak=task.name))
            loaded = self.repo.load(uow, task.case_id, need_runtime=changes_workflow)
            event_type, payload = act(uow, loaded, task, moment, who.username)
            if changes_workflow:
                self.repo.save(uow, loaded, event_type, who.username, moment, payload, completed_task=task_id)
                # a draft of a task that is done is of no use to anyone
                uow.defer(_DELETE_DRAFTS, {"task_id": task_id})
                result = self._loaded_view(uow, loaded)
            else:
                self.repo.append_event(uow, loaded.row, event_type, who.username, moment, payload,
                                       digest=stored_digest(loaded.row))
                result = {"case": task.case_id, "task": task_id}
            if ctx is not None:
                self.access_log.add(uow, who, ctx, "ok", access[-1])
            uow.commit()
            return result

    # ------------------------------------------------------------------ notes
    def add_note(self, case_id: str, actor: Actor | str, text: str, at: datetime | None = None,
                 context: RequestContext | None = None) -> dict:
        """A consultant's note on a case: part of the audit trail, changes nothing in the process."""
        text = (text or "").strip()
        if not text or len(text) > 4000:
            raise ValidationError(Msg("Een notitie heeft 1 tot 4000 tekens."),
                                  fields={"notitie": ["Schrijf een notitie van 1 tot 4000 tekens."]})

        def change(uow, loaded: Loaded, moment: datetime, user: str) -> None:
            self.repo.append_event(uow, loaded.row, "note_added", user, moment, {"text": text},
                                   digest=stored_digest(loaded.row))
        return self._case_command(case_id, actor, at, context, ("zaak.notitie", "Notitie bij de zaak vastleggen"),
                                  policy.may_add_note, Msg("Alleen consulenten en teamleiders leggen "
                                                           "notities vast."),
                                  change, need_runtime=False)

    # ------------------------------------------------------------------ messages
    def send_message(self, case_id: str, name: str, data: Mapping[str, Any] | None = None,
                     actor: Actor | str = "system", at: datetime | None = None,
                     context: RequestContext | None = None) -> dict:
        from ..core.runtime import WITHDRAWAL_MESSAGE

        def change(uow, loaded: Loaded, moment: datetime, who: str) -> None:
            payload = dict(data or {})
            delivered = loaded.runtime.deliver_message(name, payload)
            if not delivered:
                if name != WITHDRAWAL_MESSAGE:
                    waiting = loaded.runtime.waiting_messages()
                    if waiting:
                        raise Conflict(Msg("zaak %(case_id)s wacht niet op bericht '%(name)s' (wel op: "
                                           "%(wachtend)s)",
                                           case_id=case_id, name=name, wachtend=", ".join(waiting)))
                    raise Conflict(Msg("zaak %(case_id)s wacht niet op bericht '%(name)s'",
                                       case_id=case_id, name=name))
                loaded.runtime.withdraw()
            self.repo.save(uow, loaded, "message_received", who, moment,
                           {"message": name, "data": payload, "handled_by": "process" if delivered else "engine"})
        return self._case_command(case_id, actor, at, context, ("zaak.bericht", "Bericht op de zaak verwerken"),
                                  policy.may_send_message, Msg("Alleen consulenten en teamleiders leggen "
                                                               "berichten vast."),
                                  change, need_runtime=True)

    def _case_command(self, case_id: str, actor: Actor | str, at: datetime | None, context: RequestContext | None,
                      names: tuple[str, str], rule: Callable[[Principal, str], bool], refusal: str,
                      change: Callable[[Any, Loaded, datetime, str], None], need_runtime: bool) -> dict:
        who = as_actor(actor)
        access = [Access(case_id=(case_id or "")[:32])]
        with self._logged(who, context, names[0], names[1], access) as ctx:
            return _at_a_new_moment_if_moved_on(at, lambda: self._case_step(
                case_id, who, at, ctx, access, rule, refusal, change, need_runtime))

    def _case_step(self, case_id: str, who: Actor, at: datetime | None, ctx: RequestContext | None,
                   access: list[Access], rule: Callable[[Principal, str], bool], refusal: str,
                   change: Callable[[Any, Loaded, datetime, str], None], need_runtime: bool) -> dict:
        with clock.at(at) as moment, self.repo.broken_case_guard(moment), self.db.unit_of_work() as uow:
            row = self._case_in_scope(uow, who, case_id)
            access.append(Access(row.organisation, row.id, None, row.bsn))
            if isinstance(who, Principal) and not rule(who, row.organisation):
                raise Forbidden(refusal)
            loaded = self.repo.load(uow, case_id, need_runtime=need_runtime)
            change(uow, loaded, moment, who.username)
            if ctx is not None:
                self.access_log.add(uow, who, ctx, "ok", access[-1])
            if loaded.state is None:  # nothing stepped: the case's tasks and timers as stored
                result = self._stored_view(uow, loaded.row)
            else:
                result = self._loaded_view(uow, loaded)
            uow.commit()
        return result

    def _stored_view(self, uow, row: CaseRow) -> dict:
        uow.flush()  # the note just added is among the notes
        tasks = uow.session.scalars(select(TaskRow).where(TaskRow.case_id == row.id, TaskRow.status == "open")
                                    .order_by(TaskRow.created_at)).all()
        timers = uow.session.scalars(select(TimerRow).where(TimerRow.case_id == row.id)
                                     .order_by(TimerRow.due_at)).all()
        return self._case_view(uow, row, _state_or_empty(row), list(tasks), list(timers))

    @contextmanager
    def _repairing(self, case_id: str, actor: Actor | str, at: datetime | None, context: RequestContext | None,
                   names: tuple[str, str], refusal: Msg) -> Iterator[_Repair]:
        """Around a teamleider's way on for a case in error (resume or withdraw): the case in the
        person's scope, the policy, the case really in error; the access-log row and the commit
        after the body has done its work."""
        who = as_actor(actor)
        access = [Access(case_id=(case_id or "")[:32])]
        with self._logged(who, context, names[0], names[1], access) as ctx, clock.at(at) as moment, \
                self.db.unit_of_work() as uow:
            row = self._case_in_scope(uow, who, case_id)
            access.append(Access(row.organisation, row.id, None, row.bsn))
            if isinstance(who, Principal) and not policy.may_repair_case(who, row.organisation):
                raise Forbidden(refusal)
            if row.status != "error":
                raise Conflict(Msg("zaak %(case_id)s staat niet in fout", case_id=case_id))
            yield _Repair(uow, row, moment, who)
            if ctx is not None:
                self.access_log.add(uow, who, ctx, "ok", access[-1])
            uow.commit()

    def retry_case(self, case_id: str, actor: Actor | str, at: datetime | None = None,
                   context: RequestContext | None = None) -> dict:
        """A teamleider's way on after a fix: read the case's state again and, when
        it loads, put it back to work (its tasks and timers in the index again)."""
        with self._repairing(case_id, actor, at, context, ("zaak.hervatten", "Zaak in fout hervatten"),
                             Msg("Alleen een teamleider kan een zaak in fout hervatten.")) as job:
            uow, row = job.uow, job.row
            row.status = "running"
            try:
                loaded = self.repo.load(uow, case_id)
                loaded.runtime.clear_error()
                self.repo.save(uow, loaded, "case_resumed", job.who.username, job.moment,
                               {"after_error": row.error})
            except CaseBroken as exc:
                raise Conflict(Msg("de zaak kan nog steeds niet worden geladen: %(message)s",
                                   message=exc.message)) from exc
            loaded.row.error = None
            result = self._loaded_view(uow, loaded)
        return result

    def close_case_in_error(self, case_id: str, actor: Actor | str, reason: str, at: datetime | None = None,
                            context: RequestContext | None = None) -> dict:
        """A teamleider withdraws a case that stays in error: it leaves every work
        list, its timers stop, and the reason is in the audit trail."""
        with self._repairing(case_id, actor, at, context, ("zaak.sluiten", "Zaak in fout sluiten"),
                             Msg("Alleen een teamleider kan een zaak in fout sluiten.")) as job:
            uow, row, moment = job.uow, job.row, job.moment
            reason = (reason or "").strip()
            if not reason or len(reason) > 2000:
                raise ValidationError(Msg("Geef een reden (1 tot 2000 tekens)."), fields={"reden": ["Geef een reden."]})
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
            self.repo.append_event(uow, row, "case_closed_in_error", job.who.username, moment, payload,
                                   digest=stored_digest(row))
            result = self._case_view(uow, row, _state_or_empty(row), [], [])
        return result

    def _task_dict(self, task: TaskRow, case: CaseRow, bundle: Bundle | None, with_form: bool) -> dict:
        out: dict[str, Any] = {"id": task.id, "case": task.case_id, "name": task.name, "spec": task.spec, "lane": task.lane,
               "phase": task.phase, "due": task.due_at.isoformat() if task.due_at else None,
               "status": task.status, "claimed_by": task.claimed_by, "created_at": task.created_at.isoformat(),
               "form_id": task.form, "municipality": case.municipality, "client": case.client_name}
        if with_form:
            out["form"] = bundle.form_registry().get(task.form).json_schema() if (bundle and task.form) else None
        return out



def _may_be_assigned(uow, organisation: str, lane: str | None, username: str) -> bool:
    """An unblocked teamleider of ``organisation``, or a consultant of ``lane`` there."""
    fits = MembershipRow.role == "teamleider"
    if lane:
        fits = fits | ((MembershipRow.role == "consultant") & (MembershipRow.lane == lane))
    else:
        fits = fits | (MembershipRow.role == "consultant")
    with uow.session.no_autoflush:
        found = uow.session.scalar(
            select(UserRow.id).join(MembershipRow, MembershipRow.user_id == UserRow.id)
            .where(UserRow.username == (username or "").strip().lower(), MembershipRow.organisation == organisation,
                   fits, UserRow.blocked.is_(False)).limit(1))
    return found is not None


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
