"""JSON answers are written with orjson (web/json_answers.py): the same JSON as Flask's own
provider, whatever the values; what orjson refuses is written by Flask as before."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from web.json_answers import JsonAnswers

plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


def _both(value):
    ours, theirs = Flask("ours"), Flask("theirs")
    ours.json = JsonAnswers(ours)
    theirs.json = DefaultJSONProvider(theirs)
    with ours.app_context():
        a = jsonify(value)
    with theirs.app_context():
        b = jsonify(value)
    return a, b


@settings(max_examples=200, deadline=None)
@given(plain)
def test_the_same_json_as_flask_writes(value):
    a, b = _both(value)
    assert a.mimetype == b.mimetype == "application/json"
    assert json.loads(a.get_data()) == json.loads(b.get_data())


def test_dates_decimals_and_sorted_keys_as_flask_writes_them():
    value = {"z": 1, "a": {"moment": datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "dag": date(2026, 12, 1)},
             "bedrag": Decimal("12.50"), "naam": "Zoë Ëlsbroek"}
    a, b = _both(value)
    assert json.loads(a.get_data()) == json.loads(b.get_data())
    text = a.get_data(as_text=True)
    assert text.index('"a"') < text.index('"bedrag"') < text.index('"naam"') < text.index('"z"')
    assert "Zoë" in text  # written as itself, not escaped


@pytest.mark.parametrize("value", [{"groot": 10**30}, {"los": "\ud800"}, {1: "sleutel geen tekst"}])
def test_what_orjson_refuses_flask_writes_as_before(value):
    a, b = _both(value)
    assert a.get_data() == b.get_data()
