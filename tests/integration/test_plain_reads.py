"""The command path's reads on the driver (engine/storage/plain.py) give what SQLAlchemy gives, and
the objects made of them are written back like loaded ones."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from engine.storage import CaseRow, EventRow, TaskRow, TimerRow
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


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_lost_server_is_sqlalchemys_error_and_its_connection_is_not_reused(wp):
    """A read on the driver whose server connection was cut (a PostgreSQL restart) fails as a
    statement run by SQLAlchemy fails: OperationalError (the web answers 503, not 500), the
    connection invalidated, and the next unit of work gets a working one."""
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    tasks = PlainQuery(select(_tasks.c.id).where(_tasks.c.case_id == bindparam("case_id")))
    with pytest.raises(OperationalError) as caught:
        with wp.db.unit_of_work(write=False) as uow:
            pid = uow.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with wp.db.engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                other.commit()
            uow.rows(tasks, {"case_id": case["id"]})
    assert caught.value.connection_invalidated
    # a statement the server cancels (its time limit) on a live connection: SQLAlchemy's error as well
    slow = PlainQuery(select(func.pg_sleep(bindparam("s"))))
    with pytest.raises(OperationalError) as caught:
        with wp.db.unit_of_work(write=False) as uow:
            uow.execute(text("SET LOCAL statement_timeout = 50"))
            uow.rows(slow, {"s": 2})
    assert not caught.value.connection_invalidated and "statement timeout" in str(caught.value)
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.rows(tasks, {"case_id": case["id"]}) == [(case["tasks"][0]["id"],)]
    # the command path reads on the driver too: it works on the fresh connection
    assert wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"})


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_refused_write_on_the_driver_is_sqlalchemys_integrity_error(wp):
    """The deferred writes travel on the driver as one statement (storage/batch.py): a write the
    database refuses is SQLAlchemy's IntegrityError, as when SQLAlchemy sent it, and nothing lands."""
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    events = table_of(EventRow)
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    row = {"case_id": case["id"], "seq": 1, "type": "note_added", "actor": "test", "at": moment,
           "recorded_at": moment, "phase": "poort", "payload": "{}", "digest": "", "prev_hash": "",
           "hash": "x", "snapshot": None}
    with pytest.raises(IntegrityError):
        with wp.db.unit_of_work() as uow:  # seq 1 exists: the case's first event
            uow.defer(insert(events), [{**row, "seq": 950}, row])
            uow.commit()
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.execute(select(events.c.seq).where(events.c.case_id == case["id"], events.c.seq == 950)
                           ).first() is None
