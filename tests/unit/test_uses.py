"""Where a process reads a case-data name (engine.core.uses): conditions by their path and
gateway, scripts, timers, terms, decision tables' inputs, other forms; names read through
bekend()/waarde(); a file that does not parse is left out; function names are not fields."""
from __future__ import annotations

from engine.core.expressions import names_read
from engine.core.uses import form_fields, form_title, missing_after_move, where_read

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:exclusiveGateway id="gw" name="Crisis?" />
    <bpmn:sequenceFlow id="f1" name="ja" sourceRef="gw" targetRef="t1">
      <bpmn:conditionExpression>crisis == True and leeftijd &lt; 27</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="t2">
      <bpmn:conditionExpression>bekend("uitkering") and waarde("trede", 0) &gt; 2</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:scriptTask id="s1" name="Einde berekenen">
      <bpmn:script>einde = plus_duur(melddatum, "P4W")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="t1" name="Gesprek">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="termijn" value="werkdagen_na(aanvraagdatum, 10)" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:intermediateCatchEvent id="w" name="Vier weken">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDate>einde</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
  </bpmn:process>
</bpmn:definitions>"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="r" name="r" namespace="x">
  <decision id="route" name="Route op loonwaarde">
    <decisionTable id="dt">
      <input id="i1"><inputExpression id="e1" typeRef="integer"><text>loonwaarde_pct</text></inputExpression></input>
      <output id="o1" name="route" typeRef="string" />
    </decisionTable>
  </decision>
</definitions>"""

FORM_A = '{"title": "Intake", "properties": {"crisis": {}, "toelichting": {}}}'
FORM_B = '{"title": "Diagnose", "properties": {"loonwaarde_pct": {}, "toelichting": {}}}'


def test_every_kind_of_place_that_reads_a_name():
    uses = {k: [str(p) for p in v] for k, v in where_read({"p.bpmn": BPMN, "r.dmn": DMN, "x.txt": "crisis"},
                                                          {"a": FORM_A, "b": FORM_B}, skip_form="a").items()}
    assert uses["crisis"] == ["voorwaarde ‘ja’ na ‘Crisis?’"]
    assert uses["leeftijd"] == ["voorwaarde ‘ja’ na ‘Crisis?’"]
    assert uses["uitkering"] == uses["trede"] == ["voorwaarde na ‘Crisis?’"]
    assert uses["melddatum"] == ["script ‘Einde berekenen’"]
    assert uses["aanvraagdatum"] == ["termijn van ‘Gesprek’"]
    assert uses["einde"] == ["timer ‘Vier weken’"]  # the event, not its timer definition
    assert uses["loonwaarde_pct"] == ["beslistabel ‘Route op loonwaarde’", "formulier ‘Diagnose’"]
    assert uses["toelichting"] == ["formulier ‘Diagnose’"]  # not the form being edited
    for function in ("plus_duur", "werkdagen_na", "bekend", "waarde"):
        assert function not in uses


def test_a_broken_file_or_form_is_left_out():
    uses = where_read({"p.bpmn": "<bpmn:definitions", "r.dmn": DMN}, {"a": "{niet json", "b": "[1]"})
    assert list(uses) == ["loonwaarde_pct"]
    assert form_fields("{niet json") == [] and form_fields('{"properties": []}') == []
    assert form_title("{niet json", "a") == "a" and form_title(FORM_B) == "Diagnose"


def test_names_read_by_an_expression_or_a_script():
    assert names_read("a + b > c") == {"a", "b", "c"}
    assert names_read("x = y\nz = x + 1", "exec") == {"x", "y"}  # x is read after it is set
    assert names_read("datum(melddatum)") == {"melddatum"}
    assert names_read("__import__('os')") == frozenset()  # refused: reads nothing
    assert names_read("((") == frozenset()


def test_what_a_moved_case_would_miss_after_a_rename():
    old = {"d": '{"properties": {"loonwaarde_pct": {}, "trede": {}}}'}
    new = {"d": '{"properties": {"loonwaarde_gemeten": {}, "trede": {}}}'}
    renamed_dmn = where_read({"r.dmn": DMN.replace("<text>loonwaarde_pct</text>", "<text>loonwaarde_gemeten</text>")})
    [warning] = missing_after_move(old, renamed_dmn, new, {"loonwaarde_pct": 50, "trede": 2})
    assert "‘loonwaarde_gemeten’ (beslistabel ‘Route op loonwaarde’)" in warning and "‘loonwaarde_pct’" in warning
    assert warning.params["plekken"].params == {"t0": "beslistabel ‘Route op loonwaarde’"}  # translatable part
    # nothing to say: the case has the new name already, lacks the old one, or nothing reads the new name
    assert missing_after_move(old, renamed_dmn, new, {"loonwaarde_pct": 50, "loonwaarde_gemeten": 50}) == []
    assert missing_after_move(old, renamed_dmn, new, {"trede": 2}) == []
    assert missing_after_move(old, where_read({"r.dmn": DMN}), new, {"loonwaarde_pct": 50}) == []
