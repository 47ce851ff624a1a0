"""Súdwest-Fryslân: Jan en de wettelijke randgevallen (seed 003 §4.3).

Elke test draait op een eigen SQLite-bestand met alleen het proces van Súdwest-Fryslân en de gedeelde
subprocessen (kopieën van processes/sudwest_fryslan en processes/gedeeld) en de echte forms/-map, zodat werk
in andere procesmappen deze tests niet raakt.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Conflict, Werkpad
from tests.processes.hulp import besluit_en_beschikking as besluit
from tests.processes.hulp import doe_zonder_timers as doe
from tests.processes.hulp import open_specs, open_taak, pad

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "sudwest-fryslan"


@pytest.fixture
def wp(werkpad_voor) -> Werkpad:
    return werkpad_voor("sudwest_fryslan")


def naar_intake(wp: Werkpad, zaak: str, dag: str, **intake) -> dict:
    doe(wp, zaak, "routeren", {"postcode": "8715AB", "woonkern": "Stavoren", "gebiedsteam": "IJsselmeerkust"},
        f"{dag}T09:00")
    doe(wp, zaak, "brief", {"brief_verstuurd": True, "intakedatum": dag}, f"{dag}T09:30")
    gegevens = {"crisis": False, "woonsituatie": "dakloos", "inkomen": "geen", "opleidingsniveau": "vmbo_onafgerond",
                "werkervaring": "weinig", "woonruimte_nodig": True, "bijzondere_bijstand_nodig": True}
    gegevens.update(intake)
    return doe(wp, zaak, "intake", gegevens, f"{dag}T14:00")


def test_jan_drie_lijnen_pastiel_en_stage_bij_empatec(wp):
    # Stap 1: Jan vraagt met hulp van een kennis de uitkering aan via werk.nl.
    zaak = wp.start_case(GEMEENTE, "111222333", "Jan", "1984-06-12", at="2026-02-02T10:00")
    assert zaak["process"] == "sudwest_fryslan" and zaak["phase"] == "poort"
    assert open_taak(wp, zaak["id"], "routeren")["lane"] == "servicedesk_medewerker"
    # de termijnen van de inkomenslijn lopen vanaf ontvangst, maar het besluit volgt pas na de intake waarin
    # de aanvraag wordt doorgesproken (seed 003 §4.3)
    assert open_specs(wp, zaak["id"]) == {"routeren"}
    assert zaak["data"]["beslisdatum"] == "2026-03-30"
    # Centraal punt: postcode -> kern Stavoren -> gebiedsteam IJsselmeerkust; brief; stap 2: intake.
    zaak = naar_intake(wp, zaak["id"], "2026-02-09")
    assert zaak["data"]["gebiedsteam"] == "IJsselmeerkust"
    # Stap 3: drie lijnen tegelijk.
    assert open_specs(wp, zaak["id"]) == {"besluit_aanvraag", "woningcorporatie", "loonwaarde_inschatten"}
    assert zaak["data"]["aanvraagdatum"] == "2026-02-02"  # ontvangst via werk.nl
    assert zaak["data"]["beslisdatum"] == "2026-03-30"
    lanes = {t["spec"]: t["lane"] for t in wp.list_tasks(case_id=zaak["id"], with_form=False)}
    assert lanes == {"besluit_aanvraag": "inkomensconsulent", "woningcorporatie": "casemanager",
                     "loonwaarde_inschatten": "consulent_werk"}

    # Lijn 1 (hoogste prioriteit): de uitkering.
    besluit(wp, zaak["id"], True, "2026-02-12T10:00")
    # Lijn 3: Dariuz Werkwijzer: loonwaarde onder 80% maar boven 40%.
    zaak = doe(wp, zaak["id"], "loonwaarde_inschatten", {"loonwaarde_pct": 55, "dariuz_afgenomen": True},
               "2026-02-13T10:00")
    assert (zaak["data"]["werklijn"], zaak["data"]["doelgroep_sf"], zaak["data"]["p_budget"]) == ("ondersteuning", 2, True)
    assert "instrument_kiezen" in open_specs(wp, zaak["id"])
    # Lijn 2 / stap 4: huisvesting via de woningcorporatie, inrichting met bijzondere bijstand.
    doe(wp, zaak["id"], "woningcorporatie", {"urgentie_aangevraagd": True, "woonruimte_gevonden": True,
                                             "tijdelijk_onderdak": "Bij vrienden en kennissen"}, "2026-03-02T10:00")
    doe(wp, zaak["id"], "bijzondere_bijstand", {"bijzondere_bijstand_toegekend": True, "bijzondere_bijstand_bedrag": 1200,
                                                "bijzondere_bijstand_doel": "Inrichting via de kringloopwinkel"},
        "2026-03-04T10:00")
    # Stap 5: verwijzing naar Pastiel voor een werk- en diagnosefase van vier weken.
    zaak = doe(wp, zaak["id"], "instrument_kiezen", {"instrument": "pastiel"}, "2026-03-06T10:00")
    assert zaak["phase"] == "diagnose"
    assert open_specs(wp, zaak["id"]) == set()
    assert [t["spec"] for t in zaak["timers"]] == ["werk_en_diagnosefase"]
    assert wp.fire_due_timers("2026-04-03T09:00") == []
    gevuurd = wp.fire_due_timers("2026-04-03T12:00")
    assert [t for f in gevuurd for t in f["timers"]] == ["Werk- en diagnosefase Pastiel (4 weken)"]
    assert open_taak(wp, zaak["id"], "diagnosefase_uitkomst")["lane"] == "trajectbegeleider"
    zaak = doe(wp, zaak["id"], "diagnosefase_uitkomst",
               {"iq_indicatie": "70_85", "loonwaarde_pct": 45, "advies_diagnosefase": "stage_empatec",
                "toelichting": "Zeer waarschijnlijk zwakbegaafd (IQ 75-80); structuur en directe leiding nodig."},
               "2026-04-06T10:00")
    # Stap 6: stage op een productieafdeling van Empatec met behoud van uitkering.
    assert zaak["data"]["behoud_van_uitkering"] is True and zaak["data"]["stage_bij"] == "Empatec"
    assert zaak["phase"] == "traject"
    zaak = doe(wp, zaak["id"], "stage_volgen", {"vervolg_stage": "kandidaat_beschut_werk"}, "2026-07-01T10:00")

    assert zaak["status"] == "completed"
    assert zaak["end_event"] == "einde_stage_beschut_werk"
    assert zaak["phase"] == "traject"
    assert zaak["data"]["werk_uitkomst"] == "kandidaat_beschut_werk"
    assert zaak["data"]["bijzondere_bijstand_toegekend"] is True
    assert zaak["data"]["inkomenslijn"] == "uitkering"
    assert zaak["data"]["werklijn"] == "ondersteuning"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert pad(wp, zaak["id"]) == [
        "routeren", "brief", "intake", "besluit_aanvraag", "beschikking_verzenden", "loonwaarde_inschatten",
        "woningcorporatie",
        "bijzondere_bijstand", "instrument_kiezen", "timer:werk_en_diagnosefase", "diagnosefase_uitkomst",
        "stage_volgen",
    ]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_jongere_wacht_vier_weken_voordat_de_aanvraag_wordt_opgepakt(wp):
    zaak = wp.start_case(GEMEENTE, "123456782", "Sanne", "2004-02-01", at="2026-02-02T10:00")
    assert zaak["data"]["leeftijd"] == 22
    assert zaak["phase"] == "inspanningsperiode"
    assert open_specs(wp, zaak["id"]) == set()
    assert wp.fire_due_timers("2026-03-01T12:00") == []
    gevuurd = wp.fire_due_timers("2026-03-02T12:00")
    assert sorted(t for f in gevuurd for t in f["timers"]) == [
        "Vier weken zoektermijn jongeren (Pw art. 41 lid 4)", "Vier weken zoektermijn: pas daarna routering en intake (jongere)"]
    # na vier weken mag ze de aanvraag indienen; de werkelijke datum van indiening wordt gevraagd
    assert open_specs(wp, zaak["id"]) == {"routeren", "aanvraag_jongere"}
    doe(wp, zaak["id"], "aanvraag_jongere", {"aanvraagdatum": "2026-03-03"}, "2026-03-03T11:00")
    assert open_specs(wp, zaak["id"]) == {"routeren"}
    zaak = naar_intake(wp, zaak["id"], "2026-03-05", woonsituatie="inwonend", woonruimte_nodig=False,
                       bijzondere_bijstand_nodig=False)
    assert zaak["data"]["aanvraagdatum"] == "2026-03-03"  # de dag dat ze de aanvraag indiende
    assert zaak["data"]["beslisdatum"] == "2026-04-28"
    zaak = doe(wp, zaak["id"], "loonwaarde_inschatten", {"loonwaarde_pct": 85, "dariuz_afgenomen": True},
               "2026-03-06T10:00")
    zaak = besluit(wp, zaak["id"], False, "2026-03-10T10:00")
    assert zaak["status"] == "waiting"  # bezwaartermijn van 6 weken na de afwijzing
    wp.fire_due_timers("2026-04-22T09:00")
    zaak = wp.get_case(zaak["id"])
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_afgewezen"
    assert zaak["data"]["werklijn"] == "eigen_kracht"
    assert zaak["data"]["inkomenslijn"] == "afgewezen"
    stappen = pad(wp, zaak["id"])
    assert sorted(stappen[:2]) == ["timer:zoektermijn_jongere", "timer:zoektermijn_jongeren"]
    assert stappen[-1] == "timer:bezwaartermijn_afwijzing"
    stappen = stappen[:-1]
    assert stappen[2:] == ["aanvraag_jongere", "routeren", "brief", "intake", "loonwaarde_inschatten", "besluit_aanvraag",
                           "beschikking_verzenden"]
    assert wp.replay_case(zaak["id"])["match"] is True


def test_intrekking_tijdens_de_inspanningsperiode_beeindigt_de_zaak(wp):
    zaak = wp.start_case(GEMEENTE, "123456782", "Sanne", "2004-02-01", at="2026-02-02T10:00")
    assert zaak["phase"] == "inspanningsperiode"
    zaak = wp.send_message(zaak["id"], "aanvraag_ingetrokken", {"reden": "werk gevonden"}, at="2026-02-16T10:00")
    assert zaak["status"] == "withdrawn"
    assert zaak["end_event"] == "einde_ingetrokken"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert wp.fire_due_timers("2026-04-01") == []
    assert wp.replay_case(zaak["id"])["match"] is True


def test_gemiste_beslistermijn_geeft_voorschot_en_escalatie(wp):
    zaak = wp.start_case(GEMEENTE, "999990019", "Piet", "1970-09-09", at="2026-02-02T10:00")
    zaak = naar_intake(wp, zaak["id"], "2026-02-09", woonruimte_nodig=False, bijzondere_bijstand_nodig=False)
    gevuurd = wp.fire_due_timers("2026-03-31T12:00")
    voorschot = "Elke vier weken zonder besluit: voorschot (Pw art. 52)"
    assert [t for f in gevuurd for t in f["timers"]] == [voorschot, voorschot, "Beslistermijn verstreken"]
    assert [f["due"][:10] for f in gevuurd] == ["2026-03-01", "2026-03-29", "2026-03-30"]  # middernacht, Amsterdam
    assert open_taak(wp, zaak["id"], "escalatie_beslistermijn")["lane"] == "teamleider"
    voorschotten = [t for t in wp.list_tasks(case_id=zaak["id"]) if t["spec"] == "voorschot_verstrekken"]
    assert [t["lane"] for t in voorschotten] == ["inkomensconsulent", "inkomensconsulent"]
    doe(wp, zaak["id"], "escalatie_beslistermijn", {"actie": "opgepakt"}, "2026-03-31T13:00")
    besluit(wp, zaak["id"], True, "2026-04-01T10:00")
    assert {"besluit_aanvraag", "beschikking_verzenden", "voorschot_verstrekken"}.isdisjoint(open_specs(wp, zaak["id"]))
    assert wp.replay_case(zaak["id"])["match"] is True


def test_opschorting_verlengt_de_beslistermijn(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Klaas", "1975-05-05", at="2026-02-02T10:00")
    zaak = naar_intake(wp, zaak["id"], "2026-02-09", woonruimte_nodig=False, bijzondere_bijstand_nodig=False)
    wp.send_message(zaak["id"], "opschorting", {}, at="2026-02-10T10:00")
    zaak = wp.send_message(zaak["id"], "stukken_ontvangen", {}, at="2026-02-24T10:00")
    assert zaak["data"]["opgeschorte_dagen"] == 14
    assert zaak["data"]["beslisdatum"] == "2026-04-13"  # 30 maart + 14 dagen
    assert wp.replay_case(zaak["id"])["match"] is True


@pytest.mark.parametrize(("loonwaarde", "werklijn", "taak"), [
    (39, "dagbesteding", "dagbesteding"),
    (40, "ondersteuning", "instrument_kiezen"),
    (79, "ondersteuning", "instrument_kiezen"),
    (80, "eigen_kracht", None),
])
def test_werklijn_op_loonwaarde(wp, loonwaarde, werklijn, taak):
    zaak = wp.start_case(GEMEENTE, "232262536", "Klant", "1980-01-01", at="2026-02-02T10:00")
    naar_intake(wp, zaak["id"], "2026-02-09", woonruimte_nodig=False, bijzondere_bijstand_nodig=False)
    zaak = doe(wp, zaak["id"], "loonwaarde_inschatten", {"loonwaarde_pct": loonwaarde, "dariuz_afgenomen": True},
               "2026-02-10T10:00")
    verwacht = {"besluit_aanvraag"} | ({taak} if taak else set())
    assert open_specs(wp, zaak["id"]) == verwacht
    zaak = besluit(wp, zaak["id"], True, "2026-02-11T10:00")
    if taak is None:  # eigen kracht: de werklijn is meteen klaar, dus de zaak ook
        assert zaak["status"] == "completed" and zaak["end_event"] == "einde_werk"
    assert zaak["data"]["werklijn"] == werklijn


def test_jan_vindt_zelf_werk_tijdens_de_flexformule_en_stroomt_uit(wp):
    zaak = wp.start_case(GEMEENTE, "111222333", "Jan", "1984-06-12", at="2026-02-02T10:00")
    with pytest.raises(Conflict):  # bij het routeren wacht nog niets op dit bericht: geweigerd
        wp.send_message(zaak["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-02-03T10:00")
    naar_intake(wp, zaak["id"], "2026-02-09", woonruimte_nodig=False, bijzondere_bijstand_nodig=False)
    besluit(wp, zaak["id"], True, "2026-02-12T10:00")
    doe(wp, zaak["id"], "loonwaarde_inschatten", {"loonwaarde_pct": 55, "dariuz_afgenomen": True}, "2026-02-13T10:00")
    doe(wp, zaak["id"], "instrument_kiezen", {"instrument": "flexformule"}, "2026-02-16T10:00")
    assert open_specs(wp, zaak["id"]) == {"flexformule"}
    zaak = wp.send_message(zaak["id"], "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-03-02T10:00")
    bericht = [e for e in wp.case_history(zaak["id"]) if e["type"] == "message_received"][-1]
    assert [c["spec"] for c in bericht["payload"]["cancelled"]] == ["flexformule"]
    assert zaak["status"] == "completed" and zaak["end_event"] == "einde_werk_gevonden"
    assert zaak["data"]["werk_uitkomst"] == "werk_gevonden"
    assert zaak["tasks"] == [] and zaak["timers"] == []
    assert wp.replay_case(zaak["id"])["match"] is True
