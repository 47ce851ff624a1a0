"""Places per calendar year (issue 12): Tilburg's 900 re-integratietrajecten a year, commissioned per
partner in batches of 50 (seed 003 §4.4), and Weener XL's nieuw beschut werk, 5 FTE in 2015 and 15 in
2016 (seed 003 §4.2 stap 6). A yearly place is spent when given; when the year's places are gone the
traject starts on 1 January. The answers are in the events, so replay does not depend on occupancy."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import Werkpad
from engine.app.capacity import read_capacity_file
from engine.errors import ValidationError
from tests.processes.hulp import open_specs, open_taak, replay_klopt
from tests.processes.test_capaciteit import engine, procesmap
from tests.processes.test_tilburg import QUICK_SCAN_JAN

ROOT = Path(__file__).resolve().parents[2]
KLANTEN = (("Ali", "111222333", "sagenn"), ("Bea", "123456782", "sagenn"), ("Cor", "200000007", "diamant_groep"),
           ("Dirk", "111111110", "sagenn"))


@pytest.fixture
def tilburg(db_url, tmp_path):
    """On SQLite and on the real PostgreSQL server (marked postgres)."""
    root = procesmap(tmp_path, "tilburg", {"reintegratietraject": {"naam": "Re-integratietraject", "plaatsen": 3,
                                                                    "per": "jaar", "batch": 2}})
    wp = engine(db_url, root)
    yield wp
    wp.db.dispose()


def doe(wp: Werkpad, zaak: str, spec: str, data: dict, at: str) -> dict:
    return wp.complete_task(open_taak(wp, zaak, spec)["id"], "consulent", data, at=at)


def tot_opdracht(wp: Werkpad) -> list[str]:
    """Four clients, step by step together, up to the opdracht to the re-integratiepartner."""
    zaken = [wp.start_case("tilburg", bsn, naam, "1980-05-01", at="2026-01-05T09:00")["id"]
             for naam, bsn, _ in KLANTEN]
    stappen = [("meldingsgesprek", QUICK_SCAN_JAN, "2026-01-07T10:00"),
               ("terugmelding", {"sollicitaties": 20, "ingeschreven_uitzendbureaus": True}, "2026-01-28T10:00"),
               ("voorschot_verstrekken", {"voorschot_verstrekt": True, "voorschot_bedrag": 1100}, "2026-02-04T10:00"),
               ("rechtmatigheidsgesprek", {"stukken_compleet": False, "inspanning_voldoende": False,
                                           "vermoeden_belemmeringen": True}, "2026-02-11T10:00"),
               ("screening", {"screening_uitkomst": "groen"}, "2026-02-11T13:00"),
               ("intake", {"verdiepende_diagnose_nodig": False}, "2026-02-12T13:00"),
               ("besluit_aanvraag", {"recht_op_bijstand": True}, "2026-02-13T09:30"),
               ("beschikking", {"beschikking_verzonden_op": "2026-02-13", "voorlopig_plan_van_aanpak": True},
                "2026-02-13T16:00"),
               ("time_to_market", {"time_to_market_12m": True, "ontwikkelbaar_naar_werk": True}, "2026-02-13T17:00")]
    for spec, data, at in stappen:
        if spec == "voorschot_verstrekken":  # 4 weeks after the aanvraag without a decision
            wp.fire_due_timers("2026-02-04T09:00")
        for zaak in zaken:
            doe(wp, zaak, spec, data, at)
    return zaken


def plaats(wp: Werkpad) -> dict:
    return [o for o in wp.capacity_overview() if o["instrument"] == "reintegratietraject"][0]


def test_trajecten_per_jaar_in_batches_per_partner_en_het_volgende_jaar(tilburg):
    wp = tilburg
    zaken = tot_opdracht(wp)
    for zaak, (_, _, partner) in zip(zaken, KLANTEN, strict=True):
        doe(wp, zaak, "opdracht_partner", {"reintegratiepartner": partner, "plan_van_aanpak": "Plan."},
            "2026-02-16T10:00")
    antwoorden = [wp.get_case(z)["data"]["trajectplaats"] for z in zaken]
    assert antwoorden[:3] == [
        {"instrument": "reintegratietraject", "toegekend": True, "periode": "2026", "vanaf": "2026-02-16",
         "batch": 1, "nieuwe_batch": True, "partij": "sagenn"},
        {"instrument": "reintegratietraject", "toegekend": True, "periode": "2026", "vanaf": "2026-02-16",
         "batch": 1, "nieuwe_batch": False, "partij": "sagenn"},
        {"instrument": "reintegratietraject", "toegekend": True, "periode": "2026", "vanaf": "2026-02-16",
         "batch": 1, "nieuwe_batch": True, "partij": "diamant_groep"}]
    # the year's three trajecten are given: Dirk's traject starts on 1 January, as the first of a new batch
    assert antwoorden[3] == {"instrument": "reintegratietraject", "toegekend": True, "periode": "2027",
                             "vanaf": "2027-01-01", "batch": 1, "nieuwe_batch": True, "partij": "sagenn"}
    for zaak in zaken[:3]:
        assert open_specs(wp, zaak) == {"reintegratietraject"}
    assert open_specs(wp, zaken[3]) == set()
    assert [t["spec"] for t in wp.get_case(zaken[3])["timers"]] == ["trajectplaats_nieuw_jaar"]
    # the decision is in the event that took it
    opdracht = [e for e in wp.case_history(zaken[3]) if e["type"] == "task_completed"][-1]
    assert opdracht["payload"]["plaatsen"] == [antwoorden[3]]
    overzicht = plaats(wp)
    assert (overzicht["per"], overzicht["places"], overzicht["occupied"], overzicht["batch"]) == ("jaar", 3, 3, 2)
    assert overzicht["batches"] == [{"partner": "diamant_groep", "taken": 1, "batches": 1},
                                    {"partner": "sagenn", "taken": 2, "batches": 1}]
    # a traject that ends does not give its place back: the year's trajecten were bought
    doe(wp, zaken[0], "reintegratietraject", {"uitkomst": "werk_niet_haalbaar"}, "2026-06-01T10:00")
    assert plaats(wp)["occupied"] == 3
    wp.fire_due_timers("2026-12-31T12:00")
    assert open_specs(wp, zaken[3]) == set()
    wp.fire_due_timers("2027-01-01T08:00")
    assert open_specs(wp, zaken[3]) == {"reintegratietraject"}
    for zaak in zaken:
        replay_klopt(wp, zaak)


def test_een_trajectplaats_van_volgend_jaar_komt_terug_als_de_zaak_eerder_eindigt(tilburg):
    wp = tilburg
    zaken = tot_opdracht(wp)
    for zaak, (_, _, partner) in zip(zaken, KLANTEN, strict=True):
        doe(wp, zaak, "opdracht_partner", {"reintegratiepartner": partner}, "2026-02-16T10:00")
    wp.send_message(zaken[3], "aanvraag_ingetrokken", {}, at="2026-03-01T10:00")
    assert wp.get_case(zaken[3])["status"] == "withdrawn"
    with wp.db.unit_of_work(write=False) as uow:
        from engine.storage.capacity_models import CapacityUseRow
        volgend_jaar = uow.session.get(CapacityUseRow, ("tilburg", "reintegratietraject", "2027"))
        assert volgend_jaar is not None and volgend_jaar.occupied == 0
    assert plaats(wp)["occupied"] == 3  # this year's places stay spent
    replay_klopt(wp, zaken[3])


def test_plaatsen_per_jaar_in_het_databestand(tmp_path):
    map_ = tmp_path / "proces"
    map_.mkdir()
    (map_ / "capaciteit.json").write_text(json.dumps(
        {"beschut_werk": {"plaatsen": {"2015": 5, "2016": 15}, "per": "jaar"},
         "traject": {"plaatsen": 900, "per": "jaar", "batch": 50}}), encoding="utf-8")
    gelezen = read_capacity_file(map_)
    assert gelezen["beschut_werk"]["per_jaar"] == {"2015": 5, "2016": 15}
    assert gelezen["traject"]["batch"] == 50
    for fout, woord in (({"x": {"plaatsen": 5, "batch": 50}}, "batch"),
                        ({"x": {"plaatsen": {"twintig": 5}, "per": "jaar"}}, "jaartal"),
                        ({"x": {"plaatsen": 5, "per": "maand"}}, "jaar"),
                        ({"x": {"plaatsen": {"2015": 5}, "per": "week"}}, "plaatsen")):
        (map_ / "capaciteit.json").write_text(json.dumps(fout), encoding="utf-8")
        with pytest.raises(ValidationError) as info:
            read_capacity_file(map_)
        assert woord in info.value.message


def test_beschut_werk_per_jaar_volgens_de_seed(tmp_path):
    """Weener XL's own data file: 5 FTE in 2015, 15 in 2016 and after; in a year without room the
    placement waits for 1 January."""
    root = procesmap(tmp_path, "weener_xl", json.loads(
        (ROOT / "processes" / "weener_xl" / "capaciteit.json").read_text(encoding="utf-8")))
    wp = engine(f"sqlite:///{tmp_path / 'beschut.sqlite'}", root)
    try:
        beschut = [o for o in wp.capacity_overview() if o["instrument"] == "beschut_werk"][0]
        assert (beschut["per"], beschut["places"]) == ("jaar", 15)
    finally:
        wp.db.dispose()
    (root / "weener_xl" / "capaciteit.json").write_text(json.dumps(
        {"wep": {"plaatsen": 140}, "bossche_baan": {"plaatsen": 50},
         "beschut_werk": {"plaatsen": {"2025": 5, "2026": 0, "2027": 15}, "per": "jaar"}}), encoding="utf-8")
    wp = engine(f"sqlite:///{tmp_path / 'beschut2.sqlite'}", root)
    try:
        zaak = jan_tot_beschut_werk(wp)
        data = wp.get_case(zaak)["data"]
        assert data["plaats_beschut_werk"] == {"instrument": "beschut_werk", "toegekend": True, "periode": "2027",
                                               "vanaf": "2027-01-01"}
        assert open_specs(wp, zaak) == set()
        assert [t["spec"] for t in wp.get_case(zaak)["timers"]] == ["beschut_nieuw_jaar"]
        wp.fire_due_timers("2027-01-01T08:00")
        assert open_specs(wp, zaak) == {"plaatsing_beschut"}
        replay_klopt(wp, zaak)
    finally:
        wp.db.dispose()


def jan_tot_beschut_werk(wp: Werkpad) -> str:
    """Jan's Weener XL path (test_weener_xl) up to the positive advice on beschut werk, in May 2026."""
    from tests.processes.hulp import besluit_en_beschikking
    from tests.processes.hulp import doe_zonder_timers as stap

    zaak = wp.start_case("s-hertogenbosch", "111222333", "Jan", "1984-06-12", at="2026-01-08T09:00")["id"]
    stap(wp, zaak, "tienminutengesprek", {"voldoet_aan_beslisboom": True, "dringende_reden": False, "crisis": False,
                                          "woonsituatie": "inwonend", "toelichting": "-"}, "2026-01-08T09:20")
    stap(wp, zaak, "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True,
                                    "quickscan_datum": "2026-01-14"}, "2026-01-12T10:00")
    stap(wp, zaak, "quickscan", {"quickscan_afgerond": True, "startgesprek_datum": "2026-01-16"}, "2026-01-14T11:00")
    stap(wp, zaak, "startgesprek", {"loonwaarde_pct": 40, "directe_match": "geen", "plan_van_aanpak": "Plan."},
         "2026-01-16T14:00")
    besluit_en_beschikking(wp, zaak, True, "2026-01-19T09:00")
    stap(wp, zaak, "aan_de_slag", {"vervolg_aan_de_slag": "specialistische_diagnose"}, "2026-03-16T10:00")
    stap(wp, zaak, "specialistische_diagnose", {"iq_indicatie": "70_85", "loonwaarde_pct": 25,
                                                 "individueel_inzetbaar": False,
                                                 "advies_diagnose": "nieuw_beschut_werk"}, "2026-04-10T10:00")
    stap(wp, zaak, "gedeeld_beschut_werk_advies_aanvragen", {"aanvraagdatum_beschut_werk": "2026-04-13"},
         "2026-04-13T09:00")
    stap(wp, zaak, "gedeeld_beschut_werk_advies_uitslag", {"beschut_werk_advies": True}, "2026-05-20T09:00")
    stap(wp, zaak, "beschut_werk_advies_bespreken", {"besproken_met_klant": True}, "2026-05-21T09:00")
    return zaak


def test_vier_consulenten_tegelijk_om_drie_trajectplaatsen(tilburg):
    """Four opdrachten at the same moment for three places this year: three get this year, one the
    next; the batch numbers per partner count each traject once (SQLite and PostgreSQL)."""
    import threading

    wp = tilburg
    zaken = tot_opdracht(wp)
    taken = [open_taak(wp, z, "opdracht_partner")["id"] for z in zaken]
    start = threading.Barrier(len(taken))
    fouten: list[BaseException] = []

    def neem(taak: str, partner: str) -> None:
        try:
            start.wait()
            wp.complete_task(taak, "consulent", {"reintegratiepartner": partner}, at="2026-02-16T10:00")
        except BaseException as exc:  # noqa: BLE001
            fouten.append(exc)

    draden = [threading.Thread(target=neem, args=(t, k[2])) for t, k in zip(taken, KLANTEN, strict=True)]
    for d in draden:
        d.start()
    for d in draden:
        d.join()
    assert fouten == []
    antwoorden = [wp.get_case(z)["data"]["trajectplaats"] for z in zaken]
    assert sorted(a["periode"] for a in antwoorden) == ["2026", "2026", "2026", "2027"]
    # per partner and year the trajecten are counted once each: with batches of 2, the n-th traject is in
    # batch (n + 1) // 2 and every odd one opens a batch -- whichever consultant came first
    for partner in ("sagenn", "diamant_groep"):
        for jaar in ("2026", "2027"):
            van = [a for a in antwoorden if a["partij"] == partner and a["periode"] == jaar]
            assert sorted(a["batch"] for a in van) == [i // 2 + 1 for i in range(len(van))], (partner, jaar)
            assert sum(a["nieuwe_batch"] for a in van) == (len(van) + 1) // 2, (partner, jaar)
    assert plaats(wp)["occupied"] == 3
    for zaak in zaken:
        replay_klopt(wp, zaak)
