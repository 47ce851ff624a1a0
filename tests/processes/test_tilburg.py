"""Tilburg — NOMA (seed 003 §4.4): Jan's case and the other routes, through the public API."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Conflict, Werkpad

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"
QUICK_SCAN_JAN = {"crisis": False, "woonsituatie": "inwonend", "inkomen": "geen", "schulden": False,
                  "gezondheidsklachten": False, "sociaal_netwerk": "beperkt", "aanvraag_ondertekend": True,
                  "inspanningspakket_meegegeven": True}


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("tilburg")


# ------------------------------------------------------------------ helpers
def start(wp, geboren="1980-05-01", at="2026-01-05T09:00"):
    return wp.start_case("tilburg", BSN, "Jan", geboren, at=at)


def specs(case) -> list[str]:
    return sorted(t["spec"] for t in case["tasks"])


def taak(wp, case, spec) -> dict:
    matching = [t for t in wp.get_case(case["id"])["tasks"] if t["spec"] == spec]
    assert len(matching) == 1, f"verwacht één open taak {spec}; open: {specs(wp.get_case(case['id']))}"
    return matching[0]


def doe(wp, case, spec, data, at, user="consulent"):
    return wp.complete_task(taak(wp, case, spec)["id"], user, data, at=at)


def afgerond(wp, case) -> list[str]:
    return [e["payload"]["task"]["spec"] for e in wp.case_history(case["id"]) if e["type"] == "task_completed"]


def gevuurd(wp, case) -> list[str]:
    return [t["spec"] for e in wp.case_history(case["id"]) if e["type"] == "timer_fired"
            for t in e["payload"]["timers"]]


def timers(case) -> dict[str, str]:
    return {t["spec"]: t["due"] for t in case["timers"]}


def replay_klopt(wp, case) -> None:
    result = wp.replay_case(case["id"])
    assert result["match"] is True, result


def tot_diagnose(wp, at_melding="2026-01-07T10:00"):
    """Adult client without crisis up to the screening (Jan's first five weeks)."""
    case = start(wp)
    case = doe(wp, case, "meldingsgesprek", QUICK_SCAN_JAN, at_melding)
    case = doe(wp, case, "terugmelding", {"sollicitaties": 20, "ingeschreven_uitzendbureaus": True},
               "2026-01-28T10:00")
    wp.fire_due_timers("2026-02-04T09:00")
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True, "voorschot_bedrag": 1100},
               "2026-02-04T10:00")
    case = doe(wp, case, "rechtmatigheidsgesprek", {"stukken_compleet": False, "inspanning_voldoende": False,
                                                   "vermoeden_belemmeringen": True}, "2026-02-11T10:00")
    return case


def toekennen(wp, case, at):
    """The decision on the aanvraag, only now open: after rechtmatigheid, screening and intake."""
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True}, at)
    return doe(wp, case, "beschikking", {"beschikking_verzonden_op": at[:10], "voorlopig_plan_van_aanpak": True},
               at[:10] + "T16:00")


# ------------------------------------------------------------------ Jan
def test_jan_van_werk_nl_tot_leerwerkplek(wp):
    case = start(wp)
    assert case["phase"] == "poort"
    melding = taak(wp, case, "meldingsgesprek")
    assert melding["lane"] == "inkomensconsulent"
    assert melding["due"].startswith("2026-01-08")  # binnen 3 dagen
    # Jan booked the meldingsgesprek two days later; quick scan on 5 leefgebieden: no crisis
    case = doe(wp, case, "meldingsgesprek", QUICK_SCAN_JAN, "2026-01-07T10:00")
    assert case["phase"] == "inspanningsperiode"
    # he signed the aanvraag in the meldingsgesprek: the terms run, but the decision waits for
    # rechtmatigheid, screening and intake (seed 003 §4.4)
    assert specs(case) == ["terugmelding"]
    assert case["data"]["aanvraagdatum"] == "2026-01-07"
    assert case["data"]["beslisdatum"] == "2026-03-04"
    assert taak(wp, case, "terugmelding")["due"].startswith("2026-02-04")  # uiterlijk na 4 weken
    # exactly on time, three weeks later, Jan reports back
    case = doe(wp, case, "terugmelding", {"sollicitaties": 20, "ingeschreven_uitzendbureaus": True},
               "2026-01-28T10:00")
    assert specs(case) == ["rechtmatigheidsgesprek"]
    assert taak(wp, case, "rechtmatigheidsgesprek")["due"].startswith("2026-02-11")  # binnen 2 weken
    # four weeks after the aanvraag the wettelijk voorschot falls due
    fired = wp.fire_due_timers("2026-02-11T09:00")
    assert [f["timers"] for f in fired] == [["Elke vier weken zonder besluit: voorschot (Pw art. 52)"]]
    assert fired[0]["due"].startswith("2026-02-03T23:00")  # 4 februari 00:00
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True, "voorschot_bedrag": 1100},
               "2026-02-04T10:00")
    # five weeks after the first conversation: rechtmatigheidsgesprek, papers incomplete, right established
    case = doe(wp, case, "rechtmatigheidsgesprek", {"stukken_compleet": False, "inspanning_voldoende": False,
                                                   "vermoeden_belemmeringen": True}, "2026-02-11T10:00")
    assert case["phase"] == "diagnose"
    # screening right after, then the individual intake; still no decision open
    assert specs(case) == ["screening"]
    assert taak(wp, case, "screening")["lane"] == "consulent_intake_diagnose"
    case = doe(wp, case, "screening", {"screening_uitkomst": "oranje"}, "2026-02-11T13:00")
    assert specs(case) == ["intake"]
    case = doe(wp, case, "intake", {"opleidingsniveau": "vmbo_onafgerond", "werkervaring": "weinig",
                                    "motivatie": "gemiddeld", "verdiepende_diagnose_nodig": True}, "2026-02-16T13:00")
    # the traject takes longer: the uitkering is granted now, with a voorlopig plan van aanpak
    assert specs(case) == ["besluit_aanvraag"]
    assert taak(wp, case, "besluit_aanvraag")["due"].startswith("2026-03-04")  # 8 weken na de aanvraag
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": True, "besluitdatum": "2026-02-17"},
               "2026-02-17T11:00")
    case = doe(wp, case, "beschikking", {"beschikking_verzonden_op": "2026-02-17",
                                         "voorlopig_plan_van_aanpak": True}, "2026-02-17T11:30")
    assert taak(wp, case, "verdiepende_diagnose")["lane"] == "arbeidsdeskundige"
    case = doe(wp, case, "verdiepende_diagnose", {"iq_indicatie": "70_85", "gezondheidsklachten": False,
                                                  "medisch_onderzoek": True, "arbeidskundig_onderzoek": True,
                                                  "aanmelden_doelgroepregister": True}, "2026-03-16T13:00")
    # Jan is registered with UWV for the doelgroepregister
    case = doe(wp, case, "gedeeld_doelgroepregister_aanvragen", {"aanmelddatum_doelgroepregister": "2026-03-17"},
               "2026-03-17T13:00")
    case = doe(wp, case, "gedeeld_doelgroepregister_uitslag", {"doelgroepregister": True}, "2026-04-20T13:00")
    # time to market: not within 12 months, but he can develop -> Tilburgs alternatief voor beschut werk
    case = doe(wp, case, "time_to_market", {"time_to_market_12m": False, "ontwikkelbaar_naar_werk": True},
               "2026-04-21T13:00")
    assert case["data"]["route"] == "leerwerkplek"
    assert case["data"]["p_budget_inzetten"] is False
    assert case["phase"] == "traject"
    case = doe(wp, case, "leerwerkplek_inzetten", {"leerwerkplek_organisatie": "diamant_groep",
                                                   "startdatum": "2026-05-01"}, "2026-04-28T13:00")
    assert taak(wp, case, "leerwerkplek_begeleiden")["lane"] == "trajectbegeleider"
    assert timers(case)["leerwerkplek_einde"].startswith("2028-04-28")  # maximaal 2 jaar
    wp.fire_due_timers("2028-04-29T09:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["leerwerkplek_vervolg"]
    case = doe(wp, case, "leerwerkplek_vervolg", {"vervolg": "reintegratietraject"}, "2028-05-02T09:00")

    assert afgerond(wp, case) == [
        "meldingsgesprek", "terugmelding", "voorschot_verstrekken", "rechtmatigheidsgesprek", "screening", "intake",
        "besluit_aanvraag", "beschikking", "verdiepende_diagnose", "gedeeld_doelgroepregister_aanvragen",
        "gedeeld_doelgroepregister_uitslag", "time_to_market", "leerwerkplek_inzetten", "leerwerkplek_vervolg",
    ]
    assert gevuurd(wp, case) == ["voorbereiding_voorschot", "leerwerkplek_einde"]
    assert case["status"] == "completed"
    assert case["phase"] == "traject"
    assert case["end_event"] == "einde_leerwerkplek_termijn"
    data = case["data"]
    assert data["recht_op_bijstand"] is True and data["doelgroepregister"] is True
    assert data["iq_indicatie"] == "70_85"
    assert data["opgeschorte_dagen"] == 0
    replay_klopt(wp, case)


# ------------------------------------------------------------------ other routes
def test_jongere_wacht_vier_weken_voor_de_aanvraag(wp):
    case = start(wp, geboren="2001-09-15")  # 24 jaar
    case = doe(wp, case, "meldingsgesprek", {**QUICK_SCAN_JAN, "aanvraag_ondertekend": False}, "2026-01-07T10:00")
    assert case["phase"] == "inspanningsperiode"
    assert specs(case) == ["terugmelding"]  # no aanvraag yet, so nothing to decide
    assert timers(case)["zoektermijn_jongeren"].startswith("2026-02-01T23:00")  # melding + 4 weken
    assert "aanvraagdatum" not in case["data"]
    case = doe(wp, case, "terugmelding", {"sollicitaties": 22, "ingeschreven_uitzendbureaus": True,
                                          "opleiding_bekeken": True}, "2026-01-30T10:00")
    assert specs(case) == ["rechtmatigheidsgesprek"]
    wp.fire_due_timers("2026-02-02T09:00")
    case = wp.get_case(case["id"])
    # after four weeks he may file; he does so on 4 February, which the consultant records
    assert specs(case) == ["aanvraag_jongere", "rechtmatigheidsgesprek"]
    assert "aanvraagdatum" not in case["data"]
    case = doe(wp, case, "aanvraag_jongere", {"aanvraagdatum": "2026-02-04"}, "2026-02-04T10:00")
    assert specs(case) == ["rechtmatigheidsgesprek"]
    assert case["data"]["aanvraagdatum"] == "2026-02-04"
    assert case["data"]["beslisdatum"] == "2026-04-01"
    assert timers(case)["voorbereiding_voorschot"].startswith("2026-03-03T23:00")  # 4 weken na de aanvraag
    assert gevuurd(wp, case) == ["zoektermijn_jongeren"]
    # no right: screening and intake are skipped, the (negative) decision follows the rechtmatigheidsgesprek
    case = doe(wp, case, "rechtmatigheidsgesprek", {"stukken_compleet": True, "recht_aannemelijk": False},
               "2026-02-05T10:00")
    assert specs(case) == ["besluit_aanvraag"]
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": False}, "2026-02-06T10:00")
    case = doe(wp, case, "beschikking", {"beschikking_verzonden_op": "2026-02-06"}, "2026-02-06T11:00")
    # the case stays open while a bezwaar can still come in (Awb 6:7: 6 weeks after the beschikking)
    assert case["status"] == "waiting"
    assert timers(case)["bezwaartermijn_afwijzing"].startswith("2026-03-20T23:00")  # 20 maart, daarna 0:00
    wp.fire_due_timers("2026-03-21T09:00")
    case = wp.get_case(case["id"])
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_afgewezen"
    assert afgerond(wp, case) == ["meldingsgesprek", "terugmelding", "aanvraag_jongere", "rechtmatigheidsgesprek",
                                  "besluit_aanvraag", "beschikking"]
    replay_klopt(wp, case)


def test_intrekking_tijdens_de_inspanningsperiode(wp):
    case = start(wp)
    case = doe(wp, case, "meldingsgesprek", QUICK_SCAN_JAN, "2026-01-07T10:00")
    assert case["phase"] == "inspanningsperiode"
    case = wp.send_message(case["id"], "aanvraag_ingetrokken", {"reden": "werk gevonden via uitzendbureau"},
                           user="consulent", at="2026-01-21T10:00")
    assert case["status"] == "withdrawn"
    assert case["end_event"] == "einde_ingetrokken"
    assert case["tasks"] == [] and case["timers"] == []
    assert wp.fire_due_timers("2026-06-01") == []
    assert afgerond(wp, case) == ["meldingsgesprek"]
    replay_klopt(wp, case)


def test_gemiste_termijnen_geven_escalaties(wp):
    case = start(wp)
    # meldingsgesprek not held within 3 days -> teamleider
    wp.fire_due_timers("2026-01-08T10:00")
    case = wp.get_case(case["id"])
    assert specs(case) == ["escalatie_meldingsgesprek", "meldingsgesprek"]
    assert taak(wp, case, "escalatie_meldingsgesprek")["lane"] == "teamleider"
    case = doe(wp, case, "escalatie_meldingsgesprek", {"actie": "opgepakt"}, "2026-01-08T11:00", user="teamleider")
    case = doe(wp, case, "meldingsgesprek", QUICK_SCAN_JAN, "2026-01-09T10:00")
    # no terugmelding within 4 weeks -> the inkomensconsulent contacts the client
    wp.fire_due_timers("2026-02-06T12:00")
    case = wp.get_case(case["id"])
    assert "escalatie_terugmelding" in specs(case)
    assert taak(wp, case, "escalatie_terugmelding")["lane"] == "inkomensconsulent"
    assert "terugmelding" in specs(case)  # the client can still report back
    case = doe(wp, case, "escalatie_terugmelding", {"actie": "klant_onbereikbaar"}, "2026-02-06T13:00")
    case = doe(wp, case, "voorschot_verstrekken", {"voorschot_verstrekt": True}, "2026-02-06T14:00")
    case = doe(wp, case, "terugmelding", {"sollicitaties": 5, "ingeschreven_uitzendbureaus": False},
               "2026-02-09T10:00")
    # rechtmatigheidsgesprek not within 2 weeks of the terugmelding -> teamleider
    wp.fire_due_timers("2026-02-23T12:00")
    case = wp.get_case(case["id"])
    assert "escalatie_rechtmatigheid" in specs(case)
    assert taak(wp, case, "escalatie_rechtmatigheid")["lane"] == "teamleider"
    assert gevuurd(wp, case) == ["meldingsgesprek_te_laat", "voorbereiding_voorschot", "niet_teruggemeld",
                                 "rechtmatigheid_te_laat"]
    replay_klopt(wp, case)


def test_crisisroute(wp):
    case = start(wp)
    case = doe(wp, case, "meldingsgesprek", {**QUICK_SCAN_JAN, "crisis": True, "woonsituatie": "dakloos"},
               "2026-01-06T10:00")
    assert specs(case) == ["crisisroute"]
    assert taak(wp, case, "crisisroute")["lane"] == "sociaal_team"
    case = doe(wp, case, "crisisroute", {"doorverwezen_naar": "maatschappelijke_opvang"}, "2026-01-06T12:00")
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_crisis"
    replay_klopt(wp, case)


def test_reintegratietraject_bij_partner_met_signaal_en_nazorg(wp):
    case = tot_diagnose(wp)
    case = doe(wp, case, "screening", {"screening_uitkomst": "groen"}, "2026-02-11T13:00")
    case = doe(wp, case, "intake", {"verdiepende_diagnose_nodig": False}, "2026-02-12T13:00")
    case = toekennen(wp, case, "2026-02-13T09:30")
    assert specs(case) == ["time_to_market"]
    case = doe(wp, case, "time_to_market", {"time_to_market_12m": True, "ontwikkelbaar_naar_werk": True},
               "2026-02-13T17:00")
    assert case["data"]["route"] == "reintegratietraject"
    assert case["data"]["p_budget_inzetten"] is True
    case = doe(wp, case, "opdracht_partner", {"reintegratiepartner": "sagenn"}, "2026-02-16T10:00")
    assert taak(wp, case, "reintegratietraject")["lane"] == "re_integratiepartner"
    # the partner reports a rechtmatigheid signal to team IHD; the traject goes on
    case = wp.send_message(case["id"], "signaal_rechtmatigheid", {"omschrijving": "niet verschenen"},
                           user="sagenn", at="2026-03-02T10:00")
    assert specs(case) == ["reintegratietraject", "signaal_beoordelen"]
    assert taak(wp, case, "signaal_beoordelen")["lane"] == "consulent_handhaving"
    case = doe(wp, case, "signaal_beoordelen", {"maatregel_nodig": False}, "2026-03-04T10:00")
    case = doe(wp, case, "reintegratietraject", {"uitkomst": "werk_met_ondersteuning"}, "2026-06-01T10:00")
    assert case["phase"] == "nazorg"
    for maand in ("2026-07-01T10:00", "2026-08-01T10:00", "2026-09-01T10:00"):
        wp.fire_due_timers(maand)
        case = doe(wp, case, "nazorgcontact", {"nog_aan_het_werk": True}, maand)
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_uitgestroomd"
    assert case["data"]["nazorg_afgerond"] is True
    assert case["data"]["uitkomst"] == "uitgestroomd"
    replay_klopt(wp, case)


def test_maatschappelijke_participatie_zonder_p_budget(wp):
    case = tot_diagnose(wp)
    case = doe(wp, case, "screening", {"screening_uitkomst": "rood"}, "2026-02-11T13:00")
    case = doe(wp, case, "intake", {"verdiepende_diagnose_nodig": True}, "2026-02-12T13:00")
    case = toekennen(wp, case, "2026-02-13T09:30")
    case = doe(wp, case, "verdiepende_diagnose", {"iq_indicatie": "onder_70", "aanmelden_doelgroepregister": False},
               "2026-03-13T13:00")
    assert specs(case) == ["time_to_market"]
    case = doe(wp, case, "time_to_market", {"time_to_market_12m": False, "ontwikkelbaar_naar_werk": False},
               "2026-03-16T13:00")
    assert case["data"]["route"] == "maatschappelijke_participatie"
    case = doe(wp, case, "participatie", {"doorverwezen_naar": "vrijwilligerswerk"}, "2026-03-20T13:00")
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_participatie"
    replay_klopt(wp, case)


def test_formulieren_worden_op_de_server_gecontroleerd(wp):
    from engine import ValidationError

    case = start(wp)
    with pytest.raises(ValidationError) as fout:
        doe(wp, case, "meldingsgesprek", {"crisis": False}, "2026-01-06T10:00")
    assert "woonsituatie" in fout.value.fields
    with pytest.raises(ValidationError):
        doe(wp, case, "meldingsgesprek", {**QUICK_SCAN_JAN, "woonsituatie": "kasteel"}, "2026-01-06T10:00")
    assert specs(wp.get_case(case["id"])) == ["meldingsgesprek"]


# ------------------------------------------------------------------ bezwaar en maatregel naast de zaak
def test_bezwaar_tegen_de_toekenning_loopt_naast_de_diagnose(wp):
    case = tot_diagnose(wp)
    case = doe(wp, case, "screening", {"screening_uitkomst": "oranje"}, "2026-02-11T13:00")
    case = doe(wp, case, "intake", {"verdiepende_diagnose_nodig": True}, "2026-02-12T13:00")
    case = toekennen(wp, case, "2026-02-13T09:30")
    assert "bezwaar_ontvangen" in case["waiting_for_messages"]
    # Jan objects to the kostendelersnorm in the toekenning; the bezwaar starts its own track
    case = wp.send_message(case["id"], "bezwaar_ontvangen", {"omschrijving": "kostendelersnorm onterecht"},
                           user="consulent", at="2026-03-02T10:00")
    assert specs(case) == ["bezwaar_registreren", "verdiepende_diagnose"]
    assert taak(wp, case, "bezwaar_registreren")["lane"] == "jurist"
    case = doe(wp, case, "bezwaar_registreren", {"bezwaar_tegen": "besluit_aanvraag", "datum_bekendmaking": "2026-02-13",
                                                 "bezwaar_ontvangen_op": "2026-03-02", "adviescommissie": False},
               "2026-03-02T11:00")
    assert case["data"]["bezwaartermijn_einde"] == "2026-03-27"
    assert case["data"]["beslisdatum_bezwaar"] == "2026-05-08"  # 6 weken na het einde van de bezwaartermijn
    # the main flow goes on meanwhile: the verdiepende diagnose is done before the bezwaar is decided
    case = doe(wp, case, "verdiepende_diagnose", {"iq_indicatie": "70_85", "aanmelden_doelgroepregister": False},
               "2026-03-13T13:00")
    assert specs(case) == ["besluit_op_bezwaar", "time_to_market"]
    case = doe(wp, case, "besluit_op_bezwaar", {"bezwaar_uitkomst": "gegrond"}, "2026-04-01T10:00")
    assert specs(case) == ["time_to_market"]
    case = doe(wp, case, "time_to_market", {"time_to_market_12m": False, "ontwikkelbaar_naar_werk": False},
               "2026-04-02T13:00")
    case = doe(wp, case, "participatie", {"doorverwezen_naar": "vrijwilligerswerk"}, "2026-04-03T13:00")
    assert case["status"] == "completed"
    assert case["end_event"] == "einde_participatie"
    replay_klopt(wp, case)


def test_maatregel_na_een_signaal_van_de_partner(wp):
    case = tot_diagnose(wp)
    case = doe(wp, case, "screening", {"screening_uitkomst": "groen"}, "2026-02-11T13:00")
    case = doe(wp, case, "intake", {"verdiepende_diagnose_nodig": False}, "2026-02-12T13:00")
    case = toekennen(wp, case, "2026-02-13T09:30")
    case = doe(wp, case, "time_to_market", {"time_to_market_12m": True, "ontwikkelbaar_naar_werk": True},
               "2026-02-13T17:00")
    case = doe(wp, case, "opdracht_partner", {"reintegratiepartner": "sagenn"}, "2026-02-16T10:00")
    # only the municipality (team IHD) imposes a maatregel (seed 003 §4.4)
    case = wp.send_message(case["id"], "signaal_rechtmatigheid", {"omschrijving": "niet verschenen"},
                           user="sagenn", at="2026-03-02T10:00")
    case = doe(wp, case, "signaal_beoordelen", {"maatregel_nodig": True}, "2026-03-04T10:00")
    # the assessment leads straight to the shared maatregel step; the traject goes on beside it
    assert specs(case) == ["maatregel_opleggen", "reintegratietraject"]
    case = doe(wp, case, "maatregel_opleggen", {
        "maatregel_opgelegd": True, "maatregel_grond": "re_integratieverplichtingen", "maatregel_percentage": 20,
        "maatregel_maanden": 1, "maatregel_ingangsdatum": "2026-04-01",
        "maatregel_motivering": "Twee keer zonder bericht niet verschenen bij de partner."}, "2026-03-05T10:00")
    assert case["data"]["heroverweging_maatregel_op"] == "2026-05-01"
    assert specs(case) == ["reintegratietraject"]
    # review of the maatregel at the latest when it ends (within 3 months, Pw art. 18 lid 3)
    wp.fire_due_timers("2026-05-01T09:00")
    case = doe(wp, wp.get_case(case["id"]), "maatregel_heroverwegen", {"maatregel_vervolg": "beeindigen"},
               "2026-05-01T10:00")
    assert specs(case) == ["reintegratietraject"]
    # a maatregel can also be started by hand (message), for any organisation
    assert "maatregel_opleggen" in case["waiting_for_messages"]
    case = wp.send_message(case["id"], "maatregel_opleggen", {}, user="consulent", at="2026-05-04T11:00")
    case = doe(wp, case, "maatregel_opleggen", {"maatregel_opgelegd": False}, "2026-05-05T10:00")
    assert specs(case) == ["reintegratietraject"]
    replay_klopt(wp, case)


def test_bezwaar_tegen_de_afwijzing_binnen_de_bezwaartermijn(wp):
    case = start(wp)
    case = doe(wp, case, "meldingsgesprek", QUICK_SCAN_JAN, "2026-01-07T10:00")
    case = doe(wp, case, "terugmelding", {"sollicitaties": 20, "ingeschreven_uitzendbureaus": True},
               "2026-01-28T10:00")
    case = doe(wp, case, "rechtmatigheidsgesprek", {"stukken_compleet": True, "recht_aannemelijk": False},
               "2026-02-02T10:00")
    case = doe(wp, case, "besluit_aanvraag", {"recht_op_bijstand": False}, "2026-02-02T11:00")
    case = doe(wp, case, "beschikking", {"beschikking_verzonden_op": "2026-02-02"}, "2026-02-02T12:00")
    assert case["status"] == "waiting"
    case = wp.send_message(case["id"], "bezwaar_ontvangen", {}, user="consulent", at="2026-03-09T10:00")
    case = doe(wp, case, "bezwaar_registreren", {"bezwaar_tegen": "besluit_aanvraag", "datum_bekendmaking": "2026-02-02",
                                                 "bezwaar_ontvangen_op": "2026-03-09", "adviescommissie": True},
               "2026-03-09T11:00")
    assert case["data"]["bezwaar_tijdig"] is True
    assert case["data"]["beslisdatum_bezwaar"] == "2026-06-08"  # 12 weken na 16 maart (adviescommissie)
    # the bezwaartermijn ends; the case stays open for the bezwaar
    wp.fire_due_timers("2026-03-17T09:00")
    case = wp.get_case(case["id"])
    assert case["status"] == "running"
    assert specs(case) == ["besluit_op_bezwaar"]
    case = doe(wp, case, "besluit_op_bezwaar", {"bezwaar_uitkomst": "ongegrond", "hoorzitting_gehouden": True},
               "2026-05-20T10:00")
    assert case["status"] == "completed"
    assert afgerond(wp, case)[-3:] == ["beschikking", "bezwaar_registreren", "besluit_op_bezwaar"]
    replay_klopt(wp, case)


# ------------------------------------------------------------------ werk gevonden (bericht)
def test_jan_vindt_zelf_werk_tijdens_het_traject_en_krijgt_nazorg(wp):
    case = tot_diagnose(wp)
    with pytest.raises(Conflict):  # in de poort wacht nog niets op dit bericht: geweigerd, er verandert niets
        wp.send_message(case["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-02-11T11:00")
    case = doe(wp, case, "screening", {"screening_uitkomst": "groen"}, "2026-02-11T13:00")
    case = doe(wp, case, "intake", {"verdiepende_diagnose_nodig": False}, "2026-02-12T13:00")
    case = toekennen(wp, case, "2026-02-13T09:30")
    case = doe(wp, case, "time_to_market", {"time_to_market_12m": True, "ontwikkelbaar_naar_werk": True},
               "2026-02-13T17:00")
    case = doe(wp, case, "opdracht_partner", {"reintegratiepartner": "sagenn"}, "2026-02-16T10:00")
    assert "werk_gevonden" in case["waiting_for_messages"]
    case = wp.send_message(case["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, user="sagenn",
                           at="2026-04-01T10:00")
    assert case["phase"] == "nazorg" and specs(case) == []
    bericht = [e for e in wp.case_history(case["id"]) if e["type"] == "message_received"][-1]
    assert [c["spec"] for c in bericht["payload"]["cancelled"]] == ["reintegratietraject"]
    assert case["data"]["werk_zelf_gevonden"] is True
    for maand in ("2026-05-01T10:00", "2026-06-01T10:00", "2026-07-01T10:00"):
        wp.fire_due_timers(maand)
        case = doe(wp, case, "nazorgcontact", {"nog_aan_het_werk": True}, maand)
    assert case["status"] == "completed" and case["end_event"] == "einde_uitgestroomd"
    assert case["data"]["nazorg_afgerond"] is True
    replay_klopt(wp, case)
