"""Limits a user can understand: refused with a clear message, never a crash or a stall."""
from __future__ import annotations

import time

import pytest

from engine.core.expressions import ExpressionError, evaluate, execute
from engine.core.runtime import check_json_safe
from engine.errors import ValidationError


def test_a_flat_sum_is_not_nesting():
    assert evaluate(" + ".join(["1"] * 51), {}) == 51
    assert evaluate(" + ".join(["x"] * 2000), {"x": 2}) == 4000
    assert evaluate(" - ".join(["1"] * 300), {}) == -298


def test_real_nesting_is_still_refused():
    with pytest.raises(ExpressionError, match="nested more than"):
        evaluate("-" * 60 + "1", {})


@pytest.mark.parametrize("expression", ["int('9' * 4000)", "int('9' * 40)", "float('nan')", "float('inf')",
                                        "1e308 * 10", "int(float('1e300'))"])
def test_numbers_stay_within_bounds(expression):
    with pytest.raises(ExpressionError):
        evaluate(expression, {})


def test_int_of_reasonable_text_still_works():
    assert evaluate("int('123') + int(4.7)", {}) == 127
    assert evaluate("float('2.5') * 2", {}) == 5.0


def test_calendar_work_per_script_is_bounded():
    script = "\n".join(f"d{i} = werkdagen_na(d, 10000)" for i in range(270))
    started = time.process_time()
    with pytest.raises(ExpressionError, match="calendar"):
        execute(script, {"d": "2026-01-05"})
    assert time.process_time() - started < 3.0  # refused after a few calls, not after all 270
    names: dict = {}
    execute("a = werkdagen_na('2026-01-05', 10)\nb = werkdagen_na(a, 5)", names)
    assert names["b"] == "2026-01-26"


def test_a_deeply_nested_list_cannot_be_stored():
    script = "a = []\n" + "a = [a]\n" * 1240
    with pytest.raises((ExpressionError, ValidationError)):
        names: dict = {}
        execute(script, names)
        check_json_safe(names)


def test_stored_data_depth_and_text_are_checked():
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValidationError, match="genest"):
        check_json_safe({"x": deep})
    with pytest.raises(ValidationError, match="ongeldige tekens"):
        check_json_safe({"naam": "\ud800"})
    with pytest.raises(ValidationError, match="typename"):
        check_json_safe({"x": {"typename": "BpmnWorkflow", "x": 1}})
