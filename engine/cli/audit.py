"""CLI for auditors: ``audit verify`` with a progress bar, ``audit anchor``,
``audit check-anchor``, ``case export`` and ``retention list|approve|destroy``.
The groups in :mod:`engine.cli` load these commands when they are run."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..app.audit_workspace import ANCHOR_KEY_ENV, AuditorWorkspace, json_default, load_or_create_key
from ..app.auditing import problem_text
from ..core.findings import who, words
from ..errors import WerkpadError
from . import MOMENT, acting, as_person, reads

FINDING_FIELDS = ("case", "kind", "change", "event", "type", "label", "at", "actor", "field", "recorded",
                  "rebuilt", "differences", "reason", "stored_state")


def finding_json(result: dict) -> dict:
    """A verify or replay finding for --json: kind altered|replay_differs, event, field, recorded, rebuilt."""
    out = {k: result.get(k) for k in FINDING_FIELDS if k in result}
    out["problem"] = result.get("problem") or problem_text(result)
    return out


def finding_lines(result: dict, indent: str = "  ", names: dict[str, str] | None = None) -> str:
    """A finding in words: which case (by ``names``: its number and client), what kind, which event
    (label, when, who), what differs."""
    case = result.get("case")
    head = f"{indent}{(names or {}).get(case) or case}: " if case else indent
    if result.get("kind") == "altered":
        lines = [f"{head}VASTLEGGING GEWIJZIGD ({result.get('change_words', '')}) — {result['reason']}"]
    elif result.get("kind") == "replay_differs":
        stored = bool(result.get("stored_state"))
        lines = [f"{head}OPGESLAGEN TOESTAND WIJKT AF (de gebeurtenissen zijn ongeschonden; de toestand is buiten "
                 f"Werkpad om gewijzigd of wordt anders gelezen) — {result['reason']}" if stored else
                 f"{head}REPLAY WIJKT AF (de vastlegging is ongeschonden) — {result['reason']}"]
        side = "opgeslagen" if stored else "vastgelegd"
        for d in result.get("differences") or []:
            lines.append(f"{indent}    {d['label']}: {side} {words(d['recorded'])} | herbouwd {words(d['rebuilt'])}")
    else:
        lines = [f"{head}{result.get('reason', '')}"]
    if result.get("label") and result.get("kind"):
        lines.append(f"{indent}    gebeurtenis {result.get('event')}: {result['label']}, {result.get('at_words', '')}, "
                     f"door {who(str(result.get('actor') or ''))}")
    return "\n".join(lines)


def case_names(wp: Any, case_ids: list) -> dict[str, str]:
    """The cases of findings as people know them: "zaak 2026-000033 (Joost Bos)", in one read; a case
    that is no longer there keeps its id."""
    labels = AuditorWorkspace(wp).case_labels(case_ids, None)
    return {case_id: f"zaak {number or case_id}" + (f" ({client})" if client else "")
            for case_id, (client, number) in labels.items()}


def _fail(message: str) -> None:
    click.echo(f"fout: {message}", err=True)
    sys.exit(1)


@click.command("verify")
@click.option("--no-replay", is_flag=True, help="Alleen de hashketen controleren.")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def audit_verify(ctx_obj, no_replay: bool, as_json: bool):
    """Controleer de hashketen en de replay van elke zaak; exit 1 als iets niet klopt.
    Als beheerder van de server (in het logboek dataverwerkingen: één regel per organisatie)."""
    bar: Any = None

    def progress(done: int, total: int) -> None:  # a bar on a terminal only; --json and pipes stay clean
        nonlocal bar
        if bar is None and sys.stderr.isatty():
            bar = click.progressbar(length=total, file=sys.stderr, label="zaken controleren")
        if bar is not None:
            bar.update(1)

    from ..app.reads import AUDIT_ACTIVITY

    try:
        wp = ctx_obj()
        operator, context = acting(wp, None, "audit.controleren", "Audittrail van alle zaken controleren",
                                   AUDIT_ACTIVITY)
        r = wp.verify_audit(replay=not no_replay, progress=progress)
        reads(wp).every_case(operator, context)  # before any finding is shown
    except WerkpadError as exc:
        _fail(exc.message)
    if bar is not None:
        bar.render_finish()
    broken = r["broken"]
    trail = _account_trail(ctx_obj)  # account changes: a chain of their own (engine/app/account_trail.py)
    shown = trail["records"] or not trail["ok"]  # a database without account changes: nothing to say
    if as_json:
        click.echo(json.dumps({**r, "broken": [finding_json(b) for b in broken],
                               **({"account_trail": trail} if shown else {})}, ensure_ascii=False, indent=2))
    elif r["ok"]:
        click.echo(f"audit in orde: {r['cases']} zaken")
    else:
        names = case_names(wp, [b.get("case") for b in broken])
        click.echo("audit NIET in orde:\n" + "\n".join(finding_lines(b, names=names) for b in broken))
        click.echo(f"{len(broken)} bevinding(en) bij {r['cases']} zaken")
    if not as_json and r["in_error"]:
        click.echo(f"let op: {len(r['in_error'])} zaak/zaken in fout (de geschiedenis is gecontroleerd, de opgeslagen "
                   "toestand niet: die kan de oorzaak zijn):\n" + "\n".join(
                       f"  {c['number'] or c['case']}  {c['client']} — {c['error']}" for c in r["in_error"]))
    if not as_json and shown:
        from .users import account_trail_words

        click.echo(account_trail_words(trail))
    if not r["ok"] or not trail["ok"]:
        sys.exit(1)


def _account_trail(ctx_obj) -> dict:
    from ..app.account_trail import verify_trail

    return verify_trail(ctx_obj().db)


@click.command("anchor")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help=f"Ed25519-sleutel (PEM); standaard ${ANCHOR_KEY_ENV} of instance/anker.key (wordt aangemaakt).")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def audit_anchor(ctx_obj, out: Path, key_path: Path | None, as_json: bool):
    """Schrijf een ondertekend integriteitsanker: de laatste vingerafdruk van elke zaak."""
    try:
        key = load_or_create_key(key_path)
        anchor = AuditorWorkspace(ctx_obj()).write_anchor(key)
    except WerkpadError as exc:
        _fail(exc.message)
    out.write_text(json.dumps(anchor, ensure_ascii=False, indent=2), encoding="utf-8")
    summary = {"out": str(out), "cases": len(anchor["cases"]), "digest": anchor["digest"],
               "created_at": anchor["created_at"]}
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2) if as_json else
               f"anker geschreven naar {out}: {summary['cases']} zaken, vingerafdruk {anchor['digest'][:16]}…")


@click.command("check-anchor")
@click.argument("anchor_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Controleer de handtekening tegen deze sleutel (standaard de ingestelde, als die bestaat).")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def audit_check_anchor(ctx_obj, anchor_file: Path, key_path: Path | None, as_json: bool):
    """Welke zaken zijn sinds het anker gewijzigd, verdwenen of herschreven; exit 1 als iets niet klopt."""
    try:
        anchor = json.loads(anchor_file.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        _fail(f"{anchor_file} is geen leesbaar anker ({exc})")
    configured = key_path or (Path(os.environ[ANCHOR_KEY_ENV]) if os.environ.get(ANCHOR_KEY_ENV) else None)
    if configured is None:
        from ..app.facade import ROOT

        default = ROOT / "instance" / "anker.key"
        configured = default if default.exists() else None
    try:
        public = load_or_create_key(configured).public_key() if configured and configured.exists() else None
        r = AuditorWorkspace(ctx_obj()).check_anchor(anchor, public)
    except WerkpadError as exc:
        _fail(exc.message)
    if as_json:
        click.echo(json.dumps(r, ensure_ascii=False, indent=2))
    else:
        lines = [f"anker van {r['created_at']}: {r['cases']} zaken"]
        lines.append("handtekening klopt" + ("" if public is not None else " (met de sleutel in het anker)")
                     if r["signature_ok"] else f"handtekening klopt NIET: {r['signature_reason']}")
        lines += [f"  {f['case']}: {f['finding']} — {f['reason']}" for f in r["findings"]]
        lines += [f"  {d['case']}: vernietigd met verklaring ({d['destroyed_at']}, goedgekeurd door "
                  f"{d['approved_by']}, vernietigd door {d['destroyed_by']})" for d in r.get("destroyed", [])]
        if r["new_cases"]:
            lines.append(f"{len(r['new_cases'])} nieuwe zaken sinds het anker")
        lines.append("alles ongewijzigd sinds het anker" if r["ok"] else "NIET in orde")
        click.echo("\n".join(lines))
    if not r["ok"]:
        sys.exit(1)


@click.command("export")
@click.argument("case_id")
@click.option("--format", "fmt", type=click.Choice(["json", "zgw", "pdf"]), default="json", show_default=True)
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Bestand; standaard naar stdout.")
@as_person()
@click.option("--json", "as_json", is_flag=True,
              help="Uitvoer als JSON: het dossier zelf, of bij --out wat er geschreven is.")
@click.pass_obj
def case_export(ctx_obj, case_id: str, fmt: str, out: Path | None, user: str | None, as_json: bool):
    """Exporteer een zaakdossier: volledig (json), als ZGW-zaak (zgw) of leesbaar als PDF (pdf).
    Namens --user (een auditor van de organisatie), of als beheerder."""
    from ..app.reads import AUDIT_ACTIVITY

    def written(size: int) -> None:
        click.echo(json.dumps({"case": case_id, "format": fmt, "out": str(out), "bytes": size}, ensure_ascii=False,
                              indent=2) if as_json else
                   f"zaakdossier{' (PDF)' if fmt == 'pdf' else ''} geschreven naar {out}")

    if fmt == "pdf" and out is None:
        _fail("een PDF gaat naar een bestand: geef --out BESTAND.pdf")
    try:
        from . import case_id_of

        case_id = case_id_of(ctx_obj, case_id)
        wp = ctx_obj()
        auditing = AuditorWorkspace(wp)
        person, context = acting(wp, user, "zaak.exporteren",
                                 "Zaakdossier exporteren" + (" (PDF)" if fmt == "pdf" else ""), AUDIT_ACTIVITY)
        seen = reads(wp).case(person, context, case_id, auditing=True)
        if fmt == "pdf":
            from ..app.audit_pdf import case_file_pdf

            data: Any = case_file_pdf(auditing, case_id)
        else:
            data = auditing.export_zgw(case_id) if fmt == "zgw" else auditing.export_json(case_id)
        reads(wp).shown(person, context, [seen])  # before anything leaves: no row, no export
    except WerkpadError as exc:
        _fail(exc.message)
    if fmt == "pdf":
        assert out is not None
        out.write_bytes(data)
        written(len(data))
        return
    text = json.dumps(data, ensure_ascii=False, indent=2, default=json_default)
    if out is None:
        click.echo(text)  # the export is JSON already, with or without --json
    else:
        out.write_text(text, encoding="utf-8")
        written(len(text.encode("utf-8")))


@click.command("list")
@click.option("--due", "due_only", is_flag=True, help="Alleen zaken waarvan de vernietigingsdatum is bereikt.")
@click.option("--at", type=MOMENT, default=None, help="Peildatum (standaard nu).")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def retention_list(ctx_obj, due_only: bool, at, as_json: bool):
    """Elke afgesloten zaak met uitkomst, bewaartermijn en vernietigingsdatum."""
    from ..core import clock
    from ..core.findings import dutch_date

    try:
        wp = ctx_obj()
        operator, context = acting(wp, None, "bewaartermijnen.bekijken", "Bewaartermijnen van afgesloten zaken inzien")
        items = wp.retention.list_cases(clock.local_date(at) if at else None, due_only=due_only)
        reads(wp).per_organisation(operator, context, [i["organisation"] for i in items])
    except WerkpadError as exc:
        _fail(exc.message)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for i in items:
        click.echo(f"{i['case']}  {i['organisation']:<16} {i['rule']:<62} vernietigen vanaf "
                   f"{dutch_date(i['destruction_date'] + 'T12:00:00+00:00')}{'  (nu)' if i['due'] else ''}")
    click.echo(f"{len(items)} zaken, {sum(1 for i in items if i['due'])} te vernietigen")


@click.command("approve")
@click.option("--user", "--als", "user", required=True, metavar="GEBRUIKER",
              help="Wie de vernietigingslijst goedkeurt: een auditor of beheerder van de organisatie.")
@click.option("--at", type=MOMENT, default=None)
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def retention_approve(ctx_obj, user: str, at, as_json: bool):
    """Keur de lijst van nu te vernietigen zaken goed (een ander vernietigt)."""
    try:
        wp = ctx_obj()
        person, context = acting(wp, user, "vernietigingslijst.goedkeuren",
                                  "Vernietigingslijst goedkeuren (Archiefwet)")
        r = wp.retention.approve(person, at, context=context)
    except WerkpadError as exc:
        _fail(exc.message)
    click.echo(json.dumps(r, ensure_ascii=False, indent=2) if as_json else
               f"vernietigingslijst {r['approval']} goedgekeurd door {user}: {len(r['cases'])} zaken")


@click.command("destroy")
@click.option("--user", "--als", "--approved-by", "user", required=True, metavar="GEBRUIKER",
              help="De tweede persoon: een beheerder van de organisatie die de vernietiging uitvoert en "
                   "aftekent (niet wie de lijst goedkeurde).")
@click.option("--at", type=MOMENT, default=None)
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def retention_destroy(ctx_obj, user: str, at, as_json: bool):
    """Vernietig de zaken van de goedgekeurde lijst; elke zaak laat een vernietigingsverklaring na."""
    try:
        wp = ctx_obj()
        person, context = acting(wp, user, "zaken.vernietigen", "Zaken vernietigen na goedkeuring (Archiefwet)")
        r = wp.retention.destroy(person, at, context=context)
    except WerkpadError as exc:
        _fail(exc.message)
    click.echo(json.dumps(r, ensure_ascii=False, indent=2) if as_json else
               f"{len(r['destroyed'])} zaken vernietigd (goedgekeurd door {r['approved_by']}, vernietigd door "
               f"{r['destroyed_by']}); de vernietigingsverklaringen blijven bewaard")
