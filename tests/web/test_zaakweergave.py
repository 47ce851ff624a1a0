"""What people see on the case and task pages: deadlines in date order with *te laat*,
a readable case number instead of the hex id, no version hash, no trace id in the footer
(only on error pages), Dutch dates only."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from engine import clock

from .conftest import login, page_csrf


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_case_and_task_pages_speak_the_users_language(client, werkpad):
    now = clock.now()
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=5))
    werkpad.fire_due_timers(now)
    login(client, "kees")
    body = _text(client.get(f"/zaken/{case['id']}"))
    deadlines = body[body.index('class="termijnen"'):body.index("</ul>", body.index('class="termijnen"'))]
    assert "te laat" in deadlines
    assert re.search(r"Zaak \d{4}-\d{6}", body) and case["id"] not in body.split("<main", 1)[1].split("data-url")[0]
    assert werkpad.get_case(case["id"])["version"] not in body  # no version hash
    footer = body[body.index('<footer'):]
    assert not re.search(r"[0-9a-f]{32}", footer)  # no trace id on an ordinary page
    assert "Inkomensconsulent" in body and ">inkomensconsulent<" not in body
    task = werkpad.get_case(case["id"])["tasks"][0]
    page = _text(client.get(f"/taken/{task['id']}"))
    assert "te laat" in page.split("</h1>", 1)[1].split("</p>", 1)[0]
    assert not re.search(r">\s*\d{4}-\d{2}-\d{2}\s*<", page)  # no ISO dates shown
    missing = client.get("/zaken/bestaatniet")
    assert missing.status_code == 404 and re.search(r"[0-9a-f]{32}", _text(missing)[_text(missing).index("<footer"):])


def test_deadlines_are_sorted_by_date():
    from web.filters import termijnen

    tasks = [{"due": "2026-03-01T09:00:00+00:00", "name": "later"}, {"due": None, "name": "geen"}]
    timers = [{"due": "2026-02-01T09:00:00+00:00", "name": "eerder"}]
    assert [t["name"] for t in termijnen(tasks, timers)] == ["eerder", "later"]


def test_timeline_names_what_the_engine_cancelled_and_why(client, werkpad):
    now = clock.now()
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=5))
    open_task = werkpad.get_case(case["id"])["tasks"][0]
    werkpad.send_message(case["id"], "aanvraag_ingetrokken", {}, at=now - timedelta(days=1))
    login(client, "kees")
    body = _text(client.get(f"/zaken/{case['id']}"))
    timeline = body[body.index('class="tijdlijn"'):]
    timeline = html.unescape(timeline)
    assert (f"Taak '{open_task['name']}' vervallen: aanvraag ingetrokken: de zaak is beëindigd" in timeline
            or f"Taak '{open_task['name']}' vervallen: bericht 'Aanvraag ingetrokken' ontvangen" in timeline)
    assert "aanvraag_ingetrokken" not in timeline  # the message by its label, not its code


def test_a_timer_that_lapses_is_named_with_the_step_that_ended_it_in_the_reader_s_language(client, werkpad):
    now = clock.now()
    case = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=now - timedelta(days=5))
    intake = werkpad.get_case(case["id"])["tasks"][0]
    done = werkpad.complete_task(intake["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                                 at=now - timedelta(days=4))
    event = [e for e in werkpad.case_history(case["id"]) if e["type"] == "task_completed"][-1]
    timers = [c for c in event["payload"].get("cancelled", []) if c["kind"] == "timer"]
    assert timers, done  # the intake's reminder ended with the intake
    login(client, "kees")
    page = html.unescape(_text(client.get(f"/zaken/{case['id']}")))
    assert f"Termijn '{timers[0]['name']}' vervallen: taak '{intake['name']}' afgerond" in page
    client.post("/taal", data={"csrf_token": page_csrf(client, f"/zaken/{case['id']}"), "taal": "en"})
    page = html.unescape(_text(client.get(f"/zaken/{case['id']}")))
    assert f"Deadline '{timers[0]['name']}' lapsed: task '{intake['name']}' completed" in page


def test_team_overview_shows_places_and_waiting_lists(client, werkpad):
    from engine.app import capacity

    with werkpad.db.unit_of_work() as uow:
        capacity.store_limits(uow, "voorbeeldstad", {"wep": {"naam": "Werkervaringsplaats", "plaatsen": 3,
                                                             "per": None}})
        uow.commit()
    login(client, "tineke")
    body = _text(client.get("/overzicht"))
    section = body[body.index("Plaatsen en wachtlijsten"):]
    assert "Werkervaringsplaats" in section and "Niemand wacht." in section


def test_team_overview_shows_places_per_year_and_the_batches_per_partner(client, werkpad):
    from engine.app import capacity
    from engine.storage.capacity_models import CapacityUseRow

    year = str(clock.local_date().year)
    with werkpad.db.unit_of_work() as uow:
        capacity.store_limits(uow, "voorbeeldstad", {"traject": {
            "naam": "Re-integratietraject", "plaatsen": 900, "per": "jaar", "per_jaar": None, "batch": 50}})
        uow.session.add_all([CapacityUseRow(organisation="voorbeeldstad", instrument="traject", period=year,
                                            occupied=51),
                             CapacityUseRow(organisation="voorbeeldstad", instrument="traject",
                                            period=f"{year}/sagenn", occupied=51)])
        uow.commit()
    login(client, "tineke")
    body = _text(client.get("/overzicht"))
    section = body[body.index("Plaatsen en wachtlijsten"):]
    assert f"Re-integratietraject <span class=\"klein\">(per jaar, {year})</span>" in section
    assert "sagenn: 51 dit jaar, batch 2 van 50" in section
    assert ">900<" in section and ">51<" in section and ">849<" in section


def test_a_timer_at_midnight_shows_its_day_alone(app):
    """A deadline armed for the start of a day reads '20 dec 2026', not '20 dec 2026 00:00'; a timer
    at another moment keeps its time (Amsterdam time, also across the change to summer time)."""
    from web.filters import tijdstip

    with app.test_request_context():
        assert tijdstip("2026-12-19T23:00:00+00:00") == "20 dec 2026"  # midnight in Amsterdam (winter)
        assert tijdstip("2026-06-19T22:00:00+00:00") == "20 jun 2026"  # midnight in Amsterdam (summer)
        assert tijdstip("2026-12-20T08:30:00+00:00") == "20 dec 2026 09:30"
        assert tijdstip("2026-12-20T00:00:00+00:00") == "20 dec 2026 01:00"  # midnight UTC is not midnight here
        assert tijdstip(None) == ""
