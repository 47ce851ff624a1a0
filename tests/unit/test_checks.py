"""The rules of engine.core.checks one by one, on small drafts held in memory."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.checks import check_bundle
from engine.core.definitions import bundle_from_files
from engine.core.expressions import SafeScriptEngine

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "kwaadaardig"
BASE = (CORPUS / "basis.bpmn").read_text(encoding="utf-8")
DMN = (CORPUS / "basis.dmn").read_text(encoding="utf-8")
FORMS = {"kw_formulier": (CORPUS / "kw_formulier.json").read_text(encoding="utf-8")}
VOCABULARY = (ROOT / "forms" / "vocabulaire.json").read_text(encoding="utf-8")
MANIFEST = {"sleutel": "kwaad", "proces": "kwaad_proces"}


def _problems(bpmn: str = BASE, dmn: str = DMN) -> list:
    return check_bundle(bundle_from_files(MANIFEST, {"kwaad.bpmn": bpmn, "kwaad.dmn": dmn}, FORMS, VOCABULARY))


def _no_default(first: str, second: str) -> str:
    text = BASE.replace(' default="f_anders"', "").replace('<bpmn:conditionExpression>route == "werk"',
                                                           f"<bpmn:conditionExpression>{first}")
    return text.replace('targetRef="einde_anders">',
                        f'targetRef="einde_anders"><bpmn:conditionExpression>{second}</bpmn:conditionExpression>', 1)


@pytest.mark.parametrize("first,second", [('route == "werk"', 'route != "werk"'), ("klaar", "not klaar"),
                                          ("loon &lt; 30", "loon &gt;= 30"), ("x in lijst", "x not in lijst")])
def test_a_gateway_whose_conditions_negate_each_other_needs_no_default(first, second):
    assert _problems(_no_default(first, second)) == []


@pytest.mark.parametrize("first,second", [('route == "werk"', 'route == "anders"'), ("loon &lt; 30", "loon &gt; 30")])
def test_a_gateway_whose_conditions_can_all_be_false_is_refused(first, second):
    problems = _problems(_no_default(first, second))
    assert [p.element for p in problems] == ["gw_route"]
    assert "standaardstroom" in problems[0].message and "ontkenning" in problems[0].message


def test_a_loop_without_exit_is_refused_but_a_loop_with_one_is_fine():
    looping = BASE.replace('<bpmn:sequenceFlow id="f_werk" name="Werk" sourceRef="gw_route" targetRef="einde_werk">',
                           '<bpmn:sequenceFlow id="f_werk" name="Werk" sourceRef="gw_route" targetRef="taak_intake">')
    # the loop back to the intake has an exit (the default flow): only the end it replaced is now unreachable
    assert [(p.element, "niet bereikbaar" in p.message) for p in _problems(looping)] == [("einde_werk", True)]
    trapped = BASE.replace('sourceRef="gw_route" targetRef="einde_anders"', 'sourceRef="gw_route" targetRef="taak_intake"')
    trapped = trapped.replace('sourceRef="gw_route" targetRef="einde_werk"', 'sourceRef="gw_route" targetRef="taak_intake"')
    found = {p.element for p in _problems(trapped) if "geen eindgebeurtenis" in p.message}
    assert {"taak_intake", "script_teller", "besluit_route", "gw_route"} <= found


def test_an_unreachable_task_inside_a_subprocess_is_named():
    sub = """    <bpmn:subProcess id="deel" name="Deelproces"><bpmn:incoming>x</bpmn:incoming>
      <bpmn:startEvent id="deel_start"><bpmn:outgoing>d1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="d1" sourceRef="deel_start" targetRef="deel_einde" />
      <bpmn:scriptTask id="deel_los" name="Los script"><bpmn:script>a = 1</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="deel_einde"><bpmn:incoming>d1</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
"""
    text = BASE.replace('targetRef="einde_werk">', 'targetRef="deel">', 1).replace(
        '    <bpmn:endEvent id="einde_werk"', sub + '    <bpmn:sequenceFlow id="f_deel" sourceRef="deel" '
        'targetRef="einde_werk" />\n    <bpmn:endEvent id="einde_werk"')
    problems = _problems(text)
    assert [p.element for p in problems] == ["deel_los"], problems
    assert "in subproces 'Deelproces' (deel)" in problems[0].message


@pytest.mark.parametrize("entry,ok", [("-", True), ("&lt; 30", True), ('"a"', True), ("? &gt; 3 and ? &lt; 9", True),
                                      ('"a", "b"', False), ("[30..80]", False), ("? .__class__", False),
                                      ("not(30)", True)])
def test_dmn_input_entries_are_checked_as_spiff_evaluates_them(entry, ok):
    text = DMN.replace("<text>&gt;= 30</text>", f"<text>{entry}</text>")
    problems = [p for p in _problems(dmn=text) if p.element == "regel_hoog_in"]
    assert (problems == []) is ok, problems
    assert SafeScriptEngine()  # the engine the checks use is the one cases run with


def test_a_dmn_output_that_escapes_is_refused():
    text = DMN.replace('<text>"werk"</text>', "<text>().__class__</text>")
    assert [p.element for p in _problems(dmn=text)] == ["regel_hoog_uit"]


@pytest.mark.parametrize("cut", range(200, len(BASE), 397))
def test_a_half_written_draft_gives_problems_not_exceptions(cut):
    assert _problems(BASE[:cut])


@pytest.mark.parametrize("old,new", [('sourceRef="start"', 'sourceRef="nergens"'), ('id="gw_route"', 'id="gw2"'),
                                     ("calledDecisionId>kw_besluit<", "calledDecisionId>weg<"),
                                     ('targetRef="script_teller"', 'targetRef=""'), ('name="formulier"', 'name="iets"')])
def test_a_mangled_draft_gives_problems_not_exceptions(old, new):
    problems = _problems(BASE.replace(old, new))
    assert problems and all(p.message for p in problems)
