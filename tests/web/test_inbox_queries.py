"""engine.app.inbox on SQLite and PostgreSQL: scoping, views, filters, case data columns, overview."""
from __future__ import annotations

from datetime import timedelta

from engine import clock
from engine.app.accounts import Membership, Principal
from engine.app.inbox import Inbox, InboxQuery, Scope, due_mark


def _through_diagnose(wp, bsn: str, name: str, loonwaarde: int, trede: int) -> dict:
    case = wp.start_case("voorbeeldstad", bsn, name, "1980-05-01", at="2026-01-05T09:00")
    wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "zelfstandig"},
                     at="2026-01-06T10:00")
    wp.fire_due_timers("2026-02-04")
    task = wp.get_case(case["id"])["tasks"][0]
    wp.complete_task(task["id"], "kees", {"recht_op_bijstand": True}, at="2026-02-05T10:00")
    task = wp.get_case(case["id"])["tasks"][0]
    return wp.complete_task(task["id"], "wendy", {"loonwaarde_pct": loonwaarde, "trede": trede},
                            at="2026-02-06T10:00")


def test_views_scoping_filters_and_case_data_columns(wp):
    _through_diagnose(wp, "111222333", "Jan Jansen", 55, 4)
    _through_diagnose(wp, "123456782", "Els de Wit", 60, 6)
    fresh = wp.start_case("voorbeeldstad", "100000010", "Piet Puk", "1990-01-01", at="2026-02-06T09:00")
    inbox = Inbox(wp)
    wendy = Principal(2, "wendy", "Wendy", [Membership("voorbeeldstad", "consultant", "werkconsulent")])
    page = inbox.tasks(Scope.of(wendy), InboxQuery(view="team", columns=["trede", "loonwaarde_pct", "x;drop"]),
                       now=clock.to_utc("2026-02-07"))
    assert page["columns"] == ["trede", "loonwaarde_pct"]
    assert sorted((r["client"], r["data"]["trede"], r["data"]["loonwaarde_pct"]) for r in page["items"]) == [
        ("Els de Wit", 6, 60), ("Jan Jansen", 4, 55)]
    assert all(r["spec"] == "traject" and r["bsn_masked"].startswith("******") for r in page["items"])
    kees = Principal(1, "kees", "Kees", [Membership("voorbeeldstad", "consultant", "inkomensconsulent")])
    team = inbox.tasks(Scope.of(kees), InboxQuery(view="team"), now=clock.to_utc("2026-02-07"))
    assert [r["case"] for r in team["items"]] == [fresh["id"]]
    assert team["items"][0]["mark"] == "deze_week"
    assert inbox.tasks(Scope.of(kees), InboxQuery(view="team", search="puk"))["total"] == 1
    assert inbox.tasks(Scope.of(kees), InboxQuery(view="team", search="100 000 010"))["total"] == 1
    assert inbox.tasks(Scope.of(kees), InboxQuery(view="team", search="%"))["total"] == 0
    stranger = Principal(3, "anna", "Anna", [Membership("elders", "teamleider")])
    assert inbox.tasks(Scope.of(stranger), InboxQuery(view="alle"))["total"] == 0
    assert inbox.counts(Scope.of(stranger)) == {"mijn": 0, "team": 0}
    designer = Principal(4, "piet", "Piet", [Membership("voorbeeldstad", "process_designer")])
    assert inbox.tasks(Scope.of(designer), InboxQuery(view="alle"))["total"] == 0
    overview = inbox.overview(["voorbeeldstad"], now=clock.to_utc("2026-02-07"))["voorbeeldstad"]
    assert overview["open"] == 3
    assert {row["lane"]: row["open"] for row in overview["lanes"]} == {"inkomensconsulent": 1, "werkconsulent": 2}
    assert {row["phase"]: row["cases"] for row in overview["phases"]} == {"poort": 1, "traject": 2}


def test_due_marks():
    now = clock.to_utc("2026-03-02T12:00")
    assert due_mark(None, now) is None
    assert due_mark(now - timedelta(minutes=1), now) == "te_laat"
    assert due_mark(now + timedelta(days=6), now) == "deze_week"
    assert due_mark(now + timedelta(days=8), now) is None


def test_counting_stops_at_the_limit(wp, monkeypatch):
    import engine.app.inbox

    monkeypatch.setattr(engine.app.inbox, "COUNT_LIMIT", 3)
    for bsn in ("111222333", "123456782", "100000010", "100000022", "100000034"):
        wp.start_case("voorbeeldstad", bsn, "Klant", "1980-01-01", at="2026-01-05T09:00")
    kees = Principal(1, "kees", "Kees", [Membership("voorbeeldstad", "consultant", "inkomensconsulent")])
    page = Inbox(wp).tasks(Scope.of(kees), InboxQuery(view="team", per_page=2))
    assert (page["total"], page["total_exact"], page["has_next"]) == (3, False, True)
    assert page["counts"]["team"] == 3 and page["counts_exact"]["team"] is False
    last = Inbox(wp).tasks(Scope.of(kees), InboxQuery(view="team", per_page=2, page=3))
    assert len(last["items"]) == 1 and last["has_next"] is False
    exact = Inbox(wp).tasks(Scope.of(kees), InboxQuery(view="team", search="klant", per_page=10))
    assert exact["total"] == 3 and len(exact["items"]) == 5  # the page itself is never cut short


def test_diagram_marks_the_visible_element_around_nested_tasks():
    from engine.app.inbox import _visible_elements

    ns = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    main = f"""<bpmn:definitions {ns}><bpmn:process id="hoofd">
      <bpmn:userTask id="intake"/>
      <bpmn:callActivity id="aanvraag" calledElement="gedeeld"/>
      <bpmn:subProcess id="sub"><bpmn:userTask id="binnen"/></bpmn:subProcess>
    </bpmn:process></bpmn:definitions>"""
    shared = f"""<bpmn:definitions {ns}><bpmn:process id="gedeeld">
      <bpmn:userTask id="besluit"/><bpmn:callActivity id="dieper" calledElement="nog_dieper"/>
    </bpmn:process><bpmn:process id="nog_dieper"><bpmn:userTask id="diepst"/></bpmn:process></bpmn:definitions>"""
    entity = """<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"""
    visible = _visible_elements({"hoofd.bpmn": main, "gedeeld/g.bpmn": shared, "kwaad.bpmn": entity}, "hoofd")
    assert visible["intake"] == "intake" and visible["binnen"] == "sub"
    assert visible["besluit"] == visible["dieper"] == visible["diepst"] == "aanvraag"
