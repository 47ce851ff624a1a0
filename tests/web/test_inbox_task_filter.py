"""The inbox's task filter offers each task name once: two steps of one name (Weener XL's shared
sub-processes both have "UWV rappelleren") are one choice that finds the open tasks of both."""
from __future__ import annotations

import html
import re

import pytest

from .test_verdaging import _one_organisation


@pytest.fixture
def weener(tmp_path):
    wp, client = _one_organisation(tmp_path, "weener_xl", "weener_xl", "Weener XL", ("teamleider", None))
    yield wp, client
    wp.db.dispose()


def _options(body: str) -> list[tuple[str, str]]:
    select = re.search(r'<select[^>]*name="taak">(.*?)</select>', body, re.S)
    assert select, "geen taakfilter"
    return [(value, html.unescape(name)) for value, name in
            re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))]


def test_one_choice_per_task_name_finding_all_its_steps(weener):
    wp, client = weener
    options = _options(client.get("/inbox?weergave=alle").get_data(as_text=True))
    names = [name for _value, name in options]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    rappel = dict((name, value) for value, name in options)["UWV rappelleren"]
    assert rappel.split(",") == ["gedeeld_beschut_werk_advies_rappelleren", "gedeeld_doelgroepregister_rappelleren"]

    first = wp.start_case("s-hertogenbosch", "111222333", "Jan", "1980-05-01")["tasks"][0]
    wp.start_case("s-hertogenbosch", "123456782", "Fatima", "1992-11-17")
    for value, found in ((first["spec"], 2), (f"{first['spec']},iets_anders", 2), ("iets_anders", 0),
                         ("," * 200 + first["spec"], 2)):
        response = client.get("/inbox", query_string={"weergave": "alle", "taak": value})
        assert response.status_code == 200, value
        assert response.get_data(as_text=True).count('data-taak="') == found, value
    # the merged choice stays selected after filtering
    body = client.get("/inbox", query_string={"weergave": "alle", "taak": rappel}).get_data(as_text=True)
    assert f'<option value="{rappel}" selected>UWV rappelleren' in body
