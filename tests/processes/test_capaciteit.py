"""Places are finite (issue 12): Weener XL's WEP and Bossche Baan, IJmond's weekly groepsintake.

The process asks for a place with ``plaats_aanvragen(...)``; a full instrument puts the client on the
waiting list, and the place a client leaves goes to the first one waiting (message ``plaats_vrij``).
The answers are in the events, so replay does not depend on today's occupancy.
"""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from engine import Werkpad
from tests.processes.hulp import doe_zonder_timers as doe
from tests.processes.hulp import open_specs, open_taak, replay_klopt

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "s-hertogenbosch"


def procesmap(tmp_path: Path, sleutel: str, capaciteit: dict) -> Path:
    root = tmp_path / "processes"
    shutil.copytree(ROOT / "processes" / "gedeeld", root / "gedeeld")
    shutil.copytree(ROOT / "processes" / sleutel, root / sleutel)
    shutil.copy(ROOT / "processes" / "rollen.json", root / "rollen.json")
    (root / sleutel / "capaciteit.json").write_text(json.dumps(capaciteit), encoding="utf-8")
    return root


def engine(url: str, root: Path) -> Werkpad:
    wp = Werkpad(url, processes_dir=root, forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy()
    return wp


@pytest.fixture
def weener(db_url, tmp_path):
    """Weener XL with one WEP place, on SQLite and on the real PostgreSQL server (marked postgres):
    the hand-over of a freed place to the first waiting case runs on both."""
    root = procesmap(tmp_path, "weener_xl", {"wep": {"naam": "WEP", "plaatsen": 1},
                                             "bossche_baan": {"naam": "Bossche Baan", "plaatsen": 50}})
    wp = engine(db_url, root)
    yield wp
    wp.db.dispose()


def tot_beschikking(wp: Werkpad, naam: str, bsn: str) -> str:
    zaak = wp.start_case(GEMEENTE, bsn, naam, "1982-02-02", at="2026-01-08T09:00")["id"]
    doe(wp, zaak, "tienminutengesprek", {"voldoet_aan_beslisboom": True, "dringende_reden": False,
                                         "crisis": False, "woonsituatie": "inwonend", "toelichting": "-"},
        "2026-01-08T09:20")
    doe(wp, zaak, "voorlichting", {"aanwezig": True, "aanvraagformulier_ingediend": True}, "2026-01-12T10:00")
    doe(wp, zaak, "quickscan", {"quickscan_afgerond": True}, "2026-01-14T10:00")
    doe(wp, zaak, "startgesprek", {"loonwaarde_pct": 85, "directe_match": "wep", "plan_van_aanpak": "Plan."},
        "2026-01-16T10:00")
    doe(wp, zaak, "besluit_aanvraag", {"recht_op_bijstand": True, "stukken_compleet": True}, "2026-01-19T10:00")
    return zaak


def beschikking(wp: Werkpad, zaak: str, at: str = "2026-01-19T16:00") -> dict:
    return wp.complete_task(open_taak(wp, zaak, "beschikking_verzenden")["id"], "medewerker",
                            {"beschikking_verzonden": True}, at=at)


def wep(wp: Werkpad) -> dict:
    return [o for o in wp.capacity_overview() if o["instrument"] == "wep"][0]


def test_laatste_wep_plaats_dan_wachtlijst_en_de_vrijgekomen_plaats_gaat_naar_de_eerste(weener):
    wp = weener
    ali, bea = tot_beschikking(wp, "Ali", "111222333"), tot_beschikking(wp, "Bea", "123456782")
    zaak_ali = beschikking(wp, ali)
    assert open_specs(wp, ali) == {"wep"}
    assert zaak_ali["data"]["plaats_wep"] == {"instrument": "wep", "toegekend": True}
    zaak_bea = beschikking(wp, bea, "2026-01-19T16:30")
    assert open_specs(wp, bea) == set()
    assert zaak_bea["data"]["plaats_wep"] == {"instrument": "wep", "toegekend": False, "wachtlijst": 1}
    assert "plaats_vrij" in zaak_bea["waiting_for_messages"]
    # the decision is in the event that took it
    laatste = wp.case_history(bea)[-1]
    assert laatste["payload"]["plaatsen"] == [{"instrument": "wep", "toegekend": False, "wachtlijst": 1}]
    overzicht = wep(wp)
    assert (overzicht["places"], overzicht["occupied"]) == (1, 1)
    assert [w["client"] for w in overzicht["waiting"]] == ["Bea"]
    # Ali finds work: the WEP task ends, the place goes to Bea, a task appears for her consultant
    wp.send_message(ali, "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-03-02T10:00")
    assert open_specs(wp, bea) == {"wep"}
    bericht = wp.case_history(bea)[-1]
    assert (bericht["type"], bericht["actor"], bericht["payload"]["message"]) == \
        ("message_received", "system:capaciteit", "plaats_vrij")
    overzicht = wep(wp)
    assert overzicht["occupied"] == 1 and overzicht["waiting"] == []
    # Bea leaves after six months: the place is free again
    wp.fire_due_timers("2026-09-03T09:00")
    assert "plaatsing_einde" in open_specs(wp, bea)
    assert wep(wp)["occupied"] == 0
    replay_klopt(wp, ali)
    replay_klopt(wp, bea)


def test_einde_van_de_zaak_geeft_plaats_en_wachtlijstplek_terug(weener):
    wp = weener
    ali, bea, cor = (tot_beschikking(wp, n, b) for n, b in
                     (("Ali", "111222333"), ("Bea", "123456782"), ("Cor", "200000007")))
    beschikking(wp, ali)
    beschikking(wp, bea, "2026-01-19T16:10")
    beschikking(wp, cor, "2026-01-19T16:20")
    assert [w["client"] for w in wep(wp)["waiting"]] == ["Bea", "Cor"]
    wp.send_message(bea, "aanvraag_ingetrokken", {}, at="2026-01-20T09:00")  # off the list
    assert [w["client"] for w in wep(wp)["waiting"]] == ["Cor"]
    wp.send_message(ali, "aanvraag_ingetrokken", {}, at="2026-01-21T09:00")  # the place goes to Cor
    assert open_specs(wp, cor) == {"wep"}
    assert wep(wp)["occupied"] == 1 and wep(wp)["waiting"] == []
    for zaak in (ali, bea, cor):
        replay_klopt(wp, zaak)


def test_de_ontwerper_wijzigt_het_aantal_plaatsen_in_het_databestand(weener, tmp_path):
    wp = weener
    (tmp_path / "processes" / "weener_xl" / "capaciteit.json").write_text(
        json.dumps({"wep": {"naam": "WEP", "plaatsen": 140}, "bossche_baan": {"plaatsen": 50}}), encoding="utf-8")
    wp.deploy()
    assert wep(wp)["places"] == 140


def test_twee_consulenten_nemen_tegelijk_de_laatste_plaats(db_url, tmp_path):
    root = procesmap(tmp_path, "weener_xl", {"wep": {"plaatsen": 1}, "bossche_baan": {"plaatsen": 50}})
    wp = engine(db_url, root)
    try:
        zaken = [tot_beschikking(wp, "Ali", "111222333"), tot_beschikking(wp, "Bea", "123456782")]
        taken = [open_taak(wp, z, "beschikking_verzenden")["id"] for z in zaken]
        start = threading.Barrier(2)
        fouten: list[BaseException] = []

        def neem(taak: str) -> None:
            try:
                start.wait()
                wp.complete_task(taak, "medewerker", {"beschikking_verzonden": True}, at="2026-01-19T16:00")
            except BaseException as exc:  # noqa: BLE001
                fouten.append(exc)

        draden = [threading.Thread(target=neem, args=(t,)) for t in taken]
        for d in draden:
            d.start()
        for d in draden:
            d.join()
        assert fouten == []
        uitkomst = sorted(wp.get_case(z)["data"]["plaats_wep"]["toegekend"] for z in zaken)
        assert uitkomst == [False, True]
        assert wep(wp)["occupied"] == 1 and len(wep(wp)["waiting"]) == 1
        for zaak in zaken:
            replay_klopt(wp, zaak)
    finally:
        wp.db.dispose()


def test_groepsintake_ijmond_vol_dan_de_week_erna(tmp_path):
    root = procesmap(tmp_path, "ijmond", {"groepsintake": {"naam": "Groepsintake", "plaatsen": 2, "per": "week"}})
    wp = engine(f"sqlite:///{tmp_path / 'ijmond.sqlite'}", root)
    try:
        zaken = [wp.start_case("velsen", bsn, naam, "1980-05-01", at=f"2026-01-0{6 + i}T09:00")
                 for i, (naam, bsn) in enumerate((("A", "111222333"), ("B", "123456782"), ("C", "200000007")))]
        plaatsen = [z["data"]["groepsintake_plaats"] for z in zaken]
        assert [p["periode"] for p in plaatsen] == ["2026-W02", "2026-W02", "2026-W03"]
        assert plaatsen[2]["vanaf"] == "2026-01-12"
        assert zaken[2]["data"]["groepsintake_uiterlijk"] == "2026-01-19"  # a week after the week with room
        assert zaken[0]["data"]["groepsintake_uiterlijk"] == "2026-01-13"
        groep = [o for o in wp.capacity_overview() if o["instrument"] == "groepsintake"][0]
        assert groep["per"] == "week" and groep["places"] == 2
        for zaak in zaken:
            replay_klopt(wp, zaak["id"])
    finally:
        wp.db.dispose()


def test_een_gemigreerde_zaak_houdt_haar_plaats_en_haar_plek_op_de_wachtlijst(weener, tmp_path):
    """Moving cases to a new version of the process keeps the place bookkeeping: Ali keeps her WEP
    place, Bea her position on the waiting list, and the place Ali leaves still goes to Bea."""
    wp = weener
    ali, bea, cor = (tot_beschikking(wp, n, b) for n, b in
                     (("Ali", "111222333"), ("Bea", "123456782"), ("Cor", "200000007")))
    beschikking(wp, ali)
    beschikking(wp, bea, "2026-01-19T16:10")
    beschikking(wp, cor, "2026-01-19T16:20")
    voor = wep(wp)
    assert voor["occupied"] == 1 and [w["client"] for w in voor["waiting"]] == ["Bea", "Cor"]
    # a new version of the process: another name for the WEP task
    bpmn = tmp_path / "processes" / "weener_xl" / "weener_xl.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace(
        'name="Werkervaringsplaats (WEP, max. 6 maanden)"', 'name="Werkervaringsplaats (WEP, hoogstens 6 maanden)"'),
        encoding="utf-8")
    wp.deploy()
    oud = wp.get_case(ali)["version"]
    for zaak in (cor, ali, bea):  # Cor first: a migration must not move anyone up the list
        gemigreerd = wp.migrate_case(zaak, at="2026-01-20T09:00")
        assert gemigreerd["version"] != oud
    assert open_specs(wp, ali) == {"wep"}
    assert open_specs(wp, bea) == open_specs(wp, cor) == set()
    assert "plaats_vrij" in wp.get_case(bea)["waiting_for_messages"]
    na = wep(wp)
    assert na["occupied"] == 1 and [w["client"] for w in na["waiting"]] == ["Bea", "Cor"]
    for zaak in (ali, bea, cor):
        migratie = wp.case_history(zaak)[-1]
        assert migratie["type"] == "version_migrated" and "plaatsen" not in migratie["payload"]
        assert "cancelled" not in migratie["payload"]
    # Ali leaves: the place goes to Bea, on the new version
    wp.send_message(ali, "werk_gevonden", {"werkgever": "Bakkerij"}, at="2026-03-02T10:00")
    assert open_specs(wp, bea) == {"wep"}
    assert [w["client"] for w in wep(wp)["waiting"]] == ["Cor"]
    for zaak in (ali, bea, cor):
        replay_klopt(wp, zaak)
