"""Issue 7: retention — destruction dates from the outcome (VNG Selectielijst 2020), four-eyes
destruction, a destruction record, and verify and the anchor check green afterwards."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from engine.app.accounts import Accounts
from engine.app.audit_workspace import AuditorWorkspace, load_or_create_key
from engine.app.retention import destruction_date
from engine.cli import main
from engine.errors import Conflict, Forbidden
from engine.storage.accounts_models import AccessLogRow

from .people import FAST_HASHER, PASSWORD, SECRET, add_people

NOW = "2030-06-01T09:00"


def test_destruction_date_follows_the_outcome():
    ended = date(2026, 3, 1)
    assert destruction_date("completed", {"recht_op_bijstand": True}, ended) == ("toegekend", date(2036, 3, 1))
    assert destruction_date("completed", {"recht_op_bijstand": True, "einddatum_uitkering": "2028-06-30"},
                            ended) == ("toegekend", date(2038, 6, 30))
    assert destruction_date("completed", {"recht_op_bijstand": False}, ended) == ("afgewezen", date(2031, 3, 1))
    assert destruction_date("withdrawn", {}, ended) == ("ingetrokken", date(2031, 3, 1))
    assert destruction_date("completed", {}, date(2024, 2, 29)) == ("zonder_besluit", date(2029, 2, 28))
    assert destruction_date("running", {}, None) == (None, None)


@pytest.fixture
def people(wp, monkeypatch):
    """aafke, auditor, and bea and bram, administrators, of voorbeeldstad (with add_people's
    kees, tineke, piet); the CLI takes the pseudonym secret from the environment."""
    monkeypatch.setenv("WERKPAD_PSEUDONYM_SECRET", SECRET)
    url = wp.db.engine.url.render_as_string(hide_password=False)
    add_people(url)
    accounts = Accounts(wp, SECRET, FAST_HASHER)
    for username, role in (("aafke", "auditor"), ("bea", "administrator"), ("bram", "administrator")):
        accounts.create_user(username, PASSWORD, username.capitalize())
        accounts.grant(username, "voorbeeldstad", role)
    return accounts


@pytest.fixture
def cases(wp, people):
    old = wp.start_case("voorbeeldstad", "100000010", "Piet de Boer", "1968-03-09", at="2025-01-06T09:00")
    wp.send_message(old["id"], "aanvraag_ingetrokken", at="2025-01-07T09:00")  # 5 years: due from 2030
    young = wp.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at="2026-02-10T09:00")
    wp.send_message(young["id"], "aanvraag_ingetrokken", at="2026-02-11T09:00")
    running = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-02-10T09:00")
    return {"old": old["id"], "young": young["id"], "running": running["id"]}


def _cli(wp, *args):
    url = wp.db.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)


def test_list_approve_and_destroy_by_two_people(wp, cases, tmp_path):
    listed = json.loads(_cli(wp, "retention", "list", "--at", NOW, "--json").output)
    by_case = {i["case"]: i for i in listed}
    assert cases["running"] not in by_case
    assert by_case[cases["old"]]["destruction_date"] == "2030-01-07" and by_case[cases["old"]]["due"] is True
    assert by_case[cases["young"]]["due"] is False and by_case[cases["young"]]["term_years"] == 5
    anchor = AuditorWorkspace(wp).write_anchor(load_or_create_key(tmp_path / "anker.key"))

    refused = _cli(wp, "retention", "destroy", "--user", "bea", "--at", NOW)
    assert refused.exit_code == 1 and "goedgekeurde" in refused.output
    assert _cli(wp, "retention", "approve", "--user", "aafke", "--at", NOW).exit_code == 0
    same = _cli(wp, "retention", "destroy", "--user", "aafke", "--at", NOW)
    assert same.exit_code == 1 and "tweede persoon" in same.output
    done = json.loads(_cli(wp, "retention", "destroy", "--user", "bea", "--at", NOW, "--json").output)
    assert [d["case"] for d in done["destroyed"]] == [cases["old"]] and done["approved_by"] == "aafke"

    with wp.db.engine.connect() as conn:
        for table in ("cases", "events", "tasks", "timers"):
            column = "id" if table == "cases" else "case_id"
            count = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :c"), {"c": cases["old"]})
            assert count.scalar_one() == 0, table
        record = conn.execute(text("SELECT * FROM destruction_records")).mappings().one()
    assert record["case_id"] == cases["old"] and record["approved_by"] == "aafke" and record["destroyed_by"] == "bea"
    assert "Piet" not in json.dumps(dict(record), default=str) and "100000010" not in json.dumps(dict(record),
                                                                                                  default=str)
    assert record["last_hash"] == anchor["cases"][cases["old"]]["hash"]

    verify = _cli(wp, "audit", "verify", "--json")
    assert verify.exit_code == 0 and json.loads(verify.output)["ok"] is True
    assert wp.verify_audit()["ok"] is True
    checked = AuditorWorkspace(wp).check_anchor(anchor)
    assert checked["ok"] is True and checked["findings"] == []
    assert [(d["case"], d["finding"]) for d in checked["destroyed"]] == [(cases["old"], "vernietigd")]
    (tmp_path / "anker.json").write_text(json.dumps(anchor))
    text_out = _cli(wp, "audit", "check-anchor", str(tmp_path / "anker.json"), "--key", str(tmp_path / "anker.key"))
    assert text_out.exit_code == 0 and "vernietigd met verklaring" in text_out.output
    # a used approval does not destroy twice
    again = _cli(wp, "retention", "destroy", "--user", "bea", "--at", NOW)
    assert again.exit_code == 1


def test_a_tampered_destruction_record_is_found(wp, cases, people):
    wp.retention.approve(people.person("aafke"), at=NOW)
    wp.retention.destroy(people.person("bea"), at=NOW)
    with wp.db.engine.begin() as conn:
        conn.execute(text("UPDATE destruction_records SET approved_by = 'bea'"))
    result = wp.verify_audit()
    assert result["ok"] is False and "vernietigingsverklaring 1" in result["broken"][-1]["problem"]


def _log(wp, operation: str) -> list[tuple[str, str | None]]:
    with wp.db.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(AccessLogRow).where(AccessLogRow.operation == operation)
                                   .order_by(AccessLogRow.id))
        return [(r.username, r.status) for r in rows]


def test_the_policy_decides_who_approves_and_who_destroys(wp, cases):
    """A consultant or teamleider may not approve; an auditor may not carry out; the approver
    may not destroy even as administrator; an administrator of the organisation may. Each
    attempt leaves an access-log row."""
    for who in ("kees", "tineke", "piet"):
        refused = _cli(wp, "retention", "approve", "--user", who, "--at", NOW)
        assert refused.exit_code == 1 and "mag geen vernietigingslijst goedkeuren" in refused.output, who
    with pytest.raises(Forbidden):
        wp.retention.approve(people_person(wp, "anna"), at=NOW)  # consultant elsewhere
    assert _cli(wp, "retention", "approve", "--als", "bram", "--at", NOW).exit_code == 0
    same = _cli(wp, "retention", "destroy", "--user", "bram", "--at", NOW)
    assert same.exit_code == 1 and "tweede persoon" in same.output
    auditor = _cli(wp, "retention", "destroy", "--user", "aafke", "--at", NOW)
    assert auditor.exit_code == 1 and "mag deze zaken niet vernietigen" in auditor.output
    unknown = _cli(wp, "retention", "destroy", "--user", "niemand", "--at", NOW)
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert wp.get_case(cases["old"])["id"] == cases["old"]  # nothing destroyed yet
    done = json.loads(_cli(wp, "retention", "destroy", "--user", "bea", "--at", NOW, "--json").output)
    assert [d["case"] for d in done["destroyed"]] == [cases["old"]]
    assert (done["approved_by"], done["destroyed_by"]) == ("bram", "bea")
    with pytest.raises(Conflict):  # the list is used
        wp.retention.destroy(people_person(wp, "bea"), at=NOW)

    assert _log(wp, "cli.vernietigingslijst.goedkeuren") == [
        ("kees", "geweigerd"), ("tineke", "geweigerd"), ("piet", "geweigerd"), ("bram", "ok")]
    assert _log(wp, "cli.zaken.vernietigen") == [("bram", "geweigerd"), ("aafke", "geweigerd"), ("bea", "ok")]


def people_person(wp, username: str):
    return Accounts(wp, SECRET, FAST_HASHER).person(username)
