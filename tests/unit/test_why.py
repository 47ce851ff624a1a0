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


@pytest.mark.parametrize("stored, shown", [
    ("de opgeslagen toestand van de zaak is onleesbaar (KeyError: 'workflow')",
     "de opgeslagen toestand van de zaak is onleesbaar (een onderdeel ontbreekt: 'workflow')"),
    ("de opgeslagen toestand van de zaak is onleesbaar (JSONDecodeError: Expecting value: line 1 column 1 (char 0))",
     "de opgeslagen toestand van de zaak is onleesbaar (geen leesbare JSON)"),
    ("de procesversie van de zaak kan niet worden geladen (UnicodeDecodeError: 'utf-8' codec can't decode)",
     "de procesversie van de zaak kan niet worden geladen (geen leesbare tekst)"),
    ("timer kon niet afgaan: ZeroDivisionError: division by zero",
     "timer kon niet afgaan: een berekening kan niet: division by zero"),
    ("te diep (RecursionError)", "te diep (te diep genest)"),
    # today's reasons, other words and unforeseen kinds stay as they are
    ("de opgeslagen toestand van de zaak is onleesbaar (een onderdeel ontbreekt: 'workflow')",
     "de opgeslagen toestand van de zaak is onleesbaar (een onderdeel ontbreekt: 'workflow')"),
    ("onverwachte fout (Vreemd: regel een)", "onverwachte fout (Vreemd: regel een)"),
    ("een KeyErrorachtig woord", "een KeyErrorachtig woord"),
    ("", ""), (None, None),
])
def test_a_reason_stored_before_the_words_is_shown_in_words(stored, shown):
    from engine.app.repository import reason_in_words

    assert reason_in_words(stored) == shown
