"""The ZGW export's bronorganisatie is the organisation's RSIN (9 digits, 11-proef), never a placeholder."""
from __future__ import annotations

import json

import pytest

from engine import ValidationError
from engine.core.bsn import is_valid_rsin
from engine.tools.demo import EXAMPLE_RSINS

from .conftest import login


def test_zgw_export_carries_the_rsin_and_refuses_without_one(client, accounts, cases):
    accounts.create_user("otto", "geheim-wachtwoord-1", "Otto")
    accounts.grant("otto", "anderstad", "auditor")
    login(client, "aafke")
    ours = json.loads(client.get(f"/audit/zaken/{cases['ours']['id']}/dossier.json?formaat=zgw").get_data(as_text=True))
    assert ours["zaak"]["bronorganisatie"] == "999990007"
    other = client.application.test_client()
    login(other, "otto")
    refused = other.get(f"/audit/zaken/{cases['theirs']['id']}/dossier.json?formaat=zgw")
    assert refused.status_code == 422 and "heeft nog geen RSIN" in refused.get_data(as_text=True)
    accounts.create_organisation("anderstad", "Gemeente Anderstad", rsin="999990019")
    theirs = json.loads(other.get(f"/audit/zaken/{cases['theirs']['id']}/dossier.json?formaat=zgw")
                        .get_data(as_text=True))
    assert theirs["zaak"]["bronorganisatie"] == "999990019"


@pytest.mark.parametrize("rsin", ["12345678", "1234567890", "999990008", "000000000", "abcdefghi"])
def test_an_rsin_must_pass_the_11_proef(accounts, rsin):
    with pytest.raises(ValidationError) as raised:
        accounts.create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad", rsin=rsin)
    assert "elfproef" in raised.value.fields["rsin"][0]


def test_demo_rsins_are_example_numbers_that_pass_the_11_proef():
    assert len(set(EXAMPLE_RSINS.values())) == len(EXAMPLE_RSINS)
    assert all(is_valid_rsin(r) and r.startswith("99999") for r in EXAMPLE_RSINS.values())
