"""What the use cases share: loading and saving cases and definition versions.

Every command is one unit of work: it loads the case, lets the runtime act at
the command's moment (``at``), and stores the new state, the inbox rows, the
timer rows and one audit event together — or nothing at all. Concurrent
commands on one case are refused by optimistic locking on the case row.

The definition bundles (parsed BPMN, DMN and forms of one version) are kept in
one bounded cache: the most recently used versions stay parsed.
"""
from __future__ import annotations

import builtins
import contextlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    bindparam,
    delete,
    insert,
    literal_column,
    null,
    select,
    text,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.util import identity_key

from ..core import audit, clock
from ..core.messages import Msg
from ..core.versions import engine_versions, version_label
from ..errors import CaseBroken, CaseMovedOn, Conflict, EngineError, NotFound, ValidationError
from ..storage import CaseRow, Database, DefinitionRow, EventRow, TaskRow, TimerRow, jsontext
from ..storage.db import table_of
from ..storage.plain import PlainQuery, held_as_stored
from . import capacity
from .capacity import PlaceLedger
from .sealing import SealKey

if TYPE_CHECKING:
    from ..core.definitions import Bundle
    from ..core.runtime import CaseRuntime, Observation

# Reading a case's rows needs neither SpiffWorkflow nor the form schemas: the
# definitions and the runtime are imported where a bundle is built or a case stepped.

log = logging.getLogger("werkpad.engine")
TIMER_ACTOR = "system:timer"
CLOSED = ("completed", "withdrawn")
BUNDLE_CACHE_SIZE = 64


@dataclass
class Loaded:
    row: CaseRow
    bundle: Bundle
    runtime: CaseRuntime
    engine: dict | None = None  # the engine versions the stored state was last saved by
    # after save: the stored state and the case's open tasks and timers as they now are
    # (so a command can answer without reading the case back)
    state: dict | None = None
    open_tasks: list[IndexRow] | None = None
    timers: list[IndexRow] | None = None


class BundleCache:
    """The parsed definition versions, least recently used out first."""

    def __init__(self, size: int = BUNDLE_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[int, Bundle] = OrderedDict()

    def get(self, definition_id: int) -> Bundle | None:
        bundle = self._items.get(definition_id)
        if bundle is not None:
            self._items.move_to_end(definition_id)
        return bundle

    def put(self, definition_id: int, bundle: Bundle) -> None:
        self._items[definition_id] = bundle
        self._items.move_to_end(definition_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


TIMER_CHANNEL = "werkpad_timers"
# A waiting timer worker looks in the timer index at least this often (its longest sleep), so a
# timer armed for later than this needs no NOTIFY: the worker finds it on a regular look.
NOTIFY_HORIZON = timedelta(seconds=30)


class IndexRow:
    """A task or timer row as a command left it: its columns as attributes (read only)."""

    __slots__ = ("__dict__",)

    def __init__(self, values) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # only for names it lacks (and for type checkers)
        raise AttributeError(name)


_tasks, _timers = table_of(TaskRow), table_of(TimerRow)
# attribute -> column of the case row (the version counter is the attribute lock_version)
_CASE_COLUMN = {prop.key: prop.columns[0].name for prop in CaseRow.__mapper__.column_attrs}
_cases = table_of(CaseRow)
_INSERT_CASE = insert(_cases)
_UPDATE_CASE = update(_cases).where(_cases.c.id == bindparam("b_id"), _cases.c.version == bindparam("b_version"))
_definitions = table_of(DefinitionRow)
# the versions without their files (a version's record is its whole set of files), on the driver
_VERSIONS = PlainQuery(select(_definitions.c.id, _definitions.c.process_key, _definitions.c.version_hash,
                              _definitions.c.organisation, _definitions.c.municipalities,
                              _definitions.c.effective_from).order_by(_definitions.c.id))


class VersionRef(NamedTuple):
    """A deployed version as a new case needs it: which one, of which process and organisation."""

    id: int
    process_key: str
    version_hash: str
    organisation: str
    municipalities: str
    effective_from: date


# a version's municipalities (JSON text, fixed once deployed) as a set, parsed once per process
_MUNICIPALITIES: dict[str, frozenset[str]] = {}


def municipalities_in(text: str) -> frozenset[str]:
    """The municipalities a version's stored ``municipalities`` JSON names (parsed once per text)."""
    found = _MUNICIPALITIES.get(text)
    if found is None:
        if len(_MUNICIPALITIES) > 1024:
            _MUNICIPALITIES.clear()
        parsed = json.loads(text)
        found = _MUNICIPALITIES[text] = frozenset(parsed) if isinstance(parsed, (list, dict)) else frozenset()
    return found


_INSERT_EVENT, _INSERT_TASK, _INSERT_TIMER = insert(table_of(EventRow)), insert(_tasks), insert(_timers)
_CLOSE_TASK = (update(_tasks).where(_tasks.c.id == bindparam("b_id"))
               .values(status=bindparam("status"), completed_at=bindparam("completed_at"),
                       completed_by=bindparam("completed_by")))
_CHANGE_TASK = (update(_tasks).where(_tasks.c.id == bindparam("b_id"))
                .values(ordinal=bindparam("ordinal"), phase=bindparam("phase"), due_at=bindparam("due_at")))
_TASK_COLUMNS = tuple(c.name for c in _tasks.c)


def _index_of_case():
    """A case's open tasks and its timers in one read (one round trip): the task columns, then
    the timer's own (``kind``), a NULL where a row of the other kind has none; ``soort`` says which."""
    def nothing(column):
        return type_coerce(null(), column.type)

    tasks = select(literal_column("'taak'").label("soort"), *_tasks.c, nothing(_timers.c.kind).label("kind")).where(
        _tasks.c.case_id == bindparam("case_id"), _tasks.c.status == "open")
    as_task = {"id": _timers.c.task_id, "case_id": _timers.c.case_id, "spec": _timers.c.spec,
               "name": _timers.c.name, "due_at": _timers.c.due_at}
    timers = select(literal_column("'timer'").label("soort"),
                    *[as_task[c.name].label(c.name) if c.name in as_task else nothing(c).label(c.name)
                      for c in _tasks.c],
                    _timers.c.kind).where(_timers.c.case_id == bindparam("case_id"))
    return union_all(tasks, timers)


_INDEX_OF_CASE = PlainQuery(_index_of_case())  # on the driver on PostgreSQL (storage/plain.py)
_INDEX_AT = {column.key: i for i, column in enumerate(_INDEX_OF_CASE.statement.exported_columns)}
_INDEX_TASK = [(name, _INDEX_AT[name]) for name in _TASK_COLUMNS]
_I_SOORT, _I_ID, _I_CASE, _I_SPEC, _I_NAME, _I_KIND, _I_DUE = (
    _INDEX_AT[k] for k in ("soort", "id", "case_id", "spec", "name", "kind", "due_at"))
# the payload: the soonest newly armed due moment (seconds since the epoch, UTC), so that a
# worker already waking sooner need not ask the database; empty when a timer has no moment
_NOTIFY = text("SELECT pg_notify(:channel, :due)")
_DELETE_TIMER = delete(_timers).where(_timers.c.case_id == bindparam("b_case"),
                                      _timers.c.task_id == bindparam("b_task"))
_MOVE_TIMER = (update(_timers).where(_timers.c.case_id == bindparam("b_case"), _timers.c.task_id == bindparam("b_task"))
               .values(due_at=bindparam("due_at")))


class Repository:
    """Cases and definition versions as the use cases need them. Holds no request state."""

    def __init__(self, db: Database, cache_size: int = BUNDLE_CACHE_SIZE) -> None:
        self.db = db
        self.bundles = BundleCache(cache_size)
        self.seal_key: SealKey | None = None  # set by the facade; seals each case's newest event
        self._definitions: dict[int, tuple[str, str]] = {}  # id -> (name, version hash): immutable

    def definition_info(self, uow, definition_id: int) -> tuple[str, str] | None:
        """A definition version's name and hash (immutable once stored, so kept per process)."""
        info = self._definitions.get(definition_id)
        if info is None:
            row = uow.session.get(DefinitionRow, definition_id)
            if row is None:
                return None
            info = self._definitions[definition_id] = (row.name, row.version_hash)
        return info

    @contextlib.contextmanager
    def broken_case_guard(self, moment: datetime) -> Iterator[None]:
        """A command that finds its case unloadable puts that case in error (after its
        own transaction has rolled back) and answers with a conflict naming why."""
        try:
            yield
        except CaseBroken as exc:
            number = self.put_in_error(exc.case_id, moment, exc.message)
            raise Conflict(Msg("zaak %(zaak)s staat in fout: %(reden)s", zaak=number or exc.case_id,
                               reden=exc.message), case=exc.case_id) from exc

    def put_in_error(self, case_id: str, moment: datetime, reason: str) -> str | None:
        """Mark one case in error in a transaction of its own, never raising: the
        caller is busy keeping the other cases going. When even that fails, the
        case's timers are at least taken out of the index so they stop blocking.
        Returns the case's number when it was marked."""
        try:
            return self.mark_error(case_id, moment, reason)
        except Exception:  # noqa: BLE001
            log.exception("zaak %s kon niet in fout worden gezet", case_id)
        try:
            with self.db.unit_of_work() as uow:
                uow.session.execute(delete(TimerRow).where(TimerRow.case_id == case_id))
                uow.commit()
        except Exception:  # noqa: BLE001
            log.exception("timers van zaak %s konden niet worden verwijderd", case_id)
        return None

    def mark_error(self, case_id: str, moment: datetime, reason: str) -> str | None:
        """Put the case in error with ``reason``; its number comes back."""
        with clock.at(moment), self.db.unit_of_work() as uow:
            row = self.case_row(uow, case_id)
            number = row.case_number
            if row.status == "error" and row.error == reason:
                return number
            row.status = "error"
            row.error = reason[:2000]
            # the stored workflow state is kept as it is (it may be what is broken); the
            # case row carries the status, and retry_case reads the state again
            row.updated_at = max(row.updated_at, moment) if row.updated_at else moment
            payload: dict = {"error": row.error}
            stopped = self.timer_list(uow, case_id, "zaak in fout")
            if stopped:
                payload["cancelled"] = stopped
            uow.session.execute(delete(TimerRow).where(TimerRow.case_id == case_id))
            # Werkpad itself found the case unloadable — on a person's command or a timer's firing alike
            self.append_event(uow, row, "engine_error", "system", moment, payload,
                               digest=stored_digest(row))
            uow.commit()
            return number

    def timer_list(self, uow, case_id: str, reason: str) -> list[dict]:
        """The case's timers in the index, as the ``cancelled`` entries of an event."""
        rows = uow.session.scalars(select(TimerRow).where(TimerRow.case_id == case_id)
                                   .order_by(TimerRow.due_at, TimerRow.task_id)).all()
        return [{"kind": "timer", "id": t.task_id, "spec": t.spec, "name": t.name,
                 "due": t.due_at.isoformat() if t.due_at else None, "reason": reason} for t in rows]

    def version_in_effect(self, uow, municipality: str, day: date, process: str | None,
                          organisations: list[str] | None = None) -> VersionRef:
        """The version a new case of ``municipality`` starts on; ``organisations``: only processes
        of those (the organisations a person starting the case works for)."""
        rows = [VersionRef(*found) for found in uow.rows(_VERSIONS, {})]
        candidates = [r for r in rows if municipality in municipalities_in(r.municipalities)
                      and (process is None or r.process_key == process)
                      and (organisations is None or r.organisation in organisations)]
        if not candidates:
            raise NotFound(Msg("geen proces uitgerold voor gemeente '%(municipality)s'",
                               municipality=municipality))
        keys = {r.process_key for r in candidates}
        if len(keys) > 1:
            raise ValidationError(Msg("gemeente '%(municipality)s' heeft meerdere processen (%(waarde)s); "
                                      "kies er een",
                                      municipality=municipality, waarde=', '.join(sorted(keys))),
                                  fields={"process": ["Kies een proces."]})
        effective = [r for r in candidates if r.effective_from <= day]
        if not effective:
            first = min(r.effective_from for r in candidates)
            raise ValidationError(Msg("geen procesversie voor '%(municipality)s' geldig op %(day)s (eerste: "
                                      "%(first)s)", municipality=municipality, day=day, first=first),
                                  fields={"at": ["Geen geldige procesversie op deze datum."]})
        return max(effective, key=lambda r: (r.effective_from, r.id))

    def bundle(self, definition: DefinitionRow) -> Bundle:
        bundle = self.bundles.get(definition.id)
        if bundle is None:
            from ..core.definitions import Bundle

            bundle = Bundle.from_record(json.loads(definition.record))
            self.bundles.put(definition.id, bundle)
        return bundle

    def bundle_by_hash(self, uow, version_hash: str) -> Bundle:
        # the id alone: a version already parsed comes from the cache without reading its record again
        definition_id = uow.session.scalars(select(DefinitionRow.id)
                                            .where(DefinitionRow.version_hash == version_hash)).first()
        if definition_id is None:
            raise NotFound(Msg("procesversie %(version_hash)s bestaat niet (meer)",
                               version_hash=version_label(version_hash)))
        return self.bundle_by_id(uow, definition_id)

    def bundle_by_id(self, uow, definition_id: int) -> Bundle:
        bundle = self.bundles.get(definition_id)
        if bundle is None:
            definition = uow.session.get(DefinitionRow, definition_id)
            if definition is None:
                raise NotFound(Msg("procesversie %(definition_id)s bestaat niet (meer)",
                                   definition_id=definition_id))
            bundle = self.bundle(definition)
        return bundle

    def bundle_or_none(self, uow, definition_id: int) -> Bundle | None:
        try:
            return self.bundle_by_id(uow, definition_id)
        except Exception:  # noqa: BLE001 - a missing or unreadable version shows the task without its form
            log.warning("procesversie %s kan niet worden geladen", definition_id, exc_info=True)
            return None

    def case_row(self, uow, case_id: str) -> CaseRow:
        """The case's row; in a writing unit of work on PostgreSQL with its row lock, so commands
        on one case queue (a row the unit of work already read, e.g. with its task, is used as is)."""
        session = uow.session
        row = session.identity_map.get(identity_key(CaseRow, case_id))
        if row is None:
            lock = getattr(uow, "write", False) and not self.db.is_sqlite
            row = session.get(CaseRow, case_id, with_for_update=True if lock else None)
        if row is None:
            raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
        return row

    def load(self, uow, case_id: str, need_runtime: bool = True) -> Loaded:
        row = self.case_row(uow, case_id)
        try:
            bundle = self.bundle_by_id(uow, row.definition_id)
        except Exception as exc:  # noqa: BLE001 - any failure here is this case's, not the caller's
            raise CaseBroken(case_id, f"de procesversie van de zaak kan niet worden geladen ({why(exc)})") from exc
        if need_runtime and row.status in CLOSED:
            raise Conflict(Msg("zaak %(zaak)s is afgesloten", zaak=row.case_number or case_id))
        if need_runtime and row.status == "error":
            raise Conflict(Msg("zaak %(zaak)s staat in fout: %(reden)s",
                               zaak=row.case_number or case_id, reden=reason_in_words(row.error)))
        moment = clock.now()
        if row.updated_at and moment < row.updated_at:
            if clock.is_real_time():  # another command on this case committed while this one waited
                raise CaseMovedOn(Msg("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw"))
            # an audit trail runs forward: nothing happens to a case before its last event
            raise ValidationError(
                Msg("het tijdstip %(waarde)s ligt vóór de laatste gebeurtenis van zaak %(case_id)s "
                    "(%(waarde2)s)",
                    waarde=clock.iso(moment), case_id=case_id, waarde2=clock.iso(row.updated_at)),
                fields={"at": ["Tijdstip ligt vóór de laatste gebeurtenis."]})
        if not need_runtime:
            return Loaded(row, bundle, None)  # type: ignore[arg-type]
        from ..core.runtime import CaseRuntime

        try:
            spec, subprocess_specs = bundle.specs()
            state = json.loads(row.state)
            runtime = CaseRuntime.restore(state, spec, subprocess_specs, copy=False)
        except EngineError as exc:  # an unknown state format: say which
            raise CaseBroken(case_id, f"de opgeslagen toestand van de zaak is niet te lezen: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - a corrupt or unreadable state puts this case in error
            raise CaseBroken(case_id, f"de opgeslagen toestand van de zaak is onleesbaar ({why(exc)})") from exc
        runtime.places = PlaceLedger(uow, row.id, row.organisation)
        return Loaded(row, bundle, runtime, state.get("engine") if isinstance(state, dict) else None)

    def save(self, uow, loaded: Loaded, event_type: str, actor: str, moment: datetime, payload: dict,
              completed_task: str | None = None) -> None:
        from ..core.runtime import MAX_STATE_BYTES

        row, runtime = loaded.row, loaded.runtime
        if runtime.fired and event_type != "timer_fired":
            # a timer armed with a moment already past fires within the same step: say so
            payload = {**payload, "timers_fired": [
                {"spec": t.spec, "name": t.name, "kind": t.kind, "due": t.due.isoformat() if t.due else None}
                for t in runtime.fired]}
        if runtime.decisions:
            # the decision tables this step evaluated, with inputs, matched rule and outcome (for auditors)
            payload = {**payload, "beslissingen": list(runtime.decisions)}
            runtime.decisions.clear()
        self._note_engine_versions(uow, loaded, actor, moment)
        tasks = runtime.walk()  # one walk over the case's tasks for what is observed and stored
        observation = runtime.observe(tasks)
        state = runtime.serialize(tasks)
        state["engine"] = engine_versions()
        state["data"] = observation.data
        state["messages"] = observation.messages
        if observation.messages:  # which elements wait for them (one name may be caught at several places)
            state["message_places"] = runtime.waiting_message_places()
        fingerprint = observation.fingerprint()
        state["digest"] = audit.digest(fingerprint)
        row.state = jsontext.compact(state)
        if len(row.state) > MAX_STATE_BYTES:
            raise ValidationError(
                Msg("De gegevens van de zaak worden te groot (%(waarde)s KB; de grens is %(waarde2)s KB). "
                    "Sla grote stukken op in het zaaksysteem en verwijs ernaar.",
                    waarde=len(row.state) // 1024, waarde2=MAX_STATE_BYTES // 1024),
                fields={"_algemeen": ["Zaakgegevens te groot."]})
        row.status = observation.status
        row.phase = observation.phase
        row.updated_at = moment
        if observation.status in CLOSED and row.ended_at is None:
            row.ended_at = moment
        fired = {t.task_id for t in runtime.fired}
        ledger = runtime.places
        if isinstance(ledger, PlaceLedger) and ledger.decisions:
            # replay answers plaats_aanvragen from here, never from the occupancy of its day
            payload = {**payload, "plaatsen": list(ledger.decisions)}
            ledger.decisions.clear()
        # the index rows and the event are written after the case row (below): a new case's row
        # is inserted once with its final state, and the case's row is the first one written
        writes: list = []
        cancelled, ended, loaded.open_tasks, loaded.timers = self.sync_index(
            uow, row, observation, moment, actor, completed_task, fired, writes)
        loaded.state = state
        left = {runtime.task_property(spec, "plaats") for spec in ended}
        left.discard(None)
        if observation.status in CLOSED:
            capacity.release(self, uow, row.id, row.organisation, None, moment)
        elif left:
            capacity.release(self, uow, row.id, row.organisation, {str(i) for i in left}, moment)
        if cancelled:
            # nothing leaves a case silently: what the engine cancelled, and why, is in this event
            reason = str(cancel_reason(event_type, payload) or event_type)
            payload = {**payload, "cancelled": [{**c, "reason": reason} for c in cancelled]}
        self.append_event(uow, row, event_type, actor, moment, payload, digest=state["digest"],
                          snapshot=fingerprint, writes=writes)
        self.write_case_row(uow, row)
        for statement, params in writes:
            uow.defer(statement, params)

    def write_case_row(self, uow, row: CaseRow) -> None:
        """Write what changed on the case row, first in the command's writes: one UPDATE guarded
        by the row's version counter (CaseMovedOn at commit when another command got there first),
        deferred with the command's other writes (UnitOfWork.defer) and marked as stored on the
        object, so the session has nothing left to flush for it. A new case's row is an INSERT,
        first in the command's writes, and held by the session as stored; if the session has
        other objects waiting (a capacity placement of the case), the session inserts them all now."""
        state = sa_inspect(row)
        if not state.persistent:
            session = uow.session
            if state.pending and len(session.new) == 1 and not session.dirty and not session.deleted:
                session.expunge(row)
                row.lock_version = 1
                values = {}
                for key, column in _CASE_COLUMN.items():
                    values[column] = value = getattr(row, key)
                    if key not in state.dict:  # a column never set (None): set, or it would be expired below
                        setattr(row, key, value)
                uow.defer(_INSERT_CASE, values)
                held_as_stored(session, row)
            else:
                uow.flush()
            return
        changed = {attr.key: attr.value for attr in state.attrs if attr.history.has_changes()}
        if not changed:
            return
        version = row.lock_version
        values = {_CASE_COLUMN[key]: value for key, value in changed.items()}
        # the columns to set are the parameters' other names (one statement, built once)
        uow.defer(_UPDATE_CASE, {**values, "version": version + 1, "b_id": row.id, "b_version": version},
                  must_change_one=True)
        state.dict["lock_version"] = version + 1
        # stored as far as the session knows: not only each value but the object's "modified"
        # mark too, or the commit still runs a flush over it that writes nothing (5% of a
        # completion's CPU under load)
        state._commit_all(state.dict, uow.session.identity_map)

    def _note_engine_versions(self, uow, loaded: Loaded, actor: str, moment: datetime) -> None:
        """A case records the versions it ran on: at its start (in case_started) and, from then on,
        an ``engine_versions_changed`` event whenever Werkpad, SpiffWorkflow or the state format change."""
        row = loaded.row
        if not row.last_seq:
            return
        before = loaded.engine
        now = engine_versions()
        if before != now:
            self.append_event(uow, row, "engine_versions_changed", actor, moment, {"from": before, "to": now},
                              digest=stored_digest(row))

    def sync_index(self, uow, row: CaseRow, obs: Observation, moment: datetime, actor: str,
                   completed_task: str | None, fired: set[str], writes: list
                   ) -> tuple[list[dict], list[str], list[IndexRow], list[IndexRow]]:
        """Bring the inbox and timer index in line with the runtime; return what was
        cancelled on the way (open tasks gone without being completed, timers that left the
        index without having fired), the specs of every open task that ended, and the open
        task rows and timer rows as they now are. The index rows are read here (open tasks and
        timers in one statement); their changes go into ``writes`` (statement, parameters), which
        ``save`` defers after the case row (on PostgreSQL all of them travel as one statement).
        Plain statements on the index tables, not the session's unit of work: a command writes a
        handful of rows it never reads back, and the bookkeeping of mapped objects cost more than
        the statements themselves (see bench/command.py)."""
        cancelled: list[dict] = []
        ended: list[str] = []
        open_now: list[IndexRow] = []
        timers_now: list[IndexRow] = []
        def execute(statement, params) -> None:
            writes.append((statement, params))

        open_rows: dict[str, IndexRow] = {}
        timers: dict[str, IndexRow] = {}
        for found in (uow.rows(_INDEX_OF_CASE, {"case_id": row.id}) if row.last_seq else ()):
            if found[_I_SOORT] == "taak":
                open_rows[found[_I_ID]] = IndexRow({c: found[i] for c, i in _INDEX_TASK})
            else:
                timers[found[_I_ID]] = IndexRow({"case_id": found[_I_CASE], "task_id": found[_I_ID],
                                                 "spec": found[_I_SPEC], "name": found[_I_NAME],
                                                 "kind": found[_I_KIND], "due_at": found[_I_DUE]})
        current = {t.id: t for t in obs.tasks}
        closed: list[dict] = []
        for task_id, task_row in open_rows.items():
            if task_id not in current:
                ended.append(task_row.spec)
                done = task_id == completed_task
                closed.append({"b_id": task_id, "status": "completed" if done else "cancelled",
                               "completed_at": moment, "completed_by": actor if done else None})
                if not done:
                    cancelled.append({"kind": "taak", "id": task_id, "spec": task_row.spec, "name": task_row.name,
                                      "due": task_row.due_at.isoformat() if task_row.due_at else None,
                                      "claimed_by": task_row.claimed_by})
        if closed:
            execute(_CLOSE_TASK, closed)
        added: list[dict] = []
        changed: list[dict] = []
        for task_id, info in current.items():
            existing = open_rows.get(task_id)
            if existing is None:
                values = {"id": task_id, "case_id": row.id, "organisation": row.organisation, "spec": info.spec,
                          "ordinal": info.ordinal, "name": info.name, "lane": info.lane, "form": info.form,
                          "phase": info.phase, "due_at": info.due, "status": "open", "claimed_by": None,
                          "created_at": moment, "completed_at": None, "completed_by": None}
                added.append(values)
                open_now.append(IndexRow(values))
            else:
                if (existing.ordinal, existing.phase, existing.due_at) != (info.ordinal, info.phase, info.due):
                    changed.append({"b_id": task_id, "ordinal": info.ordinal, "phase": info.phase,
                                    "due_at": info.due})
                open_now.append(IndexRow({**existing.__dict__, "ordinal": info.ordinal, "phase": info.phase,
                                          "due_at": info.due}))
        if added:
            execute(_INSERT_TASK, added)
        if changed:
            execute(_CHANGE_TASK, changed)
        wanted = {t.task_id: t for t in obs.timers if t.due is not None}
        gone = [task_id for task_id in timers if task_id not in wanted]
        for task_id in gone:
            timer_row = timers[task_id]
            if task_id not in fired:
                cancelled.append({"kind": "timer", "id": task_id, "spec": timer_row.spec, "name": timer_row.name,
                                  "due": timer_row.due_at.isoformat() if timer_row.due_at else None})
        if gone:
            execute(_DELETE_TIMER, [{"b_case": row.id, "b_task": task_id} for task_id in gone])
        armed: list[datetime | None] = []  # moments that may come due sooner than a worker expects
        new_timers: list[dict] = []
        moved: list[dict] = []
        for task_id, timer in wanted.items():
            existing_timer = timers.get(task_id)
            if existing_timer is None:
                values = {"case_id": row.id, "task_id": task_id, "spec": timer.spec, "name": timer.name,
                          "kind": timer.kind, "due_at": timer.due}
                new_timers.append(values)
                timers_now.append(IndexRow(values))
                armed.append(timer.due)
                continue
            if existing_timer.due_at != timer.due:
                if (timer.due is not None and existing_timer.due_at is not None
                        and timer.due < existing_timer.due_at):
                    armed.append(timer.due)
                moved.append({"b_case": row.id, "b_task": task_id, "due_at": timer.due})
            timers_now.append(IndexRow({**existing_timer.__dict__, "due_at": timer.due}))
        if new_timers:
            execute(_INSERT_TIMER, new_timers)
        if moved:
            execute(_MOVE_TIMER, moved)
        if armed and not self.db.is_sqlite:
            soonest = None if None in armed else min(d for d in armed if d is not None)
            # the wall clock, not the command's moment: a command "at" a past moment can arm a timer
            # that is due any second now; a timer weeks ahead, as nearly every step arms one, is
            # left to the worker's next look
            if soonest is None or soonest < datetime.now(UTC) + NOTIFY_HORIZON:
                # wakes every `werkpad worker` that LISTENs, when this transaction commits
                execute(_NOTIFY, {"channel": TIMER_CHANNEL,
                                  "due": "" if soonest is None else f"{soonest.timestamp():.6f}"})
        return cancelled, ended, open_now, timers_now

    def append_event(self, uow, row: CaseRow, event_type: str, actor: str, moment: datetime, payload: dict,
                     digest: str, snapshot: dict | None = None, writes: list | None = None) -> None:
        """One event at the end of the case's hash chain. ``snapshot`` is the fingerprint ``digest``
        was made of (kept so replay can name what differs); bookkeeping events carry none."""
        seq = row.last_seq + 1
        recorded = datetime.now(UTC)
        payload_text = audit.canonical(payload)
        ev_hash = audit.event_hash(row.last_hash, row.id, seq, event_type, actor, moment, recorded, row.phase,
                                   payload_text, digest)
        # a plain INSERT: an event is written once and never changed (see _sync_index)
        values = [{"case_id": row.id, "seq": seq, "type": event_type, "actor": actor, "at": moment,
                   "recorded_at": recorded, "phase": row.phase, "payload": payload_text, "digest": digest,
                   "prev_hash": row.last_hash, "hash": ev_hash,
                   "snapshot": audit.canonical(snapshot) if snapshot is not None else None}]
        if writes is None:
            uow.defer(_INSERT_EVENT, values)
        else:
            writes.append((_INSERT_EVENT, values))
        row.last_seq = seq
        row.last_hash = ev_hash
        if self.seal_key is not None:  # see engine/app/sealing.py
            row.seal = self.seal_key.seal(row.id, seq, ev_hash)
        row.updated_at = max(row.updated_at, moment) if row.updated_at else moment

def cancel_reason(event_type: str, payload: dict) -> Msg | None:
    """Why the engine cancelled tasks or timers, in the words of the event that caused it; the
    Dutch text is what the event records, the template lets a page say it in its reader's language
    (web/filters.vervallen). None for an event that cancels nothing of itself."""
    if event_type == "task_completed":
        return Msg("taak '%(naam)s' afgerond", naam=(payload.get("task") or {}).get("name", ""))
    if event_type == "message_received":
        if payload.get("handled_by") == "engine":
            return Msg("aanvraag ingetrokken: de zaak is beëindigd")
        return Msg("bericht '%(bericht)s' ontvangen", bericht=str(payload.get("message", "")))
    if event_type == "timer_fired":
        return Msg("termijn verstreken: %(namen)s",
                   namen=", ".join(str(t.get("name", "")) for t in payload.get("timers", [])))
    if event_type == "version_migrated":
        return Msg("zaak naar een andere procesversie gezet")
    if event_type == "engine_error":
        return Msg("zaak in fout")
    if event_type == "case_closed_in_error":
        return Msg("zaak gesloten na fout")
    return None


def cases_in_error(session, organisations: list[str] | None = None, limit: int | None = 200) -> list[dict]:
    """The cases in error (of ``organisations``, or all), newest first: who, which, why and since when."""
    query = select(CaseRow.organisation, CaseRow.id, CaseRow.case_number, CaseRow.client_name, CaseRow.error,
                   CaseRow.updated_at).where(CaseRow.status == "error")
    if organisations is not None:
        query = query.where(CaseRow.organisation.in_(organisations or [""]))
    return [{"organisation": org, "case": cid, "number": number, "client": client, "error": reason_in_words(error),
             "since": since}
            for org, cid, number, client, error, since in session.execute(
                query.order_by(CaseRow.updated_at.desc(), CaseRow.id).limit(limit)).all()]  # limit None: all


def stored_digest(row: CaseRow) -> str:
    try:
        return str(json.loads(row.state).get("digest", "")) if row.state else ""
    except (ValueError, AttributeError):
        return ""



# what an unexpected exception means for the case, in words a teamleider reads (the most specific
# first), and whether its own first line is worth adding (a parser's position in the text is not)
_WHAT_FAILED: tuple[tuple[type[BaseException], str, bool], ...] = (
    (json.JSONDecodeError, "geen leesbare JSON", False),
    (UnicodeError, "geen leesbare tekst", False),
    (RecursionError, "te diep genest", False),
    (MemoryError, "te groot", False),
    (KeyError, "een onderdeel ontbreekt", True),
    (IndexError, "een onderdeel ontbreekt", True),
    (AttributeError, "een onderdeel ontbreekt of heeft de verkeerde vorm", True),
    (TypeError, "een gegeven heeft de verkeerde vorm", True),
    (ValueError, "een ongeldige waarde", True),
    (ArithmeticError, "een berekening kan niet", True),
)


def why(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception, for people and the log: what it means in
    words, then the exception's own first line ("een onderdeel ontbreekt: 'workflow'")."""
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    for kind, words, with_text in _WHAT_FAILED:
        if isinstance(exc, kind):
            return f"{words}: {text}" if with_text and text else words
    return f"onverwachte fout ({type(exc).__name__}{': ' + text if text else ''})"


_LEGACY_REASON = re.compile(r"\b(" + "|".join(sorted({kind.__name__ for kind, _w, _t in _WHAT_FAILED}
                                                     | {"UnicodeDecodeError", "ZeroDivisionError", "OverflowError"},
                                                     key=len, reverse=True))
                            + r")(?=[:)]|$)(?::\s*((?:[^()]|\([^()]*\))*))?")


def reason_in_words(reason: str | None) -> str | None:
    """A stored reason as :func:`why` words it today. Cases put in error before the reasons were
    worded keep a Python exception's name in their row and event ("... (KeyError: 'workflow')");
    they are shown as "... (een onderdeel ontbreekt: 'workflow')". Other text is left as it is."""
    if not reason:
        return reason

    def words(match: re.Match) -> str:
        name, text = match.group(1), (match.group(2) or "").strip()
        kind = getattr(builtins, name, None) or (json.JSONDecodeError if name == "JSONDecodeError" else None)
        for known, said, with_text in _WHAT_FAILED:
            if isinstance(kind, type) and issubclass(kind, known):
                return f"{said}: {text}" if with_text and text else said
        return match.group(0)

    return _LEGACY_REASON.sub(words, reason)

