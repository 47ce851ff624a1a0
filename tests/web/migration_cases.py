"""Two running cases of Voorbeeldstad to move to a new version, as the migration tests need them:
Jan Jansen in the four-week self-search period (intake done ten days ago) and Fatima el Amrani in
the traject with its three-monthly evaluation cycle (intake, rechtmatigheid and diagnose done, so
she has loonwaarde_pct and trede)."""
from __future__ import annotations

from datetime import datetime, timedelta

INTAKE = {"crisis": False, "woonsituatie": "dakloos"}


def task_id(case: dict, spec: str) -> str:
    return next(t["id"] for t in case["tasks"] if t["spec"] == spec)


def waiting_and_in_traject(werkpad, now: datetime) -> tuple[dict, dict]:
    """(Jan's case, Fatima's case) as started; both run on the version that is current now."""
    waiting = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=10))
    werkpad.complete_task(task_id(waiting, "intake"), "kees", INTAKE, at=now - timedelta(days=10, hours=-1))
    traject = werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17",
                                 at=now - timedelta(days=40))
    werkpad.complete_task(task_id(traject, "intake"), "kees", INTAKE, at=now - timedelta(days=40, hours=-1))
    werkpad.fire_due_timers(now - timedelta(days=11))
    werkpad.complete_task(task_id(werkpad.get_case(traject["id"]), "rechtmatigheid"), "kees",
                          {"recht_op_bijstand": True}, at=now - timedelta(days=11))
    werkpad.complete_task(task_id(werkpad.get_case(traject["id"]), "diagnose"), "wendy",
                          {"loonwaarde_pct": 50, "trede": 2}, at=now - timedelta(days=10))
    return waiting, traject
