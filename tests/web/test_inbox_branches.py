"""The inbox reads a view as a union of branches (a lane, a person's own tasks, an organisation),
each from the task rows alone (migration 0014): pages across branches come out in one order,
and the task rows carry their case's organisation, also rows from before the migration."""
from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from engine import clock
from engine.app.inbox import Inbox, InboxQuery, Scope
from engine.storage import CaseRow, TaskRow
from engine.storage.db import MIGRATIONS_DIR


def _cases(wp, n: int) -> list[dict]:
    start = clock.to_utc("2026-01-05T09:00")
    return [wp.start_case("voorbeeldstad", "111222333", f"Klant {i}", "1980-01-01",
                          at=start + timedelta(hours=7 * i)) for i in range(n)]


def _open_in_order(wp, where) -> list[str]:
    with wp.db.unit_of_work(write=False) as uow:
        return list(uow.session.scalars(select(TaskRow.id).where(TaskRow.status == "open", where)
                                        .order_by(TaskRow.due_at, TaskRow.created_at, TaskRow.id)))


def test_pages_across_lanes_come_out_in_one_order(wp):
    cases = _cases(wp, 7)
    # three cases move on to the werkconsulent's lane (diagnose), with other due dates than the intakes
    for case in cases[:3]:
        wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                         at="2026-01-06T10:00")
    wp.fire_due_timers("2026-02-04")
    for case in cases[:3]:
        task = wp.get_case(case["id"])["tasks"][0]
        wp.complete_task(task["id"], "kees", {"recht_op_bijstand": True}, at="2026-02-05T10:00")
    lanes = {row.lane for row in _rows(wp) if row.lane}
    assert len(lanes) >= 2  # the view below really spans more than one branch
    scope = Scope("teamleider", ["voorbeeldstad"], {"voorbeeldstad": lanes})
    inbox = Inbox(wp)
    expected = _open_in_order(wp, TaskRow.claimed_by.is_(None))
    seen: list[str] = []
    page, pages = 1, 1
    while page <= pages:
        result = inbox.tasks(scope, InboxQuery(view="team", page=page, per_page=2))
        assert result["total"] == len(expected) and result["total_exact"]
        seen += [item["id"] for item in result["items"]]
        page, pages = page + 1, result["pages"]
    assert seen == expected
    # one person's own tasks, and the whole organisation, read the same way
    wp.claim_task(expected[3], "kees", at="2026-02-06T09:00")
    mine = inbox.tasks(Scope("kees", ["voorbeeldstad"], {"voorbeeldstad": lanes}), InboxQuery(view="mijn"))
    assert [item["id"] for item in mine["items"]] == [expected[3]] and mine["counts"]["team"] == len(expected) - 1
    everything = inbox.tasks(scope, InboxQuery(view="alle", per_page=100))
    assert [item["id"] for item in everything["items"]] == expected
    assert inbox.tasks(Scope("kees", ["elders"], {"elders": lanes}), InboxQuery(view="alle"))["total"] == 0


def _rows(wp) -> list[TaskRow]:
    with wp.db.unit_of_work(write=False) as uow:
        rows = list(uow.session.scalars(select(TaskRow)))
        uow.session.expunge_all()
        return rows


def test_task_rows_carry_the_organisation_also_after_the_migration(wp_sqlite):
    wp = wp_sqlite
    case = _cases(wp, 2)[0]
    wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": True, "woonsituatie": "inwonend"},
                     at="2026-01-08T10:00")
    assert {(row.organisation, row.status) for row in _rows(wp)} >= {("voorbeeldstad", "open"),
                                                                      ("voorbeeldstad", "completed")}
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with wp.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014_admin2")
        assert "organisation" not in [r[1] for r in conn.execute(text("PRAGMA table_info(tasks)"))]
        conn.execute(text("UPDATE cases SET organisation = 'elders' WHERE id = :id"), {"id": case["id"]})
    wp.db.engine.dispose()
    wp.upgrade_db()
    with wp.db.unit_of_work(write=False) as uow:
        pairs = uow.session.execute(select(TaskRow.organisation, CaseRow.organisation)
                                    .join(CaseRow, CaseRow.id == TaskRow.case_id)).all()
    assert len(pairs) == 3 and all(task == owner for task, owner in pairs)
    assert ("elders", "elders") in pairs


def test_an_unfiltered_page_reads_what_a_filtered_one_reads_and_keeps_no_answers(wp):
    """An unfiltered page runs statements built once per person, view and page (engine/app/inbox.py,
    _PAGE_PLANS) on the driver; a page with a filter builds its statements each time through
    SQLAlchemy. A filter that keeps every task (the only organisation) must give the same page, and
    the kept statements must not keep answers: a task completed in between is gone."""
    cases = _cases(wp, 5)
    wp.claim_task(cases[1]["tasks"][0]["id"], "kees", at="2026-01-07T09:00")
    lanes = {row.lane for row in _rows(wp) if row.lane}
    inbox = Inbox(wp)
    for view in ("mijn", "team", "alle"):
        scope = Scope("kees", ["voorbeeldstad"], {"voorbeeldstad": lanes})
        for page in (1, 2):
            moment = clock.to_utc("2026-01-10T09:00")
            plain = inbox.tasks(scope, InboxQuery(view=view, page=page, per_page=2, columns=["woonsituatie"]),
                                now=moment)
            filtered = inbox.tasks(scope, InboxQuery(view=view, page=page, per_page=2, columns=["woonsituatie"],
                                                     organisation="voorbeeldstad"), now=moment)
            assert plain == filtered
    scope = Scope("kees", ["voorbeeldstad"], {"voorbeeldstad": lanes})
    before = inbox.tasks(scope, InboxQuery(view="team"))
    first = before["items"][0]["id"]
    wp.complete_task(first, "kees", {"crisis": False, "woonsituatie": "zelfstandig"}, at="2026-01-08T10:00")
    after = inbox.tasks(scope, InboxQuery(view="team"))
    assert first not in [item["id"] for item in after["items"]] and after["total"] == before["total"] - 1
    # another person with the same page gets their own statements (their own tasks)
    other = inbox.tasks(Scope("wendy", ["voorbeeldstad"], {"voorbeeldstad": lanes}), InboxQuery(view="mijn"))
    assert other["items"] == [] and other["total"] == 0
    assert inbox.tasks(Scope("kees", ["voorbeeldstad"], {}), InboxQuery(view="mijn"))["total"] == 1
