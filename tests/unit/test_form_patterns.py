"""A field with a ``pattern`` (a postcode) refuses a value of another form with words the user can act
on: the designer's own (``x-patroonfout``), else a pointer to the field's help text; never only "wrong"."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.core.forms import FormRegistry
from engine.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def _form(**postcode) -> FormRegistry:
    doc = {"title": "Proef", "type": "object", "properties": {
        "postcode": {"type": "string", "title": "Postcode", "pattern": "^[1-9][0-9]{3} ?[A-Za-z]{2}$", **postcode}}}
    return FormRegistry.from_sources({"proef": json.dumps(doc)})


def _error(registry: FormRegistry, value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        registry.get("proef").validate({"postcode": value})
    return " ".join(str(m) for m in caught.value.fields["postcode"])


def test_the_designers_words_are_the_error():
    registry = _form(**{"x-patroonfout": "Vul de postcode in als vier cijfers en twee letters, bijvoorbeeld 8715 AB."})
    assert _error(registry, "871 AB") == "Vul de postcode in als vier cijfers en twee letters, bijvoorbeeld 8715 AB."
    assert registry.get("proef").validate({"postcode": "8715 ab"}) == {"postcode": "8715 ab"}


def test_without_them_the_error_points_at_the_help_text_or_says_the_form_is_wrong():
    assert "zie de uitleg bij het veld" in _error(_form(description="Vier cijfers en twee letters."), "banaan")
    assert _error(_form(), "banaan") == "Waarde heeft niet de juiste vorm."
    assert "zie de uitleg" not in _error(_form(**{"x-patroonfout": "  "}), "banaan")


def test_the_postcode_of_sudwest_fryslan_says_how_to_write_it():
    source = (ROOT / "forms" / "sudwest_fryslan" / "sudwest_fryslan_routeren.json").read_text(encoding="utf-8")
    vocabulary = (ROOT / "forms" / "vocabulaire.json").read_text(encoding="utf-8")
    registry = FormRegistry.from_sources({"proef": source}, vocabulary)
    data = {"postcode": "87 15AB", "woonkern": "sneek", "gebiedsteam": "sneek"}
    with pytest.raises(ValidationError) as caught:
        registry.get("proef").validate(data)
    assert "vier cijfers en twee letters" in " ".join(str(m) for m in caught.value.fields["postcode"])


def test_the_form_builders_shapes_accept_their_own_examples_and_refuse_others():
    """Each 'Vorm' the form builder offers (web/static/js/formulierbouwer.js) is a pattern Python's form
    check can use, which accepts the example its message gives ("bijvoorbeeld …") and refuses nonsense."""
    import re

    script = (ROOT / "web" / "static" / "js" / "formulierbouwer.js").read_text(encoding="utf-8")
    block = script[script.index("var SHAPES = ["):script.index("];", script.index("var SHAPES = ["))]
    shapes = re.findall(r"\['(\w+)', '[^']+', '((?:[^'\\]|\\.)+)',\s*'([^']+)'\]", block)
    assert [s[0] for s in shapes] == ["postcode", "telefoon", "email", "iban", "kvk", "tijd"]
    assert "['bsn', 'BSN', null, null, 'bsn']" in block  # a format of the server's, tested below
    for key, pattern_js, message in shapes:
        pattern = pattern_js.replace("\\\\", "\\")  # the JavaScript string's escapes
        examples = re.split(r" of ", message.split("bijvoorbeeld ", 1)[1].rstrip("."))
        registry = _form(pattern=pattern, **{"x-patroonfout": message})
        for example in examples:
            assert registry.get("proef").validate({"postcode": example}) == {"postcode": example}, (key, example)
        assert _error(registry, "banaan") == message, key


def _bsn_form(required: bool = False) -> FormRegistry:
    doc = {"title": "Proef", "type": "object", "properties": {
        "bsn_partner": {"type": "string", "title": "BSN van de partner", "format": "bsn"}},
        "required": ["bsn_partner"] if required else []}
    return FormRegistry.from_sources({"proef": json.dumps(doc)})


@pytest.mark.parametrize("typed,stored", [("111222333", "111222333"), ("111 222 333", "111222333"),
                                          ("111.222.333", "111222333"), ("12345672", "012345672")])
def test_a_bsn_field_takes_the_ways_people_write_one_and_stores_the_nine_digits(typed, stored):
    assert _bsn_form().get("proef").validate({"bsn_partner": typed}) == {"bsn_partner": stored}


@pytest.mark.parametrize("typed", ["111222334", "000000000", "11122233", "1112223330", "11122233a", "banaan",
                                   "111-222-333", "１１１２２２３３３"])
def test_a_bsn_that_fails_the_elfproef_or_is_no_number_is_refused_in_words(typed):
    with pytest.raises(ValidationError) as caught:
        _bsn_form().get("proef").validate({"bsn_partner": typed})
    said = " ".join(str(m) for m in caught.value.fields["bsn_partner"])
    assert said.startswith("Vul een geldig BSN in: negen cijfers die de elfproef doorstaan")


def test_an_unknown_format_is_still_refused_when_the_form_is_read():
    from engine.errors import DefinitionError

    doc = {"title": "Proef", "type": "object", "properties": {"x": {"type": "string", "format": "kenteken"}}}
    with pytest.raises(DefinitionError, match="format 'kenteken' wordt niet ondersteund"):
        FormRegistry.from_sources({"proef": json.dumps(doc)}).get("proef")
