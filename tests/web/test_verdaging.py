"""The verdaging form on the case page (Awb 4:14), through the Flask test client on the real clock:
once, with reason, new date and letter date; refused with a clear Dutch message when the letter is
late, when it is the second time, or when the new date is not later. Nothing is lost and nothing
answers 500."""
from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine import Werkpad
from engine.app.accounts import Accounts
from tests.web.conftest import FAST_HASHER, PASSWORD, SECRET, login, page_csrf
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
QUICK_SCAN = {"crisis": False, "woonsituatie": "inwonend", "inkomen": "geen", "schulden": False,
              "gezondheidsklachten": False, "sociaal_netwerk": "beperkt", "aanvraag_ondertekend": True,
              "inspanningspakket_meegegeven": True}


def _one_organisation(tmp_path, process: str, organisation: str, name: str, *grants):
    """A Werkpad with one process of the repository (and the shared sub-processes), its organisation,
    and Kees with ``grants`` ((role, work queue), ...), logged in through the test client."""
    root = tmp_path / "processes"
    for folder in ("gedeeld", process):
        shutil.copytree(ROOT / "processes" / folder, root / folder)
    shutil.copy(ROOT / "processes" / "rollen.json", root / "rollen.json")
    wp = Werkpad(f"sqlite:///{tmp_path / 'werkpad.sqlite'}", processes_dir=root, forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy()
    accounts = Accounts(wp, SECRET, FAST_HASHER)
    accounts.create_organisation(organisation, name)
    accounts.create_user("kees", PASSWORD, "Kees")
    for role, queue in grants:
        accounts.grant("kees", organisation, role, queue)
    client = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET,
                                    "PASSWORD_HASHER": FAST_HASHER}).test_client()
    login(client, "kees")
    return wp, client


@pytest.fixture
def tilburg(tmp_path):
    wp, client = _one_organisation(tmp_path, "tilburg", "tilburg", "Gemeente Tilburg",
                                   ("consultant", "inkomensconsulent"))
    case = wp.start_case("tilburg", "111222333", "Jan", "1980-05-01")
    task = [t for t in wp.get_case(case["id"])["tasks"] if t["spec"] == "meldingsgesprek"][0]
    wp.complete_task(task["id"], "kees", QUICK_SCAN)  # the aanvraag is filed: the 8 weeks run
    yield wp, client, case["id"]
    wp.db.dispose()


def verdagen(client, case_id: str, **velden: str) -> str:
    token = page_csrf(client, f"/zaken/{case_id}")
    response = client.post(f"/zaken/{case_id}/bericht", data={"csrf_token": token, "bericht": "verdaging", **velden})
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_verdaging_eenmaal_met_reden_nieuwe_datum_en_briefdatum(tilburg):
    wp, client, case_id = tilburg
    beslisdatum = date.fromisoformat(wp.get_case(case_id)["data"]["beslisdatum"])
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "Reden van de verdaging" in page and "Datum van de brief aan de klant" in page
    vandaag = date.today().isoformat()
    later = (beslisdatum + timedelta(weeks=4)).isoformat()

    # refused, and the deadline stays: no reason; a date not later; a letter after the term; not a date
    for velden, melding in (
            ({"nieuwe_beslisdatum": later, "briefdatum": vandaag}, "geef de reden van de verdaging op"),
            ({"reden": "advies nodig", "nieuwe_beslisdatum": beslisdatum.isoformat(), "briefdatum": vandaag},
             "de nieuwe beslisdatum moet na de huidige beslisdatum liggen"),
            ({"reden": "advies nodig", "nieuwe_beslisdatum": later,
              "briefdatum": (beslisdatum + timedelta(days=1)).isoformat()},
             "de brief aan de klant is na het einde van de beslistermijn verstuurd"),
            ({"reden": "advies nodig", "nieuwe_beslisdatum": "31-02-2026", "briefdatum": vandaag},
             "vul de nieuwe beslisdatum en de datum van de brief in als dag-maand-jaar")):
        page = verdagen(client, case_id, **velden)
        assert melding in page, velden
        assert wp.get_case(case_id)["data"]["beslisdatum"] == beslisdatum.isoformat()
        assert wp.get_case(case_id)["status"] == "running"

    # once, with reason, new date and the date of the letter
    # typed as people write dates: day-month-year
    page = verdagen(client, case_id, reden="advies van de arbeidsdeskundige nodig",
                    nieuwe_beslisdatum=date.fromisoformat(later).strftime("%-d-%-m-%Y"),
                    briefdatum=date.today().strftime("%d-%m-%Y"))
    assert "De beslistermijn is verdaagd (Awb 4:14)" in page
    assert "advies van de arbeidsdeskundige nodig" in page  # the reason under the term on the case page
    data = wp.get_case(case_id)["data"]
    assert data["verdaagd"] is True and data["verdaging_briefdatum"] == vandaag
    assert data["beslisdatum_voor_verdaging"] == beslisdatum.isoformat()
    assert data["beslisdatum"] >= later  # the new date, moved to a working day when it is not one
    verdaagd_tot = data["beslisdatum"]
    event = [e for e in wp.case_history(case_id) if e["type"] == "message_received"][-1]
    assert event["actor"] == "kees" and event["payload"]["data"]["reden"] == "advies van de arbeidsdeskundige nodig"

    # a second time is refused with its reason, and the deadline stays where the first one put it
    page = verdagen(client, case_id, reden="nog meer tijd", nieuwe_beslisdatum=(beslisdatum + timedelta(weeks=8))
                    .isoformat(), briefdatum=vandaag)
    assert "de beslistermijn is al eenmaal verdaagd" in page
    assert wp.get_case(case_id)["data"]["beslisdatum"] == verdaagd_tot
    assert wp.replay_case(case_id)["match"] is True


def test_de_verdaging_in_het_engels(tilburg):
    from web.i18n import COOKIE

    wp, client, case_id = tilburg
    client.set_cookie(COOKIE, "en")
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "Reason for the extension" in page and "Date of the letter to the client" in page
    page = verdagen(client, case_id, nieuwe_beslisdatum="2099-01-01", briefdatum=date.today().isoformat())
    assert "The extension was refused: give the reason for the extension." in page


def test_de_proefrit_van_de_ontwerper_neemt_plaatsen_zoals_live(tmp_path):
    """Weener XL's nieuw beschut werk takes a place per year; the designer's dry run (a temporary
    database) gets the organisation's own places, so Jan's run ends in beschut werk as live."""
    root = tmp_path / "processes"
    for folder in ("gedeeld", "weener_xl"):
        shutil.copytree(ROOT / "processes" / folder, root / folder)
    shutil.copy(ROOT / "processes" / "rollen.json", root / "rollen.json")
    wp = Werkpad(f"sqlite:///{tmp_path / 'proefrit.sqlite'}", processes_dir=root, forms_dir=ROOT / "forms")
    try:
        wp.upgrade_db()
        wp.deploy()
        accounts = Accounts(wp, SECRET, FAST_HASHER)
        accounts.create_organisation("weener_xl", "Weener XL")
        accounts.create_user("piet", PASSWORD, "Piet")
        accounts.grant("piet", "weener_xl", "process_designer")
        client = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET,
                                        "PASSWORD_HASHER": FAST_HASHER}).test_client()
        login(client, "piet")
        page = client.get("/ontwerp/weener_xl/proefrit")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Plaatsen in nieuw beschut werk" in text and "Afgesloten na" in text
        assert "geen capaciteit vastgelegd" not in text and "kon niet worden afgerond" not in text
    finally:
        wp.db.dispose()


@pytest.fixture
def werkkom(tmp_path):
    """Werk.Kom's process (its besluit op aanvraag is the first task) and its teamleider and auditor."""
    wp, client = _one_organisation(tmp_path, "werkkom", "werkkom", "Werk.Kom", ("teamleider", None), ("auditor", None))
    yield wp, client
    wp.db.dispose()


def test_the_case_page_says_when_the_aanvraag_was_decided_and_whether_in_time(werkkom):
    """Once the besluit is taken, the deadline block says on which day and whether within the term,
    instead of only the date the decision was due."""
    wp, client = werkkom
    vandaag = date.today()
    for municipality, decided, words in (("weert", vandaag, "binnen de termijn"),
                                         ("nederweert", vandaag + timedelta(weeks=9), "na de termijn")):
        case = wp.start_case(municipality, "111222333", "Jan", "1980-05-01")
        assert "besloten op" not in client.get(f"/zaken/{case['id']}").get_data(as_text=True)
        besluit = next(t for t in wp.get_case(case["id"])["tasks"] if t["spec"] == "besluit_aanvraag")
        wp.complete_task(besluit["id"], "kees", {"recht_op_bijstand": True, "stukken_compleet": True,
                                                 "besluitdatum": decided.isoformat()})
        page = client.get(f"/zaken/{case['id']}").get_data(as_text=True)
        told = page.split("besloten op", 1)[1][:200]
        assert words in told and f"{decided.day} " in told, (municipality, told)  # the day as people write it


def test_the_auditors_moment_lists_deadlines_and_timers_earliest_first_without_midnight(werkkom):
    """On the auditor's page of a moment the task deadlines and timers are one list, earliest first;
    a deadline armed for the start of its day is that day ("27 januari 2027"), not "… 00:00"."""
    wp, client = werkkom
    case = wp.start_case("weert", "111222333", "Jan", "1980-05-01")
    page = client.get(f"/audit/zaken/{case['id']}/moment/1").get_data(as_text=True)
    block = page.split("Termijnen en timers", 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>\s*(.*?)</li>", block, re.S)
    assert len(items) >= 3, block  # the besluit's deadline, the beslistermijn and the voorschot timer
    assert " 00:00" not in block
    dates = [_day(item.split(" — ")[0].strip()) for item in items]
    assert dates == sorted(dates), items


MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]


def _day(text: str) -> date:
    day, month, year = text.split()[:3]
    return date(int(year), MONTHS.index(month) + 1, int(day))
