"""The auditor's use cases (engine/auditing.py) on a real database."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import NotFound, ValidationError, Werkpad
from engine.app.accounts import Accounts
from engine.app.audit_workspace import AuditorWorkspace, CaseSearch, diff_data, load_or_create_key

ROOT = Path(__file__).resolve().parents[2]
JAN = {"municipality": "voorbeeldstad", "bsn": "111222333", "name": "Jan Jansen", "birthdate": "1980-05-01"}


def _task(case: dict, spec: str) -> str:
    return next(t["id"] for t in case["tasks"] if t["spec"] == spec)


def _closed_case(wp: Werkpad) -> dict:
    """Jan: intake with a crisis, then the crisis route: a completed case without open tasks."""
    case = wp.start_case(**JAN, at="2026-01-05T09:00")
    wp.claim_task(_task(case, "intake"), "kees", at="2026-01-05T09:30")
    case = wp.complete_task(_task(case, "intake"), "kees", {"crisis": True, "woonsituatie": "dakloos"},
                            at="2026-01-05T10:00")
    return wp.complete_task(_task(case, "crisisroute"), "kees", {"doorverwezen_naar": "maatschappelijke_opvang",
                                                                 "toelichting": "Direct doorverwezen."},
                            at="2026-01-06T10:00") \
        if any(t["spec"] == "crisisroute" for t in case["tasks"]) else case


@pytest.fixture
def three(wp):
    closed = _closed_case(wp)
    running = wp.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at="2026-02-10T09:00")
    withdrawn = wp.start_case("voorbeeldstad", "100000010", "Piet de Boer", "1968-03-09", at="2026-03-01T09:00")
    wp.send_message(withdrawn["id"], "aanvraag_ingetrokken", at="2026-03-02T09:00")
    return {"closed": wp.get_case(closed["id"]), "running": running, "withdrawn": wp.get_case(withdrawn["id"])}


def test_find_cases_by_name_bsn_id_status_and_period(wp, three):
    aud = AuditorWorkspace(wp)
    orgs = ["voorbeeldstad"]
    everything = aud.find_cases(orgs, CaseSearch())
    assert everything["total"] == 3
    assert [i["client"] for i in everything["items"]] == ["Piet de Boer", "Fatima el Amrani", "Jan Jansen"]
    assert [i["client"] for i in aud.find_cases(orgs, CaseSearch(text="jansen"))["items"]] == ["Jan Jansen"]
    assert [i["client"] for i in aud.find_cases(orgs, CaseSearch(text="123456782"))["items"]] == ["Fatima el Amrani"]
    by_id = aud.find_cases(orgs, CaseSearch(text=three["closed"]["id"]))["items"]
    assert [i["id"] for i in by_id] == [three["closed"]["id"]]
    assert [i["client"] for i in aud.find_cases(orgs, CaseSearch(status="withdrawn"))["items"]] == ["Piet de Boer"]
    assert aud.find_cases(orgs, CaseSearch(status="open"))["total"] == 1
    feb = aud.find_cases(orgs, CaseSearch(started_from=date(2026, 2, 1), started_to=date(2026, 2, 28)))
    assert [i["client"] for i in feb["items"]] == ["Fatima el Amrani"]
    assert aud.find_cases(orgs, CaseSearch(process="voorbeeld"))["total"] == 3
    assert aud.find_cases(["anderstad"], CaseSearch())["total"] == 0
    paged = aud.find_cases(orgs, CaseSearch(per_page=2, page=2))
    assert paged["pages"] == 2 and len(paged["items"]) == 1


def test_history_shows_submitted_data_and_the_case_data_diff(wp, three):
    history = AuditorWorkspace(wp).history(three["closed"]["id"])
    kinds = [e["type"] for e in history]
    assert kinds[:3] == ["case_started", "task_claimed", "task_completed"]
    started, claimed, completed = history[:3]
    assert "geboortedatum" in started["changes"]["added"] and "gemeente_config" not in started["changes"]["added"]
    assert claimed["changes"] == {"added": {}, "changed": {}, "removed": {}}
    assert completed["submitted"]["crisis"] is True
    assert completed["changes"]["added"]["crisis"] is True
    assert diff_data({"a": 1, "b": 2}, {"a": 3, "c": 4}) == {
        "added": {"c": 4}, "changed": {"a": {"old": 1, "new": 3}}, "removed": {"b": 2}}


def test_state_at_each_event_matches_a_replay_up_to_it(wp, three):
    aud = AuditorWorkspace(wp)
    cid = three["closed"]["id"]
    first = aud.state_at(cid, 1)
    assert [t["spec"] for t in first["tasks"]] == ["intake"]
    assert first["timers"] and first["timers"][0]["due"] is not None  # the intake's escalation timer
    last_seq = len(wp.case_history(cid))
    final = aud.state_at(cid, last_seq)
    assert final["status"] == "completed" and final["tasks"] == []
    assert final["data"] == three["closed"]["data"]
    third = aud.state_at(cid, 3)
    assert third["changes"]["added"]["crisis"] is True and third["payload"]["data"]["crisis"] is True
    diagram = aud.diagram_at(cid, 1)
    assert diagram["current"] == ["intake"] and diagram["completed"] == [] and "<bpmn" in diagram["xml"]
    assert "intake" in aud.diagram_at(cid, last_seq)["completed"]
    with pytest.raises(NotFound):
        aud.state_at(cid, last_seq + 1)


def test_verify_case_and_organisation(wp, three):
    aud = AuditorWorkspace(wp)
    assert aud.verify_case(three["closed"]["id"])["ok"] is True
    seen = []
    summary = aud.verify_cases(aud.case_ids(["voorbeeldstad"]), progress=lambda n, total: seen.append((n, total)))
    assert summary == {"ok": True, "cases": 3, "broken": []} and seen[-1] == (3, 3)
    with wp.db.engine.begin() as conn:
        conn.execute(text("UPDATE events SET payload = replace(payload, 'true', 'false') "
                          "WHERE case_id = :c AND seq = 3"), {"c": three["closed"]["id"]})
    result = aud.verify_case(three["closed"]["id"])
    assert result["ok"] is False and result["event"] == 3 and result["type"] == "task_completed"


def test_anchor_is_signed_and_detects_edits_deletions_and_rewrites(wp, three, tmp_path):
    aud = AuditorWorkspace(wp)
    key_path = tmp_path / "anker.key"
    key = load_or_create_key(key_path)
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    anchor = aud.write_anchor(key)
    assert set(anchor["cases"]) == {c["id"] for c in three.values()}
    clean = aud.check_anchor(anchor, load_or_create_key(key_path).public_key())
    assert clean["ok"] is True and clean["findings"] == []
    # a case that goes on after the anchor is fine
    wp.start_case("voorbeeldstad", "100000022", "Nieuw", "1970-01-01", at="2026-04-01T09:00")
    assert aud.check_anchor(anchor)["ok"] is True
    closed, withdrawn = three["closed"]["id"], three["withdrawn"]["id"]
    with wp.db.engine.begin() as conn:
        conn.execute(text("UPDATE events SET payload = replace(payload, 'true', 'false') "
                          "WHERE case_id = :c AND seq = 3"), {"c": closed})
        for table in ("events", "tasks", "timers"):
            conn.execute(text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": withdrawn})
        conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": withdrawn})
    result = aud.check_anchor(anchor)
    assert result["ok"] is False and result["signature_ok"] is True
    assert {(f["case"], f["finding"]) for f in result["findings"]} == {(closed, "herschreven"),
                                                                       (withdrawn, "verdwenen")}
    forged = json.loads(json.dumps(anchor))
    forged["cases"][closed]["seq"] = 1
    assert aud.check_anchor(forged)["signature_ok"] is False
    other = load_or_create_key(tmp_path / "ander.key")
    assert aud.check_anchor(anchor, other.public_key())["signature_ok"] is False


def test_exports(wp, three):
    aud = AuditorWorkspace(wp)
    cid = three["closed"]["id"]
    with pytest.raises(ValidationError, match="heeft nog geen RSIN"):  # no placeholder organisation number
        aud.export_zgw(cid)
    Accounts(wp).create_organisation("voorbeeldstad", "Gemeente Voorbeeldstad", rsin="999990007")
    full = aud.export_json(cid)
    assert full["case"]["id"] == cid and len(full["events"]) == len(wp.case_history(cid))
    assert any(name.endswith(".bpmn") for name in full["definitions"][0]["files"])
    json.dumps(full)
    zgw = aud.export_zgw(cid)
    assert zgw["zaak"]["bronorganisatie"] == zgw["zaak"]["verantwoordelijkeOrganisatie"] == "999990007"
    assert zgw["zaaktype"]["doorlooptijd"] == "P56D"
    assert zgw["zaak"]["identificatie"] == cid and zgw["zaak"]["einddatum"] == "2026-01-06"
    assert zgw["resultaat"] is not None and zgw["zaak"]["status"] == zgw["statussen"][-1]["url"]
    schema = json.loads((ROOT / "tests" / "fixtures" / "zgw_zaak.schema.json").read_text(encoding="utf-8"))
    for case in three.values():
        assert _schema_errors(aud.export_zgw(case["id"]), schema) == [], case["id"]
    broken = aud.export_zgw(cid)
    broken["zaak"]["bronorganisatie"] = "12"
    del broken["zaak"]["startdatum"]
    broken["statussen"][0]["datumStatusGezet"] = "5 januari"
    assert len(_schema_errors(broken, schema)) == 3


_FORMATS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "date-time": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
    "uri": r"^https?://\S+$",
    "uuid": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
_TYPES = {"object": dict, "array": list, "string": str, "null": type(None)}


def _schema_errors(value, schema: dict, where: str = "$") -> list[str]:
    """A small JSON Schema check (type, required, properties, items, enum, pattern, maxLength, format):
    jsonschema is not among Werkpad's packages."""
    import re

    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(isinstance(value, _TYPES[k]) for k in kinds):
            return [f"{where}: type {type(value).__name__}, verwacht {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} niet in {schema['enum']}"]
    errors: list[str] = []
    if isinstance(value, dict):
        errors += [f"{where}.{k}: ontbreekt" for k in schema.get("required", []) if k not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                errors += _schema_errors(value[key], sub, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            errors += _schema_errors(item, schema.get("items", {}), f"{where}[{n}]")
    elif isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            errors.append(f"{where}: langer dan {schema['maxLength']}")
        for pattern in (schema.get("pattern"), _FORMATS.get(schema.get("format", ""))):
            if pattern and not re.search(pattern, value):
                errors.append(f"{where}: {value!r} past niet op {pattern}")
    return errors


def test_cli_anchor_check_anchor_verify_and_export(wp, three, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from engine.cli import main

    monkeypatch.setenv("WERKPAD_ANCHOR_KEY", str(tmp_path / "sleutel.pem"))
    url = wp.db.engine.url.render_as_string(hide_password=False)

    def run(*args):
        return CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)

    verify = run("audit", "verify", "--json")
    assert verify.exit_code == 0 and json.loads(verify.output) == {"ok": True, "cases": 3, "broken": [], "in_error": []}
    assert run("audit", "verify").output.strip() == "audit in orde: 3 zaken"
    anchor_file = tmp_path / "anker.json"
    written = run("audit", "anchor", "--out", str(anchor_file))
    assert written.exit_code == 0 and "3 zaken" in written.output
    assert oct((tmp_path / "sleutel.pem").stat().st_mode & 0o777) == "0o600"
    checked = run("audit", "check-anchor", str(anchor_file))
    assert checked.exit_code == 0 and "alles ongewijzigd" in checked.output
    closed = three["closed"]["id"]
    with wp.db.engine.begin() as conn:
        conn.execute(text("UPDATE events SET actor = 'iemand' WHERE case_id = :c AND seq = 2"), {"c": closed})
    checked = run("audit", "check-anchor", str(anchor_file), "--json")
    assert checked.exit_code == 1
    assert [(f["case"], f["finding"]) for f in json.loads(checked.output)["findings"]] == [(closed, "herschreven")]
    broken = json.loads(run("audit", "verify", "--json").output)
    assert broken["ok"] is False and "gebeurtenis 2 (taak opgepakt) is gewijzigd" in broken["broken"][0]["problem"]
    assert broken["broken"][0]["kind"] == "altered" and broken["broken"][0]["change"] == "edited"
    assert broken["broken"][0]["event"] == 2
    out = tmp_path / "zaak.json"
    refused = run("case", "export", three["running"]["id"], "--format", "zgw", "--out", str(out))
    assert refused.exit_code == 1 and "RSIN" in refused.output and "Traceback" not in refused.output
    assert run("users", "organisation", "voorbeeldstad", "--rsin", "999990008").exit_code == 1  # fails the 11-proef
    assert "RSIN 999990007" in run("users", "organisation", "voorbeeldstad", "--rsin", "999 990 007").output
    exported = run("case", "export", three["running"]["id"], "--format", "zgw", "--out", str(out))
    assert exported.exit_code == 0 and json.loads(out.read_text())["zaak"]["identificatie"] == three["running"]["id"]
