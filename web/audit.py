"""The auditor's workspace: find any case, read its history, step through time,
verify, check the integrity anchor and export a case file.

Read-only: GET changes nothing; the only POSTs are the search (kept server-side,
so a BSN never lands in a URL), verifying and downloading a signed anchor — all
with the session's CSRF token. Every page needs the role ``auditor`` for the
organisation; a case of another organisation is a 404 like a missing one.
Every page is written to the access log.
"""
from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

from babel.dates import get_month_names
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from engine import clock
from engine.app.audit_workspace import AuditorWorkspace, CaseSearch, json_default, load_or_create_key
from engine.app.inbox import Inbox, Scope
from engine.errors import NotFound

from . import security
from .filters import SYSTEM_ACTORS, is_operator, persoon, use_field_words
from .formulieren import read_date
from .i18n import N_
from .pages import diagram_names
from .security import login_required

bp = Blueprint("audit", __name__, url_prefix="/audit")

ACTIVITY = "toezicht-en-verantwoording"
DECISION_KIND = "beslissing"
STATUS_FILTERS = {"open": N_("Lopend"), "completed": N_("Afgesloten"), "withdrawn": N_("Ingetrokken"),
                  "error": N_("In fout")}


def auditing() -> AuditorWorkspace:
    return AuditorWorkspace(current_app.extensions["werkpad"])


def _organisations(operation: str, purpose: str) -> list[str]:
    """The organisations this user audits; 403 (logged as refused) when none."""
    orgs = sorted({m.organisation for m in g.user.memberships if m.role == "auditor"})
    if not orgs:
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="geweigerd")
        abort(403)
    return orgs


def _case_logged(case_id: str, operation: str, purpose: str) -> dict:
    """The case's header when it belongs to an audited organisation, logged either way."""
    orgs = _organisations(operation, purpose)
    try:
        header = Inbox(current_app.extensions["werkpad"]).case_header(Scope(g.user.username, orgs), case_id)
    except NotFound:
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="niet_gevonden",
                            case_id=case_id[:32])
        raise
    security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="ok",
                        organisation=header["organisation"], case_id=case_id, bsn=header["bsn"])
    return header


def _date_arg(name: str) -> date | None:
    try:
        return read_date((request.args.get(name) or "").strip()[:20])  # 14-03-2026 as typed, or 2026-03-14
    except ValueError:
        return None


def _int(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------- filters for these pages
@bp.app_template_filter("wie")
def wie(actor: str) -> str:
    """Who acted, for the auditor: the person's name with the account name the event recorded
    ("Kees de Vries (kees)"), or Werkpad itself in words for the engine's actors."""
    name = persoon(actor)
    return name if actor in SYSTEM_ACTORS or is_operator(actor) or name == actor else f"{name} ({actor})"


# ---------------------------------------------------------------------- find a case
@bp.get("/")
@login_required
def search_page():
    orgs = _organisations("audit.zoeken", "Zaak zoeken voor controle")
    args = request.args
    text = security.accounts().load_search(g.user.user_id, args.get("zoekopdracht"))
    status = args.get("status") if args.get("status") in STATUS_FILTERS else None
    processes = auditing().processes(orgs)
    process = args.get("proces") if args.get("proces") in {p["process"] for p in processes} else None
    query = CaseSearch(text=text, process=process, status=status, started_from=_date_arg("van"),
                       started_to=_date_arg("tot"), page=_int(args.get("pagina"), 1), per_page=20)
    result = auditing().find_cases(orgs, query)
    digits = (text or "").replace(" ", "")
    security.log_access(operation="audit.zoeken", purpose="Zaak zoeken voor controle", activity=ACTIVITY,
                        status="ok", bsn=digits if digits.isdigit() and len(digits) == 9 else None, organisations=orgs)
    params = {k: v for k, v in {"zoekopdracht": args.get("zoekopdracht") if text else None, "proces": process,
                                "status": status, "van": args.get("van") if query.started_from else None,
                                "tot": args.get("tot") if query.started_to else None}.items() if v}
    names = security.accounts().organisation_names(orgs)
    return render_template("audit/zoeken.html", result=result, text=text or "", query=query, params=params,
                           processes=processes, statuses=STATUS_FILTERS, org_names=names,
                           searched=bool(text or process or status or query.started_from or query.started_to))


@bp.post("/zoeken")
@login_required
def search_post():
    _organisations("audit.zoeken", "Zaak zoeken voor controle")
    form = request.form
    params: dict[str, Any] = {k: form.get(k) for k in ("proces", "status", "van", "tot") if form.get(k)}
    text = (form.get("zoek") or "").strip()[:100]
    if text:
        params["zoekopdracht"] = security.accounts().save_search(g.user.user_id, text)
    return redirect(url_for("audit.search_page", **params))


# ---------------------------------------------------------------------- case history
def _history_page(case_id: str, verification: dict | None = None, status: int = 200):
    case = current_app.extensions["werkpad"].get_case(case_id)
    use_field_words(case["version_hash"])
    history = auditing().history(case_id)
    kinds = sorted({e["type"] for e in history})
    if any(e["decisions"] for e in history):
        kinds.append(DECISION_KIND)  # the events that evaluated a decision table
    people = sorted({e["actor"] for e in history})
    kind = request.args.get("soort") if request.args.get("soort") in kinds else None
    person = request.args.get("persoon") if request.args.get("persoon") in people else None
    shown = [e for e in history if (kind is None or e["type"] == kind or (kind == DECISION_KIND and e["decisions"]))
             and (person is None or e["actor"] == person)]
    return render_template("audit/zaak.html", case=case, history=shown, total=len(history), kinds=kinds,
                           people=people, kind=kind or "", person=person or "", verification=verification), status


@bp.get("/zaken/<case_id>")
@login_required
def case_page(case_id: str):
    _case_logged(case_id, "audit.zaak.geschiedenis", "Zaakgeschiedenis controleren")
    return _history_page(case_id)


@bp.post("/zaken/<case_id>/controleren")
@login_required
def case_verify(case_id: str):
    _case_logged(case_id, "audit.zaak.controleren", "Zaak herspelen en controleren")
    result = auditing().verify_case(case_id)
    return _history_page(case_id, verification=result)


@bp.get("/zaken/<case_id>/moment/<int:seq>")
@login_required
def moment_page(case_id: str, seq: int):
    _case_logged(case_id, "audit.zaak.moment", "Zaak bekijken zoals zij was na een gebeurtenis")
    case = current_app.extensions["werkpad"].get_case(case_id)
    state = auditing().state_at(case_id, seq)
    use_field_words(state["version_hash"] or case["version_hash"])  # the version then
    event = {k: state[k] for k in ("seq", "type", "actor", "at", "payload", "changes", "version_hash")}
    return render_template("audit/moment.html", case=case, state=state, event=event)


@bp.get("/zaken/<case_id>/moment")
@login_required
def moment_jump(case_id: str):
    _case_logged(case_id, "audit.zaak.moment", "Zaak bekijken zoals zij was na een gebeurtenis")
    return redirect(url_for("audit.moment_page", case_id=case_id, seq=_int(request.args.get("nummer"), 1)))


@bp.get("/zaken/<case_id>/moment/<int:seq>/diagram.json")
@login_required
def moment_diagram(case_id: str, seq: int):
    _case_logged(case_id, "audit.zaak.moment.diagram", "Procesverloop op een eerder moment tonen")
    return jsonify(auditing().diagram_at(case_id, seq) | diagram_names())


@bp.get("/zaken/<case_id>/dossier.json")
@login_required
def case_export(case_id: str):
    _case_logged(case_id, "audit.zaak.exporteren", "Zaakdossier exporteren")
    kind = request.args.get("formaat", "json")
    data = auditing().export_zgw(case_id) if kind == "zgw" else auditing().export_json(case_id)
    name = f"zaak-{case_id}{'-zgw' if kind == 'zgw' else ''}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=2, default=json_default),
                    mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/zaken/<case_id>/dossier.pdf")
@login_required
def case_export_pdf(case_id: str):
    _case_logged(case_id, "audit.zaak.exporteren", "Zaakdossier exporteren (PDF)")
    from engine.app.audit_pdf import case_file_pdf

    return Response(case_file_pdf(auditing(), case_id), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="zaak-{case_id}.pdf"'})


# ---------------------------------------------------------------------- deadlines report
@bp.get("/termijnen")
@login_required
def deadlines_page():
    """Legal and policy deadlines met and missed, per organisation and period, with the cases behind
    each figure, a chart per month and a CSV download (``?formaat=csv``)."""
    from engine.app.deadlines import Period, deadline_report, month_chart_svg, report_csv

    orgs = _organisations("audit.termijnen", "Termijnen controleren")
    chosen = request.args.get("organisatie")
    selected = [chosen] if chosen in orgs else orgs
    period = Period(_date_arg("van"), _date_arg("tot"))
    report = deadline_report(current_app.extensions["werkpad"].db, selected, period)
    security.log_access(operation="audit.termijnen", purpose="Termijnen controleren", activity=ACTIVITY,
                        status="ok", organisations=selected)
    if request.args.get("formaat") == "csv":
        return Response(report_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="termijnen.csv"'})
    names = security.accounts().organisation_names(orgs)
    return render_template("audit/termijnen.html", report=report, orgs=orgs, org_names=names,
                           chosen=chosen if chosen in orgs else "", period=period,
                           chart=Markup(month_chart_svg(report["months"], _("Termijnen per maand"), _("op tijd"),
                                                       _("te laat"), _month_names())),
                           args={k: v for k, v in request.args.items() if k in ("organisatie", "van", "tot") and v})


def _month_names() -> list[str]:
    """Short month names in the user's language, for the chart ("mrt" in Dutch, "Mar" in English)."""
    names = get_month_names("abbreviated", locale=get_locale())
    return [names[month].rstrip(".") for month in range(1, 13)]


# ---------------------------------------------------------------------- verify an organisation, anchor
@bp.get("/controle")
@login_required
def organisation_verify():
    orgs = _organisations("audit.organisatie.bekijken", "Controle van een organisatie voorbereiden")
    names = security.accounts().organisation_names(orgs)
    security.log_access(operation="audit.organisatie.bekijken", status="ok", activity=ACTIVITY,
                        purpose="Controle van een organisatie voorbereiden", organisations=orgs)
    return render_template("audit/controle.html", orgs=orgs, org_names=names, runs=auditing().recent_runs(orgs))


@bp.post("/controle")
@login_required
def organisation_verify_start():
    """Start verifying every case of one organisation in the background; the progress page follows it."""
    orgs = _organisations("audit.organisatie.controleren", "Alle zaken van een organisatie controleren")
    chosen = request.form.get("organisatie")
    if chosen not in orgs:
        abort(404)
    run_id = auditing().start_run(chosen, g.user.username)
    security.log_access(operation="audit.organisatie.controleren", status="ok", organisation=chosen,
                        purpose="Alle zaken van een organisatie controleren", activity=ACTIVITY)
    werkpad = current_app.extensions["werkpad"]
    threading.Thread(target=AuditorWorkspace(werkpad).execute_run, args=(run_id,), daemon=True,
                     name=f"controle-{run_id}").start()
    return redirect(url_for("audit.organisation_run", run_id=run_id))


def _run_logged(run_id: str, operation: str, with_findings: bool = True) -> dict:
    orgs = _organisations(operation, "Controle van een organisatie volgen")
    try:
        run = auditing().run_status(run_id, orgs, with_findings)
    except NotFound:
        security.log_access(operation=operation, purpose="Controle van een organisatie volgen", activity=ACTIVITY,
                            status="niet_gevonden")
        raise
    security.log_access(operation=operation, purpose="Controle van een organisatie volgen", activity=ACTIVITY,
                        status="ok", organisation=run["organisation"])
    return run


@bp.get("/controle/<run_id>")
@login_required
def organisation_run(run_id: str):
    run = _run_logged(run_id, "audit.organisatie.voortgang")
    orgs = _organisations("audit.organisatie.voortgang", "Controle van een organisatie volgen")
    names = security.accounts().organisation_names(orgs)
    if run["findings"]:
        ids = [f.get("case") for f in run["findings"] if f.get("case")]
        labels = auditing().case_labels(ids, orgs)
        for finding in run["findings"]:
            finding["client"], finding["number"] = labels.get(finding.get("case"), (None, None))
    in_error = auditing().cases_in_error(run["organisation"]) if run["finished"] else []
    return render_template("audit/controle_voortgang.html", run=run, org_names=names, in_error=in_error)


@bp.get("/controle/<run_id>/voortgang.json")
@login_required
def organisation_run_json(run_id: str):
    run = _run_logged(run_id, "audit.organisatie.voortgang", with_findings=False)
    return jsonify({k: run[k] for k in ("status", "finished", "total", "done", "broken", "percent",
                                         "cancel_requested")}
                   | {"status_text": _(RUN_STATUS_LABELS[run["status"]]),
                      "progress_text": _("%(done)s van %(total)s zaken gecontroleerd", done=run["done"],
                                         total=run["total"])})


@bp.post("/controle/<run_id>/stoppen")
@login_required
def organisation_run_cancel(run_id: str):
    orgs = _organisations("audit.organisatie.stoppen", "Controle van een organisatie stoppen")
    run = auditing().cancel_run(run_id, orgs)
    security.log_access(operation="audit.organisatie.stoppen", purpose="Controle van een organisatie stoppen",
                        activity=ACTIVITY, status="ok", organisation=run["organisation"])
    return redirect(url_for("audit.organisation_run", run_id=run_id))


RUN_STATUS_LABELS = {"running": N_("bezig"), "done": N_("klaar"), "cancelled": N_("gestopt op verzoek"),
                     "failed": N_("afgebroken door een fout"),
                     "stopped": N_("onderbroken: het proces dat de controle uitvoerde is gestopt")}


@bp.app_template_filter("controlestatus")
def controlestatus(status: str) -> str:
    label = RUN_STATUS_LABELS.get(status)
    return _(label) if label else status


@bp.post("/anker")
@login_required
def anchor_download():
    orgs = _organisations("audit.anker", "Integriteitsanker vastleggen")
    key = load_or_create_key(current_app.config.get("ANCHOR_KEY"), instance_dir=current_app.instance_path)
    anchor = auditing().write_anchor(key, orgs)
    security.log_access(operation="audit.anker", purpose="Integriteitsanker vastleggen", activity=ACTIVITY,
                        status="ok", organisations=orgs)
    stamp = clock.local_date().isoformat()
    return Response(json.dumps(anchor, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="werkpad-anker-{stamp}.json"'})




# ---------------------------------------------------------------------- the access log, readable
OPERATION_LABELS = {
    "zaak.bekijken": N_("Zaak bekeken"), "zaak.diagram": N_("Procesverloop bekeken"),
    "zaak.starten": N_("Melding geregistreerd"), "zaak.bericht": N_("Bericht vastgelegd"),
    "zaak.notitie": N_("Notitie vastgelegd"), "zaak.hervatten": N_("Zaak in fout hervat"),
    "zaak.sluiten": N_("Zaak in fout gesloten"), "taak.bekijken": N_("Taak bekeken"),
    "taak.afronden": N_("Taak afgerond"), "inbox.zoeken": N_("Klant gezocht in de inbox"),
    "taak.claimen": N_("Taak opgepakt"), "taak.vrijgeven": N_("Taak vrijgegeven"),
    "taak.toewijzen": N_("Taak toegewezen"), "api.taak.claimen": N_("Taak opgepakt (API)"),
    "api.taak.vrijgeven": N_("Taak vrijgegeven (API)"), "api.taak.toewijzen": N_("Taak toegewezen (API)"),
    "api.zaak.bekijken": N_("Zaak opgevraagd (API)"), "api.zaak.geschiedenis": N_("Geschiedenis opgevraagd (API)"),
    "api.zaak.bericht": N_("Bericht vastgelegd (API)"), "api.zaak.starten": N_("Melding geregistreerd (API)"),
    "api.taak.bekijken": N_("Taak opgevraagd (API)"), "api.taak.afronden": N_("Taak afgerond (API)"),
    "audit.zoeken": N_("Zaak gezocht (controle)"), "audit.zaak.geschiedenis": N_("Geschiedenis gecontroleerd"),
    "audit.zaak.controleren": N_("Zaak herspeeld en gecontroleerd"),
    "audit.zaak.moment": N_("Zaak op een eerder moment bekeken"),
    "audit.zaak.moment.diagram": N_("Procesverloop op een eerder moment bekeken"),
    "audit.zaak.exporteren": N_("Zaakdossier geëxporteerd"), "audit.anker": N_("Integriteitsanker vastgelegd"),
    "audit.organisatie.controleren": N_("Organisatie gecontroleerd"),
    "audit.organisatie.bekijken": N_("Controle van een organisatie geopend"),
    "audit.organisatie.voortgang": N_("Voortgang van een controle bekeken"),
    "audit.organisatie.stoppen": N_("Controle van een organisatie gestopt"),
    "audit.logboek": N_("Logboek bekeken"), "audit.logboek.export": N_("Logboek geëxporteerd (CSV)"),
    "audit.termijnen": N_("Termijnen gecontroleerd"), "zaak.vervolg": N_("Vervolg van de zaak bekeken"),
    "client.zoeken": N_("Cliënt gezocht"), "client.bekend": N_("Bekende cliënt getoond bij een melding"),
    "beheer.gebruikers_bekijken": N_("Gebruikers bekeken"), "beheer.gebruiker_bekijken": N_("Gebruiker bekeken"),
    "beheer.gebruiker_aanmaken": N_("Gebruiker aangemaakt"), "beheer.rol_toekennen": N_("Rol toegekend"),
    "beheer.rol_intrekken": N_("Rol ingetrokken"), "beheer.blokkeren": N_("Gebruiker geblokkeerd"),
    "beheer.deblokkeren": N_("Gebruiker gedeblokkeerd"), "beheer.wachtwoord_herstellen": N_("Tijdelijk wachtwoord gemaakt"),
    "beheer.wachtwoord_wijzigen": N_("Wachtwoord gewijzigd"), "beheer.token_uitgeven": N_("API-token uitgegeven"),
    "beheer.token_intrekken": N_("API-token ingetrokken"), "beheer.accountspoor_bekijken": N_("Accountspoor bekeken"),
    "ontwerp.overzicht": N_("Processen bekeken"), "ontwerp.proces": N_("Proces bekeken"),
    "ontwerp.vocabulaire": N_("Gedeeld vocabulaire bekeken"),
    "ontwerp.nieuw": N_("Formulier voor een nieuw proces geopend"), "ontwerp.nieuw_maken": N_("Nieuw proces gemaakt"),
    "ontwerp.modeler": N_("Procesmodel geopend"), "ontwerp.concept": N_("Procesmodel geladen"),
    "ontwerp.concept_bewaren": N_("Concept bewaard"), "ontwerp.beslistabel": N_("Beslistabel geopend"),
    "ontwerp.beslistabel_laden": N_("Beslistabel geladen"),
    "ontwerp.beslistabel_bewaren": N_("Beslistabel in het concept bewaard"),
    "ontwerp.aanbieden": N_("Concept aangeboden voor publicatie"),
    "ontwerp.goedkeuren": N_("Concept goedgekeurd en gepubliceerd"), "ontwerp.weggooien": N_("Concept weggegooid"),
    "ontwerp.verschil": N_("Versies vergeleken"), "ontwerp.model": N_("Procesmodel van een versie geladen"),
    "ontwerp.proefrit": N_("Proefrit gedaan"), "ontwerp.download": N_("Versie gedownload"),
    "ontwerp.upload": N_("Zip-bestand als concept bewaard"), "ontwerp.overzetten": N_("Proefoverzetting bekeken"),
    "ontwerp.overzetten_uitvoeren": N_("Lopende zaken overgezet"),
    "ontwerp.zaak_overzetten": N_("Lopende zaak naar een andere versie overgezet"), "ontwerp.formulier": N_("Formulier bekeken"),
    "ontwerp.formulier_voorbeeld": N_("Voorbeeld van een formulier getoond"),
    "ontwerp.formulier_bewaren": N_("Formulier in het concept bewaard"),
    "ontwerp.formulier_nieuw": N_("Nieuw formulier in het concept gemaakt"),
    "ontwerp.formulier_verwijderen": N_("Formulier uit het concept verwijderd"),
    "zaak.overzetten": N_("Zaak naar een andere versie overgezet"),
    "vernietigingslijst.goedkeuren": N_("Vernietigingslijst goedgekeurd"),
    "zaken.vernietigen": N_("Zaken vernietigd na goedkeuring"),
    # the command line (engine/cli): by the person named with --user, or by the server's operator
    "cli.zaak.bekijken": N_("Zaak bekeken (opdrachtregel)"),
    "cli.zaak.geschiedenis": N_("Geschiedenis bekeken (opdrachtregel)"),
    "cli.zaak.controleren": N_("Zaak herspeeld en gecontroleerd (opdrachtregel)"),
    "cli.zaak.exporteren": N_("Zaakdossier geëxporteerd (opdrachtregel)"),
    "cli.taken.bekijken": N_("Open taken bekeken (opdrachtregel)"),
    "cli.audit.controleren": N_("Audittrail van alle zaken gecontroleerd (opdrachtregel)"),
    "cli.bewaartermijnen.bekijken": N_("Bewaartermijnen bekeken (opdrachtregel)"),
    "cli.zaak.starten": N_("Melding geregistreerd (opdrachtregel)"),
    "cli.zaak.bericht": N_("Bericht vastgelegd (opdrachtregel)"),
    "cli.zaak.notitie": N_("Notitie vastgelegd (opdrachtregel)"),
    "cli.zaak.overzetten": N_("Zaak naar een andere versie overgezet (opdrachtregel)"),
    "cli.zaak.proefoverzetten": N_("Proefoverzetting van een zaak (opdrachtregel)"),
    "cli.zaak.hervatten": N_("Zaak in fout hervat (opdrachtregel)"),
    "cli.zaak.sluiten": N_("Zaak in fout gesloten (opdrachtregel)"),
    "cli.taak.claimen": N_("Taak opgepakt (opdrachtregel)"),
    "cli.taak.vrijgeven": N_("Taak vrijgegeven (opdrachtregel)"),
    "cli.taak.toewijzen": N_("Taak toegewezen (opdrachtregel)"),
    "cli.taak.afronden": N_("Taak afgerond (opdrachtregel)"),
    "cli.vernietigingslijst.goedkeuren": N_("Vernietigingslijst goedgekeurd (opdrachtregel)"),
    "cli.zaken.vernietigen": N_("Zaken vernietigd na goedkeuring (opdrachtregel)"),
    "cli.beheer.gebruiker_aanmaken": N_("Gebruiker aangemaakt (opdrachtregel)"),
    "cli.beheer.rol_toekennen": N_("Rol toegekend (opdrachtregel)"),
    "cli.beheer.rol_intrekken": N_("Rol ingetrokken (opdrachtregel)"),
    "cli.beheer.blokkeren": N_("Gebruiker geblokkeerd (opdrachtregel)"),
    "cli.beheer.deblokkeren": N_("Gebruiker gedeblokkeerd (opdrachtregel)"),
    "cli.beheer.token_uitgeven": N_("API-token uitgegeven (opdrachtregel)"),
    "cli.beheer.token_intrekken": N_("API-token ingetrokken (opdrachtregel)"),
    "cli.beheer.gebruikers_bekijken": N_("Gebruikers bekeken (opdrachtregel)"),
    "cli.beheer.wachtwoord_herstellen": N_("Tijdelijk wachtwoord gemaakt (opdrachtregel)"),
    "cli.beheer.accountspoor_bekijken": N_("Accountspoor bekeken (opdrachtregel)"),
}
LOG_STATUS_LABELS = {"ok": N_("toegestaan"), "geweigerd": N_("geweigerd"), "niet_gevonden": N_("niet gevonden")}


@bp.app_template_filter("handeling")
def handeling(operation: str) -> str:
    label = OPERATION_LABELS.get(operation)
    return _(label) if label else operation


@bp.app_template_filter("logboekgebruiker")
def logboekgebruiker(username: str) -> str:
    """Who acted, for the access log: the person's name with the account the row recorded, or
    the server's operator in words (the CLI without --user)."""
    return wie(username)


@bp.app_template_filter("logstatus")
def logstatus(status: str) -> str:
    label = LOG_STATUS_LABELS.get(status)
    return _(label) if label else status


@bp.get("/logboek")
@login_required
def access_log():
    orgs = _organisations("audit.logboek", "Logboek dataverwerkingen inzien")
    args = request.args
    case_id = (args.get("zaak") or "").strip()[:32] or None
    user = (args.get("gebruiker") or "").strip()[:100] or None
    text = security.accounts().load_search(g.user.user_id, args.get("zoekopdracht")) or ""
    bsn = "".join(c for c in text if c.isdigit())[:9] or None
    as_csv = args.get("formaat") == "csv"
    subject = security.accounts().pseudonymise(bsn) if bsn else None
    result = auditing().access_log(orgs, subject=subject, case_id=case_id, username=user,
                                   page=_int(args.get("pagina"), 1), per_page=0 if as_csv else 50)
    # written after the read: this view is not part of what was shown
    security.log_access(operation="audit.logboek.export" if as_csv else "audit.logboek", status="ok",
                        purpose="Logboek dataverwerkingen inzien", activity=ACTIVITY, case_id=case_id, bsn=bsn,
                        organisations=orgs)
    if as_csv:
        return _log_csv(result["items"])
    params = {k: v for k, v in {"zaak": case_id, "gebruiker": user,
                                "zoekopdracht": args.get("zoekopdracht") if bsn else None}.items() if v}
    return render_template("audit/logboek.html", result=result, params=params, zaak=case_id or "",
                           gebruiker=user or "", bsn=bsn or "")


@bp.post("/logboek/zoeken")
@login_required
def access_log_search():
    _organisations("audit.logboek", "Logboek dataverwerkingen inzien")
    params: dict[str, Any] = {k: value.strip()[:100] for k in ("zaak", "gebruiker")
                              if (value := request.form.get(k))}
    bsn = "".join(c for c in request.form.get("bsn", "") if c.isdigit())[:9]
    if bsn:
        params["zoekopdracht"] = security.accounts().save_search(g.user.user_id, bsn)
    return redirect(url_for("audit.access_log", **params))


def _log_csv(items: list[dict]) -> Response:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["tijdstip", "gebruiker", "handeling", "doel", "resultaat", "organisatie", "zaaknummer",
                     "klant", "taak", "betrokkene (pseudoniem)", "spoor"])
    for e in items:
        writer.writerow([_cell(v) for v in (
            clock.iso(e["at"]), e["user"], handeling(e["operation"]), e["purpose"], logstatus(e["status"]),
            e["organisation"], e["number"] or e["case"], e["client"], e["task"], e["subject"], e["trace_id"])])
    stamp = clock.local_date().isoformat()
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="logboek-{stamp}.csv"'})


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (a client's name is typed by people)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
