"""Shared fixtures: a fresh engine per test on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from engine import Werkpad

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "processes"
FORMS = ROOT / "forms"
_counter = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def _answers_checked_against_marshmallow():
    """Every API answer the suite receives is also written by marshmallow: they must be equal."""
    from web import api_dump

    api_dump.VERIFY = True
    yield
    api_dump.VERIFY = False


@pytest.fixture(scope="session")
def pg_server():
    from tests.pgserver import PgServer, find_bin_dir

    if find_bin_dir() is None:
        if os.environ.get("WERKPAD_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL is vereist (WERKPAD_REQUIRE_PG=1) maar niet geïnstalleerd")
        pytest.skip("PostgreSQL niet geïnstalleerd")
    server = PgServer().start()
    yield server
    server.stop()


def _make_url(kind: str, tmp_path: Path, request) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'werkpad.sqlite'}"
    server = request.getfixturevalue("pg_server")
    return server.create_database(f"wp_{os.getpid()}_{next(_counter)}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    return _make_url(request.param, tmp_path, request)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'werkpad.sqlite'}"


@pytest.fixture
def wp(db_url) -> Werkpad:
    """An upgraded, deployed engine on each database."""
    engine = Werkpad(db_url, processes_dir=EXAMPLE, forms_dir=FORMS)
    engine.upgrade_db()
    engine.deploy(only=["voorbeeld"])
    yield engine
    engine.db.dispose()


@pytest.fixture
def wp_sqlite(sqlite_url) -> Werkpad:
    engine = Werkpad(sqlite_url, processes_dir=EXAMPLE, forms_dir=FORMS)
    engine.upgrade_db()
    engine.deploy(only=["voorbeeld"])
    yield engine
    engine.db.dispose()
