"""Amersfoort en Leusden (seed 004): Bart en Richard op de re-integratieladder, plus de randgevallen.

Elke test draait op een eigen SQLite-bestand met alleen het Amersfoort-proces en de gedeelde
subprocessen (kopie van processes/amersfoort en processes/gedeeld) en de echte forms/-map.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Conflict, ValidationError, Werkpad
from tests.processes.hulp import doe_na_timers as doe
from tests.processes.hulp import fasen_en_rollen, open_taak, pad, timer_due
from tests.processes.hulp import open_lijst as open_specs

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("amersfoort")


def voortgang(trede: int, perspectief: str = "werk", half_jaar: bool = False, besluit: str = "doorgaan",
              doelgroepregister: bool = False, lks: bool = False, toelichting: str | None = None,
              wsw: bool = False) -> dict:
    data = {"trede": trede, "perspectief": perspectief, "uitstroom_binnen_half_jaar": half_jaar,
            "voortgang_besluit": besluit, "aanmelden_doelgroepregister": doelgroepregister,
            "loonkostensubsidie": lks}
    if wsw:
        data["aanmelden_wsw_indicatie"] = True
    if toelichting:
        data["toelichting"] = toelichting
    return data


def leefgebieden(**scores: int) -> dict:
    basis = {"leefgebied_opleiding_werk": 3, "leefgebied_huisvesting": 4, "leefgebied_praktisch": 3,
             "leefgebied_financien": 3, "leefgebied_lichamelijk": 4, "leefgebied_sociaal": 3,
             "leefgebied_psychisch": 4, "leefgebied_motivatie": 4}
    basis.update({f"leefgebied_{k}": v for k, v in scores.items()})
    return basis


ZORG_DAN_ARBEIDSINTEGRATIE = {"hulpverlening": "Basisteam/Sociaal Team", "vervolg_zorg": "traject_arbeidsintegratie"}


def test_bart_van_trede_1_via_loopbaan_in_perspectief_naar_een_garantiebaan(wp):
    # Bart (42): hartinfarct, coma, niet aangeboren hersenletsel; wil niets liever dan betaald werk.
    zaak = wp.start_case("amersfoort", BSN, "Bart", "1983-09-14", at="2026-01-05T09:00")
    b = zaak["id"]
    assert open_specs(wp, b) == ["besluit_aanvraag", "eerste_inschatting"]
    assert open_taak(wp, b, "eerste_inschatting")["lane"] == "servicedesk_medewerker"
    zaak = doe(wp, b, "eerste_inschatting", {"arbeidsvermogen_pct": 20, "grote_afstand_reden": "medisch"},
               "2026-01-06T10:00")
    assert zaak["data"]["route_melding"] == "zorg_eerst"
    assert open_taak(wp, b, "zorg_eerst")["lane"] == "klantmanager"
    doe(wp, b, "zorg_eerst", {**ZORG_DAN_ARBEIDSINTEGRATIE, "toelichting": "Revalidatie loopt."},
        "2026-01-08T10:00")
    doe(wp, b, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    zaak = doe(wp, b, "intake", {**leefgebieden(lichamelijk=1, opleiding_werk=2, motivatie=5),
                                 "arbeidsbeperking": True, "psychische_klachten": False}, "2026-01-22T10:00")
    assert zaak["phase"] == "diagnose"
    zaak = doe(wp, b, "trajectplan", {"plan_van_aanpak": "Eerst herstel; daarna werkervaring opdoen.",
                                      "trede": 1, "perspectief": "werk", "uitstroom_binnen_half_jaar": False},
               "2026-02-02T10:00")
    assert zaak["data"]["trajectsoort"] == "TZH"
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "Hulpverlening (GGZ, verslavingszorg)"]
    assert zaak["phase"] == "traject"
    assert timer_due(zaak, "trajectduur_verstreken").startswith("2026-08-02")  # herbeoordeling TZH na 6 maanden

    # Werkervaringsperiode (trede 3): zijn handen kunnen niet meer wat zijn hoofd wil.
    zaak = doe(wp, b, "traject", voortgang(3), "2026-06-01T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (3, "TWL")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "AE-team (Amfors)", "Werk Mee", "Ravelijn"]
    # Loopbaan in perspectief (trede 4); aanmelding voor een WSW-indicatie en het doelgroepregister.
    zaak = doe(wp, b, "traject", voortgang(4, doelgroepregister=True, wsw=True), "2026-09-01T10:00")
    assert open_taak(wp, b, "wsw_indicatie")["lane"] == "trajectbegeleider"
    zaak = doe(wp, b, "wsw_indicatie", {"wsw_indicatie": True, "wsw_wachtlijst": True}, "2026-09-01T14:00")
    assert zaak["data"]["wsw_indicatie"] is True
    assert open_specs(wp, b) == ["gedeeld_doelgroepregister_aanvragen"]
    doe(wp, b, "gedeeld_doelgroepregister_aanvragen", {"aanmelddatum_doelgroepregister": "2026-09-02"},
        "2026-09-02T10:00")
    zaak = doe(wp, b, "gedeeld_doelgroepregister_uitslag", {"doelgroepregister": True}, "2026-10-05T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (4, "TWL")
    assert zaak["data"]["doelgroepregister"] is True
    assert "Loopbaan in perspectief AI" in zaak["data"]["instrumenten"]
    assert zaak["data"]["instrumenten"] == [
        "Trajectbegeleiding AI", "OpStap naar werk", "Maatwerktraject Arbeidsgehandicapten (Amfors)",
        "Beroepskeuze AI", "Loopbaan in perspectief AI", "Ontdek je talent (Amfors)"]
    # Garantiebaan in de ICT: aangenomen (trede 9), met loonkostensubsidie en jobcoaching.
    zaak = doe(wp, b, "traject", voortgang(9, half_jaar=True, lks=True,
                                           toelichting="Garantiebaan ICT, jobcarving door de arbeidsdeskundige."),
               "2027-01-11T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (9, "TWK")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "No risk polis", "Loonkostensubsidie",
                                            "Jobcoaching", "Jobcarving", "Detachering"]
    assert [r["trede"] for r in zaak["data"]["ladderhistorie"]] == [1, 3, 4, 9]
    assert [r["trajectsoort"] for r in zaak["data"]["ladderhistorie"]] == ["TZH", "TWL", "TWL", "TWK"]
    assert open_taak(wp, b, "loonwaarde_meten")["lane"] == "arbeidsdeskundige"
    doe(wp, b, "loonwaarde_meten", {"loonwaarde_pct": 60}, "2027-01-25T10:00")
    zaak = wp.get_case(b)
    assert zaak["phase"] == "nazorg"
    # Jobcoaching/nazorg: zijn trajectbegeleider blijft de eerste tijd zijn jobcoach; drie maandelijkse contacten.
    for maand in ("2027-02", "2027-03", "2027-04"):
        wp.fire_due_timers(f"{maand}-26T10:00")
        assert open_taak(wp, b, "nazorgcontact_trajectbegeleider")["lane"] == "trajectbegeleider"
        doe(wp, b, "nazorgcontact_trajectbegeleider", {"nog_aan_het_werk": True}, f"{maand}-26T10:00")
    zaak = wp.get_case(b)
    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_werk"
    assert zaak["phase"] == "nazorg"
    assert zaak["data"]["trede"] == 9
    assert zaak["data"]["loonwaarde_pct"] == 60
    assert zaak["data"]["nazorg_afgerond"] is True
    assert pad(wp, b) == [
        "eerste_inschatting", "zorg_eerst", "besluit_aanvraag", "intake", "trajectplan", "traject", "traject",
        "wsw_indicatie", "gedeeld_doelgroepregister_aanvragen", "gedeeld_doelgroepregister_uitslag", "traject",
        "loonwaarde_meten", "timer:nazorg_maand", "nazorgcontact_trajectbegeleider", "timer:nazorg_maand",
        "nazorgcontact_trajectbegeleider", "timer:nazorg_maand", "nazorgcontact_trajectbegeleider"]
    assert wp.replay_case(b)["match"] is True


def test_richard_klimt_van_trede_0_naar_trede_6(wp):
    # Richard (33): psychische problemen en sociale angst; begint op trede 0.
    zaak = wp.start_case("leusden", BSN, "Richard", "1992-11-02", at="2026-01-05T09:00")
    r = zaak["id"]
    assert zaak["process"] == "amersfoort"
    zaak = doe(wp, r, "eerste_inschatting", {"arbeidsvermogen_pct": 0, "grote_afstand_reden": "psychiatrisch"},
               "2026-01-06T10:00")
    assert zaak["data"]["route_melding"] == "zorg_eerst"
    doe(wp, r, "zorg_eerst", ZORG_DAN_ARBEIDSINTEGRATIE, "2026-01-07T10:00")
    doe(wp, r, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    doe(wp, r, "intake", {**leefgebieden(psychisch=1, sociaal=1, motivatie=2), "arbeidsbeperking": False,
                          "psychische_klachten": True}, "2026-01-26T10:00")
    zaak = doe(wp, r, "trajectplan", {"plan_van_aanpak": "Eerst een hulpverleningstraject.", "trede": 0,
                                      "perspectief": "werk", "uitstroom_binnen_half_jaar": False},
               "2026-02-02T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (0, "TZH")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "Hulpverlening (GGZ, verslavingszorg)"]
    zaak = doe(wp, r, "traject", voortgang(1, toelichting="Professioneel hulpverleningstraject gestart."),
               "2026-05-04T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (1, "TZH")
    # Richard blijft langer dan het half jaar van een TZH op trede 1: de teamleider wordt gewaarschuwd.
    assert timer_due(zaak, "trajectduur_verstreken").startswith("2026-11-04")
    fired = wp.fire_due_timers("2026-11-05T09:00")
    assert [n for f in fired for n in f["timers"]] == ["Verwachte trajectduur verstreken"]
    assert open_taak(wp, r, "trajectduur_bewaken")["lane"] == "teamleider"
    assert "traject" in open_specs(wp, r)  # niet-onderbrekend: het traject loopt door
    doe(wp, r, "trajectduur_bewaken", {"actie": "opgepakt", "toelichting": "Vrijwilligerswerk zoeken."},
        "2026-11-06T10:00")
    zaak = doe(wp, r, "traject", voortgang(3, toelichting="Vrijwilliger bij World Vision."), "2026-12-07T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (3, "TWL")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "AE-team (Amfors)", "Werk Mee", "Ravelijn"]
    zaak = doe(wp, r, "traject", voortgang(4, toelichting="Loopbaan in perspectief."), "2027-04-05T10:00")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "OpStap naar werk", "Beroepskeuze AI",
                                            "Loopbaan in perspectief AI", "Ontdek je talent (Amfors)"]
    # Voldoende gekwalificeerd: trede 5 overgeslagen, klaar om te werken (trede 6), sollicitatietraining.
    zaak = doe(wp, r, "traject", voortgang(6, half_jaar=True), "2027-08-02T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (6, "TWK")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "(A&E)² Samen Sterk", "Workfast",
                                            "Sollicitatie ondersteuning AI", "OpStap naar werk",
                                            "Werkgeversservicepunt", "Proefplaatsing"]
    assert timer_due(zaak, "trajectduur_verstreken").startswith("2028-02-02")  # TWK: ongeveer een half jaar
    assert [(s["trede"], s["trajectsoort"]) for s in zaak["data"]["ladderhistorie"]] == [
        (0, "TZH"), (1, "TZH"), (3, "TWL"), (4, "TWL"), (6, "TWK")]
    # Waar Richard nu staat: in traject, op weg naar een betaalde baan.
    assert zaak["status"] == "running"
    assert zaak["phase"] == "traject"
    assert open_specs(wp, r) == ["traject"]
    assert pad(wp, r) == ["eerste_inschatting", "zorg_eerst", "besluit_aanvraag", "intake", "trajectplan",
                          "traject", "timer:trajectduur_verstreken", "trajectduur_bewaken", "traject", "traject",
                          "traject"]
    assert wp.replay_case(r)["match"] is True


def test_workfast_na_drie_maanden_door_naar_arbeidsintegratie(wp):
    z = wp.start_case("amersfoort", BSN, "Sanne", "1990-04-20", at="2026-01-05T09:00")["id"]
    zaak = doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 100, "grote_afstand_reden": "geen"},
               "2026-01-05T11:00")
    assert zaak["data"]["route_melding"] == "workfast"
    assert open_taak(wp, z, "workfast")["lane"] == "jobhunter"
    assert timer_due(zaak, "workfast_voorbij").startswith("2026-04-05")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    assert wp.fire_due_timers("2026-04-04T23:00") == []
    fired = wp.fire_due_timers("2026-04-06T09:00")
    assert [n for f in fired for n in f["timers"]] == ["Workfast: 3 maanden voorbij"]
    assert open_specs(wp, z) == ["intake"]
    assert wp.get_case(z)["phase"] == "diagnose"
    assert pad(wp, z) == ["eerste_inschatting", "besluit_aanvraag", "timer:workfast_voorbij"]
    assert wp.replay_case(z)["match"] is True


def test_workfast_baan_gevonden_naar_nazorg(wp):
    z = wp.start_case("amersfoort", BSN, "Sanne", "1990-04-20", at="2026-01-05T09:00")["id"]
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 100, "grote_afstand_reden": "geen"},
        "2026-01-05T11:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    zaak = doe(wp, z, "workfast", {"workfast_resultaat": "baan_gevonden", "werkgever": "Logistiek bedrijf"},
               "2026-02-16T10:00")
    assert zaak["phase"] == "nazorg"
    assert "workfast_voorbij" not in [t["spec"] for t in zaak["timers"]]
    assert [t["spec"] for t in zaak["timers"]] == ["nazorg_maand"]
    assert wp.replay_case(z)["match"] is True


@pytest.mark.parametrize("inschatting, route, open_na", [
    ({"arbeidsvermogen_pct": 60, "grote_afstand_reden": "geen"}, "arbeidsintegratie", "intake"),
    ({"arbeidsvermogen_pct": 100, "grote_afstand_reden": "jonge_kinderen"}, "zorg_eerst", "zorg_eerst"),
    ({"arbeidsvermogen_pct": 40, "grote_afstand_reden": "verslaving"}, "zorg_eerst", "zorg_eerst"),
])
def test_beslistabel_route_na_de_melding(wp, inschatting, route, open_na):
    z = wp.start_case("amersfoort", BSN, "Klant", "1985-01-01", at="2026-01-05T09:00")["id"]
    zaak = doe(wp, z, "eerste_inschatting", inschatting, "2026-01-05T11:00")
    assert zaak["data"]["route_melding"] == route
    assert open_specs(wp, z) == sorted(["besluit_aanvraag", open_na])
    assert wp.replay_case(z)["match"] is True


def test_zorg_eerst_zonder_traject_eindigt_bij_de_hulpverlening(wp):
    z = wp.start_case("leusden", BSN, "Klant", "1985-01-01", at="2026-01-05T09:00")["id"]
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 10, "grote_afstand_reden": "verslaving"},
        "2026-01-05T11:00")
    doe(wp, z, "zorg_eerst", {"hulpverlening": "Verslavingszorg", "vervolg_zorg": "eerst_zorg"}, "2026-01-06T10:00")
    zaak = doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_aanvraag"
    assert pad(wp, z) == ["eerste_inschatting", "zorg_eerst", "besluit_aanvraag"]
    assert wp.replay_case(z)["match"] is True


def test_jongere_wacht_vier_weken(wp):
    zaak = wp.start_case("amersfoort", BSN, "Jeffrey", "2000-06-15", at="2026-01-05T09:00")
    z = zaak["id"]
    assert zaak["data"]["leeftijd"] == 25
    assert zaak["phase"] == "inspanningsperiode"
    assert open_specs(wp, z) == []
    assert wp.fire_due_timers("2026-02-01T22:00") == []
    fired = wp.fire_due_timers("2026-02-02T09:00")
    # the process's own 4-week wait, and the aanvraag's check of the same term, which is then
    # already due and fires in the same step
    assert [n for f in fired for n in f["timers"]] == [
        "Zoektermijn jongeren: 4 weken na de melding (Pw art. 41 lid 4)",
        "Vier weken zoektermijn jongeren (Pw art. 41 lid 4)"]
    zaak = wp.get_case(z)
    assert open_specs(wp, z) == ["aanvraag_jongere", "eerste_inschatting"]
    zaak = doe(wp, z, "aanvraag_jongere", {"aanvraagdatum": "2026-02-02"}, "2026-02-02T10:00")
    assert open_specs(wp, z) == ["besluit_aanvraag", "eerste_inschatting"]
    assert zaak["data"]["aanvraagdatum"] == "2026-02-02"
    assert zaak["data"]["beslisdatum"] == "2026-03-30"
    # Daarna het gewone pad; als jongere komt het Actieplan jeugdwerkloosheid in beeld.
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 80, "grote_afstand_reden": "geen"}, "2026-02-03T10:00")
    doe(wp, z, "intake", {**leefgebieden(opleiding_werk=2), "arbeidsbeperking": False, "psychische_klachten": False},
        "2026-02-10T10:00")
    zaak = doe(wp, z, "trajectplan", {"plan_van_aanpak": "Heftruckcertificaat halen.", "trede": 5,
                                      "perspectief": "werk", "uitstroom_binnen_half_jaar": True},
               "2026-02-17T10:00")
    assert (zaak["data"]["trede"], zaak["data"]["trajectsoort"]) == (5, "TWK")
    assert zaak["data"]["instrumenten"] == [
        "Trajectbegeleiding AI", "OpStap naar werk", "Status", "HER", "Beroepsopleiding (kort)", "Cleanfors (Amfors)",
        "Zorg en Aandacht (Amfors)", "Horeca en Aandacht (Amfors)", "Groen (Amfors)", "Techniek (Amfors)",
        "Individuele inkoop leerwerktrajecten", "Actieplan jeugdwerkloosheid"]
    assert wp.replay_case(z)["match"] is True


def test_intrekking_tijdens_de_zoektermijn(wp):
    z = wp.start_case("leusden", BSN, "Jeffrey", "2000-06-15", at="2026-01-05T09:00")["id"]
    zaak = wp.send_message(z, "aanvraag_ingetrokken", {}, user="klant", at="2026-01-19T10:00")
    assert zaak["status"] == "withdrawn"
    assert zaak["end_event"] == "einde_ingetrokken"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert pad(wp, z) == ["bericht:aanvraag_ingetrokken"]
    assert wp.replay_case(z)["match"] is True


def test_beslistermijn_verstreken_escaleert_naar_de_teamleider(wp):
    z = wp.start_case("amersfoort", BSN, "Klant", "1985-01-01", at="2026-01-05T09:00")["id"]
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 60, "grote_afstand_reden": "geen"},
        "2026-01-05T11:00")
    assert open_taak(wp, z, "besluit_aanvraag")["due"] == "2026-03-02T22:59:59+00:00"
    wp.fire_due_timers("2026-03-02T20:00")
    assert "escalatie_beslistermijn" not in open_specs(wp, z)
    assert pad(wp, z)[-1] == "timer:voorschot_termijn"  # wettelijk voorschot: nog geen besluit
    wp.fire_due_timers("2026-03-03T09:00")
    assert pad(wp, z)[-1] == "timer:beslistermijn_verstreken"
    assert open_taak(wp, z, "escalatie_beslistermijn")["lane"] == "teamleider"
    doe(wp, z, "escalatie_beslistermijn", {"actie": "opgepakt"}, "2026-03-03T10:00")
    for taak in [t for t in wp.list_tasks(case_id=z, with_form=False) if t["spec"] == "voorschot_verstrekken"]:
        wp.complete_task(taak["id"], "inkomensconsulent", {"voorschot_verstrekt": True}, at="2026-03-03T11:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": False}, "2026-03-04T10:00")
    assert open_specs(wp, z) == ["intake"]
    assert wp.replay_case(z)["match"] is True


def test_fasen_en_lanes_zijn_bekende_rollen(wp):
    proces = fasen_en_rollen(wp, "amersfoort")
    assert "aanvraag_ingetrokken" in proces["messages"]
    for taak in proces["user_tasks"]:
        assert taak["form"], taak


def test_trede_buiten_de_ladder_wordt_geweigerd(wp):
    z = wp.start_case("amersfoort", BSN, "Klant", "1985-01-01", at="2026-01-05T09:00")["id"]
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 60, "grote_afstand_reden": "geen"}, "2026-01-05T11:00")
    doe(wp, z, "intake", {**leefgebieden(), "arbeidsbeperking": False, "psychische_klachten": False},
        "2026-01-12T10:00")
    taak = open_taak(wp, z, "trajectplan")
    with pytest.raises(ValidationError) as fout:
        wp.complete_task(taak["id"], "trajectbegeleider", {"plan_van_aanpak": "Plan", "trede": 10,
                                                           "perspectief": "werk", "uitstroom_binnen_half_jaar": True},
                         at="2026-01-13T10:00")
    assert "trede" in fout.value.fields
    with pytest.raises(ValidationError) as fout:
        wp.complete_task(taak["id"], "trajectbegeleider", {"plan_van_aanpak": "Plan", "trede": 6,
                                                           "perspectief": "vakantie", "uitstroom_binnen_half_jaar": True},
                         at="2026-01-13T10:00")
    assert "perspectief" in fout.value.fields
    with pytest.raises(ValidationError):
        doe(wp, z, "trajectplan", {"plan_van_aanpak": "Plan", "trede": 6, "perspectief": "werk",
                                   "uitstroom_binnen_half_jaar": True, "onbekend_veld": 1}, "2026-01-13T10:00")
    assert open_specs(wp, z) == ["besluit_aanvraag", "trajectplan"]
    assert wp.replay_case(z)["match"] is True


def test_sociale_activering_tot_het_haalbare_doel(wp):
    z = wp.start_case("amersfoort", BSN, "Klant", "1968-03-03", at="2026-01-05T09:00")["id"]
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 30, "grote_afstand_reden": "geen"}, "2026-01-05T11:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-19T10:00")
    doe(wp, z, "intake", {**leefgebieden(sociaal=1, motivatie=2), "arbeidsbeperking": False,
                          "psychische_klachten": False}, "2026-01-20T10:00")
    zaak = doe(wp, z, "trajectplan", {"plan_van_aanpak": "Weer onder de mensen komen.", "trede": 2,
                                      "perspectief": "sociale_activering", "uitstroom_binnen_half_jaar": False},
               "2026-01-27T10:00")
    assert (zaak["data"]["trajectsoort"], zaak["data"]["herbeoordeling_na"]) == ("TSA", "P1Y")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "CNME Landgoed Schothorst"]
    zaak = doe(wp, z, "traject", voortgang(3, perspectief="sociale_activering"), "2026-07-06T10:00")
    assert zaak["data"]["instrumenten"] == ["Trajectbegeleiding AI", "Werk Mee"]
    zaak = doe(wp, z, "traject", voortgang(3, perspectief="sociale_activering", besluit="doel_bereikt",
                                           toelichting="Twee dagdelen per week vrijwilliger."), "2026-12-07T10:00")
    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_doel_bereikt"
    assert zaak["phase"] == "traject"
    assert wp.replay_case(z)["match"] is True


def test_instrumenten_voor_bijzondere_doelgroepen(wp):
    """Het instrumentenoverzicht koppelt een aantal instrumenten aan een doelgroep (seed 004)."""
    z = wp.start_case("amersfoort", BSN, "Fatima", "1984-09-14", at="2026-01-05T09:00")["id"]
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 40, "grote_afstand_reden": "geen"}, "2026-01-06T10:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-08T10:00")
    doe(wp, z, "intake", {**leefgebieden(sociaal=1, motivatie=2), "arbeidsbeperking": False,
                          "psychische_klachten": False,
                          "doelgroepen": ["vrouw_grote_afstand", "alleenstaande_moeder", "minima"]},
        "2026-01-12T10:00")
    zaak = doe(wp, z, "trajectplan", {"plan_van_aanpak": "Activering in een vrouwengroep.", "trede": 2,
                                      "perspectief": "sociale_activering", "uitstroom_binnen_half_jaar": False},
               "2026-01-19T10:00")
    instrumenten = zaak["data"]["instrumenten"]
    assert zaak["data"]["trajectsoort"] == "TSA"
    assert {"Cinderella", "Minimacoach"} <= set(instrumenten)  # TSA op trede 2; minima bij elke trede
    assert "TRAM" not in instrumenten  # alleenstaande moeders: trede 4, TWL
    assert "KomActief" not in instrumenten  # vrouwen: TWL
    zaak = doe(wp, z, "traject", voortgang(4, perspectief="werk"), "2026-06-01T10:00")
    assert zaak["data"]["trajectsoort"] == "TWL"
    assert {"TRAM", "Minimacoach"} <= set(zaak["data"]["instrumenten"])
    assert "Cinderella" not in zaak["data"]["instrumenten"]
    assert wp.replay_case(z)["match"] is True


def test_jan_meldt_zelf_gevonden_werk_tijdens_workfast_en_krijgt_nazorg(wp):
    z = wp.start_case("amersfoort", BSN, "Jan", "1990-04-20", at="2026-01-05T09:00")["id"]
    with pytest.raises(Conflict):  # voor de eerste inschatting wacht nog niets op dit bericht: geweigerd
        wp.send_message(z, "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-01-05T10:00")
    doe(wp, z, "eerste_inschatting", {"arbeidsvermogen_pct": 100, "grote_afstand_reden": "geen"},
        "2026-01-05T11:00")
    doe(wp, z, "besluit_aanvraag", {"recht_op_bijstand": True}, "2026-01-20T10:00")
    assert open_specs(wp, z) == ["workfast"]
    zaak = wp.send_message(z, "werk_gevonden", {"werkgever": "Logistiek bedrijf"}, at="2026-02-16T10:00")
    assert zaak["phase"] == "nazorg"
    bericht = [e for e in wp.case_history(z) if e["type"] == "message_received"][-1]
    assert {c["spec"] for c in bericht["payload"]["cancelled"]} == {"workfast", "workfast_voorbij"}
    assert [t["spec"] for t in zaak["timers"]] == ["nazorg_maand"]
    assert zaak["data"]["werk_zelf_gevonden"] is True
    for maand in ("2026-03", "2026-04", "2026-05"):
        wp.fire_due_timers(f"{maand}-17T12:00")
        doe(wp, z, "nazorgcontact", {"nog_aan_het_werk": True}, f"{maand}-18T10:00")
    zaak = wp.get_case(z)
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_werk"
    assert wp.replay_case(z)["match"] is True
