"""The CLI's reads and the operator's runs in the access log (verwerkingenlog).

Every CLI command that shows or changes a client's case writes one access-log row per case
(a list: one per organisation it shows), named ``cli.<operation>``, with a Dutch purpose and
the actor: the person given with ``--user``, or the server's operator ``beheer:<account>``
without. A person who may not read the case gets what the web gives (``niet_gevonden``, no
organisation, no data subject; ``geweigerd`` for an auditor's read by someone who audits
nowhere) and one line. A read whose row cannot be written shows nothing. Through the public
CLI (click's CliRunner), on SQLite and (one test) PostgreSQL, on a pinned and the real clock.
"""
from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import Werkpad
from engine.app.accounts import Accounts
from engine.cli import main
from engine.core import clock
from engine.storage.accounts_models import AccessLogRow

from .people import FAST_HASHER, PASSWORD, SECRET, add_people

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"
OPERATOR = f"beheer:{getpass.getuser()}"
PINNED = "2026-01-05T09:00"


def _pseudonym(bsn: str) -> str:
    return hmac.new(SECRET.encode(), bsn.encode(), hashlib.sha256).hexdigest()


class Cli:
    def __init__(self, wp: Werkpad) -> None:
        self.wp = wp
        self.runner = CliRunner()

    def __call__(self, *args: str, user: str | None = None, ok: bool = True):
        argv = ["--database-url", self.wp.db.url, *args] + (["--user", user] if user else [])
        result = self.runner.invoke(main, argv, env={"WERKPAD_PSEUDONYM_SECRET": SECRET, "WERKPAD_USER": None})
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def log(self) -> list[AccessLogRow]:
        with self.wp.db.unit_of_work(write=False) as uow:
            return list(uow.session.scalars(select(AccessLogRow).order_by(AccessLogRow.id)))

    def new_rows(self, *args: str, user: str | None = None, ok: bool = True):
        before = len(self.log())
        result = self(*args, user=user, ok=ok)
        return result, self.log()[before:]


def _setup(url: str, at: str | None) -> tuple[Cli, str, str]:
    """The voorbeeld process, its people (and auditors: ria of voorbeeldstad, olga of anderstad), one case at
    its first task, started and claimed through the CLI at ``at`` (None: the real clock)."""
    wp = Werkpad(url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(only=["voorbeeld"])
    add_people(url)
    accounts = Accounts(wp, SECRET, FAST_HASHER)
    accounts.create_user("ria", PASSWORD, "Ria")
    accounts.grant("ria", "voorbeeldstad", "auditor")
    accounts.create_user("olga", PASSWORD, "Olga")
    accounts.grant("olga", "anderstad", "auditor")
    cli = Cli(wp)
    moment = ["--at", at] if at else []
    started = json.loads(cli("case", "start", "--municipality", "voorbeeldstad", "--bsn", BSN, "--name",
                             "Jan Jansen", "--birthdate", "1980-01-01", *moment, "--json", user="tineke").stdout)
    task = started["tasks"][0]["id"]
    cli("task", "claim", task, *moment, user="kees")
    return cli, started["id"], task


@pytest.fixture(params=[PINNED, None], ids=["pinned", "real-clock"])
def setup(request, tmp_path):
    cli, case_id, task = _setup(f"sqlite:///{tmp_path / 'log.sqlite'}", request.param)
    yield cli, case_id, task
    cli.wp.db.dispose()


# (command, who may run it, operation, purpose)
READS = [
    (("case", "show", "{case}"), "kees", "cli.zaak.bekijken", "Zaak inzien"),
    (("case", "show", "{case}", "--json"), "kees", "cli.zaak.bekijken", "Zaak inzien"),
    (("case", "history", "{case}"), "kees", "cli.zaak.geschiedenis", "Verloop van de zaak inzien"),
    (("tasks", "--case", "{case}", "--json"), "kees", "cli.taken.bekijken", "Open taken inzien"),
    (("case", "replay", "{case}"), "ria", "cli.zaak.controleren", "Zaak herspelen en controleren"),
    (("case", "export", "{case}"), "ria", "cli.zaak.exporteren", "Zaakdossier exporteren"),
    (("case", "export", "{case}", "--format", "pdf", "--out", "{out}"), "ria", "cli.zaak.exporteren",
     "Zaakdossier exporteren (PDF)"),
]


def _args(command: tuple[str, ...], case_id: str, tmp_path: Path) -> list[str]:
    return [a.format(case=case_id, out=tmp_path / "dossier.pdf") for a in command]


def test_each_read_with_a_user_writes_one_row_naming_them_and_the_case(setup, tmp_path):
    cli, case_id, _ = setup
    for command, person, operation, purpose in READS:
        before = clock.now()
        result, rows = cli.new_rows(*_args(command, case_id, tmp_path), user=person)
        assert result.stdout.strip(), command  # it did show something
        assert [(r.operation, r.status, r.username, r.purpose) for r in rows] == \
            [(operation, "ok", person, purpose)], command
        row = rows[0]
        assert (row.organisation, row.case_id, row.task_id) == ("voorbeeldstad", case_id, None)
        assert row.data_subject_id == _pseudonym(BSN) and row.data_subject_id_type == "bsn-pseudoniem"
        assert row.user_id is not None
        # logged when it happened, whatever clock the case ran on
        assert before <= row.started_at <= row.ended_at <= clock.now()
    assert cli("audit", "verify").stdout.startswith("audit in orde")


def test_without_a_user_the_servers_operator_is_named_for_reads_and_changes(setup, tmp_path):
    cli, case_id, task = setup
    first = len(cli.log())
    for command, _, operation, purpose in READS:
        result, rows = cli.new_rows(*_args(command, case_id, tmp_path))
        assert result.stdout.strip()
        assert [(r.operation, r.status, r.username, r.user_id, r.purpose) for r in rows] == \
            [(operation, "ok", OPERATOR, None, purpose)], command
        assert rows[0].case_id == case_id and rows[0].organisation == "voorbeeldstad"
        assert rows[0].data_subject_id == _pseudonym(BSN)
    # the operator's 'case show' reads and logs with the driver alone: the same columns as the ORM's
    shown = cli.log()[first]
    assert shown.operation == "cli.zaak.bekijken" and shown.started_at.tzinfo is not None
    # changes without a person: the row in the change's own transaction
    _, rows = cli.new_rows("case", "note", case_id, "gebeld")
    assert [(r.operation, r.status, r.username, r.case_id) for r in rows] == \
        [("cli.zaak.notitie", "ok", OPERATOR, case_id)]
    _, rows = cli.new_rows("task", "unclaim", task)
    assert [(r.operation, r.username, r.task_id) for r in rows] == [("cli.taak.vrijgeven", OPERATOR, task)]
    assert [e["actor"] for e in cli.wp.case_history(case_id)][-2:] == [OPERATOR, OPERATOR]
    # the history in words names the operator as such, not by the record's 'beheer:<account>'
    told = cli("case", "history", case_id).stdout.splitlines()[-1]
    assert f"Beheerder van de server (account {getpass.getuser()})" in told and OPERATOR not in told
    # a missing case: the attempt is logged, one line, exit 1
    result, rows = cli.new_rows("case", "history", "0" * 16, ok=False)
    assert result.exit_code == 1 and result.stderr.strip() == f"fout: zaak {'0' * 16} bestaat niet"
    assert [(r.operation, r.status, r.username) for r in rows] == [("cli.zaak.geschiedenis", "niet_gevonden",
                                                                    OPERATOR)]
    # the audit trail and every case's replay still verify; the check over every case is one row
    # per organisation with cases (voorbeeldstad's auditor finds it), the operator's
    verified, rows = cli.new_rows("audit", "verify", "--json")
    assert json.loads(verified.stdout)["ok"] is True
    assert [(r.operation, r.organisation, r.case_id, r.username, r.processing_activity) for r in rows] == [
        ("cli.audit.controleren", "voorbeeldstad", None, OPERATOR, "toezicht-en-verantwoording")]
    _, rows = cli.new_rows("retention", "list")  # no closed case yet: the command is recorded all the same
    assert [(r.operation, r.organisation, r.username) for r in rows] == [
        ("cli.bewaartermijnen.bekijken", None, OPERATOR)]
    assert "replay klopt" in cli("case", "replay", case_id).stdout


def test_a_list_of_tasks_is_one_row_per_organisation_it_shows(setup):
    cli, case_id, _ = setup
    theirs = cli.wp.start_case("voorbeeldstad", "123456782", "Els", "1975-02-03", at=PINNED)
    result, rows = cli.new_rows("tasks", "--json", "--weergave", "alle", user="tineke")
    assert {t["case"] for t in json.loads(result.stdout)} == {case_id, theirs["id"]}
    assert [(r.operation, r.organisation, r.case_id, r.data_subject_id, r.username) for r in rows] == [
        ("cli.taken.bekijken", "voorbeeldstad", None, None, "tineke")]
    # anna works elsewhere: voorbeeldstad's tasks are not hers to see
    result, rows = cli.new_rows("tasks", "--json", user="anna")
    assert json.loads(result.stdout) == []
    assert [(r.operation, r.organisation, r.username) for r in rows] == [("cli.taken.bekijken", None, "anna")]


def test_a_persons_list_of_tasks_has_the_inboxs_views(setup):
    """--weergave mijn (the default), team, alle: what the person's inbox shows, no more."""
    cli, case_id, task = setup
    theirs = cli.wp.start_case("voorbeeldstad", "123456782", "Els", "1975-02-03", at=PINNED)

    def listed(*args: str, user: str) -> set[str]:
        return {t["id"] for t in json.loads(cli("tasks", "--json", *args, user=user).stdout)}

    # kees claimed the first case's task: it is his; the new case's task waits in his team's lane
    assert listed(user="kees") == listed("--weergave", "mijn", user="kees") == {task}
    assert listed("--weergave", "team", user="kees") == {theirs["tasks"][0]["id"]}
    refused = cli("tasks", "--weergave", "alle", user="kees", ok=False)
    assert refused.exit_code == 1 and "teamleiders en auditors" in refused.output
    assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1
    assert listed("--weergave", "alle", user="tineke") == {task, theirs["tasks"][0]["id"]}
    # the operator's list is every open task; a view belongs to a person
    assert {t["id"] for t in json.loads(cli("tasks", "--json").stdout)} == {task, theirs["tasks"][0]["id"]}
    misused = cli("tasks", "--weergave", "team", ok=False)
    assert misused.exit_code == 1 and "--weergave hoort bij --user" in misused.output
    assert len(misused.output.strip().splitlines()) == 1
    # one case's tasks in a view: what that view shows of the case (without one: all its open tasks)
    assert listed("--case", case_id, user="kees") == {task}
    assert listed("--case", case_id, "--weergave", "mijn", user="kees") == {task}
    assert listed("--case", case_id, "--weergave", "team", user="kees") == set()
    assert listed("--case", theirs["id"], "--weergave", "team", user="kees") == {theirs["tasks"][0]["id"]}
    assert listed("--case", theirs["id"], "--weergave", "mijn", user="kees") == set()
    misused = cli("tasks", "--case", case_id, "--weergave", "mijn", ok=False)
    assert misused.exit_code == 1 and "--weergave hoort bij --user" in misused.output


def test_a_refused_read_is_logged_as_the_web_logs_it_and_says_one_line(setup, tmp_path):
    cli, case_id, _ = setup
    for command, person, operation, _ in READS:
        # someone with the same role in another organisation: anna (consultant), olga (auditor)
        outsider = "olga" if person == "ria" else "anna"
        result, rows = cli.new_rows(*_args(command, case_id, tmp_path), user=outsider, ok=False)
        assert result.exit_code == 1 and result.stdout == "", command
        assert result.stderr.strip() in (f"fout: zaak {case_id} bestaat niet",
                                         f'{{"error": "not_found", "message": "zaak {case_id} bestaat niet"}}')
        # as web/security.py case_header_logged: the case id only, nothing of a case she cannot read
        assert [(r.operation, r.status, r.username, r.case_id, r.organisation, r.data_subject_id)
                for r in rows] == [(operation, "niet_gevonden", outsider, case_id, None, None)], command
    # replay and export are an auditor's (the auditor's pages): a consultant is refused, as there (403)
    result, rows = cli.new_rows("case", "replay", case_id, user="kees", ok=False)
    assert result.exit_code == 1 and result.stderr.strip() == \
        "fout: Alleen een auditor van de organisatie controleert of exporteert een zaak."
    assert [(r.operation, r.status, r.case_id, r.data_subject_id) for r in rows] == \
        [("cli.zaak.controleren", "geweigerd", None, None)]
    assert not (tmp_path / "dossier.pdf").exists()
    assert cli("audit", "verify").stdout.startswith("audit in orde")


def test_a_case_is_named_by_its_number_as_people_know_it(setup, tmp_path):
    """Every case command takes the case number from the pages and the PDF (2026-000001) as well
    as the id: the same answer, the same access-log row (naming the case's id); an unknown number
    is the one line an unknown id gives. With a person and as the operator (whose 'case show' reads
    with the driver alone)."""
    cli, case_id, _ = setup
    number = cli.wp.get_case(case_id)["number"]
    for command, person, operation, _ in READS:
        for user in (person, None):
            by_number, rows = cli.new_rows(*_args(command, number, tmp_path), user=user)  # exit 0 or it fails
            assert [(r.operation, r.case_id) for r in rows] == [(operation, case_id)], (command, user)
            if command[:2] == ("case", "show") and "--json" in command:
                assert json.loads(by_number.stdout)["id"] == case_id
    _, rows = cli.new_rows("case", "note", number, "gebeld via zaaknummer")
    assert [(r.operation, r.case_id) for r in rows] == [("cli.zaak.notitie", case_id)]
    assert cli.wp.case_history(case_id)[-1]["payload"]["text"] == "gebeld via zaaknummer"
    unknown = cli("case", "show", "2026-999999", ok=False)
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "fout: zaak 2026-999999 bestaat niet"


def test_a_read_whose_row_cannot_be_written_shows_nothing(setup, tmp_path):
    """No row, no data: the read is refused with one line (the web's answer becomes an error page
    when its rows cannot be written). A change without its row is not made either."""
    cli, case_id, _ = setup
    with sqlite3.connect(cli.wp.db.url.removeprefix("sqlite:///")) as con:
        con.execute("CREATE TRIGGER geen_logboek BEFORE INSERT ON access_log "
                    "BEGIN SELECT RAISE(ABORT, 'logboek dicht'); END")
    notes = len(cli.wp.case_history(case_id))
    for command, person, _, _ in READS:
        for user in (person, None):
            result = cli(*_args(command, case_id, tmp_path), user=user, ok=False)
            assert result.exit_code == 1 and result.stdout == "", (command, user)
            line = result.stderr.strip()
            assert "\n" not in line and "logboek dataverwerkingen kan niet worden bijgewerkt" in line, line
    assert not (tmp_path / "dossier.pdf").exists()
    result = cli("audit", "verify", ok=False)  # the findings are not shown without their row
    assert result.exit_code == 1 and "logboek dataverwerkingen" in result.stderr and result.stdout == ""
    result = cli("case", "note", case_id, "gebeld", ok=False)
    assert result.exit_code == 1 and "\n" not in result.stderr.strip()
    assert len(cli.wp.case_history(case_id)) == notes


@pytest.mark.postgres
def test_reads_and_the_operator_on_postgresql(pg_server):
    cli, case_id, _ = _setup(pg_server.create_database("wp_cli_access_log"), PINNED)
    try:
        _, rows = cli.new_rows("case", "show", case_id)  # the driver's path: psycopg reads and writes
        assert [(r.operation, r.username, r.case_id, r.data_subject_id) for r in rows] == \
            [("cli.zaak.bekijken", OPERATOR, case_id, _pseudonym(BSN))]
        assert isinstance(rows[0].started_at, datetime) and rows[0].started_at.tzinfo is not None
        _, rows = cli.new_rows("case", "history", case_id, user="kees")
        assert [(r.operation, r.username, r.status) for r in rows] == [("cli.zaak.geschiedenis", "kees", "ok")]
        _, rows = cli.new_rows("case", "show", case_id, user="anna", ok=False)
        assert [(r.status, r.organisation) for r in rows] == [("niet_gevonden", None)]
        _, rows = cli.new_rows("case", "note", case_id, "gebeld")
        assert [(r.operation, r.username) for r in rows] == [("cli.zaak.notitie", OPERATOR)]
        assert json.loads(cli("audit", "verify", "--json").stdout)["ok"] is True
    finally:
        cli.wp.db.dispose()
