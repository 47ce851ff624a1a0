"""The command path's reads on the driver (engine/storage/plain.py) give what SQLAlchemy gives, and
the objects made of them are written back like loaded ones."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select

from engine.storage import CaseRow, TaskRow, TimerRow
from engine.storage.db import table_of
from engine.storage.plain import PlainQuery, persistent

_tasks, _timers = table_of(TaskRow), table_of(TimerRow)


def test_rows_are_sqlalchemys_rows(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01",
                         at=datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC))
    statement = (select(_tasks.c.id, _tasks.c.due_at, _tasks.c.created_at, _tasks.c.ordinal, _tasks.c.claimed_by)
                 .where(_tasks.c.case_id == bindparam("case_id"), _tasks.c.status == "open"))
    with wp.db.unit_of_work(write=False) as uow:
        plain = uow.rows(PlainQuery(statement), {"case_id": case["id"]})
        expected = [tuple(r) for r in uow.execute(statement, {"case_id": case["id"]})]
    assert plain == expected and plain
    created = plain[0][2]
    assert created == datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC) and created.utcoffset() == timedelta(0)
    timers = PlainQuery(select(_timers.c.task_id, _timers.c.due_at).where(_timers.c.case_id == bindparam("c")))
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.rows(timers, {"c": case["id"]}) == [tuple(r) for r in uow.execute(timers.statement, {"c": case["id"]})]
        assert uow.rows(timers, {"c": "bestaat-niet"}) == []


def test_an_object_made_of_a_row_is_written_back_like_a_loaded_one(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    task_id = case["tasks"][0]["id"]
    with wp.db.unit_of_work() as uow:
        loaded = uow.session.get(TaskRow, task_id)
        values = {attr.key: getattr(loaded, attr.key) for attr in TaskRow.__mapper__.column_attrs}
        uow.session.expunge_all()
        task = persistent(uow.session, TaskRow, values)
        assert uow.session.get(TaskRow, task_id) is task  # held: no second read
        assert not uow.session.dirty
        task.claimed_by = "kees"
        uow.commit()
    with wp.db.unit_of_work(write=False) as uow:
        stored = uow.session.get(TaskRow, task_id)
        assert stored.claimed_by == "kees" and stored.name == values["name"]


def test_claims_and_completions_on_both_databases(wp):
    """Through the commands (on PostgreSQL they read task and case on the driver)."""
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    task_id = case["tasks"][0]["id"]
    wp.claim_task(task_id, "kees")
    assert wp.get_task(task_id)["claimed_by"] == "kees"
    wp.unclaim_task(task_id, "kees")
    assert wp.get_task(task_id)["claimed_by"] is None
    after = wp.complete_task(task_id, "kees", {"crisis": False, "woonsituatie": "inwonend"})
    with wp.db.unit_of_work(write=False) as uow:
        row = uow.session.get(CaseRow, case["id"])
        assert row.lock_version == 4 and row.last_seq == len(wp.case_history(case["id"]))
    assert [t["name"] for t in after["tasks"]] == [t["name"] for t in wp.get_case(case["id"])["tasks"]]
    assert wp.replay_case(case["id"])["match"] is True and wp.verify_audit()["ok"]
