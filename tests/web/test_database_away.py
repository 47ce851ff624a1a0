"""While the database is away (a restart, a dropped connection) the app answers 503 with
Retry-After, not 500: nothing was acknowledged and the client may simply try again."""
from __future__ import annotations

from sqlalchemy.exc import OperationalError


def test_database_away_is_503_with_retry_after(app, werkpad, accounts, monkeypatch):
    token = accounts.create_token("kees", "test")["token"]
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")

    def away(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(type(werkpad), "get_case", away)
    response = app.test_client().get(f"/api/v1/zaken/{case['id']}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["fout"] == "niet_beschikbaar"


def test_database_away_after_the_view_is_503_too(app, werkpad, accounts, monkeypatch):
    """The access log is written after the view; if the database goes away just then, still 503."""
    from engine.app.accounts import Accounts

    token = accounts.create_token("kees", "test")["token"]
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan", "1980-01-01")

    def away(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(Accounts, "log_access", away)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: not re-raised to the test client
    response = app.test_client().get(f"/api/v1/zaken/{case['id']}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
