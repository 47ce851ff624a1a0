"""``Werkpad``: the one object entry points (CLI, web, worker) hold. It owns the
database and the shared repository and hands every call to the job module that
does it; it holds no rules of its own.

Each job module is imported and built the first time it is used: a command that
reads one case loads the cases module, not the designer's checks, the auditor's
replay or SpiffWorkflow's parser."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from ..core import clock

if TYPE_CHECKING:
    from ..storage import Database
    from .acting import AccessLog, Actor, RequestContext
    from .auditing import AuditTrail
    from .cases import Cases
    from .designer import Designer
    from .processes import Processes
    from .repository import Repository
    from .retention import Retention
    from .sealing import SealKey
    from .timers import Timers

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "sqlite:///" + str(ROOT / "instance" / "werkpad.sqlite")


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


S = TypeVar("S")


class _Service(Generic[S]):
    """An attribute built by ``build(werkpad)`` on first use, once per instance even
    when several threads (the web server's) ask at the same moment."""

    def __init__(self, build: Callable[[Werkpad], S]) -> None:
        self._build = build
        self._lock = threading.Lock()

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _Service[S]: ...

    @overload
    def __get__(self, instance: Werkpad, owner: type | None = None) -> S: ...

    def __get__(self, instance: Werkpad | None, owner: type | None = None) -> S | _Service[S]:
        if instance is None:
            return self
        built: S | None = instance.__dict__.get(self._name)
        if built is None:
            with self._lock:
                built = instance.__dict__.get(self._name)
                if built is None:
                    built = instance.__dict__[self._name] = self._build(instance)
        return built


def _repository(wp: Werkpad) -> Repository:
    from .repository import Repository

    repo = Repository(wp.db)
    repo.seal_key = wp.seal_key
    return repo


def _access_log(wp: Werkpad) -> AccessLog:
    from .acting import AccessLog

    return AccessLog(wp.db)


def _cases(wp: Werkpad) -> Cases:
    from .cases import Cases

    return Cases(wp.repo, wp.access_log)


def _processes(wp: Werkpad) -> Processes:
    from .processes import Processes

    return Processes(wp.repo, wp.cases, wp.processes_dir, wp.forms_dir)


def _timers(wp: Werkpad) -> Timers:
    from .timers import Timers

    return Timers(wp.repo)


def _auditing(wp: Werkpad) -> AuditTrail:
    from .auditing import AuditTrail

    return AuditTrail(wp.repo)


def _designer(wp: Werkpad) -> Designer:
    from .designer import Designer

    return Designer(wp.repo, wp.processes, wp.forms_dir)


def _retention(wp: Werkpad) -> Retention:
    from .retention import Retention

    return Retention(wp.repo, wp.access_log)


class Werkpad:
    """The engine's public API. Holds no request state; safe to share per process."""

    repo = _Service(_repository)
    # the access log the commands write for a person (its pseudonym secret is the web's: set_secret)
    access_log = _Service(_access_log)
    cases = _Service(_cases)
    processes = _Service(_processes)
    timers = _Service(_timers)
    auditing = _Service(_auditing)
    designer = _Service(_designer)
    retention = _Service(_retention)

    def __init__(self, database_url: str | None = None, processes_dir: Path | str | None = None,
                 forms_dir: Path | str | None = None, seal_key: SealKey | Path | str | None = None) -> None:
        from ..storage import Database
        from .sealing import SealKey, load_seal_key

        self.db: Database = Database(database_url or default_database_url())
        self.processes_dir = Path(processes_dir) if processes_dir else ROOT / "processes"
        self.forms_dir = Path(forms_dir) if forms_dir else ROOT / "forms"
        self.seal_key: SealKey = seal_key if isinstance(seal_key, SealKey) else load_seal_key(seal_key)

    # ------------------------------------------------------------------ schema
    def upgrade_db(self) -> None:
        self.db.upgrade()

    # ------------------------------------------------------------------ processes and versions
    def deploy(self, processes_dir: Path | str | None = None, forms_dir: Path | str | None = None,
               actor: str = "system", at: datetime | None = None, only: list[str] | None = None) -> list[dict]:
        return self.processes.deploy(processes_dir, forms_dir, actor, at, only)

    def list_processes(self) -> list[dict]:
        return self.processes.list_processes()

    def show_process(self, key: str) -> dict:
        return self.processes.show_process(key)

    def lanes_in_use(self, organisations: Iterable[str]) -> set[str]:
        return self.processes.lanes_in_use(organisations)

    def definition_files(self, key: str, version: str | None = None) -> dict:
        return self.processes.definition_files(key, version)

    def field_words(self, version_hash: str | None) -> dict[str, dict]:
        return self.processes.field_words(version_hash)

    def municipality_name(self, key: str) -> str:
        return self.processes.municipality_name(key)

    def version_numbers(self, key: str) -> dict[str, int]:
        return self.processes.version_numbers(key)

    def versions(self, key: str) -> list[tuple[str, date]]:
        return self.processes.versions(key)

    def migrate_case(self, case_id: str, to_version: str | None = None, user: Actor | str = "system",
                     at: datetime | None = None, dry_run: bool = False,
                     context: RequestContext | None = None) -> dict:
        return self.processes.migrate_case(case_id, to_version, user, at, dry_run, context=context)

    # ------------------------------------------------------------------ cases and tasks
    def start_case(self, municipality: str, bsn: str, name: str, birthdate: date | str,
                   data: Mapping[str, Any] | None = None, at: datetime | None = None, actor: Actor | str = "system",
                   process: str | None = None, context: RequestContext | None = None) -> dict:
        return self.cases.start_case(municipality, bsn, name, birthdate, data, at, actor, process, context)

    def get_case(self, case_id: str) -> dict:
        return self.cases.get_case(case_id)

    def case_id_for_number(self, number: str) -> str | None:
        return self.cases.case_id_for_number(number)

    def list_tasks(self, case_id: str | None = None, lane: str | None = None, status: str = "open",
                   claimed_by: str | None = None, with_form: bool = True, limit: int | None = None,
                   organisations: list[str] | None = None) -> list[dict]:
        return self.cases.list_tasks(case_id, lane, status, claimed_by, with_form, limit, organisations)

    def get_task(self, task_id: str) -> dict:
        return self.cases.get_task(task_id)

    def claim_task(self, task_id: str, actor: Actor | str, at: datetime | None = None,
                   context: RequestContext | None = None) -> dict:
        return self.cases.claim_task(task_id, actor, at, context)

    def unclaim_task(self, task_id: str, actor: Actor | str, at: datetime | None = None,
                     context: RequestContext | None = None) -> dict:
        return self.cases.unclaim_task(task_id, actor, at, context)

    def assign_task(self, task_id: str, actor: Actor | str, assignee: str, at: datetime | None = None,
                    context: RequestContext | None = None) -> dict:
        return self.cases.assign_task(task_id, actor, assignee, at, context)

    def complete_task(self, task_id: str, actor: Actor | str, data: Mapping[str, Any] | None = None,
                      at: datetime | None = None, context: RequestContext | None = None) -> dict:
        return self.cases.complete_task(task_id, actor, data, at, context)

    def add_note(self, case_id: str, actor: Actor | str, text: str, at: datetime | None = None,
                 context: RequestContext | None = None) -> dict:
        return self.cases.add_note(case_id, actor, text, at, context)

    def send_message(self, case_id: str, name: str, data: Mapping[str, Any] | None = None,
                     user: Actor | str = "system", at: datetime | None = None,
                     context: RequestContext | None = None) -> dict:
        return self.cases.send_message(case_id, name, data, user, at, context)

    def retry_case(self, case_id: str, actor: Actor | str, at: datetime | None = None,
                   context: RequestContext | None = None) -> dict:
        return self.cases.retry_case(case_id, actor, at, context)

    def close_case_in_error(self, case_id: str, actor: Actor | str, reason: str, at: datetime | None = None,
                            context: RequestContext | None = None) -> dict:
        return self.cases.close_case_in_error(case_id, actor, reason, at, context)

    # ------------------------------------------------------------------ timers
    def fire_due_timers(self, until: datetime | None = None, max_fires: int = 1_000_000) -> list[dict]:
        return self.timers.fire_due_timers(until, max_fires)

    def next_timer_due(self) -> datetime | None:
        return self.timers.next_due()

    # ------------------------------------------------------------------ auditing
    def case_history(self, case_id: str) -> list[dict]:
        return self.auditing.case_history(case_id)

    def replay_case(self, case_id: str) -> dict:
        return self.auditing.replay_case(case_id)

    def verify_audit(self, replay: bool = True, progress: Callable[[int, int], None] | None = None) -> dict:
        return self.auditing.verify_audit(replay, progress)

    def capacity_limits(self, organisation: str) -> dict[str, dict]:
        """The organisation's places per instrument as its data file gives them (capaciteit.json)."""
        from . import capacity

        with self.db.unit_of_work(write=False) as uow:
            return capacity.limits_of(uow, organisation)

    def capacity_overview(self, organisations: list[str] | None = None) -> list[dict]:
        """Places per organisation and instrument: taken, free, and who waits (the teamleider's view)."""
        from . import capacity

        with self.db.unit_of_work(write=False) as uow:
            return capacity.overview(uow, organisations, clock.local_date())
