"""'s-Hertogenbosch — Weener XL: Jan en de wettelijke randgevallen (seed 003 §4.2).

Elke test draait op een eigen SQLite-bestand met alleen het Weener XL-proces en de gedeelde subprocessen
(kopieën van processes/weener_xl en processes/gedeeld) en de echte forms/-map, zodat werk in andere
procesmappen deze tests niet raakt.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Werkpad
from tests.processes.hulp import besluit_en_beschikking as besluit
from tests.processes.hulp import doe_zonder_timers as doe
from tests.processes.hulp import open_specs, open_taak, pad

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "s-hertogenbosch"


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("weener_xl")


def tienminutengesprek(wp: Werkpad, zaak: str, at: str) -> dict:
    return doe(wp, zaak, "tienminutengesprek", {"voldoet_aan_beslisboom": True, "dringende_reden": False,
                                                "crisis": False, "woonsituatie": "inwonend",
                                                "toelichting": "Zoekt definitieve woonruimte na einde relatie."}, at)


def test_jan_via_aan_de_slag_en_specialistische_diagnose_naar_nieuw_beschut_werk(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Jan", "1984-06-12", at="2026-01-08T09:00")  # een donderdag
    assert zaak["process"] == "weener_xl" and zaak["phase"] == "poort"
    assert open_taak(wp, zaak["id"], "tienminutengesprek")["lane"] == "inkomensconsulent"

    # Stap 1: het 10-minutengesprek met de beslisboom; de datum geldt als aanvraagdatum.
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    data = zaak["data"]
    assert data["datum_tienminutengesprek"] == "2026-01-08"
    assert data["aanvraagdatum"] == "2026-01-08"
    assert data["beslisdatum"] == "2026-03-05"  # 8 weken (Awb 4:13)
    # Jan krijgt geen aanvraagformulier mee: alleen in de groepsvoorlichting.
    # Het besluit volgt pas na de voorlichting, waar de feitelijke aanvraag wordt ingediend (seed 003 §4.2).
    assert open_specs(wp, zaak["id"]) == {"voorlichting"}
    voorschot = [t for t in zaak["timers"] if t["spec"] == "voorbereiding_voorschot"]
    assert voorschot and voorschot[0]["due"].startswith("2026-02-04T23:00")  # 5 februari, Amsterdamse tijd

    # Stap 2: groepsvoorlichting met aanvraagformulier, daarna de groepsquickscan.
    doe(wp, zaak["id"], "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True,
                                         "quickscan_datum": "2026-01-14"}, "2026-01-12T10:00")
    doe(wp, zaak["id"], "quickscan", {"quickscan_afgerond": True, "startgesprek_datum": "2026-01-16"},
        "2026-01-14T11:00")
    # Stap 3: startgesprek met de vaste werkconsulent: loonwaarde rond 40%, geen directe match.
    zaak = doe(wp, zaak["id"], "startgesprek", {"loonwaarde_pct": 40, "directe_match": "geen",
                                                "plan_van_aanpak": "Werkritme opdoen en observatie bij Aan de slag."},
               "2026-01-16T14:00")
    assert zaak["phase"] == "poort"  # alleen het besluit op de aanvraag staat nog open
    assert open_specs(wp, zaak["id"]) == {"besluit_aanvraag"}
    zaak = besluit(wp, zaak["id"], True, "2026-01-19T09:00")

    # DMN: loonwaarde 40% zonder directe match -> Aan de slag, maximaal 6 maanden.
    assert zaak["data"]["route"] == "aan_de_slag"
    assert zaak["data"]["route_maximale_duur"] == "P6M"
    assert zaak["phase"] == "traject"
    assert open_specs(wp, zaak["id"]) == {"aan_de_slag"}
    timers = {t["spec"]: t["due"] for t in zaak["timers"]}
    assert timers["aan_de_slag_max"].startswith("2026-07-19")  # zes maanden na de start
    assert "voorschot_termijn" not in timers  # besluit binnen vier weken: geen voorschot nodig

    # Stap 4/5: weinig werkroutines, tegendraads bij tegenslag -> specialistische diagnose.
    zaak = doe(wp, zaak["id"], "aan_de_slag", {"vervolg_aan_de_slag": "specialistische_diagnose"}, "2026-03-16T10:00")
    assert zaak["phase"] == "diagnose"
    diagnose = open_taak(wp, zaak["id"], "specialistische_diagnose")
    assert diagnose["lane"] == "psycholoog" and diagnose["due"].startswith("2026-04-27")
    zaak = doe(wp, zaak["id"], "specialistische_diagnose",
               {"iq_indicatie": "70_85", "loonwaarde_pct": 25, "individueel_inzetbaar": False,
                "advies_diagnose": "nieuw_beschut_werk",
                "toelichting": "IQ tussen 75 en 80; gedrag bij spanning door overvraging."}, "2026-04-10T10:00")

    # Stap 6: nieuw beschut werk, met advies van UWV.
    doe(wp, zaak["id"], "gedeeld_beschut_werk_advies_aanvragen", {"aanvraagdatum_beschut_werk": "2026-04-13"},
        "2026-04-13T09:00")
    doe(wp, zaak["id"], "gedeeld_beschut_werk_advies_uitslag", {"beschut_werk_advies": True}, "2026-05-20T09:00")
    doe(wp, zaak["id"], "beschut_werk_advies_bespreken", {"besproken_met_klant": True}, "2026-05-21T09:00")
    zaak = doe(wp, zaak["id"], "plaatsing_beschut", {"werksoort": "groenvoorziening", "startdatum": "2026-06-01"},
               "2026-05-25T09:00")

    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_nieuw_beschut_werk"
    assert zaak["phase"] == "traject"
    assert zaak["data"]["weener_uitkomst"] == "nieuw_beschut_werk"
    assert zaak["data"]["recht_op_bijstand"] is True
    assert zaak["timers"] == [] and zaak["tasks"] == []
    assert pad(wp, zaak["id"]) == [
        "tienminutengesprek", "voorlichting", "quickscan", "startgesprek", "besluit_aanvraag",
        "beschikking_verzenden", "aan_de_slag", "specialistische_diagnose", "gedeeld_beschut_werk_advies_aanvragen",
        "gedeeld_beschut_werk_advies_uitslag", "beschut_werk_advies_bespreken", "plaatsing_beschut",
    ]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_jongere_wacht_vier_weken_voor_voorlichting_en_aanvraag(wp):
    zaak = wp.start_case(GEMEENTE, "123456782", "Sanne", "2004-02-01", at="2026-01-08T09:00")
    assert zaak["data"]["leeftijd"] == 21
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    assert zaak["phase"] == "inspanningsperiode"
    assert open_specs(wp, zaak["id"]) == set()  # geen voorlichting en geen besluit tijdens de zoektermijn
    assert wp.fire_due_timers("2026-02-04T12:00") == []
    gevuurd = wp.fire_due_timers("2026-02-05T12:00")
    assert sorted(t for f in gevuurd for t in f["timers"]) == [
        "Vier weken zoektermijn jongeren (Pw art. 41 lid 4)", "Vier weken zoektermijn: voorlichting pas daarna (jongere)"]
    zaak = wp.get_case(zaak["id"])
    assert zaak["phase"] == "poort"
    assert open_specs(wp, zaak["id"]) == {"voorlichting", "aanvraag_jongere"}
    zaak = doe(wp, zaak["id"], "aanvraag_jongere", {"aanvraagdatum": "2026-02-05"}, "2026-02-05T13:00")
    assert zaak["data"]["aanvraagdatum"] == "2026-02-05"  # vier weken na de melding
    assert open_specs(wp, zaak["id"]) == {"voorlichting"}

    doe(wp, zaak["id"], "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-02-09T10:00")
    doe(wp, zaak["id"], "quickscan", {"quickscan_afgerond": True}, "2026-02-11T10:00")
    doe(wp, zaak["id"], "startgesprek", {"loonwaarde_pct": 90, "directe_match": "wep",
                                         "plan_van_aanpak": "Direct naar een werkervaringsplaats."}, "2026-02-13T10:00")
    zaak = besluit(wp, zaak["id"], False, "2026-02-16T10:00")
    assert zaak["status"] == "waiting"  # bezwaartermijn
    wp.fire_due_timers("2026-03-31T09:00")
    zaak = wp.get_case(zaak["id"])
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_afgewezen"
    stappen = pad(wp, zaak["id"])[:-1]
    assert sorted(stappen[1:3]) == ["timer:zoektermijn_jongere", "timer:zoektermijn_jongeren"]
    assert stappen[:1] + stappen[3:] == ["tienminutengesprek", "aanvraag_jongere", "voorlichting", "quickscan",
                                         "startgesprek",
                                         "besluit_aanvraag", "beschikking_verzenden"]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_intrekking_tijdens_de_inspanningsperiode_beeindigt_de_zaak(wp):
    zaak = wp.start_case(GEMEENTE, "123456782", "Sanne", "2004-02-01", at="2026-01-08T09:00")
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    assert zaak["phase"] == "inspanningsperiode"
    zaak = wp.send_message(zaak["id"], "aanvraag_ingetrokken", {"reden": "werk gevonden"}, user="kees",
                           at="2026-01-20T10:00")
    assert zaak["status"] == "withdrawn"
    assert zaak["end_event"] == "einde_ingetrokken"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert wp.fire_due_timers("2026-03-01") == []
    assert wp.replay_case(zaak["id"])["match"] is True


def test_gemiste_beslistermijn_en_te_late_diagnose_escaleren_naar_teamleider(wp):
    zaak = wp.start_case(GEMEENTE, "999990019", "Piet", "1970-09-09", at="2026-01-08T09:00")
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    doe(wp, zaak["id"], "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-01-12T10:00")
    doe(wp, zaak["id"], "quickscan", {"quickscan_afgerond": True}, "2026-01-14T10:00")
    doe(wp, zaak["id"], "startgesprek", {"loonwaarde_pct": 45, "directe_match": "geen",
                                         "plan_van_aanpak": "Aan de slag."}, "2026-01-16T10:00")
    # Niemand beslist: elke vier weken het wettelijk voorschot, na acht weken escalatie.
    gevuurd = wp.fire_due_timers("2026-03-06T12:00")
    voorschot = "Elke vier weken zonder besluit: voorschot (Pw art. 52)"
    assert [t for f in gevuurd for t in f["timers"]] == [voorschot, voorschot, "Beslistermijn verstreken"]
    assert [f["due"][:10] for f in gevuurd] == ["2026-02-04", "2026-03-04", "2026-03-05"]  # middernacht, Amsterdam
    escalatie = open_taak(wp, zaak["id"], "escalatie_beslistermijn")
    assert escalatie["lane"] == "teamleider"
    assert open_specs(wp, zaak["id"]) == {"besluit_aanvraag", "voorschot_verstrekken", "escalatie_beslistermijn"}
    wp.complete_task(escalatie["id"], "teamleider", {"actie": "opgepakt"}, at="2026-03-06T13:00")
    voorschotten = [t for t in wp.list_tasks(case_id=zaak["id"]) if t["spec"] == "voorschot_verstrekken"]
    assert len(voorschotten) == 2
    for taak in voorschotten:
        wp.complete_task(taak["id"], "kees", {"voorschot_verstrekt": True}, at="2026-03-06T14:00")
    besluit(wp, zaak["id"], True, "2026-03-09T09:00")
    doe(wp, zaak["id"], "aan_de_slag", {"vervolg_aan_de_slag": "specialistische_diagnose"}, "2026-04-01T09:00")
    # De specialistische diagnose duurt langer dan zes weken: escalatie naar de teamleider.
    gevuurd = wp.fire_due_timers("2026-05-14T09:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Specialistische diagnose duurt langer dan 6 weken"]
    assert open_taak(wp, zaak["id"], "escalatie_diagnose")["lane"] == "teamleider"
    assert "specialistische_diagnose" in open_specs(wp, zaak["id"])  # de diagnose loopt door
    doe(wp, zaak["id"], "escalatie_diagnose", {"actie": "opgepakt"}, "2026-05-14T10:00")
    zaak = doe(wp, zaak["id"], "specialistische_diagnose",
               {"loonwaarde_pct": 20, "individueel_inzetbaar": False, "advies_diagnose": "werk_en_participatie"},
               "2026-05-20T10:00")
    assert zaak["status"] not in ("completed", "withdrawn", "error")
    assert open_specs(wp, zaak["id"]) == {"werk_en_participatie"}
    assert wp.replay_case(zaak["id"])["match"] is True


def test_werk_en_participatie_heeft_jaarlijks_voortgangsgesprek(wp):
    zaak = wp.start_case(GEMEENTE, "232262536", "Henk", "1960-03-03", at="2026-01-08T09:00")
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    doe(wp, zaak["id"], "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-01-12T10:00")
    doe(wp, zaak["id"], "quickscan", {"quickscan_afgerond": True}, "2026-01-14T10:00")
    doe(wp, zaak["id"], "startgesprek", {"loonwaarde_pct": 20, "directe_match": "geen",
                                         "plan_van_aanpak": "Vrijwilligerswerk via de WMO."}, "2026-01-16T10:00")
    zaak = besluit(wp, zaak["id"], True, "2026-01-19T10:00")
    assert zaak["data"]["route"] == "werk_en_participatie"
    assert zaak["data"]["route_reden"] == "loonwaarde onder 30% WML"
    gevuurd = wp.fire_due_timers("2028-01-20T12:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Minstens eens per jaar een voortgangsgesprek"] * 2
    assert len([t for t in wp.list_tasks(case_id=zaak["id"]) if t["spec"] == "voortgangsgesprek"]) == 2
    assert wp.replay_case(zaak["id"])["match"] is True


@pytest.mark.parametrize(("loonwaarde", "match", "route", "taak"), [
    (29, "wep", "werk_en_participatie", "werk_en_participatie"),
    (30, "wep", "wep", "wep"),
    (60, "bossche_baan", "bossche_baan", "bossche_baan"),
    (100, "geen", "aan_de_slag", "aan_de_slag"),
])
def test_route_op_loonwaarde(wp, loonwaarde, match, route, taak):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klant", "1980-01-01", at="2026-01-08T09:00")
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    doe(wp, zaak["id"], "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-01-12T10:00")
    doe(wp, zaak["id"], "quickscan", {"quickscan_afgerond": True}, "2026-01-14T10:00")
    doe(wp, zaak["id"], "startgesprek", {"loonwaarde_pct": loonwaarde, "directe_match": match,
                                         "plan_van_aanpak": "Plan."}, "2026-01-16T10:00")
    zaak = besluit(wp, zaak["id"], True, "2026-01-19T10:00")
    assert zaak["data"]["route"] == route
    assert open_specs(wp, zaak["id"]) == {taak}


def test_opschorting_verlengt_de_beslistermijn_met_de_opgeschorte_dagen(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klaas", "1975-05-05", at="2026-01-08T09:00")
    zaak = tienminutengesprek(wp, zaak["id"], "2026-01-08T09:20")
    assert zaak["data"]["beslisdatum"] == "2026-03-05"
    zaak = wp.send_message(zaak["id"], "opschorting", {"reden": "bankafschriften ontbreken"}, at="2026-01-12T10:00")
    assert "besluit_aanvraag" not in open_specs(wp, zaak["id"])
    zaak = wp.send_message(zaak["id"], "stukken_ontvangen", {}, at="2026-01-22T10:00")
    assert zaak["data"]["opgeschorte_dagen"] == 10
    assert zaak["data"]["beslisdatum"] == "2026-03-16"  # 5 maart + 10 dagen = zondag 15 maart -> maandag
    doe(wp, zaak["id"], "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-01-23T10:00")
    assert open_taak(wp, zaak["id"], "besluit_aanvraag")["due"].startswith("2026-03-16")
    assert wp.replay_case(zaak["id"])["match"] is True


def naar_route(wp: Werkpad, zaak: str, loonwaarde: int, match: str) -> dict:
    tienminutengesprek(wp, zaak, "2026-01-08T09:20")
    doe(wp, zaak, "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-01-12T10:00")
    doe(wp, zaak, "quickscan", {"quickscan_afgerond": True}, "2026-01-14T10:00")
    doe(wp, zaak, "startgesprek", {"loonwaarde_pct": loonwaarde, "directe_match": match, "plan_van_aanpak": "Plan."},
        "2026-01-16T10:00")
    return besluit(wp, zaak, True, "2026-01-19T10:00")


def test_werk_gevonden_tijdens_wep_gevolgd_door_drie_maanden_nazorg(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Ali", "1982-02-02", at="2026-01-08T09:00")
    zaak = naar_route(wp, zaak["id"], 85, "wep")
    assert open_specs(wp, zaak["id"]) == {"wep"}
    assert "werk_gevonden" in zaak["waiting_for_messages"]
    zaak = wp.send_message(zaak["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-03-02T10:00")
    assert zaak["phase"] == "nazorg" and open_specs(wp, zaak["id"]) == set()
    for maand, dag in (("04", "03"), ("05", "04"), ("06", "05")):
        gevuurd = wp.fire_due_timers(f"2026-{maand}-{dag}T09:00")
        assert [t for f in gevuurd for t in f["timers"]] == ["Een maand later"]
        assert open_taak(wp, zaak["id"], "nazorgcontact")["lane"] == "werkcoach"
        zaak = doe(wp, zaak["id"], "nazorgcontact", {"nog_aan_het_werk": True}, f"2026-{maand}-{dag}T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_uitgestroomd"
    assert zaak["phase"] == "nazorg"
    assert zaak["data"]["nazorg_afgerond"] is True and zaak["data"]["uitkomst"] == "uitgestroomd"
    assert wp.replay_case(zaak["id"])["match"] is True


def test_wep_eindigt_na_zes_maanden_en_gaat_terug_naar_aan_de_slag(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Ali", "1982-02-02", at="2026-01-08T09:00")
    naar_route(wp, zaak["id"], 50, "wep")
    assert wp.fire_due_timers("2026-07-19T12:00") == []
    gevuurd = wp.fire_due_timers("2026-07-19T18:00")  # zes maanden na de start (19 januari, 16:00)
    assert [t for f in gevuurd for t in f["timers"]] == ["WEP: 6 maanden voorbij"]
    assert open_specs(wp, zaak["id"]) == {"plaatsing_einde"}
    zaak = doe(wp, zaak["id"], "plaatsing_einde", {"uitkomst": "werk_niet_haalbaar"}, "2026-07-20T10:00")
    assert open_specs(wp, zaak["id"]) == {"aan_de_slag"}
    assert wp.replay_case(zaak["id"])["match"] is True


def test_groepsdetachering_via_doelgroepregister(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Ali", "1982-02-02", at="2026-01-08T09:00")
    naar_route(wp, zaak["id"], 45, "geen")
    doe(wp, zaak["id"], "aan_de_slag", {"vervolg_aan_de_slag": "specialistische_diagnose"}, "2026-03-02T10:00")
    doe(wp, zaak["id"], "specialistische_diagnose", {"loonwaarde_pct": 40, "individueel_inzetbaar": False,
                                                     "advies_diagnose": "groepsdetachering"}, "2026-03-20T10:00")
    doe(wp, zaak["id"], "gedeeld_doelgroepregister_aanvragen", {"aanmelddatum_doelgroepregister": "2026-03-23"},
        "2026-03-23T10:00")
    doe(wp, zaak["id"], "gedeeld_doelgroepregister_uitslag", {"doelgroepregister": True}, "2026-04-20T10:00")
    doe(wp, zaak["id"], "doelgroepregister_bespreken", {"besproken_met_klant": True}, "2026-04-21T10:00")
    zaak = doe(wp, zaak["id"], "groepsdetachering", {"werkgever": "Distributiecentrum", "startdatum": "2026-05-01"},
               "2026-04-24T10:00")
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_groepsdetachering"
    assert zaak["data"]["weener_uitkomst"] == "groepsdetachering" and zaak["data"]["doelgroepregister"] is True
    assert wp.replay_case(zaak["id"])["match"] is True


def test_aan_de_slag_eindigt_na_zes_maanden(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Ali", "1982-02-02", at="2026-01-08T09:00")
    naar_route(wp, zaak["id"], 45, "geen")
    gevuurd = wp.fire_due_timers("2026-07-19T18:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Aan de slag: 6 maanden voorbij"]
    assert open_specs(wp, zaak["id"]) == {"aan_de_slag_einde"}
    doe(wp, zaak["id"], "aan_de_slag_einde", {"vervolg_aan_de_slag": "bossche_baan"}, "2026-07-20T10:00")
    assert open_specs(wp, zaak["id"]) == {"bossche_baan"}
    assert wp.replay_case(zaak["id"])["match"] is True
