"""Lay out every BPMN file under processes/ (BPMN DI for reading) and report the result.

    .venv/bin/python scripts/layout_processes.py           # write the layout in place
    .venv/bin/python scripts/layout_processes.py --check   # exit 1 when a file's DI is missing or stale
    .venv/bin/python scripts/layout_processes.py --markdown docs/diagrams.md   # also write the table

"Before" is a naive layout (breadth-first ranks, file order, no lane bands, straight flows), an
approximation of what the product showed without DI; "after" is engine.core.layout's layered layout.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.core.layout import apply_layout, naive_metrics  # noqa: E402

HEADER = ["| bestand | breedte voor | breedte na | hoogte na | kolommen | kruisingen voor | kruisingen na |",
          "|---|---:|---:|---:|---:|---:|---:|"]


def bpmn_files(root: Path) -> list[Path]:
    return sorted(root.glob("**/*.bpmn"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when DI is missing or stale")
    parser.add_argument("--markdown", type=Path, help="write the table as markdown to this file")
    parser.add_argument("--processes", type=Path, default=ROOT / "processes")
    args = parser.parse_args(argv)

    rows, stale = [], []
    for path in bpmn_files(args.processes):
        text = path.read_text(encoding="utf-8")
        new, after = apply_layout(text)
        before = naive_metrics(text)
        name = path.relative_to(args.processes).as_posix()
        if new != text:
            stale.append(name)
            if not args.check:
                path.write_text(new, encoding="utf-8")
        rows.append(f"| {name} | {before['width']} | {after['width']} | {after['height']} | {after['columns']} | "
                    f"{before['crossings']} | {after['crossings']} |")
    print("\n".join(HEADER + rows))
    if args.markdown:
        args.markdown.write_text(markdown(rows), encoding="utf-8")
    if args.check:
        if stale:
            print(f"\nDI ontbreekt of is verouderd in: {', '.join(stale)}\n"
                  "Draai `.venv/bin/python scripts/layout_processes.py`.", file=sys.stderr)
            return 1
        print("\nAlle diagrammen zijn actueel.")
    elif stale:
        print(f"\nOpnieuw opgemaakt: {', '.join(stale)}")
    return 0


def markdown(rows: list[str]) -> str:
    return "\n".join([
        "# Procesdiagrammen",
        "",
        "Elk BPMN-bestand onder `processes/` draagt een diagram (BPMN DI) dat `engine/core/layout.py` berekent:",
        "van links naar rechts, één baan (lane) per rol, lussen terug onder of boven hun rij, grensgebeurtenissen",
        "op de onderrand van hun taak. Opnieuw opmaken na een wijziging: `.venv/bin/python scripts/layout_processes.py`;",
        "`--check` faalt als een diagram ontbreekt of verouderd is. `werkpad processes docs` tekent het diagram",
        "als SVG naast de procesdocumentatie (`docs/processes/<sleutel>.svg`).",
        "",
        "Breedte en hoogte in pixels; kruisingen als aantal paren stroomlijnen dat elkaar snijdt; kolommen is de",
        "lengte van het langste pad (in stappen) door het proces. \"Voor\" is een naïeve opmaak (rangen via",
        "breedte-eerst zoeken, bestandsvolgorde, geen banen, rechte lijnen), een benadering van wat het product",
        "zonder diagraminformatie toonde; bpmn-auto-layout zelf draait alleen in de browser.",
        "",
        "De breedte volgt uit het langste pad: elke stap erop krijgt een eigen kolom (taak 120–180 px, gebeurtenis",
        "of gateway 50–90 px, plus een tussenruimte). Werk.Kom en Nijmegen hebben paden van 45 à 47 stappen; van",
        "links naar rechts in één strook passen die niet in 4000 px. De naïeve opmaak is smaller omdat ze het",
        "kortste pad telt en alles over elkaar legt. Smaller kan alleen door het proces te knippen (bijvoorbeeld",
        "fasen als ingeklapte subprocessen) — dat is een wijziging van het model, niet van de opmaak.",
        "",
        "Controles van de opmaak zelf (`tests/unit/test_layout.py`): geen lijn door een vorm, vormen overlappen",
        "niet, elke knoop en elke stroom heeft diagraminformatie, opnieuw draaien verandert niets.",
        "",
        *HEADER,
        *rows,
        "",
    ])


if __name__ == "__main__":
    sys.exit(main())
