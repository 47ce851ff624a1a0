"""Demo data for a first look: ``werkpad serve --demo`` calls :func:`load_demo`.

Idempotent: it deploys the processes in ``processes/``, creates an
organisation for each deployed process (``voorbeeldstad`` always), a few users
per organisation, and — only when the organisation has no cases yet — demo
cases at different stages, built through the public API with ``at=`` times
relative to now, so due dates, overdue tasks and fired timers look real.

Demo accounts (password for all: ``werkpad-demo``):

=====================  ===============================================  ==============
user                   role                                             organisation
=====================  ===============================================  ==============
kees                   consultant, lane inkomensconsulent               voorbeeldstad
wendy                  consultant, lane werkconsulent                   voorbeeldstad
tineke                 teamleider                                       voorbeeldstad
aafke                  auditor                                          voorbeeldstad
piet, joke             process_designer (two: one offers, the other approves) voorbeeldstad
bea                    administrator                                    voorbeeldstad
consulent.<org>        consultant in every lane of <org>'s processes    every other org
teamleider.<org>       teamleider                                       every other org
auditor.<org>          auditor                                          every other org
ontwerper.<org>,       process_designer (two, for the four-eyes          every other org
ontwerper2.<org>       approval of a new version)
beheerder.<org>        administrator                                    every other org
=====================  ===============================================  ==============
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..app import Werkpad
from ..app.accounts import Accounts
from ..core import clock
from ..errors import WerkpadError
from ..storage import CaseRow

DEMO_PASSWORD = "werkpad-demo"
ORGANISATION_NAMES = {
    "voorbeeldstad": ("Gemeente Voorbeeldstad", "gemeente"),
    "tilburg": ("Gemeente Tilburg", "gemeente"),
    "sudwest_fryslan": ("Gemeente Súdwest-Fryslân", "gemeente"),
    "alphen-aan-den-rijn": ("Gemeente Alphen aan den Rijn", "gemeente"),
    "ijmond_werkt": ("IJmond Werkt!", "regionaal"),
    "amersfoort": ("Gemeente Amersfoort", "gemeente"),
    "werkkom": ("Werk.Kom", "regionaal"),
    "werkbedrijf_rijk_van_nijmegen": ("WerkBedrijf Rijk van Nijmegen", "regionaal"),
    "weener_xl": ("Weener XL ('s-Hertogenbosch)", "gemeente"),
}
# VOORBEELDWAARDEN, geen echte RSIN's: nummers uit 99999xxxx die de elfproef halen, zodat de ZGW-export
# van de demo een geldige bronorganisatie heeft. Zet in productie het echte RSIN met
# `werkpad users organisation KEY --rsin 123456789`.
EXAMPLE_RSINS = {
    "voorbeeldstad": "999990007", "tilburg": "999990019", "sudwest_fryslan": "999990020",
    "alphen-aan-den-rijn": "999990032", "ijmond_werkt": "999990044", "amersfoort": "999990056",
    "werkkom": "999990068", "werkbedrijf_rijk_van_nijmegen": "999990081", "weener_xl": "999990093",
}
VOORBEELDSTAD_USERS = [
    ("kees", "Kees de Vries", "consultant", "inkomensconsulent"),
    ("wendy", "Wendy Bakker", "consultant", "werkconsulent"),
    ("tineke", "Tineke Smit", "teamleider", None),
    ("aafke", "Aafke Mulder", "auditor", None),
    ("piet", "Piet Hendriks", "process_designer", None),
    ("joke", "Joke Willems", "process_designer", None),  # a version piet offers, joke approves
    ("bea", "Bea Visser", "administrator", None),
]
# Made-up clients; the BSNs pass the 11-proef but belong to no one.
CLIENTS = [
    ("111222333", "Jan Jansen", "1980-05-01"),
    ("123456782", "Fatima el Amrani", "1992-11-17"),
    ("100000010", "Piet de Boer", "1968-03-09"),
    ("100000022", "Sanne Vermeulen", "2001-07-23"),
    ("100000034", "Mohammed Yilmaz", "1985-01-30"),
    ("100000046", "Ingrid Post", "1974-09-12"),
    ("100000058", "Dewi Wijaya", "1996-04-05"),
    ("100000071", "Henk Kok", "1959-12-01"),
]


def load_demo(wp: Werkpad) -> None:
    wp.upgrade_db()
    wp.deploy(actor="demo")
    accounts = Accounts(wp)
    processes = wp.list_processes()
    organisations: dict[str, dict] = {"voorbeeldstad": {"municipalities": {"voorbeeldstad"}, "processes": []}}
    for proc in processes:
        entry = organisations.setdefault(proc["organisation"], {"municipalities": set(), "processes": []})
        entry["municipalities"].update(proc["municipalities"])
        entry["processes"].append(proc["process"])
    for key, info in organisations.items():
        name, kind = ORGANISATION_NAMES.get(key, (key.replace("_", " ").replace("-", " ").title(), None))
        if kind is None:
            kind = "gemeente" if info["municipalities"] in ({key}, set()) else "regionaal"
        accounts.create_organisation(key, name, kind, EXAMPLE_RSINS.get(key))
        if key == "voorbeeldstad":
            for username, display, role, lane in VOORBEELDSTAD_USERS:
                _ensure_user(accounts, username, display, key, role, lane)
        else:
            lanes = sorted({lane for p in info["processes"] for lane in (wp.show_process(p).get("lanes") or [])
                            if lane and lane != "teamleider"})
            for lane in lanes:
                _ensure_user(accounts, f"consulent.{key}", f"Consulent {name}", key, "consultant", lane)
            _ensure_user(accounts, f"teamleider.{key}", f"Teamleider {name}", key, "teamleider", None)
            _ensure_user(accounts, f"auditor.{key}", f"Auditor {name}", key, "auditor", None)
            _ensure_user(accounts, f"ontwerper.{key}", f"Procesontwerper {name}", key, "process_designer", None)
            _ensure_user(accounts, f"ontwerper2.{key}", f"Tweede procesontwerper {name}", key, "process_designer",
                         None)
            _ensure_user(accounts, f"beheerder.{key}", f"Beheerder {name}", key, "administrator", None)
    now = clock.now().replace(microsecond=0)
    for key, info in organisations.items():
        if _has_cases(wp, key):
            continue
        try:
            if key == "voorbeeldstad" and "voorbeeld" in info["processes"]:
                _voorbeeldstad_cases(wp, now)
            else:
                _first_step_cases(wp, [p for p in processes if p["organisation"] == key], now)
        except WerkpadError:
            continue  # a process that cannot start today (e.g. not yet in effect) gets no demo cases
    wp.fire_due_timers(now)


def _ensure_user(accounts: Accounts, username: str, display: str, organisation: str, role: str,
                 lane: str | None) -> None:
    try:
        accounts.get_user(username)
    except WerkpadError:
        accounts.create_user(username, DEMO_PASSWORD, display)
    accounts.grant(username, organisation, role, lane, granted_by="demo")


def _has_cases(wp: Werkpad, organisation: str) -> bool:
    with wp.db.unit_of_work(write=False) as uow:
        return bool(uow.session.scalar(select(func.count()).select_from(CaseRow)
                                       .where(CaseRow.organisation == organisation)))


def _open_task(wp: Werkpad, case_id: str, spec: str) -> str:
    for task in wp.get_case(case_id)["tasks"]:
        if task["spec"] == spec:
            return task["id"]
    raise WerkpadError(f"demo: taak {spec} staat niet open in zaak {case_id}")


def _do(wp: Werkpad, case_id: str, spec: str, user: str, data: dict, at: datetime) -> None:
    wp.fire_due_timers(at)
    wp.complete_task(_open_task(wp, case_id, spec), user, data, at=at)


def _voorbeeldstad_cases(wp: Werkpad, now: datetime) -> None:
    def ago(days: float, hours: float = 0) -> datetime:
        return now - timedelta(days=days, hours=hours)

    def start(i: int, days: float) -> str:
        bsn, name, born = CLIENTS[i]
        return wp.start_case("voorbeeldstad", bsn, name, born, at=ago(days), actor="kees")["id"]

    # Traject for four months: route by loonwaarde 55% → traject, a quarterly evaluation has fired.
    c = start(0, 150)
    _do(wp, c, "intake", "kees", {"crisis": False, "woonsituatie": "zelfstandig"}, ago(149))
    wp.fire_due_timers(ago(120))
    _do(wp, c, "rechtmatigheid", "kees", {"recht_op_bijstand": True, "sollicitaties": 14}, ago(119))
    _do(wp, c, "diagnose", "wendy", {"loonwaarde_pct": 55, "trede": 4,
                                     "datum_gesprek": ago(110).date().isoformat()}, ago(110))
    # In diagnose: the werkconsulent's task, claimed by wendy.
    c = start(1, 45)
    _do(wp, c, "intake", "kees", {"crisis": False, "woonsituatie": "inwonend"}, ago(44))
    _do(wp, c, "rechtmatigheid", "kees", {"recht_op_bijstand": True, "sollicitaties": 20}, ago(12))
    wp.claim_task(_open_task(wp, c, "diagnose"), "wendy", at=ago(11))
    # Rechtmatigheidsgesprek open after the four weeks of self-search.
    c = start(2, 33)
    _do(wp, c, "intake", "kees", {"crisis": False, "woonsituatie": "zelfstandig",
                                  "toelichting": "Zoekt werk in de logistiek."}, ago(32))
    # Meldingsgesprek overdue: the reminder timer gave the teamleider an escalation task.
    start(3, 6)
    # Meldingsgesprek due this week, claimed by kees.
    c = start(4, 1)
    wp.claim_task(_open_task(wp, c, "intake"), "kees", at=ago(0, 20))
    # A fresh melding of this morning.
    wp.start_case("voorbeeldstad", CLIENTS[5][0], CLIENTS[5][1], CLIENTS[5][2], at=ago(0, 2), actor="kees")
    # Crisis: doorverwijzen.
    c = start(6, 3)
    _do(wp, c, "intake", "kees", {"crisis": True, "woonsituatie": "dakloos"}, ago(2))
    # Withdrawn during the inspanningsperiode.
    c = start(7, 20)
    _do(wp, c, "intake", "kees", {"crisis": False, "woonsituatie": "zelfstandig"}, ago(19))
    wp.send_message(c, "aanvraag_ingetrokken", {}, user="kees", at=ago(10))


FIRST_NAMES = ["Anouk", "Bram", "Chantal", "Dennis", "Esra", "Freek", "Gül", "Hans", "Iris", "Joost", "Karin",
               "Lars", "Marieke", "Noah", "Olga", "Rachid"]
LAST_NAMES = ["de Jong", "Peters", "van Dijk", "Bos", "Hoekstra", "Öztürk", "Meijer", "de Wit", "Dekker",
              "Brouwer", "Kuipers", "van Leeuwen"]


def _more_clients(seed: int):
    """Endless made-up clients with valid (11-proef) BSNs that differ per call."""
    from ..core.bsn import is_valid_bsn

    number = 200_000_000 + seed * 7919
    i = seed
    while True:
        number += 1
        candidate = f"{number:09d}"
        if not is_valid_bsn(candidate):
            continue
        i += 1
        year = 1960 + (i * 7) % 45
        yield (candidate, f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // 3) % len(LAST_NAMES)]}",
               f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}")


def _first_step_cases(wp: Werkpad, processes: list[dict], now: datetime) -> None:
    """Two cases per municipality (at most four per process), waiting at their process's first steps."""
    clients = _more_clients(sum(ord(c) * (i + 1) for i, c in enumerate(processes[0]["organisation"])) if processes else 0)
    for proc in processes:
        for index, municipality in enumerate(sorted(proc["municipalities"])[:4]):
            for days in (9, 1):
                bsn, name, born = next(clients)
                wp.start_case(municipality, bsn, name, born, at=now - timedelta(days=days + index),
                              actor="demo", process=proc["process"])
