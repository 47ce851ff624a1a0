"""Login, logout, sessions, CSRF, cookie flags and security headers."""
from __future__ import annotations

from datetime import timedelta

from engine import clock
from engine.app.accounts import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
from web.security import SESSION_COOKIE

from .conftest import FAST_HASHER, PASSWORD, csrf_from, login, page_csrf


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie else None


def test_inbox_requires_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?volgende=")


def test_login_sets_hardened_cookie_and_logout_ends_session(client, accounts):
    response = login(client, "kees")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    set_cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "=")][0]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    token = _session_cookie(client)
    assert client.get("/inbox").status_code == 200

    response = client.post("/uitloggen", data={"csrf_token": page_csrf(client)})
    assert response.status_code == 302
    # The old token is dead on the server, even if a browser replays it.
    client.set_cookie(SESSION_COOKIE, token)
    assert client.get("/inbox").status_code == 302
    assert accounts.load_session(token) is None


def test_secure_cookie_flag_is_configurable(werkpad, accounts):
    from web import create_app

    app = create_app(werkpad, config={"TESTING": True, "PSEUDONYM_SECRET": "x", "SESSION_COOKIE_SECURE": True,
                                          "PASSWORD_HASHER": FAST_HASHER})
    client = app.test_client()
    response = login(client, "kees")
    set_cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "=")][0]
    assert "Secure" in set_cookie


def test_wrong_password_and_unknown_user_are_refused_alike(client):
    bad = login(client, "kees", "verkeerd-wachtwoord")
    unknown = login(client, "niemand", PASSWORD)
    assert bad.status_code == unknown.status_code == 401
    assert _session_cookie(client) is None
    assert "klopt niet" in bad.get_data(as_text=True)


def test_session_id_is_regenerated_at_login(client, accounts):
    # An attacker plants a session id (fixation): a valid session of their own account.
    planted, _csrf = accounts.start_session(accounts.get_user("wendy")["id"])
    form_token = csrf_from(client.get("/inloggen").get_data(as_text=True))
    client.set_cookie(SESSION_COOKIE, planted)
    client.post("/inloggen", data={"gebruikersnaam": "kees", "wachtwoord": PASSWORD, "csrf_token": form_token})
    fresh = _session_cookie(client)
    assert fresh and fresh != planted
    assert accounts.load_session(planted) is None
    assert accounts.load_session(fresh).principal.username == "kees"


def test_login_post_without_csrf_is_refused(client):
    response = client.post("/inloggen", data={"gebruikersnaam": "kees", "wachtwoord": PASSWORD})
    assert response.status_code == 403
    assert _session_cookie(client) is None


def test_state_change_without_or_with_wrong_csrf_is_refused(client, cases, werkpad):
    login(client, "kees")
    task_id = cases["ours"]["tasks"][0]["id"]
    assert client.post(f"/taken/{task_id}/claimen").status_code == 403
    assert client.post(f"/taken/{task_id}/claimen", data={"csrf_token": "vervalst"}).status_code == 403
    assert client.post("/uitloggen").status_code == 403
    assert werkpad.get_task(task_id)["claimed_by"] is None
    good = client.post(f"/taken/{task_id}/claimen", data={"csrf_token": page_csrf(client)})
    assert good.status_code == 302
    assert werkpad.get_task(task_id)["claimed_by"] == "kees"


def test_csrf_token_in_header_is_accepted(client, cases, werkpad):
    login(client, "kees")
    task_id = cases["ours"]["tasks"][0]["id"]
    response = client.post(f"/taken/{task_id}/claimen", headers={"X-CSRF-Token": page_csrf(client)})
    assert response.status_code == 302
    assert werkpad.get_task(task_id)["claimed_by"] == "kees"


def test_get_never_changes_state(client, cases, werkpad):
    login(client, "kees")
    task_id = cases["ours"]["tasks"][0]["id"]
    assert client.get(f"/taken/{task_id}/claimen").status_code == 405
    assert client.get("/uitloggen").status_code == 405
    assert werkpad.get_task(task_id)["claimed_by"] is None


def test_blocking_ends_sessions_at_once_and_prevents_login(client, accounts):
    login(client, "kees")
    assert client.get("/inbox").status_code == 200
    accounts.block("kees")
    assert client.get("/inbox").status_code == 302
    assert login(client, "kees").status_code == 401
    accounts.unblock("kees")
    assert login(client, "kees").status_code == 302


def test_idle_and_absolute_timeouts(accounts):
    user_id = accounts.get_user("kees")["id"]
    start = clock.to_utc("2026-03-02T09:00")
    with clock.at(start):
        token, _ = accounts.start_session(user_id)
    with clock.at(start + IDLE_TIMEOUT - timedelta(minutes=1)):
        assert accounts.load_session(token) is not None  # activity moves the idle deadline
    with clock.at(start + 2 * IDLE_TIMEOUT - timedelta(minutes=3)):
        assert accounts.load_session(token) is not None
    with clock.at(start + 3 * IDLE_TIMEOUT):
        assert accounts.load_session(token) is None  # idle too long
    with clock.at(start):
        token, _ = accounts.start_session(user_id)
    moment = start
    while moment < start + ABSOLUTE_TIMEOUT - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        with clock.at(moment):
            assert accounts.load_session(token) is not None
    with clock.at(start + ABSOLUTE_TIMEOUT + timedelta(minutes=1)):
        assert accounts.load_session(token) is None  # 12 hours after login, however active


def test_security_headers(client):
    response = client.get("/inloggen")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "onclick" not in html


def test_open_redirect_after_login_is_refused(app):
    for target in ("https://kwaad.example/", "//kwaad.example/", "/\\kwaad.example", "/\t/kwaad.example",
                   "javascript:alert(1)"):
        client = app.test_client()
        token = csrf_from(client.get("/inloggen").get_data(as_text=True))
        response = client.post("/inloggen", data={"gebruikersnaam": "kees", "wachtwoord": PASSWORD,
                                                   "csrf_token": token, "volgende": target})
        assert response.headers["Location"] == "/inbox", target


def test_passwords_are_hashed_with_argon2(accounts, werkpad):
    from sqlalchemy import select

    from engine.storage.accounts_models import UserRow

    with werkpad.db.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(UserRow.password_hash).where(UserRow.username == "kees"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_pauses_after_repeated_wrong_passwords(accounts):
    start = clock.to_utc("2026-03-02T09:00")
    with clock.at(start):
        for _ in range(5):
            assert accounts.authenticate("kees", "fout-fout-fout") is None
        assert accounts.authenticate("kees", PASSWORD) is None  # paused, even with the right password
    with clock.at(start + timedelta(minutes=16)):
        assert accounts.authenticate("kees", PASSWORD) is not None  # the pause is over
        assert accounts.authenticate("kees", "fout-fout-fout") is None
        assert accounts.authenticate("kees", PASSWORD) is not None  # one mistake does not pause
