"""A text asked in a form (a postcode) tells the consultant that form on the task page before anything
is typed — the designer's message under the field, tied to the box for screen readers — and after a
refusal the error says it instead of both."""
from __future__ import annotations

from flask import render_template_string

from web.formulieren import fields_for

SCHEMA = {"type": "object", "properties": {
    "postcode": {"type": "string", "title": "Postcode", "pattern": "^[1-9][0-9]{3} ?[A-Za-z]{2}$",
                 "x-patroonfout": "Vul de postcode in als vier cijfers en twee letters, bijvoorbeeld 1234 AB."},
    "vrij": {"type": "string", "title": "Vrije tekst", "x-patroonfout": "zonder patroon betekent dit niets"}}}
MESSAGE = "Vul de postcode in als vier cijfers en twee letters, bijvoorbeeld 1234 AB."


def _html(client, errors=None) -> str:
    with client.application.test_request_context():
        return render_template_string('{% from "_velden.html" import veld %}{% for f in fs %}{{ veld(f) }}{% endfor %}',
                                      fs=fields_for(SCHEMA, {}, errors))


def test_the_form_asked_is_said_before_typing_and_tied_to_the_box(client):
    page = _html(client)
    assert page.count(MESSAGE) == 1 and 'id="veld-postcode-vorm"' in page
    assert 'aria-describedby="veld-postcode-vorm"' in page
    assert "zonder patroon betekent dit niets" not in page  # a message without a pattern says nothing


def test_after_a_refusal_the_error_says_it_once(client):
    page = _html(client, {"postcode": [MESSAGE]})
    assert page.count(MESSAGE) == 1 and 'id="veld-postcode-fout"' in page and "veld-postcode-vorm" not in page


def test_a_bsn_field_asks_for_digits_and_says_the_elfproef(client):
    schema = {"type": "object", "properties": {"bsn_partner": {"type": "string", "title": "BSN van de partner",
                                                               "format": "bsn"}}}
    with client.application.test_request_context():
        page = render_template_string('{% from "_velden.html" import veld %}{% for f in fs %}{{ veld(f) }}{% endfor %}',
                                      fs=fields_for(schema, {}, None))
    assert 'inputmode="numeric"' in page and 'autocomplete="off"' in page and 'maxlength="11"' in page
    assert "negen cijfers, bijvoorbeeld 111222333; het nummer moet de elfproef doorstaan" in page
    assert 'aria-describedby="veld-bsn_partner-vorm"' in page
