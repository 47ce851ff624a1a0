"""The account trail's hash chain: every kind of tampering is named; nothing secret is stored."""
from __future__ import annotations

import pytest

from engine import Werkpad
from engine.app.account_trail import list_trail, verify_trail
from engine.app.accounts import Accounts
from engine.core import clock

PASSWORD = "lang-genoeg-wachtwoord"


@pytest.fixture
def db(tmp_path):
    wp = Werkpad(f"sqlite:///{tmp_path / 'trail.sqlite'}")
    wp.upgrade_db()
    acc = Accounts(wp)
    acc.create_organisation("tilburg", "Gemeente Tilburg")
    with clock.at(clock.moment("2026-03-02T10:00")):
        acc.create_user("kees", PASSWORD, "Kees", actor="bea", organisation="tilburg", role="auditor")
    with clock.at(clock.moment("2026-03-03T10:00")):
        acc.block("kees", "tilburg", actor="bea")
    with clock.at(clock.moment("2026-03-04T10:00")):
        acc.unblock("kees", "tilburg", actor="bea")
        acc.revoke("kees", "tilburg", "auditor", actor="bea")
    yield wp.db
    wp.db.dispose()


def _sql(db, statement: str) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(statement)


def test_an_intact_trail_verifies_and_filters_by_date_and_person(db):
    assert verify_trail(db) == {"ok": True, "records": 5, "findings": []}
    assert [r["action"] for r in list_trail(db, ["tilburg"], since=clock.local_date(clock.moment("2026-03-03T12:00")))] \
        == ["rol_ingetrokken", "blokkade_opgeheven", "geblokkeerd"]
    assert [r["action"] for r in list_trail(db, ["tilburg"], until=clock.local_date(clock.moment("2026-03-02T12:00")))] \
        == ["rol_toegekend", "gebruiker_aangemaakt"]
    assert len(list_trail(db, None, person="bea")) == 5 and list_trail(db, None, person="iemand") == []


@pytest.mark.parametrize("statement, words", [
    ("UPDATE account_events SET subject = 'wendy' WHERE seq = 3", "wijziging 3 is achteraf veranderd"),
    ("UPDATE account_events SET details = '{}' WHERE seq = 2", "wijziging 2 is achteraf veranderd"),
    ("DELETE FROM account_events WHERE seq = 2", "wijziging 2 ontbreekt"),
    ("UPDATE account_events SET prev_hash = hash WHERE seq = 4", "wijziging 4 sluit niet aan"),
    ("DELETE FROM account_events WHERE seq = 5", "afgekapt"),
    ("UPDATE account_trail_head SET seq = 9", "afgekapt"),
])
def test_tampering_is_named(db, statement, words):
    _sql(db, "DELETE FROM account_event_scopes")  # scopes refer to the records
    _sql(db, statement)
    result = verify_trail(db)
    assert not result["ok"] and words in result["findings"][0]["reason"]


def test_a_record_that_would_hold_a_secret_is_refused(db):
    from engine.app import account_trail

    with db.unit_of_work() as uow, pytest.raises(ValueError):
        account_trail.record(uow, actor="bea", action="wachtwoord_hersteld", subject="kees",
                             details={"wachtwoord": "geheim"})
    assert verify_trail(db)["records"] == 5
