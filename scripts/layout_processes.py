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
        "Elk BPMN-bestand onder `processes/` draagt een diagram (BPMN DI) dat `engine/core/layout.py` berekent.",
        "Opnieuw opmaken na een wijziging: `.venv/bin/python scripts/layout_processes.py`; `--check` faalt als een",
        "diagram ontbreekt of verouderd is. `werkpad processes docs` tekent het diagram als SVG naast de",
        "procesdocumentatie (`docs/processes/<sleutel>.svg`). De zaakpagina en de modeler (bpmn-js) tonen",
        "hetzelfde diagram, want het staat in het bestand.",
        "",
        "## Twee opmaken",
        "",
        "**Eén strook** (de gewone opmaak): van links naar rechts, één baan (lane) per rol, lussen terug onder of",
        "boven hun rij, grensgebeurtenissen op de onderrand van hun taak. De banen staan in bestandsvolgorde, in",
        "de volgorde waarin het proces ze bereikt, of vanaf de eerste bereikte baan steeds de baan met de meeste",
        "stromen naar de laatst geplaatste banen: wat het minst kruist. Een stroom die kolommen overslaat en",
        "een lus mogen in plaats daarvan langs de onder- of bovenrand van het diagram lopen (uit de tussenruimte",
        "na de kolom van de bron, terug door de tussenruimte voor de kolom van het doel), stroom voor stroom als",
        "dat minder kruisingen geeft. Van de grensgebeurtenissen op één taak staat die waarvan de stroom het",
        "laagst uitkomt links; dan loopt zijn stroom onder die van de andere door in plaats van erdoorheen.",
        "",
        "**Rijen per fase**, voor een proces dat in één strook breder wordt dan 5000 px",
        "(`PHASE_ROWS_ABOVE`): elke fase (de `fase` van de taken; een gateway of gebeurtenis zonder eigen fase",
        "hoort bij de fase van de meeste van zijn stromen, een grensgebeurtenis bij die van zijn taak) krijgt een",
        "eigen rij van links naar rechts, de rijen onder elkaar in de volgorde waarin het proces ze bereikt. Om",
        "elke rij staat een BPMN-`group` met een `categoryValue` met de naam van de fase zoals de zaakpagina hem",
        "noemt (Poort, Inspanningsperiode, Diagnose, Traject, Nazorg); die groepen schrijft de",
        "opmaak zelf in het model (ids `Fase_<proces>_<fase>`, categorie `Fasen_<proces>`) en ververst ze bij elke",
        "run. Banen worden dan niet getekend: een lane is in BPMN DI één rechthoek en kan niet in elke rij",
        "terugkomen. De rol blijft in het model (de `laneSet`, waar de engine de rol van een taak leest) en is in",
        "het diagram de kleur van de taak (`bioc:fill`/`bioc:stroke` en `color:background-color`/",
        "`color:border-color`, die bpmn-js leest), met een legenda van de rollen onder de SVG in",
        "`docs/processes/`. Een stroom tussen fasen verlaat zijn rij door de tussenruimte na de kolom van de bron",
        "(tussenruimtes bevatten geen vormen; aan het begin of het eind van die ruimte), of recht door de eigen",
        "kolom als de bron daar de onderste (bovenste) vorm is, omlaag (omhoog) naar de gang onder (boven) de",
        "rij, en komt binnen vanuit de gang boven of onder de rij van het doel, door de tussenruimte voor de",
        "kolom van het doel of recht door die kolom; zijn dat twee gangen, dan loopt hij ertussen langs een",
        "verticale lijn links of rechts van de rijen. Per stroom wordt die weg gekozen, en de volgorde van de",
        "sporen in een gang, van de lijnen in een tussenruimte en langs de zijkanten, op zo min mogelijk",
        "kruisingen (stroom voor stroom en door buren te verwisselen, zolang dat minder kruisingen geeft; bij",
        "gelijke aantallen de kortste). Elke rij wordt in bestandsvolgorde en omgekeerd geprobeerd, waarbij ook",
        "telt hoeveel stromen een lijn naar de rand van de rij zou kruisen voor elke stroom naar een andere",
        "rij; een grensgebeurtenis waarvan de stroom de rij verlaat staat links op zijn taak.",
        "",
        "Gemeten op de bestanden van nu (met de berichtgebeurtenissen voor werk gevonden):",
        "",
        "| proces | één strook: breedte | kruisingen | rijen per fase: breedte | hoogte | kruisingen |",
        "|---|---:|---:|---:|---:|---:|",
        "| werkkom | 7441 | 19 | 4267 | 3484 | 11 |",
        "| nijmegen | 6940 | 13 | 3247 | 3202 | 12 |",
        "| weener_xl | 6041 | 27 | 2785 | 3448 | 34 |",
        "",
        "Alle drie passen ruim in 4500 px. Werk.Kom en Nijmegen hebben in rijen minder kruisingen dan in één",
        "strook; Weener XL nog meer (34 tegen 27): zijn rij voor het traject is druk (9 kruisingen binnen de",
        "rij) en de stromen tussen fasen (12) moeten die rij uit of in en kruisen daar 17 keer een stroom",
        "binnen een rij. Vóór deze ronde waren het 44 (Werk.Kom), 15 (Nijmegen) en 53 (Weener XL) in rijen,",
        "en in één strook 77 (Alphen), 19 (Amersfoort), 18 (IJmond), 15 (Súdwest-Fryslân), 8 (Tilburg); zie de tabel",
        "hieronder voor nu. Lanes zijn niet meer te zien; de",
        "kleur en de legenda nemen hun plaats in. bpmn-js (viewer op de zaakpagina en modeler) leest de drie",
        "bestanden zonder importwaarschuwingen, toont de groepen en de kleuren, en bewaart de groepen bij opslaan.",
        "",
        "Breedte en hoogte in pixels; kruisingen als aantal paren stroomlijnen dat elkaar snijdt; kolommen is de",
        "lengte van het langste pad (in stappen) door het proces, bij rijen per fase door de breedste rij.",
        "\"Voor\" is een naïeve opmaak (rangen via breedte-eerst zoeken, bestandsvolgorde, geen banen, rechte",
        "lijnen), een benadering van wat het product zonder diagraminformatie toonde; bpmn-auto-layout zelf",
        "draait alleen in de browser.",
        "",
        "Controles van de opmaak zelf (`tests/unit/test_layout.py`): geen lijn door een vorm, vormen overlappen",
        "niet (groepen en banen tellen niet als vorm), elke knoop en elke stroom heeft diagraminformatie, elke",
        "fasegroep ook (en dan geen baan), opnieuw draaien verandert niets; bij rijen per fase ligt elke knoop in",
        "de groep van zijn fase en heeft elke rol één eigen kleur.",
        "",
        *HEADER,
        *rows,
        "",
    ])


if __name__ == "__main__":
    sys.exit(main())
