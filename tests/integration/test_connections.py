"""Pooled PostgreSQL connections: tested before use only after a rest, replaced when dead.

Under load a connection goes back to the pool and out again within milliseconds, so it is not
tested first (one round trip less per request). One that rested and whose server side went
away meanwhile (a database restart at night, a firewall dropping idle connections) is found on
checkout and replaced, so the person's command simply works. One that dies while in use fails
the statement that meets it (the web answers 503) and the pool starts afresh.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from engine.storage import db as db_module

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_wp(pg_server, tmp_path):
    from engine import Werkpad
    from tests.conftest import EXAMPLE, FORMS

    url = pg_server.create_database(f"wp_pool_{tmp_path.name[-20:].replace('-', '_')}")
    wp = Werkpad(url, processes_dir=EXAMPLE, forms_dir=FORMS)
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    yield wp
    wp.db.dispose()


def _pooled_backend(wp) -> int:
    with wp.db.unit_of_work(write=False) as uow:
        return uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(wp, pid: int) -> None:
    """End the server side of the pooled connection ``pid``, from a connection outside the pool."""
    other = create_engine(wp.db.url, poolclass=NullPool)
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def _pings(wp) -> list:
    seen: list = []
    original = wp.db.engine.dialect.do_ping

    def counting(dbapi_connection):
        seen.append(1)
        return original(dbapi_connection)

    wp.db.engine.dialect.do_ping = counting  # type: ignore[method-assign]
    return seen


def test_a_rested_connection_whose_server_went_away_is_replaced(pg_wp, monkeypatch):
    case = pg_wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    pid = _pooled_backend(pg_wp)
    _terminate(pg_wp, pid)
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 0.0)  # as if it rested longer than a second
    pings = _pings(pg_wp)
    shown = pg_wp.get_case(case["id"])  # would fail with "terminating connection" without the test
    assert shown["id"] == case["id"] and pings
    assert _pooled_backend(pg_wp) != pid


def test_a_connection_in_steady_use_is_not_tested_first(pg_wp, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 60.0)
    pg_wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    pings = _pings(pg_wp)
    for i in range(5):
        pg_wp.start_case("voorbeeldstad", "111222333", f"Jan {i}", "1980-01-01")
    assert pings == []


def test_a_connection_that_died_in_use_fails_once_then_the_pool_starts_afresh(pg_wp, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 60.0)
    case = pg_wp.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")
    _terminate(pg_wp, _pooled_backend(pg_wp))
    with pytest.raises(OperationalError):  # the web turns this into 503 with Retry-After
        pg_wp.get_case(case["id"])
    assert pg_wp.get_case(case["id"])["id"] == case["id"]
