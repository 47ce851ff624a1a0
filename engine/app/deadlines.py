"""The deadlines report for auditors: per organisation and period, how many legal and policy
deadlines were met and missed, with the cases behind each figure and a count per month.

Every deadline is a user task's ``termijn`` as the inbox keeps it (``tasks.due_at``):

* the legal decision term — task ``besluit_aanvraag`` (shared sub-process *aanvraag*): 8 weeks
  after the application, moved by every suspension (Awb 4:15), as the process computes it;
* the legal advance — task ``voorschot_verstrekken``: after 4 weeks without a decision the
  advance (Pw art. 52) within the task's term;
* the municipality's own norms — every other task with a ``termijn`` (e.g. Tilburg's
  meldingsgesprek within 3 days).

A task completed on or before its due moment is *met*; completed later, or still open after it,
*missed*; open before it, *running*. Cancelled tasks (a suspension replaces the decision task)
do not count. The period selects deadlines by their due day."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..core import clock
from ..storage import CaseRow, TaskRow

LEGAL = {
    "besluit_aanvraag": "Besluit op de aanvraag binnen 8 weken (Pw art. 44, Awb 4:13; met opschorting)",
    "voorschot_verstrekken": "Voorschot na 4 weken zonder besluit (Pw art. 52)",
    "besluit_op_bezwaar": "Besluit op bezwaar binnen 6 weken na de bezwaartermijn, 12 met adviescommissie, "
                          "eenmaal 6 weken verdaagd (Awb 7:10)",
    "maatregel_heroverwegen": "Maatregel heroverwegen binnen 3 maanden (Pw art. 18)",
    "ontheffing_heroverwegen": "Ontheffing alleenstaande ouder elk half jaar heroverwegen (Pw art. 9a)",
}

# the same norms in a few words, with the article first (werkpad compare)
LEGAL_SHORT = {
    "besluit_aanvraag": "Awb 4:13 / Pw art. 44: 8 weken",
    "voorschot_verstrekken": "Pw art. 52: voorschot na 4 weken",
    "besluit_op_bezwaar": "Awb 7:10: 6 weken (12 met adviescommissie)",
    "maatregel_heroverwegen": "Pw art. 18: heroverweging binnen 3 maanden",
    "ontheffing_heroverwegen": "Pw art. 9a: elk half jaar",
}

# where each organisation's own norms come from: its name and the seed that describes it (project brief)
SEED_OF = {
    "alphen": ("Alphen aan den Rijn", "003 §4.1"), "weener_xl": ("Weener XL", "003 §4.2"),
    "sudwest_fryslan": ("Súdwest-Fryslân", "003 §4.3"), "tilburg": ("Tilburg", "003 §4.4"),
    "ijmond": ("IJmond Werkt!", "003 §4.5"), "amersfoort": ("Amersfoort", "004"), "werkkom": ("Werk.Kom", "000"),
    "nijmegen": ("WerkBedrijf Rijk van Nijmegen", "001"),
}


def seed_norm(process_key: str, process_name: str) -> str:
    """'seed Tilburg (003 §4.4)'; a process without a seed: 'eigen norm <name>'."""
    if process_key in SEED_OF:
        name, seed = SEED_OF[process_key]
        return f"seed {name} ({seed})"
    return f"eigen norm {process_name.split(' — ')[0]}"


def span_words(start: datetime, due: datetime) -> str:
    """A term in words, from the moment a task appeared to its due moment: '3 dagen', '2 weken',
    '12 maanden' (local calendar dates)."""
    first, last = clock.local_date(start), clock.local_date(due)
    months = (last.year - first.year) * 12 + last.month - first.month
    if months >= 1 and last.day == first.day:
        return f"{months} maand" if months == 1 else f"{months} maanden"
    days = (last - first).days
    if days and days % 7 == 0:
        return "1 week" if days == 7 else f"{days // 7} weken"
    return "1 dag" if days == 1 else f"{days} dagen"


@dataclass
class Period:
    start: date | None = None
    end: date | None = None



def deadline_report(db, organisations: list[str], period: Period | None = None, now: datetime | None = None) -> dict:
    period = period or Period()
    now = now or clock.now()
    query = (select(TaskRow, CaseRow.organisation, CaseRow.client_name, CaseRow.process_key)
             .join(CaseRow, CaseRow.id == TaskRow.case_id)
             .where(CaseRow.organisation.in_(organisations or [""]), TaskRow.due_at.is_not(None),
                    TaskRow.status != "cancelled"))
    if period.start:
        query = query.where(TaskRow.due_at >= clock.day_start(period.start))
    if period.end:
        query = query.where(TaskRow.due_at < clock.day_end(period.end))
    norms: dict[tuple, dict] = {}
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"met": 0, "missed": 0, "running": 0})
    with db.unit_of_work(write=False) as uow:
        rows = uow.session.execute(query.order_by(TaskRow.due_at)).all()
    for task, organisation, client, process in rows:
        legal = task.spec in LEGAL
        key = (organisation, "wet" if legal else "beleid", task.spec if legal else f"{process}:{task.spec}")
        norm = norms.setdefault(key, {
            "organisation": organisation, "kind": "wet" if legal else "beleid", "key": key[2],
            "label": LEGAL.get(task.spec) or task.name, "met": 0, "missed": 0, "running": 0, "cases": []})
        if task.status == "completed" and task.completed_at is not None:
            outcome = "met" if task.completed_at <= task.due_at else "missed"
        else:
            outcome = "missed" if now > task.due_at else "running"
        norm[outcome] += 1
        norm["cases"].append({"case": task.case_id, "client": client, "task": task.name, "due": task.due_at,
                              "done": task.completed_at, "outcome": outcome,
                              "late_days": ((task.completed_at or now) - task.due_at).days
                              if outcome == "missed" else 0})
        month = clock.local_date(task.due_at).strftime("%Y-%m")
        months[month][outcome] += 1
    ordered = sorted(norms.values(), key=lambda n: (n["organisation"], n["kind"] != "wet", n["label"].lower()))
    for n in ordered:
        total = n["met"] + n["missed"]
        n["share_met"] = round(100 * n["met"] / total) if total else None
    return {"norms": ordered, "months": [{"month": m, **months[m]} for m in _every_month(sorted(months))],
            "period": {"start": period.start, "end": period.end}}


def _every_month(present: list[str]) -> list[str]:
    """The months from the first to the last present ("2026-07" … "2026-11"), those without a
    deadline included: a chart that skips September reads as if October followed August."""
    if not present:
        return []
    year, month = (int(x) for x in present[0].split("-"))
    last = present[-1]
    out = []
    while True:
        key = f"{year:04d}-{month:02d}"
        out.append(key)
        if key >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


MONTH_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def month_chart_svg(months: list[dict], title: str = "Termijnen per maand", met: str = "op tijd",
                    missed: str = "te laat", month_names: tuple[str, ...] | list[str] = MONTH_SHORT) -> str:
    """Server-rendered bars per month: met (green) and missed (red) side by side. The words are
    Dutch unless the caller passes them in the user's language."""
    from xml.sax.saxutils import escape

    width_per = 56
    height, top, bottom, left = 200, 28, 34, 36
    peak = max([max(m["met"], m["missed"]) for m in months] + [1])
    width = left + width_per * max(len(months), 1) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="16" font-weight="bold">{escape(title)}</text>']
    plot = height - top - bottom
    out.append(f'<line x1="{left}" y1="{top + plot}" x2="{width - 5}" y2="{top + plot}" stroke="#666"/>')
    for i, m in enumerate(months):
        x = left + i * width_per + 8
        for j, (kind, colour) in enumerate((("met", "#2e7d32"), ("missed", "#c62828"))):
            h = plot * m[kind] / peak
            out.append(f'<rect x="{x + j * 20}" y="{top + plot - h:.1f}" width="18" height="{h:.1f}" fill="{colour}">'
                       f'<title>{m[kind]} {escape(met if kind == "met" else missed)}</title></rect>')
            out.append(f'<text x="{x + j * 20 + 9}" y="{top + plot - h - 3:.1f}" text-anchor="middle">{m[kind]}</text>')
        year, month = m["month"].split("-")
        out.append(f'<text x="{x + 19}" y="{height - 18}" text-anchor="middle">{escape(month_names[int(month) - 1])}</text>')
        out.append(f'<text x="{x + 19}" y="{height - 5}" text-anchor="middle" fill="#555">{year}</text>')
    out.append("</svg>")
    return "".join(out)


def report_csv(report: dict) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(["organisatie", "soort", "termijn", "zaak", "klant", "taak", "uiterlijk", "afgerond", "uitkomst",
                     "dagen te laat"])
    words = {"met": "op tijd", "missed": "te laat", "running": "loopt"}
    for n in report["norms"]:
        for c in n["cases"]:
            writer.writerow([n["organisation"], n["kind"], n["label"], c["case"], c["client"], c["task"],
                             clock.local_date(c["due"]).isoformat(),
                             clock.local_date(c["done"]).isoformat() if c["done"] else "", words[c["outcome"]],
                             c["late_days"]])
    return buf.getvalue()
