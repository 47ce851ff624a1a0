"""The consultant's pages: login, inbox, task, case, new melding.

Every page that shows a case or task first resolves it through the user's
scope (``engine.app.inbox``): an object of another organisation is a 404, the same
as one that does not exist. Every view of a case or task is written to the
access log. Nothing changes state on GET.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import ValidationError
from engine.app import policy
from engine.app.inbox import DUE_FILTERS, Inbox, InboxQuery
from engine.errors import Conflict, Forbidden, NotFound

from . import clienten, formulieren, security, vervolg
from .admin import landing, work_roles
from .filters import PHASE_LABELS, use_field_words
from .i18n import COOKIE as LANGUAGE_COOKIE
from .i18n import LANGUAGES, N_
from .security import login_required

bp = Blueprint("pages", __name__)

ACTIVITY = security.ACTIVITY
CONSULTANT_MESSAGES = ("werk_gevonden", "aanvraag_ingetrokken", "bezwaar_ontvangen", "maatregel_opleggen",
                       "ontheffing_aangevraagd", "verdaging")
NOTICES = {
    "geclaimd": N_("De taak staat nu op jouw naam."),
    "vrijgegeven": N_("De taak is teruggezet naar het team."),
    "afgerond": N_("De taak is afgerond."),
    "bericht": N_("Het bericht is verwerkt."),
    "gestart": N_("De zaak is aangemaakt."),
    "toegewezen": N_("De taak is toegewezen."),
    "hervat": N_("De zaak is hervat en loopt weer."),
    "gesloten": N_("De zaak is gesloten."),
    "concept": N_("Je invoer is als concept bewaard; de taak staat nog open."),
    "uitgelogd": N_("Je bent uitgelogd."),
    "verlopen": N_("Je sessie is verlopen; log opnieuw in."),
    "notitie": N_("De notitie is vastgelegd."),
    "wachtwoord": N_("Je wachtwoord is gewijzigd."),
    "volgende": N_("De taak is afgerond. Dit is de volgende taak van deze zaak."),
    "verdaagd": N_("De beslistermijn is verdaagd (Awb 4:14). De nieuwe beslisdatum staat bij de termijnen."),
}
ERRORS = {
    "conflict": N_("Dat lukte niet: de taak is intussen gewijzigd of door iemand anders opgepakt."),
    "geen_recht": N_("Deze taak hoort niet bij jouw team."),
    "geen_collega": N_("Kies een collega die deze taak mag uitvoeren."),
    "notitie": N_("Een notitie heeft 1 tot 4000 tekens."),
    "hervatten": N_("De zaak kan nog niet worden hervat: de fout bestaat nog. Zie de reden hieronder."),
    "reden": N_("Geef een reden om de zaak te sluiten."),
    "zaak_fout": N_("Dat lukte niet: de zaak staat in fout. De teamleider kan haar hervatten of sluiten."),
    "verdaging_herhaald": N_("De verdaging is geweigerd: de beslistermijn is al eenmaal verdaagd (Awb 4:14 staat "
                             "één verdaging toe)."),
    "verdaging_reden": N_("De verdaging is geweigerd: geef de reden van de verdaging op."),
    "verdaging_te_laat": N_("De verdaging is geweigerd: de brief aan de klant is na het einde van de beslistermijn "
                            "verstuurd. Verdagen kan alleen binnen de termijn."),
    "verdaging_niet_later": N_("De verdaging is geweigerd: de nieuwe beslisdatum moet na de huidige beslisdatum "
                               "liggen."),
    "verdaging_datum": N_("De verdaging is niet verwerkt: vul de nieuwe beslisdatum en de datum van de brief in als "
                          "dag-maand-jaar, bijvoorbeeld 14-03-2026."),
    "verdaging": N_("De verdaging is geweigerd."),
}
# the process's reason for refusing a verdaging (gedeeld_aanvraag) -> the message the consultant reads
VERDAGING_REFUSED = {
    "de beslistermijn is al eenmaal verdaagd": "verdaging_herhaald",
    "geen reden voor de verdaging opgegeven": "verdaging_reden",
    "de brief over de verdaging is na het einde van de beslistermijn verstuurd": "verdaging_te_laat",
    "de nieuwe beslisdatum ligt niet na de huidige": "verdaging_niet_later",
}


def wp():
    return current_app.extensions["werkpad"]


def inbox() -> Inbox:
    return Inbox(wp())


def _notice() -> dict:
    return {"notice": NOTICES.get(request.args.get("melding", "")),
            "error": ERRORS.get(request.args.get("fout", ""))}


# ---------------------------------------------------------------------- login
@bp.get("/")
def index():
    return redirect(landing(g.user) if g.get("user") else url_for("pages.inbox_page"))


@bp.route("/inloggen", methods=["GET", "POST"])
def inloggen():
    volgende = security.safe_next(request.values.get("volgende"), "")  # "": the user's own start page
    error = None
    status = 200
    if request.method == "POST":
        username = request.form.get("gebruikersnaam", "")
        if not security.accounts().allow_login_attempt(request.remote_addr):
            return render_template("inloggen.html", volgende=volgende, login_csrf=security.login_csrf_token(),
                                   login_error=_("Te veel inlogpogingen vanaf dit adres. Probeer het over "
                                                 "tien minuten opnieuw.")), 429
        principal = security.accounts().authenticate(username, request.form.get("wachtwoord", ""),
                                                     client_ip=request.remote_addr)
        if principal is not None:
            token, _csrf = security.accounts().start_session(
                principal.user_id, client_ip=request.remote_addr, user_agent=request.user_agent.string,
                replaces=request.cookies.get(security.SESSION_COOKIE))
            response = redirect(landing(principal) if principal.must_change_password or not volgende else volgende)
            security.set_session_cookie(response, token)
            g.session_set = True
            return response
        error = _("Gebruikersnaam of wachtwoord klopt niet, of het account is geblokkeerd.")
        status = 401
    elif g.get("user") is not None:
        return redirect(volgende or landing(g.user))
    return render_template("inloggen.html", login_error=error, volgende=volgende,
                           login_csrf=security.login_csrf_token(), **_notice()), status


@bp.post("/uitloggen")
def uitloggen():
    security.accounts().end_session(request.cookies.get(security.SESSION_COOKIE))
    response = redirect(url_for("pages.inloggen", melding="uitgelogd"))
    security.clear_session_cookie(response)
    g.session_set = True
    return response


@bp.post("/taal")
def set_language():
    """Remember the chosen language in a cookie (Dutch unless English is chosen)."""
    choice = request.form.get("taal", "")
    response = redirect(security.safe_next(request.form.get("volgende"), url_for("pages.inbox_page")))
    if choice in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, choice, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=security.cookie_secure(), path="/")
    return response


# ---------------------------------------------------------------------- inbox
MAX_PAGE = 100_000  # far past any real work list; beyond it a page number is noise


def _int(value, default: int) -> int:
    try:
        text = str(value).strip()
        if len(text) > 7:  # no need to parse a 4,000-digit "page number"
            return MAX_PAGE
        return min(MAX_PAGE, max(1, int(text)))
    except (TypeError, ValueError):
        return default


@bp.get("/inbox")
@login_required
def inbox_page():
    user = g.user
    args = request.args
    # 'my tasks' and 'my team' for whoever works tasks; an auditor reads them all and works none
    allowed_views = ["mijn", "team"] if user.work_organisations() or not policy.may_view_all(user) else []
    if policy.may_view_all(user):
        allowed_views.append("alle")
    view = args.get("weergave", "") if args.get("weergave") in allowed_views else (
        "mijn" if user.work_organisations() else ("alle" if "alle" in allowed_views else "mijn"))
    query = InboxQuery(
        view=view, organisation=args.get("organisatie") or None, phase=args.get("fase") or None,
        task=args.get("taak") or None, lane=args.get("lane") or None,
        due=args.get("termijn") if args.get("termijn") in DUE_FILTERS else None,
        search=_search_text(args),
        page=_int(args.get("pagina"), 1), per_page=current_app.config["INBOX_PER_PAGE"],
        columns=args.getlist("kolom"))
    scope = security.scope()
    result = inbox().tasks(scope, query)
    for item in result["items"]:  # 'Oppakken' only where the policy lets this person work the task
        item["can_work"] = policy.may_work_task(user, item["organisation"], item["lane"])
    facets = inbox().facets(scope)
    if query.search and result["items"] and query.search.replace(" ", "").isdigit():
        security.log_access(operation="inbox.zoeken", purpose="Klant zoeken op BSN", activity=ACTIVITY,
                            status="ok", bsn=query.search.replace(" ", ""),
                            organisations={item["organisation"] for item in result["items"]})
    filters = {k: v for k, v in {"weergave": view, "organisatie": query.organisation, "fase": query.phase,
                                 "taak": query.task, "lane": query.lane, "termijn": query.due,
                                 "zoekopdracht": args.get("zoekopdracht") if query.search else None,
                                 "kolom": result["columns"]}.items() if v}
    names = security.accounts().organisation_names(scope.organisations)
    return render_template("inbox.html", result=result, facets=facets, query=query, filters=filters,
                           views=allowed_views, org_names=names, data_fields=inbox().case_data_fields(),
                           can_start=policy.may_start_case(user), next_step=vervolg.notice(args.get("vervolg")),
                           **_notice())


def _search_text(args) -> str | None:
    """The search of this request: a saved search (``zoekopdracht``, the form's way) or,
    for links and scripts, a plain ``zoek`` parameter."""
    saved = security.accounts().load_search(g.user.user_id, args.get("zoekopdracht"))
    return (saved or args.get("zoek") or "").strip()[:100] or None


@bp.post("/inbox/zoeken")
@login_required
def inbox_search():
    """The filter form posts here: the search text is stored server-side and the inbox URL
    carries only its random id, so a BSN never appears in a URL."""
    form = request.form
    params: dict[str, Any] = {k: form.get(k) for k in ("weergave", "organisatie", "fase", "taak", "lane", "termijn") if form.get(k)}
    params["kolom"] = form.getlist("kolom")
    text = (form.get("zoek") or "").strip()[:100]
    if text:
        params["zoekopdracht"] = security.accounts().save_search(g.user.user_id, text)
    return redirect(url_for("pages.inbox_page", **params))


def _back(default: str) -> str:
    return security.safe_next(request.form.get("volgende"), default)


# The commands apply the access policy themselves: another organisation's task or case is
# NotFound (404, like a missing one), an action the user may not take is Forbidden; the
# access-log row is written with the change, or as 'geweigerd' when refused.
@bp.post("/taken/<task_id>/claimen")
@login_required
def claim(task_id: str):
    back = _back(url_for("pages.inbox_page"))
    try:
        wp().claim_task(task_id, g.user, context=security.request_context("taak.claimen", "Taak oppakken"))
    except Forbidden:
        return redirect(_with(back, fout="geen_recht"))
    except Conflict:
        return redirect(_with(back, fout="conflict"))
    return redirect(_with(back, melding="geclaimd"))


@bp.post("/taken/<task_id>/vrijgeven")
@login_required
def unclaim(task_id: str):
    back = _back(url_for("pages.inbox_page"))
    try:
        wp().unclaim_task(task_id, g.user, context=security.request_context("taak.vrijgeven", "Taak vrijgeven"))
    except Forbidden:
        return redirect(_with(back, fout="geen_recht"))
    except Conflict:
        return redirect(_with(back, fout="conflict"))
    return redirect(_with(back, melding="vrijgegeven"))


@bp.post("/taken/<task_id>/toewijzen")
@login_required
def assign(task_id: str):
    back = _back(url_for("pages.task_page", task_id=task_id))
    try:
        wp().assign_task(task_id, g.user, request.form.get("collega", ""),
                         context=security.request_context("taak.toewijzen", "Taak toewijzen"))
    except ValidationError:
        return redirect(_with(back, fout="geen_collega"))
    except Conflict:
        return redirect(_with(back, fout="conflict"))
    return redirect(_with(back, melding="toegewezen"))


def _with(path: str, **params) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("melding", "fout")]
    query += list(params.items())
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


# ---------------------------------------------------------------------- task page
@bp.route("/taken/<task_id>", methods=["GET", "POST"])
@login_required
def task_page(task_id: str):
    posting = request.method == "POST"
    purpose = "Taak afronden" if posting else "Taak behandelen"
    operation = "taak.afronden" if posting else "taak.bekijken"
    try:
        task = wp().cases.task_for(g.user, task_id)  # in the user's scope, with what the policy allows
    except NotFound:
        security.log_access(operation="taak.bekijken", purpose=purpose, activity=ACTIVITY, status="niet_gevonden",
                            task_id=task_id[:36])
        raise

    def logged() -> None:  # a view, or a post that never reaches the command (its status decides the entry)
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="ok",
                            organisation=task["organisation"], case_id=task["case"], task_id=task_id,
                            bsn=task["bsn"])
    schema = task.get("form")
    values: dict = {}
    errors: dict = {}
    message = None
    status = 200
    can_work = task["can_work"] and task["status"] == "open"
    if posting:
        if not can_work:
            logged()
            abort(403)
        data, errors, values = formulieren.parse(schema, request.form)
        if errors:  # report every field at once: also what the engine would refuse in the other fields
            errors = formulieren.check(schema, data, errors)
        if request.form.get("actie") == "concept":
            logged()
            security.accounts().save_draft(task_id, g.user.user_id, values)
            return redirect(url_for("pages.task_page", task_id=task_id, melding="concept"))
        if errors:
            logged()
        else:
            try:  # one transaction: the completion, its access-log row and the removal of the drafts
                case = wp().complete_task(task_id, g.user, data, context=security.request_context(operation, purpose))
            except ValidationError as exc:
                errors = {k: list(v) for k, v in exc.fields.items()}
                message = exc.message
            except Conflict as exc:
                message = exc.message
                status = 409
            else:
                return redirect(vervolg.after_completion(case))
        if errors:
            status = 422
            message = message or _("Het formulier bevat fouten. Verbeter de gemarkeerde velden.")
            unknown = {k: v for k, v in errors.items() if k not in (schema or {}).get("properties", {})}
            if unknown:
                errors.setdefault("_algemeen", []).extend(f"{k}: {' '.join(v)}" for k, v in unknown.items())
    else:
        logged()
    draft = security.accounts().get_draft(task_id, g.user.user_id) if task["status"] == "open" else None
    case = wp().get_case(task["case"])
    if not values and draft is not None:
        values = draft["values"]
    if not values:  # known case facts (trede, loonwaarde) prefill the form; free text never does
        props = (schema or {}).get("properties", {})
        values = {k: v for k, v in case.get("data", {}).items()
                  if k in props and props[k].get("x-widget") != "textarea"}
    fields = formulieren.fields_for(schema, values, errors)
    colleagues = []
    if task["status"] == "open" and task["can_assign"]:
        colleagues = security.accounts().colleagues(task["organisation"], task["lane"])
    in_error = case["status"] == "error" and task["status"] == "open"
    use_field_words(case["version_hash"])
    kept = False
    if in_error and status == 409:
        message = None  # the alert about the case in error says it, with the way on
        if any(v not in ("", [], None) for v in values.values()):
            # what was typed is not lost: it waits as this person's draft until the case is resumed
            security.accounts().save_draft(task_id, g.user.user_id, values)
            kept = True
    return render_template("taak.html", task=task, case=case, fields=fields, schema=schema, message=message,
                           colleagues=colleagues, draft=draft, in_error=in_error, kept=kept,
                           general_errors=errors.get("_algemeen", []), can_work=can_work and not in_error,
                           claimed_by_other=bool(task["claimed_by"] and task["claimed_by"] != g.user.username),
                           **_notice()), status


# ---------------------------------------------------------------------- teamleider overview
@bp.get("/overzicht")
@login_required
def overview():
    organisations = policy.overview_organisations(g.user)
    if not organisations:
        abort(403)
    names = security.accounts().organisation_names(organisations)
    people = {u["username"]: u["display_name"] for org in organisations for u in security.accounts().list_users(org)}
    places: dict[str, list[dict]] = {}
    for item in wp().capacity_overview(organisations):
        places.setdefault(item["organisation"], []).append(item)
    return render_template("overzicht.html", overview=inbox().overview(organisations), org_names=names,
                           people=people, places=places)


# ---------------------------------------------------------------------- access log (auditor)
@bp.get("/logboek")
@login_required
def access_log():
    organisations = policy.access_log_organisations(g.user)
    if not organisations:
        abort(403)
    # the readable log (labels, names, paging, CSV, BSN posted) is the auditor's workspace's (web/audit.py)
    params: dict[str, Any] = {k: request.args[k] for k in ("zaak", "gebruiker") if request.args.get(k)}
    return redirect(url_for("audit.access_log", **params))


# ---------------------------------------------------------------------- case page
@bp.get("/zaken/<case_id>")
@login_required
def case_page(case_id: str):
    header = security.case_header_logged(case_id, "zaak.bekijken", "Zaak inzien")
    case = wp().get_case(case_id)
    history = wp().case_history(case_id)
    works = policy.may_work_task(g.user, header["organisation"], None)
    messages = []
    if works and case["status"] not in ("completed", "withdrawn", "error"):
        waiting = set(case.get("waiting_for_messages") or [])
        messages = [m for m in CONSULTANT_MESSAGES if m in waiting or m == "aanvraag_ingetrokken"]
    tasks = [dict(t, can_work=policy.may_work_task(g.user, header["organisation"], t["lane"])) for t in case["tasks"]]
    can_repair = case["status"] == "error" and policy.may_repair_case(g.user, header["organisation"])
    return render_template("zaak.html", case=case, history=list(reversed(history)), tasks=tasks,
                           messages=messages, can_note=works, can_repair=can_repair,
                           verdaging_open=request.args.get("fout", "").startswith("verdaging"), **_notice())


@bp.post("/zaken/<case_id>/hervatten")
@login_required
def case_retry(case_id: str):
    try:
        wp().retry_case(case_id, g.user, context=security.request_context("zaak.hervatten", "Zaak in fout hervatten"))
    except Conflict:
        return redirect(url_for("pages.case_page", case_id=case_id, fout="hervatten"))
    return redirect(url_for("pages.case_page", case_id=case_id, melding="hervat"))


@bp.post("/zaken/<case_id>/sluiten")
@login_required
def case_close(case_id: str):
    try:
        wp().close_case_in_error(case_id, g.user, request.form.get("reden", "")[:2000],
                                 context=security.request_context("zaak.sluiten", "Zaak in fout sluiten"))
    except ValidationError:
        return redirect(url_for("pages.case_page", case_id=case_id, fout="reden"))
    except Conflict:
        return redirect(url_for("pages.case_page", case_id=case_id, fout="conflict"))
    return redirect(url_for("pages.case_page", case_id=case_id, melding="gesloten"))


@bp.get("/zaken/<case_id>/diagram.json")
@login_required
def case_diagram(case_id: str):
    security.case_header_logged(case_id, "zaak.diagram", "Procesverloop van de zaak tonen")
    return jsonify(inbox().diagram(security.scope(), case_id) | diagram_names())


def diagram_names() -> dict:
    """What a case diagram's JSON carries besides the diagram (the case page's and the auditor's
    moment page's): roles and phases by name. Lanes and phase groups are drawn with them, and the
    legend of a diagram that colours its tasks per role (rows per phase) names the roles."""
    return {"rollen": work_roles(), "fasen": {key: _(label) for key, label in PHASE_LABELS.items()}}


@bp.post("/zaken/<case_id>/bericht")
@login_required
def case_message(case_id: str):
    name = request.form.get("bericht", "")
    if name not in CONSULTANT_MESSAGES:
        security.case_header_logged(case_id, "zaak.bericht", "Bericht op de zaak verwerken")  # 404 before 400
        abort(400)
    try:
        data = {}
        if name == "verdaging":  # Awb 4:14: the reason, the new deadline and the date of the letter
            data = {k: request.form.get(k, "").strip()[:1000] for k in ("reden", "nieuwe_beslisdatum", "briefdatum")
                    if request.form.get(k, "").strip()}
            try:  # typed as day-month-year (or a browser's 2026-03-14); to the process as a date
                data.update({k: formulieren.read_date(data.get(k, "")).isoformat()
                             for k in ("nieuwe_beslisdatum", "briefdatum")})
            except ValueError:
                return redirect(url_for("pages.case_page", case_id=case_id, fout="verdaging_datum"))
        case = wp().send_message(case_id, name, data, user=g.user,
                                 context=security.request_context("zaak.bericht", "Bericht op de zaak verwerken"))
    except Conflict:
        return redirect(url_for("pages.case_page", case_id=case_id, fout="conflict"))
    if name == "verdaging":  # the process refuses a late, repeated or not later verdaging and says why
        refused = (case.get("data") or {}).get("verdaging_geweigerd")
        if refused:
            return redirect(url_for("pages.case_page", case_id=case_id,
                                    fout=VERDAGING_REFUSED.get(str(refused), "verdaging")))
        return redirect(url_for("pages.case_page", case_id=case_id, melding="verdaagd"))
    return redirect(url_for("pages.case_page", case_id=case_id, melding="bericht"))


@bp.post("/zaken/<case_id>/notitie")
@login_required
def case_note(case_id: str):
    try:
        wp().add_note(case_id, g.user, request.form.get("notitie", "")[:5000],
                      context=security.request_context("zaak.notitie", "Notitie bij de zaak vastleggen"))
    except ValidationError:
        return redirect(url_for("pages.case_page", case_id=case_id, fout="notitie"))
    return redirect(url_for("pages.case_page", case_id=case_id, melding="notitie"))


# ---------------------------------------------------------------------- new melding
@bp.route("/melding", methods=["GET", "POST"])
@login_required
def new_case():
    options = inbox().startable(g.user.work_organisations())
    if not options:
        abort(403)
    values = {"gemeente": "", "bsn": "", "naam": "", "geboortedatum": ""}
    errors: dict[str, list[str]] = {}
    message = None
    status = 200
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip()[:200] for k in values}
        chosen = next((o for o in options if f"{o['municipality']}|{o['process']}" == values["gemeente"]), None)
        if chosen is None:
            errors["gemeente"] = [_("Kies een gemeente.")]
        born = values["geboortedatum"]  # as typed (shown again); to the engine as a date
        if born:
            try:
                born = formulieren.read_date(born).isoformat()
            except ValueError:
                errors["geboortedatum"] = [_("Vul de geboortedatum in als dag-maand-jaar, bijvoorbeeld 14-03-1979.")]
        reason = (request.form.get("reden") or "").strip()[:2000]
        known = None if errors or chosen is None else clienten.known_client(g.user.work_organisations(), values["bsn"], values["naam"],
                                                           born, chosen["process"])
        if known is not None:  # one client per BSN: show who we know, a second running case needs a reason
            security.log_access(operation="client.bekend", purpose="Melding: bekende cliënt tonen", activity=ACTIVITY,
                                status="ok", bsn=known["cases"][0]["bsn"])
            if not request.form.get("bevestigd") or (known["running_same"] and not reason):
                if request.form.get("bevestigd"):
                    errors["reden"] = [_("Geef een reden voor een tweede lopende zaak in hetzelfde proces.")]
                return render_template("melding.html", options=options, values=values, errors=errors,
                                       known=known, reason=reason, message=None), 409
        if chosen is not None and not errors:
            extra = {"reden_tweede_zaak": reason} if known and known["running_same"] else None
            try:
                case = wp().start_case(chosen["municipality"], values["bsn"], values["naam"],
                                       born, actor=g.user, process=chosen["process"],
                                       data=extra, context=security.request_context("zaak.starten",
                                                                                    "Melding registreren"))
            except ValidationError as exc:
                errors = {k: list(v) for k, v in exc.fields.items()}
                message = exc.message
            else:
                return redirect(url_for("pages.case_page", case_id=case["id"], melding="gestart"))
        status = 422
        message = message or _("De melding bevat fouten.")
    return render_template("melding.html", options=options, values=values, errors=errors, message=message), status
