"""Periods that reach the first or last day a date can hold, on SQLite and PostgreSQL: the
auditor's case search and deadlines report and the account trail find what lies inside them."""
from __future__ import annotations

from datetime import UTC, date, datetime

from argon2 import PasswordHasher

from engine.app.account_trail import list_trail
from engine.app.accounts import Accounts
from engine.app.audit_workspace import AuditorWorkspace, CaseSearch
from engine.app.deadlines import Period, deadline_report


def test_a_period_to_the_ends_of_the_calendar_holds_everything(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    Accounts(wp, password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).create_user(
        "kees", "geheim-wachtwoord-1", "Kees de Vries")
    for since, until in [(date.min, date.max), (date.min, None), (None, date.max)]:
        found = AuditorWorkspace(wp).find_cases(["voorbeeldstad"], CaseSearch(started_from=since, started_to=until))
        assert [c["id"] for c in found["items"]] == [case["id"]]
        report = deadline_report(wp.db, ["voorbeeldstad"], Period(since, until), now=wp_now())
        assert sum(n["running"] + n["met"] + n["missed"] for n in report["norms"]) >= 1
        assert list_trail(wp.db, None, since=since, until=until)  # kees's account, made today
    for far in (date.min, date.max):  # a period of only the first or the last day holds nothing of today
        assert AuditorWorkspace(wp).find_cases(["voorbeeldstad"], CaseSearch(started_from=far, started_to=far))[
            "items"] == []
        assert list_trail(wp.db, None, since=far, until=far) == []


def wp_now() -> datetime:
    return datetime(2026, 1, 6, tzinfo=UTC)
