"""IJmond Werkt! (Beverwijk, Heemskerk, Uitgeest, Velsen): Jan en de randgevallen (seed 003 §4.5).

Elke test draait op een eigen SQLite-bestand met alleen het IJmond-proces en de gedeelde
subprocessen (kopie van processes/ijmond en processes/gedeeld) en de echte forms/-map.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Conflict, ValidationError, Werkpad
from tests.processes.hulp import doe_na_timers as doe
from tests.processes.hulp import fasen_en_rollen, open_taak, pad, timer_due
from tests.processes.hulp import open_lijst as open_specs

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "velsen"
JAN_BSN = "111222333"


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("ijmond")


def ingevuld(wp: Werkpad, zaak: str, spec: str) -> dict:
    """De gegevens waarmee de (laatste) taak ``spec`` is afgerond, uit de audittrail."""
    data = [ev["payload"]["data"] for ev in wp.case_history(zaak)
            if ev["type"] == "task_completed" and ev["payload"]["task"]["spec"] == spec]
    assert data, f"taak {spec} is niet afgerond"
    return data[-1]


def start(wp: Werkpad, geboortedatum: str = "1980-05-01", at: str = "2026-01-05T09:00",
          gemeente: str = GEMEENTE) -> dict:
    return wp.start_case(gemeente, JAN_BSN, "Jan", geboortedatum, at=at)


GEEN_BIJZONDERHEDEN = {"verschenen": True, "gezondheidsklachten": False, "vrijstelling": False,
                       "storend_gedrag": False, "formulier_volledig": False,
                       "toelichting": "Een aantal vragen op het formulier is niet beantwoord."}


def tot_en_met_groepsintake(wp: Werkpad, zaak: str, intake: dict = GEEN_BIJZONDERHEDEN) -> dict:
    doe(wp, zaak, "screening", {"aandachtspunten": "Woont op wisselende adressen, geen inkomen.",
                                "datum_groepsintake": "2026-01-08"}, "2026-01-05T11:00")
    return doe(wp, zaak, "groepsintake", intake, "2026-01-08T10:00")


def test_manifest_bedient_vier_gemeenten(wp):
    proces = wp.show_process("ijmond")
    assert sorted(proces["municipalities"]) == ["beverwijk", "heemskerk", "uitgeest", "velsen"]
    assert proces["organisation"] == "ijmond_werkt"
    for gemeente in ("beverwijk", "heemskerk", "uitgeest", "velsen"):
        zaak = start(wp, gemeente=gemeente)
        assert zaak["process"] == "ijmond"
        assert zaak["municipality"] == gemeente
        assert wp.replay_case(zaak["id"])["match"] is True


def test_jan_groepsintake_sterk_naar_werk_adtc_en_twee_jaar_leerwerkplek(wp):
    zaak = start(wp)
    z = zaak["id"]
    # De aanvraag komt tegelijk bij de gemeente en bij IJmond Werkt! binnen; geen wachttijd voor 27+.
    assert open_specs(wp, z) == ["besluit_aanvraag", "screening"]
    assert zaak["phase"] == "poort"
    assert zaak["data"]["aanvraagdatum"] == "2026-01-05"
    assert "zoektermijn_jongere" not in [t["spec"] for t in zaak["timers"]]

    zaak = tot_en_met_groepsintake(wp, z)
    assert zaak["data"]["route_na_intake"] == "sterk_naar_werk"
    kennismaking = open_taak(wp, z, "kennismaking")
    assert kennismaking["lane"] == "trainer"
    assert kennismaking["due"].startswith("2026-01-15")  # 5 werkdagen na de groepsintake

    doe(wp, z, "kennismaking", {"deelname_bevestigd": True, "startdatum_training": "2026-01-19"},
        "2026-01-15T10:00")
    doe(wp, z, "plan_van_aanpak", {"eindtermen": ["effectief_zoekgedrag", "werknemersvaardigheden"],
                                    "plan_van_aanpak": "Basis werknemersvaardigheden en zoekgedrag."},
        "2026-01-19T10:00")
    zaak = wp.get_case(z)
    assert timer_due(zaak, "training_voorbij").startswith("2026-03-16")  # 8 weken training
    assert timer_due(zaak, "voorschot_termijn").startswith("2026-02-01")  # 4 weken na de aanvraag
    # De gemeente beslist binnen vier weken: geen wettelijk voorschot nodig.
    zaak = doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-29T10:00")
    assert "voorschot_termijn" not in [t["spec"] for t in zaak["timers"]]
    # Al in de eerste vier weken komt Jan niet mee: tussenstap naar het ADTC.
    zaak = doe(wp, z, "training", {"vervolg_training": "adtc",
                                   "toelichting": "Vermoeden van beperkt leervermogen."}, "2026-02-04T15:00")
    assert zaak["phase"] == "diagnose"
    assert open_taak(wp, z, "adtc_diagnose")["lane"] == "psycholoog"
    assert timer_due(zaak, "adtc_te_lang").startswith("2026-05-04")  # maximaal 3 maanden

    zaak = doe(wp, z, "adtc_diagnose", {"bevindingen": "IQ rond 80; afweergedrag door overvraging.",
                                        "iq_indicatie": "70_85", "loonwaarde_onder_wml": True,
                                        "vervolg_diagnose": "leerwerkbedrijf"}, "2026-02-18T10:00")
    assert zaak["phase"] == "traject"
    # Loonwaarde onder het WML: aanmelding doelgroepregister naast de leerwerkplek.
    assert open_specs(wp, z) == ["gedeeld_doelgroepregister_aanvragen", "leerwerkplek_start"]
    doe(wp, z, "gedeeld_doelgroepregister_aanvragen", {"aanmelddatum_doelgroepregister": "2026-02-20"},
        "2026-02-20T11:00")
    zaak = doe(wp, z, "leerwerkplek_start", {"leerwerkplek": "Leerwerkbedrijf, vestiging Velsen",
                                             "ontwikkeldoelen": "Werknemersvaardigheden, in de groep."},
               "2026-02-23T09:00")
    assert open_taak(wp, z, "leerwerkplek")["lane"] == "werkcoach"
    assert timer_due(zaak, "twee_jaar_voorbij").startswith("2028-02-23")
    assert timer_due(zaak, "evaluatiecyclus").startswith("2026-05-23")
    doe(wp, z, "gedeeld_doelgroepregister_uitslag", {"doelgroepregister": True}, "2026-03-16T10:00")
    doe(wp, z, "gedeeld_beschut_werk_advies_aanvragen", {"aanvraagdatum_beschut_werk": "2026-03-16"},
        "2026-03-16T10:30")
    doe(wp, z, "gedeeld_beschut_werk_advies_uitslag", {"beschut_werk_advies": False}, "2026-04-13T10:00")

    # Twee jaar leerwerkplek, elke drie maanden een evaluatie.
    evaluatiedata = []
    for _ in range(8):
        zaak = wp.get_case(z)
        due = timer_due(zaak, "evaluatiecyclus")
        fired = wp.fire_due_timers(due)
        assert [n for f in fired for n in f["timers"]][0] == "Driemaandelijkse evaluatie"
        evaluatie = open_taak(wp, z, "evaluatie")
        evaluatiedata.append(evaluatie["created_at"][:10])
        dag = evaluatie["created_at"][:10]
        wp.complete_task(evaluatie["id"], "werkcoach", {"voortgang": "volgens_plan"}, at=dag + "T15:00")
    assert evaluatiedata == ["2026-05-23", "2026-08-23", "2026-11-23", "2027-02-23", "2027-05-23",
                             "2027-08-23", "2027-11-23", "2028-02-23"]
    # Na twee jaar is Jan niet uitgestroomd: onderzoek waarom.
    onderzoek = open_taak(wp, z, "onderzoek_niet_uitgestroomd")
    assert onderzoek["lane"] == "teamleider"
    assert "leerwerkplek" not in open_specs(wp, z)
    zaak = doe(wp, z, "onderzoek_niet_uitgestroomd",
               {"reden_niet_uitgestroomd": "Loonwaarde blijvend onder het WML; geen externe plek gevonden.",
                "advies_na_twee_jaar": "beschut_werk"}, "2028-03-01T10:00")

    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_twee_jaar"
    assert zaak["phase"] == "traject"
    assert zaak["data"]["iq_indicatie"] == "70_85"
    # Het besluit en de UWV-uitslag liepen in parallelle sporen; de audittrail legt ze vast.
    assert ingevuld(wp, z, "besluit_aanvraag")["recht_op_bijstand"] is True
    assert ingevuld(wp, z, "gedeeld_doelgroepregister_uitslag")["doelgroepregister"] is True
    assert zaak["data"]["leerwerkplek_afgelopen"] is True
    assert zaak["data"]["advies_na_twee_jaar"] == "beschut_werk"
    verwacht = (["screening", "groepsintake", "kennismaking", "plan_van_aanpak", "besluit_aanvraag",
                 "training", "adtc_diagnose",
                 "gedeeld_doelgroepregister_aanvragen", "leerwerkplek_start", "gedeeld_doelgroepregister_uitslag",
                 "gedeeld_beschut_werk_advies_aanvragen", "gedeeld_beschut_werk_advies_uitslag"]
                + ["timer:evaluatiecyclus", "evaluatie"] * 7
                + ["timer:evaluatiecyclus", "timer:twee_jaar_voorbij", "evaluatie", "onderzoek_niet_uitgestroomd"])
    assert pad(wp, z) == verwacht
    assert pad(wp, z).count("evaluatie") == 8
    assert wp.replay_case(z)["match"] is True


def test_jongere_wacht_vier_weken_voor_de_screening(wp):
    zaak = start(wp, geboortedatum="2004-03-10")
    z = zaak["id"]
    assert zaak["data"]["leeftijd"] == 21
    assert zaak["phase"] == "inspanningsperiode"
    assert open_specs(wp, z) == []
    assert timer_due(zaak, "zoektermijn_jongere") == "2026-02-01T23:00:00+00:00"  # 2 februari 0:00 uur
    assert wp.fire_due_timers("2026-02-01T23:00") == []
    assert open_specs(wp, z) == []
    fired = wp.fire_due_timers("2026-02-02T12:00")
    # the process's own 4-week wait, and the aanvraag's check of the same term, which is then
    # already due and fires in the same step
    assert [n for f in fired for n in f["timers"]] == [
        "Zoektermijn jongeren: 4 weken na de melding (Pw art. 41 lid 4)",
        "Vier weken zoektermijn jongeren (Pw art. 41 lid 4)"]
    zaak = wp.get_case(z)
    assert open_specs(wp, z) == ["aanvraag_jongere", "screening"]
    # the youth files three days after the four weeks; that date is recorded, the 8 weeks run from it
    zaak = wp.complete_task(open_taak(wp, z, "aanvraag_jongere")["id"], "medewerker",
                            {"aanvraagdatum": "2026-02-05"}, at="2026-02-05T12:00")
    assert open_specs(wp, z) == ["besluit_aanvraag", "screening"]
    assert zaak["data"]["aanvraagdatum"] == "2026-02-05"
    assert zaak["data"]["beslisdatum"] == "2026-04-02"
    assert zaak["phase"] == "poort"
    assert wp.replay_case(z)["match"] is True


def test_intrekking_tijdens_de_zoektermijn_beeindigt_de_zaak(wp):
    zaak = start(wp, geboortedatum="2004-03-10")
    z = zaak["id"]
    assert wp.fire_due_timers("2026-01-20T09:00") == []
    assert wp.get_case(z)["phase"] == "inspanningsperiode"
    zaak = wp.send_message(z, "aanvraag_ingetrokken", {"reden": "werk gevonden"}, user="klant",
                           at="2026-01-20T10:00")
    assert zaak["status"] == "withdrawn"
    assert zaak["end_event"] == "einde_ingetrokken"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert wp.fire_due_timers("2026-06-01") == []
    assert pad(wp, z) == ["bericht:aanvraag_ingetrokken"]
    assert wp.replay_case(z)["match"] is True


def test_groepsintake_niet_binnen_een_week_escaleert_naar_teamleider(wp):
    z = start(wp)["id"]  # melding maandag 5 januari
    # the screening takes two days; the week still counts from the melding (seed 003 §4.5)
    doe(wp, z, "screening", {"datum_groepsintake": "2026-01-08"}, "2026-01-07T11:00")
    assert wp.get_case(z)["data"]["groepsintake_uiterlijk"] == "2026-01-12"
    assert open_taak(wp, z, "groepsintake")["due"].startswith("2026-01-12")
    assert wp.fire_due_timers("2026-01-12T22:00") == []
    fired = wp.fire_due_timers("2026-01-13T09:00")
    assert [n for f in fired for n in f["timers"]] == ["Groepsintake niet binnen een week na de melding"]
    assert fired[0]["due"].startswith("2026-01-12T23:00")  # 13 januari 0:00 Amsterdam
    escalatie = open_taak(wp, z, "escalatie_groepsintake")
    assert escalatie["lane"] == "teamleider"
    assert "groepsintake" in open_specs(wp, z)  # herinnering, de intake blijft staan
    doe(wp, z, "escalatie_groepsintake", {"actie": "opgepakt"}, "2026-01-13T14:00")
    zaak = doe(wp, z, "groepsintake", GEEN_BIJZONDERHEDEN, "2026-01-15T10:00")
    assert "kennismaking" in open_specs(wp, z)
    assert pad(wp, z) == ["screening", "timer:groepsintake_te_laat", "escalatie_groepsintake", "groepsintake"]
    assert zaak["status"] == "running"
    assert wp.replay_case(z)["match"] is True


def test_adtc_diagnose_duurt_maximaal_drie_maanden(wp):
    z = start(wp)["id"]
    tot_en_met_groepsintake(wp, z, {**GEEN_BIJZONDERHEDEN, "storend_gedrag": True})
    zaak = wp.get_case(z)
    assert zaak["data"]["route_na_intake"] == "adtc"  # storend gedrag: eerst het ADTC
    assert open_specs(wp, z) == ["adtc_diagnose", "besluit_aanvraag"]
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    fired = wp.fire_due_timers("2026-04-09T12:00")
    assert "ADTC-diagnose maximaal drie maanden" in [n for f in fired for n in f["timers"]]
    assert "adtc_diagnose" not in open_specs(wp, z)
    verstreken = open_taak(wp, z, "adtc_termijn_verstreken")
    assert verstreken["lane"] == "teamleider"
    zaak = doe(wp, z, "adtc_termijn_verstreken", {"bevindingen": "Complexe casus; klaar voor de training.",
                                                  "loonwaarde_onder_wml": False,
                                                  "vervolg_diagnose": "sterk_naar_werk"}, "2026-04-10T10:00")
    assert open_specs(wp, z) == ["kennismaking"]
    assert zaak["phase"] == "traject"
    assert wp.replay_case(z)["match"] is True


@pytest.mark.parametrize("intake, route, open_na", [
    ({"vrijstelling": True}, "terug_naar_gemeente", ["overdracht_gemeente"]),
    ({"gezondheidsklachten": True}, "arbeidsdeskundige", ["arbeidsdeskundige_gesprek"]),
    ({"storend_gedrag": True, "gezondheidsklachten": True}, "adtc", ["adtc_diagnose"]),
    ({"verschenen": False}, "opnieuw_uitnodigen", ["groepsintake"]),
])
def test_beslistabel_groepsintake_kiest_het_vervolg(wp, intake, route, open_na):
    z = start(wp)["id"]
    zaak = tot_en_met_groepsintake(wp, z, {**GEEN_BIJZONDERHEDEN, **intake})
    assert zaak["data"]["route_na_intake"] == route
    assert [s for s in open_specs(wp, z) if s != "besluit_aanvraag"] == open_na
    assert wp.replay_case(z)["match"] is True


def test_vrijstelling_gaat_terug_naar_de_gemeente(wp):
    z = start(wp)["id"]
    tot_en_met_groepsintake(wp, z, {**GEEN_BIJZONDERHEDEN, "vrijstelling": True})
    doe(wp, z, "overdracht_gemeente", {"reden_overdracht": "vrijstelling", "gemeente_geinformeerd": True},
        "2026-01-09T10:00")
    zaak = doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    assert zaak["status"] == "completed"
    assert zaak["data"]["reden_overdracht"] == "vrijstelling"
    assert pad(wp, z) == ["screening", "groepsintake", "overdracht_gemeente", "besluit_aanvraag"]
    assert wp.replay_case(z)["match"] is True


def test_vroeg_uitstromen_naar_externe_werkstage(wp):
    z = start(wp)["id"]
    tot_en_met_groepsintake(wp, z)
    doe(wp, z, "kennismaking", {"deelname_bevestigd": True, "startdatum_training": "2026-01-19"},
        "2026-01-15T10:00")
    doe(wp, z, "plan_van_aanpak", {"eindtermen": ["motivatie"], "plan_van_aanpak": "Motivatie."},
        "2026-01-19T10:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-30T10:00")
    # De training loopt af zonder dat de trainer het vervolg heeft vastgelegd: het interrumperende
    # 8-wekentimer beëindigt de training en vraagt om het vervolg.
    fired = wp.fire_due_timers("2026-03-16T12:00")
    assert "Acht weken training voorbij" in [n for f in fired for n in f["timers"]]
    doe(wp, z, "training_afronden", {"vervolg_training": "leerwerkbedrijf"}, "2026-03-17T10:00")
    doe(wp, z, "leerwerkplek_start", {"leerwerkplek": "Groen", "ontwikkeldoelen": "Ritme."}, "2026-03-18T10:00")
    zaak = wp.get_case(z)
    assert "leerwerkplek" in open_specs(wp, z) and "evaluatiecyclus" in [t["spec"] for t in zaak["timers"]]
    fired = wp.fire_due_timers("2026-06-18T12:00")
    assert [n for f in fired for n in f["timers"]] == ["Driemaandelijkse evaluatie"]
    doe(wp, z, "evaluatie", {"voortgang": "klaar_voor_extern"}, "2026-06-19T10:00")
    zaak = doe(wp, z, "leerwerkplek", {"uitstroom_leerwerkplek": "externe_werkstage"}, "2026-07-01T10:00")
    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_werkstage"
    assert zaak["timers"] == []
    assert wp.replay_case(z)["match"] is True


def voorschotten_verstrekken(wp: Werkpad, zaak: str, at: str) -> int:
    """Rond elk openstaand wettelijk voorschot af; geeft het aantal terug."""
    taken = [t for t in wp.list_tasks(case_id=zaak, with_form=False) if t["spec"] == "voorschot_verstrekken"]
    for taak in taken:
        wp.complete_task(taak["id"], "inkomensconsulent", {"voorschot_verstrekt": True}, at=at)
    return len(taken)


def test_opschorting_verschuift_de_beslistermijn_en_late_beslissing_escaleert(wp):
    zaak = start(wp)
    z = zaak["id"]
    assert zaak["data"]["beslisdatum"] == "2026-03-02"  # 8 weken na 5 januari
    wp.send_message(z, "opschorting", {"ontbrekend": "bankafschriften"}, user="inkomensconsulent",
                    at="2026-01-12T10:00")
    assert "besluit_aanvraag" not in open_specs(wp, z)
    zaak = wp.send_message(z, "stukken_ontvangen", {}, user="inkomensconsulent", at="2026-01-22T10:00")
    assert zaak["data"]["opgeschorte_dagen"] == 10
    assert zaak["data"]["beslisdatum"] == "2026-03-12"
    assert open_taak(wp, z, "besluit_aanvraag")["due"] == "2026-03-12T22:59:59+00:00"
    wp.fire_due_timers("2026-02-02T12:00")
    assert voorschotten_verstrekken(wp, z, "2026-02-03T10:00") == 1  # wettelijk voorschot na 4 weken
    wp.fire_due_timers("2026-03-12T20:00")
    voorschotten_verstrekken(wp, z, "2026-03-12T20:30")
    assert "escalatie_beslistermijn" not in open_specs(wp, z)
    assert "timer:beslistermijn_verstreken" not in pad(wp, z)
    wp.fire_due_timers("2026-03-13T10:00")
    assert pad(wp, z)[-1] == "timer:beslistermijn_verstreken"
    assert open_taak(wp, z, "escalatie_beslistermijn")["lane"] == "teamleider"
    doe(wp, z, "escalatie_beslistermijn", {"actie": "opgepakt"}, "2026-03-13T11:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-03-13T15:00")
    assert [s for s in pad(wp, z) if "voorschot" not in s] == [
        "bericht:opschorting", "bericht:stukken_ontvangen", "timer:beslistermijn_verstreken",
        "escalatie_beslistermijn", "besluit_aanvraag"]
    assert wp.get_case(z)["status"] == "running"  # het traject bij IJmond Werkt! loopt door
    assert wp.replay_case(z)["match"] is True


def test_werk_gevonden_tijdens_de_training_gaat_naar_nazorg(wp):
    z = start(wp)["id"]
    tot_en_met_groepsintake(wp, z)
    doe(wp, z, "kennismaking", {"deelname_bevestigd": True, "startdatum_training": "2026-01-19"},
        "2026-01-15T10:00")
    doe(wp, z, "plan_van_aanpak", {"eindtermen": ["effectief_zoekgedrag"], "plan_van_aanpak": "Solliciteren."},
        "2026-01-19T10:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-26T10:00")
    zaak = doe(wp, z, "training", {"vervolg_training": "werk"}, "2026-02-20T10:00")
    assert zaak["phase"] == "nazorg"
    assert "training_voorbij" not in [t["spec"] for t in zaak["timers"]]
    for maand in ("2026-03", "2026-04", "2026-05"):
        wp.fire_due_timers(f"{maand}-20T12:00")
        doe(wp, z, "nazorgcontact", {"nog_aan_het_werk": True}, f"{maand}-21T10:00")
    zaak = wp.get_case(z)
    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_werk"
    assert zaak["data"]["nazorg_afgerond"] is True
    assert wp.replay_case(z)["match"] is True


def test_fasen_en_lanes_zijn_bekende_rollen(wp):
    proces = fasen_en_rollen(wp, "ijmond")
    assert "aanvraag_ingetrokken" in proces["messages"]
    for taak in proces["user_tasks"]:
        assert taak["form"], taak


def test_formulier_groepsintake_wordt_op_de_server_gecontroleerd(wp):
    z = start(wp)["id"]
    doe(wp, z, "screening", {"datum_groepsintake": "2026-01-08"}, "2026-01-05T11:00")
    taak = open_taak(wp, z, "groepsintake")
    with pytest.raises(ValidationError) as fout:
        wp.complete_task(taak["id"], "werkcoach", {"verschenen": True, "gezondheidsklachten": "misschien"},
                         at="2026-01-08T10:00")
    assert {"gezondheidsklachten", "vrijstelling", "storend_gedrag"} <= set(fout.value.fields)
    assert open_taak(wp, z, "groepsintake")["id"] == taak["id"]  # niets veranderd
    assert wp.replay_case(z)["match"] is True


def test_zonder_recht_op_bijstand_loopt_het_traject_door(wp):
    # NUGgers en afgewezen aanvragers mogen blijven deelnemen aan de groepsgewijze begeleiding.
    z = start(wp)["id"]
    tot_en_met_groepsintake(wp, z)
    zaak = doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": False}, "2026-01-08T12:00")
    assert zaak["status"] == "running"
    assert open_specs(wp, z) == ["kennismaking"]
    assert ingevuld(wp, z, "besluit_aanvraag")["recht_op_bijstand"] is False
    assert wp.replay_case(z)["match"] is True


def test_jan_meldt_zelf_gevonden_werk_tijdens_de_training_en_krijgt_nazorg(wp):
    z = start(wp)["id"]
    with pytest.raises(Conflict):  # tijdens de screening wacht nog niets op dit bericht: geweigerd
        wp.send_message(z, "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-01-05T10:00")
    tot_en_met_groepsintake(wp, z)
    doe(wp, z, "kennismaking", {"deelname_bevestigd": True, "startdatum_training": "2026-01-19"},
        "2026-01-15T10:00")
    doe(wp, z, "plan_van_aanpak", {"eindtermen": ["effectief_zoekgedrag"], "plan_van_aanpak": "Solliciteren."},
        "2026-01-19T10:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-26T10:00")
    assert open_specs(wp, z) == ["training"]
    zaak = wp.send_message(z, "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-02-20T10:00")
    assert zaak["phase"] == "nazorg"
    bericht = [e for e in wp.case_history(z) if e["type"] == "message_received"][-1]
    geannuleerd = {c["spec"] for c in bericht["payload"]["cancelled"]}
    assert "training" in geannuleerd and "training_voorbij" in geannuleerd
    assert "training_voorbij" not in [t["spec"] for t in zaak["timers"]]
    for maand in ("2026-03", "2026-04", "2026-05"):
        wp.fire_due_timers(f"{maand}-20T12:00")
        doe(wp, z, "nazorgcontact", {"nog_aan_het_werk": True}, f"{maand}-21T10:00")
    zaak = wp.get_case(z)
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_werk"
    assert zaak["data"]["werk_zelf_gevonden"] is True and zaak["data"]["nazorg_afgerond"] is True
    assert wp.replay_case(z)["match"] is True
