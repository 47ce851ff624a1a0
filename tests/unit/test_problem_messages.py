"""A check's finding is a translatable text (engine.core.messages.Msg): the Dutch text it always was,
with its template and values, kept when it is stored as JSON; a stored problem without them (or whose
template no longer gives the stored text) comes back as the text it is."""
from __future__ import annotations

import json

import pytest

from engine.core.checks import dutch, reason
from engine.core.expressions import ExpressionError, check
from engine.core.messages import Msg
from engine.core.problems import Problem, joined, message_from_dict

from .test_checks import BASE, _no_default, _problems


def _stored(problem: Problem) -> dict:
    return json.loads(json.dumps(problem.to_dict()))


def test_every_finding_of_the_checks_is_a_msg_and_survives_storing():
    broken = _no_default('route == "werk"', 'route == "anders"')  # a gateway that can let a case stick
    broken = broken.replace('<bpmn:sequenceFlow id="f_werk" name="Werk" sourceRef="gw_route" targetRef="einde_werk">',
                            '<bpmn:sequenceFlow id="f_werk" name="Werk" sourceRef="gw_route" targetRef="taak_intake">')
    problems = _problems(broken)
    assert len(problems) >= 2
    for problem in problems:
        assert isinstance(problem.message, Msg), problem.message
        stored = _stored(problem)
        assert stored["message"] == problem.message and stored["template"] == problem.message.template
        back = message_from_dict(stored)
        assert isinstance(back, Msg) and back == problem.message and back.params == problem.message.params


def test_a_reason_within_a_finding_is_stored_with_its_own_template():
    inner = Msg("%(invoer)s wordt geweigerd: %(reden)s", invoer="'x'", reden=reason("syntax error: invalid syntax"))
    problem = Problem(Msg("beslistabel %(beslissing)s, regel %(regel)s, kolom %(kolom)s: %(reden)s",
                          beslissing="(t)", regel=3, kolom=1, reden=inner), "r3", "t.dmn")
    stored = _stored(problem)
    assert stored["message"] == "beslistabel (t), regel 3, kolom 1: 'x' wordt geweigerd: syntaxfout: invalid syntax"
    back = message_from_dict(stored)
    assert back == stored["message"] and back.params["regel"] == 3
    within = back.params["reden"]
    assert isinstance(within, Msg) and within.template == inner.template
    assert isinstance(within.params["reden"], Msg) and within.params["reden"].template == "syntaxfout%(waar)s: %(fout)s"
    assert str(problem) == "t.dmn: " + stored["message"] and type(str(problem)) is str
    assert problem.text().template == "%(bestand)s: %(melding)s"


@pytest.mark.parametrize("stored", [
    {"message": "een melding van vroeger", "element": "x", "file": None},  # stored before templates were kept
    {"message": "een melding van vroeger", "template": "%(a)s en meer", "params": {"a": "iets"}},  # changed since
    {"message": "een melding van vroeger", "template": "%(a)s", "params": {}},  # a value gone missing
    {"message": "een melding van vroeger", "template": 5, "params": None},
])
def test_a_stored_problem_without_a_usable_template_comes_back_as_the_text_it_is(stored):
    back = message_from_dict(stored)
    assert back == "een melding van vroeger" and not isinstance(back, Msg)


def test_joined_keeps_each_text_as_a_value():
    texts = [Msg("regel %(nummer)s", nummer=2), "100% zeker", Msg("en nog %(aantal)s", aantal=3)]
    line = joined(texts)
    assert line == "regel 2; 100% zeker; en nog 3"
    assert list(line.params.values()) == texts
    assert joined([]) == "" and joined(["a", "b"], ", ") == "a, b"


@pytest.mark.parametrize("expression,template", [
    ('"P3D', "syntaxfout%(waar)s: %(fout)s"),
    ("_x + 1", "namen die met '_' beginnen zijn niet toegestaan%(rest)s"),
    ("a.__class__", "toegang tot het verborgen attribuut %(naam)s is niet toegestaan%(rest)s"),
    ('"a".upper2()', "methode %(naam)s is niet toegestaan%(rest)s"),
    ("[x for x in y]", "een comprehension (lijstopbouw met for) is niet toegestaan%(rest)s"),
    ('b"x"', "%(soort)s letterlijke waarden zijn niet toegestaan%(rest)s"),
    ("open(1)", "%(wat)s is niet toegestaan%(rest)s"),
    ("lambda: 1", "%(wat)s is niet toegestaan%(rest)s"),
    ("a" * 20000, "%(wat)s is langer dan %(aantal)s tekens%(rest)s"),
    ("not " * 300 + "x", None),  # in English already: no Dutch word in it, no template
    ("1 +" * 10 + " (", "syntaxfout%(waar)s: %(fout)s"),
])
def test_the_checkers_reason_has_a_template_and_the_same_dutch_text(expression, template):
    with pytest.raises(ExpressionError) as refused:
        check(expression, "eval")
    found = reason(refused.value.message)
    assert found == dutch(refused.value.message)  # the Dutch text is unchanged
    assert (found.template if isinstance(found, Msg) else None) == template


def test_the_base_fixture_has_no_problems():  # the starting point the first test breaks
    assert _problems(BASE) == []


def test_a_reason_the_parser_gives_up_on_has_a_template_too():
    found = reason("expression is too deeply nested")
    assert found == "expression is te diep genest" == dutch("expression is too deeply nested")
    assert isinstance(found, Msg) and found.template == "%(wat)s is te diep genest%(rest)s"
