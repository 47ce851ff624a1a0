"""Static checks on the order of the income steps: where the seed puts steps before the decision on the
aanvraag, the process lets gedeeld_aanvraag wait for them (besluit_na_voorbereiding) and throws
voorbereiding_gereed only after them, on every path."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
NS = {"b": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
PROCESSEN = sorted(p.name for p in (ROOT / "processes").iterdir()
                   if (p / "proces.json").exists() and p.name != "voorbeeld")
# process -> groups of steps; every path to the voorbereiding_gereed throw passes at least one step of each group
VOOR_HET_BESLUIT = {
    "tilburg": [{"meldingsgesprek"}, {"rechtmatigheidsgesprek"}],          # seed 003 §4.4
    "sudwest_fryslan": [{"routeren"}, {"brief"}, {"intake"}],               # seed 003 §4.3
    "weener_xl": [{"tienminutengesprek"}, {"voorlichting", "poortgesprek"}],  # seed 003 §4.2
}


def _graaf(sleutel: str):
    root = etree.parse(str(ROOT / "processes" / sleutel / f"{sleutel}.bpmn"))
    proces = root.find("b:process", NS)
    pijlen: dict[str, set[str]] = {}
    for flow in proces.findall("b:sequenceFlow", NS):  # top level only: the main flow
        pijlen.setdefault(flow.get("sourceRef"), set()).add(flow.get("targetRef"))
    for grens in proces.findall("b:boundaryEvent", NS):
        pijlen.setdefault(grens.get("attachedToRef"), set()).add(grens.get("id"))
    return root, proces, pijlen


def _bereikbaar(pijlen: dict[str, set[str]], start: str, zonder: set[str]) -> set[str]:
    gezien, rij = {start}, [start]
    while rij:
        for volgende in pijlen.get(rij.pop(), ()):
            if volgende not in gezien and volgende not in zonder:
                gezien.add(volgende)
                rij.append(volgende)
    return gezien


@pytest.mark.parametrize("sleutel", PROCESSEN)
def test_wie_het_besluit_laat_wachten_meldt_ook_dat_de_voorbereiding_klaar_is(sleutel):
    tekst = (ROOT / "processes" / sleutel / f"{sleutel}.bpmn").read_text(encoding="utf-8")
    wacht = bool(re.search(r"besluit_na_voorbereiding\s*=\s*True", tekst))
    _, proces, _ = _graaf(sleutel)
    worpen = [e for e in proces.iter(f"{{{NS['b']}}}intermediateThrowEvent")
              if e.find("b:messageEventDefinition", NS) is not None]
    assert wacht == bool(worpen), sleutel
    assert wacht == (sleutel in VOOR_HET_BESLUIT), sleutel


@pytest.mark.parametrize("sleutel", sorted(VOOR_HET_BESLUIT))
def test_het_besluit_volgt_de_stappen_die_de_seed_ervoor_zet(sleutel):
    _, proces, pijlen = _graaf(sleutel)
    start = proces.find("b:startEvent", NS).get("id")
    (worp,) = [e.get("id") for e in proces.iter(f"{{{NS['b']}}}intermediateThrowEvent")]
    assert worp in _bereikbaar(pijlen, start, set())
    for groep in VOOR_HET_BESLUIT[sleutel]:
        assert worp not in _bereikbaar(pijlen, start, groep), f"{sleutel}: besluit mogelijk zonder {groep}"
