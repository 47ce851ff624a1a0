"""A corpus of broken and malicious process files (tests/fixtures/kwaadaardig): each is refused
by check_bundle with a Dutch message on the element it concerns, and deploy stores nothing."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.core.checks import Problem, check_bundle
from engine.core.definitions import bundle_from_files
from engine.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "kwaadaardig"
VOCABULARY = (ROOT / "forms" / "vocabulaire.json").read_text(encoding="utf-8")
MANIFEST = {"sleutel": "kwaad", "naam": "Kwaad", "proces": "kwaad_proces", "geldig_vanaf": "2026-01-01",
            "startgegevens": ["loonwaarde_pct"]}
FORM_FILES = ("kw_formulier.json", "kw_formulier_kwaad.json")

# case -> (file replacing the base file of its kind, words the message contains, element id or None)
CASES = {
    "xxe_passwd": ("xxe_passwd.bpmn", "DOCTYPE", None),
    "billion_laughs": ("billion_laughs.bpmn", "DOCTYPE", None),
    "externe_dtd": ("externe_dtd.bpmn", "DOCTYPE", None),
    "groot_bestand": ("groot.bpmn", "hoogstens 5 MB", None),
    "script_mro": ("script_mro.bpmn", "script", "script_teller"),
    "script_import": ("script_import.bpmn", "'Teller bijwerken' (script_teller)", "script_teller"),
    "voorwaarde_dunder": ("voorwaarde_dunder.bpmn", "voorwaarde van 'Werk' (f_werk)", "f_werk"),
    "voorwaarde_comprehension": ("voorwaarde_comprehension.bpmn", "wordt geweigerd", "f_werk"),
    "onbereikbare_taak": ("onbereikbare_taak.bpmn", "'Vergeten taak' (taak_vergeten) is niet bereikbaar",
                          "taak_vergeten"),
    "formulier_ontbreekt": ("formulier_ontbreekt.bpmn", "formulier 'bestaat_niet' bestaat niet", "taak_intake"),
    "formulier_sleutelwoord": ("formulier_sleutelwoord.bpmn", "'multipleOf' wordt niet ondersteund", "taak_intake"),
    "gateway_zonder_default": ("gateway_zonder_default.bpmn", "geen standaardstroom", "gw_route"),
    "onbekend_bericht": ("onbekend_bericht.bpmn", "bericht 'geheim_signaal'", "wacht_bericht"),
    "onbekende_rol": ("onbekende_rol.bpmn", "lane 'hacker', maar dat is geen bekende rol", "taak_intake"),
    "dmn_overlap": ("dmn_overlap.dmn", "overlap", "regel_hoog"),
    "dmn_gat": ("dmn_gat.dmn", "gat in de tabel", "kw_tabel"),
    "dmn_escape": ("dmn_escape.dmn", "wordt geweigerd", "regel_hoog_in"),
    "dmn_invoer_escape": ("dmn_invoer_escape.dmn", "invoerexpressie", "kw_in"),
    "dmn_feel_bereik": ("dmn_feel_bereik.dmn", "[30..80]", "regel_hoog_in"),
}


def _files(case_file: str | None = None, big: str | None = None) -> dict[str, str]:
    files = {"kwaad.bpmn": (CORPUS / "basis.bpmn").read_text(encoding="utf-8"),
             "kwaad.dmn": (CORPUS / "basis.dmn").read_text(encoding="utf-8")}
    if big is not None:
        files["kwaad.bpmn"] = big
    elif case_file is not None:
        files["kwaad" + Path(case_file).suffix] = (CORPUS / case_file).read_text(encoding="utf-8")
    return files


def _forms() -> dict[str, str]:
    return {Path(f).stem: (CORPUS / f).read_text(encoding="utf-8") for f in FORM_FILES}


def _big() -> str:
    base = (CORPUS / "basis.bpmn").read_text(encoding="utf-8")
    padding = "<!-- " + "x" * (50 * 1024 * 1024) + " -->"
    return base.replace("<bpmn:process ", padding + "<bpmn:process ", 1)


@pytest.fixture(scope="module")
def big() -> str:
    return _big()


def test_the_base_is_valid():
    forms = _forms()
    assert check_bundle(bundle_from_files(MANIFEST, _files(), {"kw_formulier": forms["kw_formulier"]},
                                          VOCABULARY)) == []
    # a broken form is refused even when no step names it: nothing in a version goes unchecked
    refused = check_bundle(bundle_from_files(MANIFEST, _files(), forms, VOCABULARY))
    assert [(p.refusal, "'multipleOf' wordt niet ondersteund" in p.message) for p in refused] == [(True, True)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_bundle_refuses(case, request):
    case_file, words, element = CASES[case]
    big = request.getfixturevalue("big") if case == "groot_bestand" else None
    problems = check_bundle(bundle_from_files(MANIFEST, _files(case_file, big), _forms(), VOCABULARY))
    assert problems, f"{case}: not refused"
    assert all(isinstance(p, Problem) for p in problems)
    matching = [p for p in problems if words in p.message]
    assert matching, f"{case}: no message with {words!r} in {[p.message for p in problems]}"
    if element is not None:
        assert element in {p.element for p in matching}, [(p.element, p.message) for p in matching]
        assert any(p.file in ("kwaad.bpmn", "kwaad.dmn") for p in matching)
    for p in problems:
        assert "Traceback" not in p.message and "/etc/passwd" not in p.message.replace("file:///etc/passwd", "")
    assert "root:" not in " ".join(p.message for p in problems)  # the XXE read nothing


def _folder(tmp_path: Path, case_file: str | None, big: str | None = None) -> tuple[Path, Path]:
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    if processes.exists():
        shutil.rmtree(processes)
    (processes / "kwaad").mkdir(parents=True)
    forms.mkdir(exist_ok=True)
    (processes / "kwaad" / "proces.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    for name, text in _files(case_file, big).items():
        (processes / "kwaad" / name).write_text(text, encoding="utf-8")
    for name in FORM_FILES:
        shutil.copy(CORPUS / name, forms / name)
    shutil.copy(ROOT / "forms" / "vocabulaire.json", forms / "vocabulaire.json")
    return processes, forms


@pytest.mark.parametrize("case", sorted(CASES))
def test_deploy_stores_nothing(case, tmp_path, request):
    from engine import Werkpad

    wp = Werkpad(f"sqlite:///{tmp_path / 'kwaad.sqlite'}", processes_dir=tmp_path / "processes",
                 forms_dir=tmp_path / "forms")
    wp.upgrade_db()
    try:
        processes, forms = _folder(tmp_path, None)
        wp.deploy(processes_dir=processes, forms_dir=forms)
        before = wp.list_processes()
        assert [p["process"] for p in before] == ["kwaad"]
        case_file, words, _element = CASES[case]
        big = request.getfixturevalue("big") if case == "groot_bestand" else None
        processes, forms = _folder(tmp_path, case_file, big)
        with pytest.raises(DefinitionError) as refused:
            wp.deploy(processes_dir=processes, forms_dir=forms)
        assert words in refused.value.message or "5 MB" in refused.value.message
        assert wp.list_processes() == before
    finally:
        wp.db.dispose()


@pytest.mark.parametrize("case", ["xxe_passwd", "script_import", "onbekende_rol", "dmn_overlap"])
def test_the_cli_refuses_in_one_dutch_line_and_lists_nothing_new(case, tmp_path):
    import os
    import subprocess
    import sys

    werkpad = str(Path(sys.executable).parent / "werkpad")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([werkpad, *args], env=env, capture_output=True, text=True, timeout=120)

    assert run("db", "upgrade").returncode == 0
    processes, forms = _folder(tmp_path, None)
    assert run("processes", "deploy", str(processes), "--forms", str(forms)).returncode == 0
    before = run("processes", "list", "--json").stdout
    processes, forms = _folder(tmp_path, CASES[case][0])
    out = run("processes", "deploy", str(processes), "--forms", str(forms))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert CASES[case][1] in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert run("processes", "list", "--json").stdout == before
