"""The audit trail (AuditTrail): a case's history, replaying it on its exact versions, verifying every
hash chain. The auditor's screens build on it in :mod:`engine.app.audit_workspace` (AuditorWorkspace)."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from ..core import audit, clock, findings
from ..core.definitions import Bundle
from ..core.messages import Msg
from ..core.runtime import CaseRuntime, check_state_format
from ..errors import CaseBroken, Conflict, ValidationError, WerkpadError
from ..storage import CaseRow, EventRow, TaskRow
from ..storage.models import CaseNumberRow, DestructionRow
from .capacity import ReplayLedger
from .repository import Repository, cases_in_error, stored_digest, why
from .sealing import SealKey


class AuditTrail:
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
        """Rebuild the case from its events and its exact version; compare after each event with
        the fingerprint it recorded, and at the end with the stored state."""
        with self.db.unit_of_work(write=False) as uow:
            row = self.repo.case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            try:
                bundle = self.repo.bundle_by_id(uow, row.definition_id)
            except Exception as exc:  # noqa: BLE001
                raise CaseBroken(case_id, f"de procesversie van de zaak kan niet worden geladen ({why(exc)})") \
                    from exc
            return _replay(case_id, events, lambda h: self.repo.bundle_by_hash(uow, h), _actual_state(row, bundle))

    def verify_audit(self, replay: bool = True, progress: Callable[[int, int], None] | None = None) -> dict:
        """Every case's chain (and replay), the destruction records and the case numbers.
        ``progress(done, total)`` is called after each case."""
        broken = []
        with self.db.unit_of_work(write=False) as uow:
            case_ids = uow.session.scalars(select(CaseRow.id).order_by(CaseRow.started_at)).all()
        for done, case_id in enumerate(case_ids, start=1):
            try:
                finding = self.verify_case(case_id, replay)
            except Exception as exc:  # noqa: BLE001 - one unreadable case is a finding, not a crash
                finding = {"ok": False, "case": case_id, "kind": "unreadable", "event": None,
                           "reason": f"de zaak kan niet worden gecontroleerd: {why(exc)}"}
            if not finding["ok"]:
                broken.append({**finding, "problem": problem_text(finding)})
            if progress is not None:
                progress(done, len(case_ids))
        from .retention import Retention

        records = Retention(self.repo).check_records()
        if records is not None:
            broken.append({"case": None, "kind": "altered", "change": "edited", "event": None,
                           "reason": records, "problem": f"vernietigingsverklaringen: {records}"})
        broken.extend(self.missing_cases())
        with self.db.unit_of_work(write=False) as uow:  # verified on their history, not their stored state
            in_error = [{k: c[k] for k in ("case", "number", "client", "error")}
                        for c in cases_in_error(uow.session, limit=None)]
        return {"ok": not broken, "cases": len(case_ids), "broken": broken, "in_error": in_error}

    def missing_cases(self) -> list[dict]:
        """Case numbers run without gaps per year (the counter rolls back with a failed start),
        so a number that is missing — or a counter ahead of the highest case — means a case was
        deleted, history and all."""
        with self.db.unit_of_work(write=False) as uow:
            numbers = [n for n in uow.session.scalars(select(CaseRow.case_number)) if n]
            # a case destroyed under the retention rules leaves a record that accounts for its number
            numbers += [n for n in uow.session.scalars(select(DestructionRow.case_number)) if n]
            counters = {row.year: row.last for row in uow.session.scalars(select(CaseNumberRow))}
        seen: dict[int, set[int]] = {}
        for number in numbers:
            year_text, _, seq_text = number.partition("-")
            seen.setdefault(int(year_text), set()).add(int(seq_text))
        findings = []
        for year, last in sorted(counters.items()):
            missing = sorted(set(range(1, last + 1)) - seen.get(year, set()))
            for gap in missing[:100]:
                reason = (f"zaak {year}-{gap:06d} ontbreekt: het zaaknummer is uitgegeven maar de zaak en "
                          "haar geschiedenis zijn er niet meer")
                findings.append({"case": f"{year}-{gap:06d}", "kind": "altered", "change": "deleted",
                                 "change_words": "hele zaak verwijderd", "event": None, "reason": reason,
                                 "problem": f"vastlegging verwijderd: {reason}"})
        return findings



    def seal_problem(self, row: CaseRow, events: Sequence[Any]) -> str | None:
        return _seal_problem(self.repo.seal_key, row, events)

    def verify_case(self, case_id: str, replay: bool = True) -> dict:
        """Hash chain, then replay, of one case. ``ok``, or the first finding: ``kind`` is
        ``altered`` (the record itself was changed: ``change`` says edited, deleted, inserted or
        reordered) or ``replay_differs`` (the record is intact, but the engine or the definition now
        gives another result: ``field``, ``recorded``, ``rebuilt``)."""
        with self.db.unit_of_work(write=False) as uow:
            row = self.repo.case_row(uow, case_id)
            events = uow.session.scalars(select(EventRow).where(EventRow.case_id == case_id)
                                         .order_by(EventRow.seq)).all()
            found = audit.chain_break(case_id, events, row.last_seq, row.last_hash)
            if found is not None:
                ev = next((e for e in events if e.seq == found["event"]), None)
                described = findings.event_words(ev) if ev is not None else {"event": found["event"]}
                return {"ok": False, "case": case_id, "events": len(events), "kind": "altered", **described,
                        "change": found["change"], "change_words": found["change_words"],
                        "field": None, "recorded": None, "rebuilt": None, "differences": [],
                        "reason": found["reason"]}
            claims = _claims_problem(events, uow.session.scalars(
                select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.status == "open")).all())
            if claims is not None:
                return {"ok": False, "case": case_id, "events": len(events), "kind": "altered", "event": None,
                        "change": "edited", "change_words": "buiten de audittrail om gewijzigd",
                        "field": None, "recorded": None, "rebuilt": None, "differences": [], "reason": claims}
            sealed = self.seal_problem(row, events)
            if sealed is not None:
                return {"ok": False, "case": case_id, "events": len(events), "kind": "altered",
                        "event": row.last_seq or None, "change": "deleted", "change_words": audit.CHANGE_WORDS["deleted"],
                        "field": None, "recorded": None, "rebuilt": None, "differences": [], "reason": sealed}
            if not replay:
                return {"ok": True, "case": case_id, "events": len(events)}
            try:
                bundle = self.repo.bundle_by_id(uow, row.definition_id)
            except Exception as exc:  # noqa: BLE001
                raise CaseBroken(case_id, f"de procesversie van de zaak kan niet worden geladen ({why(exc)})") \
                    from exc
            result = _replay(case_id, events, lambda h: self.repo.bundle_by_hash(uow, h),
                             _actual_state(row, bundle))
        if result["match"]:
            return {"ok": True, "case": case_id, "events": len(events)}
        return {"ok": False, "events": len(events), **{k: v for k, v in result.items() if k != "match"}}


def _seal_problem(key: SealKey | None, row: CaseRow, events: Sequence[Any]) -> str | None:
    """The case row's seal must fit its pointers (see engine/app/sealing.py). A case whose last
    event was written before the key existed may have none; any later one must have it."""
    if key is None or not events:
        return None
    if key.matches(row.seal, row.id, row.last_seq, row.last_hash):
        return None
    if row.seal is None and clock.to_utc(events[-1].recorded_at) < key.created_at:
        return None
    if row.seal is None:
        return (f"de zaak heeft geen zegel, terwijl haar laatste gebeurtenis ({row.last_seq}) na de invoering van "
                "het zegel is vastgelegd: het zegel is verwijderd of de zaak is buiten Werkpad om geschreven")
    return (f"het zegel van de zaak past niet bij haar laatste gebeurtenis ({row.last_seq}): er zijn gebeurtenissen "
            "aan het eind weggehaald (en de verwijzingen van de zaak teruggezet), of de zaak is buiten Werkpad om "
            "gewijzigd")


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


def problem_text(finding: dict) -> str:
    """One line for a finding: what kind, then the reason."""
    if finding.get("kind") == "altered":
        return f"vastlegging {finding.get('change_words', 'gewijzigd')}: {finding['reason']}"
    if finding.get("kind") == "replay_differs":
        return f"replay wijkt af: {finding['reason']}"
    return str(finding.get("reason", ""))


def _actual_state(row: CaseRow, bundle: Bundle) -> tuple[str, str, dict | None]:
    """The stored state: the digest it claims, the digest of what it holds now and that fingerprint."""
    claimed = stored_digest(row)
    if row.status == "error" or (row.status == "withdrawn" and row.error):
        # a case in error keeps the state it had when it broke (which may be what is broken)
        return claimed, claimed, None
    state = json.loads(row.state)
    spec, subprocess_specs = bundle.specs()
    try:
        check_state_format(state)
        runtime = CaseRuntime.restore(state, spec, subprocess_specs)
        fingerprint = runtime.observe().fingerprint()
        return claimed, audit.digest(fingerprint), fingerprint
    except (WerkpadError, KeyError, ValueError, TypeError) as exc:
        return claimed, f"onleesbaar: {exc}", None


# events that change nothing in the workflow: they record the state as it was
BOOKKEEPING = ("task_claimed", "task_unclaimed", "task_assigned", "note_added", "case_closed_in_error",
               "engine_versions_changed")


def apply_event(runtime: CaseRuntime | None, ev: Any, payload: dict, bundle_for: Any) -> CaseRuntime:
    """One recorded event onto the runtime, at the event's own moment: the one step that replay,
    verification and the auditor's step-through-time all take. Raises WerkpadError when the
    event cannot be applied (and ValidationError when the history does not start with a melding)."""
    with clock.at(ev.at):
        if ev.type == "case_started":
            spec, subprocess_specs = bundle_for(payload["version"]).specs()
            return CaseRuntime.start(spec, subprocess_specs, payload["data"],
                                     places=ReplayLedger(payload.get("plaatsen", [])))
        if runtime is None:
            raise ValidationError(Msg("de geschiedenis begint niet met het starten van de zaak"))
        runtime.places = ReplayLedger(payload.get("plaatsen", []))
        if ev.type == "task_completed":
            ref = payload["task"]
            runtime.complete_user_task(runtime.find_user_task(ref["spec"], ref["ordinal"]), payload["data"])
        elif ev.type == "timer_fired":
            runtime.fire_timers()
        elif ev.type == "message_received":
            if payload.get("handled_by") == "engine":
                runtime.withdraw()
            elif not runtime.deliver_message(payload["message"], payload.get("data", {})):
                raise Conflict(Msg("bericht %(message)s werd niet verwacht", message=payload['message']))
        elif ev.type == "engine_error":
            runtime.mark_in_error()
        elif ev.type == "case_resumed":
            runtime.clear_error()
        elif ev.type == "version_migrated":
            spec, subprocess_specs = bundle_for(payload["to"]).specs()
            runtime = runtime.migrate(spec, subprocess_specs)
    return runtime


def _replay(case_id: str, events: Sequence[Any], bundle_for,
            actual: tuple[str, str, dict | None] | str) -> dict:
    """Re-run the events on the exact versions they ran on; compare after each one with the
    fingerprint the event recorded, and name what differs. ``actual`` is the stored state (see
    :func:`_actual_state`) or just the digest the history must end at (the recorded corpus)."""
    if isinstance(actual, str):
        actual = (actual, actual, None)
    runtime: CaseRuntime | None = None
    last_digest = ""
    last_fingerprint: dict | None = None
    names: dict[str, str] = {}

    def differs(ev: Any, diffs: list[dict], reason: str | None = None) -> dict:
        described = findings.event_words(ev)
        first = diffs[0] if diffs else {}
        return {"match": False, "case": case_id, "kind": "replay_differs", **described,
                "field": first.get("field"), "field_label": first.get("label"),
                "recorded": first.get("recorded"), "rebuilt": first.get("rebuilt"), "differences": diffs,
                "reason": reason or findings.difference_sentence(described, diffs)}

    for ev in events:
        payload = json.loads(ev.payload)
        task = payload.get("task") if isinstance(payload.get("task"), dict) else None
        if task and task.get("spec") and task.get("name"):
            names[task["spec"]] = task["name"]
        try:
            if ev.type != "case_started" and runtime is None:
                return differs(ev, [], "de geschiedenis begint niet met het starten van de zaak")
            runtime = apply_event(runtime, ev, payload, bundle_for)
            runtime.decisions.clear()  # replay needs no record of the decisions it took again
        except WerkpadError as exc:
            described = findings.event_words(ev)
            return differs(ev, [], f"gebeurtenis {ev.seq} ({described['label']}, {described['at_words']}, "
                                   f"door {ev.actor}) kan niet opnieuw worden uitgevoerd: {exc.message}")
        if ev.type in BOOKKEEPING:
            if ev.digest != last_digest:
                return differs(ev, [], f"gebeurtenis {ev.seq} ({findings.event_words(ev)['label']}) legt een "
                                       "andere toestand vast dan de gebeurtenis ervoor")
            continue
        assert runtime is not None
        observation = runtime.observe()
        for task_info in observation.tasks:
            names.setdefault(task_info.spec, task_info.name)
        for timer_info in observation.timers:
            names.setdefault(timer_info.spec, timer_info.name)
        fingerprint = observation.fingerprint()
        last_digest = audit.digest(fingerprint)
        if ev.type == "engine_error":
            last_digest = ev.digest
            continue
        if last_digest != ev.digest:
            recorded = _recorded(ev)
            diffs = findings.differences(recorded, fingerprint, names) if recorded is not None else []
            return differs(ev, diffs)
        last_fingerprint = fingerprint
    claimed, now, stored_fingerprint = actual
    if events and claimed != events[-1].digest:
        described = findings.event_words(events[-1])
        return {"match": False, "case": case_id, "kind": "altered", **described, "change": "edited",
                "change_words": findings_change("edited"), "field": "state", "recorded": None, "rebuilt": None,
                "differences": [], "reason": "de opgeslagen toestand van de zaak is gewijzigd: zij past niet bij "
                                             "de laatste gebeurtenis"}
    if last_digest != now:
        # what is stored (the 'recorded' side of each difference) against what the events rebuild
        diffs = findings.differences(stored_fingerprint, last_fingerprint, names) \
            if last_fingerprint is not None and stored_fingerprint is not None else []
        described = findings.event_words(events[-1]) if events else {"event": None}
        reason = "de opgeslagen toestand wijkt af van de herbouwde" + (
            ": " + "; ".join(f"{d['label']} is opgeslagen als '{findings.words(d['recorded'])}', herbouwd als "
                             f"'{findings.words(d['rebuilt'])}'" for d in diffs[:3]) if diffs else "")
        first = diffs[0] if diffs else {}
        return {"match": False, "case": case_id, "kind": "replay_differs", **described,
                "field": first.get("field", "state"), "field_label": first.get("label"),
                "recorded": first.get("recorded"), "rebuilt": first.get("rebuilt"), "differences": diffs,
                "reason": reason, "stored_state": True}
    return {"match": True, "case": case_id, "events": len(events), "digest": last_digest}


def _recorded(ev: Any) -> dict | None:
    """The fingerprint the event recorded, when it has a snapshot consistent with its digest."""
    if not getattr(ev, "snapshot", None) or not audit.snapshot_matches(ev):
        return None
    value = json.loads(ev.snapshot)
    return value if isinstance(value, dict) else None


def findings_change(change: str) -> str:
    return audit.CHANGE_WORDS[change]
