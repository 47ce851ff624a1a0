"""Tests for the safe expression language and its SpiffWorkflow script engine."""

import builtins
import copy
from datetime import UTC, datetime

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.core.expressions import (
    DEFAULT_FUNCTIONS,
    ExpressionError,
    SafeEnvironment,
    SafeScriptEngine,
    check,
    evaluate,
    execute,
)

DATA = {
    "x": 50,
    "naam": "  Jansen ",
    "postcode": "1234 ab",
    "d": {"a": 1, "b": [1, 2, 3]},
    "lst": [3, 1, 2],
    "leeg": None,
    "aanvraag": {"datum": "2026-03-09", "bedrag": 1250.5},
}


def ev(expression, **extra):
    return evaluate(expression, {**copy.deepcopy(DATA), **extra})


# --------------------------------------------------------------------------- happy paths


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("7 % 3", 1),
        ("2 ** 10", 1024),
        ("-x + +3", -47),
        ("10**30", 10**30),
        ("'ab' + 'cd'", "abcd"),
        ("'ab' * 3", "ababab"),
        ("[1] * 3 + [2]", [1, 1, 1, 2]),
        ("30 <= x < 80", True),
        ("30 <= x < 40", False),
        ("1 < 2 < 3 > 2", True),
        ("x == 50 and not leeg", True),
        ("leeg or 'standaard'", "standaard"),
        ("x and 'ja'", "ja"),
        ("2 in lst", True),
        ("'a' in d", True),
        ("'z' not in d", True),
        ("leeg is None", True),
        ("x is not None", True),
        ("d['b'][1]", 2),
        ("d['b'][-1]", 3),
        ("lst[1:]", [1, 2]),
        ("'abcdef'[::2]", "ace"),
        ("aanvraag['bedrag'] > 1000", True),
        ("'hoog' if x >= 80 else 'laag'", "laag"),
        ("{'a': 1, 'b': (2, 3)}", {"a": 1, "b": (2, 3)}),
        ("{1, 2, 2}", {1, 2}),
        ("len(lst) + max(lst) + min(3, 4)", 9),
        ("sorted(lst, reverse=True)", [3, 2, 1]),
        ("sum(lst) + abs(-1)", 7),
        ("round(2.567, 2)", 2.57),
        ("int('42') + float('0.5')", 42.5),
        ("str(5) + 'x'", "5x"),
        ("bool('') or any([0, 1]) and all([1, 1])", True),
        ("naam.strip().lower()", "jansen"),
        ("postcode.replace(' ', '').upper()", "1234AB"),
        ("'a,b'.split(',')", ["a", "b"]),
        ("', '.join(['a', 'b'])", "a, b"),
        ("naam.strip().startswith('Jan')", True),
        ("d.get('a')", 1),
        ("d.get('zz', 0)", 0),
        ("d.keys()", ["a", "b"]),
        ("d.items()", [("a", 1), ("b", [1, 2, 3])]),
        ("lst.index(2)", 2),
        ("'12345'.isdigit()", True),
    ],
)
def test_expression_values(expression, expected):
    assert ev(expression) == expected


def test_chained_comparison_and_boolean_operators_short_circuit():
    calls = []

    def boom():
        calls.append(1)
        raise AssertionError("must not be called")

    functions = {"boom": boom}
    assert evaluate("1 < 0 < boom()", {}, functions) is False
    assert evaluate("False and boom()", {}, functions) is False
    assert evaluate("True or boom()", {}, functions) is True
    assert evaluate("1 if True else boom()", {}, functions) == 1
    assert calls == []


def test_names_come_from_the_mapping_and_functions_from_functions():
    assert evaluate("vandaag()", {}, {"vandaag": lambda: "2026-01-02"}) == "2026-01-02"
    # task data may use a name that is also a function name
    assert evaluate("max + max(1, 2)", {"max": 10}) == 12


def test_host_functions_are_called_at_call_time():
    ticks = iter(["2026-01-01T10:00:00+00:00", "2026-01-01T11:00:00+00:00"])
    functions = {"nu": lambda: next(ticks)}
    assert evaluate("nu()", {}, functions) == "2026-01-01T10:00:00+00:00"
    assert evaluate("nu()", {}, functions) == "2026-01-01T11:00:00+00:00"


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("datum('2026-03-09T10:00:00')", "2026-03-09"),
        # aware datetimes are read as Dutch local time: 23:30 UTC is already 8 March
        ("datum('2026-03-07T23:30:00+00:00')", "2026-03-08"),
        ("datum(moment)", "2026-07-01"),
        ("plus_duur('2024-01-31', 'P1M')", "2024-02-29"),
        ("plus_duur('2024-01-31T10:00:00', 'PT2H30M')", "2024-01-31T12:30:00"),
        ("termijn_einde('2026-03-09', 'P4W')", "2026-04-07"),  # Tweede Paasdag -> Tuesday
        ("termijn_einde(aanvraag['datum'], 'P8W')", "2026-05-04"),
        ("werkdagen_na('2026-03-06', 1)", "2026-03-09"),
        ("volgende_werkdag('2026-12-25')", "2026-12-28"),
        ("dagen_tussen('2026-01-01', '2026-03-01')", 59),
        ("dagen_tussen('2026-03-01', '2026-01-01')", -59),
        ("leeftijd('2000-05-05', '2018-05-04')", 17),
        ("leeftijd('2000-05-05', '2018-05-05')", 18),
        ("leeftijd('2008-02-29', '2026-02-28')", 17),
        ("leeftijd('2008-02-29', '2026-03-01')", 18),
        ("termijn_einde(aanvraag['datum'], 'P8W') > '2026-04-30'", True),
    ],
)
def test_date_helpers(expression, expected):
    assert ev(expression, moment=datetime(2026, 6, 30, 23, 0, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "datum('gisteren')",
        "datum(5)",
        "plus_duur('2026-01-01', 'P1X')",
        "plus_duur('2026-01-01', 'PT1H')",
        "werkdagen_na('2026-01-01', -1)",
        "werkdagen_na('2026-01-01', 100000)",
        "leeftijd('2020-01-01', '2019-01-01')",
    ],
)
def test_date_helpers_report_bad_input_as_expression_error(expression):
    with pytest.raises(ExpressionError):
        ev(expression)


def test_default_functions_do_not_include_the_clock():
    assert "nu" not in DEFAULT_FUNCTIONS and "vandaag" not in DEFAULT_FUNCTIONS
    with pytest.raises(ExpressionError, match="unknown function 'nu'"):
        evaluate("nu()", {})


def test_unknown_name_is_reported_by_name():
    with pytest.raises(ExpressionError, match="unknown name 'onbekend'"):
        evaluate("onbekend + 1", {})


@pytest.mark.parametrize(
    "expression, message",
    [
        ("d['zz']", "key 'zz' not found"),
        ("lst[10]", "index out of range"),
        ("1 / 0", "division by zero"),
        ("'a' + 1", "TypeError"),
        ("lst.lower()", "not allowed on list values"),
        ("x()", "'x' is not a function"),
        ("len", "'len' is a function"),
        ("x[0]", "cannot index a int"),
    ],
)
def test_runtime_errors_are_expression_errors(expression, message):
    with pytest.raises(ExpressionError, match=message):
        ev(expression)


# --------------------------------------------------------------------------- scripts


def test_script_assignments_if_elif_and_augmented_assignment():
    data = {"uren": 10, "status": "nieuw", "d": {"n": 1}, "lst": [1, 2]}
    execute(
        "uren += 5\n"
        "d['n'] += 1\n"
        "d['nieuw'] = {'x': [1]}\n"
        "d['nieuw']['x'] = d['nieuw']['x'] + [2]\n"
        "lst[0] = 'eerste'\n"
        "a = b = 'zelfde'\n"
        "if uren > 20:\n"
        "    categorie = 'veel'\n"
        "elif uren > 10:\n"
        "    categorie = 'gemiddeld'\n"
        "    if status == 'nieuw':\n"
        "        status = 'in behandeling'\n"
        "else:\n"
        "    categorie = 'weinig'\n"
        "pass\n"
        "len(lst)\n",
        data,
    )
    assert data == {
        "uren": 15,
        "status": "in behandeling",
        "d": {"n": 2, "nieuw": {"x": [1, 2]}},
        "lst": ["eerste", 2],
        "a": "zelfde",
        "b": "zelfde",
        "categorie": "gemiddeld",
    }


def test_script_del_and_date_helpers():
    data = {"tmp": 1, "ontvangen": "2026-10-30"}
    execute("del tmp\ntermijn = termijn_einde(ontvangen, 'P8W')", data)
    assert data == {"ontvangen": "2026-10-30", "termijn": "2026-12-28"}


def test_long_elif_chain_is_not_counted_as_nesting():
    script = "if x == 0:\n    y = 0\n" + "".join(f"elif x == {i}:\n    y = {i}\n" for i in range(1, 120))
    data = {"x": 119}
    execute(script, data)
    assert data["y"] == 119


def test_failed_script_leaves_data_untouched():
    data = {"a": 0, "d": {"k": "oud"}}
    before = copy.deepcopy(data)
    with pytest.raises(ExpressionError, match="division by zero"):
        execute("a = 1\nd['k'] = 'nieuw'\nnieuw = 2\nb = 1 / 0", data)
    assert data == before


@pytest.mark.parametrize(
    "script, message",
    [
        ("s = {1, 2}", "type set"),
        ("t = {1: 'a'}", "not a string"),
        ("d['x'] = {1: 2}", "not a string"),
        ("moment = nu()", "type datetime"),
    ],
)
def test_only_json_data_can_be_stored(script, message):
    data = {"d": {}}
    with pytest.raises(ExpressionError, match=message):
        execute(script, data, {"nu": lambda: datetime(2026, 1, 1, tzinfo=UTC)})
    assert data == {"d": {}}


def test_functions_never_end_up_in_task_data():
    data = {"a": 1}
    SafeEnvironment({"nu": lambda: "2026-01-01"}).execute("b = nu()\nc = len('ab')", data, {"ext": 1})
    assert data == {"a": 1, "b": "2026-01-01", "c": 2}


def test_external_context_is_readable_but_not_writable_or_copied():
    env = SafeEnvironment()
    data = {"a": 1}
    external = {"ext": {"k": 1}}
    env.execute("b = ext['k']", data, external)
    assert data == {"a": 1, "b": 1}
    with pytest.raises(ExpressionError, match="not task data"):
        env.execute("ext['k'] = 2", data, external)
    env.execute("kopie = ext\nkopie['k'] = 3", data, external)
    assert external == {"ext": {"k": 1}}
    assert data["kopie"] == {"k": 3}


# --------------------------------------------------------------------------- refusals

# Refused before anything runs: check() rejects them as well.
STATIC_REFUSALS = [
    "__import__('os')",
    "__import__('os').system('touch /tmp/werkpad-pwned')",
    "().__class__.__mro__[1].__subclasses__()",
    "''.__class__",
    "x.__dict__",
    "x.real",
    "getattr(x, 'a')",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x=1')",
    "compile('1', 'f', 'eval')",
    "'{0.__class__}'.format(x)",
    "'%(a)s' % d",
    "f'{x.__class__}'",
    "f'{x}'",
    "lambda: 1",
    "[c for c in ()]",
    "{c: 1 for c in ()}",
    "(c for c in ())",
    "(y := 1)",
    "len(*lst)",
    "max(**d)",
    "{**d}",
    "globals()",
    "locals()",
    "type(1)",
    "vars()",
    "dir()",
    "__builtins__",
    "_x",
    "d.pop('a')",
    "lst.append(1)",
    "d.update({})",
    "x << 2",
    "x & 1",
    "~x",
    "x @ x",
    "x is 1",
    "b'bytes'",
    "1j",
    "...",
    "(lambda: 1)()",
    "d['a'].__class__",
    "sorted(lst, key=lambda v: v)",
    "len(lst, _x=1)",
]


@pytest.mark.parametrize("expression", STATIC_REFUSALS)
def test_static_refusals_have_no_side_effects(expression, tmp_path):
    calls = []
    names = copy.deepcopy(DATA)
    functions = {"spy": lambda *a: calls.append(a) or 0}
    # The spy comes first: a refused expression must not run at all.
    with pytest.raises(ExpressionError):
        evaluate(f"spy() + ({expression})", names, functions)
    with pytest.raises(ExpressionError):
        evaluate(expression, names, functions)
    with pytest.raises(ExpressionError):
        check(expression)
    assert calls == []
    assert names == DATA


RUNTIME_REFUSALS = [
    ("9**9**9", "exponent"),
    ("'a' * 10**9", "larger than"),
    ("[1] * 10**9", "larger than"),
    ("10**9 * 'a'", "larger than"),
    ("2**100", "10\\*\\*30"),
    ("10**30 * 10", "10\\*\\*30"),
    ("x ** 1000", "exponent"),
    ("fmt % d", "%-formatting"),
    ("(-8) ** 0.5", "complex"),
    ("str(many)", "larger than"),
    ("round(1, 10**9)", "ndigits"),
    ("sum([[1], [2]], [])", "needs numbers"),
    ("'x'.join(many)", "longer than"),
    ("big.replace('a', big)", "longer than"),
]


@pytest.mark.parametrize("expression, message", RUNTIME_REFUSALS)
def test_resource_limits(expression, message):
    with pytest.raises(ExpressionError, match=message):
        names = {"x": 2, "fmt": "%(a)s", "d": {"a": 1}, "big": "a" * 50_000, "many": ["a" * 1000] * 200}
        evaluate(expression, names)


def test_source_length_and_depth_limits():
    with pytest.raises(ExpressionError, match="longer than"):
        check("1 + " * 2600 + "1")
    with pytest.raises(ExpressionError, match="nested"):
        check("-" * 60 + "1")
    with pytest.raises(ExpressionError, match="nested"):
        check("[" * 60 + "]" * 60)
    # deep enough to exhaust the parser itself
    with pytest.raises(ExpressionError):
        check("-" * 5000 + "1")
    check("-" * 40 + "1")
    assert evaluate("-" * 40 + "1", {}) == 1


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "from os import system",
        "for i in range(10): pass",
        "while True: pass",
        "def f(): pass",
        "class K: pass",
        "try:\n    x = 1\nexcept Exception:\n    pass",
        "with open('f') as f: pass",
        "raise ValueError()",
        "assert False",
        "global x",
        "del d['a']",
        "_geheim = 1",
        "x.y = 1",
        "a, b = 1, 2",
        "lst[0:1] = [9]",
        "x: int = 1",
        "x + 1",
        "'docstring'",
        "x = lambda: 1",
        "x = 1\nimport os",
        "x = 1\nexec('y = 2')",
        "if x:\n    import os",
        "match x:\n    case 1:\n        pass",
        "d['__class__'].x = 1",
    ],
)
def test_script_refusals_have_no_side_effects(script):
    data = {"x": 1, "lst": [1, 2], "d": {"a": 1}}
    with pytest.raises(ExpressionError):
        execute(script, data)
    with pytest.raises(ExpressionError):
        check(script, mode="exec")
    assert data == {"x": 1, "lst": [1, 2], "d": {"a": 1}}


def test_string_doubling_in_a_script_is_capped():
    script = "s = 'x' * 1000\n" + "s = s + s\n" * 20
    data = {}
    with pytest.raises(ExpressionError, match="larger than"):
        execute(script, data)
    assert data == {}


def test_aliasing_cannot_inflate_stored_data():
    # Every step is small; only the shared references make the stored result huge.
    script = (
        "a = [0]\n"
        "b = [a, a, a, a, a, a, a, a, a, a]\n"
        "c = [b, b, b, b, b, b, b, b, b, b]\n"
        "d = [c, c, c, c, c, c, c, c, c, c]\n"
        "a[0] = 'x' * 90000\n"
    )
    data = {}
    with pytest.raises(ExpressionError, match="larger than"):
        execute(script, data)
    assert data == {}


def test_check_modes():
    check("x + 1")
    check("x = 1\ny = x", mode="exec")
    with pytest.raises(ExpressionError, match="syntax error"):
        check("x = 1")
    with pytest.raises(ExpressionError, match="mode"):
        check("x", mode="single")
    with pytest.raises(ExpressionError):
        check(None)


# --------------------------------------------------------------------------- SpiffWorkflow integration


def test_validate_keeps_the_dmn_contract():
    engine = SafeScriptEngine()
    for incomplete in ("< 30", ">= 80", "== 'x'"):
        with pytest.raises(SyntaxError):
            engine.validate(incomplete)
        engine.validate(f"v {incomplete}")
    engine.validate("'laag'")
    with pytest.raises(ExpressionError) as info:
        engine.validate("__import__('os')")
    assert not isinstance(info.value, SyntaxError)


def test_call_service_is_refused():
    with pytest.raises(ExpressionError, match="service"):
        SafeScriptEngine().call_service(None, operation_name="x", operation_params={})


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="defs" targetNamespace="http://werkpad.test/bpmn">
  <bpmn:process id="loonwaarde" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="bepaal" name="Bepaal categorie">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>loonwaarde_categorie</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:scriptTask id="bereken" name="Bereken termijn">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="f_anders"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f_intensief</bpmn:outgoing><bpmn:outgoing>f_anders</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="bepaal"/>
    <bpmn:sequenceFlow id="f2" sourceRef="bepaal" targetRef="bereken"/>
    <bpmn:sequenceFlow id="f3" sourceRef="bereken" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_intensief" sourceRef="gw" targetRef="pad_intensief">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_anders" sourceRef="gw" targetRef="pad_anders"/>
    <bpmn:scriptTask id="pad_intensief"><bpmn:incoming>f_intensief</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:script>pad = 'intensief'</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="pad_anders"><bpmn:incoming>f_anders</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing><bpmn:script>pad = 'anders'</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="eind1"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="eind2"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="pad_intensief" targetRef="eind1"/>
    <bpmn:sequenceFlow id="f5" sourceRef="pad_anders" targetRef="eind2"/>
  </bpmn:process>
</bpmn:definitions>
"""

SCRIPT = """termijn = termijn_einde(datum_aanvraag, 'P8W')
teller = 0
teller += begeleiding_uren
if categorie == 'laag':
    ondersteuning = 'intensief'
elif categorie == 'midden':
    ondersteuning = 'regulier'
else:
    ondersteuning = 'geen'"""

CONDITION = "ondersteuning == 'intensief' and teller &gt;= 8"

# Input entries in the three forms SpiffWorkflow's DMN engine supports:
# '< 30' (operator prefix), '30 <= ? < 80' (placeholder) and '"lks"' (equality).
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_defs" name="Loonwaarde"
             namespace="http://werkpad.test/dmn">
  <decision id="loonwaarde_categorie" name="Loonwaarde categorie">
    <decisionTable id="tabel" hitPolicy="UNIQUE">
      <input id="in_pct" label="Loonwaarde (%)">
        <inputExpression id="ie_pct" typeRef="number"><text>loonwaarde_pct</text></inputExpression>
      </input>
      <input id="in_regeling" label="Regeling">
        <inputExpression id="ie_regeling" typeRef="string"><text>regeling</text></inputExpression>
      </input>
      <output id="out_cat" label="Categorie" name="categorie" typeRef="string"/>
      <output id="out_uren" label="Uren" name="begeleiding_uren" typeRef="number"/>
      <rule id="r1">
        <inputEntry id="r1a"><text>&lt; 30</text></inputEntry>
        <inputEntry id="r1b"><text>-</text></inputEntry>
        <outputEntry id="r1c"><text>"laag"</text></outputEntry>
        <outputEntry id="r1d"><text>8</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2a"><text>30 &lt;= ? &lt; 80</text></inputEntry>
        <inputEntry id="r2b"><text>-</text></inputEntry>
        <outputEntry id="r2c"><text>"midden"</text></outputEntry>
        <outputEntry id="r2d"><text>max(2, round((80 - loonwaarde_pct) / 10))</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="r3a"><text>&gt;= 80</text></inputEntry>
        <inputEntry id="r3b"><text>"lks"</text></inputEntry>
        <outputEntry id="r3c"><text>"hoog"</text></outputEntry>
        <outputEntry id="r3d"><text>1</text></outputEntry>
      </rule>
      <rule id="r4">
        <inputEntry id="r4a"><text>&gt;= 80</text></inputEntry>
        <inputEntry id="r4b"><text>-</text></inputEntry>
        <outputEntry id="r4c"><text>"geen"</text></outputEntry>
        <outputEntry id="r4d"><text>0</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def make_workflow(tmp_path, script=SCRIPT, condition=CONDITION, engine=None, r4_uren="0"):
    bpmn = tmp_path / "loonwaarde.bpmn"
    dmn = tmp_path / "loonwaarde.dmn"
    bpmn.write_text(BPMN.replace("SCRIPT", script).replace("CONDITION", condition), encoding="utf-8")
    dmn.write_text(DMN.replace('"r4d"><text>0<', f'"r4d"><text>{r4_uren}<'), encoding="utf-8")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(bpmn))
    parser.add_dmn_file(str(dmn))
    spec = parser.get_spec("loonwaarde")
    subprocess_specs = parser.get_subprocess_specs("loonwaarde")
    return BpmnWorkflow(spec, subprocess_specs, script_engine=engine or SafeScriptEngine())


def start(workflow, **data):
    [first] = workflow.get_tasks(state=TaskState.READY)
    first.data.update(data)
    return first


@pytest.fixture
def no_eval(monkeypatch):
    """Make any use of eval/exec during the test fail loudly."""

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec was called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)


@pytest.mark.parametrize(
    "pct, regeling, categorie, uren, pad",
    [
        (25, "x", "laag", 8, "intensief"),
        (30, "x", "midden", 5, "anders"),
        (79.9, "lks", "midden", 2, "anders"),
        (80, "lks", "hoog", 1, "anders"),
        (95, "x", "geen", 0, "anders"),
    ],
)
def test_dmn_script_and_gateway_run_through_spiffworkflow(
    tmp_path, no_eval, pct, regeling, categorie, uren, pad
):
    workflow = make_workflow(tmp_path)
    start(workflow, loonwaarde_pct=pct, regeling=regeling, datum_aanvraag="2026-10-30")
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["categorie"] == categorie
    assert workflow.data["begeleiding_uren"] == uren
    assert workflow.data["teller"] == uren
    assert workflow.data["termijn"] == "2026-12-28"  # 2026-12-25 is Eerste Kerstdag
    assert workflow.data["pad"] == pad
    assert "termijn_einde" not in workflow.data and "dmninputexpr" not in workflow.data


def test_extra_functions_reach_scripts(tmp_path):
    engine = SafeScriptEngine(extra_functions={"vandaag": lambda: "2026-03-09"})
    script = "termijn = termijn_einde(vandaag(), 'P4W')"
    workflow = make_workflow(tmp_path, script=script, condition="False", engine=engine)
    start(workflow, loonwaarde_pct=10, regeling="x")
    workflow.do_engine_steps()
    assert workflow.data["termijn"] == "2026-04-07"
    assert "vandaag" not in workflow.data


@pytest.mark.parametrize(
    "script, condition, failing_task",
    [
        ("x = 1\nimport os", "True", "bereken"),
        ("x = 1\nfor i in range(3):\n    x = i", "True", "bereken"),
        ("x = ().__class__", "True", "bereken"),
        ("x = 1\ny = 1 / 0", "True", "bereken"),
        ("x = 1", "().__class__.__mro__", "gw"),
        ("x = 1", "__import__('os')", "gw"),
        ("x = 1", "onbekend == 1", "gw"),
    ],
)
def test_refusals_in_a_process_surface_as_workflow_task_exceptions(tmp_path, script, condition, failing_task):
    workflow = make_workflow(tmp_path, script=script, condition=condition)
    start(workflow, loonwaarde_pct=10, regeling="x")
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert isinstance(info.value.__cause__, ExpressionError)
    assert info.value.task.task_spec.name == failing_task
    # a failing script changes nothing; a script that succeeded did its work
    assert ("x" in info.value.task.data) is (failing_task == "gw")


def test_script_error_reports_line_number(tmp_path):
    workflow = make_workflow(tmp_path, script="a = 1\nb = onbekend", condition="True")
    start(workflow, loonwaarde_pct=10, regeling="x")
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert info.value.line_number == 2
    assert info.value.error_line == "b = onbekend"
    assert "unknown name 'onbekend'" in str(info.value)
    assert "a" not in info.value.task.data  # the failed script changed nothing


@pytest.mark.parametrize("cell", ["().__class__", "__import__('os').getcwd()", "open('/etc/passwd')"])
def test_forbidden_dmn_output_cell_is_refused(tmp_path, cell):
    workflow = make_workflow(tmp_path, r4_uren=cell)
    start(workflow, loonwaarde_pct=95, regeling="x")
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert isinstance(info.value.__cause__, ExpressionError)
    assert info.value.task.task_spec.name == "bepaal"
    assert "categorie" not in info.value.task.data


def test_optional_fields_can_be_asked_for_by_name():
    from engine.core.expressions import evaluate as ev

    assert ev('waarde("doelgroepen", [])', {}) == []
    assert ev('"dakloos" in waarde("doelgroepen", [])', {"doelgroepen": ["dakloos"]}) is True
    assert ev('bekend("trede")', {"trede": 0}) is True
    assert ev('bekend("trede")', {}) is False
    assert ev('waarde("x")', {}) is None


@pytest.mark.parametrize("expr", ['waarde("_geheim")', 'waarde(1)', 'bekend("a", "b")', 'waarde("a", 1, 2)',
                                  'waarde(naam="a")'])
def test_optional_field_functions_refuse_odd_use(expr):
    from engine.core.expressions import evaluate as ev

    with pytest.raises(ExpressionError):
        ev(expr, {"a": 1, "_geheim": 2})


def test_calendar_functions_count_equated_days():
    from datetime import date

    from engine.core.expressions import evaluate, gelijkgestelde_dagen

    assert evaluate('termijn_einde("2027-01-04", "P8W")', {}) == "2027-03-01"
    with gelijkgestelde_dagen({date(2027, 3, 1)}):
        assert evaluate('termijn_einde("2027-01-04", "P8W")', {}) == "2027-03-02"
        assert evaluate('volgende_werkdag("2027-03-01")', {}) == "2027-03-02"
        assert evaluate('werkdagen_na("2027-02-26", 1)', {}) == "2027-03-02"
    assert evaluate('volgende_werkdag("2027-03-01")', {}) == "2027-03-01"
