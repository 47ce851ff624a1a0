"""The timers: fire what is due, each case on its own (one broken case never stops the others)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..core import clock
from ..errors import WerkpadError
from ..storage import TimerRow
from .repository import TIMER_ACTOR, Repository, log, why


class Timers:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.db = repo.db

    # ------------------------------------------------------------------ timers
    def next_due(self) -> datetime | None:
        """When the earliest timer in the index comes due (None: no timers at all)."""
        with self.repo.db.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(func.min(TimerRow.due_at)))

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
                    loaded = self.repo.load(uow, case_id)
                    fired = loaded.runtime.fire_timers()
                    if not fired:  # stale index row: repair it
                        uow.session.delete(timer)
                        uow.commit()
                        return {"fired": False}
                    self.repo.save(uow, loaded, "timer_fired", TIMER_ACTOR, due, {
                        "timers": [{"spec": t.spec, "name": t.name, "kind": t.kind,
                                    "due": t.due.isoformat() if t.due else None} for t in fired]})
                    uow.commit()
            except Exception as exc:  # noqa: BLE001 - one case's failure must not stop the others
                uow.session.rollback()
                skipped.add(case_id)
                reason = exc.message if isinstance(exc, WerkpadError) else why(exc)
                log.warning("timer van zaak %s kon niet afgaan: %s", case_id, reason)
                self.repo.put_in_error(case_id, due, f"timer kon niet afgaan: {reason}")
                return {"fired": False, "case": case_id, "error": reason}
        return {"fired": True, "case": case_id, "number": loaded.row.case_number, "due": due.isoformat(),
                "timers": [t.name for t in fired], "timer_ids": [t.spec for t in fired], "status": loaded.row.status, "phase": loaded.row.phase}
