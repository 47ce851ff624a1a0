"""Issue 7: the deadlines report — legal and policy deadlines met and missed, per month, as CSV."""
from __future__ import annotations

from datetime import date

from engine.app.deadlines import Period, deadline_report, month_chart_svg, report_csv
from engine.core import clock


def _crisis(wp, bsn: str, name: str, start: str, done: str | None):
    case = wp.start_case("voorbeeldstad", bsn, name, "1980-05-01", at=start)
    intake = case["tasks"][0]["id"]
    case = wp.complete_task(intake, "kees", {"crisis": True, "woonsituatie": "dakloos"}, at=start)
    task = next(t for t in case["tasks"] if t["spec"] == "crisisroute")
    if done:
        wp.complete_task(task["id"], "kees", {"doorverwezen_naar": "maatschappelijke_opvang"}, at=done)
    return case["id"], task


def test_met_missed_and_running_per_norm_and_month(wp):
    on_time, task = _crisis(wp, "111222333", "Jan Jansen", "2026-01-05T09:00", "2026-01-05T15:00")
    late, _ = _crisis(wp, "123456782", "Fatima el Amrani", "2026-01-12T09:00", "2026-01-20T09:00")
    _open, _ = _crisis(wp, "100000010", "Piet de Boer", "2026-02-02T09:00", None)
    report = deadline_report(wp.db, ["voorbeeldstad"], now=clock.to_utc("2026-03-01T09:00"))
    crisis = next(n for n in report["norms"] if n["key"].endswith(":crisisroute"))
    assert crisis["kind"] == "beleid" and crisis["label"] == task["name"]
    assert (crisis["met"], crisis["missed"], crisis["running"]) == (1, 2, 0)
    assert {c["client"]: c["outcome"] for c in crisis["cases"]} == {
        "Jan Jansen": "met", "Fatima el Amrani": "missed", "Piet de Boer": "missed"}
    assert [(m["month"], m["met"], m["missed"]) for m in report["months"]][:2] == [("2026-01", 3, 1), ("2026-02", 1, 1)]  # intakes on time too
    feb = deadline_report(wp.db, ["voorbeeldstad"], Period(date(2026, 2, 1), date(2026, 2, 28)),
                          now=clock.to_utc("2026-02-02T10:00"))
    feb_crisis = next(n for n in feb["norms"] if n["key"].endswith(":crisisroute"))
    assert (feb_crisis["met"], feb_crisis["missed"], feb_crisis["running"]) == (0, 0, 1)
    assert deadline_report(wp.db, ["anderstad"])["norms"] == []
    svg = month_chart_svg(report["months"])
    assert svg.startswith("<svg") and "jan" in svg and "#c62828" in svg
    csv_text = report_csv(report)
    assert csv_text.splitlines()[0].startswith("organisatie;soort;termijn") and "Fatima el Amrani" in csv_text
    assert "te laat" in csv_text and "op tijd" in csv_text


def test_the_months_run_on_without_gaps(wp):
    """Found by using the product: a month without deadlines was left out of the chart, so its
    bars read jul, aug, okt, nov as if one month followed the other."""
    _crisis(wp, "111222333", "Jan Jansen", "2026-01-05T09:00", "2026-01-05T15:00")
    _crisis(wp, "123456782", "Fatima el Amrani", "2026-04-06T09:00", "2026-04-06T15:00")
    report = deadline_report(wp.db, ["voorbeeldstad"], now=clock.to_utc("2026-05-01T09:00"))
    months = [m["month"] for m in report["months"]]
    assert months[0] == "2026-01" and months[-1] >= "2026-04"
    assert months == sorted(set(months)) and "2026-02" in months and "2026-03" in months
    quiet = {m["month"]: m for m in report["months"]}["2026-02"]
    assert (quiet["met"], quiet["missed"], quiet["running"]) == (0, 0, 0)
    assert "feb" in month_chart_svg(report["months"])
