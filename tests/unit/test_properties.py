"""Property-based tests of the two places where authors' and users' input meets code:

* form validation: random field schemas and random submitted data give either clean,
  JSON-safe data or field errors (ValidationError) — never another exception; a schema
  the engine cannot use is refused when the form is loaded (DefinitionError);
* the expression language: random expressions — from a grammar of the allowed subset and
  beyond it, and random text — give a value or ExpressionError, never another exception,
  and within a time limit (the resource limits hold).
"""
from __future__ import annotations

import json
import string
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.expressions import ExpressionError, evaluate, execute
from engine.core.forms import FormRegistry
from engine.errors import DefinitionError, ValidationError

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True, database=None)

# ---------------------------------------------------------------------- forms
NAMES = st.sampled_from(["a", "b", "bedrag", "datum", "keuze", "lijst", "tekst", "trede", "crisis"])
JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                        st.sampled_from(["", " ", "12", "12,5", "1.000,50", "2026-02-30", "2026-01-05", "nan",
                                         "inf", "1e999", "-0", "ja", "true", "0x10", "٣"]))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)


@st.composite
def field_schema(draw) -> dict:
    kind = draw(st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "date", None]))
    prop: dict = {"title": draw(st.text(max_size=10))}
    if kind == "date":
        prop.update(type="string", format="date")
    elif kind is not None:
        prop["type"] = kind
    if kind in ("integer", "number") and draw(st.booleans()):
        prop["minimum"] = draw(st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)))
    if kind in ("integer", "number") and draw(st.booleans()):
        prop["maximum"] = draw(st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)))
    if kind == "string" and draw(st.booleans()):
        prop["maxLength"] = draw(st.integers(-1, 50))
    if kind == "string" and draw(st.booleans()):
        prop["minLength"] = draw(st.integers(-1, 5))
    if kind == "string" and draw(st.booleans()):
        prop["pattern"] = draw(st.sampled_from([r"^\d{4}$", r"[a-z]+", r"(", r"^(a+)+$", r".*"]))
    if draw(st.booleans()):
        prop["enum"] = draw(st.lists(JSON_SCALAR, max_size=4))
    if kind == "array":
        prop["items"] = draw(st.one_of(st.just({}), st.builds(lambda e: {"type": "string", "enum": e},
                                                                      st.lists(st.text(max_size=5), max_size=4))))
        if draw(st.booleans()):
            prop["minItems"] = draw(st.integers(-1, 3))
    if draw(st.integers(0, 9)) == 0:
        prop = draw(JSON_VALUE)  # not even a dict
    return prop


@st.composite
def form_doc(draw) -> dict:
    props = draw(st.dictionaries(NAMES, field_schema(), max_size=5))
    doc: dict = {"type": "object", "title": "Formulier", "properties": props}
    if props and draw(st.booleans()):
        doc["required"] = draw(st.lists(st.sampled_from(sorted(props)), unique=True))
    return doc


@SETTINGS
@given(doc=form_doc(), data=st.one_of(st.dictionaries(NAMES, JSON_VALUE, max_size=6), JSON_VALUE))
def test_form_validation_gives_data_or_field_errors(doc, data):
    # found: an invalid ``pattern`` raised re.error while loading; now a DefinitionError
    try:
        registry = FormRegistry.from_sources({"formulier": json.dumps(doc)})
    except DefinitionError:
        return  # a schema the engine cannot use is refused when it is deployed
    form = registry.get("formulier")
    try:
        cleaned = form.validate(data)
    except ValidationError as exc:
        assert exc.fields, "a refusal names the fields"
        assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in exc.fields.values())
        return
    assert isinstance(cleaned, dict)
    assert set(cleaned) <= set(doc["properties"])
    json.dumps(cleaned, allow_nan=False)  # stored as JSON: no NaN, no infinity, no dates
    for name in doc.get("required", []):
        assert name in cleaned


# ---------------------------------------------------------------------- expressions
DATA = {"a": 3, "b": 2.5, "s": "tekst", "lijst": [1, 2, 3], "d": {"k": 1, "l": [1]}, "leeg": None,
        "datum": "2026-01-05", "waar": True}
ATOMS = st.one_of(
    st.sampled_from(sorted(DATA) + ["onbekend", "_geheim", "__import__", "True", "None"]),
    st.integers(-10**6, 10**6).map(str), st.sampled_from(["10**30", "9**99", "1e308", "0.0", "'x'", "''", "[]",
                                                           "{}", "()", "'2026-02-28'", "'P1M'", "-1"]),
    st.text(alphabet=string.ascii_letters + "éß ", max_size=6).map(repr))
BINOPS = ["+", "-", "*", "/", "//", "%", "**", "and", "or", "<", "<=", "==", "!=", ">", "in", "not in", "is",
          "is not", "&", "|", "<<", ">>", "@"]
CALLS = ["len", "min", "max", "abs", "round", "int", "float", "str", "sum", "datum", "plus_duur", "termijn_einde",
         "werkdagen_na", "volgende_werkdag", "dagen_tussen", "leeftijd", "bekend", "waarde", "eval", "open",
         "getattr", "type", "sorted", "range"]
METHODS = ["upper", "lower", "strip", "split", "replace", "join", "get", "keys", "values", "items", "startswith",
           "count", "index", "format", "__class__", "mro", "isoformat", "year"]


def _expressions():
    return st.recursive(ATOMS, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(BINOPS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["not ", "-", "+", "~"]), inner).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(st.sampled_from(CALLS), st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, st.sampled_from(METHODS), st.lists(inner, max_size=2))
        .map(lambda t: f"{t[0]}.{t[1]}({', '.join(t[2])})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
        st.tuples(inner, inner).map(lambda t: f"{{{t[0]}: {t[1]}}}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}:]"),
        inner.map(lambda x: f"[y for y in {x}]"),
        inner.map(lambda x: f"(lambda: {x})()"),
    ), max_leaves=12)


def _within(seconds: float, run) -> None:
    t0 = time.perf_counter()
    try:
        run()
    except ExpressionError:
        pass
    assert time.perf_counter() - t0 < seconds, "an expression must stay within its resource limits"


@SETTINGS
@given(source=st.one_of(_expressions(), st.text(max_size=60)))
def test_expressions_give_a_value_or_expression_error(source):
    _within(2.0, lambda: evaluate(source, dict(DATA)))


@SETTINGS
@given(lines=st.lists(st.tuples(st.sampled_from(["x", "a", "lijst", "d['k']", "_x", "a.b"]),
                                st.sampled_from(["=", "+=", "*=", "-="]), _expressions()), max_size=4),
       branch=st.booleans())
def test_scripts_change_data_only_when_they_succeed(lines, branch):
    body = [f"{target} {op} {expr}" for target, op, expr in lines] or ["pass"]
    script = ("if waar:\n    " + "\n    ".join(body)) if branch else "\n".join(body)
    names = json.loads(json.dumps(DATA))
    before = json.dumps(names, sort_keys=True)
    t0 = time.perf_counter()
    try:
        execute(script, names)
        failed = False
    except ExpressionError:
        failed = True
    assert time.perf_counter() - t0 < 2.0, "a script must stay within its resource limits"
    if failed:
        assert json.dumps(names, sort_keys=True) == before  # a failing script changes nothing
    json.dumps(names, allow_nan=False)  # what a script stores is JSON


def test_an_invalid_pattern_is_refused_when_the_form_is_loaded():
    doc = {"type": "object", "properties": {"code": {"type": "string", "pattern": "("}}}
    try:
        FormRegistry.from_sources({"formulier": json.dumps(doc)})
    except DefinitionError as exc:
        assert "pattern" in exc.message
    else:
        raise AssertionError("an invalid pattern must be refused")
