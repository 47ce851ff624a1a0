"""The reason a case goes in error, as a teamleider reads it (engine/app/repository.py ``why``):
what the failure means in words, not the name of a Python exception."""
from __future__ import annotations

import json

import pytest

from engine.app.repository import why


def _raised(action) -> BaseException:
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - every kind is a case's reason here
        return exc
    raise AssertionError("raised nothing")


@pytest.mark.parametrize("action, says", [
    (lambda: {}["workflow"], "een onderdeel ontbreekt: 'workflow'"),
    (lambda: json.loads("niet eens json"), "geen leesbare JSON"),
    (lambda: b"\xff".decode("utf-8"), "geen leesbare tekst"),
    (lambda: [][3], "een onderdeel ontbreekt: list index out of range"),
    (lambda: int("banaan"), "een ongeldige waarde: invalid literal for int() with base 10: 'banaan'"),
    (lambda: 1 / 0, "een berekening kan niet: division by zero"),
    (lambda: None + 1, "een gegeven heeft de verkeerde vorm: "),
])
def test_a_failure_is_said_in_words(action, says):
    assert why(_raised(action)).startswith(says)


def test_an_unforeseen_failure_still_names_itself_and_is_one_line():
    class Vreemd(Exception):
        pass

    assert why(Vreemd("regel een\nregel twee")) == "onverwachte fout (Vreemd: regel een)"
    assert why(Vreemd()) == "onverwachte fout (Vreemd)"
    assert why(KeyError()) == "een onderdeel ontbreekt"
