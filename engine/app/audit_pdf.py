"""The case file as a PDF for auditors (``werkpad case export ID --format pdf`` and the download
on the auditor's case page): the client, the timeline, the decisions with their inputs, the
deadlines and the diagram of the path taken (completed steps green, current ones amber).

Rendered with WeasyPrint from plain HTML; reads only."""
from __future__ import annotations

import base64
import html
from datetime import datetime, timedelta
from typing import Any

from ..core import clock
from ..core.diagram_svg import render_svg
from ..core.findings import EVENT_WORDS, STATUS_WORDS, dutch_date, dutch_datetime, words
from ..errors import WerkpadError

BESLISTERMIJN = timedelta(weeks=8)  # Participatiewet art. 44 / Awb 4:13: decide within 8 weeks
CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
        @bottom-right { content: "pagina " counter(page) " van " counter(pages); font-size: 8pt; color: #555; }
        @bottom-left { content: string(kop); font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #1d1f24; }
h1 { font-size: 16pt; margin: 0 0 2mm 0; string-set: kop content(); }
h2 { font-size: 12pt; margin: 6mm 0 2mm 0; border-bottom: 1px solid #9aa3b2; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.5mm; border-bottom: 0.5px solid #d0d5dd; }
th { background: #eef2f7; }
.klein { font-size: 8pt; color: #444; }
dl.gegevens { margin: 0; } dl.gegevens dt { float: left; width: 42mm; color: #444; }
dl.gegevens dd { margin: 0 0 1mm 44mm; }
@page liggend { size: A4 landscape; }
.pad { page: liggend; }
.diagram img { width: 100%; }
.te-laat { color: #a11; font-weight: bold; } .op-tijd { color: #2e7d32; }
.legenda span { display: inline-block; padding: 0 2mm; margin-right: 3mm; border: 1px solid; }
"""


def _e(value: Any) -> str:
    return html.escape(words(value) if not isinstance(value, str) else value)


def case_file_html(auditing, case_id: str) -> str:
    """The case file as printable HTML (``auditing`` is :class:`engine.app.audit_workspace.AuditorWorkspace`)."""
    case = auditing.wp.get_case(case_id)
    history = auditing.history(case_id)
    last = history[-1]["seq"] if history else 0
    diagram_img = ""
    if last:
        try:
            diagram = auditing.diagram_at(case_id, last)
            if diagram.get("xml"):
                svg = render_svg(diagram["xml"], completed=diagram["completed"], current=diagram["current"])
                diagram_img = ('<img alt="procesdiagram" src="data:image/svg+xml;base64,'
                               + base64.b64encode(svg.encode("utf-8")).decode() + '">')
        except (ValueError, KeyError, WerkpadError) as exc:  # a version without a diagram
            diagram_img = f'<p class="klein">Geen diagram beschikbaar ({html.escape(str(exc))}).</p>'
    started = datetime.fromisoformat(case["started_at"])
    ended = datetime.fromisoformat(case["ended_at"]) if case["ended_at"] else None
    client = case["client"]
    parts = [f"<h1>Zaakdossier {html.escape(client['name'])}</h1>",
             f'<p class="klein">Opgemaakt op {dutch_datetime(clock.now())} · zaaknummer {html.escape(case["id"])} · '
             f'procesversie {html.escape(str(case["version"]))}</p>',
             "<h2>Klant en zaak</h2><dl class=\"gegevens\">",
             f"<dt>Naam</dt><dd>{html.escape(client['name'])}</dd>",
             f"<dt>BSN</dt><dd>{html.escape(client['bsn'])}</dd>",
             f"<dt>Geboortedatum</dt><dd>{dutch_date(client['birthdate'] + 'T12:00:00+00:00')}</dd>",
             f"<dt>Gemeente</dt><dd>{html.escape(case['municipality'])}</dd>",
             f"<dt>Proces</dt><dd>{html.escape(case['process_name'])}</dd>",
             f"<dt>Status</dt><dd>{html.escape(STATUS_WORDS.get(case['status'], case['status']))}"
             f"{' · fase ' + html.escape(case['phase']) if case['phase'] else ''}</dd>",
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

    # decisions with their inputs
    parts.append("<h2>Beslissingen en hun gegevens</h2>")
    decisions = [e for e in history if e["type"] == "task_completed"]
    if not decisions:
        parts.append('<p class="klein">Nog geen taken afgerond.</p>')
    for ev in decisions:
        task = ev["payload"].get("task") or {}
        parts.append(f"<h3>{html.escape(task.get('name') or task.get('spec', ''))}</h3>"
                     f'<p class="klein">Gebeurtenis {ev["seq"]} · {dutch_datetime(ev["at"])} · door '
                     f'{html.escape(ev["actor"])}</p>')
        submitted = ev.get("submitted") or {}
        if submitted:
            parts.append("<table><tr><th>Gegeven</th><th>Ingevuld</th></tr>" + "".join(
                f"<tr><td>{html.escape(k)}</td><td>{_e(v)}</td></tr>" for k, v in submitted.items()) + "</table>")
        changed = ev["changes"]
        derived = {**changed.get("added", {}), **{k: v["new"] for k, v in changed.get("changed", {}).items()}}
        derived = {k: v for k, v in derived.items() if k not in submitted}
        if derived:
            parts.append('<p class="klein">Daarna afgeleid: ' + "; ".join(
                f"{html.escape(k)} = {_e(v)}" for k, v in derived.items()) + "</p>")

    # timeline
    parts.append("<h2>Tijdlijn</h2><table><tr><th>#</th><th>Wanneer</th><th>Wie</th><th>Wat</th></tr>")
    for ev in history:
        label = EVENT_WORDS.get(ev["type"], ev["type"])
        task = ev["payload"].get("task") or {}
        if task.get("name"):
            label += ": " + task["name"]
        elif ev["type"] == "message_received":
            label += ": " + str(ev["payload"].get("message", "")).replace("_", " ")
        elif ev["type"] == "note_added":
            label += ": " + str(ev["payload"].get("text", ""))[:200]
        parts.append(f"<tr><td>{ev['seq']}</td><td>{dutch_datetime(ev['at'])}</td><td>{html.escape(ev['actor'])}</td>"
                     f"<td>{html.escape(label)}</td></tr>")
    parts.append("</table>")

    parts.append('<div class="pad"><h2>Afgelegd pad</h2><p class="legenda klein"><span style="background:#dcefe0;'
                 'border-color:#2e7d32">afgerond</span><span style="background:#fff0b3;border-color:#b26a00">'
                 f'nu</span></p><div class="diagram">{diagram_img}</div></div>')
    return ("<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Zaakdossier "
            f"{html.escape(client['name'])}</title><style>{CSS}</style></head><body>" + "".join(parts)
            + "</body></html>")


def case_file_pdf(auditing, case_id: str) -> bytes:
    """The case file as PDF bytes."""
    from weasyprint import HTML

    return bytes(HTML(string=case_file_html(auditing, case_id)).write_pdf())


