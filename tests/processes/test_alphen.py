"""Alphen aan den Rijn: Jan en de wettelijke randgevallen (seed 003 §4.1).

Elke test draait op een eigen SQLite-bestand met alleen het proces van Alphen aan den Rijn en de gedeelde
subprocessen (kopieën van processes/alphen en processes/gedeeld) en de echte forms/-map, zodat werk in andere
procesmappen deze tests niet raakt.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Conflict, Werkpad
from tests.processes.hulp import besluit_en_beschikking as besluit
from tests.processes.hulp import doe_zonder_timers as doe
from tests.processes.hulp import open_specs, open_taak, pad

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "alphen-aan-den-rijn"

ZRM_JAN = {"zrm_financien": 1, "zrm_dagbesteding": 2, "zrm_huisvesting": 2, "zrm_huiselijke_relaties": 2,
           "zrm_geestelijke_gezondheid": 3, "zrm_lichamelijke_gezondheid": 4, "zrm_verslaving": 5, "zrm_adl": 4,
           "zrm_sociaal_netwerk": 3, "zrm_maatschappelijke_participatie": 2, "zrm_justitie": 5}


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("alphen")


def klantfoto(wp: Werkpad, zaak: str, at: str, **extra) -> dict:
    gegevens = {"kanaal": "inloop", "klantfoto_zelf_ingevuld": False, "meervoudige_vraag": True,
                "hoofdvraag": "inkomen", "crisis": False, "woonsituatie": "inwonend", "vaste_woonplaats": False}
    gegevens.update(extra)
    return doe(wp, zaak, "klantfoto", gegevens, at)


def intake(wp: Werkpad, zaak: str, at: str, **extra) -> dict:
    gegevens = {**ZRM_JAN, "bed_bad_brood_op_orde": True, "werkperspectief": True,
                "ondersteuning_werk": "vinden_en_behouden", "opleidingsniveau": "vmbo_onafgerond",
                "werkervaring": "weinig", "motivatie": "hoog"}
    gegevens.update(extra)
    return doe(wp, zaak, "integrale_intake", gegevens, at)


def test_jan_via_integrale_intake_en_traject_naar_garantiebaan(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Jan", "1984-06-12", data={"kanaal": "inloop"},
                         at="2026-01-08T09:00")  # een donderdag, Serviceplein
    assert zaak["process"] == "alphen" and zaak["phase"] == "poort"
    assert open_taak(wp, zaak["id"], "klantfoto")["lane"] == "eerstelijns_medewerker"
    # Jan weigert de klantfoto zelf in te vullen; de 1e lijns medewerker neemt hem samen met hem door.
    zaak = klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    assert zaak["data"]["tweede_gesprek_uiterlijk"] == "2026-01-15"  # binnen 5 werkdagen
    # geen vaste woonplaats: niet het wijkteam van een adres, maar de integraal intaker die het eerst kan
    assert zaak["data"]["wijkteam"] == "eerst_beschikbaar"
    tweede = open_taak(wp, zaak["id"], "integrale_intake")
    assert tweede["lane"] == "integraal_intaker" and tweede["due"].startswith("2026-01-15")
    # Woensdag in de volgende week: integrale intake op 11 leefgebieden.
    zaak = intake(wp, zaak["id"], "2026-01-14T10:00")
    assert zaak["data"]["aanvraagdatum"] == "2026-01-14"  # de aanvraag wordt in het tweede gesprek gedaan
    assert zaak["data"]["beslisdatum"] == "2026-03-11"
    assert open_specs(wp, zaak["id"]) == {"besluit_aanvraag"}
    zaak = besluit(wp, zaak["id"], True, "2026-01-20T10:00")
    # DMN: werk is perspectief, maar ondersteuning bij vinden en behouden nodig -> groep 3.
    assert (zaak["data"]["groep"], zaak["data"]["groep_route"]) == (3, "reintegratie")
    assert zaak["phase"] == "diagnose"
    zaak = doe(wp, zaak["id"], "reintegratieplan", {"plan": "Diagnostiek, werknemersvaardigheden, leerwerkplek.",
                                                    "mee_betrokken": True}, "2026-01-22T10:00")
    assert zaak["data"]["traject_einddatum"] == "2028-01-22"  # maximaal 2 jaar
    assert zaak["phase"] == "traject"
    # Vermoeden van zwakbegaafdheid: onderzoek door de Specialistenpool MEE.
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "mee_onderzoek"}, "2026-01-23T10:00")
    assert open_taak(wp, zaak["id"], "mee_onderzoek")["lane"] == "psycholoog"
    doe(wp, zaak["id"], "mee_onderzoek", {"iq_indicatie": "70_85", "lvb": True}, "2026-02-18T10:00")
    # Diagnoseplek bij de SWA, vier weken.
    zaak = doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "diagnoseplek_swa"}, "2026-02-19T10:00")
    assert open_specs(wp, zaak["id"]) == set()
    gevuurd = wp.fire_due_timers("2026-03-19T12:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Diagnoseplek SWA (4 weken)"]
    doe(wp, zaak["id"], "diagnoseplek_evalueren", {"werknemersvaardigheden": "in_ontwikkeling", "loonwaarde_pct": 40},
        "2026-03-20T10:00")
    # Leerwerkplek van maximaal 6 maanden; niet verlengd.
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "leerwerkplek"}, "2026-03-23T10:00")
    assert open_taak(wp, zaak["id"], "leerwerkplek")["lane"] == "trajectbegeleider"
    gevuurd = wp.fire_due_timers("2026-09-23T12:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Leerwerkplek: 6 maanden voorbij"]
    assert "leerwerkplek" not in open_specs(wp, zaak["id"])
    doe(wp, zaak["id"], "leerwerkplek_einde", {"verlengen": False, "leerwerkplek_resultaat": "deels",
                                               "loonwaarde_pct": 45}, "2026-09-25T10:00")
    # Ook met ondersteuning geen minimumloon: doelgroepregister, daarna garantiebaan met jobcoaching.
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "doelgroepregister"}, "2026-09-28T10:00")
    doe(wp, zaak["id"], "gedeeld_doelgroepregister_aanvragen", {"aanmelddatum_doelgroepregister": "2026-09-29"},
        "2026-09-29T10:00")
    doe(wp, zaak["id"], "gedeeld_doelgroepregister_uitslag", {"doelgroepregister": True}, "2026-11-02T10:00")
    doe(wp, zaak["id"], "doelgroepregister_bespreken", {"besproken_met_klant": True}, "2026-11-03T10:00")
    assert open_taak(wp, zaak["id"], "garantiebaan")["lane"] == "jobcoach"
    zaak = doe(wp, zaak["id"], "garantiebaan", {"plaatsing": "garantiebaan_met_jobcoaching",
                                                "werkgever": "Groenvoorziening Rijnstreek", "startdatum": "2026-12-01"},
               "2026-11-10T10:00")

    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_garantiebaan"
    assert zaak["phase"] == "traject"
    assert zaak["data"]["groep"] == 3 and zaak["data"]["doelgroepregister"] is True
    assert zaak["data"]["uitkomst"] == "werk_met_ondersteuning"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert pad(wp, zaak["id"]) == [
        "klantfoto", "integrale_intake", "besluit_aanvraag", "beschikking_verzenden", "reintegratieplan",
        "volgende_stap", "mee_onderzoek",
        "volgende_stap", "timer:diagnoseplek_swa", "diagnoseplek_evalueren", "volgende_stap",
        "timer:leerwerkplek_max", "leerwerkplek_einde", "volgende_stap", "gedeeld_doelgroepregister_aanvragen",
        "gedeeld_doelgroepregister_uitslag", "doelgroepregister_bespreken", "garantiebaan",
    ]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_jongere_wacht_vier_weken_na_de_melding(wp):
    zaak = wp.start_case(GEMEENTE, "123456782", "Sanne", "2005-03-01", at="2026-01-08T09:00")
    assert zaak["data"]["leeftijd"] == 20
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    zaak = intake(wp, zaak["id"], "2026-01-13T10:00", ondersteuning_werk="geen")
    assert zaak["phase"] == "inspanningsperiode"
    assert open_specs(wp, zaak["id"]) == set()
    assert wp.fire_due_timers("2026-02-04T12:00") == []
    gevuurd = wp.fire_due_timers("2026-02-05T12:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Vier weken zoektermijn jongeren (Pw art. 41 lid 4)"]
    # the aanvraag is not filed by the clock: Sanne files it a week later, the consultant records that date
    assert open_taak(wp, zaak["id"], "aanvraag_jongere")["lane"] == "inkomensconsulent"
    zaak = doe(wp, zaak["id"], "aanvraag_jongere", {"aanvraagdatum": "2026-02-12"}, "2026-02-12T10:00")
    assert zaak["data"]["aanvraagdatum"] == "2026-02-12"
    assert zaak["data"]["beslisdatum"] == "2026-04-09"  # 8 weken na de werkelijke indiening
    assert zaak["phase"] == "poort"
    zaak = besluit(wp, zaak["id"], True, "2026-02-17T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_zelfredzaam"
    assert zaak["data"]["groep"] == 1
    assert pad(wp, zaak["id"]) == ["klantfoto", "integrale_intake", "timer:zoektermijn_jongeren", "aanvraag_jongere",
                                   "besluit_aanvraag", "beschikking_verzenden"]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_intrekking_tijdens_de_inspanningsperiode_beeindigt_de_zaak(wp):
    zaak = wp.start_case(GEMEENTE, "123456782", "Sanne", "2005-03-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    zaak = intake(wp, zaak["id"], "2026-01-13T10:00")
    assert zaak["phase"] == "inspanningsperiode"
    zaak = wp.send_message(zaak["id"], "aanvraag_ingetrokken", {"reden": "terug naar school"}, at="2026-01-20T10:00")
    assert zaak["status"] == "withdrawn"
    assert zaak["end_event"] == "einde_ingetrokken"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert wp.fire_due_timers("2026-03-01") == []
    assert wp.replay_case(zaak["id"])["match"] is True


def test_tweede_gesprek_niet_binnen_vijf_werkdagen_escaleert(wp):
    zaak = wp.start_case(GEMEENTE, "999990019", "Piet", "1970-09-09", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    assert wp.fire_due_timers("2026-01-15T20:00") == []
    gevuurd = wp.fire_due_timers("2026-01-16T09:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Tweede gesprek niet binnen de termijn"]
    assert open_taak(wp, zaak["id"], "escalatie_tweede_gesprek")["lane"] == "teamleider"
    assert "integrale_intake" in open_specs(wp, zaak["id"])  # het gesprek moet alsnog plaatsvinden
    doe(wp, zaak["id"], "escalatie_tweede_gesprek", {"actie": "collega_toegewezen"}, "2026-01-16T10:00")
    intake(wp, zaak["id"], "2026-01-19T10:00")
    # Ook het besluit blijft liggen: elke 4 weken een voorschot, escalatie na 8 weken (vanaf de aanvraag).
    gevuurd = wp.fire_due_timers("2026-03-17T12:00")
    voorschot = "Elke vier weken zonder besluit: voorschot (Pw art. 52)"
    assert [t for f in gevuurd for t in f["timers"]] == [voorschot, voorschot, "Beslistermijn verstreken"]
    assert [f["due"][:10] for f in gevuurd] == ["2026-02-15", "2026-03-15", "2026-03-16"]  # middernacht, Amsterdam
    assert open_taak(wp, zaak["id"], "escalatie_beslistermijn")["lane"] == "teamleider"
    assert wp.replay_case(zaak["id"])["match"] is True


def test_crisis_tweede_gesprek_direct(wp):
    zaak = wp.start_case(GEMEENTE, "232262536", "Kim", "1990-01-01", at="2026-01-08T09:00")
    zaak = klantfoto(wp, zaak["id"], "2026-01-08T09:30", crisis=True, woonsituatie="dakloos")
    assert zaak["data"]["tweede_gesprek_uiterlijk"] == "2026-01-08"
    assert open_taak(wp, zaak["id"], "integrale_intake")["due"].startswith("2026-01-08")
    gevuurd = wp.fire_due_timers("2026-01-09T09:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Tweede gesprek niet binnen de termijn"]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_opschorting_verlengt_de_beslistermijn(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klaas", "1975-05-05", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00")
    wp.send_message(zaak["id"], "opschorting", {}, at="2026-01-13T10:00")
    zaak = wp.send_message(zaak["id"], "stukken_ontvangen", {}, at="2026-01-20T10:00")
    assert zaak["data"]["opgeschorte_dagen"] == 7
    assert zaak["data"]["beslisdatum"] == "2026-03-16"  # 9 maart + 7 dagen
    assert wp.replay_case(zaak["id"])["match"] is True


@pytest.mark.parametrize(("perspectief", "ondersteuning", "groep", "vervolg"), [
    (True, "geen", 1, None),
    (True, "vinden", 2, "reintegratieplan"),
    (True, "vinden_en_behouden", 3, "reintegratieplan"),
    (False, "vinden_en_behouden", 4, "participatie_kiezen"),
])
def test_groepsindeling(wp, perspectief, ondersteuning, groep, vervolg):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00", werkperspectief=perspectief, ondersteuning_werk=ondersteuning)
    zaak = besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    assert zaak["data"]["groep"] == groep
    if vervolg is None:
        assert zaak["end_event"] == "einde_zelfredzaam"
    else:
        assert open_specs(wp, zaak["id"]) == {vervolg}


def test_groep_4_naar_tom_in_de_buurt(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1960-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00", werkperspectief=False)
    besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    doe(wp, zaak["id"], "participatie_kiezen", {"participatievorm": "tom_in_de_buurt"}, "2026-01-15T10:00")
    assert open_taak(wp, zaak["id"], "tom_in_de_buurt")["lane"] == "sociaal_team"
    zaak = doe(wp, zaak["id"], "tom_in_de_buurt", {"activiteit_tom": "Buurtmoestuin"}, "2026-02-01T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_tom"
    assert wp.replay_case(zaak["id"])["match"] is True


def test_traject_eindigt_na_twee_jaar_en_leerwerkplek_eenmaal_verlengd(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00")
    besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    doe(wp, zaak["id"], "reintegratieplan", {"plan": "Leerwerkplek.", "mee_betrokken": False}, "2026-01-15T10:00")
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "leerwerkplek"}, "2026-01-16T10:00")
    wp.fire_due_timers("2026-07-16T12:00")
    doe(wp, zaak["id"], "leerwerkplek_einde", {"verlengen": True, "leerwerkplek_resultaat": "deels"},
        "2026-07-17T10:00")
    assert "leerwerkplek" in open_specs(wp, zaak["id"])  # eenmaal verlengd
    wp.fire_due_timers("2027-01-17T12:00")
    doe(wp, zaak["id"], "leerwerkplek_einde", {"verlengen": True, "leerwerkplek_resultaat": "deels"},
        "2027-01-18T10:00")
    assert open_specs(wp, zaak["id"]) == {"volgende_stap"}  # tweede verlenging niet mogelijk
    gevuurd = wp.fire_due_timers("2028-01-16T12:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Re-integratietraject: 2 jaar voorbij"]
    zaak = doe(wp, zaak["id"], "traject_einde", {"vervolg_traject": "stoppen"}, "2028-01-17T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_traject_gestopt"
    assert [p for p in pad(wp, zaak["id"]) if p.startswith("timer:")] == [
        "timer:leerwerkplek_max", "timer:leerwerkplek_max", "timer:traject_max"]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_enkelvoudige_vraag_gaat_naar_een_specialist(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30", meervoudige_vraag=False, hoofdvraag="schulden")
    assert open_taak(wp, zaak["id"], "specialist")["lane"] == "specialist"
    zaak = doe(wp, zaak["id"], "specialist", {"vraag_afgehandeld": True, "toch_integraal": False}, "2026-01-09T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_enkelvoudig"
    assert wp.replay_case(zaak["id"])["match"] is True


def test_specialist_plant_alsnog_een_integraal_intaker_in(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30", meervoudige_vraag=False)
    zaak = doe(wp, zaak["id"], "specialist", {"vraag_afgehandeld": False, "toch_integraal": True}, "2026-01-09T10:00")
    assert zaak["data"]["tweede_gesprek_uiterlijk"] == "2026-01-16"
    assert open_specs(wp, zaak["id"]) == {"integrale_intake"}
    assert wp.replay_case(zaak["id"])["match"] is True


def test_werk_via_proefplaatsing_met_nazorg(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00", ondersteuning_werk="vinden")
    besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    doe(wp, zaak["id"], "reintegratieplan", {"plan": "Proefplaatsing.", "mee_betrokken": False}, "2026-01-15T10:00")
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "proefplaatsing"}, "2026-01-16T10:00")
    zaak = doe(wp, zaak["id"], "proefplaatsing", {"in_dienst": True, "loonwaarde_pct": 90}, "2026-03-01T10:00")
    assert zaak["phase"] == "nazorg"
    for dag in ("2026-04-02", "2026-05-03", "2026-06-04"):
        gevuurd = wp.fire_due_timers(f"{dag}T09:00")
        assert [t for f in gevuurd for t in f["timers"]] == ["Een maand later"]
        zaak = doe(wp, zaak["id"], "nazorgcontact", {"nog_aan_het_werk": True}, f"{dag}T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_uitgestroomd"
    assert zaak["data"]["nazorg_afgerond"] is True
    assert wp.replay_case(zaak["id"])["match"] is True


def test_proefplaatsing_eindigt_na_twee_maanden(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00", ondersteuning_werk="vinden")
    besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    doe(wp, zaak["id"], "reintegratieplan", {"plan": "Proefplaatsing.", "mee_betrokken": False}, "2026-01-15T10:00")
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "proefplaatsing"}, "2026-01-16T10:00")
    assert wp.fire_due_timers("2026-03-16T09:00") == []
    gevuurd = wp.fire_due_timers("2026-03-16T11:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Proefplaatsing: 2 maanden voorbij"]
    doe(wp, zaak["id"], "proefplaatsing_einde", {"in_dienst": False}, "2026-03-17T10:00")
    assert open_specs(wp, zaak["id"]) == {"volgende_stap"}
    assert wp.replay_case(zaak["id"])["match"] is True


def test_participatieplaats_heroverweging_na_negen_maanden_en_einde_na_twee_jaar(wp):
    """Pw art. 10a: een participatieplaats duurt hoogstens 2 jaar en wordt na 9 maanden heroverwogen."""
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1960-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    intake(wp, zaak["id"], "2026-01-12T10:00", werkperspectief=False)
    besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    doe(wp, zaak["id"], "participatie_kiezen", {"participatievorm": "participatieplaats"}, "2026-01-15T10:00")
    assert wp.fire_due_timers("2026-10-15T09:59") == []
    fired = wp.fire_due_timers("2026-10-15T10:00")
    assert [n for f in fired for n in f["timers"]] == ["Participatieplaats: heroverweging na 9 maanden (Pw art. 10a)"]
    assert open_specs(wp, zaak["id"]) == {"participatieplaats", "participatieplaats_heroverweging"}
    assert open_taak(wp, zaak["id"], "participatieplaats_heroverweging")["due"].startswith("2026-10-29")
    doe(wp, zaak["id"], "participatieplaats_heroverweging", {"besluit_heroverweging": "doorlopen"},
        "2026-10-20T10:00")
    assert open_specs(wp, zaak["id"]) == {"participatieplaats"}
    fired = wp.fire_due_timers("2028-01-15T10:00")
    assert [n for f in fired for n in f["timers"]] == ["Participatieplaats: 2 jaar voorbij"]
    zaak = wp.get_case(zaak["id"])
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_participatieplaats"
    assert wp.replay_case(zaak["id"])["match"] is True


def test_tweede_gesprek_bij_het_wijkteam_van_het_woonadres(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Anna", "1985-04-04", at="2026-01-08T09:00")
    zaak = klantfoto(wp, zaak["id"], "2026-01-08T09:30", vaste_woonplaats=True, wijk="Noord",
                     woonsituatie="zelfstandig")
    assert zaak["data"]["wijkteam"] == "Noord"
    assert open_taak(wp, zaak["id"], "integrale_intake")["lane"] == "integraal_intaker"
    assert wp.replay_case(zaak["id"])["match"] is True


def test_jan_vindt_zelf_werk_op_de_leerwerkplek_en_krijgt_nazorg(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Jan", "1980-01-01", at="2026-01-08T09:00")
    klantfoto(wp, zaak["id"], "2026-01-08T09:30")
    with pytest.raises(Conflict):  # in de poort wacht nog niets op dit bericht: geweigerd
        wp.send_message(zaak["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-01-09T10:00")
    intake(wp, zaak["id"], "2026-01-12T10:00")
    besluit(wp, zaak["id"], True, "2026-01-14T10:00")
    doe(wp, zaak["id"], "reintegratieplan", {"plan": "Leerwerkplek.", "mee_betrokken": False}, "2026-01-15T10:00")
    doe(wp, zaak["id"], "volgende_stap", {"volgende_stap": "leerwerkplek"}, "2026-01-16T10:00")
    assert open_specs(wp, zaak["id"]) == {"leerwerkplek"}
    zaak = wp.send_message(zaak["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-03-02T10:00")
    assert zaak["phase"] == "nazorg" and open_specs(wp, zaak["id"]) == set()
    bericht = [e for e in wp.case_history(zaak["id"]) if e["type"] == "message_received"][-1]
    assert {c["spec"] for c in bericht["payload"]["cancelled"]} >= {"leerwerkplek"}
    for dag in ("2026-04-03", "2026-05-04", "2026-06-05"):
        gevuurd = wp.fire_due_timers(f"{dag}T09:00")
        assert [t for f in gevuurd for t in f["timers"]] == ["Een maand later"]
        zaak = doe(wp, zaak["id"], "nazorgcontact", {"nog_aan_het_werk": True}, f"{dag}T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_uitgestroomd"
    assert zaak["data"]["werk_zelf_gevonden"] is True and zaak["data"]["nazorg_afgerond"] is True
    assert pad(wp, zaak["id"])[-7:] == ["bericht:werk_gevonden", "timer:nazorg_maand", "nazorgcontact",
                                        "timer:nazorg_maand", "nazorgcontact", "timer:nazorg_maand", "nazorgcontact"]
    assert wp.replay_case(zaak["id"])["match"] is True
