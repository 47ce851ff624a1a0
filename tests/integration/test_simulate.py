"""`werkpad simulate`: N cases over the organisations through M months, repeatable by seed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.tools.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]


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
    assert all({"verstuurd", "geland", "niet_van_toepassing"} <= set(f) for f in first["berichten"].values())
    again = _simulate(sqlite_url, "--cases", "5", "--months", "2", "--seed", "7")
    assert {k: v for k, v in again.items() if k != "seconden"} == {k: v for k, v in first.items() if k != "seconden"}


def _processes_with_and_without_work_found(tmp_path: Path) -> Path:
    """voorbeeld (which catches werk_gevonden during the traject) and a copy for anderstad
    whose process catches another message there (stukken_ontvangen) and no werk_gevonden."""
    target = tmp_path / "processes"
    shutil.copytree(ROOT / "processes" / "voorbeeld", target / "voorbeeld")
    other = target / "anderstad"
    shutil.copytree(ROOT / "processes" / "voorbeeld", other)
    manifest = json.loads((other / "proces.json").read_text(encoding="utf-8"))
    manifest.update({"sleutel": "anderstad", "naam": "Anderstad", "organisatie": "anderstad",
                     "gemeenten": {"anderstad": {}}})
    (other / "proces.json").write_text(json.dumps(manifest), encoding="utf-8")
    bpmn = other / "voorbeeld.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    assert text.count('name="werk_gevonden"') == 1
    bpmn.write_text(text.replace('name="werk_gevonden"', 'name="stukken_ontvangen"'), encoding="utf-8")
    return target


def test_messages_fit_the_process_and_are_counted_per_kind(tmp_path):
    result = simulate(30, 8, _processes_with_and_without_work_found(tmp_path), ROOT / "forms",
                      ROOT / "docs" / "profielen", seed=4, progress=False)
    work = result["berichten"]["werk_gevonden"]
    # sent only to cases that waited for it: every one landed, none was refused
    assert work["verstuurd"] == work["geland"] >= 1, work
    assert not any(key.startswith("geweigerd") for key in work)
    # the anderstad cases whose client found work: their process has no such message
    assert work["proces kent het bericht niet"] >= 1, work
    for figures in result["berichten"].values():
        reasons = sum(v for k, v in figures.items() if k not in ("verstuurd", "geland", "niet_van_toepassing",
                                                                  "na de periode"))
        assert figures["niet_van_toepassing"] == reasons, figures
        assert figures["verstuurd"] >= figures["geland"]
