"""Jan (seed 003 §3.2) door elk proces: docs/profielen/jan.json via ``engine.tools.compare.compare``.

Het profiel legt per gemeente de keuzes van de consulent vast (seed 003 en de Jan-tests in
tests/processes); deze test controleert dat de processen met die keuzes Jans verhaal vertellen:
de eindtoestand, de kernstappen in volgorde en de termijnen die de seed noemt. Alles volgt uit het
profiel en de processen, dus een gewijzigd proces (andere route, timer of eindgebeurtenis) laat
deze test falen.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.tools.compare import compare

ROOT = Path(__file__).resolve().parents[2]
PROFIEL = ROOT / "docs" / "profielen" / "jan.json"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

EINDE = {  # proces: (gemeente, eindgebeurtenis, fase)
    "alphen": ("alphen-aan-den-rijn", "einde_garantiebaan", "traject"),
    "amersfoort": ("amersfoort", "einde_werk", "nazorg"),
    "ijmond": ("velsen", "einde_twee_jaar", "traject"),
    "nijmegen": ("nijmegen", "einde_werk_met_ondersteuning", "nazorg"),
    "sudwest_fryslan": ("sudwest-fryslan", "einde_stage_beschut_werk", "traject"),
    "tilburg": ("tilburg", "einde_leerwerkplek_termijn", "traject"),
    "voorbeeld": ("voorbeeldstad", "einde_uitgestroomd", "nazorg"),
    "weener_xl": ("s-hertogenbosch", "einde_nieuw_beschut_werk", "traject"),
    "werkkom": ("weert", "einde_lks", "nazorg"),
}


@pytest.fixture(scope="module")
def profiel() -> dict:
    return json.loads(PROFIEL.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def uitkomst(profiel) -> dict[str, dict]:
    return {r["process"]: r for r in compare(profiel, ROOT / "processes", ROOT / "forms")}


# ------------------------------------------------------------------ helpers
def stappen(result: dict) -> list[str]:
    """Afgeronde taken (id), afgegane timers ('timer:' + naam) en berichten, in volgorde."""
    return [s["id"] if s["soort"] == "taak" else f"{s['soort']}:{s['naam']}" for s in result["pad"]]


def in_volgorde(result: dict, *verwacht: str) -> None:
    """``verwacht`` komt in deze volgorde in het pad voor (er mag iets tussen zitten)."""
    pad = stappen(result)
    rest = iter(pad)
    ontbrekend = [stap for stap in verwacht if stap not in rest]
    assert not ontbrekend, f"{result['process']}: {ontbrekend} niet in volgorde in {pad}"


def moment(result: dict, stap: str, n: int = 0) -> datetime:
    """Het moment (Amsterdamse tijd) van de n-de keer dat ``stap`` in het pad staat."""
    momenten = [datetime.fromisoformat(s["op"]).astimezone(AMSTERDAM)
                for s, naam in zip(result["pad"], stappen(result), strict=True) if naam == stap]
    assert len(momenten) > n, f"{result['process']}: {stap} {n + 1}x verwacht in {stappen(result)}"
    return momenten[n]


def dagen(result: dict, van: str, tot: str) -> float:
    return (moment(result, tot) - moment(result, van)) / timedelta(days=1)


def werkdagen_tussen(begin: date, einde: date) -> int:
    return sum(1 for d in range(1, (einde - begin).days + 1) if (begin + timedelta(days=d)).weekday() < 5)


# ------------------------------------------------------------------ het profiel zelf
def test_keuzes_noemen_bestaande_processen_en_taken(profiel):
    processen = {p.name for p in (ROOT / "processes").iterdir() if (p / "proces.json").exists()}
    assert set(EINDE) == processen
    gedeeld = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "processes" / "gedeeld").glob("*.bpmn"))
    for sleutel, keuzes in profiel["keuzes"].items():
        assert sleutel in processen, f"keuzes voor onbekend proces {sleutel}"
        eigen = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "processes" / sleutel).glob("*.bpmn"))
        taken = set(re.findall(r'<bpmn:userTask id="(\w+)"', eigen + gedeeld))
        assert set(keuzes) <= taken, f"{sleutel}: onbekende taken {sorted(set(keuzes) - taken)}"
        for taak, keuze in keuzes.items():
            for variant in keuze if isinstance(keuze, list) else [keuze]:  # a list: one per occurrence
                assert set(variant) <= {"na", "gegevens"}, f"{sleutel}.{taak}: alleen 'na' en 'gegevens'"
    assert set(profiel["gemeenten"]) <= processen


# ------------------------------------------------------------------ alle gemeenten
def test_elke_gemeente_komt_zonder_fouten_of_standaardwaarden_aan_het_einde(uitkomst, profiel):
    assert set(uitkomst) == set(EINDE)
    start = datetime.fromisoformat(profiel["start"]).replace(tzinfo=AMSTERDAM)
    horizon = start.replace(year=start.year + 3)
    for sleutel, result in uitkomst.items():
        assert "error" not in result, f"{sleutel}: {result.get('error')}"
        assert result["opmerking"] is None, f"{sleutel}: {result['opmerking']}"
        assert result["standaardwaarden"] == [], f"{sleutel}: profiel zwijgt over {result['standaardwaarden']}"
        gemeente, eindgebeurtenis, fase = EINDE[sleutel]
        assert result["gemeente"] == gemeente
        assert (result["eind"]["status"], result["eind"]["eindgebeurtenis"], result["eind"]["fase"]) == (
            "completed", eindgebeurtenis, fase), sleutel
        assert datetime.fromisoformat(result["eind"]["op"]) <= horizon, f"{sleutel} eindigt na de horizon"
        assert not [s for s in stappen(result) if s.startswith("escalatie")], f"{sleutel}: escalatie in het pad"


def test_termijnen_worden_gehaald(uitkomst):
    for sleutel, result in uitkomst.items():
        gemist = [m["taak"] for m in result["termijnen"]["gemiste"]]
        assert gemist == [], f"{sleutel}: {gemist}"


# ------------------------------------------------------------------ per gemeente
def test_alphen_integrale_intake_en_garantiebaan(uitkomst):
    r = uitkomst["alphen"]
    in_volgorde(r, "klantfoto", "integrale_intake", "besluit_aanvraag", "beschikking_verzenden", "reintegratieplan",
                "volgende_stap", "mee_onderzoek", "volgende_stap", "timer:Diagnoseplek SWA (4 weken)",
                "diagnoseplek_evalueren", "volgende_stap", "timer:Leerwerkplek: 6 maanden voorbij",
                "leerwerkplek_einde", "volgende_stap", "gedeeld_doelgroepregister_aanvragen",
                "gedeeld_doelgroepregister_uitslag", "doelgroepregister_bespreken", "garantiebaan")
    # donderdag op het Serviceplein, het tweede gesprek op woensdag in de volgende week (binnen 5 werkdagen)
    klantfoto, intake = moment(r, "klantfoto"), moment(r, "integrale_intake")
    assert (klantfoto.date(), klantfoto.strftime("%A")) == (date(2026, 1, 8), "Thursday")
    assert intake.strftime("%A") == "Wednesday"
    assert werkdagen_tussen(klantfoto.date(), intake.date()) <= 5
    assert "specialist" not in stappen(r)  # meervoudige vraag: geen enkelvoudige route


def test_weener_xl_aan_de_slag_diagnose_en_nieuw_beschut_werk(uitkomst):
    r = uitkomst["weener_xl"]
    assert stappen(r)[0] == "tienminutengesprek"
    in_volgorde(r, "tienminutengesprek", "voorlichting", "quickscan", "startgesprek", "aan_de_slag",
                "specialistische_diagnose", "gedeeld_beschut_werk_advies_aanvragen",
                "gedeeld_beschut_werk_advies_uitslag", "beschut_werk_advies_bespreken", "plaatsing_beschut")
    assert dagen(r, "startgesprek", "aan_de_slag") < 183  # Aan de slag: maximaal 6 maanden
    assert dagen(r, "aan_de_slag", "specialistische_diagnose") <= 42  # diagnose 1 tot 6 weken
    assert r["fasen_dagen"]["diagnose"] > 0


def test_sudwest_fryslan_drie_lijnen_pastiel_en_stage_bij_empatec(uitkomst):
    r = uitkomst["sudwest_fryslan"]
    assert stappen(r)[0] == "routeren"
    in_volgorde(r, "routeren", "brief", "intake", "woningcorporatie", "bijzondere_bijstand", "instrument_kiezen",
                "timer:Werk- en diagnosefase Pastiel (4 weken)", "diagnosefase_uitkomst", "stage_volgen")
    in_volgorde(r, "intake", "loonwaarde_inschatten", "instrument_kiezen")
    assert dagen(r, "instrument_kiezen", "timer:Werk- en diagnosefase Pastiel (4 weken)") == 28


def test_tilburg_inspanningspakket_rechtmatigheid_en_leerwerkplek(uitkomst):
    r = uitkomst["tilburg"]
    voorschot = "timer:Elke vier weken zonder besluit: voorschot (Pw art. 52)"
    # the decision follows rechtmatigheid, screening and intake (seed 003 §4.4)
    in_volgorde(r, "meldingsgesprek", "terugmelding", voorschot, "rechtmatigheidsgesprek", "screening", "intake",
                "besluit_aanvraag", "beschikking", "verdiepende_diagnose", "gedeeld_doelgroepregister_aanvragen", "gedeeld_doelgroepregister_uitslag",
                "time_to_market", "leerwerkplek_inzetten", "timer:Leerwerkplek na 2 jaar afgelopen",
                "leerwerkplek_vervolg")
    assert dagen(r, "meldingsgesprek", "terugmelding") == 21  # precies op tijd, drie weken later
    assert 0 < dagen(r, "terugmelding", "rechtmatigheidsgesprek") < 14  # binnen 2 weken na de terugmelding
    assert moment(r, voorschot).date() == moment(r, "meldingsgesprek").date() + timedelta(weeks=4)
    assert r["fasen_dagen"]["inspanningsperiode"] == 21.0
    assert dagen(r, "intake", "verdiepende_diagnose") <= 42  # geen escalatie na 6 weken
    assert dagen(r, "leerwerkplek_inzetten", "timer:Leerwerkplek na 2 jaar afgelopen") >= 730


def test_ijmond_sterk_naar_werk_adtc_en_twee_jaar_leerwerkbedrijf(uitkomst):
    r = uitkomst["ijmond"]
    evaluatie = "timer:Driemaandelijkse evaluatie"
    in_volgorde(r, "screening", "groepsintake", "kennismaking", "plan_van_aanpak", "training", "adtc_diagnose",
                "leerwerkplek_start", evaluatie, "onderzoek_niet_uitgestroomd")
    assert dagen(r, "screening", "groepsintake") <= 7  # groepsintake binnen een week
    assert werkdagen_tussen(moment(r, "groepsintake").date(), moment(r, "kennismaking").date()) <= 5
    assert dagen(r, "plan_van_aanpak", "training") < 56  # tussenstap naar het ADTC binnen de 8 weken training
    # acht driemaandelijkse evaluaties; de laatste valt samen met het einde van de 2 jaar
    evaluaties = [s for s in stappen(r) if s.startswith(evaluatie)]
    assert len(evaluaties) == 8
    assert evaluaties[-1] == evaluatie + ", Maximale duur van 2 jaar bereikt"
    eerste, laatste = moment(r, evaluaties[0]), moment(r, evaluaties[-1])
    assert (eerste.date() - moment(r, "leerwerkplek_start").date()).days in range(89, 93)
    assert (laatste.date() - moment(r, "leerwerkplek_start").date()).days in range(729, 732)
    in_volgorde(r, evaluaties[-1], "evaluatie", "onderzoek_niet_uitgestroomd")


def test_amersfoort_arbeidsintegratie_naar_garantiebaan_met_nazorg(uitkomst):
    r = uitkomst["amersfoort"]
    in_volgorde(r, "eerste_inschatting", "intake", "trajectplan", "traject", "gedeeld_doelgroepregister_aanvragen",
                "gedeeld_doelgroepregister_uitslag", "loonwaarde_meten", "nazorgcontact_trajectbegeleider",
                "nazorgcontact_trajectbegeleider", "nazorgcontact_trajectbegeleider")
    assert not {"zorg_eerst", "workfast"} & set(stappen(r))  # arbeidsvermogen 50%, geen grote afstand
    # the trajectbegeleider stays on as jobcoach after the placement (seed 004)
    assert stappen(r).count("nazorgcontact_trajectbegeleider") == 3


def test_werkkom_werkcomponent_jobhunting_detachering_en_lks(uitkomst):
    r = uitkomst["werkkom"]
    in_volgorde(r, "aanmelding", "intakegesprek", "vervolggesprek", "timer:Workshops (minimaal 8 weken)",
                "workshops_afronden", "timer:Werkcomponent in het ATC (26 weken)", "totaalrapportage",
                "overdracht_jobhunter", "jobhunting", "proefplaatsing", "indienstname", "loonwaarde_meten",
                "ontwikkelprofiel", "detacheringscontract", "detachering_afloop", "herbeoordeling_det",
                "werkcoach_overdracht", "werkcoach_begeleiding")
    afloop = [s for s in stappen(r) if s.startswith("timer:") and "Detacheringscontract loopt af" in s]
    assert len(afloop) == 1 and "Geldigheid loonwaarde verlopen" in afloop[0]
    assert dagen(r, "vervolggesprek", "timer:Werkcomponent in het ATC (26 weken)") == 26 * 7


def test_nijmegen_praktijkdiagnose_proefplaatsing_en_werk_met_ondersteuning(uitkomst):
    r = uitkomst["nijmegen"]
    in_volgorde(r, "besluit_aanvraag", "aanmelding", "welkom", "werkintake", "praktijkdiagnose", "overdracht_cbd",
                "bemiddelen", "timer:Maximale duur van het instrument bereikt", "instrument_evaluatie",
                "instrument_begeleiden", "plaatsing", "loonwaarde_meten", "ondersteuning")
    assert dagen(r, "werkintake", "praktijkdiagnose") < 91  # binnen de drie maanden: geen herinnering
    assert "warme_overdracht" not in stappen(r)


# ------------------------------------------------------------------ termijnen met hun norm, en plaatsen
def test_elke_termijn_noemt_zijn_norm_en_uitkomst(uitkomst):
    for sleutel, result in uitkomst.items():
        lijst = result["termijnen"]["lijst"]
        assert lijst, f"{sleutel}: geen termijnen"
        assert result["termijnen"]["gehaald"] == sum(t["uitkomst"] == "gehaald" for t in lijst)
        for termijn in lijst:
            assert termijn["bron"] in ("wet", "seed") and termijn["uiterlijk"], termijn
            assert termijn["norm"].startswith(("Awb", "Pw art.", "seed ", "eigen norm")), termijn
        if sleutel == "voorbeeld":  # the engine's sample process, no seed and no aanvraag sub-process
            assert {t["norm"].split(":")[0] for t in lijst} == {"eigen norm Voorbeeldstad"}
            continue
        besluit = [t for t in lijst if t["id"] == "besluit_aanvraag"]
        assert besluit and besluit[0]["norm"] == "Awb 4:13 / Pw art. 44: 8 weken" and besluit[0]["bron"] == "wet"
    tilburg = {t["id"]: t for t in uitkomst["tilburg"]["termijnen"]["lijst"]}
    melding = tilburg["meldingsgesprek"]
    assert melding["norm"] == "seed Tilburg (003 §4.4): 3 dagen" and melding["uitkomst"] == "gehaald"
    assert tilburg["rechtmatigheidsgesprek"]["norm"] == "seed Tilburg (003 §4.4): 2 weken"
    assert tilburg["voorschot_verstrekken"]["norm"] == "Pw art. 52: voorschot na 4 weken"
    # the 8 weeks run from the aanvraag in the meldingsgesprek (9 januari): due 6 maart
    assert tilburg["besluit_aanvraag"]["uiterlijk"].startswith("2026-03-06")
    assert datetime.fromisoformat(tilburg["besluit_aanvraag"]["afgerond"]) <= datetime.fromisoformat(
        tilburg["besluit_aanvraag"]["uiterlijk"])


def test_plaatsen_per_gemeente(uitkomst):
    beschut = uitkomst["weener_xl"]["plaatsen"]
    assert [(p["instrument"], p["toegekend"], p["periode"], p["status"]) for p in beschut] == [
        ("beschut_werk", True, "2026", "besteed")]
    assert beschut[0]["naam"] == "Nieuw beschut werk (FTE per jaar)"
    groepsintake = uitkomst["ijmond"]["plaatsen"]
    assert groepsintake and all(p["instrument"] == "groepsintake" and p["toegekend"] for p in groepsintake)
    assert uitkomst["tilburg"]["plaatsen"] == []  # Jan's route (leerwerkplek) takes no trajectplaats


def test_werkpad_compare_drukt_termijnen_en_plaatsen_af(tmp_path):
    from click.testing import CliRunner

    from engine.cli import main

    args = ["--database-url", f"sqlite:///{tmp_path / 'w.sqlite'}", "compare", str(PROFIEL),
            "--only", "tilburg", "--only", "weener_xl"]
    tekst = CliRunner().invoke(main, args, catch_exceptions=False)
    assert tekst.exit_code == 0, tekst.output
    assert ("     - Besluit op aanvraag — Awb 4:13 / Pw art. 44: 8 weken; uiterlijk 6 maart 2026, "
            "afgerond 16 februari 2026: gehaald") in tekst.output
    assert ("     - Meldingsgesprek met quick scan op 5 leefgebieden — seed Tilburg (003 §4.4): 3 dagen; "
            "uiterlijk 11 januari 2026, afgerond 9 januari 2026: gehaald") in tekst.output
    assert ("     - Nieuw beschut werk (FTE per jaar): genomen op 23 mei 2026 (jaar 2026); "
            "nu: besteed (een plaats per jaar komt niet terug)") in tekst.output
    assert "2026-" not in tekst.output.split("termijnen:", 1)[1]  # no ISO dates for people
    als_json = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    per_proces = {r["process"]: r for r in json.loads(als_json.output)}
    assert per_proces["tilburg"]["termijnen"]["lijst"][0]["norm"] == "seed Tilburg (003 §4.4): 3 dagen"
    assert per_proces["weener_xl"]["plaatsen"][0]["periode"] == "2026"
