"""A completed task is one write transaction: the step, its audit event, the inbox and
timer rows, the access-log row and the removal of the task's drafts commit together
— through the page and through the API alike. Counted on the engine's own events."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from engine.storage.accounts_models import AccessLogRow, TaskDraftRow

from .conftest import login, page_csrf


@pytest.fixture
def tokens(accounts):
    return {u: accounts.create_token(u, "test")["token"] for u in ("kees", "wendy")}


@contextmanager
def counted(werkpad):
    """Counts transactions begun (write / read), commits and SQL statements on the engine."""
    seen = {"write": 0, "read": 0, "commit": 0, "statements": 0}

    def begin(conn):
        seen["write" if conn.get_execution_options().get("werkpad_write") else "read"] += 1

    def commit(conn):
        seen["commit"] += 1

    def statement(conn, cursor, sql, params, context, many):
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            seen["statements"] += 1

    engine = werkpad.db.engine
    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", commit)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "commit", commit)
        event.remove(engine, "before_cursor_execute", statement)


def _log(werkpad, task_id: str) -> list[tuple[str, str]]:
    with werkpad.db.unit_of_work(write=False) as uow:
        return [(r.operation, r.status) for r in uow.session.scalars(
            select(AccessLogRow).where(AccessLogRow.task_id == task_id).order_by(AccessLogRow.id))]


def _drafts(werkpad, task_id: str) -> int:
    with werkpad.db.unit_of_work(write=False) as uow:
        return len(uow.session.scalars(select(TaskDraftRow).where(TaskDraftRow.task_id == task_id)).all())


def test_a_page_completion_is_one_write_transaction(client, cases, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]
    login(client, "kees")
    token = page_csrf(client, f"/taken/{task_id}")
    client.post(f"/taken/{task_id}", data={"csrf_token": token, "actie": "concept", "crisis": "nee"})
    assert _drafts(werkpad, task_id) == 1
    with counted(werkpad) as seen:
        response = client.post(f"/taken/{task_id}", data={"csrf_token": token, "crisis": "nee",
                                                           "woonsituatie": "inwonend"})
    assert response.status_code == 302
    assert werkpad.get_task(task_id)["status"] == "completed"
    # the change, its audit event, the access-log row and the draft removal: one write, one commit
    assert seen["write"] == 1 and seen["commit"] == 1, seen
    # what else the request reads: the session, and the task with its form (to parse the posted fields)
    assert seen["read"] == 2, seen
    assert _drafts(werkpad, task_id) == 0
    assert _log(werkpad, task_id)[-1] == ("taak.afronden", "ok")


def test_an_api_completion_is_one_write_transaction(client, cases, tokens, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]
    headers = {"Authorization": f"Bearer {tokens['kees']}"}
    assert client.get("/api/v1/ik", headers=headers).status_code == 200  # the token's use is noted once a minute
    with counted(werkpad) as seen:
        response = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers,
                               json={"gegevens": {"crisis": False, "woonsituatie": "inwonend"}})
    assert response.status_code == 200, response.get_json()
    # the answer is built from what the command holds, and equals the case read back afterwards
    from web.api_schemas import CaseSchema

    assert response.get_json() == CaseSchema().dump(werkpad.get_case(cases["ours"]["id"]))
    assert seen["write"] == 1 and seen["commit"] == 1, seen
    assert seen["read"] <= 1, seen  # the bearer token (none while it is cached)
    assert _log(werkpad, task_id)[-1] == ("api.taak.afronden", "ok")


def test_a_refused_completion_changes_nothing_and_is_logged(client, cases, tokens, werkpad):
    task_id = cases["ours"]["tasks"][0]["id"]
    headers = {"Authorization": f"Bearer {tokens['wendy']}"}  # werkconsulent: the intake is not hers
    client.get("/api/v1/ik", headers=headers)
    before = len(werkpad.case_history(cases["ours"]["id"]))
    with counted(werkpad) as seen:
        response = client.post(f"/api/v1/taken/{task_id}/afronden", headers=headers,
                               json={"gegevens": {"crisis": False, "woonsituatie": "inwonend"}})
    assert response.status_code == 403
    assert seen["commit"] == 1, seen  # only the 'geweigerd' row
    assert len(werkpad.case_history(cases["ours"]["id"])) == before
    assert _log(werkpad, task_id)[-1] == ("api.taak.afronden", "geweigerd")


def test_a_token_revoked_by_another_process_stops_working_within_the_cache_time(accounts, tokens, monkeypatch):
    from sqlalchemy import update

    from engine.app import accounts as accounts_module
    from engine.storage.accounts_models import ApiTokenRow

    clock_now = [1000.0]
    monkeypatch.setattr(accounts_module.time, "monotonic", lambda: clock_now[0])
    accounts_module.forget_tokens()
    assert accounts.principal_for_token(tokens["kees"]).username == "kees"
    with accounts.db.unit_of_work() as uow:  # as another process would: straight in the database
        uow.session.execute(update(ApiTokenRow).values(revoked_at=uow.session.scalar(
            select(ApiTokenRow.created_at).limit(1))))
        uow.commit()
    assert accounts.principal_for_token(tokens["kees"]) is not None  # still known in this process
    clock_now[0] += accounts_module.TOKEN_CACHE_SECONDS + 0.01
    assert accounts.principal_for_token(tokens["kees"]) is None
    # a revocation through this process takes effect at once
    fresh = accounts.create_token("wendy", "nog een")
    assert accounts.principal_for_token(fresh["token"]) is not None
    accounts.revoke_token("wendy", fresh["id"])
    assert accounts.principal_for_token(fresh["token"]) is None
