"""The process designer's use cases: drafts with their checks, four-eyes publication,
effective-from dates choosing the version of a new case, the difference between
versions, the files round trip and moving running cases."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from engine import Conflict, ValidationError

VOORBEELD = "voorbeeld.bpmn"


def _bpmn(wp) -> str:
    return wp.designer.working_record("voorbeeld")["files"][VOORBEELD]


def _renamed(xml: str) -> str:
    return xml.replace('name="Meldingsgesprek voeren"', 'name="Kennismakingsgesprek voeren"')


def _without_form(xml: str) -> str:
    return xml.replace('<spiffworkflow:property name="formulier" value="voorbeeld_intake" />', "")


def _publish(wp, xml: str, effective: str, author: str = "piet", approver: str = "joke",
             at: str = "2026-01-10T09:00") -> dict:
    wp.designer.save_draft("voorbeeld", author, files={VOORBEELD: xml}, at=at)
    wp.designer.offer("voorbeeld", author, date.fromisoformat(effective), "Nieuwe naam voor de intake", at=at)
    return wp.designer.approve("voorbeeld", approver, at=at)


def test_a_broken_draft_is_saved_with_its_problems_tied_to_the_element(wp):
    draft = wp.designer.save_draft("voorbeeld", "piet", files={VOORBEELD: _without_form(_bpmn(wp))},
                                   change_note="intake zonder formulier", at="2026-01-10T09:00")
    assert draft["status"] == "concept"
    # the intake without its form, and so the crisis route reading a field no form asks for any more
    assert [p["element"] for p in draft["problems"]] == ["intake", "f_crisis"]
    assert "formulier" in draft["problems"][0]["message"]
    assert "leest crisis" in draft["problems"][1]["message"]
    # stored: reading it back gives the same problems, and it cannot be offered
    assert wp.designer.draft("voorbeeld")["problems"] == draft["problems"]
    with pytest.raises(Conflict):
        wp.designer.offer("voorbeeld", "piet", date(2027, 1, 1), "poging", at="2026-01-10T09:00")
    fixed = wp.designer.save_draft("voorbeeld", "piet", files={VOORBEELD: _renamed(_bpmn(wp).replace(
        "<spiffworkflow:properties>\n          <spiffworkflow:property name=\"fase\" value=\"poort\" />",
        "<spiffworkflow:properties>\n          <spiffworkflow:property name=\"fase\" value=\"poort\" />"
        "<spiffworkflow:property name=\"formulier\" value=\"voorbeeld_intake\" />", 1))},
        at="2026-01-10T09:05")
    assert fixed["problems"] == []


def test_publishing_needs_a_second_designer(wp):
    wp.designer.save_draft("voorbeeld", "piet", files={VOORBEELD: _renamed(_bpmn(wp))}, at="2026-01-10T09:00")
    with pytest.raises(Conflict):  # not offered yet
        wp.designer.approve("voorbeeld", "joke", at="2026-01-10T09:00")
    with pytest.raises(ValidationError):
        wp.designer.offer("voorbeeld", "piet", date(2027, 1, 1), "  ", at="2026-01-10T09:00")
    wp.designer.offer("voorbeeld", "piet", date(2027, 1, 1), "Nieuwe naam", at="2026-01-10T09:00")
    with pytest.raises(Conflict, match="vier ogen"):
        wp.designer.approve("voorbeeld", "piet", at="2026-01-10T09:00")
    published = wp.designer.approve("voorbeeld", "joke", at="2026-01-10T10:00")
    assert published["number"] == 2 and published["effective_from"] == date(2027, 1, 1)
    info = wp.designer.process("voorbeeld")
    newest = info["versions"][0]
    assert (newest["number"], newest["author"], newest["approved_by"], newest["change_note"]) == (
        2, "piet", "joke", "Nieuwe naam")
    assert info["draft"] is None
    assert [e["type"] for e in info["events"]][:3] == ["gepubliceerd", "goedgekeurd", "aangeboden"]
    # the same path as a deploy: the definition table holds the version with the chosen date
    assert wp.show_process("voorbeeld")["versions"][-1]["effective_from"] == "2027-01-01"


def test_a_change_after_offering_needs_a_new_offer(wp):
    wp.designer.save_draft("voorbeeld", "piet", files={VOORBEELD: _renamed(_bpmn(wp))}, at="2026-01-10T09:00")
    wp.designer.offer("voorbeeld", "piet", date(2027, 1, 1), "Nieuwe naam", at="2026-01-10T09:00")
    wp.designer.save_draft("voorbeeld", "joke", files={VOORBEELD: _bpmn(wp).replace("Kennismakings", "Intake")},
                           at="2026-01-10T09:30")
    assert wp.designer.draft("voorbeeld")["status"] == "concept"
    wp.designer.offer("voorbeeld", "piet", date(2027, 1, 1), "Nieuwe naam", at="2026-01-10T09:40")
    with pytest.raises(Conflict, match="vier ogen"):  # joke edited it: she cannot approve
        wp.designer.approve("voorbeeld", "joke", at="2026-01-10T10:00")
    assert wp.designer.approve("voorbeeld", "klaas", at="2026-01-10T10:00")["number"] == 2


def test_effective_from_chooses_the_version_of_a_new_case_and_a_running_case_stays(wp):
    running = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-06-01T09:00")
    _publish(wp, _renamed(_bpmn(wp)), "2027-01-01")
    before = wp.start_case("voorbeeldstad", "123456782", "Fatima", "1992-11-17", at="2026-12-31T09:00")
    after = wp.start_case("voorbeeldstad", "100000010", "Els", "1975-02-03", at="2027-01-04T09:00")
    assert before["tasks"][0]["name"] == "Meldingsgesprek voeren"
    assert after["tasks"][0]["name"] == "Kennismakingsgesprek voeren"
    assert wp.get_case(running["id"])["tasks"][0]["name"] == "Meldingsgesprek voeren"
    versions = {v["number"]: v["running"] for v in wp.designer.process("voorbeeld")["versions"]}
    assert versions == {1: 2, 2: 1}


def test_diff_lists_added_removed_and_changed_elements_and_form_fields(wp):
    xml = _renamed(_bpmn(wp))
    record = wp.designer.working_record("voorbeeld")
    form = json.loads(record["forms"]["voorbeeld_intake"])
    form["properties"]["telefoon"] = {"type": "string", "title": "Telefoon"}
    del form["properties"]["toelichting"]
    wp.designer.save_draft("voorbeeld", "piet", files={VOORBEELD: xml},
                           forms={"voorbeeld_intake": json.dumps(form)}, at="2026-01-10T09:00")
    diff = wp.designer.diff("voorbeeld", 1, "concept")
    assert diff["added"] == [] and diff["removed"] == []
    assert diff["changed"] == [{"id": "intake", "name": "Kennismakingsgesprek voeren", "type": "userTask",
                                "changes": [{"field": "naam", "old": "Meldingsgesprek voeren",
                                             "new": "Kennismakingsgesprek voeren"}]}]
    fields = {f["field"]: f["change"] for f in diff["forms"][0]["fields"]}
    assert fields == {"toelichting": "verwijderd", "telefoon": "toegevoegd"}


def test_a_version_goes_out_as_a_zip_and_comes_back_as_a_draft(wp):
    data = wp.designer.version_zip("voorbeeld", 1)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "proces.json" in names and VOORBEELD in names and "forms/voorbeeld_intake.json" in names
    assert not any(n.startswith("gedeeld/") for n in names)
    draft = wp.designer.upload_zip("voorbeeld", "piet", data, "terug uit zip", at="2026-01-10T09:00")
    assert draft["problems"] == []
    assert wp.designer.diff("voorbeeld", 1, "concept") == {"added": [], "removed": [], "changed": [],
                                                          "forms": [], "manifest": [], "tables": []}
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("x.bpmn", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    with pytest.raises(Exception, match="DOCTYPE"):
        wp.designer.upload_zip("voorbeeld", "piet", hostile.getvalue(), at="2026-01-10T09:00")
    with pytest.raises(ValidationError):
        wp.designer.upload_zip("voorbeeld", "piet", b"geen zip", at="2026-01-10T09:00")


def test_migration_report_and_moving_cases(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    _publish(wp, _renamed(_bpmn(wp)), "2026-02-01")
    report = wp.designer.migration_report("voorbeeld", 2)
    assert [(r["case"], r["can_move"], r["from"]) for r in report] == [(case["id"], True, 1)]
    # a version without the step the case is at: refused, with the reason
    xml = _bpmn(wp)
    _publish(wp, xml.replace('id="intake"', 'id="intake2"').replace(">intake<", ">intake2<")
             .replace('sourceRef="intake"', 'sourceRef="intake2"').replace('targetRef="intake"', 'targetRef="intake2"')
             .replace('attachedToRef="intake"', 'attachedToRef="intake2"'), "2026-03-01", at="2026-01-11T09:00")
    refused = wp.designer.migration_report("voorbeeld", 3)
    assert refused[0]["can_move"] is False and "intake" in refused[0]["reason"]
    moved = wp.designer.migrate_cases("voorbeeld", 2, "piet", at="2026-01-12T09:00")
    assert moved[0]["moved"] is True
    assert wp.get_case(case["id"])["version_hash"] == wp.show_process("voorbeeld")["versions"][1]["hash"]
    assert {v["number"]: v["running"] for v in wp.designer.process("voorbeeld")["versions"]} == {1: 0, 2: 1, 3: 0}
    assert wp.case_history(case["id"])[-1]["type"] == "version_migrated"
    assert wp.designer.events("voorbeeld")[0]["type"] == "zaak_overgezet"


def test_a_designer_moves_cases_as_a_person_each_with_its_access_log_row_in_the_same_transaction(wp):
    """The one policy decides per case (may_edit_design); each move is one write transaction
    holding the case's event, the designer's event and the access-log row."""
    from sqlalchemy import event, select

    from engine.app.accounts import Accounts
    from engine.app.acting import RequestContext
    from engine.storage.accounts_models import AccessLogRow

    accounts = Accounts(wp, "sleutel")
    wp.access_log.set_secret("sleutel")
    accounts.create_organisation("voorbeeldstad", "Voorbeeldstad")
    accounts.create_organisation("anderstad", "Anderstad")
    for username, organisation, role, lane in (("piet", "voorbeeldstad", "process_designer", None),
                                               ("kees", "voorbeeldstad", "consultant", "inkomensconsulent"),
                                               ("olga", "anderstad", "process_designer", None)):
        accounts.create_user(username, "lang-genoeg-123", username.capitalize())
        accounts.grant(username, organisation, role, lane)
    cases = [wp.start_case("voorbeeldstad", bsn, "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")["id"]
             for bsn in ("111222333", "123456782")]
    _publish(wp, _renamed(_bpmn(wp)), "2026-02-01")

    def context() -> RequestContext:
        return RequestContext("ontwerp.zaak_overzetten", "Lopende zaak overzetten naar een versie")

    kees, olga, piet = (accounts.person(name) for name in ("kees", "olga", "piet"))
    refused = wp.designer.migrate_cases("voorbeeld", 2, kees, at="2026-01-12T09:00", context=context())
    assert [r["moved"] for r in refused] == [False, False] and "procesontwerper" in refused[0]["reason"]
    unseen = wp.designer.migrate_cases("voorbeeld", 2, olga, at="2026-01-12T09:00", context=context())
    assert [r["moved"] for r in unseen] == [False, False] and "bestaat niet" in unseen[0]["reason"]

    commits: list[int] = []

    def commit(conn) -> None:
        if not conn.get_execution_options().get("werkpad_read"):  # a reading unit ends with COMMIT on PostgreSQL
            commits.append(1)

    event.listen(wp.db.engine, "commit", commit)
    try:
        moved = wp.designer.migrate_cases("voorbeeld", 2, piet, at="2026-01-12T09:00", context=context())
    finally:
        event.remove(wp.db.engine, "commit", commit)
    assert [r["moved"] for r in moved] == [True, True]
    # one commit per case: its event, the designer's event and the access-log row together (the
    # dry runs of the report commit nothing)
    assert len(commits) == 2
    for case_id in cases:
        assert wp.case_history(case_id)[-1]["actor"] == "piet"
    with wp.db.unit_of_work(write=False) as uow:
        rows = [(r.username, r.status, r.case_id, r.organisation, r.data_subject_id is not None)
                for r in uow.session.scalars(select(AccessLogRow).order_by(AccessLogRow.id))]
    assert rows == [("kees", "geweigerd", cases[0], "voorbeeldstad", True),
                    ("kees", "geweigerd", cases[1], "voorbeeldstad", True),
                    ("olga", "niet_gevonden", cases[0], None, False),
                    ("olga", "niet_gevonden", cases[1], None, False),
                    ("piet", "ok", cases[0], "voorbeeldstad", True),
                    ("piet", "ok", cases[1], "voorbeeldstad", True)]
    assert [e["actor"] for e in wp.designer.events("voorbeeld") if e["type"] == "zaak_overgezet"] == ["piet", "piet"]
