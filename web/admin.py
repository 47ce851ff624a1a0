"""The administrator's pages (``/beheer``) and everyone's own password page (``/wachtwoord``).

An administrator of an organisation manages the users of that organisation: create
them, grant and revoke roles (with a werkvoorraad for a consultant), block and unblock,
reset a password (a temporary one, shown once, to be changed at the next login) and
issue and revoke API tokens (shown once). Every change goes through the same
``Accounts`` methods as ``werkpad users`` and leaves a record in the access log
(operation ``beheer.*``, with who did what to whom in its details).

Blocking here is per organisation: an administrator of Tilburg blocks a person in
Tilburg only, their roles in another organisation keep working (the global block is the
system administrator's, ``werkpad users block``). Every change is also in the account
trail (``engine/app/account_trail.py``), which administrators and auditors of the
organisation read at ``/beheer/accountspoor``.

A user who must change their password is sent to ``/wachtwoord`` before anything else.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.app import account_trail
from engine.app.accounts import ROLE_LABELS, ROLES, Principal
from engine.app.acting import AccessNote, RequestContext
from engine.errors import Conflict, NotFound, ValidationError

from . import security
from .formulieren import read_date
from .i18n import N_, translate
from .security import login_required

bp = Blueprint("admin", __name__)

ACTIVITY = "gebruikersbeheer"
ROLLEN_FILE = Path(__file__).resolve().parent.parent / "processes" / "rollen.json"
# Roles as the screen names them (the engine's ROLE_LABELS, through _()).
ROLE_NAMES = {
    "consultant": N_("Consulent"),
    "teamleider": N_("Teamleider"),
    "process_designer": N_("Procesontwerper"),
    "auditor": N_("Auditor"),
    "administrator": N_("Beheerder"),
}
assert set(ROLE_NAMES) == set(ROLE_LABELS)
NOTICES = {
    "rol": N_("De rol is toegekend."),
    "rol_af": N_("De rol is ingetrokken."),
    "geblokkeerd": N_("Het account is geblokkeerd in deze organisatie; de rollen hier werken niet meer."),
    "vrij": N_("De blokkade is opgeheven."),
    "token_af": N_("Het API-token is ingetrokken."),
    "wachtwoord": N_("Je wachtwoord is gewijzigd."),
}
ERRORS = {
    "zelf": N_("Je kunt jezelf niet blokkeren of je eigen beheerdersrol intrekken."),
    "rol": N_("Die rol kan niet worden toegekend. Een consulent hoort bij precies één werkvoorraad."),
    "onbekend": N_("Dat bestaat niet (meer)."),
}
# The account trail's actions as the screen names them.
ACTION_NAMES = {
    "gebruiker_aangemaakt": N_("Gebruiker aangemaakt"),
    "rol_toegekend": N_("Rol toegekend"),
    "rol_ingetrokken": N_("Rol ingetrokken"),
    "geblokkeerd": N_("Geblokkeerd"),
    "blokkade_opgeheven": N_("Blokkade opgeheven"),
    "wachtwoord_hersteld": N_("Tijdelijk wachtwoord gemaakt"),
    "wachtwoord_gewijzigd": N_("Wachtwoord gewijzigd"),
    "token_uitgegeven": N_("API-token uitgegeven"),
    "token_ingetrokken": N_("API-token ingetrokken"),
}
assert set(ACTION_NAMES) == set(account_trail.ACTIONS)
OPEN_ENDPOINTS = {"admin.change_password", "pages.uitloggen", "pages.inloggen", "pages.set_language",
                  "static", "vendor", "health"}


@lru_cache(maxsize=1)
def work_roles() -> dict[str, str]:
    """Werkvoorraden (the lanes of the processes) by id, with their names from processes/rollen.json."""
    try:
        data = json.loads(ROLLEN_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: value.get("naam") or key for key, value in data.get("rollen", {}).items()}


def work_role_groups(organisations: list[str], org_names: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """The werkvoorraden to choose from when granting a consultant's role: first those the
    organisations' processes give tasks to, then the others; each group by name."""
    roles = work_roles()
    used = current_app.extensions["werkpad"].lanes_in_use(organisations)
    mine = {key: name for key, name in roles.items() if key in used}
    others = {key: name for key, name in roles.items() if key not in used}
    if not mine:
        return [(_("Werkvoorraden"), others)]
    where = (_("In de processen van %(organisatie)s", organisatie=org_names.get(organisations[0], organisations[0]))
             if len(organisations) == 1 else _("In de processen van je organisaties"))
    return [(where, dict(sorted(mine.items(), key=lambda item: item[1].lower()))),
            (_("Andere werkvoorraden"), others)]


def work_role_name(lane: str | None) -> str:
    """``consulent_handhaving`` → its name from rollen.json (or a readable form of the id)."""
    if not lane:
        return ""
    return work_roles().get(lane) or lane.replace("_", " ").capitalize()


@bp.app_template_filter("werkvoorraad")
def _werkvoorraad_filter(lane: str | None) -> str:
    return work_role_name(lane)


@bp.app_template_filter("rolnaam")
def _rolnaam_filter(role: str) -> str:
    return _(ROLE_NAMES[role]) if role in ROLE_NAMES else role


# ---------------------------------------------------------------------- landing and forced password change
def landing(user: Principal) -> str:
    """Where a user starts after login: the password page when it must change; the inbox for whoever
    works tasks; the case search for an auditor; the designer's or the administrator's home."""
    if user.must_change_password:
        return url_for("admin.change_password")
    if user.work_organisations():
        return url_for("pages.inbox_page")
    if user.has_role("auditor"):
        return url_for("audit.search_page")  # an auditor works no tasks: their home is the case search
    if user.has_role("process_designer"):
        return url_for("designer.home")  # a designer's own home: processes, drafts, versions, checks
    if user.has_role("administrator"):
        return url_for("admin.users")
    return url_for("pages.inbox_page")


@bp.before_app_request
def _must_change_password():
    user = g.get("user")
    if (user is not None and user.must_change_password and request.blueprint != "api"
            and request.endpoint not in OPEN_ENDPOINTS):
        if request.method == "GET":
            return redirect(url_for("admin.change_password"))
        abort(403)
    return None


@bp.route("/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        new, repeat = request.form.get("nieuw", ""), request.form.get("herhaal", "")
        if not request.form.get("huidig"):
            errors["huidig"] = [_("Verplicht.")]
        if not new:
            errors["nieuw"] = [_("Verplicht.")]
        elif new != repeat:
            errors["herhaal"] = [_("De twee nieuwe wachtwoorden zijn niet gelijk.")]
        if not errors:
            try:
                security.accounts().change_password(g.user.user_id, request.form["huidig"], new,
                                                    note=_note("beheer.wachtwoord_wijzigen", "Eigen wachtwoord wijzigen"))
            except ValidationError as exc:
                errors = {"nieuw" if k == "password" else k: [translate(m) for m in v] for k, v in exc.fields.items()}
        if not errors:
            # change_password ended every session of this user: start a fresh one for this browser
            token, _csrf = security.accounts().start_session(g.user.user_id, client_ip=request.remote_addr,
                                                             user_agent=request.user_agent.string)
            user = security.accounts().principal(g.user.user_id)
            target = landing(user)
            response = redirect(target + ("&" if "?" in target else "?") + "melding=wachtwoord")
            security.set_session_cookie(response, token)
            g.session_set = True
            return response
        status = 422
    return render_template("admin/wachtwoord.html", errors=errors, forced=g.user.must_change_password), status


# ---------------------------------------------------------------------- administrator pages
def _admin_organisations() -> list[str]:
    user = g.get("user")
    organisations = sorted({m.organisation for m in user.memberships if m.role == "administrator"}) if user else []
    if not organisations:
        abort(403)
    return organisations


def _managed_user(username: str, organisations: list[str]) -> dict:
    """The user if they belong to one of the administrator's organisations; 404 otherwise."""
    try:
        user = security.accounts().get_user(username)
    except NotFound:
        abort(404)
    if not {r["organisation"] for r in user["roles"]} & set(organisations):
        abort(404)
    return user


def _note(operation: str, purpose: str, details: dict | None = None, organisation: str | None = None) -> AccessNote:
    """The access-log row of an account change, written in the change's own transaction."""
    context = RequestContext(operation, purpose, g.trace_id, g.span_id, g.started_at, ACTIVITY)
    return AccessNote(g.get("user"), context, organisation, dict(details or {}))


def _log(operation: str, purpose: str, target: str, details: dict, organisation: str | None = None) -> None:
    security.accounts().log_access(
        principal=g.get("user"), operation=operation, purpose=purpose, processing_activity=ACTIVITY,
        status="ok", trace_id=g.trace_id, span_id=g.span_id, started_at=g.started_at, organisation=organisation,
        details=dict(details, gebruiker=target))


def _lane_or_none(role: str, lane: str) -> str | None:
    return lane.strip() or None if role == "consultant" else None


@bp.get("/beheer")
@login_required
def users():
    organisations = _admin_organisations()
    names = security.accounts().organisation_names(organisations)
    listed: dict[str, dict] = {}
    for org in organisations:
        for user in security.accounts().list_users(org):
            listed[user["username"]] = user
    _log("beheer.gebruikers_bekijken", "Gebruikers van de organisatie inzien", "*", {})
    for user in listed.values():  # blocked in every organisation of this administrator that they belong to
        ours = {r["organisation"] for r in user["roles"]} & set(organisations)
        user["blocked_here"] = bool(ours) and ours <= set(user["blocked_in"])
    people = sorted(listed.values(), key=lambda u: (u["display_name"].lower(), u["username"]))
    return render_template("admin/gebruikers.html", people=people, org_names=names, organisations=organisations,
                           notice=NOTICES.get(request.args.get("melding", "")))


@bp.route("/beheer/nieuw", methods=["GET", "POST"])
@login_required
def create_user():
    organisations = _admin_organisations()
    values = {"gebruikersnaam": "", "naam": "", "email": "", "organisatie": organisations[0], "rol": "consultant",
              "werkvoorraad": ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip()[:200] for k in values}
        if values["organisatie"] not in organisations:
            errors["organisatie"] = [_("Kies een organisatie die je beheert.")]
        if values["rol"] not in ROLES:
            errors["rol"] = [_("Kies een rol.")]
        if not values["naam"]:
            errors["naam"] = [_("Verplicht.")]
        if not values["gebruikersnaam"]:
            errors["gebruikersnaam"] = [_("Verplicht.")]
        elif any(c.isspace() for c in values["gebruikersnaam"]):
            errors["gebruikersnaam"] = [_("Zonder spaties.")]
        if values["rol"] == "consultant" and not values["werkvoorraad"]:
            errors["werkvoorraad"] = [_("Verplicht voor een consulent.")]
        if values["rol"] != "consultant" and values["werkvoorraad"]:
            errors["werkvoorraad"] = [_("Alleen een consulent heeft een werkvoorraad.")]
        if not errors:
            from engine.app.accounts import temporary_password

            password = temporary_password()
            acc = security.accounts()
            try:
                user = acc.create_user(values["gebruikersnaam"], password, values["naam"], values["email"] or None,
                                       temporary=True, actor=g.user.username, organisation=values["organisatie"],
                                       role=values["rol"], lane=_lane_or_none(values["rol"], values["werkvoorraad"]),
                                       note=_note("beheer.gebruiker_aanmaken", "Gebruiker aanmaken",
                                                  {"rol": values["rol"], "werkvoorraad": values["werkvoorraad"] or None},
                                                  organisation=values["organisatie"]))
            except Conflict:
                errors["gebruikersnaam"] = [_("Deze gebruikersnaam bestaat al.")]
            except ValidationError as exc:
                errors["gebruikersnaam"] = [" ".join(translate(m) for m in v) for v in exc.fields.values()]
            else:
                return render_template("admin/eenmalig.html", person=acc.get_user(user["username"]),
                                       secret=password, kind="wachtwoord")
        status = 422
    org_names = security.accounts().organisation_names(organisations)
    return render_template("admin/nieuw.html", values=values, errors=errors, organisations=organisations,
                           org_names=org_names, roles=ROLES,
                           work_roles=work_role_groups(organisations, org_names)), status


@bp.get("/beheer/gebruikers/<username>")
@login_required
def user_page(username: str):
    organisations = _admin_organisations()
    person = _managed_user(username, organisations)
    _log("beheer.gebruiker_bekijken", "Gebruiker inzien", person["username"], {})
    tokens = security.accounts().list_tokens(person["username"])
    code = request.args.get("melding", "")
    fout = request.args.get("fout", "")
    org_names = security.accounts().organisation_names()
    return render_template("admin/gebruiker.html", person=person, tokens=tokens, organisations=organisations,
                           org_names=org_names, roles=ROLES, work_roles=work_role_groups(organisations, org_names),
                           notice=NOTICES.get(code), error=ERRORS.get(fout))


def _back(username: str, **params):
    return redirect(url_for("admin.user_page", username=username, **params))


@bp.post("/beheer/gebruikers/<username>/rollen")
@login_required
def grant(username: str):
    organisations = _admin_organisations()
    person = _managed_user(username, organisations)
    org, role = request.form.get("organisatie", ""), request.form.get("rol", "")
    lane = _lane_or_none(role, request.form.get("werkvoorraad", "")[:100])
    if org not in organisations:
        abort(403)
    try:
        security.accounts().grant(person["username"], org, role, lane, granted_by=g.user.username,
                                  note=_note("beheer.rol_toekennen", "Rol toekennen",
                                             {"rol": role, "werkvoorraad": lane}, organisation=org))
    except ValidationError:
        return _back(person["username"], fout="rol")
    return _back(person["username"], melding="rol")


@bp.post("/beheer/gebruikers/<username>/rollen/intrekken")
@login_required
def revoke(username: str):
    organisations = _admin_organisations()
    person = _managed_user(username, organisations)
    org, role = request.form.get("organisatie", ""), request.form.get("rol", "")
    lane = request.form.get("werkvoorraad", "")[:100] or None
    if org not in organisations:
        abort(403)
    if person["username"] == g.user.username and role == "administrator":
        return _back(person["username"], fout="zelf")
    try:
        security.accounts().revoke(person["username"], org, role, lane, actor=g.user.username,
                                   note=_note("beheer.rol_intrekken", "Rol intrekken",
                                              {"rol": role, "werkvoorraad": lane}, organisation=org))
    except NotFound:
        return _back(person["username"], fout="onbekend")
    if not {r["organisation"] for r in security.accounts().get_user(person["username"])["roles"]} & set(organisations):
        return redirect(url_for("admin.users", melding="rol_af"))  # no longer one of ours
    return _back(person["username"], melding="rol_af")


@bp.post("/beheer/gebruikers/<username>/blokkeren")
@login_required
def block(username: str):
    """Block or unblock in one organisation the administrator manages (never everywhere:
    the person's roles in other organisations are not this administrator's to stop)."""
    organisations = _admin_organisations()
    person = _managed_user(username, organisations)
    undo = request.form.get("actie") == "opheffen"
    if person["username"] == g.user.username:
        return _back(person["username"], fout="zelf")
    org = request.form.get("organisatie", "")
    if org not in organisations or org not in {r["organisation"] for r in person["roles"]}:
        abort(403)
    if undo:
        security.accounts().unblock(person["username"], org, actor=g.user.username,
                                    note=_note("beheer.deblokkeren", "Account deblokkeren", organisation=org))
    else:
        security.accounts().block(person["username"], org, actor=g.user.username,
                                  note=_note("beheer.blokkeren", "Account blokkeren", organisation=org))
    return _back(person["username"], melding="vrij" if undo else "geblokkeerd")


@bp.post("/beheer/gebruikers/<username>/wachtwoord")
@login_required
def reset_password(username: str):
    person = _managed_user(username, _admin_organisations())
    if person["username"] == g.user.username:
        return _back(person["username"], fout="zelf")
    password = security.accounts().reset_password(
        person["username"], actor=g.user.username,
        note=_note("beheer.wachtwoord_herstellen", "Tijdelijk wachtwoord instellen"))
    return render_template("admin/eenmalig.html", person=person, secret=password, kind="wachtwoord")


@bp.post("/beheer/gebruikers/<username>/tokens")
@login_required
def create_token(username: str):
    person = _managed_user(username, _admin_organisations())
    name = (request.form.get("naam") or "api").strip()[:100] or "api"
    try:
        days = int(request.form.get("dagen") or 0) or None
    except ValueError:
        days = None
    if days is not None and not 1 <= days <= 3660:
        days = None
    result = security.accounts().create_token(person["username"], name, days, actor=g.user.username,
                                              note=_note("beheer.token_uitgeven", "API-token uitgeven"))
    return render_template("admin/eenmalig.html", person=person, secret=result["token"], kind="token",
                           token=result)


@bp.post("/beheer/gebruikers/<username>/tokens/<int:token_id>/intrekken")
@login_required
def revoke_token(username: str, token_id: int):
    person = _managed_user(username, _admin_organisations())
    try:
        security.accounts().revoke_token(person["username"], token_id, actor=g.user.username,
                                         note=_note("beheer.token_intrekken", "API-token intrekken"))
    except NotFound:
        return _back(person["username"], fout="onbekend")
    return _back(person["username"], melding="token_af")


# ---------------------------------------------------------------------- the account trail
@bp.app_template_filter("accountactie")
def _accountactie_filter(action: str) -> str:
    return _(ACTION_NAMES[action]) if action in ACTION_NAMES else action


def _trail_organisations() -> list[str]:
    """Organisations whose account trail this user may read: as administrator or auditor."""
    user = g.get("user")
    organisations = sorted({m.organisation for m in user.memberships
                            if m.role in ("administrator", "auditor")}) if user else []
    if not organisations:
        abort(403)
    return organisations


def _day(text: str) -> date | None:
    try:
        return read_date(text) if text else None
    except ValueError:
        return None


@bp.get("/beheer/accountspoor")
@login_required
def account_trail_page():
    """Read-only: who changed which account, when, in the viewer's organisations; filter by
    person (subject or actor) and by date; with the verdict on the trail's hash chain."""
    organisations = _trail_organisations()
    values = {k: (request.args.get(k) or "").strip()[:100] for k in ("persoon", "van", "tot")}
    errors: dict[str, list[str]] = {}
    since, until = _day(values["van"]), _day(values["tot"])
    if values["van"] and since is None:
        errors["van"] = [_("Vul een datum in als dag-maand-jaar, bijvoorbeeld 14-03-2026.")]
    if values["tot"] and until is None:
        errors["tot"] = [_("Vul een datum in als dag-maand-jaar, bijvoorbeeld 14-03-2026.")]
    db = security.accounts().db
    rows = [] if errors else account_trail.list_trail(db, organisations, person=values["persoon"] or None,
                                                      since=since, until=until)
    verdict = account_trail.verify_trail(db)
    names = {u["username"]: u["display_name"] for org in organisations for u in security.accounts().list_users(org)}
    people = sorted(names.items(), key=lambda item: (item[1].lower(), item[0]))
    security.accounts().log_access(
        principal=g.get("user"), operation="beheer.accountspoor_bekijken", purpose="Accountspoor inzien",
        processing_activity=ACTIVITY, status="ok", trace_id=g.trace_id, span_id=g.span_id, started_at=g.started_at,
        details={"persoon": values["persoon"] or None})
    return render_template("admin/accountspoor.html", rows=rows, values=values, errors=errors, people=people,
                           names=names, verdict=verdict, organisations=organisations,
                           org_names=security.accounts().organisation_names(),
                           work_roles=work_roles()), 422 if errors else 200
