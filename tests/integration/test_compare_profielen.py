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
    profiel = json.loads((PROFIELEN / "richard.json").read_text(encoding="utf-8"))
    profiel["keuzes"]["tilburg"]["time_to_market"] = {"open": True}
    pad = tmp_path / "richard_open.json"
    pad.write_text(json.dumps(profiel), encoding="utf-8")
    result = CliRunner().invoke(main, ["--database-url", f"sqlite:///{tmp_path / 'w.sqlite'}", "compare", str(pad),
                                       "--only", "tilburg", "--json"], catch_exceptions=False)
    (r,) = json.loads(result.output)
    assert "time_to_market" not in taken(r)
    assert r["eind"]["status"] == "running"
    assert r["opmerking"] == ("blijft open volgens het profiel: "
                              "Time to market bepalen: loonvormend werk binnen 12 maanden?")


# every organisation: where each profile ends (status, end event or phase), the route's key step, places
EINDE = {
    "bart": {
        "alphen": ("completed", "einde_garantiebaan", "garantiebaan"),
        "ijmond": ("completed", "einde_werk", "vacaturecentrum"),
        "nijmegen": ("completed", "einde_werk_met_ondersteuning", "onderzoek_gezondheid"),
        "sudwest_fryslan": ("completed", "einde_werk", "flexformule"),
        "tilburg": ("completed", "einde_uitgestroomd", "reintegratietraject"),
        "weener_xl": ("completed", "einde_uitgestroomd", "bossche_baan"),
        "werkkom": ("completed", "einde_lks", "detacheringscontract"),
    },
    "richard": {
        "alphen": ("completed", "einde_participatieplaats", "participatie_kiezen"),
        "ijmond": ("running", None, "adtc_diagnose"),
        "nijmegen": ("running", None, "sociaal_wijkteam"),
        "sudwest_fryslan": ("completed", "einde_werk", "dagbesteding"),
        "tilburg": ("running", None, "leerwerkplek_inzetten"),
        "weener_xl": ("running", None, "startgesprek"),
        "werkkom": ("completed", "einde_dagbesteding", "switch_advies"),
    },
}
PLAATSEN = {("bart", "tilburg"): ["reintegratietraject"], ("bart", "weener_xl"): ["bossche_baan"],
            ("bart", "ijmond"): ["groepsintake"], ("richard", "ijmond"): ["groepsintake"]}


@pytest.mark.parametrize("naam", ["bart", "richard"])
def test_bart_en_richard_lopen_zinvol_door_elke_organisatie(tmp_path, naam):
    """The profiles carry what every organisation's forms ask: no neutral defaults, no missed deadlines, no
    task that could not be completed, and each ends where the story of the seed leads there."""
    args = ["--database-url", f"sqlite:///{tmp_path / 'w.sqlite'}", "compare", str(PROFIELEN / f"{naam}.json"),
            "--json"]
    for sleutel in EINDE[naam]:
        args += ["--only", sleutel]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for r in json.loads(result.output):
        sleutel = r["process"]
        assert "error" not in r, (sleutel, r.get("error"))
        assert r["standaardwaarden"] == [], (sleutel, r["standaardwaarden"])
        assert r["opmerking"] is None, (sleutel, r["opmerking"])
        assert r["termijnen"]["gemist"] == 0, (sleutel, r["termijnen"]["gemiste"])
        status, einde, stap = EINDE[naam][sleutel]
        assert (r["eind"]["status"], r["eind"]["eindgebeurtenis"]) == (status, einde), sleutel
        assert stap in taken(r), (sleutel, taken(r))
        assert [p["instrument"] for p in r["plaatsen"]] == PLAATSEN.get((naam, sleutel), []), sleutel
        assert r["replay_klopt"] is True, sleutel
