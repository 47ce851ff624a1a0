"""The shared subprocesses in processes/gedeeld/, driven through a tiny test process.

The test process (written to a temporary processes folder next to a copy of
processes/gedeeld/) routes on ``test_route`` to a call activity of each shared
subprocess; the forms come from the real forms/ folder.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine import Werkpad

ROOT = Path(__file__).resolve().parents[2]
SUBPROCESSEN = {
    "gedeeld_aanvraag": "poort",
    "gedeeld_loonwaardemeting": "diagnose",
    "gedeeld_doelgroepregister": "traject",
    "gedeeld_beschut_werk_advies": "traject",
    "gedeeld_nazorg": "nazorg",
    "gedeeld_bezwaar": "traject",
    "gedeeld_maatregel": "traject",
    "gedeeld_ontheffing_alleenstaande_ouder": "traject",
}
BSN = "111222333"


def _testproces_bpmn() -> str:
    nodes, flows = [], []
    for sub, fase in SUBPROCESSEN.items():
        nodes.append(
            f'<bpmn:callActivity id="roep_{sub}" name="{sub}" calledElement="{sub}">'
            '<bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="fase" value="{fase}" />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:callActivity>'
            f'<bpmn:endEvent id="einde_{sub}" name="Klaar na {sub}" />')
        flows.append(f'<bpmn:sequenceFlow id="f_naar_{sub}" sourceRef="route_gw" targetRef="roep_{sub}">'
                     f'<bpmn:conditionExpression>test_route == "{sub}"</bpmn:conditionExpression>'
                     '</bpmn:sequenceFlow>'
                     f'<bpmn:sequenceFlow id="f_na_{sub}" sourceRef="roep_{sub}" targetRef="einde_{sub}" />')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="gedeeld_test_def"
    targetNamespace="https://werkpad.nl/bpmn/gedeeld_test">
  <bpmn:message id="Bericht_ingetrokken" name="aanvraag_ingetrokken" />
  <bpmn:process id="gedeeld_test" name="Testproces gedeelde subprocessen" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_ik" name="inkomensconsulent">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="Start" />
    <bpmn:exclusiveGateway id="route_gw" name="Welk subproces?" default="f_onbekend" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="route_gw" />
    <bpmn:sequenceFlow id="f_onbekend" sourceRef="route_gw" targetRef="einde_onbekend" />
    <bpmn:endEvent id="einde_onbekend" name="Onbekende route" />
    {''.join(nodes)}
    {''.join(flows)}
    <bpmn:subProcess id="intrekking" name="Aanvraag ingetrokken" triggeredByEvent="true">
      <bpmn:startEvent id="ingetrokken" name="Aanvraag ingetrokken" isInterrupting="true">
        <bpmn:messageEventDefinition messageRef="Bericht_ingetrokken" />
      </bpmn:startEvent>
      <bpmn:endEvent id="einde_ingetrokken" name="Ingetrokken">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="status" value="withdrawn" />
        </spiffworkflow:properties></bpmn:extensionElements>
      </bpmn:endEvent>
      <bpmn:sequenceFlow id="f_ingetrokken" sourceRef="ingetrokken" targetRef="einde_ingetrokken" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def procesmap(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gedeeld") / "processes"
    shutil.copytree(ROOT / "processes" / "gedeeld", root / "gedeeld")
    (root / "gedeeld_test").mkdir()
    (root / "gedeeld_test" / "gedeeld_test.bpmn").write_text(_testproces_bpmn(), encoding="utf-8")
    manifest = {"sleutel": "gedeeld_test", "naam": "Test gedeelde subprocessen", "organisatie": "test",
                "gemeenten": {"teststad": {}, "langestad": {"nazorg_maanden": 5}},
                "proces": "gedeeld_test", "geldig_vanaf": "2020-01-01",
                "startgegevens": {"test_route": "welk gedeeld subproces de test aanroept"}}
    (root / "gedeeld_test" / "proces.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


@pytest.fixture
def wp(procesmap, tmp_path) -> Werkpad:
    engine = Werkpad(f"sqlite:///{tmp_path / 'gedeeld.sqlite'}", processes_dir=procesmap,
                     forms_dir=ROOT / "forms")
    engine.upgrade_db()
    engine.deploy()
    yield engine
    engine.db.dispose()


# ------------------------------------------------------------------ helpers
def start(wp, route, geboren="1980-05-01", at="2026-01-05T09:00", gemeente="teststad"):
    return wp.start_case(gemeente, BSN, "Jan", geboren, data={"test_route": route}, at=at)


def specs(case) -> list[str]:
    return sorted(t["spec"] for t in case["tasks"])


def doe(wp, case, spec, data, at, user="kees"):
    matching = [t for t in wp.get_case(case["id"])["tasks"] if t["spec"] == spec]
    assert matching, f"taak {spec} staat niet open; open: {specs(wp.get_case(case['id']))}"
    return wp.complete_task(matching[0]["id"], user, data, at=at)


def timers(case) -> dict[str, str]:
    return {t["spec"]: t["due"] for t in case["timers"]}


def afgeronde_taken(wp, case) -> list[str]:
    return [e["payload"]["task"]["spec"] for e in wp.case_history(case["id"]) if e["type"] == "task_completed"]


def gevuurde_timers(wp, case) -> list[tuple[str, str]]:
    return [(t["spec"], e["at"][:10]) for e in wp.case_history(case["id"]) if e["type"] == "timer_fired"
            for t in e["payload"]["timers"]]


def replay_klopt(wp, case) -> None:
    result = wp.replay_case(case["id"])
    assert result["match"] is True, result


# ------------------------------------------------------------------ gedeeld_aanvraag
def test_volwassene_gaat_direct_door_naar_het_besluit(wp):
    case = start(wp, "gedeeld_aanvraag")
    assert specs(case) == ["besluit_aanvraag"]
    assert case["phase"] == "poort"
    data = case["data"]
    assert data["aanvraagdatum"] == "2026-01-05"
    assert data["beslisdatum"] == "2026-03-02"
    assert data["opgeschorte_dagen"] == 0
    assert "zoektermijn_jongeren" not in timers(case)
    besluit = case["tasks"][0]
    assert besluit["lane"] == "inkomensconsulent"
    assert besluit["due"].startswith("2026-03-02")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_gedeeld_aanvraag"
    assert case["data"]["recht_op_bijstand"] is True
    assert "voorschot_verstrekken" not in afgeronde_taken(wp, case)
    assert gevuurde_timers(wp, case) == []
    replay_klopt(wp, case)


def test_jongere_wacht_vier_weken_na_de_melding(wp):
    case = start(wp, "gedeeld_aanvraag", geboren="2001-06-01")  # 24 jaar
    assert case["data"]["leeftijd"] == 24
    assert case["tasks"] == []
    assert case["phase"] == "inspanningsperiode"
    assert case["status"] == "waiting"
    assert timers(case)["zoektermijn_jongeren"].startswith("2026-02-01T23:00")  # 2 februari 00:00 Amsterdam
    assert "aanvraagdatum" not in case["data"]
    # one day before the four weeks end, nothing can happen yet
    assert wp.fire_due_timers("2026-02-01T22:00+00:00") == []
    assert wp.get_case(case["id"])["tasks"] == []
    fired = wp.fire_due_timers("2026-02-02T12:00")
    assert [f["timers"] for f in fired] == [["Vier weken zoektermijn jongeren (Pw art. 41 lid 4)"]]
    case = wp.get_case(case["id"])
    # the aanvraag is not filed automatically on day 28: the consultant records when it really came in
    assert specs(case) == ["aanvraag_jongere"]
    assert case["tasks"][0]["lane"] == "inkomensconsulent"
    assert case["phase"] == "poort"
    assert "aanvraagdatum" not in case["data"]
    # the youth filed two weeks later than he could have, on 16 February
    case = doe(wp, case, "aanvraag_jongere", {"aanvraagdatum": "2026-02-16"}, "2026-02-17T10:00")
    assert specs(case) == ["besluit_aanvraag"]
    assert case["data"]["aanvraagdatum"] == "2026-02-16"
    assert case["data"]["beslisdatum"] == "2026-04-13"  # 8 weken na 16 februari
    assert case["data"]["voorschotdatum"] == "2026-03-16"
    assert timers(case)["beslistermijn_verstreken"].startswith("2026-04-13T22:00")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": False}, "2026-02-20T10:00")
    assert case["status"] == "completed"
    assert case["data"]["recht_op_bijstand"] is False
    assert gevuurde_timers(wp, case) == [("zoektermijn_jongeren", "2026-02-01")]
    assert afgeronde_taken(wp, case) == ["aanvraag_jongere", "besluit_aanvraag"]
    replay_klopt(wp, case)


def start_met_voorbereiding(wp, at="2026-01-05T09:00"):
    return wp.start_case("teststad", BSN, "Jan", "1980-05-01",
                         data={"test_route": "gedeeld_aanvraag", "besluit_na_voorbereiding": True}, at=at)


def test_besluit_wacht_op_de_voorbereiding_terwijl_termijnen_lopen(wp):
    case = start_met_voorbereiding(wp)
    # no decision task yet: the caller's preparatory steps come first; the terms run from the aanvraag
    assert case["tasks"] == []
    assert case["data"]["beslisdatum"] == "2026-03-02"
    assert "voorbereiding_gereed" in case["waiting_for_messages"]
    assert timers(case)["voorbereiding_voorschot"].startswith("2026-02-01T23:00")
    fired = wp.fire_due_timers("2026-02-02T09:00")
    assert [f["timers"] for f in fired] == [["Elke vier weken zonder besluit: voorschot (Pw art. 52)"]]
    case = doe(wp, wp.get_case(case["id"]), "voorschot_verstrekken", {"voorschot_verstrekt": True},
               "2026-02-02T10:00")
    assert case["tasks"] == []
    # the preparation ends: now the decision can be taken, with the same deadline
    case = wp.send_message(case["id"], "voorbereiding_gereed", {}, at="2026-02-10T10:00")
    assert specs(case) == ["besluit_aanvraag"]
    assert case["tasks"][0]["due"].startswith("2026-03-02")
    assert case["data"]["voorschotdatum"] == "2026-03-02"  # the voorschot of 2 February is not repeated
    assert timers(case)["voorschot_termijn"].startswith("2026-03-01T23:00")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-02-11T10:00")
    assert case["status"] == "completed"
    assert afgeronde_taken(wp, case) == ["voorschot_verstrekken", "besluit_aanvraag"]
    replay_klopt(wp, case)


def test_opschorting_tijdens_de_voorbereiding(wp):
    case = start_met_voorbereiding(wp)
    case = wp.send_message(case["id"], "opschorting", {}, at="2026-01-12T10:00")
    # the preparation ends while the term is suspended: remembered, the decision follows the papers
    case = wp.send_message(case["id"], "voorbereiding_gereed", {}, at="2026-01-15T10:00")
    assert case["tasks"] == []
    case = wp.send_message(case["id"], "stukken_ontvangen", {}, at="2026-01-22T10:00")
    assert case["data"]["opgeschorte_dagen"] == 10
    assert specs(case) == ["besluit_aanvraag"]
    assert case["tasks"][0]["due"].startswith("2026-03-12")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-23T10:00")
    assert case["status"] == "completed"
    replay_klopt(wp, case)


def test_beslistermijn_verstrijkt_tijdens_de_voorbereiding(wp):
    case = start_met_voorbereiding(wp)
    wp.fire_due_timers("2026-03-03T09:00")
    case = wp.get_case(case["id"])
    assert "escalatie_beslistermijn" in specs(case)
    assert [t for t in case["tasks"] if t["spec"] == "escalatie_beslistermijn"][0]["lane"] == "teamleider"
    case = doe(wp, case, "escalatie_beslistermijn", {"actie": "opgepakt"}, "2026-03-03T10:00")
    # the preparation ends after the term: no second escalation at once, a reminder a week later
    case = wp.send_message(case["id"], "voorbereiding_gereed", {}, at="2026-03-05T10:00")
    assert "escalatie_beslistermijn" not in specs(case)
    assert timers(case)["beslistermijn_verstreken"].startswith("2026-03-11T23:00")  # 12 maart 0:00
    wp.fire_due_timers("2026-03-12T09:00")
    assert "escalatie_beslistermijn" in specs(wp.get_case(case["id"]))
    replay_klopt(wp, case)


def test_intrekking_tijdens_de_zoektermijn_beeindigt_de_zaak(wp):
    case = start(wp, "gedeeld_aanvraag", geboren="2003-03-03")
    case = wp.send_message(case["id"], "aanvraag_ingetrokken", {}, at="2026-01-12T09:00")
    assert case["status"] == "withdrawn"
    assert case["timers"] == [] and case["tasks"] == []
    assert wp.fire_due_timers("2026-06-01") == []
    replay_klopt(wp, case)


def test_besluit_laat_een_openstaand_voorschot_vervallen(wp):
    case = start(wp, "gedeeld_aanvraag")
    wp.fire_due_timers("2026-02-03T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["besluit_aanvraag", "voorschot_verstrekken"]
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-02-03T10:00")
    assert case["status"] == "completed"
    assert case["tasks"] == [] and case["timers"] == []
    replay_klopt(wp, case)


def geannuleerd(wp, case) -> list[tuple[str, str, str, str]]:
    """(event type, kind, spec, reason) of everything the engine cancelled, from the history."""
    return [(e["type"], c["kind"], c["spec"], c["reason"]) for e in wp.case_history(case["id"])
            for c in e["payload"].get("cancelled", [])]


def test_een_vervallen_voorschot_staat_met_reden_in_de_geschiedenis(wp):
    case = start(wp, "gedeeld_aanvraag")
    wp.fire_due_timers("2026-02-09T09:00")  # the voorschot of 2 February is overdue now
    case = wp.get_case(case["id"])
    voorschot = [t for t in case["tasks"] if t["spec"] == "voorschot_verstrekken"][0]
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-02-09T10:00")
    assert case["status"] == "completed"
    laatste = wp.case_history(case["id"])[-1]
    assert laatste["type"] == "task_completed"
    vervallen = {c["spec"]: c for c in laatste["payload"]["cancelled"]}
    assert vervallen["voorschot_verstrekken"]["kind"] == "taak"
    assert vervallen["voorschot_verstrekken"]["id"] == voorschot["id"]
    assert vervallen["voorschot_verstrekken"]["reason"] == "taak 'Besluit op aanvraag' afgerond"
    # the boundary timers of the decision task went with it, each named
    assert {"beslistermijn_verstreken", "voorschot_termijn"} <= set(vervallen)
    assert all(c["kind"] == "timer" for s, c in vervallen.items() if s != "voorschot_verstrekken")
    # the task index says cancelled, not completed
    assert [t["status"] for t in wp.list_tasks(case_id=case["id"], status="cancelled", with_form=False)] \
        == ["cancelled"]
    replay_klopt(wp, case)


def test_opschorting_annuleert_het_openstaande_voorschot_met_reden(wp):
    case = start(wp, "gedeeld_aanvraag")
    wp.fire_due_timers("2026-02-09T09:00")
    case = wp.send_message(case["id"], "opschorting", {"reden": "bankafschriften"}, user="kees",
                           at="2026-02-09T10:00")
    assert case["tasks"] == []
    assert ("message_received", "taak", "voorschot_verstrekken", "bericht 'opschorting' ontvangen") \
        in geannuleerd(wp, case)
    assert ("message_received", "taak", "besluit_aanvraag", "bericht 'opschorting' ontvangen") \
        in geannuleerd(wp, case)
    # a timer that fires is not cancelled: the fired voorschot timer is not in the list
    assert not [g for g in geannuleerd(wp, case) if g[0] == "timer_fired" and g[2] == "voorschot_termijn"]
    case = wp.send_message(case["id"], "stukken_ontvangen", {}, at="2026-02-10T09:00")
    # the withdrawal cancels what is open then, with its own reason
    case = wp.send_message(case["id"], "aanvraag_ingetrokken", {}, at="2026-02-11T09:00")
    assert case["status"] == "withdrawn"
    assert ("message_received", "taak", "besluit_aanvraag", "bericht 'aanvraag_ingetrokken' ontvangen") \
        in geannuleerd(wp, case)
    replay_klopt(wp, case)


def test_beslistermijn_schuift_naar_de_volgende_werkdag(wp):
    # 9 februari 2026 + 8 weken = maandag 6 april 2026, tweede paasdag -> dinsdag 7 april
    case = start(wp, "gedeeld_aanvraag", at="2026-02-09T09:00")
    assert case["data"]["beslisdatum"] == "2026-04-07"
    assert case["tasks"][0]["due"].startswith("2026-04-07")
    assert timers(case)["beslistermijn_verstreken"].startswith("2026-04-07T22:00")  # 8 april 00:00 (zomertijd)
    # a Saturday: melding on Saturday 3 January 2026 -> 28 February is a Saturday -> Monday 2 March
    zaterdag = start(wp, "gedeeld_aanvraag", at="2026-01-03T11:00")
    assert zaterdag["data"]["beslisdatum"] == "2026-03-02"
    # nothing escalates on the holiday itself
    wp.fire_due_timers("2026-04-07T12:00")
    case = wp.get_case(case["id"])
    assert "escalatie_beslistermijn" not in specs(case)
    replay_klopt(wp, case)


def test_opschorting_verschuift_de_beslistermijn_met_de_opgeschorte_dagen(wp):
    case = start(wp, "gedeeld_aanvraag")
    assert case["data"]["beslisdatum"] == "2026-03-02"
    assert sorted(case["waiting_for_messages"]) == ["aanvraag_ingetrokken", "opschorting", "verdaging"]
    case = wp.send_message(case["id"], "opschorting", {"reden": "bankafschriften ontbreken"}, user="kees",
                           at="2026-01-12T10:00")
    assert case["tasks"] == []
    assert "stukken_ontvangen" in case["waiting_for_messages"]
    assert "beslistermijn_verstreken" not in timers(case)
    case = wp.send_message(case["id"], "stukken_ontvangen", {}, user="kees", at="2026-01-22T15:00")
    assert case["data"]["opgeschorte_dagen"] == 10
    assert case["data"]["beslisdatum"] == "2026-03-12"  # 2 maart + 10 dagen
    assert specs(case) == ["besluit_aanvraag"]
    assert case["tasks"][0]["due"].startswith("2026-03-12")
    assert timers(case)["beslistermijn_verstreken"].startswith("2026-03-12T23:00")
    # the voorschot falls due on 2 February, four weeks after the aanvraag
    wp.fire_due_timers("2026-02-16T09:00")
    assert specs(wp.get_case(case["id"])) == ["besluit_aanvraag", "voorschot_verstrekken"]
    # a second suspension adds up
    case = wp.send_message(case["id"], "opschorting", {}, at="2026-02-16T09:00")
    case = wp.send_message(case["id"], "stukken_ontvangen", {}, at="2026-02-19T09:00")
    assert case["data"]["opgeschorte_dagen"] == 13
    assert case["data"]["beslisdatum"] == "2026-03-16"  # 15 maart is een zondag
    # the old deadline passes without escalation
    wp.fire_due_timers("2026-03-14T12:00")
    case = wp.get_case(case["id"])
    assert "escalatie_beslistermijn" not in specs(case)
    # the open voorschot task of 2 February lapsed with the suspension; after it the next four-weekly
    # voorschot fell due on 2 March (Pw art. 52: every 4 weeks until the decision)
    assert specs(case) == ["besluit_aanvraag", "voorschot_verstrekken"]
    assert case["data"]["voorschotdatum"] == "2026-03-02"
    assert ("voorschot_termijn", "2026-03-01") in gevuurde_timers(wp, case)  # 2 maart 00:00 Amsterdam
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True, "voorschot_bedrag": 1100},
               "2026-03-14T13:00")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-03-16T10:00")
    assert case["status"] == "completed"
    assert case["data"]["opgeschorte_dagen"] == 13
    assert case["data"]["aanvraagdatum"] == "2026-01-05"
    replay_klopt(wp, case)


def test_voorschot_na_vier_weken(wp):
    case = start(wp, "gedeeld_aanvraag")
    assert timers(case)["voorschot_termijn"].startswith("2026-02-01T23:00")  # 2 februari
    wp.fire_due_timers("2026-02-01T12:00")
    assert specs(wp.get_case(case["id"])) == ["besluit_aanvraag"]
    fired = wp.fire_due_timers("2026-02-02T09:00")
    assert [f["timers"] for f in fired] == [["Elke vier weken zonder besluit: voorschot (Pw art. 52)"]]
    case = wp.get_case(case["id"])
    assert specs(case) == ["besluit_aanvraag", "voorschot_verstrekken"]
    voorschot = [t for t in case["tasks"] if t["spec"] == "voorschot_verstrekken"][0]
    assert voorschot["lane"] == "inkomensconsulent"
    assert voorschot["name"] == "Wettelijk voorschot verstrekken"
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True, "voorschot_bedrag": 1050.5},
               "2026-02-03T10:00")
    assert specs(case) == ["besluit_aanvraag"]
    # every four weeks without a decision another voorschot falls due (Pw art. 52)
    assert timers(case)["voorschot_termijn"].startswith("2026-03-01T23:00")  # 2 maart
    wp.fire_due_timers("2026-03-02T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["besluit_aanvraag", "voorschot_verstrekken"]
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True}, "2026-03-02T10:00")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-03-03T10:00")
    assert case["status"] == "completed"
    # the voorschot is recorded in the task history (a side branch's data need not reach the main path)
    voorschotten = [e["payload"]["data"] for e in wp.case_history(case["id"])
                    if e["type"] == "task_completed" and e["payload"]["task"]["spec"] == "voorschot_verstrekken"]
    assert voorschotten == [{"voorschot_verstrekt": True, "voorschot_bedrag": 1050.5}, {"voorschot_verstrekt": True}]
    assert afgeronde_taken(wp, case) == ["voorschot_verstrekken", "voorschot_verstrekken", "besluit_aanvraag"]
    assert [t for t, _ in gevuurde_timers(wp, case)] == ["voorschot_termijn", "voorschot_termijn"]
    replay_klopt(wp, case)


def test_verstreken_beslistermijn_escaleert_naar_de_teamleider(wp):
    case = start(wp, "gedeeld_aanvraag")
    wp.fire_due_timers("2026-03-02T20:00")  # last day of the term: no escalation yet
    case = wp.get_case(case["id"])
    assert "escalatie_beslistermijn" not in specs(case)
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True}, "2026-03-02T20:30")
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True}, "2026-03-02T21:00")
    wp.fire_due_timers("2026-03-03T08:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["besluit_aanvraag", "escalatie_beslistermijn"]
    escalatie = [t for t in case["tasks"] if t["spec"] == "escalatie_beslistermijn"][0]
    assert escalatie["lane"] == "teamleider"
    assert ("beslistermijn_verstreken", "2026-03-02") in gevuurde_timers(wp, case)
    case = doe(wp, case, "escalatie_beslistermijn", {"actie": "collega_toegewezen"}, "2026-03-03T09:00",
               user="teamleider_els")
    assert specs(case) == ["besluit_aanvraag"]
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-03-04T09:00")
    assert case["status"] == "completed"
    replay_klopt(wp, case)


def test_besluitformulier_wordt_op_de_server_gecontroleerd(wp):
    from engine import ValidationError

    case = start(wp, "gedeeld_aanvraag")
    with pytest.raises(ValidationError):
        doe(wp, case, "besluit_aanvraag", {}, "2026-01-06T09:00")
    with pytest.raises(ValidationError):
        doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": "misschien"}, "2026-01-06T09:00")
    assert specs(wp.get_case(case["id"])) == ["besluit_aanvraag"]


# ------------------------------------------------------------------ the other subprocesses
def test_loonwaardemeting_levert_loonwaarde_en_escaleert_na_vier_weken(wp):
    case = start(wp, "gedeeld_loonwaardemeting")
    assert case["phase"] == "diagnose"
    assert specs(case) == ["loonwaarde_meten"]
    assert case["tasks"][0]["lane"] == "arbeidsdeskundige"
    wp.fire_due_timers("2026-02-03T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["escalatie_loonwaarde", "loonwaarde_meten"]
    case = doe(wp, case, "loonwaarde_meten", {"loonwaarde_pct": 45, "loonwaarde_methode": "dariuz"},
               "2026-02-04T09:00")
    assert case["status"] == "running"  # the escalation is still open
    case = doe(wp, case, "escalatie_loonwaarde", {"actie": "opgepakt"}, "2026-02-04T10:00")
    assert case["status"] == "completed"
    assert case["data"]["loonwaarde_pct"] == 45
    replay_klopt(wp, case)


def test_loonwaarde_buiten_bereik_wordt_geweigerd(wp):
    from engine import ValidationError

    case = start(wp, "gedeeld_loonwaardemeting")
    with pytest.raises(ValidationError):
        doe(wp, case, "loonwaarde_meten", {"loonwaarde_pct": 130}, "2026-01-06T09:00")


@pytest.mark.parametrize("route,uitvoer,taakprefix", [
    ("gedeeld_doelgroepregister", "doelgroepregister", "gedeeld_doelgroepregister"),
    ("gedeeld_beschut_werk_advies", "beschut_werk_advies", "gedeeld_beschut_werk_advies"),
])
def test_uwv_aanmeldingen_leveren_hun_uitkomst(wp, route, uitvoer, taakprefix):
    case = start(wp, route)
    assert case["phase"] == "traject"
    assert specs(case) == [f"{taakprefix}_aanvragen"]
    veld = "aanmelddatum_doelgroepregister" if uitvoer == "doelgroepregister" else "aanvraagdatum_beschut_werk"
    case = doe(wp, case, f"{taakprefix}_aanvragen", {veld: "2026-01-06"}, "2026-01-06T09:00")
    assert specs(case) == [f"{taakprefix}_uitslag"]
    wp.fire_due_timers("2026-03-04T09:00")  # 8 weeks without an answer from UWV
    case = wp.get_case(case["id"])
    assert specs(case) == [f"{taakprefix}_rappelleren", f"{taakprefix}_uitslag"]
    case = doe(wp, case, f"{taakprefix}_rappelleren", {"gerappelleerd_op": "2026-03-04"}, "2026-03-04T10:00")
    case = doe(wp, case, f"{taakprefix}_uitslag", {uitvoer: True}, "2026-03-10T10:00")
    assert case["status"] == "completed"
    assert case["data"][uitvoer] is True
    replay_klopt(wp, case)


def _nazorg_maanden(wp, case, aantal, werkt=True):
    # each contact is one month after the previous one (or after the start, 5 January 09:00)
    at = ["2026-02-05T09:00", "2026-03-05T09:00", "2026-04-05T09:00", "2026-05-05T09:00", "2026-06-05T09:00"]
    gedaan = case["data"].get("nazorg_contacten", 0)
    for moment in at[gedaan:gedaan + aantal]:
        wp.fire_due_timers(moment)
        case = doe(wp, case, "nazorgcontact", {"nog_aan_het_werk": werkt, "contact_werkgever": True}, moment)
    return case


def test_nazorg_sluit_na_drie_maandelijkse_contacten(wp):
    case = start(wp, "gedeeld_nazorg")
    assert case["phase"] == "nazorg"
    assert case["tasks"] == []
    assert timers(case)["nazorg_maand"].startswith("2026-02-05")
    case = _nazorg_maanden(wp, case, 2)
    assert case["status"] == "waiting"
    assert case["data"]["nazorg_contacten"] == 2
    assert case["data"]["nazorg_afgerond"] is False
    case = _nazorg_maanden(wp, case, 1)
    assert case["status"] == "completed"
    assert case["data"]["nazorg_afgerond"] is True
    assert case["data"]["uitkomst"] == "uitgestroomd"
    assert case["data"]["nazorg_maanden"] == 3
    assert afgeronde_taken(wp, case) == ["nazorgcontact"] * 3
    assert [d for _, d in gevuurde_timers(wp, case)] == ["2026-02-05", "2026-03-05", "2026-04-05"]
    replay_klopt(wp, case)


def test_nazorg_duur_uit_de_gemeenteconfiguratie(wp):
    case = start(wp, "gedeeld_nazorg", gemeente="langestad")
    case = _nazorg_maanden(wp, case, 3)
    assert case["status"] == "waiting"
    case = _nazorg_maanden(wp, case, 2)
    assert case["status"] == "completed"
    assert case["data"]["nazorg_maanden"] == 5
    replay_klopt(wp, case)


def test_nazorg_stopt_bij_baanverlies(wp):
    case = start(wp, "gedeeld_nazorg")
    case = _nazorg_maanden(wp, case, 1, werkt=False)
    assert case["status"] == "completed"
    assert case["data"]["uitkomst"] == "uitgevallen"
    assert case["data"]["nazorg_afgerond"] is True
    replay_klopt(wp, case)


# ------------------------------------------------------------------ gedeeld_bezwaar (Awb 6:7, 7:10, 7:13)
def test_bezwaar_beslistermijn_telt_vanaf_het_einde_van_de_bezwaartermijn_en_verdaagt_eenmaal(wp):
    case = start(wp, "gedeeld_bezwaar", at="2026-03-02T09:00")
    taak = [t for t in case["tasks"] if t["spec"] == "bezwaar_registreren"][0]
    assert taak["lane"] == "jurist"
    case = doe(wp, case, "bezwaar_registreren", {"bezwaar_tegen": "besluit_aanvraag", "datum_bekendmaking": "2026-02-02",
                                                 "bezwaar_ontvangen_op": "2026-03-02", "adviescommissie": False},
               "2026-03-03T10:00")
    data = case["data"]
    assert data["bezwaartermijn_einde"] == "2026-03-16"  # 6 weken na de bekendmaking (Awb 6:7)
    assert data["bezwaar_tijdig"] is True
    # 6 weeks from the end of the bezwaartermijn (Awb 7:10 lid 1): 27 April is Koningsdag -> 28 April
    assert data["beslisdatum_bezwaar"] == "2026-04-28"
    assert specs(case) == ["besluit_op_bezwaar"]
    assert case["tasks"][0]["due"].startswith("2026-04-28")
    # a week before the term ends: a reminder for the jurist
    wp.fire_due_timers("2026-04-20T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["besluit_op_bezwaar", "herinnering_bezwaar"]
    case = doe(wp, case, "herinnering_bezwaar", {"actie": "opgepakt"}, "2026-04-20T10:00")
    # verdaging once by 6 weeks (Awb 7:10 lid 3)
    case = doe(wp, case, "besluit_op_bezwaar", {"bezwaar_uitkomst": "verdagen"}, "2026-04-21T10:00")
    assert case["data"]["beslisdatum_bezwaar"] == "2026-06-09"
    assert case["data"]["bezwaar_verdaagd"] is True
    # a second verdaging is refused: the deadline stays
    case = doe(wp, case, "besluit_op_bezwaar", {"bezwaar_uitkomst": "verdagen"}, "2026-05-01T10:00")
    assert case["data"]["beslisdatum_bezwaar"] == "2026-06-09"
    assert case["data"]["verdaging_geweigerd"] is True
    case = doe(wp, case, "besluit_op_bezwaar", {"bezwaar_uitkomst": "ongegrond", "hoorzitting_gehouden": True},
               "2026-05-20T10:00")
    assert case["status"] == "completed"
    assert afgeronde_taken(wp, case) == ["bezwaar_registreren", "herinnering_bezwaar", "besluit_op_bezwaar",
                                         "besluit_op_bezwaar", "besluit_op_bezwaar"]
    assert gevuurde_timers(wp, case) == [("bezwaar_herinnering", "2026-04-19")]
    replay_klopt(wp, case)


def test_bezwaar_met_adviescommissie_twaalf_weken_en_escalatie(wp):
    case = start(wp, "gedeeld_bezwaar", at="2026-03-02T09:00")
    case = doe(wp, case, "bezwaar_registreren", {"bezwaar_tegen": "maatregel", "datum_bekendmaking": "2026-02-02",
                                                 "bezwaar_ontvangen_op": "2026-02-20", "adviescommissie": True},
               "2026-03-02T10:00")
    assert case["data"]["beslisdatum_bezwaar"] == "2026-06-08"  # 16 maart + 12 weken
    wp.fire_due_timers("2026-06-09T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["besluit_op_bezwaar", "escalatie_bezwaar", "herinnering_bezwaar"]
    assert [t["lane"] for t in case["tasks"] if t["spec"] == "escalatie_bezwaar"] == ["teamleider"]
    replay_klopt(wp, case)


def test_te_laat_bezwaar_wordt_als_zodanig_vastgelegd(wp):
    case = start(wp, "gedeeld_bezwaar", at="2026-04-01T09:00")
    case = doe(wp, case, "bezwaar_registreren", {"bezwaar_tegen": "besluit_aanvraag", "datum_bekendmaking": "2026-02-02",
                                                 "bezwaar_ontvangen_op": "2026-03-31", "adviescommissie": False},
               "2026-04-01T10:00")
    assert case["data"]["bezwaar_tijdig"] is False
    assert case["data"]["beslisdatum_bezwaar"] == "2026-05-12"  # 6 weken na ontvangst
    case = doe(wp, case, "besluit_op_bezwaar", {"bezwaar_uitkomst": "niet_ontvankelijk"}, "2026-04-10T10:00")
    assert case["status"] == "completed"
    replay_klopt(wp, case)


# ------------------------------------------------------------------ gedeeld_maatregel (Pw art. 18)
def test_maatregel_met_grond_en_duur_wordt_binnen_drie_maanden_heroverwogen(wp):
    case = start(wp, "gedeeld_maatregel", at="2026-03-02T09:00")
    case = doe(wp, case, "maatregel_opleggen", {
        "maatregel_opgelegd": True, "maatregel_grond": "arbeidsverplichtingen", "maatregel_percentage": 100,
        "maatregel_maanden": 3, "maatregel_ingangsdatum": "2026-04-01",
        "maatregel_motivering": "Zonder dringende reden niet verschenen bij de werkgever."}, "2026-03-02T10:00")
    data = case["data"]
    assert (data["maatregel_grond"], data["maatregel_maanden"]) == ("arbeidsverplichtingen", 3)
    assert data["maatregel_einddatum"] == "2026-07-01"
    assert data["heroverweging_maatregel_op"] == "2026-06-02"  # uiterlijk 3 maanden na het opleggen
    assert wp.fire_due_timers("2026-06-01T12:00") == []
    wp.fire_due_timers("2026-06-02T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["maatregel_heroverwegen"]
    assert case["tasks"][0]["lane"] == "inkomensconsulent"
    case = doe(wp, case, "maatregel_heroverwegen", {"maatregel_vervolg": "voortzetten"}, "2026-06-02T10:00")
    assert case["data"]["heroverweging_maatregel_op"] == "2026-07-01"  # niet later dan het einde
    wp.fire_due_timers("2026-07-01T09:00")
    case = doe(wp, wp.get_case(case["id"]), "maatregel_heroverwegen", {"maatregel_vervolg": "voortzetten"},
               "2026-07-01T10:00")
    assert case["status"] == "completed" and case["end_event"] == "einde_gedeeld_maatregel"
    replay_klopt(wp, case)


def test_geen_maatregel_zonder_verwijtbaarheid(wp):
    case = start(wp, "gedeeld_maatregel", at="2026-03-02T09:00")
    case = doe(wp, case, "maatregel_opleggen", {"maatregel_opgelegd": False}, "2026-03-03T10:00")
    assert case["status"] == "completed"
    assert case["timers"] == []


# ------------------------------------------------------------------ ontheffing alleenstaande ouder (Pw art. 9a)
def test_ontheffing_alleenstaande_ouder_elk_half_jaar_heroverwogen_tot_het_kind_vijf_is(wp):
    case = start(wp, "gedeeld_ontheffing_alleenstaande_ouder", at="2026-03-02T09:00")
    case = doe(wp, case, "ontheffing_beoordelen", {"ontheffing_verleend": True,
                                                   "geboortedatum_jongste_kind": "2022-09-01"}, "2026-03-02T10:00")
    assert case["data"]["ontheffing_uiterlijk_tot"] == "2027-09-01"
    assert case["data"]["herbeoordeling_ontheffing_op"] == "2026-09-02"
    wp.fire_due_timers("2026-09-02T09:00")
    case = doe(wp, wp.get_case(case["id"]), "ontheffing_heroverwegen", {"ontheffing_voortzetten": True},
               "2026-09-02T10:00")
    assert case["data"]["herbeoordeling_ontheffing_op"] == "2027-03-02"
    wp.fire_due_timers("2027-03-02T09:00")
    case = doe(wp, wp.get_case(case["id"]), "ontheffing_heroverwegen", {"ontheffing_voortzetten": True},
               "2027-03-02T10:00")
    assert case["data"]["herbeoordeling_ontheffing_op"] == "2027-09-01"  # het jongste kind wordt 5
    wp.fire_due_timers("2027-09-01T09:00")
    case = wp.get_case(case["id"])
    assert case["status"] == "completed"
    assert afgeronde_taken(wp, case) == ["ontheffing_beoordelen", "ontheffing_heroverwegen", "ontheffing_heroverwegen"]
    replay_klopt(wp, case)



def test_open_voorschot_blijft_staan_als_de_voorbereiding_klaar_is(wp):
    case = start_met_voorbereiding(wp)
    wp.fire_due_timers("2026-02-02T09:00")
    assert specs(wp.get_case(case["id"])) == ["voorschot_verstrekken"]
    # the preparation ends while the voorschot is still to be paid: it stays open beside the decision
    case = wp.send_message(case["id"], "voorbereiding_gereed", {}, at="2026-02-03T10:00")
    assert specs(case) == ["besluit_aanvraag", "voorschot_verstrekken"]
    assert case["data"]["voorschotdatum"] == "2026-03-02"
    assert timers(case)["voorschot_termijn"].startswith("2026-03-01T23:00")
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True}, "2026-02-03T11:00")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-02-04T10:00")
    assert case["status"] == "completed"
    assert gevuurde_timers(wp, case) == [("voorbereiding_voorschot", "2026-02-01")]
    replay_klopt(wp, case)


def test_elke_vier_weken_een_voorschot_zolang_de_voorbereiding_loopt(wp):
    case = start_met_voorbereiding(wp)
    wp.fire_due_timers("2026-02-02T09:00")
    case = doe(wp, wp.get_case(case["id"]), "voorschot_verstrekken", {"voorschot_verstrekt": True}, "2026-02-02T10:00")
    assert timers(case)["voorbereiding_voorschot"].startswith("2026-03-01T23:00")  # 2 maart
    wp.fire_due_timers("2026-03-02T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["voorschot_verstrekken"]
    assert case["data"]["voorschotdatum"] == "2026-03-30"
    replay_klopt(wp, case)


# ------------------------------------------------------------------ gelijkgestelde dagen (Atw art. 3 lid 3)
def test_een_bij_besluit_gelijkgestelde_dag_verschuift_de_beslistermijn(procesmap, tmp_path):
    """4 januari 2027 + 8 weken = maandag 1 maart 2027; staat die dag in het databestand als
    gelijkgesteld met een feestdag, dan eindigt de termijn op dinsdag 2 maart."""
    root = tmp_path / "processes"
    shutil.copytree(procesmap, root)
    gewoon = Werkpad(f"sqlite:///{tmp_path / 'gewoon.sqlite'}", processes_dir=root, forms_dir=ROOT / "forms")
    gewoon.upgrade_db()
    gewoon.deploy()
    zonder = start(gewoon, "gedeeld_aanvraag", at="2027-01-04T09:00")
    assert zonder["data"]["beslisdatum"] == "2027-03-01"
    (root / "gelijkgestelde_dagen.json").write_text(json.dumps(
        {"_toelichting": "test", "2027": [{"datum": "2027-03-01", "besluit": "KB (fictief, test)"}]}),
        encoding="utf-8")
    nieuw = gewoon.deploy()
    assert all(v["created"] for v in nieuw)  # the days are part of the version
    met = start(gewoon, "gedeeld_aanvraag", at="2027-01-04T09:00")
    assert met["data"]["beslisdatum"] == "2027-03-02"
    assert timers(met)["beslistermijn_verstreken"].startswith("2027-03-02T23:00")
    # the running case keeps its version and its calendar; both replay
    assert gewoon.get_case(zonder["id"])["data"]["beslisdatum"] == "2027-03-01"
    met = doe(gewoon, met, "besluit_aanvraag", {"recht_op_bijstand": True}, "2027-03-02T10:00")
    assert met["status"] == "completed"
    replay_klopt(gewoon, zonder)
    replay_klopt(gewoon, met)
    gewoon.db.dispose()


def test_het_databestand_met_gelijkgestelde_dagen_wordt_gecontroleerd(tmp_path):
    from engine.core.definitions import read_equated_days
    from engine.errors import DefinitionError

    pad = tmp_path / "gelijkgestelde_dagen.json"
    pad.write_text(json.dumps({"2027": ["2027-03-01"], "2026": []}), encoding="utf-8")
    assert read_equated_days(pad) == '["2027-03-01"]'
    pad.write_text(json.dumps({"2027": ["2026-03-01"]}), encoding="utf-8")
    with pytest.raises(DefinitionError):
        read_equated_days(pad)
    assert read_equated_days(tmp_path / "bestaat_niet.json") == ""


# ------------------------------------------------------------------ verdaging (Awb 4:14)
def test_beslistermijn_eenmaal_verdagen_met_reden_en_datum_van_de_brief(wp):
    case = start(wp, "gedeeld_aanvraag")
    assert case["data"]["beslisdatum"] == "2026-03-02"
    assert "verdaging" in case["waiting_for_messages"]
    case = wp.send_message(case["id"], "verdaging", {
        "reden": "advies van de arbeidsdeskundige nodig", "briefdatum": "2026-02-20",
        "nieuwe_beslisdatum": "2026-03-28"}, user="kees", at="2026-02-20T10:00")
    # 28 maart 2026 is een zaterdag: de termijn eindigt op maandag 30 maart
    assert case["data"]["beslisdatum"] == "2026-03-30"
    assert case["data"]["beslisdatum_voor_verdaging"] == "2026-03-02"
    assert case["data"]["verdaging_briefdatum"] == "2026-02-20"
    assert case["data"]["verdaging_reden"] == "advies van de arbeidsdeskundige nodig"
    assert case["data"]["verdaging_geweigerd"] == ""
    besluit = [t for t in case["tasks"] if t["spec"] == "besluit_aanvraag"][0]
    assert besluit["due"].startswith("2026-03-30")
    assert timers(case)["beslistermijn_verstreken"].startswith("2026-03-30T22:00")  # 31 maart 00:00 zomertijd
    # no escalation on the old deadline
    wp.fire_due_timers("2026-03-10T12:00")
    assert "escalatie_beslistermijn" not in specs(wp.get_case(case["id"]))
    # once only: a second verdaging changes nothing and says why
    case = wp.send_message(case["id"], "verdaging", {"reden": "nog meer tijd", "nieuwe_beslisdatum": "2026-05-01"},
                           at="2026-03-10T13:00")
    assert case["data"]["beslisdatum"] == "2026-03-30"
    assert case["data"]["verdaging_geweigerd"] == "de beslistermijn is al eenmaal verdaagd"
    # an opschorting after the verdaging shifts the new deadline by the suspended days
    case = wp.send_message(case["id"], "opschorting", {}, at="2026-03-16T09:00")
    case = wp.send_message(case["id"], "stukken_ontvangen", {}, at="2026-03-19T09:00")
    assert case["data"]["beslisdatum"] == "2026-03-31"  # 28 maart (de genoemde datum) + 3 dagen
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-04-01T10:00")
    assert case["status"] == "completed"
    replay_klopt(wp, case)


@pytest.mark.parametrize(("gegevens", "reden"), [
    ({"nieuwe_beslisdatum": "2026-03-20"}, "geen reden voor de verdaging opgegeven"),
    ({"reden": "x", "nieuwe_beslisdatum": "2026-02-27"}, "de nieuwe beslisdatum ligt niet na de huidige"),
    ({"reden": "x", "nieuwe_beslisdatum": "2026-03-20", "briefdatum": "2026-03-03"},
     "de brief over de verdaging is na het einde van de beslistermijn verstuurd"),
])
def test_verdaging_zonder_reden_te_laat_of_zonder_later_einde_wordt_geweigerd(wp, gegevens, reden):
    case = start(wp, "gedeeld_aanvraag")
    case = wp.send_message(case["id"], "verdaging", gegevens, at="2026-02-20T10:00")
    assert case["data"]["verdaging_geweigerd"] == reden
    assert case["data"]["beslisdatum"] == "2026-03-02"
    assert not case["data"].get("verdaagd")
    replay_klopt(wp, case)
