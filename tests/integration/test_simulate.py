"""`werkpad simulate`: N cases over the organisations through M months, repeatable by seed."""
from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import main


def _simulate(url: str, *args: str) -> dict:
    result = CliRunner().invoke(main, ["--database-url", url, "simulate", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_simulate_a_few_cases_through_two_months(sqlite_url):
    first = _simulate(sqlite_url, "--cases", "5", "--months", "2", "--seed", "7")
    assert first["zaken"] == 5 and sum(first["eindtoestand"].values()) == 5
    assert len(first["per_organisatie"]) == 5  # spread over the organisations in turn
    assert first["taken_afgerond"] > 5 and first["timers_afgegaan"] >= 1
    deadlines = first["termijnen"]
    assert deadlines["gehaald"] + deadlines["gemist"] > 0
    again = _simulate(sqlite_url, "--cases", "5", "--months", "2", "--seed", "7")
    assert {k: v for k, v in again.items() if k != "seconden"} == {k: v for k, v in first.items() if k != "seconden"}
