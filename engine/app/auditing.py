"""Auditing: a case's history, replaying it on its exact versions, verifying every hash chain."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from ..core import audit, clock
from ..core.definitions import Bundle
from ..core.runtime import CaseRuntime
from ..errors import CaseBroken, Conflict, WerkpadError
from ..storage import CaseRow, EventRow, TaskRow
from ..storage.models import CaseNumberRow
from .capacity import ReplayLedger
from .repository import Repository, stored_digest, why


class Auditing:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.db = repo.db

    # ------------------------------------------------------------------ audit
    def case_history(self, case_id: str) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            self.repo.case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            return [{"seq": e.seq, "type": e.type, "actor": e.actor, "at": e.at.isoformat(),
                     "recorded_at": e.recorded_at.isoformat(), "phase": e.phase,
                     "payload": json.loads(e.payload), "digest": e.digest, "hash": e.hash} for e in events]

    def replay_case(self, case_id: str) -> dict:
        """Rebuild the case from its events and its exact version; compare with the stored state."""
        with self.db.unit_of_work(write=False) as uow:
            row = self.repo.case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            try:
                bundle = self.repo.bundle_by_id(uow, row.definition_id)
            except Exception as exc:  # noqa: BLE001
                raise CaseBroken(case_id, f"de procesversie van de zaak kan niet worden geladen ({why(exc)})") \
                    from exc
            return _replay(case_id, events, lambda h: self.repo.bundle_by_hash(uow, h), _actual_digest(row, bundle))

    def verify_audit(self, replay: bool = True) -> dict:
        broken = []
        with self.db.unit_of_work(write=False) as uow:
            case_ids = uow.session.scalars(select(CaseRow.id).order_by(CaseRow.started_at)).all()
        for case_id in case_ids:
            try:
                problem = self._verify_case(case_id, replay)
            except Exception as exc:  # noqa: BLE001 - one unreadable case is a finding, not a crash
                problem = f"de zaak kan niet worden gecontroleerd: {why(exc)}"
            if problem:
                broken.append({"case": case_id, "problem": problem})
        broken.extend(self._missing_cases())
        return {"ok": not broken, "cases": len(case_ids), "broken": broken}

    def _missing_cases(self) -> list[dict]:
        """Case numbers run without gaps per year (the counter rolls back with a failed start),
        so a number that is missing — or a counter ahead of the highest case — means a case was
        deleted, history and all."""
        with self.db.unit_of_work(write=False) as uow:
            numbers = [n for n in uow.session.scalars(select(CaseRow.case_number)) if n]
            counters = {row.year: row.last for row in uow.session.scalars(select(CaseNumberRow))}
        seen: dict[int, set[int]] = {}
        for number in numbers:
            year_text, _, seq_text = number.partition("-")
            seen.setdefault(int(year_text), set()).add(int(seq_text))
        findings = []
        for year, last in sorted(counters.items()):
            missing = sorted(set(range(1, last + 1)) - seen.get(year, set()))
            for gap in missing[:100]:
                findings.append({"case": f"{year}-{gap:06d}", "problem": (
                    f"zaak {year}-{gap:06d} ontbreekt: het zaaknummer is uitgegeven maar de zaak en haar "
                    "geschiedenis zijn er niet meer (verwijderd)")})
        return findings

    def _verify_case(self, case_id: str, replay: bool) -> str | None:
        with self.db.unit_of_work(write=False) as uow:
            row = self.repo.case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            problem = audit.check_chain(case_id, events, row.last_seq, row.last_hash)
            if problem is None:
                problem = _claims_problem(events, uow.session.scalars(
                    select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.status == "open")).all())
            if problem is None and replay:
                bundle = self.repo.bundle_by_id(uow, row.definition_id)
                result = _replay(case_id, events, lambda h: self.repo.bundle_by_hash(uow, h),
                                 _actual_digest(row, bundle))
                if not result["match"]:
                    problem = "replay wijkt af: " + result.get("reason", "")
            return problem

def _claims_problem(events: Sequence[Any], open_tasks: Sequence[TaskRow]) -> str | None:
    """Who holds an open task follows from the claim, release and assign events alone."""
    holder: dict[str, str | None] = {}
    for ev in events:
        if ev.type in ("task_claimed", "task_unclaimed", "task_assigned"):
            payload = json.loads(ev.payload)
            task_id = payload["task"]["id"]
            holder[task_id] = (ev.actor if ev.type == "task_claimed"
                               else payload.get("assignee") if ev.type == "task_assigned" else None)
    for task in open_tasks:
        expected = holder.get(task.id)
        if (task.claimed_by or None) != expected:
            return (f"taak '{task.name}' staat op naam van {task.claimed_by or 'niemand'}, maar volgens de "
                    f"gebeurtenissen van {expected or 'niemand'}: de toewijzing is buiten de audittrail om gewijzigd")
    return None


def _actual_digest(row: CaseRow, bundle: Bundle) -> str:
    """The fingerprint of the state as stored now (not the digest it claims)."""
    if row.status == "error" or (row.status == "withdrawn" and row.error):
        # a case in error keeps the state it had when it broke (which may be what is broken)
        return stored_digest(row)
    state = json.loads(row.state)
    spec, subprocess_specs = bundle.specs()
    try:
        runtime = CaseRuntime.restore(state, spec, subprocess_specs)
        return audit.digest(runtime.observe().fingerprint())
    except (WerkpadError, KeyError, ValueError, TypeError) as exc:
        return f"onleesbaar: {exc}"



def _replay(case_id: str, events: Sequence[Any], bundle_for, stored_digest: str) -> dict:
    """Re-run the events on the exact versions they ran on; compare after each one."""
    runtime: CaseRuntime | None = None
    last_digest = ""
    for ev in events:
        payload = json.loads(ev.payload)
        try:
            with clock.at(ev.at):
                if ev.type == "case_started":
                    spec, subprocess_specs = bundle_for(payload["version"]).specs()
                    runtime = CaseRuntime.start(spec, subprocess_specs, payload["data"],
                                                places=ReplayLedger(payload.get("plaatsen", [])))
                elif runtime is not None:
                    runtime.places = ReplayLedger(payload.get("plaatsen", []))
                if ev.type == "case_started":
                    pass
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
                    runtime.mark_in_error()
                elif ev.type == "case_resumed":
                    runtime.clear_error()
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
