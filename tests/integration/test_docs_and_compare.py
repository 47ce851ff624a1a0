"""Generated process documentation is current; the compare command runs a profile
through the processes."""
from __future__ import annotations

import json
from pathlib import Path

from engine.tools.compare import compare, fill_form
from engine.tools.docgen import write_docs

ROOT = Path(__file__).resolve().parents[2]


def test_process_docs_are_generated_from_what_runs(tmp_path):
    written = write_docs(ROOT / "processes", ROOT / "forms", tmp_path)
    stale = []
    for path in written:
        committed = ROOT / "docs" / "processes" / path.name
        if not committed.exists() or committed.read_text(encoding="utf-8") != path.read_text(encoding="utf-8"):
            stale.append(path.name)
    assert not stale, f"docs/processes is verouderd: draai `werkpad processes docs` ({', '.join(stale)})"
    voorbeeld = (tmp_path / "voorbeeld.md").read_text(encoding="utf-8")
    assert "| Meldingsgesprek voeren (`intake`) | inkomensconsulent | Meldingsgesprek |" in voorbeeld
    assert "`30 <= ? < 80`" in voorbeeld.replace("\\|", "|") or "30 <= ? < 80" in voorbeeld
    assert "Driemaandelijkse evaluatie (`evaluatiecyclus`) | cyclus | `\"R/P3M\"`" in voorbeeld


def test_compare_runs_a_profile_through_a_process():
    profile = json.loads((ROOT / "docs" / "profielen" / "jan.json").read_text(encoding="utf-8"))
    profile["berichten"] = [{"bericht": "werk_gevonden", "na": "P10M"}]
    (result,) = compare(profile, ROOT / "processes", ROOT / "forms", only=["voorbeeld"])
    assert result["gemeente"] == "voorbeeldstad"
    names = [step["naam"] for step in result["pad"]]
    assert names[:4] == ["Meldingsgesprek voeren", "Vier weken zelf zoeken", "Rechtmatigheidsgesprek voeren",
                         "Diagnose en loonwaarde-inschatting"]
    assert result["eind"]["status"] == "completed"
    assert result["eind"]["eindgebeurtenis"] == "einde_uitgestroomd"
    assert result["fasen_dagen"]["inspanningsperiode"] == 28.0
    assert result["termijnen"]["gemist"] == 0 and result["termijnen"]["gehaald"] >= 5


def test_fill_form_prefers_choices_then_facts_then_defaults():
    schema = {"type": "object", "required": ["a", "b", "c"],
              "properties": {"a": {"type": "boolean"}, "b": {"type": "string", "enum": ["x", "y"]},
                             "c": {"type": "integer", "minimum": 3}, "d": {"type": "string"}}}
    data, used = fill_form(schema, {"a": True, "b": "y", "d": "feit"}, {"b": "x"}, None)
    assert data == {"a": True, "b": "x", "c": 3, "d": "feit"} and used == ["c"]
