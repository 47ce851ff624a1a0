"""The English catalogue keeps up with the code: every text marked for translation in web/ and the
engine (``_``, ``N_``, ``_l``, ``Msg``) is in web/translations/en with an English text, placeholders
intact, and compiled. A new UI string without English fails here; the fix is
``.venv/bin/python scripts/translations.py``, then write the English, then run it again."""
from __future__ import annotations

import ast
import gettext
import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "web/translations/en/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
FIX = "draai .venv/bin/python scripts/translations.py en vul de Engelse tekst in"


def _script():
    spec = importlib.util.spec_from_file_location("translations_script", ROOT / "scripts" / "translations.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _keys(catalog) -> set:
    return {(m.id, m.context) for m in catalog if m.id}


def _listing(keys) -> str:
    return "\n".join(f"  {key[0]!r}" + (f" (context {key[1]!r})" if key[1] else "") for key in sorted(keys, key=str))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The texts the code marks now, extracted the way scripts/translations.py does."""
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    _script().extract(pot)
    return _catalog(pot)


def test_every_marked_text_is_in_the_catalogue(extracted):
    absent = _keys(extracted) - _keys(_catalog(PO))
    assert not absent, f"teksten in de code die niet in de Engelse catalogus staan ({FIX}):\n{_listing(absent)}"


def test_the_catalogue_holds_no_texts_the_code_no_longer_marks(extracted):
    stale = _keys(_catalog(PO)) - _keys(extracted)
    assert not stale, f"teksten in de catalogus die de code niet meer gebruikt ({FIX}):\n{_listing(stale)}"


def test_every_text_has_english():
    left = _script().missing(PO)
    assert not left, "teksten zonder Engelse tekst:\n" + "\n".join(f"  {text!r}" for text in left)


def test_translations_keep_their_placeholders():
    problems = [f"  {message.id!r}: {'; '.join(map(str, errors))}"
                for message, errors in _catalog(PO).check() if errors]
    assert not problems, "vertalingen met andere plaatshouders dan het origineel:\n" + "\n".join(problems)


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [m.id for m in _catalog(PO)
             if m.id and isinstance(m.id, str) and not m.context and m.string and not m.fuzzy
             and compiled.gettext(m.id) != m.string]
    assert not stale, f"messages.mo is ouder dan messages.po ({FIX}):\n" + "\n".join(f"  {t!r}" for t in stale)


OPERATION = re.compile(r"^(zaak|taak|inbox|client|beheer|ontwerp|audit|api)\.[a-z_.]+$")


def test_every_operation_in_the_access_log_has_a_readable_label():
    """The auditor's data-processing log shows each operation as words, never as a code like
    'ontwerp.proces'; every operation code written in web/ needs a label in OPERATION_LABELS."""
    from web.audit import OPERATION_LABELS

    codes: dict[str, str] = {}
    for source in sorted((ROOT / "web").glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        endpoints = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                     and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("url_for", "render_template")
                     for arg in node.args}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and OPERATION.match(node.value)
                    and id(node) not in endpoints):
                codes.setdefault(node.value, source.name)
    assert len(codes) > 40  # the scan finds the operations (it would pass vacuously if the pattern broke)
    unlabelled = sorted(f"{code} ({where})" for code, where in codes.items() if code not in OPERATION_LABELS)
    assert not unlabelled, "handelingen zonder leesbare naam in web/audit.py OPERATION_LABELS:\n" + "\n".join(unlabelled)


def test_every_operation_the_command_line_logs_has_a_readable_label():
    """The CLI logs its reads and changes as ``cli.<operation>`` (engine/cli ``acting``); each needs a
    label in OPERATION_LABELS too, so the auditor reads 'Zaak bekeken (opdrachtregel)', not a code."""
    from web.audit import OPERATION_LABELS

    codes: dict[str, str] = {}
    for source in sorted((ROOT / "engine" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "acting" and len(node.args) >= 3
                    and isinstance(node.args[2], ast.Constant) and isinstance(node.args[2].value, str)):
                codes.setdefault(f"cli.{node.args[2].value}", source.name)
    # the scan finds the reads and the changes (it would pass vacuously if the pattern broke)
    assert {"cli.zaak.bekijken", "cli.zaak.exporteren", "cli.taken.bekijken", "cli.taak.afronden"} <= set(codes)
    unlabelled = sorted(f"{code} ({where})" for code, where in codes.items() if code not in OPERATION_LABELS)
    assert not unlabelled, "handelingen zonder leesbare naam in web/audit.py OPERATION_LABELS:\n" + "\n".join(unlabelled)
