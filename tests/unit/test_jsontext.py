"""A case's state as JSON text: orjson where it can, the standard library where orjson refuses;
either way the same value comes back, and what the standard library refuses stays refused."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from engine.storage import jsontext


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, None, True, "tekst"], "b": {"c": "é ü € \u2028"}},
    {"groot": 10 ** 29, "negatief": -(2 ** 63) - 1},   # past 64 bits: the fallback
    {"los": "\ud800"},                                  # a lone surrogate: the fallback
    [],
    {"diep": [[[[{"x": 1}]]]]},
])
def test_the_same_value_comes_back(value):
    text = jsontext.compact(value)
    assert json.loads(text) == value
    assert " " not in text.replace("é ü € ", "")  # compact, like separators=(",", ":")


@dataclass
class _Ding:
    x: int


@pytest.mark.parametrize("value", [{"d": date(2026, 11, 30)}, {"t": datetime(2026, 11, 30, 12)}, {"o": _Ding(1)},
                                   {"s": {1, 2}}])
def test_what_json_cannot_hold_is_refused_as_before(value):
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        jsontext.compact(value)
