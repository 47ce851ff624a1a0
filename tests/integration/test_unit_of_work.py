"""The unit of work's deferred writes: on PostgreSQL one statement for all, on SQLite one by one;
either way all or nothing, in order with the transaction's reads, and a guarded write that
finds its row changed fails the whole command."""
from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, func, insert, select, text, update

from engine.errors import CaseMovedOn
from engine.storage import CaseRow, EventRow, plain
from engine.storage.db import table_of

_cases = table_of(CaseRow)
_events = table_of(EventRow)


@contextlib.contextmanager
def _statements(wp):
    """The statements sent while inside: through SQLAlchemy and onto the driver directly
    (storage/plain.py, which SQLAlchemy's event does not see)."""
    seen: list[str] = []

    def note(sql: str) -> None:
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            seen.append(sql)

    def listener(conn, cursor, statement, params, context, many) -> None:
        note(statement)

    event.listen(wp.db.engine, "before_cursor_execute", listener)
    try:
        with plain.watching(note):
            yield seen
    finally:
        event.remove(wp.db.engine, "before_cursor_execute", listener)


def _note_event(case_id: str, seq: int, text_: str) -> dict:
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    return {"case_id": case_id, "seq": seq, "type": "note_added", "actor": "test", "at": moment,
            "recorded_at": moment, "phase": "poort", "payload": text_, "digest": "", "prev_hash": "",
            "hash": f"h{seq}", "snapshot": None}


def _guarded(case_id: str, version: int, status: str) -> dict:
    return {"status": status, "version": version + 1, "b_id": case_id, "b_version": version}


def _update_case():
    return update(_cases).where(_cases.c.id == bindparam("b_id"), _cases.c.version == bindparam("b_version"))


def test_deferred_writes_land_together_and_reads_see_them(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    with wp.db.unit_of_work() as uow:
        version = uow.session.scalar(select(CaseRow.lock_version).where(CaseRow.id == case["id"]))
    statement = _update_case()
    with _statements(wp) as seen, wp.db.unit_of_work() as uow:
        uow.defer(statement, _guarded(case["id"], version, "lopend"), must_change_one=True)
        uow.defer(insert(_events), [_note_event(case["id"], 900, "a"), _note_event(case["id"], 901, "b")])
        uow.defer(text("SELECT 1"), {})
        assert seen == []  # nothing sent yet
        # a read in the same transaction sees what was deferred before it
        count = uow.execute(select(func.count()).select_from(_events).where(_events.c.seq >= 900)).scalar()
        assert count == 2
        uow.commit()
    writes = [s for s in seen if not s.lstrip().upper().startswith("SELECT COUNT")]
    if wp.db.is_sqlite:
        assert len(writes) == 3  # one by one (the two events in one executemany)
    else:
        assert len(writes) == 1 and writes[0].lstrip().startswith("WITH")  # one statement
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(CaseRow.lock_version).where(CaseRow.id == case["id"])) == version + 1
        assert uow.session.scalar(select(func.count()).select_from(_events).where(_events.c.seq >= 900)) == 2


def test_a_guarded_write_that_finds_its_row_changed_fails_and_writes_nothing(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    with wp.db.unit_of_work(write=False) as uow:
        version = uow.session.scalar(select(CaseRow.lock_version).where(CaseRow.id == case["id"]))
    with pytest.raises(CaseMovedOn):
        with wp.db.unit_of_work() as uow:
            uow.defer(insert(_events), [_note_event(case["id"], 950, "voor")])
            uow.defer(_update_case(), _guarded(case["id"], version - 1, "gesloten"), must_change_one=True)
            uow.defer(insert(_events), [_note_event(case["id"], 951, "na")])
            uow.commit()
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(_events).where(_events.c.seq >= 950)) == 0
        assert uow.session.scalar(select(CaseRow.status).where(CaseRow.id == case["id"])) == case["status"]
    # the case is still workable afterwards
    assert wp.add_note(case["id"], "test", "nog bereikbaar")["id"] == case["id"]


def test_a_failing_write_in_the_batch_rolls_back_all_of_it(wp):
    from sqlalchemy.exc import IntegrityError

    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    with pytest.raises(IntegrityError):
        with wp.db.unit_of_work() as uow:
            uow.defer(insert(_events), [_note_event(case["id"], 960, "eerste")])
            uow.defer(insert(_events), [_note_event(case["id"], 960, "dubbel")])  # same (case, seq)
            uow.commit()
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(_events).where(_events.c.seq == 960)) == 0


def test_nothing_deferred_is_written_without_commit(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    with wp.db.unit_of_work() as uow:
        uow.defer(insert(_events), [_note_event(case["id"], 970, "weg")])
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(_events).where(_events.c.seq == 970)) == 0


def test_many_deferred_rows_are_written_too(wp):
    """More rows than one statement can carry (PostgreSQL takes at most 65,535 parameters; an event
    row has 12): written all the same, one statement per kind, in the same transaction."""
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    count = 65_535 // 12 + 100
    many = [_note_event(case["id"], 1000 + i, f"n{i}") for i in range(count)]
    with wp.db.unit_of_work() as uow:
        uow.defer(insert(_events), many)
        uow.defer(text("SELECT 1"), {})
        uow.commit()
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(_events).where(_events.c.seq >= 1000)) == count


def test_a_completion_leaves_the_session_nothing_to_flush(wp):
    """The case row's changes go out as one guarded UPDATE among the deferred writes; the session
    must not also see the row as changed, or every commit runs a flush that writes nothing."""
    from sqlalchemy.orm import Session

    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    flushes: list[list[str]] = []

    def note(session, context, instances) -> None:
        flushes.append(sorted(type(o).__name__ for o in session.dirty | session.new))

    event.listen(Session, "before_flush", note)
    try:
        after = wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"})
    finally:
        event.remove(Session, "before_flush", note)
    assert flushes == []
    stored = wp.get_case(case["id"])  # and what was written is what the command answered
    assert stored["status"] == after["status"] and [t["name"] for t in stored["tasks"]] == \
        [t["name"] for t in after["tasks"]]


def test_a_new_case_is_written_with_its_first_writes_and_reads_back_whole(wp):
    """Starting a case: its row goes out first among the command's writes (on PostgreSQL in the
    same statement as its tasks, timers and event), not through a flush of its own; the stored
    case is the one the command answered, and its audit trail verifies."""
    with _statements(wp) as seen:
        case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    inserts = [s for s in seen if "INSERT INTO cases" in s]
    assert len(inserts) == 1
    if not wp.db.is_sqlite:
        assert inserts[0].lstrip().startswith("WITH w0 AS (INSERT INTO cases")
        assert "INSERT INTO events" in inserts[0] and "INSERT INTO tasks" in inserts[0]
    stored = wp.get_case(case["id"])
    assert (stored["status"], stored["number"], [t["name"] for t in stored["tasks"]]) == \
        (case["status"], case["number"], [t["name"] for t in case["tasks"]])
    with wp.db.unit_of_work(write=False) as uow:
        row = uow.session.get(CaseRow, case["id"])
        assert row.lock_version == 1 and row.seal and row.error is None and row.ended_at is None
    # the case works on: a guarded update of the row it inserted, then a clean replay
    after = wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"})
    assert after["id"] == case["id"]
    assert wp.replay_case(case["id"])["match"] is True and wp.verify_audit()["ok"] is True


def test_a_reading_unit_cannot_write_and_leaves_nothing(wp):
    """A reading unit of work writes nothing: on PostgreSQL it is a READ ONLY transaction (the
    database refuses the write), on SQLite what it wrote is rolled back."""
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    refused = False
    try:
        with wp.db.unit_of_work(write=False) as uow:
            uow.execute(insert(_events), [_note_event(case["id"], 980, "lezen")])
    except Exception as exc:  # noqa: BLE001 - PostgreSQL: read-only transaction
        refused = "read-only" in str(exc)
    assert refused == (not wp.db.is_sqlite)
    with wp.db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(_events).where(_events.c.seq == 980)) == 0
    # and a writing unit after it writes as before
    wp.add_note(case["id"], "kees", "daarna")
    assert [e["type"] for e in wp.case_history(case["id"])][-1] == "note_added"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_reading_keeps_the_prepared_statements_of_the_commands(wp):
    """psycopg forgets every prepared statement of a connection when a transaction ends with
    ROLLBACK; a reading unit on PostgreSQL ends with COMMIT, so the commands' statements stay
    prepared (before: planned anew after every inbox read)."""
    case = wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    for i in range(8):  # psycopg prepares a statement on its 5th use
        wp.add_note(case["id"], "kees", f"notitie {i}")

    def prepared() -> int:
        with wp.db.engine.begin() as conn:  # ends with COMMIT: a ROLLBACK here would clear them too
            return conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()

    before = prepared()
    assert before > 0
    for _ in range(3):
        with wp.db.unit_of_work(write=False) as uow:
            uow.session.get(CaseRow, case["id"])
    assert prepared() >= before
