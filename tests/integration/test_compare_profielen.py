"""The client profiles of seed 004 (Bart and Richard) beside Jan's: `werkpad compare` runs each of them, with
one answer per occurrence of a task, and a task the profile leaves open stays open."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
PROFIELEN = ROOT / "docs" / "profielen"


def werkpad_compare(tmp_path: Path, naam: str) -> dict[str, dict]:
    url = f"sqlite:///{tmp_path / 'werkpad.sqlite'}"
    result = CliRunner().invoke(main, ["--database-url", url, "compare", str(PROFIELEN / f"{naam}.json"),
                                       "--only", "amersfoort", "--only", "tilburg", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {r["process"]: r for r in json.loads(result.output)}


def taken(result: dict) -> list[str]:
    return [stap["id"] for stap in result["pad"] if stap["soort"] == "taak"]


@pytest.mark.parametrize("naam", ["jan", "bart", "richard"])
def test_profielen_staan_naast_elkaar_en_noemen_bestaande_taken(naam):
    profiel = json.loads((PROFIELEN / f"{naam}.json").read_text(encoding="utf-8"))
    assert profiel["toelichting"] and profiel["geboortedatum"]
    for sleutel in profiel["keuzes"]:
        assert sleutel == "*" or (ROOT / "processes" / sleutel / "proces.json").exists(), sleutel


def test_bart_wsw_indicatie_garantiebaan_en_zijn_trajectbegeleider_als_jobcoach(tmp_path):
    uitkomst = werkpad_compare(tmp_path, "bart")
    r = uitkomst["amersfoort"]
    assert r["gemeente"] == "amersfoort"
    assert taken(r) == [
        "eerste_inschatting", "zorg_eerst", "besluit_aanvraag", "intake", "trajectplan", "traject", "traject",
        "wsw_indicatie", "gedeeld_doelgroepregister_aanvragen", "gedeeld_doelgroepregister_uitslag", "traject",
        "loonwaarde_meten", "nazorgcontact_trajectbegeleider", "nazorgcontact_trajectbegeleider",
        "nazorgcontact_trajectbegeleider"]
    assert {stap["rol"] for stap in r["pad"] if stap.get("id") == "nazorgcontact_trajectbegeleider"} == {
        "trajectbegeleider"}
    assert r["eind"]["status"] == "completed" and r["eind"]["eindgebeurtenis"] == "einde_werk"
    assert r["standaardwaarden"] == [] and r["termijnen"]["gemist"] == 0


def test_richard_klimt_stap_voor_stap_van_trede_0_naar_6(tmp_path):
    uitkomst = werkpad_compare(tmp_path, "richard")
    r = uitkomst["amersfoort"]
    assert r["gemeente"] == "leusden"
    # one voortgangsgesprek per step on the ladder: 0 (trajectplan) -> 1 -> 3 -> 4 -> 6
    assert taken(r).count("traject") == 4
    assert taken(r)[:5] == ["eerste_inschatting", "zorg_eerst", "intake", "besluit_aanvraag", "trajectplan"]
    assert r["eind"]["status"] == "running" and r["eind"]["fase"] == "traject"
    assert r["opmerking"].startswith("blijft open volgens het profiel")
    assert r["standaardwaarden"] == []


def test_tilburgs_twaalf_maanden_vraag_mag_open_blijven(tmp_path):
    r = werkpad_compare(tmp_path, "richard")["tilburg"]
    assert "time_to_market" not in taken(r)
    assert r["eind"]["status"] == "running"
    assert r["opmerking"] == ("blijft open volgens het profiel: "
                              "Time to market bepalen: loonvormend werk binnen 12 maanden?")
