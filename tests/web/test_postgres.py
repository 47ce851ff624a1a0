"""The web app on PostgreSQL: the main path once, end to end through the test client."""
from __future__ import annotations

import os
import re

import pytest

from engine import Werkpad
from engine.app.accounts import Accounts
from web import create_app

from .conftest import FAST_HASHER, PASSWORD, ROOT, SECRET, login, page_csrf

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(pg_server, processes_dir):
    url = pg_server.create_database(f"web_{os.getpid()}")
    wp = Werkpad(url, processes_dir=processes_dir, forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy()
    accounts = Accounts(wp, SECRET, FAST_HASHER)
    for org in ("voorbeeldstad", "anderstad"):
        accounts.create_organisation(org, org)
    for username, org, role, lane in (("kees", "voorbeeldstad", "consultant", "inkomensconsulent"),
                                      ("anna", "anderstad", "consultant", "inkomensconsulent")):
        accounts.create_user(username, PASSWORD)
        accounts.grant(username, org, role, lane)
    app = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET, "PASSWORD_HASHER": FAST_HASHER})
    yield app, wp, accounts
    wp.db.dispose()


def test_main_path_on_postgresql(pg_app):
    app, wp, accounts = pg_app
    ours = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    theirs = wp.start_case("anderstad", "123456782", "Els Anders", "1975-02-03", at="2026-01-05T09:00")
    client = app.test_client()
    login(client, "kees")
    body = client.get("/inbox?weergave=team&zoek=jan&kolom=leeftijd").get_data(as_text=True)
    assert "Jan Jansen" in body and "Els Anders" not in body
    assert re.search(r'<td class="kolom-leeftijd"[^>]*>45</td>', body)
    assert client.get(f"/zaken/{theirs['id']}").status_code == 404
    task_id = ours["tasks"][0]["id"]
    token = page_csrf(client, f"/taken/{task_id}")
    assert client.post(f"/taken/{task_id}", data={"csrf_token": token, "crisis": "nee"}).status_code == 422
    done = client.post(f"/taken/{task_id}", data={"csrf_token": token, "crisis": "nee", "woonsituatie": "inwonend"})
    assert done.status_code == 302
    diagram = client.get(f"/zaken/{ours['id']}/diagram.json").get_json()
    assert diagram["completed"] == ["intake"]
    assert accounts.access_log(case_id=ours["id"])[0]["data_subject_id"] == accounts.pseudonymise("111222333")
    token_value = accounts.create_token("kees")["token"]
    api = client.get("/api/v1/taken?weergave=team", headers={"Authorization": f"Bearer {token_value}"}).get_json()
    assert api["totaal"] == 0 and api["aantallen"] == {"mijn": 0, "team": 0}


def test_account_trail_stays_one_chain_when_administrators_act_at_once(pg_app):
    """Eight threads grant roles at the same moment: the head row is locked by every writer,
    so the chain never forks and verifies; blocking per organisation works on PostgreSQL."""
    from concurrent.futures import ThreadPoolExecutor

    from engine.app.account_trail import verify_trail

    _app, wp, accounts = pg_app
    lanes = [f"lane_{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda lane: accounts.grant("kees", "anderstad", "consultant", lane, granted_by="bea"), lanes))
    result = verify_trail(wp.db)
    assert result["ok"], result
    assert result["records"] == 4 + 8  # two users created and granted in the fixture, then eight grants
    accounts.block("kees", "voorbeeldstad", actor="bea")
    assert accounts.authenticate("kees", PASSWORD).organisations == ["anderstad"]
    assert verify_trail(wp.db)["ok"]
