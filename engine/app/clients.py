"""Finding clients and their cases, within the organisations a user may read.

Unlike the inbox (open tasks), this looks at every case: running, waiting for a
deadline (no open task) and closed. One client is one BSN; a case keeps the name and
birth date given at its melding, so the same BSN may carry differing names.
"""
from __future__ import annotations

from datetime import date
from weakref import WeakKeyDictionary

from sqlalchemy import String, func, select, text

from ..storage.models import CaseRow, TaskRow

ENDED = ("completed", "withdrawn")
MAX_RESULTS = 50
DENSE = 2000  # this many name matches or more: walk the newest cases instead of the trigram index
_NAME_INDEX: WeakKeyDictionary = WeakKeyDictionary()  # per engine: whether the SQLite trigram table exists


class Clients:
    """Read side for the client search and the melding check; takes a ``Werkpad`` (or ``.db``)."""

    def __init__(self, werkpad) -> None:
        self.db = werkpad.db if hasattr(werkpad, "db") else werkpad

    def find(self, organisations: list[str], *, name: str | None = None, bsn: str | None = None,
             birthdate: date | None = None, number: str | None = None, limit: int = MAX_RESULTS) -> list[dict]:
        """Cases of ``organisations`` matching every given criterion (name: part of the name,
        any case); newest first. Nothing given: nothing found."""
        if not organisations or not (name or bsn or birthdate or number):
            return []
        # First the ids, newest first: the (organisation, started_at, client_name, id) index
        # answers a name search by itself — walked newest first it stops at the limit for a
        # common name, and it is a narrow scan for a rare one; then the few rows themselves.
        query = select(CaseRow.id).where(CaseRow.organisation.in_(sorted(organisations)))
        if name:
            query = query.where(self._name_matches(name.strip().lower()))
        if bsn:
            query = query.where(CaseRow.bsn == bsn)
        if birthdate:
            query = query.where(CaseRow.birthdate == birthdate)
        if number:
            query = query.where(CaseRow.case_number == number)
        return self._rows(query.order_by(CaseRow.started_at.desc(), CaseRow.id).limit(limit))

    def _name_matches(self, part: str):
        """Part of a name, any case. Three letters or more (a trigram) go through the trigram
        index where it exists — the FTS5 table ``case_names`` on SQLite, pg_trgm on
        PostgreSQL (used by the planner for the lower(client_name) LIKE) — so a rare name
        does not scan every case (migration 0014_admin2)."""
        plain = func.lower(CaseRow.client_name).contains(part, autoescape=True)
        if len(part) < 3 or "%" in part or "_" in part or not self._has_sqlite_name_index():
            return plain
        pattern = f"%{part}%"
        with self.db.engine.connect() as conn:  # how common is it? (at most DENSE rows read)
            matches = conn.execute(text("SELECT count(*) FROM (SELECT 1 FROM case_names WHERE client_name LIKE "
                                        ":pattern LIMIT :most)"), {"pattern": pattern, "most": DENSE}).scalar_one()
        if matches >= DENSE:
            # a common name: walking the newest cases finds the first page after a few rows
            return plain
        names = text("SELECT case_id FROM case_names WHERE client_name LIKE :pattern").bindparams(
            pattern=pattern).columns(case_id=String)
        return CaseRow.id.in_(names)

    def _has_sqlite_name_index(self) -> bool:
        engine = self.db.engine
        if engine.dialect.name != "sqlite":
            return False
        known = _NAME_INDEX.get(engine)
        if known is None:
            with engine.connect() as conn:
                known = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_names'").first() is not None
            _NAME_INDEX[engine] = known
        return known

    def cases_of(self, organisations: list[str], bsn: str) -> list[dict]:
        """Every case of one BSN in ``organisations``, running ones first, then newest first."""
        rows = self.find(organisations, bsn=bsn, limit=200)
        return sorted(rows, key=lambda r: r["ended"])  # stable: keeps newest first within each group

    def _rows(self, id_query) -> list[dict]:
        columns = (CaseRow.id, CaseRow.case_number, CaseRow.client_name, CaseRow.bsn, CaseRow.birthdate,
                   CaseRow.municipality, CaseRow.organisation, CaseRow.process_key, CaseRow.phase, CaseRow.status,
                   CaseRow.started_at, CaseRow.ended_at, CaseRow.error)
        with self.db.unit_of_work(write=False) as uow:
            ids = list(uow.session.scalars(id_query).all())
            if not ids:
                return []
            found = {r.id: r for r in uow.session.execute(select(*columns).where(CaseRow.id.in_(ids))).all()}
            rows = [found[i] for i in ids if i in found]
            open_tasks = dict(uow.session.execute(
                select(TaskRow.case_id, func.count()).where(TaskRow.case_id.in_(ids), TaskRow.status == "open")
                .group_by(TaskRow.case_id)).all())
            return [{
                "id": r.id, "number": r.case_number, "name": r.client_name, "bsn": r.bsn, "birthdate": r.birthdate.isoformat(),
                "municipality": r.municipality, "organisation": r.organisation, "process": r.process_key,
                "phase": r.phase, "status": r.status, "started_at": r.started_at, "ended_at": r.ended_at,
                "error": r.error, "ended": r.status in ENDED, "open_tasks": open_tasks.get(r.id, 0),
            } for r in rows]
