"""Werk.Kom (Weert, Nederweert, Cranendonck): the basisproces driven through the public API.

Every test runs the real processes/werkkom and processes/gedeeld (copied into a
temporary tree with the forms they need, so other organisations' work in
progress cannot break these tests) on a fresh SQLite database, advances the
clock with ``fire_due_timers`` and ends with ``replay_case(...)["match"]``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Conflict, ValidationError, Werkpad
from tests.processes.hulp import doe_eerste as doe
from tests.processes.hulp import fasen_en_rollen, formulieren_met_uitleg, pad, replay_klopt
from tests.processes.hulp import open_lijst as open_taken

ROOT = Path(__file__).resolve().parents[2]
SLEUTEL = "werkkom"
BSN = "111222333"


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("werkkom")


# ---------------------------------------------------------------- helpers
def start_met_recht(wp: Werkpad, gemeente: str = "weert", geboren: str = "1980-05-01", naam: str = "Jan",
                    aanmelding: dict | None = None) -> str:
    """Melding, positive besluit by the gemeente and aanmelding at Werk.Kom (adult: no zoektermijn)."""
    case = wp.start_case(gemeente, BSN, naam, geboren, at="2026-01-05T09:00")
    assert case["phase"] == "poort"
    doe(wp, case["id"], "besluit_aanvraag", {"recht_op_bijstand": True, "stukken_compleet": True},
        at="2026-01-12T10:00")
    gegevens = {"korte_introductie": "Geen inkomen, woning kwijt, weinig werkervaring.",
                "werkgever_in_beeld": False, "statushouder": False, "inburgeringsplichtig": False,
                "taalniveau_b1": True, "computervaardig": True}
    gegevens.update(aanmelding or {})
    doe(wp, case["id"], "aanmelding", gegevens, at="2026-01-14T10:00")
    return case["id"]


def intake(wp: Werkpad, case_id: str, advies: str, workshops: bool = False,
           gesprek: str = "2026-01-19", noa_klaar: str = "2026-01-25", vervolg: str = "2026-01-26") -> dict:
    doe(wp, case_id, "intakegesprek", {"opleidingsniveau": "vmbo_onafgerond", "werkervaring": "weinig",
                                       "woonsituatie": "dakloos", "kinderopvang": "niet_nodig",
                                       "zelfredzaam": False}, at=f"{gesprek}T10:00")
    wp.fire_due_timers(f"{noa_klaar}T00:00")
    return doe(wp, case_id, "vervolggesprek", {"rapportage": "Gemotiveerd, praktisch ingesteld.",
                                               "advies_product": advies, "workshops": workshops,
                                               "iq_indicatie": "70_85"}, at=f"{vervolg}T10:00")


# ---------------------------------------------------------------- Jan through Werk.Kom
def test_jan_via_werkcomponent_jobhunting_proefplaatsing_en_detachering(wp):
    """A Jan-like client (seed 003 §3.2; over 27, no income, lost his home, little work experience,
    unfinished school, IQ 75-80): werkcomponent with workshops, jobhunting, a proefplaatsing with a
    jobcoach, reduced loonwaarde (55%) so Werk.Kom detaches him, then he is hired by the inlener and
    a werkcoach stays while the loonkostensubsidie runs."""
    cid = start_met_recht(wp)
    case = wp.get_case(cid)
    assert case["phase"] == "diagnose"
    assert case["data"]["noa_test"] == "profielscan"
    assert open_taken(wp, cid) == ["intakegesprek"]
    assert [t["lane"] for t in case["tasks"]] == ["consulent_intake_diagnose"]

    case = intake(wp, cid, "werkcomponent", workshops=True)
    assert case["data"]["product"] == "werkcomponent"
    assert case["phase"] == "traject"
    due = {t["spec"]: t["due"][:10] for t in case["timers"]}
    assert due["werkcomponent"] == "2026-07-27"     # 26 weken
    assert due["workshops"] == "2026-03-23"         # minimaal 8 weken

    wp.fire_due_timers("2026-03-23T12:00")
    doe(wp, cid, "workshops_afronden", {"workshops_gevolgd": "Solliciteren, vacatures lezen",
                                        "deelname_voldoende": True}, at="2026-03-24T10:00")
    assert open_taken(wp, cid) == []               # werkcomponent loopt nog
    wp.fire_due_timers("2026-07-28T00:00")
    doe(wp, cid, "totaalrapportage", {"rapportage": "Goede werkhouding, tempo laag.", "vervolg": "jobhunting"},
        at="2026-07-28T10:00")
    doe(wp, cid, "overdracht_jobhunter", {"cv_actueel": True, "kandidaatprofiel": True}, at="2026-07-30T10:00")
    case = doe(wp, cid, "jobhunting", {"jobhunting_resultaat": "proefplaatsing", "werkgever": "Groenbedrijf"},
               at="2026-09-15T10:00")
    assert [t["lane"] for t in case["tasks"]] == ["jobcoach"]
    assert {t["spec"]: t["due"][:10] for t in case["timers"]}["proefplaatsing_maximum"] == "2026-12-15"
    doe(wp, cid, "proefplaatsing", {"proefplaatsing_maanden": 2}, at="2026-11-13T10:00")
    doe(wp, cid, "indienstname", {"in_dienst": True, "verminderde_loonwaarde": True}, at="2026-11-16T10:00")
    doe(wp, cid, "loonwaarde_meten", {"loonwaarde_pct": 55}, at="2026-11-30T10:00")
    case = doe(wp, cid, "ontwikkelprofiel", {"ontwikkelprofiel": "hoog"}, at="2026-12-01T10:00")
    assert case["data"]["loonwaarde_geldig"] == "P6M"
    assert case["data"]["plaatsingsvorm"] == "detachering"
    case = doe(wp, cid, "detacheringscontract", {"opdrachtgever": "Groenbedrijf", "contract_maanden": 9},
               at="2026-12-03T10:00")
    assert case["phase"] == "nazorg"
    assert case["data"]["detacheringscontracten"] == 1
    due = {t["spec"]: t["due"][:10] for t in case["timers"]}
    assert due == {"contract_afloop": "2027-09-03", "herbeoordeling_detachering": "2027-06-03"}

    wp.fire_due_timers("2027-06-04T00:00")         # geldigheid loonwaarde (hoog: 6 maanden) verlopen
    assert open_taken(wp, cid) == ["detachering_begeleiden", "herbeoordeling_det"]
    doe(wp, cid, "herbeoordeling_det", {"herbeoordeelde_loonwaarde_pct": 62}, at="2027-06-10T10:00")
    wp.fire_due_timers("2027-09-04T00:00")         # contract loopt af
    case = doe(wp, cid, "detachering_afloop", {"detachering_keuze": "in_dienst_opdrachtgever"},
               at="2027-09-06T10:00")
    assert case["data"]["verlenging_toegestaan"] is True
    doe(wp, cid, "werkcoach_overdracht", {"plan_van_aanpak": "Tempo verhogen, zelfstandig plannen."},
        at="2027-09-08T10:00")
    case = doe(wp, cid, "werkcoach_begeleiding", {"lks_einde_reden": "volledige_loonwaarde"},
               at="2028-02-01T10:00")

    assert case["status"] == "completed"
    assert case["end_event"] == "einde_lks"
    assert case["phase"] == "nazorg"
    assert case["data"]["loonwaarde_pct"] == 55
    assert case["data"]["herbeoordeelde_loonwaarde_pct"] == 62
    assert pad(wp, cid) == [
        "besluit_aanvraag", "aanmelding", "intakegesprek", "timer:noa_test", "vervolggesprek",
        "timer:workshops", "workshops_afronden", "timer:werkcomponent", "totaalrapportage",
        "overdracht_jobhunter", "jobhunting", "proefplaatsing", "indienstname", "loonwaarde_meten",
        "ontwikkelprofiel", "detacheringscontract", "timer:herbeoordeling_detachering", "herbeoordeling_det",
        "timer:contract_afloop", "detachering_afloop", "werkcoach_overdracht", "werkcoach_begeleiding"]
    replay_klopt(wp, cid)


# ---------------------------------------------------------------- jongere: vier weken zoektermijn
def test_jongere_wacht_vier_weken_en_stroomt_uit_met_drie_maanden_nazorg(wp):
    case = wp.start_case("nederweert", BSN, "Sanne", "2004-03-10", at="2026-02-02T09:00")
    cid = case["id"]
    assert case["data"]["leeftijd"] == 21
    assert case["phase"] == "inspanningsperiode"
    assert case["tasks"] == []
    assert [(t["spec"], t["due"][:10]) for t in case["timers"]] == [("zoektermijn_jongeren", "2026-03-01")]
    assert wp.fire_due_timers("2026-02-28T00:00") == []
    wp.fire_due_timers("2026-03-02T12:00")
    case = wp.get_case(cid)
    assert case["phase"] == "poort"
    assert open_taken(wp, cid) == ["aanvraag_jongere"]
    # she files on 4 March, later than she could: the term counts from that day
    case = doe(wp, cid, "aanvraag_jongere", {"aanvraagdatum": "2026-03-04"}, at="2026-03-04T10:00")
    assert case["data"]["aanvraagdatum"] == "2026-03-04"
    assert case["data"]["beslisdatum"] == "2026-04-29"
    assert open_taken(wp, cid) == ["besluit_aanvraag"]

    doe(wp, cid, "besluit_aanvraag", {"recht_op_bijstand": True}, at="2026-03-09T10:00")
    # potential employer already in view: straight to the jobhunter, no intake
    doe(wp, cid, "aanmelding", {"korte_introductie": "Jongere met werkgever in beeld.", "werkgever_in_beeld": True,
                                "statushouder": False, "inburgeringsplichtig": False, "taalniveau_b1": True,
                                "computervaardig": True}, at="2026-03-10T10:00")
    assert open_taken(wp, cid) == ["overdracht_jobhunter"]
    doe(wp, cid, "overdracht_jobhunter", {"cv_actueel": True, "kandidaatprofiel": True}, at="2026-03-11T10:00")
    case = doe(wp, cid, "jobhunting", {"jobhunting_resultaat": "dienstverband", "werkgever": "Bakkerij"},
               at="2026-04-01T10:00")
    assert case["phase"] == "nazorg"
    for dag in ("2026-05-02", "2026-06-03", "2026-07-04"):   # elke maand na het vorige contact
        fired = wp.fire_due_timers(f"{dag}T00:00")
        assert [n for f in fired for n in f["timers"]] == ["Een maand later"]
        # the jobhunter keeps the monthly contact (productenhandboek 2.3, seed 000), not a werkcoach
        assert [t["lane"] for t in wp.get_case(cid)["tasks"]] == ["jobhunter"]
        doe(wp, cid, "nazorgcontact_jobhunter", {"nog_aan_het_werk": True}, at=f"{dag}T10:00")
    case = wp.get_case(cid)
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_uitgestroomd"
    assert case["data"]["nazorg_afgerond"] is True and case["data"]["uitkomst"] == "uitgestroomd"
    assert pad(wp, cid) == ["timer:zoektermijn_jongeren", "aanvraag_jongere", "besluit_aanvraag", "aanmelding",
                            "overdracht_jobhunter",
                            "jobhunting", "timer:nazorg_maand", "nazorgcontact_jobhunter", "timer:nazorg_maand",
                            "nazorgcontact_jobhunter", "timer:nazorg_maand", "nazorgcontact_jobhunter"]
    replay_klopt(wp, cid)


def test_intrekking_tijdens_de_zoektermijn_beeindigt_de_zaak(wp):
    case = wp.start_case("cranendonck", BSN, "Daan", "2003-06-01", at="2026-02-02T09:00")
    cid = case["id"]
    wp.fire_due_timers("2026-02-16T00:00")
    assert wp.get_case(cid)["phase"] == "inspanningsperiode"
    case = wp.send_message(cid, "aanvraag_ingetrokken", {"reden": "werk gevonden"}, user="kees",
                           at="2026-02-16T11:00")
    assert case["status"] == "withdrawn"
    assert case["end_event"] == "einde_ingetrokken"
    assert case["tasks"] == [] and case["timers"] == []
    assert wp.fire_due_timers("2026-06-01") == []
    with pytest.raises(Conflict):
        wp.send_message(cid, "aanvraag_ingetrokken", {}, at="2026-02-17T09:00")
    assert pad(wp, cid) == ["bericht:aanvraag_ingetrokken"]
    replay_klopt(wp, cid)


# ---------------------------------------------------------------- termijnen
def test_intake_over_vier_weken_geeft_escalatie_voor_de_teamleider(wp):
    cid = start_met_recht(wp, gemeente="weert")
    assert wp.fire_due_timers("2026-02-11T00:00") == []
    assert open_taken(wp, cid) == ["intakegesprek"]
    fired = wp.fire_due_timers("2026-02-12T00:00")   # aanmelding 14-01 + 4 weken = 11-02, dag voorbij
    assert [n for f in fired for n in f["timers"]] == ["Intake loopt langer dan 4 weken"]
    case = wp.get_case(cid)
    escalatie = [t for t in case["tasks"] if t["spec"] == "escalatie_intake"]
    assert len(escalatie) == 1 and escalatie[0]["lane"] == "teamleider"
    assert open_taken(wp, cid) == ["escalatie_intake", "intakegesprek"]   # non-interrupting
    doe(wp, cid, "escalatie_intake", {"actie": "collega_toegewezen"}, at="2026-02-12T10:00", user="teamleider")
    doe(wp, cid, "intakegesprek", {"opleidingsniveau": "mbo1", "werkervaring": "enige", "kinderopvang": "niet_nodig",
                                   "zelfredzaam": True}, at="2026-02-13T10:00")
    wp.fire_due_timers("2026-02-17T00:00")
    # still overdue at the vervolggesprek: the teamleider is reminded once more
    assert open_taken(wp, cid) == ["escalatie_intake", "vervolggesprek"]
    doe(wp, cid, "escalatie_intake", {"actie": "opgepakt"}, at="2026-02-17T09:00", user="teamleider")
    case = doe(wp, cid, "vervolggesprek", {"rapportage": "Direct bemiddelbaar.", "advies_product": "jobhunting",
                                           "workshops": False}, at="2026-02-17T10:00")
    assert case["data"]["product"] == "jobhunting"
    assert open_taken(wp, cid) == ["overdracht_jobhunter"]
    # the second escalation's timer was armed when its due time had passed already: it fires in
    # the same step as the NOA-test timer and is now named in that event
    assert pad(wp, cid) == ["besluit_aanvraag", "aanmelding", "timer:intake_te_lang", "escalatie_intake",
                            "intakegesprek", "timer:noa_test", "timer:intake_te_lang_rapportage",
                            "escalatie_intake", "vervolggesprek"]
    replay_klopt(wp, cid)


def test_jobhunting_na_26_weken_verlengen_of_terugmelden(wp):
    cid = start_met_recht(wp, aanmelding={"werkgever_in_beeld": True})
    case = doe(wp, cid, "overdracht_jobhunter", {"cv_actueel": True, "kandidaatprofiel": True},
               at="2026-01-15T10:00")
    assert {t["spec"]: t["due"][:10] for t in case["timers"]}["jobhunting_verstreken"] == "2026-07-16"
    wp.fire_due_timers("2026-07-17T00:00")
    assert open_taken(wp, cid) == ["jobhunting_verlengen"]
    doe(wp, cid, "jobhunting_verlengen", {"jobhunting_besluit": "verlengen"}, at="2026-07-17T10:00")
    assert open_taken(wp, cid) == ["jobhunting"]
    wp.fire_due_timers("2027-01-16T00:00")
    case = doe(wp, cid, "jobhunting_verlengen", {"jobhunting_besluit": "terugmelden"}, at="2027-01-18T10:00")
    assert case["status"] == "completed" and case["end_event"] == "einde_teruggemeld"
    assert pad(wp, cid)[-4:] == ["timer:jobhunting_verstreken", "jobhunting_verlengen",
                                 "timer:jobhunting_verstreken", "jobhunting_verlengen"]
    replay_klopt(wp, cid)


# ---------------------------------------------------------------- beslistabellen en gemeentelijke variant
@pytest.mark.parametrize("gemeente,verwacht", [("weert", "kansrijk_in_de_wijk"), ("cranendonck", "werkcomponent")])
def test_kansrijk_in_de_wijk_alleen_waar_de_gemeente_het_afneemt(wp, gemeente, verwacht):
    cid = start_met_recht(wp, gemeente=gemeente)
    case = intake(wp, cid, "kansrijk_in_de_wijk")
    assert case["data"]["product"] == verwacht
    if verwacht == "kansrijk_in_de_wijk":
        assert open_taken(wp, cid) == ["kansrijk_in_de_wijk"]
        wp.fire_due_timers("2026-07-27T00:00")         # maximaal 6 maanden
        assert open_taken(wp, cid) == ["totaalrapportage"]
        assert pad(wp, cid)[-1] == "timer:kidw_maximum"
    else:
        assert open_taken(wp, cid) == []               # werkcomponent: 26 weken wachten
        assert {t["spec"] for t in case["timers"]} == {"werkcomponent"}
    replay_klopt(wp, cid)


def test_statushouder_volgt_map_en_herhaalt_bij_te_weinig_aanwezigheid(wp):
    cid = start_met_recht(wp, naam="Ahmad", aanmelding={"statushouder": True, "inburgeringsplichtig": True,
                                                        "taalniveau_b1": False, "computervaardig": False})
    assert wp.get_case(cid)["data"]["noa_test"] == "profielscan_vluchtelingen"
    case = intake(wp, cid, "map")
    assert case["data"]["product"] == "map"
    assert [(t["spec"], t["due"][:10]) for t in case["timers"]] == [("map_training", "2026-04-20")]
    wp.fire_due_timers("2026-04-21T00:00")
    doe(wp, cid, "map_afronden", {"map_route": "z_route", "aanwezigheid_pct": 70, "praktijkuren": 40},
        at="2026-04-21T10:00")
    assert open_taken(wp, cid) == []                   # opnieuw 12 weken
    wp.fire_due_timers("2026-07-15T00:00")
    doe(wp, cid, "map_afronden", {"map_route": "z_route", "aanwezigheid_pct": 90, "praktijkuren": 44},
        at="2026-07-15T10:00")
    assert open_taken(wp, cid) == ["overdracht_jobhunter"]
    replay_klopt(wp, cid)


def test_detachering_maximaal_drie_contracten(wp):
    cid = start_met_recht(wp, aanmelding={"werkgever_in_beeld": True})
    doe(wp, cid, "overdracht_jobhunter", {"cv_actueel": True, "kandidaatprofiel": True}, at="2026-01-15T10:00")
    doe(wp, cid, "jobhunting", {"jobhunting_resultaat": "verminderde_loonwaarde"}, at="2026-02-02T10:00")
    doe(wp, cid, "loonwaarde_meten", {"loonwaarde_pct": 40}, at="2026-02-16T10:00")
    case = doe(wp, cid, "ontwikkelprofiel", {"ontwikkelprofiel": "laag"}, at="2026-02-17T10:00")
    assert case["data"]["plaatsingsvorm"] == "detachering" and case["data"]["loonwaarde_geldig"] == "P5Y"
    moment = "2026-02-18"
    for nummer, (start, einde) in enumerate([("2026-02-18", "2026-08-19"), ("2026-08-20", "2027-02-21"),
                                             ("2027-02-22", "2027-08-23")], start=1):
        doe(wp, cid, "detacheringscontract", {"opdrachtgever": "Inlener", "contract_maanden": 6},
            at=f"{start}T10:00")
        wp.fire_due_timers(f"{einde}T00:00")
        case = doe(wp, cid, "detachering_afloop", {"detachering_keuze": "verlengen"}, at=f"{einde}T10:00")
        assert case["data"]["detacheringscontracten"] == nummer
        moment = einde
    assert case["data"]["verlenging_toegestaan"] is False
    assert case["data"]["detachering_reden"] == "maximaal 3 contracten"
    assert case["status"] == "completed" and case["end_event"] == "einde_detachering", moment
    replay_klopt(wp, cid)


def test_switch_traject_naar_beschut_werk(wp):
    cid = start_met_recht(wp, gemeente="cranendonck")
    case = intake(wp, cid, "switch")
    assert [t["lane"] for t in case["tasks"]] == ["trajectbegeleider"]
    wp.fire_due_timers("2026-07-27T00:00")             # 6 maanden
    doe(wp, cid, "switch_advies", {"switch_uitstroom": "beschut_werk"}, at="2026-07-28T10:00")
    doe(wp, cid, "gedeeld_beschut_werk_advies_aanvragen", {"aanvraagdatum_beschut_werk": "2026-07-29"},
        at="2026-07-29T10:00")
    case = doe(wp, cid, "gedeeld_beschut_werk_advies_uitslag", {"beschut_werk_advies": True}, at="2026-09-01T10:00")
    assert case["status"] == "completed" and case["end_event"] == "einde_beschut"
    assert case["data"]["beschut_werk_advies"] is True
    assert "timer:switch_einde" in pad(wp, cid)
    replay_klopt(wp, cid)


def test_opschorting_verschuift_beslistermijn_en_escalatie(wp):
    case = wp.start_case("nederweert", BSN, "Piet", "1970-01-01", at="2026-01-05T09:00")
    cid = case["id"]
    assert case["data"]["beslisdatum"] == "2026-03-02"
    wp.send_message(cid, "opschorting", {}, at="2026-01-19T10:00")
    case = wp.send_message(cid, "stukken_ontvangen", {}, at="2026-01-26T10:00")
    assert case["data"]["opgeschorte_dagen"] == 7
    assert case["data"]["beslisdatum"] == "2026-03-09"
    fired = wp.fire_due_timers("2026-03-10T12:00")
    voorschot = "Elke vier weken zonder besluit: voorschot (Pw art. 52)"
    assert [(f["due"][:10], n) for f in fired for n in f["timers"]] == [
        ("2026-02-01", voorschot), ("2026-03-01", voorschot), ("2026-03-09", "Beslistermijn verstreken")]
    case = wp.get_case(cid)
    assert sorted((t["spec"], t["lane"]) for t in case["tasks"]) == [
        ("besluit_aanvraag", "inkomensconsulent"), ("escalatie_beslistermijn", "teamleider"),
        ("voorschot_verstrekken", "inkomensconsulent"), ("voorschot_verstrekken", "inkomensconsulent")]
    doe(wp, cid, "escalatie_beslistermijn", {"actie": "opgepakt"}, at="2026-03-10T13:00", user="teamleider")
    doe(wp, cid, "voorschot_verstrekken", {"voorschot_verstrekt": True}, at="2026-03-10T14:00")
    doe(wp, cid, "voorschot_verstrekken", {"voorschot_verstrekt": True}, at="2026-03-10T14:05")
    doe(wp, cid, "besluit_aanvraag", {"recht_op_bijstand": False}, at="2026-03-11T10:00")
    case = wp.get_case(cid)
    assert case["status"] == "waiting"  # bezwaartermijn na de afwijzing
    wp.fire_due_timers("2026-04-23T09:00")
    case = wp.get_case(cid)
    assert case["status"] == "completed" and case["end_event"] == "einde_afgewezen"
    replay_klopt(wp, cid)


# ---------------------------------------------------------------- definitie
def test_lanes_fasen_en_formulieren(wp):
    info = fasen_en_rollen(wp, SLEUTEL)
    assert all(t["lane"] for t in info["user_tasks"])
    bpmn = wp.definition_files(SLEUTEL)["files"]["werkkom.bpmn"]
    for gedeeld in ['gedeeld_aanvraag', 'gedeeld_loonwaardemeting', 'gedeeld_beschut_werk_advies', 'gedeeld_nazorg']:
        assert f'calledElement="{gedeeld}"' in bpmn
    formulieren_met_uitleg(wp, SLEUTEL, info["user_tasks"])


def test_formulieren_worden_op_de_server_gecontroleerd(wp):
    case = wp.start_case("weert", BSN, "Jan", "1980-05-01", at="2026-01-05T09:00")
    doe(wp, case["id"], "besluit_aanvraag", {"recht_op_bijstand": True}, at="2026-01-12T10:00")
    taak = wp.get_case(case["id"])["tasks"][0]
    with pytest.raises(ValidationError) as fout:
        wp.complete_task(taak["id"], "regisseur", {"korte_introductie": "kort", "werkgever_in_beeld": "misschien"},
                         at="2026-01-13T10:00")
    assert {"korte_introductie", "werkgever_in_beeld", "statushouder"} <= set(fout.value.fields)
    assert open_taken(wp, case["id"]) == ["aanmelding"]
    replay_klopt(wp, case["id"])


def test_jan_meldt_zelf_gevonden_werk_tijdens_jobhunting_en_krijgt_drie_maanden_nazorg(wp):
    cid = start_met_recht(wp, aanmelding={"werkgever_in_beeld": True})
    doe(wp, cid, "overdracht_jobhunter", {"cv_actueel": True, "kandidaatprofiel": True}, at="2026-01-15T10:00")
    assert open_taken(wp, cid) == ["jobhunting"]
    case = wp.send_message(cid, "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-03-02T10:00")
    assert case["phase"] == "nazorg"
    bericht = [e for e in wp.case_history(cid) if e["type"] == "message_received"][-1]
    assert {c["spec"] for c in bericht["payload"]["cancelled"]} == {"jobhunting", "jobhunting_verstreken"}
    assert case["data"]["werk_zelf_gevonden"] is True
    for dag in ("2026-04-03", "2026-05-04", "2026-06-05"):
        fired = wp.fire_due_timers(f"{dag}T00:00")
        assert [n for f in fired for n in f["timers"]] == ["Een maand later"]
        doe(wp, cid, "nazorgcontact_jobhunter", {"nog_aan_het_werk": True}, at=f"{dag}T10:00")
    case = wp.get_case(cid)
    assert case["status"] == "completed" and case["end_event"] == "einde_uitgestroomd"
    assert case["data"]["nazorg_afgerond"] is True
    replay_klopt(wp, cid)


def test_werk_gevonden_in_de_poort_wordt_geweigerd(wp):
    case = wp.start_case("weert", BSN, "Jan", "1980-05-01", at="2026-01-05T09:00")
    with pytest.raises(Conflict):
        wp.send_message(case["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-01-06T10:00")
    assert wp.get_case(case["id"])["phase"] == "poort"
    assert open_taken(wp, case["id"]) == ["besluit_aanvraag"]
