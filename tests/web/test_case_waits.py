"""Where a case stands while nobody can act: at a timer (the four weeks of searching) or at a message
it waits for (the stukken after an opschorting, Awb 4:15). Its diagram marks that step as current on the
case page, inside the shared aanvraag it opens on click, and on the auditor's page of that moment."""
from __future__ import annotations

from .test_verdaging import werkkom  # noqa: F401 - fixture: Werk.Kom, its teamleider and auditor

__all__ = ["werkkom"]


def test_a_case_waiting_for_the_stukken_stands_at_that_message(werkkom):  # noqa: F811
    wp, client = werkkom
    case = wp.start_case("weert", "111222333", "Jan", "1980-05-01")
    before = client.get(f"/zaken/{case['id']}/diagram.json").get_json()
    assert before["called"]["gedeeld_aanvraag"]["current"] == ["besluit_aanvraag"]
    wp.send_message(case["id"], "opschorting", user="kees")  # the besluit waits for missing papers
    after = client.get(f"/zaken/{case['id']}/diagram.json").get_json()
    inside = after["called"]["gedeeld_aanvraag"]["current"]
    assert inside == ["stukken_ontvangen"], inside  # the message it waits for, not the besluit it left
    assert "aanvraag" in after["current"]  # on the main diagram: the shared aanvraag it is inside
    events = wp.case_history(case["id"])
    moment = client.get(f"/audit/zaken/{case['id']}/moment/{len(events)}/diagram.json").get_json()
    assert "aanvraag" in moment["current"]
    wp.send_message(case["id"], "stukken_ontvangen", user="kees")
    again = client.get(f"/zaken/{case['id']}/diagram.json").get_json()
    assert again["called"]["gedeeld_aanvraag"]["current"] == ["besluit_aanvraag"]


def test_a_message_several_places_can_catch_marks_none_of_them():
    """A message name two catch events share cannot tell which one the case waits at: neither is marked."""
    from lxml import etree

    from engine.app.inbox import waiting_at

    bpmn = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
      <message id="M" name="post"/>
      <process id="p">
        <intermediateCatchEvent id="a"><messageEventDefinition messageRef="M"/></intermediateCatchEvent>
        <intermediateCatchEvent id="b"><messageEventDefinition messageRef="M"/></intermediateCatchEvent>
        <intermediateCatchEvent id="c"><timerEventDefinition/></intermediateCatchEvent>
        <boundaryEvent id="d" attachedToRef="x"><timerEventDefinition/></boundaryEvent>
      </process></definitions>"""
    process = etree.fromstring(bpmn).find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    parsed = {"p": (process, "")}
    assert waiting_at(parsed, ["c", "d"], ["post"]) == ["c"]  # the timer step; not the edge timer, not 'post'
    assert waiting_at(parsed, [], []) == []


def test_a_case_at_one_of_two_places_that_catch_one_message_is_marked_there(tmp_path):
    """Stored with each step: which element waits for the message. The case page's diagram marks the
    place the case took (the name alone could not tell), on SQLite as deployed through the engine."""
    import json

    from engine import Werkpad
    from engine.app.inbox import Inbox, Scope
    from tests.unit.test_runtime import TWO_PLACES

    folder = tmp_path / "processes" / "tweeplekken"
    folder.mkdir(parents=True)
    (folder / "proces.json").write_text(json.dumps({
        "sleutel": "tweeplekken", "naam": "Twee plekken", "organisatie": "poststad", "gemeenten": ["poststad"],
        "proces": "twee_plekken", "geldig_vanaf": "2020-01-01", "startgegevens": ["weg"]}), encoding="utf-8")
    (folder / "t.bpmn").write_text(TWO_PLACES, encoding="utf-8")
    (tmp_path / "processes" / "berichten.json").write_text(json.dumps(
        {"berichten": {"post_ontvangen": {"omschrijving": "De gevraagde post is binnen."}}}), encoding="utf-8")
    (tmp_path / "forms").mkdir()
    wp = Werkpad(f"sqlite:///{tmp_path / 'w.sqlite'}", processes_dir=tmp_path / "processes", forms_dir=tmp_path / "forms")
    wp.upgrade_db()
    wp.deploy()
    try:
        scope = Scope("kees", ["poststad"])
        for weg in ("a", "b"):
            case = wp.start_case("poststad", "111222333", "Jan", "1980-05-01", data={"weg": weg})
            assert Inbox(wp).diagram(scope, case["id"])["current"] == [f"post_{weg}"]
    finally:
        wp.db.dispose()
