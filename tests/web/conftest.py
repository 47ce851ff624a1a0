"""Fixtures for the web tests: an app on a fresh SQLite engine with two
organisations (voorbeeldstad and a copy of its process for 'anderstad'), users
with roles in each, and a logged-in test client helper."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from engine import Werkpad
from engine.app.accounts import Accounts
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "geheim-wachtwoord-1"
SECRET = "test-pseudoniem-sleutel"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # argon2id, cheap for tests


@pytest.fixture
def processes_dir(tmp_path) -> Path:
    target = tmp_path / "processes"
    shutil.copytree(ROOT / "processes" / "voorbeeld", target / "voorbeeld")
    other = target / "anderstad"
    shutil.copytree(ROOT / "processes" / "voorbeeld", other)
    manifest = json.loads((other / "proces.json").read_text(encoding="utf-8"))
    manifest.update({"sleutel": "anderstad", "naam": "Anderstad", "organisatie": "anderstad",
                     "gemeenten": {"anderstad": {}}})
    (other / "proces.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.fixture
def werkpad(tmp_path, processes_dir) -> Werkpad:
    wp = Werkpad(f"sqlite:///{tmp_path / 'web.sqlite'}", processes_dir=processes_dir, forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy()
    yield wp
    wp.db.dispose()


@pytest.fixture
def accounts(werkpad) -> Accounts:
    acc = Accounts(werkpad, SECRET, FAST_HASHER)
    acc.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad", rsin="999990007")  # an example RSIN
    acc.create_organisation("anderstad", "Gemeente Anderstad")
    users = [
        ("kees", "voorbeeldstad", "consultant", "inkomensconsulent"),
        ("wendy", "voorbeeldstad", "consultant", "werkconsulent"),
        ("tineke", "voorbeeldstad", "teamleider", None),
        ("aafke", "voorbeeldstad", "auditor", None),
        ("piet", "voorbeeldstad", "process_designer", None),
        ("bea", "voorbeeldstad", "administrator", None),
        ("anna", "anderstad", "consultant", "inkomensconsulent"),
    ]
    for username, org, role, lane in users:
        acc.create_user(username, PASSWORD, username.capitalize())
        acc.grant(username, org, role, lane)
    return acc


@pytest.fixture
def app(werkpad, accounts):
    app = create_app(werkpad, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET,
                                              "PASSWORD_HASHER": FAST_HASHER})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "geen CSRF-token in de pagina"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, follow: bool = False):
    page = client.get("/inloggen")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/inloggen", data={"gebruikersnaam": username, "wachtwoord": password,
                                          "csrf_token": token}, follow_redirects=follow)


def page_csrf(client, path: str = "/inbox") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


@pytest.fixture
def cases(werkpad):
    """One running case per organisation, each with its first (intake) task open."""
    ours = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    theirs = werkpad.start_case("anderstad", "123456782", "Els Anders", "1975-02-03", at="2026-01-05T09:00")
    return {"ours": ours, "theirs": theirs}


def jan_at_diagnosis(werkpad) -> dict:
    """Jan (voorbeeldstad) through the intake, the four-week wait and the rechtmatigheid on the pinned
    clock: the case with its diagnosis ('Diagnose en loonwaarde-inschatting') open, on 6 February 2026."""
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    werkpad.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                          at="2026-01-06T10:00")
    werkpad.fire_due_timers("2026-02-04")
    werkpad.complete_task(werkpad.get_case(case["id"])["tasks"][0]["id"], "kees", {"recht_op_bijstand": True},
                          at="2026-02-05T10:00")
    return werkpad.get_case(case["id"])

