"""Fixed-window rate limits kept in the database, so every web process counts alike.

Used where a count must hold across processes and is cheap to keep: login attempts
per client address, and wrong passwords per account *and* address (so an attacker
who knows a user name pauses only his own attempts, never the user's own login).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..core import clock
from ..storage import Database
from ..storage.ratelimit_models import RateCounterRow


class RateLimits:
    def __init__(self, db: Database) -> None:
        self.db = db

    def hit(self, key: str, limit: int, window: timedelta, now: datetime | None = None) -> bool:
        """Count one hit of ``key``; False when the window already holds ``limit`` hits."""
        now = now or clock.now()
        with self.db.unit_of_work() as uow:
            query = select(RateCounterRow).where(RateCounterRow.key == key[:200])
            if not self.db.is_sqlite:
                query = query.with_for_update()
            row = uow.session.scalars(query).first()
            if row is None:
                uow.session.add(RateCounterRow(key=key[:200], window_start=now, hits=1))
                allowed = True
            elif now - row.window_start >= window:
                row.window_start, row.hits = now, 1
                allowed = True
            else:
                allowed = row.hits < limit
                if allowed:
                    row.hits += 1
            uow.commit()
        return allowed

    def count(self, key: str, window: timedelta, now: datetime | None = None) -> int:
        now = now or clock.now()
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(RateCounterRow, key[:200])
            if row is None or now - row.window_start >= window:
                return 0
            return row.hits

    def reset(self, key: str) -> None:
        with self.db.unit_of_work() as uow:
            row = uow.session.get(RateCounterRow, key[:200])
            if row is not None:
                uow.session.delete(row)
                uow.commit()
