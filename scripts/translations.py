"""Keep the English catalogue in step with the code: extract every marked string from web/ (and the
engine messages the web translates), update web/translations/en, keep existing translations, compile.

    .venv/bin/python scripts/translations.py            extract, update, compile
    .venv/bin/python scripts/translations.py --merge A.po B.po   first take translations from other
                                                        catalogues (after a merge of two branches)
    .venv/bin/python scripts/translations.py --check     fail when a string has no English text
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "web/translations/en/LC_MESSAGES/messages.po"
POT = ROOT / "web/translations/messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def merge(sources: list[Path]) -> int:
    with PO.open("rb") as f:
        catalog = read_po(f)
    added = 0
    for source in sources:
        with source.open("rb") as f:
            other = read_po(f)
        for message in other:
            if not message.id or not message.string:
                continue
            mine = catalog.get(message.id, message.context)
            if mine is None:
                catalog[message.id] = message
                added += 1
            elif not mine.string or mine.fuzzy:
                mine.string = message.string
                mine.flags.discard("fuzzy")
                added += 1
    with PO.open("wb") as f:
        write_po(f, catalog, width=100)
    return added


def extract(pot: Path) -> None:
    """Every marked string in the code, written as a template to ``pot`` (the tests compare it with
    the catalogue)."""
    pybabel("extract", "-F", "web/babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "Msg",  # Msg: engine texts
            "-o", str(pot), "--sort-by-file", "--no-wrap", ".")


def missing(po: Path = PO) -> list[str]:
    with po.open("rb") as f:
        catalog = read_po(f)
    def untranslated(m) -> bool:  # a plural's text is a tuple of forms: every form must be there
        return not all(m.string) if isinstance(m.string, tuple) else not m.string

    return [str(m.id) for m in catalog if m.id and (untranslated(m) or m.fuzzy)]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        left = missing()
        for text in left:
            print(f"zonder Engelse tekst: {text[:90]!r}")
        return 1 if left else 0
    if argv[:1] == ["--merge"]:
        print(f"{merge([Path(p) for p in argv[1:]])} vertalingen overgenomen")
    extract(POT.relative_to(ROOT))
    pybabel("update", "-i", str(POT.relative_to(ROOT)), "-d", "web/translations", "--no-fuzzy-matching",
            "--no-wrap")
    pybabel("compile", "-d", "web/translations")
    print(f"{len(missing())} teksten zonder Engelse vertaling")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
