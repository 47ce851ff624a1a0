"""Static checks on every process under processes/ and every form under forms/.

Each process folder is loaded through the engine on its own (so one broken
process names itself) and checked: user tasks name existing forms, lanes are
known roles (processes/rollen.json), timer and termijn expressions give valid
ISO durations/dates/cycles, and decision tables cover their input range.
"""
from __future__ import annotations

import ast
import itertools
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from engine.core.checks import check_bundle
from engine.core.definitions import MANIFEST, SHARED_DIR, bundle_from_files, discover, load_bundle
from engine.core.forms import VOCABULARY_FILE, FormRegistry
from engine.core.runtime import PHASES, CaseRuntime, properties
from engine.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
ROLLEN = json.loads((PROCESSES / "rollen.json").read_text(encoding="utf-8"))["rollen"]
VOCABULAIRE = json.loads((FORMS / VOCABULARY_FILE).read_text(encoding="utf-8"))["velden"]
PROCESMAPPEN = sorted(p.name for p in PROCESSES.iterdir() if p.is_dir() and (p / MANIFEST).exists())

DUUR = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
CYCLUS = re.compile(r"^R(\d*)/(?:(?P<start>[^/]+)/)?(?P<duur>P[^/]+)$")
# Sample values for date-valued case data used in timer/termijn expressions.
VOORBEELDDATA = {"melddatum": "2026-01-05", "aanvraagdatum": "2026-01-05", "beslisdatum": "2026-03-02",
                 "voorschotdatum": "2026-02-02", "geboortedatum": "1990-01-01", "leeftijd": 36,
                 "gemeente_config": {}}
# Declared ranges of numeric DMN inputs that are not (or differently) in the vocabulary.
BEREIKEN = {"loonwaarde_pct": (0, 100), "trede": (0, 9), "leeftijd": (16, 70), "groep": (1, 4),
            "arbeidsvermogen_pct": (0, 100)}
MAX_COMBINATIES = 50_000


@pytest.fixture(scope="module")
def formulieren() -> FormRegistry:
    return FormRegistry.load_dir(FORMS)


@pytest.fixture(scope="module")
def bundels(formulieren) -> dict:
    return {}


def _bundel(naam: str, formulieren: FormRegistry, cache: dict):
    if naam not in cache:
        cache[naam] = load_bundle(PROCESSES / naam, formulieren, FORMS)
    return cache[naam]


# ------------------------------------------------------------------ whole tree
def test_er_zijn_processen_en_alles_laadt_via_de_engine():
    assert PROCESMAPPEN, "geen procesmappen met proces.json gevonden"
    bundles = discover(PROCESSES, FORMS)
    assert sorted(b.key for b in bundles) == sorted(
        json.loads((PROCESSES / m / MANIFEST).read_text(encoding="utf-8"))["sleutel"] for m in PROCESMAPPEN)


def test_manifesten_zijn_volledig_en_gemeenten_uniek():
    eigenaar: dict[str, str] = {}
    problemen = []
    for map_naam in PROCESMAPPEN:
        manifest = json.loads((PROCESSES / map_naam / MANIFEST).read_text(encoding="utf-8"))
        for veld in ("sleutel", "naam", "organisatie", "gemeenten", "proces", "geldig_vanaf"):
            if not manifest.get(veld):
                problemen.append(f"{map_naam}/{MANIFEST}: veld '{veld}' ontbreekt of is leeg")
        if manifest.get("sleutel") != map_naam:
            problemen.append(f"{map_naam}/{MANIFEST}: sleutel '{manifest.get('sleutel')}' wijkt af van de mapnaam")
        gemeenten = manifest.get("gemeenten") or {}
        for gemeente in (gemeenten if isinstance(gemeenten, dict | list) else []):
            if gemeente in eigenaar and eigenaar[gemeente] != map_naam:
                problemen.append(f"gemeente '{gemeente}' staat in {eigenaar[gemeente]} en in {map_naam}: "
                                 "een nieuwe zaak kan dan geen proces kiezen")
            eigenaar[gemeente] = map_naam
    assert not problemen, "\n".join(problemen)


def test_elke_gemeente_heeft_een_leesbare_naam():
    """Schermen tonen de gemeente met haar officiële naam (processes/gemeenten.json), nooit de sleutel."""
    namen = json.loads((PROCESSES / "gemeenten.json").read_text(encoding="utf-8"))["gemeenten"]
    ontbreekt = []
    for map_naam in PROCESMAPPEN:
        manifest = json.loads((PROCESSES / map_naam / MANIFEST).read_text(encoding="utf-8"))
        ontbreekt += [f"{map_naam}: {g}" for g in manifest.get("gemeenten") or {} if not namen.get(g)]
    assert not ontbreekt, "gemeenten zonder naam in processes/gemeenten.json: " + ", ".join(ontbreekt)


def test_rollen_hebben_naam_en_omschrijving():
    for rol, info in ROLLEN.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", rol), f"rol-id '{rol}': alleen kleine letters, cijfers en _"
        assert info.get("naam") and info.get("omschrijving"), f"rol '{rol}' mist naam of omschrijving"


def test_elk_formulier_laadt_en_heeft_nederlandse_labels(formulieren):
    assert formulieren.forms, "geen formulieren gevonden"
    problemen = []
    for fid, form in sorted(formulieren.forms.items()):
        if not form.schema.get("title"):
            problemen.append(f"formulier '{fid}' heeft geen title")
        for veld, prop in form.schema.get("properties", {}).items():
            if not prop.get("title"):
                problemen.append(f"formulier '{fid}', veld '{veld}' heeft geen title (label)")
            labels = prop.get("x-labels")
            if labels is not None and prop.get("enum"):
                ontbrekend = [str(e) for e in prop["enum"] if str(e) not in labels]
                if ontbrekend:
                    problemen.append(f"formulier '{fid}', veld '{veld}': geen x-label voor {ontbrekend}")
    assert not problemen, "\n".join(problemen)


def test_vocabulaire_is_geldig():
    registry = FormRegistry.from_sources({}, (FORMS / VOCABULARY_FILE).read_text(encoding="utf-8"))
    assert registry.vocabulary
    for veld, prop in VOCABULAIRE.items():
        assert prop.get("type") in {"string", "integer", "number", "boolean", "array"}, veld
        assert prop.get("title"), f"vocabulaireveld '{veld}' heeft geen title"


# ------------------------------------------------------------------ per process
@pytest.mark.parametrize("map_naam", PROCESMAPPEN)
def test_gebruikerstaken_hebben_bestaande_formulieren(map_naam, formulieren, bundels):
    bundle = _bundel(map_naam, formulieren, bundels)
    taken = bundle.meta()["user_tasks"]
    problemen = [f"taak '{t['name']}' ({t['id']}, proces {t['process']}): "
                 + ("geen formulier" if not t["form"] else f"formulier '{t['form']}' bestaat niet")
                 for t in taken if not t["form"] or t["form"] not in formulieren]
    assert not problemen, f"{map_naam}:\n" + "\n".join(problemen)
    for t in taken:
        assert t["lane"], f"{map_naam}: taak '{t['name']}' ({t['id']}) staat in geen lane"


@pytest.mark.parametrize("map_naam", PROCESMAPPEN)
def test_check_bundle_vindt_geen_problemen(map_naam, formulieren, bundels):
    # the same checks deploy and the designer's save run: every shipped process passes them all
    assert check_bundle(_bundel(map_naam, formulieren, bundels)) == []


@pytest.mark.parametrize("map_naam", PROCESMAPPEN)
def test_lanes_zijn_bekende_rollen(map_naam, formulieren, bundels):
    bundle = _bundel(map_naam, formulieren, bundels)
    onbekend = sorted(set(bundle.meta()["lanes"]) - set(ROLLEN))
    assert not onbekend, (f"{map_naam}: lanes zonder rol in processes/rollen.json: {onbekend} "
                          f"(bekende rollen: {', '.join(sorted(ROLLEN))})")


@pytest.mark.parametrize("map_naam", PROCESMAPPEN)
def test_fasen_zijn_geldig(map_naam, formulieren, bundels):
    bundle = _bundel(map_naam, formulieren, bundels)
    assert set(bundle.meta()["phases"]) <= set(PHASES)
    assert bundle.meta()["phases"], f"{map_naam}: geen enkel knooppunt heeft een fase"


def _letterlijk(expressie: str):
    try:
        tree = ast.parse(expressie.strip(), mode="eval")
    except SyntaxError:
        return None
    if isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str):
        return tree.body.value
    return None


def _namen(expressie: str) -> set[str]:
    tree = ast.parse(expressie.strip(), mode="eval")
    functies = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - functies


def _waarde(expressie: str):
    """The literal value, or the value against sample data, or None if it needs other case data."""
    letterlijk = _letterlijk(expressie)
    if letterlijk is not None:
        return letterlijk
    data = dict(VOORBEELDDATA)
    for naam in _namen(expressie):
        if naam not in data:
            if naam.endswith("datum") or naam.endswith("_op"):
                data[naam] = "2026-01-05"
            else:
                return None
    return CaseRuntime.script_engine().environment.evaluate(expressie, data)


def _is_datum(tekst: str) -> bool:
    from engine.core.clock import parse_moment

    try:
        parse_moment(str(tekst))
        return True
    except ValueError:
        return False


def _controleer_timer(soort: str, waarde) -> str | None:
    tekst = str(waarde).strip()
    if soort == "duur":
        return None if DUUR.match(tekst.upper()) else f"geen ISO-duur (verwacht bijvoorbeeld \"P4W\"): {tekst!r}"
    if soort == "datum":
        return None if _is_datum(tekst) else f"geen datum/tijdstip (JJJJ-MM-DD): {tekst!r}"
    if soort == "cyclus":
        match = CYCLUS.match(tekst.upper())
        if not match:
            return f"geen cyclus (verwacht bijvoorbeeld \"R/P3M\" of \"R4/2026-01-01/P1M\"): {tekst!r}"
        if not DUUR.match(match.group("duur")):
            return f"cyclus met ongeldige duur: {tekst!r}"
        if match.group("start") and not _is_datum(match.group("start")):
            return f"cyclus met ongeldige start: {tekst!r}"
        return None
    return f"onbekende timersoort {soort}"


@pytest.mark.parametrize("map_naam", PROCESMAPPEN)
def test_timers_en_termijnen_zijn_geldige_iso_waarden(map_naam, formulieren, bundels):
    bundle = _bundel(map_naam, formulieren, bundels)
    meta = bundle.meta()
    problemen = []
    for timer in meta["timers"]:
        waarde = _waarde(timer["expression"])
        if waarde is not None:
            fout = _controleer_timer(timer["kind"], waarde)
            if fout:
                problemen.append(f"timer '{timer['name']}' ({timer['id']}, {timer['process']}): {fout}")
    for taak in meta["user_tasks"]:
        if taak["termijn"]:
            waarde = _waarde(taak["termijn"])
            if waarde is not None and not (DUUR.match(str(waarde).upper()) or _is_datum(str(waarde))):
                problemen.append(f"termijn van '{taak['name']}' ({taak['id']}): geen duur of datum: {waarde!r}")
    assert not problemen, f"{map_naam}:\n" + "\n".join(problemen)


# ------------------------------------------------------------------ decision tables
def _beslistabellen(bundle):
    spec, subs = bundle.specs()
    gezien = {}
    for each in [spec, *subs.values()]:
        for ts in each.task_specs.values():
            engine = getattr(ts, "dmnEngine", None)
            if engine is not None:
                gezien[engine.decision_table.id] = (ts.bpmn_id or ts.name, engine)
    return gezien


def _letterlijke_waarden(tekst: str) -> list:
    out = []
    try:
        tree = ast.parse(tekst.replace("?", "dmninputexpr"), mode="eval")
    except SyntaxError:
        try:
            tree = ast.parse("v " + tekst, mode="eval")
        except SyntaxError:
            return out
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
            out.append(node.value)
    return out


def _domein(naam: str, invoer, regels_teksten: list[str]) -> list | None:
    prop = VOCABULAIRE.get(naam, {})
    if naam in BEREIKEN:
        lo, hi = BEREIKEN[naam]
        return list(range(lo, hi + 1))
    if prop.get("type") == "boolean" or (invoer is not None and invoer.typeRef == "boolean"):
        return [True, False]
    if prop.get("enum"):
        return list(prop["enum"])
    if prop.get("type") == "integer" and "minimum" in prop and "maximum" in prop:
        return list(range(prop["minimum"], prop["maximum"] + 1))
    waarden = set()
    for tekst in regels_teksten:
        for w in _letterlijke_waarden(tekst):
            if isinstance(w, bool) or isinstance(w, str):
                waarden.add(w)
            else:
                waarden.update({w - 1, w, w + 1})
    return sorted(waarden, key=repr) if waarden else None


@pytest.mark.parametrize("map_naam", PROCESMAPPEN)
def test_beslistabellen_dekken_hun_invoerbereik(map_naam, formulieren, bundels):
    problemen = _dekkingsproblemen(_bundel(map_naam, formulieren, bundels))
    assert not problemen, f"{map_naam}:\n" + "\n".join(problemen)


def _dekkingsproblemen(bundle) -> list[str]:
    script_engine = CaseRuntime.script_engine()
    problemen = []
    for tabel_id, (taak, dmn) in sorted(_beslistabellen(bundle).items()):
        tabel = dmn.decision_table
        beleid = (tabel.hit_policy or "UNIQUE").upper()
        if beleid == "COLLECT":
            continue
        # Sample each input column on its own (its declared range, its choices, or the literals its
        # rules mention) and evaluate every rule's entries as Spiff's DMN engine does.
        domeinen: list[list] = []
        onbekend = []
        for index, invoer in enumerate(tabel.inputs):
            teksten = [" ".join(str(x) for x in r.inputEntries[index].lhs if x) for r in tabel.rules
                       if index < len(r.inputEntries)]
            expressie = invoer.expression.strip()
            naam = expressie if expressie.isidentifier() else ""
            domein = _domein(naam, invoer, teksten)
            if domein is None:
                onbekend.append(expressie)
            domeinen.append(domein or [])
        if onbekend:
            problemen.append(f"tabel '{tabel_id}' (taak {taak}): bereik van {onbekend} onbekend; "
                             "voeg het veld toe aan forms/vocabulaire.json of aan BEREIKEN in deze test")
            continue
        aantal = 1
        for domein in domeinen:
            aantal *= len(domein)
        assert aantal <= MAX_COMBINATIES, f"tabel '{tabel_id}': te veel combinaties ({aantal})"
        kolommen = [f"dmn_invoer_{i}" for i in range(len(domeinen))]
        labels = [invoer.expression.strip() for invoer in tabel.inputs]
        for combinatie in itertools.product(*domeinen):
            data = dict(zip(kolommen, combinatie, strict=True))
            nep = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=script_engine))
            leesbaar = dict(zip(labels, combinatie, strict=True))
            try:
                treffers = [r.row_number for r in tabel.rules
                            if all(dmn.evaluate(kolommen[i], lhs, nep)
                                   for i, entry in enumerate(r.inputEntries) for lhs in entry.lhs if lhs)]
            except Exception as exc:  # noqa: BLE001 - reported with the input that caused it
                problemen.append(f"tabel '{tabel_id}': fout bij invoer {leesbaar}: {exc}")
                break
            if beleid == "UNIQUE" and len(treffers) != 1:
                problemen.append(f"tabel '{tabel_id}' (UNIQUE): invoer {leesbaar} raakt {len(treffers)} regels "
                                 f"{treffers} in plaats van precies 1")
                break
            if beleid != "UNIQUE" and not treffers:
                problemen.append(f"tabel '{tabel_id}' ({beleid}): invoer {leesbaar} raakt geen enkele regel")
                break
    return problemen


GATEN_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="gaten" name="Tabel met gat en overlap">
    <decisionTable id="gaten_tabel" hitPolicy="UNIQUE">
      <input id="i1" label="Loonwaarde"><inputExpression id="e1" typeRef="integer"><text>loonwaarde_pct</text>
      </inputExpression></input>
      <output id="o1" name="route" typeRef="string" />
      <rule id="r1"><inputEntry id="r1i"><text>&lt; 30</text></inputEntry><outputEntry id="r1o"><text>"a"</text>
      </outputEntry></rule>
      <rule id="r2"><inputEntry id="r2i"><text>&gt;= %s</text></inputEntry><outputEntry id="r2o"><text>"b"</text>
      </outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize("grens,verwacht", [(30, None), (40, "raakt 0 regels"), (20, "raakt 2 regels")])
def test_dekkingscontrole_vindt_gaten_en_overlap(tmp_path, formulieren, grens, verwacht):
    # check_bundle (at load) now refuses gaps and overlaps itself; this test's sampler must agree.
    proces = tmp_path / "processes" / "gatentest"
    proces.mkdir(parents=True)
    bpmn = (PROCESSES / "voorbeeld" / "voorbeeld.bpmn").read_text(encoding="utf-8")
    (proces / "voorbeeld.bpmn").write_text(bpmn.replace("voorbeeld_route<", "gaten<"), encoding="utf-8")
    (proces / "gaten.dmn").write_text(GATEN_DMN % grens, encoding="utf-8")
    (proces / MANIFEST).write_text(json.dumps({"sleutel": "gatentest", "proces": "voorbeeld_participatie"}),
                                   encoding="utf-8")
    if verwacht is None:
        assert _dekkingsproblemen(load_bundle(proces, formulieren, FORMS)) == []
        return
    with pytest.raises(DefinitionError) as fout:
        load_bundle(proces, formulieren, FORMS)
    assert ("gat in de tabel" if grens == 40 else "overlap") in fout.value.message
    assert fout.value.details["elements"][0]["file"] == "gaten.dmn"
    files = {n: p.read_text(encoding="utf-8") for n, p in ((p.name, p) for p in proces.iterdir())
             if n != MANIFEST}
    files.update({f"{SHARED_DIR}/{p.name}": p.read_text(encoding="utf-8")
                  for p in (PROCESSES / SHARED_DIR).glob("*.bpmn")})
    bundle = bundle_from_files({"sleutel": "gatentest", "proces": "voorbeeld_participatie"}, files, {})
    problemen = _dekkingsproblemen(bundle)
    assert len(problemen) == 1 and verwacht in problemen[0], problemen


def test_gedeelde_map_heeft_geen_manifest():
    assert not (PROCESSES / SHARED_DIR / MANIFEST).exists()
    for pad in (PROCESSES / SHARED_DIR).glob("*.bpmn"):
        assert pad.stem.startswith("gedeeld_"), f"{pad.name}: gedeelde bestanden beginnen met gedeeld_"


def test_hulpfuncties_op_de_jongerentimer_van_gedeeld_aanvraag(formulieren, bundels):
    # sanity check for the helpers above: the youth timer of gedeeld_aanvraag is a valid date timer
    bundle = _bundel("tilburg", formulieren, bundels)  # calls gedeeld_aanvraag
    timers = {t["id"]: t for t in bundle.meta()["timers"]}
    jong = timers["zoektermijn_jongeren"]
    assert jong["kind"] == "datum"
    assert _waarde(jong["expression"]) == "2026-02-02"
    assert _controleer_timer("datum", "2026-02-30") is not None
    assert _controleer_timer("duur", "4 weken") is not None
    assert _controleer_timer("cyclus", "R/P3M") is None
    assert _controleer_timer("cyclus", "R8/P3M") is None
    spec, subs = bundle.specs()
    assert properties(subs["gedeeld_aanvraag"].task_specs["zoektermijn_jongeren"])["fase"] == "inspanningsperiode"
