"""The case file as a PDF for auditors (``werkpad case export ID --format pdf`` and the download
on the auditor's case page): the client, the timeline, the decisions with their inputs, the
deadlines and the diagram of the path taken (completed steps green with a check mark, current ones
amber with a sign "nu").

Rendered with WeasyPrint from plain HTML; reads only."""
from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ..core import clock
from ..core.diagram_svg import render_svg
from ..core.findings import EVENT_WORDS, dutch_date, dutch_datetime, status_words, who, words
from ..core.forms import FormRegistry
from ..errors import WerkpadError

BESLISTERMIJN = timedelta(weeks=8)  # Participatiewet art. 44 / Awb 4:13: decide within 8 weeks
CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
        @bottom-right { content: "pagina " counter(page) " van " counter(pages); font-size: 8pt; color: #555; }
        @bottom-left { content: string(kop); font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #1d1f24; }
h1 { font-size: 16pt; margin: 0 0 2mm 0; string-set: kop content(); }
h2 { font-size: 12pt; margin: 6mm 0 2mm 0; border-bottom: 1px solid #9aa3b2; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
.besluit { margin: 0 0 2mm 0; } .besluit p { margin: 0 0 .6mm 0; } .dmn { padding-left: 3mm; }
.tijdlijn p { margin: 0; padding: .5mm 0; } .tijdlijn .nr { display: inline-block; width: 9mm; color: #555; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.5mm; border-bottom: 0.5px solid #d0d5dd; }
th { background: #eef2f7; }
.klein { font-size: 8pt; color: #444; }
dl.gegevens { margin: 0; } dl.gegevens dt { float: left; width: 42mm; color: #444; }
dl.gegevens dd { margin: 0 0 1mm 44mm; }
@page liggend { size: A4 landscape; }
.pad { page: liggend; }
.pad + .pad { break-before: page; }
.diagram img { width: auto; height: auto; max-width: 100%; max-height: 140mm; }  /* whole on its landscape page */
.te-laat { color: #a11; font-weight: bold; } .op-tijd { color: #2e7d32; }
.legenda span { display: inline-block; padding: 0 2mm; margin-right: 3mm; border: 1px solid; }
"""


NEARBY_FROM = 1400  # a diagram wider than this (in its own units) is small print on a landscape A4


def _img(svg: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode("utf-8")).decode()}">'


def _svg_size(svg: str) -> tuple[float, float]:
    found = re.search(r'<svg [^>]*width="(\d+)" height="(\d+)"', svg)
    return (float(found.group(1)), float(found.group(2))) if found else (0.0, 0.0)


def _e(value: Any) -> str:
    return html.escape(words(value))  # a date as people write it, ja/nee, (leeg)


def _label(key: str, field_words: Mapping[str, dict]) -> str:
    return html.escape(FormRegistry.field_title(field_words, key))


def _ev(value: Any, key: str, field_words: Mapping[str, dict]) -> str:
    """A field's value: a choice by its label, the rest as :func:`_e` writes it."""
    choice = FormRegistry.choice_text(field_words, key, value)
    return html.escape(choice) if choice is not None else _e(value)


def _decision_table(table: dict) -> str:
    """One evaluated decision table in words: inputs, the rule that applied, the outcome."""
    inputs = "; ".join(f"{html.escape(str(i.get('naam')))} = {_e(i.get('waarde'))}" for i in table.get("invoer", []))
    rules = "; ".join(f"regel {r.get('nummer')}" + (f" ({html.escape(r['omschrijving'])})" if r.get("omschrijving")
                                                     else "") for r in table.get("regels", [])) or "geen regel"
    outcome = "; ".join(f"{html.escape(str(o.get('naam')))} = {_e(o.get('waarde'))}" for o in table.get("uitkomst", []))
    derived = " (afgeleid door de gebeurtenis opnieuw uit te voeren)" if table.get("afgeleid") else ""
    return (f'<p class="dmn">Beslistabel <b>{html.escape(str(table.get("tabel", "")))}</b>{derived}: invoer {inputs or "—"}'
            f"; van toepassing: {rules}; uitkomst {outcome or '—'}.</p>")


def _version_words(versions: list, case: dict) -> str:
    """The case's process version as the designer's screens name it: its number among the
    process's versions (``Werkpad.versions``) and the day it took effect."""
    for number, (version_hash, effective) in enumerate(versions, start=1):
        if version_hash == case["version_hash"]:
            return f"versie {number}, geldig vanaf {dutch_date(effective.isoformat() + 'T12:00:00+00:00')}"
    return "versie onbekend"


def case_file_html(auditing, case_id: str) -> str:
    """The case file as printable HTML (``auditing`` is :class:`engine.app.audit_workspace.AuditorWorkspace`)."""
    from .accounts import Accounts

    case = auditing.wp.get_case(case_id)
    history, end = auditing.history_and_end(case_id)  # one replay for the timeline and the diagram
    people = Accounts(auditing.wp).display_names(ev["actor"] for ev in history)  # who acted, by name
    words_of: dict[str | None, Mapping[str, dict]] = {}  # fields and choices as each version calls them

    def field_words_at(ev: dict) -> Mapping[str, dict]:
        version = ev.get("version_hash") or case.get("version_hash")
        if version not in words_of:
            words_of[version] = auditing.wp.field_words(version)
        return words_of[version]

    last = history[-1]["seq"] if history else 0
    diagram_img, nearby_img = "", ""
    if last:
        try:
            diagram = auditing.diagram_for(case_id, end)
            if diagram.get("xml"):
                marks = {"completed": diagram["completed"], "current": diagram["current"]}
                svg = render_svg(diagram["xml"], **marks)
                diagram_img = _img(svg, "procesdiagram")
                # a large process is small print on one page: the neighbourhood of where the case
                # stands (its current steps and the last steps it took) on a page of its own
                steps = diagram["steps"]
                near = set(diagram["current"]) | set(steps["current"]) or set(steps["completed"][-1:])
                if near and _svg_size(svg)[0] > NEARBY_FROM:
                    nearby = render_svg(diagram["xml"], **marks, focus=near)
                    (w, h), (whole_w, whole_h) = _svg_size(nearby), _svg_size(svg)
                    if w * h < 0.4 * whole_w * whole_h:  # only when it is a part, not most of it
                        nearby_img = _img(nearby, "uitsnede van het procesdiagram rond de huidige stap")
        except (ValueError, KeyError, WerkpadError) as exc:  # a version without a diagram
            diagram_img = f'<p class="klein">Geen diagram beschikbaar ({html.escape(str(exc))}).</p>'
    started = datetime.fromisoformat(case["started_at"])
    ended = datetime.fromisoformat(case["ended_at"]) if case["ended_at"] else None
    client = case["client"]
    versions = auditing.wp.versions(case["process"])  # read once: the heading's and the timeline's numbers
    parts = [f"<h1>Zaakdossier {html.escape(client['name'])}</h1>",
             f'<p class="klein">Opgemaakt op {dutch_datetime(clock.now())} · zaaknummer {html.escape(case["number"] or case["id"])} · '
             f'proces{html.escape(_version_words(versions, case))}</p>',
             "<h2>Klant en zaak</h2><dl class=\"gegevens\">",
             f"<dt>Naam</dt><dd>{html.escape(client['name'])}</dd>",
             f"<dt>BSN</dt><dd>{html.escape(client['bsn'])}</dd>",
             f"<dt>Geboortedatum</dt><dd>{dutch_date(client['birthdate'] + 'T12:00:00+00:00')}</dd>",
             f"<dt>Gemeente</dt><dd>{html.escape(auditing.wp.municipality_name(case['municipality']))}</dd>",
             f"<dt>Proces</dt><dd>{html.escape(case['process_name'])}</dd>",
             f"<dt>Status</dt><dd>{html.escape(status_words(case['status'], case.get('error')))}"
             f"{' · fase ' + html.escape(case['phase'].capitalize()) if case['phase'] else ''}</dd>",
             f"<dt>Gemeld op</dt><dd>{dutch_datetime(started)}</dd>"]
    if ended:
        parts.append(f"<dt>Beëindigd op</dt><dd>{dutch_datetime(ended)}</dd>")
    parts.append("</dl>")

    # deadlines
    term = started + BESLISTERMIJN
    decided = ended
    parts.append("<h2>Termijnen</h2><table><tr><th>Termijn</th><th>Uiterlijk</th><th>Stand</th></tr>")
    if decided:
        state = ("op tijd", "op-tijd") if decided <= term else ("te laat", "te-laat")
        stand = f'<span class="{state[1]}">afgehandeld {dutch_date(decided)}: {state[0]}</span>'
    else:
        stand = ('<span class="te-laat">verstreken</span>' if clock.now() > term else "loopt")
    parts.append(f"<tr><td>Wettelijke beslistermijn (8 weken na melding)</td><td>{dutch_date(term)}</td>"
                 f"<td>{stand}</td></tr>")
    for task in case["tasks"]:
        if task.get("due"):
            due = datetime.fromisoformat(task["due"])
            parts.append(f"<tr><td>Taak {html.escape(task['name'])}</td><td>{dutch_datetime(due)}</td>"
                         f"<td>{'<span class=te-laat>te laat</span>' if clock.now() > due else 'open'}</td></tr>")
    for timer in case["timers"]:
        parts.append(f"<tr><td>{html.escape(timer['name'] or timer['spec'])}</td>"
                     f"<td>{dutch_datetime(timer['due'])}</td><td>wacht</td></tr>")
    parts.append("</table>")

    # decisions with their inputs: the tasks completed with data, and the decision tables evaluated
    parts.append("<h2>Beslissingen en hun gegevens</h2>")
    shown = 0
    for ev in history:
        submitted = ev.get("submitted") or {}
        tables = ev.get("decisions") or []
        if not submitted and not tables:
            continue  # a step without data or decision table is in the timeline only
        shown += 1
        task = ev["payload"].get("task") or {}
        title = task.get("name") or task.get("spec") or EVENT_WORDS.get(ev["type"], ev["type"])
        parts.append(f'<div class="besluit"><p class="kop"><b>{html.escape(title)}</b> · gebeurtenis {ev["seq"]} · '
                     f'{dutch_datetime(ev["at"])} · door {html.escape(who(ev["actor"], people))}</p>')
        field_words = field_words_at(ev)  # the version in effect then: a field may be renamed since
        if submitted:
            parts.append('<p class="gegevens">Ingevuld: ' + " · ".join(
                f"{_label(k, field_words)}: {_ev(v, k, field_words)}" for k, v in submitted.items()) + "</p>")
            changed = ev["changes"]
            derived = {**changed.get("added", {}), **{k: v["new"] for k, v in changed.get("changed", {}).items()}}
            derived = {k: v for k, v in derived.items() if k not in submitted}
            if derived:
                parts.append('<p class="klein">Daarna afgeleid: ' + "; ".join(
                    f"{_label(k, field_words)} = {_ev(v, k, field_words)}" for k, v in derived.items()) + "</p>")
        for table in tables:
            parts.append(_decision_table(table))
        parts.append("</div>")
    if not shown:
        parts.append('<p class="klein">Nog geen taken met ingevulde gegevens of beslistabellen.</p>')

    # timeline: one line per event (WeasyPrint lays out a 400-row table many times slower than lines)
    parts.append('<h2>Tijdlijn</h2><div class="tijdlijn">')
    # versions as the designer's screens number them
    numbers = {version_hash: n for n, (version_hash, _) in enumerate(versions, start=1)}
    for ev in history:
        label = EVENT_WORDS.get(ev["type"], ev["type"])
        task = ev["payload"].get("task") or {}
        if task.get("name"):
            label += ": " + task["name"]
        elif ev["type"] == "message_received":
            label += ": " + str(ev["payload"].get("message", "")).replace("_", " ")
        elif ev["type"] == "note_added":
            label += ": " + str(ev["payload"].get("text", ""))[:200]
        elif ev["type"] == "version_migrated":
            label += (f": van versie {numbers.get(ev['payload'].get('from'), '?')} "
                      f"naar versie {numbers.get(ev['payload'].get('to'), '?')}")
        for gone in ev["payload"].get("cancelled") or []:  # what the engine ended with it, and why
            label += (f"; {'termijn' if gone.get('kind') == 'timer' else 'taak'} '{gone.get('name') or gone.get('spec')}'"
                      f" vervallen ({str(gone.get('reason') or '').replace('_', ' ')})")
        parts.append(f'<p><span class="nr">{ev["seq"]}</span> {dutch_datetime(ev["at"])} · '
                     f'{html.escape(who(ev["actor"], people))} — {html.escape(label)}</p>')
    parts.append("</div>")

    legend = ('<p class="legenda klein"><span style="background:#dcefe0;border-color:#2e7d32">&#10003; afgerond</span>'
              '<span style="background:#fff0b3;border-color:#b26a00">nu: waar de zaak staat (taak of wachttijd)</span></p>')
    if nearby_img:
        parts.append(f'<div class="pad"><h2>Waar de zaak staat</h2>{legend}<p class="klein">Uitsnede van het '
                     'procesdiagram rond de huidige stap (bij een afgesloten zaak: de laatste); het hele proces staat '
                     f'op de volgende pagina.</p><div class="diagram">{nearby_img}</div></div>')
    parts.append(f'<div class="pad"><h2>Afgelegd pad</h2>{legend}<div class="diagram">{diagram_img}</div></div>')
    return ("<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Zaakdossier "
            f"{html.escape(client['name'])}</title><style>{CSS}</style></head><body>" + "".join(parts)
            + "</body></html>")


def case_file_pdf(auditing, case_id: str) -> bytes:
    """The case file as PDF bytes."""
    from weasyprint import HTML

    return bytes(HTML(string=case_file_html(auditing, case_id)).write_pdf())


