"""Moving running cases to a new version through the designer's screens (Flask test client),
on the real clock and on a pinned one. One case waits in the four-week self-search period,
another sits in the traject with its three-monthly evaluation cycle (one evaluation already
fired). A designer saves a changed draft, offers it, a second designer approves it; the
first reads the migration dry-run report and moves both cases. Their timers keep their exact
due moments; when those come, the new version's steps appear; the cycle goes on from where
it was; the audit chain verifies and every case replays to the stored state."""
from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta

import pytest

from engine import clock

from .conftest import PASSWORD, login, page_csrf
from .migration_cases import waiting_and_in_traject

BPMN = "voorbeeld.bpmn"
PINNED = datetime(2026, 3, 2, 9, 0, tzinfo=clock.AMSTERDAM)


def _task(case: dict, spec: str) -> str:
    return next(t["id"] for t in case["tasks"] if t["spec"] == spec)


def _due(werkpad, case_id: str) -> dict[str, str]:
    return {t["spec"]: t["due"] for t in werkpad.get_case(case_id)["timers"]}


@pytest.mark.parametrize("clock_kind", ["echt", "vast"])
def test_designer_publishes_and_migrates_cases_in_a_four_week_wait_and_a_three_monthly_cycle(
        app, werkpad, accounts, clock_kind):
    pinned = clock_kind == "vast"
    t0 = PINNED if pinned else clock.now().astimezone(clock.AMSTERDAM)

    def screens():  # the designer's requests: at t0 on the pinned clock, else whenever they run
        return clock.at(t0) if pinned else contextlib.nullcontext()

    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)

    # a case in the four-week wait (due in 18 days) ...
    waiting = werkpad.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at=t0 - timedelta(days=10))
    werkpad.complete_task(_task(waiting, "intake"), "kees", {"crisis": False, "woonsituatie": "dakloos"},
                          at=t0 - timedelta(days=10) + timedelta(hours=1))
    # ... and one in the traject, its evaluation cycle fired once and running on
    cycling = werkpad.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17",
                                 at=t0 - timedelta(days=130))
    werkpad.complete_task(_task(cycling, "intake"), "kees", {"crisis": False, "woonsituatie": "dakloos"},
                          at=t0 - timedelta(days=130) + timedelta(hours=1))
    werkpad.fire_due_timers(t0 - timedelta(days=100))
    case = werkpad.get_case(cycling["id"])
    werkpad.complete_task(_task(case, "rechtmatigheid"), "kees", {"recht_op_bijstand": True},
                          at=t0 - timedelta(days=100))
    case = werkpad.get_case(cycling["id"])
    werkpad.complete_task(_task(case, "diagnose"), "wendy", {"loonwaarde_pct": 50, "trede": 2},
                          at=t0 - timedelta(days=99))
    fired = werkpad.fire_due_timers(t0 - timedelta(days=5))
    assert [f["timers"] for f in fired] == [["Driemaandelijkse evaluatie"]]
    assert [t["spec"] for t in werkpad.get_case(cycling["id"])["tasks"]] == ["traject", "evaluatie"]

    before = {waiting["id"]: _due(werkpad, waiting["id"]), cycling["id"]: _due(werkpad, cycling["id"])}
    assert set(before[waiting["id"]]) == {"inspanningsperiode"}
    assert set(before[cycling["id"]]) == {"evaluatiecyclus"}
    four_weeks = clock.moment(before[waiting["id"]]["inspanningsperiode"])
    assert four_weeks == clock.to_utc(t0 - timedelta(days=10) + timedelta(hours=1)) + timedelta(days=28)
    next_cycle = clock.moment(before[cycling["id"]]["evaluatiecyclus"])
    assert next_cycle > clock.to_utc(t0)

    # piet changes the two steps the cases will reach next and offers the draft from today
    piet = app.test_client()
    with screens():
        login(piet, "piet")
        xml = werkpad.designer.working_record("voorbeeld")["files"][BPMN]
        changed = xml.replace('name="Rechtmatigheidsgesprek voeren"', 'name="Rechtmatigheidsgesprek (nieuw beleid)"')
        changed = changed.replace('name="Traject evalueren"', 'name="Traject evalueren (nieuw beleid)"')
        assert changed.count("(nieuw beleid)") == 2
        token = page_csrf(piet, "/ontwerp/voorbeeld/modeler")
        saved = piet.post("/ontwerp/voorbeeld/concept", headers={"X-CSRF-Token": token},
                          json={"bestand": BPMN, "xml": changed, "toelichting": "Nieuw beleid 2027"})
        assert saved.status_code == 200 and saved.get_json()["problemen"] == []
        token = page_csrf(piet, "/ontwerp/voorbeeld")
        offered = piet.post("/ontwerp/voorbeeld/aanbieden", data={
            "csrf_token": token, "geldig_vanaf": clock.local_date().isoformat(), "toelichting": "Nieuw beleid 2027"})
        assert offered.status_code == 302

        joke = app.test_client()
        login(joke, "joke")
        token = page_csrf(joke, "/ontwerp/voorbeeld")
        assert joke.post("/ontwerp/voorbeeld/goedkeuren", data={"csrf_token": token}).status_code == 302
        page = piet.get("/ontwerp/voorbeeld").get_data(as_text=True)
        assert "versie 2, geldig vanaf" in page

        # the dry-run report: both cases can move, nothing has moved yet
        report = piet.get("/ontwerp/voorbeeld/versies/2/overzetten").get_data(as_text=True)
        assert "Jan Jansen" in report and "Fatima el Amrani" in report
        assert report.count('name="zaak"') == 2 and "Er is nog niets veranderd." in report
        assert set(re.findall(r'name="zaak" value="([^"]+)"', report)) == {waiting["id"], cycling["id"]}
        assert werkpad.get_case(waiting["id"])["version"] == werkpad.get_case(cycling["id"])["version"]
        version_1 = werkpad.get_case(waiting["id"])["version"]

        token = page_csrf(piet, "/ontwerp/voorbeeld/versies/2/overzetten")
        moved = piet.post("/ontwerp/voorbeeld/versies/2/overzetten",
                          data={"csrf_token": token, "zaak": [waiting["id"], cycling["id"]]})
        assert moved.status_code == 302 and "melding=overgezet" in moved.headers["Location"]
        assert "Geen lopende zaken op andere versies." in piet.get(
            "/ontwerp/voorbeeld/versies/2/overzetten").get_data(as_text=True)

    for cid in (waiting["id"], cycling["id"]):
        case = werkpad.get_case(cid)
        assert case["version"] != version_1
        assert _due(werkpad, cid) == before[cid]  # the exact due moments, to the microsecond
        history = werkpad.case_history(cid)
        assert history[-1]["type"] == "version_migrated" and history[-1]["actor"] == "piet"
    assert {v["number"]: v["running"] for v in werkpad.designer.process("voorbeeld")["versions"]} == {1: 0, 2: 2}
    moves = [e for e in werkpad.designer.events("voorbeeld") if e["type"] == "zaak_overgezet"]
    assert sorted(e["payload"]["zaak"] for e in moves) == sorted([waiting["id"], cycling["id"]])
    # piet acted as himself: the one policy let him, and each move has its access-log row
    logged = [r for r in accounts.access_log(username="piet") if r["operation"] == "ontwerp.zaak_overzetten"]
    assert sorted((r["case"], r["status"], r["organisation"]) for r in logged) == sorted(
        [(waiting["id"], "ok", "voorbeeldstad"), (cycling["id"], "ok", "voorbeeldstad")])
    assert all(r["data_subject_id"] for r in logged)

    # nothing fires a moment early; at the due moments the new version's steps appear
    assert werkpad.fire_due_timers(four_weeks - timedelta(microseconds=1)) == []
    werkpad.fire_due_timers(four_weeks)
    assert [t["name"] for t in werkpad.get_case(waiting["id"])["tasks"]] == ["Rechtmatigheidsgesprek (nieuw beleid)"]
    if next_cycle > four_weeks:
        assert werkpad.fire_due_timers(next_cycle - timedelta(microseconds=1)) == []
    werkpad.fire_due_timers(next_cycle)
    names = [t["name"] for t in werkpad.get_case(cycling["id"])["tasks"]]
    assert names.count("Traject evalueren (nieuw beleid)") == 1 and names.count("Traject evalueren") == 1
    following = clock.moment(_due(werkpad, cycling["id"])["evaluatiecyclus"])
    # the cycle goes on three calendar months later, at the same local time of day
    assert 88 <= (following - next_cycle).days <= 92
    assert following.astimezone(clock.AMSTERDAM).time() == next_cycle.astimezone(clock.AMSTERDAM).time()

    assert werkpad.verify_audit()["ok"] is True
    for cid in (waiting["id"], cycling["id"]):
        assert werkpad.replay_case(cid)["match"] is True


def test_the_dry_run_warns_of_a_renamed_field_a_moved_case_would_miss(client, werkpad, accounts):
    """Version 2 renames loonwaarde_pct to loonwaarde_gemeten (form and decision table mended).
    A case that already has loonwaarde_pct can still move, but the dry run says, in words, that
    the new version uses loonwaarde_gemeten, which the case lacks; a case without the old field
    (still in its four-week wait) gets no warning."""
    accounts.create_user("joke", PASSWORD, "Joke")
    accounts.grant("joke", "voorbeeldstad", "process_designer", None)
    waiting_and_in_traject(werkpad, clock.now())

    record = werkpad.designer.working_record("voorbeeld")
    form = record["forms"]["voorbeeld_diagnose"].replace('"loonwaarde_pct": {}', '"loonwaarde_gemeten": {'
                                                         '"type": "integer", "title": "Loonwaarde"}').replace(
        '"required": ["loonwaarde_pct"', '"required": ["loonwaarde_gemeten"')
    table = record["files"]["voorbeeld_route.dmn"].replace("<text>loonwaarde_pct</text>",
                                                           "<text>loonwaarde_gemeten</text>")
    assert "loonwaarde_gemeten" in form and "loonwaarde_gemeten" in table
    werkpad.designer.save_draft("voorbeeld", "piet", files={"voorbeeld_route.dmn": table},
                                forms={"voorbeeld_diagnose": form}, change_note="loonwaarde hernoemd")
    werkpad.designer.offer("voorbeeld", "piet", clock.local_date(), "loonwaarde hernoemd")
    werkpad.designer.approve("voorbeeld", "joke")

    report = {r["client"]: r for r in werkpad.designer.migration_report("voorbeeld", 2)}
    assert report["Jan Jansen"]["can_move"] and report["Jan Jansen"]["warnings"] == []
    fatima = report["Fatima el Amrani"]
    assert fatima["can_move"] and [str(w) for w in fatima["warnings"]] == [
        "de nieuwe versie gebruikt ‘loonwaarde_gemeten’ (beslistabel ‘Route op loonwaarde’), dat deze zaak niet "
        "heeft; zij heeft wel ‘loonwaarde_pct’, dat de nieuwe versie niet meer vraagt"]

    login(client, "piet")
    page = client.get("/ontwerp/voorbeeld/versies/2/overzetten").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if "Fatima el Amrani" in r)
    assert "ja, maar let op" in row and "loonwaarde_gemeten" in row and 'name="zaak"' in row
    assert "let op" not in next(r for r in page.split("<tr>") if "Jan Jansen" in r)
