"""The inbox queries: a consultant's tasks and their team's open tasks, always
scoped to the organisations the user belongs to. No Flask here.

Every query takes a :class:`Scope` built from the logged-in user; a task or
case outside that scope is reported as not found, exactly like one that does
not exist, so nothing leaks about other organisations.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, cast, false, func, literal, literal_column, or_, select, union_all
from sqlalchemy.dialects.postgresql import JSONB

from ..core import clock
from ..core.bsn import mask_bsn, normalise_bsn
from ..core.messages import Msg
from ..core.runtime import PHASES
from ..core.xml import BPMN_NS, SAFE_PARSER
from ..errors import NotFound
from ..storage import CaseRow, DefinitionRow, EventRow, TaskRow, TimerRow
from ..storage.plain import PlainQuery
from .repository import cases_in_error

VIEWS = ("mijn", "team", "alle")
MAX_COLUMNS = 4
COUNT_LIMIT = 1000
_FACETS_CACHE: dict[tuple, dict] = {}
_VOCABULARY_CACHE: dict[tuple[str, int], list[tuple[str, str]]] = {}
# an unfiltered page's statements per (database kind, person, scope, view, page, size, columns)
_PAGE_PLANS: dict[tuple, tuple[Any, Any, tuple[str, ...]]] = {}
_PAGE_PLANS_SIZE = 256
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
# Only what a row shows: never the case's state column (the serialized workflow).
_TASK_COLUMNS = (TaskRow.id, TaskRow.case_id, TaskRow.name, TaskRow.spec, TaskRow.lane, TaskRow.phase,
                 TaskRow.due_at, TaskRow.created_at, TaskRow.claimed_by)
_CASE_COLUMNS = (CaseRow.client_name, CaseRow.bsn, CaseRow.municipality, CaseRow.organisation,
                 CaseRow.phase.label("case_phase"), CaseRow.status.label("case_status"))
DUE_FILTERS = ("te_laat", "deze_week")
# "open" written into the SQL, not bound: the planner then sees that the partial indexes over open
# tasks apply (SQLite, and PostgreSQL's generic plans of prepared statements)
_IS_OPEN = TaskRow.status == literal_column("'open'")
MAX_PER_PAGE = 100


@dataclass
class Scope:
    """What a user may see: organisations (cases) and, per organisation, the lanes of their team.

    ``team`` maps an organisation to its lanes, or to None for every lane
    (a teamleider). Organisations missing from ``team`` give no team tasks.
    """

    username: str
    organisations: list[str]
    team: dict[str, set[str] | None] = field(default_factory=dict)

    @classmethod
    def of(cls, principal) -> Scope:
        return cls(principal.username, principal.case_organisations(), principal.team_scope())


# the most steps one task filter stands for (a name shared by more steps than this is rare)
TASK_FILTER_STEPS = 50


@dataclass
class InboxQuery:
    view: str = "mijn"
    organisation: str | None = None
    phase: str | None = None
    task: str | None = None  # task spec id
    lane: str | None = None
    due: str | None = None  # te_laat, deze_week
    search: str | None = None
    page: int = 1
    per_page: int = 25
    columns: list[str] = field(default_factory=list)  # case data fields shown as columns


def _json_value(value):
    """SQLite's json_extract gives native values; PostgreSQL's ->> gives text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def week_end(moment: datetime) -> datetime:
    """End of the "deze week" window: the coming seven days (a Friday still sees next Thursday)."""
    return moment + timedelta(days=7)


def due_mark(due: datetime | None, now: datetime) -> str | None:
    if due is None:
        return None
    if due < now:
        return "te_laat"
    if due < week_end(now):
        return "deze_week"
    return None


class Inbox:
    """Read side of the task inbox; takes a ``Werkpad`` (or anything with ``.db``)."""

    def __init__(self, werkpad) -> None:
        self.db = werkpad.db if hasattr(werkpad, "db") else werkpad

    # ------------------------------------------------------------------ lists
    # A view is a union of branches, each a few equalities on the task row alone (organisation,
    # lane, claimed_by): a team lane, a person's own tasks in one organisation, an organisation.
    # Each branch is read in the page's order from its partial index (models.TaskRow, migration
    # 0014) and stops after the page, so the first page costs the same with 1,000 or 1,000,000
    # open tasks; counting stops after COUNT_LIMIT per branch.

    def _branches(self, scope: Scope, view: str) -> list:
        orgs = scope.organisations
        if view == "mijn":
            return [and_(TaskRow.claimed_by == scope.username, TaskRow.organisation == org) for org in orgs]
        if view == "team":
            parts = []
            for org, lanes in scope.team.items():
                if org not in orgs:
                    continue
                unclaimed = and_(TaskRow.organisation == org, TaskRow.claimed_by.is_(None))
                if lanes is None:
                    parts.append(unclaimed)
                else:
                    parts.extend(and_(unclaimed, TaskRow.lane == lane) for lane in sorted(lanes))
                    parts.append(and_(unclaimed, TaskRow.lane.is_(None)))
            return parts
        return [TaskRow.organisation == org for org in orgs]  # alle

    def _view_condition(self, scope: Scope, view: str):
        branches = self._branches(scope, view)
        return or_(*branches) if branches else false()

    def _filters(self, query: InboxQuery, now: datetime) -> list:
        conds = []
        if query.organisation:
            conds.append(TaskRow.organisation == query.organisation)
        if query.phase:
            conds.append(TaskRow.phase == query.phase)
        if query.task:
            # one task name can be several steps (two places in one process, or the same name in
            # two processes): the filter's value lists their ids, comma-separated
            specs = [spec for spec in query.task.split(",") if spec][:TASK_FILTER_STEPS]
            if specs:
                conds.append(TaskRow.spec == specs[0] if len(specs) == 1 else TaskRow.spec.in_(specs))
        if query.lane:
            conds.append(TaskRow.lane == query.lane)
        if query.due == "te_laat":
            conds.append(TaskRow.due_at < now)
        elif query.due == "deze_week":
            conds.append(and_(TaskRow.due_at >= now, TaskRow.due_at < week_end(now)))
        text = (query.search or "").strip()
        if text:
            digits = normalise_bsn(text)
            if digits and len(digits) == 9 and all(c.isdigit() or c in " .-" for c in text):
                match = CaseRow.bsn == digits
            else:
                escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                # SQLite's LIKE ignores case already, and then scans the narrow (client_name, id)
                # index instead of every case row with its state; PostgreSQL needs ILIKE.
                if self.db.is_sqlite:
                    match = CaseRow.client_name.like(f"%{escaped}%", escape="\\")
                else:
                    match = CaseRow.client_name.ilike(f"%{escaped}%", escape="\\")
            # Find the cases first (BSN index, or one pass over the names), then their tasks.
            conds.append(TaskRow.case_id.in_(select(CaseRow.id).where(match)))
        return conds

    @staticmethod
    def _count_query(branches: list, filters: list):
        """The count of the branches' open tasks, up to COUNT_LIMIT + 1 (None: nothing to count)."""
        if not branches:
            return None
        parts = [select(TaskRow.id).where(_IS_OPEN, branch, *filters).limit(COUNT_LIMIT + 1)
                 for branch in branches]
        inner = (parts[0] if len(parts) == 1 else
                 select(union_all(*(select(p.subquery()) for p in parts)).subquery()).limit(COUNT_LIMIT + 1))
        return select(func.count()).select_from(inner.subquery())

    def _count(self, uow, branches: list, filters: list) -> tuple[int, bool]:
        """(count, exact): counting stops after COUNT_LIMIT rows, so a huge queue costs no more
        than a page; the inbox then shows "1000+". Task rows only: no case is read."""
        query = self._count_query(branches, filters)
        n = (uow.session.scalar(query) or 0) if query is not None else 0
        return min(n, COUNT_LIMIT), n <= COUNT_LIMIT

    def counts(self, scope: Scope) -> dict[str, int]:
        return {view: n for view, (n, _exact) in self._counts(scope).items()}

    def _counts(self, scope: Scope, uow=None) -> dict[str, tuple[int, bool]]:
        """(count, exact) of the mijn and team tabs, unfiltered."""
        if uow is None:
            with self.db.unit_of_work(write=False) as own:
                return self._counts(scope, own)
        return {view: self._count(uow, self._branches(scope, view), []) for view in ("mijn", "team")}

    def tasks(self, scope: Scope, query: InboxQuery, now: datetime | None = None) -> dict:
        """One page of open tasks for the view, with the total and the counts per view.

        ``query.columns`` names case data fields (``trede``, ``loonwaarde_pct``) to add to each
        row under ``data``; they are read from the stored case data in SQL, for the page's rows only.
        """
        now = clock.to_utc(now) if now is not None else clock.now()
        view = query.view if query.view in VIEWS else "mijn"
        per_page = max(1, min(int(query.per_page or 25), MAX_PER_PAGE))
        page = max(1, int(query.page or 1))
        filters = self._filters(query, now)
        branches = self._branches(scope, view)
        if (query.search or "").strip():
            # a search finds its cases first (BSN index, or one pass over the names): one branch,
            # so that pass is made once, not once per lane
            branches = [self._view_condition(scope, view)] if branches else []
        columns = [c for c in dict.fromkeys(query.columns or []) if _FIELD_NAME.fullmatch(c)][:MAX_COLUMNS]
        if filters:
            listing = self._listing(branches, filters, page, per_page, columns)
            with self.db.unit_of_work(write=False) as uow:
                total, exact = self._count(uow, branches, filters)
                rows = uow.session.execute(listing).all()
                counts = self._counts(scope, uow)
        else:
            # the statements of an unfiltered page are built once per person, view and page
            # (building them cost a fifth of the request) and run on the driver (storage/plain.py)
            key = (self.db.is_sqlite, scope.username, tuple(scope.organisations),
                   tuple((org, None if lanes is None else tuple(sorted(lanes))) for org, lanes in scope.team.items()),
                   view, page, per_page, tuple(columns))
            plan = _PAGE_PLANS.get(key)
            if plan is None:
                plan = self._page_plan(scope, view, branches, page, per_page, columns)
                if len(_PAGE_PLANS) >= _PAGE_PLANS_SIZE:
                    _PAGE_PLANS.clear()
                _PAGE_PLANS[key] = plan
            listing_query, counts_query, views = plan
            with self.db.unit_of_work(write=False) as uow:
                counted = uow.rows(counts_query, {})[0]
                rows = uow.rows(listing_query, {})
            counts = {v: (min(n or 0, COUNT_LIMIT), (n or 0) <= COUNT_LIMIT) for v, n in zip(views, counted, strict=True)}
            total, exact = counts[view]
            counts = {v: counts[v] for v in ("mijn", "team")}
        width = len(_TASK_COLUMNS) + len(_CASE_COLUMNS)
        items = []
        for row in rows:
            item = self._row(row, now)
            item["data"] = {c: _json_value(row[width + i]) for i, c in enumerate(columns)}
            items.append(item)
        pages = max(1, -(-total // per_page))
        return {"view": view, "items": items, "total": total, "total_exact": exact, "page": page, "pages": pages,
                "has_next": page < pages or (not exact and len(items) == per_page), "per_page": per_page,
                "columns": columns, "counts": {v: n for v, (n, _e) in counts.items()},
                "counts_exact": {v: e for v, (_n, e) in counts.items()}}

    def _listing(self, branches: list, filters: list, page: int, per_page: int, columns: list[str]):
        """One page of the view's open tasks with their cases, in the inbox's order."""
        order = (TaskRow.due_at.asc().nulls_last(), TaskRow.created_at, TaskRow.id)
        extra = [self._case_data(c).label(f"kolom_{i}") for i, c in enumerate(columns)]
        listing = (select(*_TASK_COLUMNS, *_CASE_COLUMNS, *extra).join(CaseRow, CaseRow.id == TaskRow.case_id)
                   .order_by(*order).offset((page - 1) * per_page).limit(per_page))
        if not branches:
            return listing.where(false())
        if len(branches) == 1:
            return listing.where(_IS_OPEN, branches[0], *filters)
        # each branch's first page*per_page ids in order, then the page from their union
        parts = [select(select(TaskRow.id).where(_IS_OPEN, branch, *filters)
                        .order_by(*order).limit(page * per_page).subquery())
                 for branch in branches]
        return listing.where(TaskRow.id.in_(select(union_all(*parts).subquery().c.id)))

    def _page_plan(self, scope: Scope, view: str, branches: list, page: int, per_page: int,
                   columns: list[str]) -> tuple[PlainQuery, PlainQuery, tuple[str, ...]]:
        """An unfiltered page's two statements: the page, and in one statement the counts of its
        view and of mijn and team (the tabs)."""
        views = tuple(dict.fromkeys((view, "mijn", "team")))
        counting = [self._count_query(branches if v == view else self._branches(scope, v), []) for v in views]
        counts = select(*[(q.scalar_subquery() if q is not None else literal(0)).label(f"n_{v}")
                          for q, v in zip(counting, views, strict=True)])
        return PlainQuery(self._listing(branches, [], page, per_page, columns)), PlainQuery(counts), views

    def _case_data(self, name: str):
        """SQL for ``state.data.<name>`` of a case (a JSON text column), on SQLite and PostgreSQL."""
        if self.db.is_sqlite:
            return func.json_extract(CaseRow.state, f"$.data.{name}")
        return cast(CaseRow.state, JSONB)["data"][name].astext

    def case_data_fields(self) -> list[tuple[str, str]]:
        """(name, title) of the shared vocabulary's fields, for choosing inbox columns."""
        with self.db.unit_of_work(write=False) as uow:
            latest = uow.session.scalar(select(func.max(DefinitionRow.id)))
            if latest is None:
                return []
            cached = _VOCABULARY_CACHE.get((self.db.url, latest))
            if cached is not None:
                return cached
            record = uow.session.scalar(select(DefinitionRow.record).where(DefinitionRow.id == latest))
        try:
            vocabulary = json.loads(json.loads(record).get("vocabulary") or "{}")
        except (TypeError, ValueError):
            vocabulary = {}
        fields = vocabulary.get("velden", {}) if isinstance(vocabulary, dict) else {}
        out = [(name, spec.get("title", name)) for name, spec in fields.items()
               if isinstance(spec, dict) and spec.get("x-widget") != "textarea" and _FIELD_NAME.fullmatch(name)]
        _VOCABULARY_CACHE[(self.db.url, latest)] = out  # definition rows never change
        return out

    def facets(self, scope: Scope) -> dict:
        """Values for the filter drop-downs, from the deployed processes of the user's
        organisations (not from the tasks: that would read the whole queue)."""
        if not scope.organisations:
            return {"organisations": [], "phases": [], "tasks": [], "lanes": []}
        with self.db.unit_of_work(write=False) as uow:
            ids = tuple(uow.session.scalars(select(DefinitionRow.id)
                                            .where(DefinitionRow.organisation.in_(scope.organisations))
                                            .order_by(DefinitionRow.id)).all())
            key = (self.db.url, tuple(sorted(scope.organisations)), ids)
            cached = _FACETS_CACHE.get(key)
            if cached is not None:  # definition rows never change: the same versions, the same values
                return cached
            metas = uow.session.scalars(select(DefinitionRow.meta).where(DefinitionRow.id.in_(ids))).all()
        facets = self._facets(scope, metas)
        if len(_FACETS_CACHE) > 256:
            _FACETS_CACHE.clear()
        _FACETS_CACHE[key] = facets
        return facets

    @staticmethod
    def _facets(scope: Scope, metas) -> dict:
        phases: set[str] = set()
        tasks: dict[str, str] = {}
        lanes: set[str] = set()
        for text in metas:
            meta = json.loads(text or "{}")
            phases.update(p for p in meta.get("phases", []) if p)
            lanes.update(lane for lane in meta.get("lanes", []) if lane)
            for task in meta.get("user_tasks", []):
                tasks.setdefault(task["id"], task.get("name") or task["id"])
        by_name: dict[str, list[str]] = {}  # one choice per name people see, for all its steps
        for spec, name in tasks.items():
            by_name.setdefault(name, []).append(spec)
        order = {p: i for i, p in enumerate(PHASES)}
        return {
            "organisations": sorted(scope.organisations),
            "phases": sorted(phases, key=lambda p: (order.get(p, 99), p)),
            "tasks": sorted(((",".join(sorted(specs)), name) for name, specs in by_name.items()), key=lambda kv: kv[1]),
            "lanes": sorted(lanes),
        }

    @staticmethod
    def _row(row, now: datetime) -> dict:
        """A page's row (by position: _TASK_COLUMNS, then _CASE_COLUMNS) as the inbox shows it."""
        (task_id, case_id, name, spec, lane, phase, due_at, created_at, claimed_by,
         client_name, bsn, municipality, organisation, case_phase, case_status) = row[:15]
        return {
            "id": task_id, "case": case_id, "client": client_name, "bsn_masked": mask_bsn(bsn),
            "municipality": municipality, "organisation": organisation,
            "phase": phase or case_phase, "task": name, "spec": spec, "lane": lane,
            "due": due_at, "mark": due_mark(due_at, now), "created_at": created_at,
            "waiting": now - created_at, "claimed_by": claimed_by,
            "case_in_error": case_status == "error",  # the task waits for the teamleider, not for its consultant
        }

    # ------------------------------------------------------------------ scoped lookups
    def case_header(self, scope: Scope, case_id: str) -> dict:
        """Organisation, BSN and status of a case in scope; NotFound otherwise (also for other organisations)."""
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(CaseRow, case_id) if case_id and len(case_id) <= 32 else None
            if row is None or row.organisation not in scope.organisations:
                raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
            return {"id": row.id, "organisation": row.organisation, "municipality": row.municipality,
                    "bsn": row.bsn, "status": row.status, "process": row.process_key}

    def task_header(self, scope: Scope, task_id: str) -> dict:
        """Case, organisation, lane and status of a task in scope; NotFound otherwise."""
        with self.db.unit_of_work(write=False) as uow:
            task = uow.session.get(TaskRow, task_id) if task_id and len(task_id) <= 36 else None
            case = uow.session.get(CaseRow, task.case_id) if task is not None else None
            if task is None or case is None or case.organisation not in scope.organisations:
                raise NotFound(Msg("taak %(task_id)s bestaat niet", task_id=task_id))
            return {"id": task.id, "case": case.id, "organisation": case.organisation, "bsn": case.bsn,
                    "lane": task.lane, "status": task.status, "claimed_by": task.claimed_by,
                    "municipality": case.municipality}

    def startable(self, organisations: list[str]) -> list[dict]:
        """Municipalities a new melding can be made for, from processes deployed for ``organisations``."""
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.execute(
                select(DefinitionRow.process_key, DefinitionRow.name, DefinitionRow.organisation,
                       DefinitionRow.municipalities).where(DefinitionRow.organisation.in_(organisations or [""]))
                .order_by(DefinitionRow.id)).all()
        out: dict[tuple[str, str], dict] = {}
        for key, name, org, municipalities in rows:
            for municipality in json.loads(municipalities):
                out[(municipality, key)] = {"municipality": municipality, "process": key, "name": name,
                                            "organisation": org}
        return sorted(out.values(), key=lambda d: (d["municipality"], d["process"]))

    # ------------------------------------------------------------------ teamleider overview
    def overview(self, organisations: list[str], now: datetime | None = None) -> dict:
        """Per organisation: open tasks per lane and per consultant (with overdue counts) and
        running cases per phase."""
        now = clock.to_utc(now) if now is not None else clock.now()
        out: dict[str, dict] = {org: {"lanes": [], "consultants": [], "phases": [], "open": 0, "overdue": 0,
                                      "in_error": []} for org in organisations}
        if not organisations:
            return out
        overdue = func.sum(case((TaskRow.due_at < now, 1), else_=0))
        unclaimed = func.sum(case((TaskRow.claimed_by.is_(None), 1), else_=0))
        open_tasks = (select(TaskRow.organisation, TaskRow.lane, func.count(), unclaimed, overdue)
                      .where(TaskRow.status == "open", TaskRow.organisation.in_(organisations))
                      .group_by(TaskRow.organisation, TaskRow.lane))
        per_person = (select(TaskRow.organisation, TaskRow.claimed_by, func.count(), overdue)
                      .where(TaskRow.status == "open", TaskRow.claimed_by.is_not(None),
                             TaskRow.organisation.in_(organisations))
                      .group_by(TaskRow.organisation, TaskRow.claimed_by))
        phases = (select(CaseRow.organisation, CaseRow.phase, func.count())
                  .where(CaseRow.organisation.in_(organisations), CaseRow.status.in_(("running", "waiting")))
                  .group_by(CaseRow.organisation, CaseRow.phase))
        with self.db.unit_of_work(write=False) as uow:
            for org, lane, total, free, late in uow.session.execute(open_tasks).all():
                entry = out[org]
                entry["lanes"].append({"lane": lane, "open": total, "unclaimed": int(free or 0),
                                       "overdue": int(late or 0)})
                entry["open"] += total
                entry["overdue"] += int(late or 0)
            for org, person, total, late in uow.session.execute(per_person).all():
                out[org]["consultants"].append({"user": person, "open": total, "overdue": int(late or 0)})
            for org, phase, total in uow.session.execute(phases).all():
                out[org]["phases"].append({"phase": phase, "cases": total})
            for broken in cases_in_error(uow.session, organisations):
                out[broken["organisation"]]["in_error"].append(broken)
        for entry in out.values():
            entry["lanes"].sort(key=lambda d: (d["lane"] is None, d["lane"] or ""))
            entry["consultants"].sort(key=lambda d: (-d["overdue"], -d["open"], d["user"]))
            order = {p: i for i, p in enumerate(PHASES)}
            entry["phases"].sort(key=lambda d: order.get(d["phase"], 99))
        return out

    # ------------------------------------------------------------------ diagram
    def diagram(self, scope: Scope, case_id: str) -> dict:
        """What the case page's BPMN viewer needs: the process XML of the case's
        version, the ids of its current steps (open tasks, and the timer and message events it
        waits at: a case in its four-week wait is *there*, not at the task it last finished) and of
        the completed ones."""
        with self.db.unit_of_work(write=False) as uow:
            case = uow.session.get(CaseRow, case_id) if case_id and len(case_id) <= 32 else None
            if case is None or case.organisation not in scope.organisations:
                raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
            definition = uow.session.get(DefinitionRow, case.definition_id)
            record = json.loads(definition.record)
            current = uow.session.scalars(select(TaskRow.spec).where(TaskRow.case_id == case_id,
                                                                     TaskRow.status == "open")).all()
            timers = uow.session.scalars(select(TimerRow.spec).where(TimerRow.case_id == case_id)).all()
            messages, places = _awaited_messages(case.state)
            payloads = uow.session.scalars(select(EventRow.payload).where(
                EventRow.case_id == case_id, EventRow.type == "task_completed").order_by(EventRow.seq)).all()
            process_id = (record.get("manifest") or {}).get("proces")
        files = record.get("files") or {}
        xml, name = None, None
        for file_name, content in sorted(files.items()):
            if not file_name.endswith(".bpmn"):
                continue
            if xml is None or (process_id and f'id="{process_id}"' in content):
                xml, name = content, file_name
        parsed = _bpmn_processes(files)
        visible = _visible_elements(files, process_id, parsed)
        open_specs = list(current)
        current = [*current, *waiting_at(parsed, timers, messages, places)]
        completed: list[str] = []
        for text in payloads:
            spec = (json.loads(text).get("task") or {}).get("spec")
            shown = visible.get(spec, spec) if spec else None
            if shown and shown not in completed:
                completed.append(shown)
        done_specs = [(json.loads(text).get("task") or {}).get("spec") for text in payloads]
        calls, called = _called_processes(files, process_id, list(current), [s for s in done_specs if s], parsed)
        return {"case": case_id, "file": name, "xml": xml, "process_id": process_id,
                # the open tasks first: where the steps lie far apart, the diagram opens at the first one,
                # and that is where someone can act (not the sub-process waiting beside it for a message)
                "current": list(dict.fromkeys([*sorted({visible.get(spec, spec) for spec in open_specs}),
                                               *sorted({visible.get(spec, spec) for spec in current})])),
                "completed": completed,
                "calls": calls, "called": called}


def _called_processes(files: dict[str, str], process_id: str | None, open_specs: list[str],
                      done_specs: list[str], parsed: dict[str, tuple[Any, str]] | None = None) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The call activities of the main process (element id -> called process id) and, per called
    process, its own diagram with the case's current and completed steps inside it, so the case page
    can open a shared sub-process such as the aanvraag on click."""
    processes = parsed if parsed is not None else _bpmn_processes(files)
    calls: dict[str, str] = {}
    if process_id in processes:
        for call in processes[process_id][0].iter(f"{{{BPMN_NS}}}callActivity"):
            if call.get("id") and call.get("calledElement"):
                calls[call.get("id")] = call.get("calledElement")
    called: dict[str, dict[str, Any]] = {}
    for pid in sorted(set(calls.values())):
        if pid not in processes:
            continue
        visible = _visible_elements(files, pid, processes)
        called[pid] = {"xml": processes[pid][1],
                       "current": sorted({visible[s] for s in open_specs if s in visible}),
                       "completed": list(dict.fromkeys(visible[s] for s in done_specs if s in visible))}
    return {k: v for k, v in calls.items() if v in called}, called


def _awaited_messages(state_text: str | None) -> tuple[list[str], list[str] | None]:
    """The names of the messages a case waits for, as its last step stored them, and the elements
    that wait for them (None for a state stored before steps kept them)."""
    try:
        state = json.loads(state_text or "{}")
    except ValueError:
        return [], None
    state = state if isinstance(state, dict) else {}
    found, places = state.get("messages"), state.get("message_places")
    return ([m for m in found if isinstance(m, str)] if isinstance(found, list) else [],
            [p for p in places if isinstance(p, str)] if isinstance(places, list) else None)


def waiting_at(parsed: dict[str, tuple[Any, str]], timer_specs, messages=(), places=None) -> list[str]:
    """The steps a case stands still at besides its open tasks: the intermediate timer events of its
    waiting timers (their element ids: "vier weken zelf zoeken") and the intermediate message events
    (or receive tasks) of the messages it waits for ("stukken ontvangen"). A timer or message on the
    edge of a task or at the start of an event sub-process is not where the case is. ``places``, the
    elements that wait (as a step stores them), tells which of several places that catch one message
    name waits; without them (a state stored before, a past moment replayed) such a message marks none."""
    wanted, names = set(timer_specs), set(messages)
    if places is not None:
        wanted |= set(places)  # the waiting elements themselves: an intermediate one is where the case is
    if not wanted and not names:
        return []
    catch, ns = f"{{{BPMN_NS}}}intermediateCatchEvent", f"{{{BPMN_NS}}}"
    found: set[str] = set()
    catchers: dict[str, list[str]] = {}  # message name -> the elements that catch it
    for proc, _ in parsed.values():
        root = proc.getroottree().getroot()
        called = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(f"{ns}message")}
        for el in proc.iter(catch, f"{ns}boundaryEvent", f"{ns}startEvent", f"{ns}receiveTask"):
            if el.tag in (catch, f"{ns}receiveTask") and el.get("id") in wanted:
                found.add(el.get("id"))
            definition = el if el.tag == f"{ns}receiveTask" else el.find(f"{ns}messageEventDefinition")
            name = called.get(definition.get("messageRef")) if definition is not None else None
            if name is not None and name in names:
                catchers.setdefault(name, []).append(el.get("id") if el.tag in (catch, f"{ns}receiveTask") else "")
    if places is None:
        found |= {ids[0] for ids in catchers.values() if len(ids) == 1 and ids[0]}
    return sorted(found)


def _bpmn_processes(files: dict[str, str]) -> dict[str, tuple[Any, str]]:
    """Every process in a version's BPMN files: its element and the text of the file it is in."""
    from lxml import etree

    found: dict[str, tuple[Any, str]] = {}
    for file_name, content in files.items():
        if not file_name.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(content.encode("utf-8"), SAFE_PARSER)
        except etree.XMLSyntaxError:
            continue
        for proc in root.iter(f"{{{BPMN_NS}}}process"):
            found[proc.get("id")] = (proc, content)
    return found


def _visible_elements(files: dict[str, str], process_id: str | None,
                      parsed: dict[str, tuple[Any, str]] | None = None) -> dict[str, str]:
    """Map every flow node id in the version's BPMN files to the element that shows it on the main
    process's diagram: itself at the top level, else the sub-process or call activity around it
    (following call activities into the shared processes)."""
    processes = {pid: found[0] for pid, found in (parsed or _bpmn_processes(files)).items()}
    main = processes.get(process_id) if process_id else next(iter(processes.values()), None)
    if main is None:
        return {}
    out: dict[str, str] = {}

    def ids_inside(element, seen: set[str]) -> set[str]:
        found: set[str] = set()
        for child in element.iter():  # the element itself first
            if not isinstance(child.tag, str):
                continue
            if child.get("id") and child is not element:
                found.add(child.get("id"))
            if child.tag == f"{{{BPMN_NS}}}callActivity":
                called = child.get("calledElement")
                if called in processes and called not in seen:
                    found |= ids_inside(processes[called], seen | {called})
        return found

    for top in main:
        if not isinstance(top.tag, str) or not top.get("id"):
            continue
        top_id = top.get("id")
        out[top_id] = top_id
        if top.tag in (f"{{{BPMN_NS}}}subProcess", f"{{{BPMN_NS}}}callActivity"):
            for inner in ids_inside(top, {process_id or ""}):
                out.setdefault(inner, top_id)
    return out
