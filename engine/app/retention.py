"""Retention under the Archiefwet: every closed case gets a destruction date from its outcome,
following the VNG Selectielijst gemeenten en intergemeentelijke organen 2020 (see
docs/bewaartermijnen.md):

* bijstand granted (``recht_op_bijstand`` true) — result type *toegekend*: destroy 10 years
  after the benefit ends (``einddatum_uitkering`` when the process records it, else the day the
  case closed);
* aanvraag refused (``recht_op_bijstand`` false), withdrawn, or closed without a decision on
  bijstand (e.g. referred on) — result type *afgewezen / buiten behandeling*: 5 years after the
  case closed.

Running cases and cases in error get no date. Destroying takes two people (the one access policy,
:mod:`engine.app.policy`): an auditor or administrator of the organisation approves the list of
its cases due (``approve``), an administrator there — not the approver — destroys it
(``destroy``). Both take the acting :class:`~engine.app.accounts.Principal`; the access-log row
goes into the same transaction as the approval or the destruction, a refusal is logged too. Destruction removes the case row
(with name, BSN, birthdate and state), its events, tasks and timers, and keeps a destruction
record — no personal data; case number, organisation, process, outcome, dates, approver and
destroyer, the last sequence number and hash of the destroyed history — hash-chained with the
records before it."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from ..core import audit, clock
from ..core.messages import Msg
from ..errors import Conflict, Forbidden
from ..storage import CaseRow, DestructionRow, EventRow, RetentionApprovalRow, TaskRow, TimerRow
from . import policy
from .accounts import Principal
from .acting import Access, AccessLog, RequestContext
from .repository import Repository

GRANTED, REFUSED, WITHDRAWN, NO_DECISION = "toegekend", "afgewezen", "ingetrokken", "zonder_besluit"
TERMS = {GRANTED: 10, REFUSED: 5, WITHDRAWN: 5, NO_DECISION: 5}
TERM_WORDS = {
    GRANTED: "bijstand toegekend: 10 jaar na het einde van de uitkering",
    REFUSED: "aanvraag afgewezen: 5 jaar na afsluiten",
    WITHDRAWN: "aanvraag ingetrokken: 5 jaar na afsluiten",
    NO_DECISION: "afgesloten zonder besluit over bijstand: 5 jaar na afsluiten",
}


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def outcome_of(status: str, data: dict) -> str | None:
    """The retention outcome of a case; None while it runs (or is in error)."""
    if status == "withdrawn":
        return WITHDRAWN
    if status != "completed":
        return None
    granted = data.get("recht_op_bijstand")
    if granted is True:
        return GRANTED
    if granted is False:
        return REFUSED
    return NO_DECISION


def destruction_date(status: str, data: dict, ended: date | None) -> tuple[str | None, date | None]:
    """The outcome and the day from which the case may be destroyed."""
    outcome = outcome_of(status, data)
    if outcome is None or ended is None:
        return outcome, None
    start = ended
    if outcome == GRANTED and data.get("einddatum_uitkering"):
        try:
            start = max(ended, date.fromisoformat(str(data["einddatum_uitkering"])[:10]))
        except ValueError:
            start = ended
    return outcome, _plus_years(start, TERMS[outcome])


def _record_hash(prev: str, fields: dict) -> str:
    return audit.digest({"prev": prev, **fields})


class Retention:
    def __init__(self, repo: Repository, access_log: AccessLog | None = None) -> None:
        self.repo = repo
        self.db = repo.db
        self.access_log = access_log or AccessLog(repo.db)

    def list_cases(self, today: date | None = None, due_only: bool = False) -> list[dict]:
        """Every closed case with its outcome, term and destruction date; ``due`` when that date has come."""
        today = today or clock.local_date()
        out = []
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(CaseRow).where(CaseRow.status.in_(("completed", "withdrawn")))
                                       .order_by(CaseRow.ended_at, CaseRow.id)).all()
            for row in rows:
                data = _data(row)
                ended = clock.local_date(row.ended_at) if row.ended_at else None
                outcome, when = destruction_date(row.status, data, ended)
                if outcome is None or when is None:
                    continue
                item = {"case": row.id, "organisation": row.organisation, "municipality": row.municipality,
                        "process": row.process_key, "outcome": outcome, "term_years": TERMS[outcome],
                        "rule": TERM_WORDS[outcome], "ended_on": ended.isoformat() if ended else None,
                        "destruction_date": when.isoformat(), "due": when <= today}
                if item["due"] or not due_only:
                    out.append(item)
        return out

    def approve(self, principal: Principal, at: datetime | None = None,
                context: RequestContext | None = None) -> dict:
        """Approve the list of cases due for destruction now, of the organisations where
        ``principal`` is auditor or administrator; another person destroys them."""
        context = context or RequestContext("vernietigingslijst.goedkeuren",
                                            "Vernietigingslijst goedkeuren (Archiefwet)")
        organisations = policy.retention_approve_organisations(principal)
        if not organisations:
            self.access_log.write(principal, context, "geweigerd", Access())
            raise Forbidden(Msg("%(wie)s mag geen vernietigingslijst goedkeuren: dat doet een auditor of "
                                "beheerder van de organisatie", wie=principal.username))
        with clock.at(at) as moment:
            due = [c["case"] for c in self.list_cases(clock.local_date(moment), due_only=True)
                   if c["organisation"] in organisations]
            with self.db.unit_of_work() as uow:
                row = RetentionApprovalRow(approved_by=principal.username, approved_at=moment,
                                           case_ids=json.dumps(due))
                uow.session.add(row)
                for organisation in organisations:
                    self.access_log.add(uow, principal, context, "ok", Access(organisation=organisation))
                uow.flush()
                approval = {"approval": row.id, "approved_by": principal.username,
                            "approved_at": clock.iso(moment), "cases": due}
                uow.commit()
        return approval

    def destroy(self, principal: Principal, at: datetime | None = None,
                context: RequestContext | None = None) -> dict:
        """Destroy the cases of the newest unused approval — approved by someone else, carried
        out by an administrator of their organisations — that are still due."""
        context = context or RequestContext("zaken.vernietigen", "Zaken vernietigen na goedkeuring (Archiefwet)")
        try:
            return self._destroy(principal, at, context)
        except (Conflict, Forbidden):
            self.access_log.write(principal, context, "geweigerd", Access())
            raise

    def _destroy(self, principal: Principal, at: datetime | None, context: RequestContext) -> dict:
        user = principal.username
        with clock.at(at) as moment, self.db.unit_of_work() as uow:
            approval = uow.session.scalars(select(RetentionApprovalRow).where(RetentionApprovalRow.used_at.is_(None))
                                           .order_by(RetentionApprovalRow.id.desc())).first()
            if approval is None:
                raise Conflict(Msg("er is geen goedgekeurde vernietigingslijst: laat eerst iemand anders "
                                   "'werkpad retention approve' doen"))
            if approval.approved_by == user:
                raise Conflict(Msg("%(wie)s keurde de lijst zelf goed; een tweede persoon moet vernietigen",
                                   wie=user))
            approved = json.loads(approval.case_ids)
            due = {c["case"]: c for c in self.list_cases(clock.local_date(moment), due_only=True)}
            organisations = sorted({due[c]["organisation"] for c in approved if c in due})
            allowed = [o for o in organisations or principal.organisations
                       if policy.may_destroy_cases(principal, o, approval.approved_by)]
            if not allowed or len(allowed) < len(organisations):
                raise Forbidden(Msg("%(wie)s mag deze zaken niet vernietigen: dat doet een beheerder van de "
                                    "organisatie, een ander dan wie de lijst goedkeurde", wie=user))
            last = uow.session.scalars(select(DestructionRow).order_by(DestructionRow.seq.desc())).first()
            prev, seq = (last.hash, last.seq) if last else (audit.GENESIS, 0)
            destroyed = []
            for case_id in approved:
                item = due.get(case_id)
                row = uow.session.get(CaseRow, case_id)
                if item is None or row is None:
                    continue
                seq += 1
                fields = {"seq": seq, "case_id": case_id, "organisation": row.organisation,
                          "municipality": row.municipality, "process_key": row.process_key,
                          "outcome": item["outcome"], "term_years": item["term_years"],
                          "started_on": clock.local_date(row.started_at).isoformat(),
                          "ended_on": item["ended_on"], "destruction_date": item["destruction_date"],
                          "approved_by": approval.approved_by, "destroyed_by": user,
                          "destroyed_at": clock.iso(moment), "last_seq": row.last_seq, "last_hash": row.last_hash}
                digest = _record_hash(prev, fields)
                uow.session.add(DestructionRow(
                    seq=seq, case_id=case_id, case_number=row.case_number, organisation=row.organisation,
                    municipality=row.municipality,
                    process_key=row.process_key, outcome=item["outcome"], term_years=item["term_years"],
                    started_on=date.fromisoformat(fields["started_on"]),
                    ended_on=date.fromisoformat(item["ended_on"]),
                    destruction_date=date.fromisoformat(item["destruction_date"]),
                    approved_by=approval.approved_by, destroyed_by=user, destroyed_at=moment,
                    last_seq=row.last_seq, last_hash=row.last_hash, prev_hash=prev, hash=digest))
                for table in (EventRow, TaskRow, TimerRow):
                    uow.session.execute(delete(table).where(table.case_id == case_id))
                uow.session.execute(delete(CaseRow).where(CaseRow.id == case_id))
                prev = digest
                destroyed.append({"case": case_id, "outcome": item["outcome"],
                                  "destruction_date": item["destruction_date"], "last_hash": fields["last_hash"]})
            approval.used_by, approval.used_at = user, moment
            for organisation in organisations:
                self.access_log.add(uow, principal, context, "ok", Access(organisation=organisation))
            uow.commit()
        return {"destroyed": destroyed, "approved_by": approval.approved_by, "destroyed_by": user}

    def records(self) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            return [_record_dict(r) for r in uow.session.scalars(select(DestructionRow).order_by(DestructionRow.seq))]

    def check_records(self) -> str | None:
        """The destruction records' own hash chain: None when it holds, else what is wrong."""
        prev = audit.GENESIS
        for n, rec in enumerate(self.records(), start=1):
            fields = {k: v for k, v in rec.items() if k not in ("prev_hash", "hash")}
            if rec["seq"] != n:
                return f"vernietigingsverklaring {n} ontbreekt"
            if rec["prev_hash"] != prev or _record_hash(prev, fields) != rec["hash"]:
                return f"vernietigingsverklaring {n} (zaak {rec['case_id']}) is gewijzigd"
            prev = rec["hash"]
        return None


def _record_dict(r: DestructionRow) -> dict[str, Any]:
    return {"seq": r.seq, "case_id": r.case_id, "organisation": r.organisation, "municipality": r.municipality,
            "process_key": r.process_key, "outcome": r.outcome, "term_years": r.term_years,
            "started_on": r.started_on.isoformat(), "ended_on": r.ended_on.isoformat(),
            "destruction_date": r.destruction_date.isoformat(), "approved_by": r.approved_by,
            "destroyed_by": r.destroyed_by, "destroyed_at": clock.iso(r.destroyed_at), "last_seq": r.last_seq,
            "last_hash": r.last_hash, "prev_hash": r.prev_hash, "hash": r.hash}


def _data(row: CaseRow) -> dict:
    try:
        state = json.loads(row.state) if row.state else {}
    except ValueError:
        return {}
    data = state.get("data") if isinstance(state, dict) else None
    return data if isinstance(data, dict) else {}
