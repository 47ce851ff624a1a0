"""The SpiffWorkflow wrapper on its own: no database. Every scenario runs straight
through and with a save/restore between steps, and both must agree."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from engine import clock
from engine.core.bsn import is_valid_bsn, mask_bsn, normalise_bsn
from engine.core.definitions import Bundle, discover
from engine.core.runtime import CaseRuntime, check_json_safe, parse_specs
from engine.errors import Conflict, DefinitionError, EngineError, ValidationError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def _bundle(key: str, processes: Path, forms: Path) -> Bundle:
    return discover(processes, forms, only=[key])[0]


@pytest.fixture(scope="module")
def voorbeeld() -> Bundle:
    return _bundle("voorbeeld", ROOT / "processes", ROOT / "forms")


@pytest.fixture(scope="module")
def lus() -> Bundle:
    return _bundle("lus", FIXTURES, FIXTURES / "forms_lus")


class Driver:
    """Runs a runtime, optionally serialising and restoring after every step."""

    def __init__(self, bundle: Bundle, restore: bool, data: dict, at: str) -> None:
        self.bundle, self.restore = bundle, restore
        self.spec, self.subs = bundle.specs()
        with clock.at(clock.to_utc(at)):
            self.rt = CaseRuntime.start(self.spec, self.subs, data)
        self._cycle()

    def _cycle(self) -> None:
        if self.restore:
            state = json.loads(json.dumps(self.rt.serialize()))
            self.rt = CaseRuntime.restore(state, self.spec, self.subs)

    def complete(self, spec: str, data: dict, at: str) -> None:
        with clock.at(clock.to_utc(at)):
            self.rt.complete_user_task(self.rt.find_user_task(spec, 0), data)
        self._cycle()

    def fire(self, at: str) -> list[str]:
        with clock.at(clock.to_utc(at)):
            fired = [t.spec for t in self.rt.fire_timers()]
        self._cycle()
        return fired

    def message(self, name: str, at: str, data: dict | None = None) -> bool:
        with clock.at(clock.to_utc(at)):
            ok = self.rt.deliver_message(name, data or {})
        self._cycle()
        return ok

    def task_specs(self) -> list[str]:
        return sorted(t.spec for t in self.rt.user_tasks())


def _jan_through_voorbeeld(bundle: Bundle, restore: bool) -> Driver:
    d = Driver(bundle, restore, {"leeftijd": 45}, "2026-01-05T09:00")
    assert d.task_specs() == ["intake"]
    assert d.rt.phase == "poort"
    d.complete("intake", {"crisis": False, "woonsituatie": "dakloos"}, "2026-01-06T10:00")
    assert d.rt.phase == "inspanningsperiode" and d.rt.status == "waiting"
    assert d.fire("2026-02-02T09:00") == []  # 28 days not yet over
    assert d.fire("2026-02-03T09:59") == []
    assert d.fire("2026-02-03T10:00") == ["inspanningsperiode"]  # due exactly now: fires
    d.complete("rechtmatigheid", {"recht_op_bijstand": True}, "2026-02-05T09:00")
    assert d.rt.phase == "diagnose"
    d.complete("diagnose", {"loonwaarde_pct": 55, "trede": 3}, "2026-02-10T09:00")
    assert d.rt.data()["route"] == "traject"
    assert d.rt.phase == "traject"
    evaluations = 0
    for month in ("2026-05-10", "2026-08-10", "2026-11-10"):
        assert d.fire(month + "T09:00") == ["evaluatiecyclus"]
        evaluations += 1
        d.complete("evaluatie", {"voortgang": "volgens_plan"}, month + "T10:00")
    assert evaluations == 3
    assert d.message("werk_gevonden", "2026-12-01T09:00", {"werkgever": "Bakkerij"})
    assert d.rt.phase == "nazorg"
    assert d.rt.data()["werk_gevonden"] == {"werkgever": "Bakkerij"}
    # werk gevonden at 09:00 on 1 December; each contact is logged at 09:00, so the next month starts then
    for month in ("2027-01-01", "2027-02-01", "2027-03-01"):
        assert d.fire(month + "T08:59") == []
        assert d.fire(month + "T09:00") == ["nazorg_maand"]
        d.complete("nazorgcontact", {"nog_aan_het_werk": True}, month + "T09:00")
    return d


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
def test_jan_reaches_the_end_event(voorbeeld, restore):
    d = _jan_through_voorbeeld(voorbeeld, restore)
    assert d.rt.status == "completed"
    assert d.rt.end_event == "einde_uitgestroomd"
    assert d.rt.phase == "nazorg"


def test_straight_and_restored_runs_agree(voorbeeld):
    a = _jan_through_voorbeeld(voorbeeld, False).rt.observe().fingerprint()
    b = _jan_through_voorbeeld(voorbeeld, True).rt.observe().fingerprint()
    assert a == b


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
def test_cycle_follows_calendar_months_from_the_31st(voorbeeld, restore):
    d = Driver(voorbeeld, restore, {}, "2025-10-01T09:00")
    d.complete("intake", {"crisis": False, "woonsituatie": "inwonend"}, "2025-10-01T09:30")
    d.fire("2025-10-29T09:30")
    d.complete("rechtmatigheid", {"recht_op_bijstand": True}, "2025-11-30T12:00")
    d.complete("diagnose", {"loonwaarde_pct": 40, "trede": 2}, "2025-11-30T12:00")
    dues = [t.due for t in d.rt.waiting_timers() if t.spec == "evaluatiecyclus"]
    # 30 November + 3 months = 28 February (clamped), not 30 Nov + 90 days (28 Feb by luck) — check the next ones
    assert dues[0].astimezone(clock.AMSTERDAM).date().isoformat() == "2026-02-28"
    d.fire("2026-02-28T12:00")
    dues = [t.due for t in d.rt.waiting_timers() if t.spec == "evaluatiecyclus"]
    # computed from the anchor: 30 Nov + 6 months = 30 May (a frozen 90-day period would give 29 May)
    assert dues[0].astimezone(clock.AMSTERDAM).date().isoformat() == "2026-05-30"


def test_reminder_timer_raises_escalation_and_task_due(voorbeeld):
    d = Driver(voorbeeld, True, {}, "2026-01-05T09:00")
    (intake,) = d.rt.user_tasks()
    assert intake.due == clock.to_utc("2026-01-08T09:00")
    assert d.fire("2026-01-08T09:00") == ["herinnering_intake"]
    assert d.task_specs() == ["escalatie_intake", "intake"]


def test_date_termijn_means_end_of_that_day(voorbeeld):
    d = Driver(voorbeeld, True, {}, "2026-04-01T09:00")
    d.complete("intake", {"crisis": False, "woonsituatie": "inwonend"}, "2026-04-01T09:30")
    d.fire("2026-04-29T09:30")  # Wednesday 29 April; 10 working days skip Koningsdag? no: it is before
    (task,) = d.rt.user_tasks()
    local = task.due.astimezone(clock.AMSTERDAM)
    # 10 working days after 29 April 2026 skip Bevrijdingsdag (5 May) and Hemelvaartsdag (14 May)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-05-15", 23, 59)


def test_completing_a_task_that_is_not_ready_is_refused(voorbeeld):
    d = Driver(voorbeeld, True, {}, "2026-01-05T09:00")
    (intake,) = d.rt.user_tasks()
    with clock.at(clock.to_utc("2026-01-05T10:00")):
        d.rt.complete_user_task(intake.id, {"crisis": True})
        with pytest.raises(Conflict):
            d.rt.complete_user_task(intake.id, {"crisis": True})


def test_message_not_waited_for_is_not_delivered(voorbeeld):
    d = Driver(voorbeeld, True, {}, "2026-01-05T09:00")
    assert d.message("werk_gevonden", "2026-01-05T10:00") is False
    assert d.task_specs() == ["intake"]


def test_withdrawal_caught_by_event_subprocess(voorbeeld):
    d = Driver(voorbeeld, True, {}, "2026-01-05T09:00")
    d.complete("intake", {"crisis": False, "woonsituatie": "dakloos"}, "2026-01-06T10:00")
    assert d.message("aanvraag_ingetrokken", "2026-01-20T10:00")
    assert d.rt.status == "withdrawn"
    assert d.rt.end_event == "einde_ingetrokken"
    assert d.rt.waiting_timers() == []


@pytest.mark.slow
def test_ten_thousand_loop_iterations_stay_small_and_end_properly(lus):
    d = Driver(lus, False, {"aantal": 10_000, "modus": "taak"}, "2026-01-01T09:00")
    sizes = []
    with clock.at(clock.to_utc("2026-01-02T09:00")):
        for i in range(10_000):
            (task,) = d.rt.user_tasks()
            assert d.rt.status == "running", f"stopped after {i} iterations"
            d.rt.complete_user_task(task.id, {})
            if i in (10, 5_000, 9_998):
                sizes.append(len(json.dumps(d.rt.serialize())))
    assert d.rt.status == "completed"
    assert d.rt.end_event == "einde"
    assert d.rt.data()["teller"] == 10_000
    assert max(sizes) - min(sizes) < 200, sizes  # the state does not grow with history


def test_restored_loop_keeps_going(lus):
    d = Driver(lus, True, {"aantal": 700, "modus": "taak"}, "2026-01-01T09:00")
    for _ in range(700):
        d.complete("contact", {}, "2026-01-02T09:00")
    assert d.rt.status == "completed" and d.rt.data()["teller"] == 700


def test_pruning_keeps_a_boundary_parent_intact(voorbeeld):
    d = Driver(voorbeeld, True, {}, "2026-01-05T09:00")
    for _ in range(3):
        d._cycle()
    assert d.task_specs() == ["intake"]
    assert [t.spec for t in d.rt.waiting_timers()] == ["herinnering_intake"]


def test_state_must_be_json_safe():
    with pytest.raises(ValidationError):
        check_json_safe({"d": datetime(2026, 1, 1)})
    with pytest.raises(ValidationError):
        check_json_safe({"x": {"typename": "BpmnWorkflow"}})
    with pytest.raises(ValidationError):
        check_json_safe({"x": float("nan")})
    check_json_safe({"a": [1, "b", None, True, {"c": 1.5}]})


def test_malformed_bpmn_is_refused_clearly():
    with pytest.raises(DefinitionError, match="geen geldige XML"):
        parse_specs({"x.bpmn": "<bpmn:definitions"}, "p")
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</definitions>')
    with pytest.raises(DefinitionError, match="DOCTYPE"):
        parse_specs({"x.bpmn": xxe}, "p")
    ok = (ROOT / "processes" / "voorbeeld" / "voorbeeld.bpmn").read_text()
    with pytest.raises(DefinitionError, match="het hoofdproces bestaat_niet staat in geen van de BPMN-bestanden .gevonden: voorbeeld_participatie."):
        parse_specs({"x.bpmn": ok}, "bestaat_niet")
    # there, but drawn as not executable: SpiffWorkflow leaves it out; said as what it is
    with pytest.raises(DefinitionError, match="proces 'Voorbeeldstad Participatiewet' .voorbeeld_participatie. in x.bpmn "
                                              "is als niet uitvoerbaar getekend, maar wordt wel uitgevoerd; zet in de "
                                              "modeler 'uitvoerbaar' aan"):
        parse_specs({"x.bpmn": ok.replace('isExecutable="true"', 'isExecutable="false"')}, "voorbeeld_participatie")
    # what the parser stops at is said in words naming the element, not in its English
    with pytest.raises(DefinitionError, match="^'Crisis\\?' \\(crisis_gw\\): een element van deze soort "
                                              "\\(complexGateway\\) kan Werkpad niet uitvoeren"):
        parse_specs({"x.bpmn": ok.replace('<bpmn:exclusiveGateway id="crisis_gw"', '<bpmn:complexGateway id="crisis_gw"')
                     .replace("</bpmn:exclusiveGateway>\n    <bpmn:sequenceFlow id=\"f_crisis\"",
                              "</bpmn:complexGateway>\n    <bpmn:sequenceFlow id=\"f_crisis\"", 1)},
                    "voorbeeld_participatie")


def test_script_with_forbidden_construct_fails_the_step(tmp_path):
    bpmn = (FIXTURES / "lus" / "lus.bpmn").read_text().replace("teller = 0", "teller = __import__('os').getpid()")
    with pytest.raises(EngineError):
        spec, subs = parse_specs({"lus.bpmn": bpmn}, "lus_proces")
        CaseRuntime.start(spec, subs, {"aantal": 1, "modus": "taak"})


@pytest.mark.parametrize("bsn,ok", [("111222333", True), ("123456782", True), ("000000000", False),
                                    ("123456789", False), ("12345678", False), ("abcdefghi", False)])
def test_bsn_elfproef(bsn, ok):
    assert is_valid_bsn(bsn) is ok


def test_bsn_helpers():
    assert normalise_bsn("1112.22.333") == "111222333"
    assert normalise_bsn("12345678") == "012345678"
    assert mask_bsn("111222333") == "******333"


DATE_TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="datum_proces" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="deadline" />
    <bpmn:intermediateCatchEvent id="deadline" name="Beslistermijn">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate>termijn_einde(aanvraagdatum, "P8W")</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="deadline" targetRef="einde" />
    <bpmn:endEvent id="einde"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
def test_date_timer_from_case_data_moves_past_the_weekend(restore):
    spec, subs = parse_specs({"d.bpmn": DATE_TIMER}, "datum_proces")
    bundle_like = type("B", (), {"specs": lambda self: (spec, subs)})()
    # 8 weeks after Saturday 2026-03-07 is Saturday 2026-05-02: the term ends Monday 4 May
    d = Driver(bundle_like, restore, {"aanvraagdatum": "2026-03-07"}, "2026-03-07T12:00")
    (timer,) = d.rt.waiting_timers()
    assert timer.kind == "datum"
    assert timer.due == clock.to_utc("2026-05-04T00:00")
    assert d.fire("2026-05-03T23:59") == []
    assert d.fire("2026-05-04T00:00") == ["deadline"]
    assert d.rt.status == "completed" and d.rt.end_event == "einde"


@pytest.fixture(scope="module")
def parallel() -> Bundle:
    return _bundle("parallel", FIXTURES, FIXTURES / "forms_lus")


@pytest.mark.parametrize("order", [("u1", "u2", "d_taak"), ("d_taak", "u2", "u1"), ("u2", "d_taak", "u1")])
@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
def test_three_way_join_and_call_activity_followed_by_automatic_steps(parallel, order, restore):
    d = Driver(parallel, restore, {}, "2026-01-05T09:00")
    assert d.task_specs() == ["d_taak", "u1", "u2"]
    assert d.rt.phase == "diagnose"
    for n, spec in enumerate(order):
        d.complete(spec, {}, f"2026-01-0{6 + n}T09:00")
        if n < 2:
            assert d.rt.status == "running"
    assert d.rt.status == "completed", d.rt.status
    assert d.rt.end_event == "einde"
    assert d.rt.data()["uitkomst_c"] == 42  # data from the call activity's branch reached the end


def test_a_timer_armed_after_its_due_time_fires_at_once_and_is_reported():
    spec, subs = parse_specs({"d.bpmn": DATE_TIMER}, "datum_proces")
    with clock.at(clock.to_utc("2026-06-01T12:00")):
        rt = CaseRuntime.start(spec, subs, {"aanvraagdatum": "2026-03-07"})
    assert rt.status == "completed"
    assert [(t.spec, t.kind, t.due) for t in rt.fired] == [("deadline", "datum", clock.to_utc("2026-05-04T00:00"))]


def _with_closing_task(text: str) -> str:
    """The example process with a user task inside its interrupting withdrawal subprocess."""
    return text.replace(
        '<bpmn:sequenceFlow id="f_ingetrokken" sourceRef="ingetrokken" targetRef="einde_ingetrokken" />',
        '<bpmn:sequenceFlow id="f_ingetrokken" sourceRef="ingetrokken" targetRef="afsluiten" />'
        '<bpmn:userTask id="afsluiten" name="Zaak afsluiten"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formulier" value="voorbeeld_escalatie" /></spiffworkflow:properties>'
        '</bpmn:extensionElements><bpmn:incoming>f_ingetrokken</bpmn:incoming>'
        '<bpmn:outgoing>f_afgesloten</bpmn:outgoing></bpmn:userTask>'
        '<bpmn:sequenceFlow id="f_afgesloten" sourceRef="afsluiten" targetRef="einde_ingetrokken" />',
    ).replace("<bpmn:incoming>f_ingetrokken</bpmn:incoming>\n        </bpmn:endEvent>",
              "<bpmn:incoming>f_afgesloten</bpmn:incoming>\n        </bpmn:endEvent>")


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
def test_interrupting_event_subprocess_with_its_own_task_ends_the_case_after_it(restore):
    folder = ROOT / "processes" / "voorbeeld"
    files = {"voorbeeld.bpmn": _with_closing_task((folder / "voorbeeld.bpmn").read_text()),
             "voorbeeld_route.dmn": (folder / "voorbeeld_route.dmn").read_text()}
    spec, subs = parse_specs(files, "voorbeeld_participatie")
    bundle_like = type("B", (), {"specs": lambda self: (spec, subs)})()
    d = Driver(bundle_like, restore, {}, "2026-01-05T09:00")
    d.complete("intake", {"crisis": False, "woonsituatie": "dakloos"}, "2026-01-06T10:00")
    assert d.message("aanvraag_ingetrokken", "2026-01-07T10:00")
    assert d.task_specs() == ["afsluiten"] and d.rt.waiting_timers() == []  # the main flow is gone
    assert d.rt.status == "running"
    d.complete("afsluiten", {"actie": "ingepland"}, "2026-01-07T11:00")
    assert d.rt.status == "withdrawn" and d.rt.end_event == "einde_ingetrokken"
    assert d.task_specs() == []


TWO_PLACES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:message id="M" name="post_ontvangen" />
  <bpmn:process id="twee_plekken" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route" />
    <bpmn:exclusiveGateway id="route" default="f_b"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f_a</bpmn:outgoing><bpmn:outgoing>f_b</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_a" sourceRef="route" targetRef="post_a">
      <bpmn:conditionExpression>weg == "a"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="route" targetRef="post_b" />
    <bpmn:intermediateCatchEvent id="post_a" name="Post voor a"><bpmn:incoming>f_a</bpmn:incoming>
      <bpmn:outgoing>f_ea</bpmn:outgoing><bpmn:messageEventDefinition messageRef="M" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="post_b" name="Post voor b"><bpmn:incoming>f_b</bpmn:incoming>
      <bpmn:outgoing>f_eb</bpmn:outgoing><bpmn:messageEventDefinition messageRef="M" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f_ea" sourceRef="post_a" targetRef="einde_a" />
    <bpmn:sequenceFlow id="f_eb" sourceRef="post_b" targetRef="einde_b" />
    <bpmn:endEvent id="einde_a"><bpmn:incoming>f_ea</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="einde_b"><bpmn:incoming>f_eb</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("weg,waits", [("a", "post_a"), ("b", "post_b")])
def test_the_element_that_waits_for_a_message_caught_at_two_places_is_known(weg, waits):
    """One message name, two places that catch it: the case knows which one it stands at, and the
    diagram marks that one (where the name alone marks none)."""
    from lxml import etree

    from engine.app.inbox import waiting_at

    spec, subs = parse_specs({"t.bpmn": TWO_PLACES}, "twee_plekken")
    rt = CaseRuntime.start(spec, subs, {"weg": weg})
    assert rt.waiting_messages() == ["post_ontvangen"]
    assert rt.waiting_message_places() == [waits]
    restored = CaseRuntime.restore(rt.serialize(), spec, subs)  # as the next request reads it back
    assert restored.waiting_message_places() == [waits]
    process = etree.fromstring(TWO_PLACES.encode()).find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    parsed = {"twee_plekken": (process, "")}
    assert waiting_at(parsed, [], ["post_ontvangen"], [waits]) == [waits]
    assert waiting_at(parsed, [], ["post_ontvangen"]) == []  # the name alone: cannot tell
    rt.deliver_message("post_ontvangen", {})
    assert rt.waiting_message_places() == [] and rt.status == "completed"
