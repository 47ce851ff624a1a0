"""The process designer's pages (``/ontwerp``): the processes of one's organisations with
their versions, the open draft and its checks; the bpmn-js modeler; offering, approving
and publishing (four eyes); the difference between versions; a dry run of the draft on a
client profile; download and upload as zip; moving running cases to another version.

Designers of the owning organisation edit; its consultants, teamleiders, auditors and
administrators only look (a POST is a 403). A process of another organisation is a 404,
the same as one that does not exist. Every page and action goes to the access log.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from pathlib import Path

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
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from engine import NotFound, ValidationError, dry_run_record
from engine.app import policy
from engine.app.designer import Designer, decision_tables, own_files, shared_form, task_naming
from engine.core.messages import Msg
from engine.core.uses import form_title
from engine.errors import WerkpadError

from . import formulieren, security
from .admin import work_role_groups, work_roles
from .i18n import N_, translate
from .pages import diagram_names
from .security import login_required

bp = Blueprint("designer", __name__, url_prefix="/ontwerp")

ACTIVITY = "procesontwerp"
ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "docs" / "profielen" / "jan.json"
MAX_SAVE_BYTES = 1024 * 1024
NOTICES = {
    "bewaard": N_("Het concept is bewaard."),
    "aangeboden": N_("Het concept is aangeboden; een andere procesontwerper keurt het goed."),
    "gepubliceerd": N_("De nieuwe versie is gepubliceerd."),
    "verworpen": N_("Het concept is weggegooid."),
    "formulier_verwijderd": N_("Het formulier is uit het concept verwijderd."),
    "geen_versie": N_("Dit proces is nieuw en heeft nog geen versie om het concept mee te vergelijken."),
    "nieuw": N_("Het nieuwe proces is gemaakt als concept: een start, een eerste taak en een einde. Bouw het verder "
                "in de modeler; het gaat pas in als een andere procesontwerper het goedkeurt."),
    "geupload": N_("Het bestand is in het concept bewaard."),
    "geupload_omgezet": N_("Het bestand is in het concept bewaard. Een beslistabel was in een oudere DMN-versie "
                           "(1.1 of 1.2) getekend en is omgezet naar DMN 1.3, de versie die Werkpad leest; de "
                           "regels zijn dezelfde gebleven."),
    "overgezet": N_("De zaken zijn overgezet."),
}
NOTHING_CHOSEN = N_("Er is geen zaak gekozen; er is niets overgezet.")  # an error, on the migration page
STATUS = {"concept": N_("concept"), "ter_goedkeuring": N_("wacht op goedkeuring")}
EVENTS = {"concept_bewaard": N_("concept bewaard"), "aangeboden": N_("aangeboden voor publicatie"),
          "goedgekeurd": N_("goedgekeurd"), "gepubliceerd": N_("gepubliceerd"),
          "concept_verworpen": N_("concept weggegooid"), "proces_aangemaakt": N_("nieuw proces gemaakt"), "zaak_overgezet": N_("zaak overgezet")}


def designer() -> Designer:
    return current_app.extensions["werkpad"].designer


def _messages() -> dict:
    """The messages a process may wait for (processes/berichten.json) with their description."""
    path = ROOT / "processes" / "berichten.json"
    try:
        return {k: (v or {}).get("omschrijving", "") for k, v in
                json.loads(path.read_text(encoding="utf-8"))["berichten"].items()}
    except (OSError, ValueError, KeyError, AttributeError):
        return {}


def _process(key: str, operation: str, purpose: str, edit: bool = False) -> str:
    """The organisation of process ``key`` when the user may see it (404 otherwise) and,
    with ``edit``, change it (403 otherwise); logged either way."""
    try:
        organisation = designer().organisation_of(key[:64])
    except NotFound:
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="niet_gevonden")
        raise
    if not policy.may_view_design(g.user, organisation):
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="niet_gevonden")
        raise NotFound(f"proces '{key}' bestaat niet")
    if edit and not policy.may_edit_design(g.user, organisation):
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="geweigerd",
                            organisation=organisation)
        abort(403)
    security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="ok",
                        organisation=organisation)
    return organisation


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    """A body over the limit is refused on its Content-Length (or when the stream passes the
    limit), before it is read: a clear message instead of a bare 413, nothing stored."""
    message = _("Het bestand is te groot: een upload of bewaaractie mag hoogstens %(kb)s kB zijn. Er is niets "
                "bewaard.", kb=(current_app.config.get("MAX_CONTENT_LENGTH") or MAX_SAVE_BYTES) // 1024)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify({"error": "too_large", "message": message}), 413
    return render_template("fout.html", status=413, message=message, hide_language=True), 413


def in_language(text):
    """An engine text in the user's language, with the texts given as its values too (a check's
    finding names the reason within it; a refusal lists its reasons): each a
    :class:`~engine.core.messages.Msg` looked up in the catalogue (kept Dutch when it is not
    there). Any other value, such as a problem stored before findings kept their template, as it is."""
    if isinstance(text, Msg) and text.template:
        params = {key: in_language(value) for key, value in text.params.items()}
        return _(text.template, **params) if params else _(text.template)
    return translate(text)


def _problems(problems) -> list[dict]:
    """A draft's problems (or a refusal's) with their messages in the user's language."""
    if not isinstance(problems, list):
        return []
    return [p | {"message": in_language(p.get("message"))} if isinstance(p, dict) else p for p in problems]


@bp.context_processor
def _problem_text() -> dict:
    return {"probleemtekst": in_language}


def _refused(exc: ValidationError):
    """A refused save as the editors' scripts read it: the message and the problems (shown on
    the diagram), status 422."""
    return jsonify({"error": "validation", "message": in_language(exc.message),
                    "problemen": _problems(exc.details.get("problemen"))}), 422


def _notice() -> dict:
    which = request.args.get("melding", "")
    if which == "overgezet":  # how many moved, and how many could not
        moved, refused = request.args.get("aantal", type=int), request.args.get("niet", type=int) or 0
        if moved is not None and moved >= 0:
            said = ngettext("%(num)s zaak is overgezet.", "%(num)s zaken zijn overgezet.", moved)
            if refused > 0:
                said += " " + ngettext("%(num)s zaak kon niet worden overgezet; zie de lijst.",
                                       "%(num)s zaken konden niet worden overgezet; zie de lijst.", refused)
            return {"notice": said}
    return {"notice": NOTICES.get(which)}


def _version_name(number: int, effective: date) -> str:
    from .filters import lange_datum

    return _("versie %(n)s, geldig vanaf %(datum)s", n=number, datum=lange_datum(effective))


def _main_bpmn(record: dict) -> tuple[str, str]:
    """The BPMN file holding the process itself (the one a designer edits)."""
    files = {k: v for k, v in own_files(record).items() if k.endswith(".bpmn")}
    process_id = record["manifest"].get("proces", "")
    for name, text in sorted(files.items()):
        if f'id="{process_id}"' in text:
            return name, text
    name = sorted(files)[0]
    return name, files[name]


# ---------------------------------------------------------------------- home
@bp.get("/")
@login_required
def home():
    orgs = policy.design_organisations(g.user)
    if not orgs:
        security.log_access(operation="ontwerp.overzicht", purpose="Processen bekijken", activity=ACTIVITY,
                            status="geweigerd")
        abort(403)
    security.log_access(operation="ontwerp.overzicht", purpose="Processen bekijken", activity=ACTIVITY,
                        status="ok")
    processes = designer().overview(orgs)
    for p in processes:
        p["may_edit"] = policy.may_edit_design(g.user, p["organisation"])
    names = security.accounts().organisation_names(orgs)
    return render_template("ontwerp/overzicht.html", processes=processes, org_names=names, statuses=STATUS,
                           may_create=any(policy.may_edit_design(g.user, o) for o in orgs),
                           version_name=_version_name, **_notice())


# ---------------------------------------------------------------------- a new process
def _new_choices() -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """The organisations where the user designs, their names, and the municipalities each serves."""
    orgs = [o for o in policy.design_organisations(g.user) if policy.may_edit_design(g.user, o)]
    return orgs, security.accounts().organisation_names(orgs), {o: designer().municipalities_of(o) for o in orgs}


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def new_process():
    """A new process for one's own organisation: a name, the municipalities it serves and the
    role that gets its first task; it starts as a draft with a start, that task and an end,
    to build on in the modeler and publish with four eyes like every change."""
    orgs, names, served = _new_choices()
    if not orgs:
        security.log_access(operation="ontwerp.nieuw", purpose="Nieuw proces maken", activity=ACTIVITY,
                            status="geweigerd")
        abort(403)
    values = {"naam": "", "gemeenten": [], "rol": ""}
    errors: dict[str, list] = {}
    message = None
    if request.method == "POST":
        chosen = [v for v in request.form.getlist("gemeenten") if "|" in v]
        name, role = request.form.get("naam", "")[:500], request.form.get("rol", "")[:100]
        values = {"naam": name, "gemeenten": chosen, "rol": role}
        picked_orgs = {v.split("|", 1)[0] for v in chosen}
        organisation = next(iter(picked_orgs)) if len(picked_orgs) == 1 else (orgs[0] if len(orgs) == 1 else "")
        if len(picked_orgs) > 1:
            errors["gemeenten"] = [_("Kies gemeenten van één organisatie: een proces hoort bij één organisatie.")]
        elif organisation not in orgs:
            errors["gemeenten"] = [_("Kies voor welke gemeenten het proces werkt.")]
        else:
            try:
                made = designer().new_process(organisation, name,
                                              [v.split("|", 1)[1] for v in chosen if v.startswith(organisation + "|")],
                                              role, g.user.username)
            except ValidationError as exc:
                errors = {k: list(v) for k, v in exc.fields.items()}
                message = exc.message
            else:
                security.log_access(operation="ontwerp.nieuw_maken", purpose="Nieuw proces maken",
                                    activity=ACTIVITY, status="ok", organisation=organisation)
                return redirect(url_for("designer.process_page", key=made["process"], melding="nieuw"))
        if errors and message is None:
            message = _("Het nieuwe proces is niet gemaakt.")
    security.log_access(operation="ontwerp.nieuw", purpose="Nieuw proces maken", activity=ACTIVITY,
                        status="ok" if not errors else "ongeldig")
    return render_template("ontwerp/nieuw.html", orgs=orgs, org_names=names, served=served, values=values,
                           errors=errors, message=message, roles=work_role_groups(orgs, names)), \
        (422 if errors else 200)


# what a field is, in the words of the form builder (web/static/js/formulierbouwer.js)
KIND_WORDS = {"boolean": N_("Ja/nee"), "choice": N_("Keuze uit een lijst"), "choices": N_("Meerdere keuzes"),
              "text": N_("Korte tekst"), "textarea": N_("Lange tekst"), "integer": N_("Geheel getal"),
              "number": N_("Getal"), "date": N_("Datum")}


def _kind(field: dict) -> str:
    if field.get("type") == "boolean":
        return "boolean"
    if field.get("type") == "array":
        return "choices"
    if field.get("enum"):
        return "choice"
    if field.get("type") in ("integer", "number"):
        return str(field["type"])
    if field.get("format") == "date":
        return "date"
    return "textarea" if field.get("x-widget") == "textarea" else "text"


def _vocabulary_rows(vocabulary: dict[str, dict], uses: dict[str, list[dict]]) -> list[dict]:
    """The shared vocabulary as designers read it: name, label, kind, limits or choices, explanation,
    and the processes (of their organisations) whose forms ask for it."""
    rows = []
    for name, field in sorted(vocabulary.items(), key=lambda item: str(item[1].get("title") or item[0]).lower()):
        source = field.get("items", field) if field.get("type") == "array" else field
        labels = field.get("x-labels") or source.get("x-labels") or {}
        choices = [str(labels.get(v, v)) for v in source.get("enum") or []]
        rows.append({"name": name, "title": field.get("title") or name, "kind": KIND_WORDS[_kind(field)],
                     "minimum": _number(field.get("minimum")), "maximum": _number(field.get("maximum")),
                     "choices": choices, "description": field.get("description") or "",
                     "uses": [{"process": u["process"], "forms": ", ".join(translate(f) for f in u["forms"])}
                              for u in uses.get(name, [])]})
    return rows


def _number(value) -> str | None:
    """A limit as Dutch (or English) readers write it: 10.000, 2,5."""
    return format_decimal(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@bp.get("/vocabulaire")
@login_required
def vocabulary_page():
    """The shared vocabulary, read-only: it is the same for every organisation (a field of one of these
    names means the same client fact everywhere), so no one organisation's designer changes it here."""
    orgs = policy.design_organisations(g.user)
    if not orgs:
        security.log_access(operation="ontwerp.vocabulaire", purpose="Gedeeld vocabulaire bekijken",
                            activity=ACTIVITY, status="geweigerd")
        abort(403)
    security.log_access(operation="ontwerp.vocabulaire", purpose="Gedeeld vocabulaire bekijken", activity=ACTIVITY,
                        status="ok")
    rows = _vocabulary_rows(designer().vocabulary(), designer().vocabulary_uses(orgs))
    return render_template("ontwerp/vocabulaire.html", rows=rows)


def _form_list(forms: dict[str, str]) -> list[tuple[str, str, str]]:
    """(id, title, what tells it apart) per form, by title: two forms of one title (a shared
    form beside the organisation's own) are told apart in words — 'gedeeld' for a shared one,
    'eigen formulier' for the organisation's own, and only where two of its own share a title,
    the file each is kept in."""
    titled = [(fid, form_title(text, fid), shared_form(fid)) for fid, text in forms.items()]
    count: dict[tuple[str, bool], int] = {}
    for _fid, title, shared in titled:
        count[(title, shared)] = count.get((title, shared), 0) + 1

    def apart(fid: str, title: str, shared: bool) -> str:
        if count.get((title, True), 0) + count.get((title, False), 0) < 2:
            return ""
        if count[(title, shared)] > 1:
            return _("bestand %(naam)s", naam=f"{fid}.json")
        return _("gedeeld") if shared else _("eigen formulier")
    return sorted(((fid, title, apart(fid, title, shared)) for fid, title, shared in titled),
                  key=lambda f: (f[1].lower(), f[2]))


@bp.get("/<key>")
@login_required
def process_page(key: str):
    organisation = _process(key, "ontwerp.proces", "Proces, versies en concept bekijken")
    return _process_page(key, organisation)


def _process_page(key: str, organisation: str, **extra):
    info = designer().process(key)
    forms = _form_list(designer().working_record(key)["forms"])
    return render_template("ontwerp/proces.html", info=info, forms=forms, tables=_tables_with_problems(key),
                           may_edit=policy.may_edit_design(g.user, organisation),
                           statuses=STATUS, events=EVENTS, version_name=_version_name,
                           today=date.today().isoformat(), **(_notice() | extra))


# ---------------------------------------------------------------------- modeler
@bp.get("/<key>/modeler")
@login_required
def modeler(key: str):
    organisation = _process(key, "ontwerp.modeler", "Procesmodel bekijken of bewerken")
    info = designer().process(key)
    return render_template("ontwerp/modeler.html", info=info, may_edit=policy.may_edit_design(g.user, organisation),
                           statuses=STATUS)


@bp.get("/<key>/concept.json")
@login_required
def draft_json(key: str):
    organisation = _process(key, "ontwerp.concept", "Procesmodel laden")
    d = designer()
    draft = d.draft(key)
    record = draft["record"] if draft else d.working_record(key)
    name, xml = _main_bpmn(record)
    from engine import PHASES

    from .filters import PHASE_LABELS

    return jsonify({"bestand": name, "xml": xml, "problemen": _problems(draft["problems"]) if draft else [],
                    "toelichting": draft["change_note"] if draft else "",
                    "bewerken": policy.may_edit_design(g.user, organisation), "fasen": list(PHASES),
                    "fasenamen": {p: _(PHASE_LABELS[p]) if p in PHASE_LABELS else p for p in PHASES},
                    "rollen": work_roles(), "formulieren": d.available_forms(key), "berichten": _messages(),
                    "beslistabellen": {decision: url_for("designer.table_page", key=key, name=t["file"][:-4])
                                       for t in decision_tables(record) for decision in t["decisions"]}})


@bp.post("/<key>/concept")
@login_required
def save_draft(key: str):
    _process(key, "ontwerp.concept_bewaren", "Concept van een proces bewaren", edit=True)
    if (request.content_length or 0) > MAX_SAVE_BYTES:
        abort(413)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or not isinstance(body.get("bestand"), str):
        return jsonify({"error": "validation", "message": _("Stuur het bestand en de XML mee.")}), 400
    note = body.get("toelichting")
    try:
        draft = designer().save_draft(key, g.user.username, files={body["bestand"]: body["xml"]},
                                      change_note=note if isinstance(note, str) else None)
    except ValidationError as exc:
        return _refused(exc)
    return jsonify({"status": draft["status"], "problemen": _problems(draft["problems"])})


# ---------------------------------------------------------------------- decision tables (dmn-js)
# dmn-js draws the bpmn.io watermark (and the notice it opens) with style attributes in its
# markup; its licence forbids changing that file, and the strict policy (style-src 'self')
# refuses inline styles. The decision-table page allows exactly these attribute values by
# their hash ('unsafe-hashes' for style attributes only): no other inline style, no <style>.
WATERMARK_STYLES = (
    "vertical-align:middle",
    "position: absolute; bottom: 15px; right: 15px; z-index: 100;",
    "z-index: 1001;position: fixed;top: 0;left: 0;right: 0;bottom: 0",
    "width: 100%;height: 100%;background: rgba(40,40,40,0.2)",
    "position: absolute;left: 50%;top: 40%;transform: translate(-50%);width: 260px;padding: 10px;"
    "background: white;box-shadow: 0 1px 4px rgba(0,0,0,0.3);font-family: Helvetica, Arial, sans-serif;"
    "font-size: 14px;display: flex;line-height: 1.3",
    "margin: 15px 20px 15px 10px; align-self: center;",
)
DMN_CSP = security.CSP + "; style-src-attr 'unsafe-hashes' " + " ".join(
    "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in WATERMARK_STYLES)


def _table(key: str, name: str) -> tuple[str, str]:
    """The file name and text of decision table ``name`` (file name without .dmn) of the
    process as the designer edits it; NotFound for a table the process does not have."""
    record = designer().working_record(key)
    file = f"{name[:100]}.dmn"
    text = own_files(record).get(file)
    if text is None:
        raise NotFound(f"beslistabel '{name[:100]}' hoort niet bij dit proces")
    return file, text


def _tables_with_problems(key: str) -> list[dict]:
    record = designer().working_record(key)
    draft = designer().draft(key)
    problems = draft["problems"] if draft else []
    return [t | {"problems": sum(1 for p in problems if p.get("file") == t["file"])}
            for t in decision_tables(record)]


@bp.get("/<key>/beslistabellen/<name>")
@login_required
def table_page(key: str, name: str):
    organisation = _process(key, "ontwerp.beslistabel", "Beslistabel bekijken of bewerken")
    file, _text = _table(key, name)
    info = designer().process(key)
    tables = _tables_with_problems(key)
    title = next((t["name"] for t in tables if t["file"] == file), name)
    g.csp = DMN_CSP
    return render_template("ontwerp/beslistabel.html", info=info, tables=tables, file=file, title=title,
                           table_name=name, may_edit=policy.may_edit_design(g.user, organisation),
                           statuses=STATUS)


@bp.get("/<key>/beslistabellen/<name>/tabel.json")
@login_required
def table_json(key: str, name: str):
    organisation = _process(key, "ontwerp.beslistabel_laden", "Beslistabel laden")
    file, text = _table(key, name)
    draft = designer().draft(key)
    return jsonify({"bestand": file, "xml": text, "problemen": _problems(draft["problems"]) if draft else [],
                    "toelichting": draft["change_note"] if draft else "",
                    "bewerken": policy.may_edit_design(g.user, organisation)})


@bp.post("/<key>/beslistabellen/<name>")
@login_required
def table_save(key: str, name: str):
    """Save the edited table into the draft: the same checks as every save (expressions
    through the safe checker, gaps and overlaps) run over the whole process."""
    _process(key, "ontwerp.beslistabel_bewaren", "Beslistabel in het concept bewaren", edit=True)
    if (request.content_length or 0) > MAX_SAVE_BYTES:
        abort(413)
    file, _text = _table(key, name)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        return jsonify({"error": "validation", "message": _("Stuur de XML van de beslistabel mee.")}), 400
    note = body.get("toelichting")
    try:
        draft = designer().save_draft(key, g.user.username, files={file: body["xml"]},
                                      change_note=note if isinstance(note, str) else None)
    except ValidationError as exc:
        return _refused(exc)
    return jsonify({"status": draft["status"], "problemen": _problems(draft["problems"])})


# ---------------------------------------------------------------------- four eyes
@bp.post("/<key>/aanbieden")
@login_required
def offer(key: str):
    _process(key, "ontwerp.aanbieden", "Concept aanbieden voor publicatie", edit=True)
    try:
        effective = formulieren.read_date(request.form.get("geldig_vanaf", "")[:20])  # 1-1-2027 as typed, or 2027-01-01
    except ValueError:
        raise ValidationError(_("Kies de datum waarop de nieuwe versie ingaat.")) from None
    designer().offer(key, g.user.username, effective, request.form.get("toelichting", ""))
    return redirect(url_for("designer.process_page", key=key, melding="aangeboden"))


@bp.post("/<key>/goedkeuren")
@login_required
def approve(key: str):
    _process(key, "ontwerp.goedkeuren", "Concept goedkeuren en publiceren", edit=True)
    try:
        designer().approve(key, g.user.username)
    except WerkpadError as exc:  # e.g. the draft's problems: the error page translates a message, not
        exc.message = in_language(exc.message)  # the reasons within it
        raise
    return redirect(url_for("designer.process_page", key=key, melding="gepubliceerd"))


@bp.post("/<key>/weggooien")
@login_required
def discard(key: str):
    _process(key, "ontwerp.weggooien", "Concept weggooien", edit=True)
    designer().discard_draft(key, g.user.username)
    return redirect(url_for("designer.process_page", key=key, melding="verworpen"))


# ---------------------------------------------------------------------- diff
def _which(value: str | None, default: str) -> str:
    value = (value or default).strip()
    if value == "concept" or (value.isdigit() and len(value) < 6):
        return value
    raise NotFound("die versie bestaat niet")


@bp.get("/<key>/verschil")
@login_required
def diff_page(key: str):
    _process(key, "ontwerp.verschil", "Versies vergelijken")
    info = designer().process(key)
    if not info["versions"]:  # a new process: nothing published yet to compare its draft with
        return redirect(url_for("designer.process_page", key=key, melding="geen_versie"))
    newest = info["versions"][0]["number"]
    old = _which(request.args.get("van"), str(max(newest - 1, 1)))
    new = _which(request.args.get("naar"), "concept" if info["draft"] else str(newest))
    diff = designer().diff(key, old if old == "concept" else int(old), new if new == "concept" else int(new))
    marks = {"old": {e["id"]: "verwijderd" for e in diff["removed"]} | {c["id"]: "gewijzigd" for c in diff["changed"]},
             "new": {e["id"]: "toegevoegd" for e in diff["added"]} | {c["id"]: "gewijzigd" for c in diff["changed"]}}
    return render_template("ontwerp/verschil.html", info=info, diff=diff, old=old, new=new, marks=marks,
                           version_name=_version_name)


@bp.get("/<key>/bpmn/<which>.json")
@login_required
def version_bpmn(key: str, which: str):
    _process(key, "ontwerp.model", "Procesmodel van een versie laden")
    which = _which(which, which)
    d = designer()
    if which == "concept":
        draft = d.draft(key)
        if draft is None:
            raise NotFound("er is geen concept")
        record = draft["record"]
    else:
        record = d.version_record(key, int(which))
    # lanes and phase groups drawn with their names, as on the case page
    return jsonify({"xml": _main_bpmn(record)[1]} | diagram_names())


# ---------------------------------------------------------------------- dry run
@bp.get("/<key>/proefrit")
@login_required
def dry_run(key: str):
    organisation = _process(key, "ontwerp.proefrit", "Proefrit van het concept op een klantprofiel")
    d = designer()
    draft = d.draft(key)
    record = draft["record"] if draft else d.working_record(key)
    profile = json.loads(PROFILE.read_text(encoding="utf-8"))
    limits = current_app.extensions["werkpad"].capacity_limits(organisation)  # a place is asked as it is live
    try:
        result = dry_run_record(profile, record, limits=limits)
    except WerkpadError as exc:
        result = {"error": translate(exc.message)}
    path_ids = [step["id"] for step in result.get("pad", []) if step.get("id")]
    timers = [step for step in result.get("pad", []) if step["soort"] == "timer"]
    return render_template("ontwerp/proefrit.html", info=d.process(key), result=result, profile=profile,
                           path_ids=path_ids, timers=timers, concept=draft is not None)


# ---------------------------------------------------------------------- files round trip
@bp.get("/<key>/versies/<int:number>.zip")
@login_required
def download(key: str, number: int):
    _process(key, "ontwerp.download", "Versie downloaden als zip")
    data = designer().version_zip(key, number)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{key}-versie-{number}.zip"'})


@bp.post("/<key>/upload")
@login_required
def upload(key: str):
    """A file from outside into the draft: a zip of a process folder, or one .bpmn, .dmn or
    form (.json). Refused with nothing stored when it has any problem (422), or when it is
    over the size limit (413, on the Content-Length, before it is read)."""
    organisation = _process(key, "ontwerp.upload", "Zip-bestand als concept bewaren", edit=True)
    file = request.files.get("bestand")
    if file is None:
        raise ValidationError(_("Kies een zip-bestand of een .bpmn-, .dmn- of .json-bestand."))
    try:
        saved = designer().upload_file(key, g.user.username, file.filename or "", file.read(MAX_SAVE_BYTES + 1),
                                       request.form.get("toelichting", ""))
    except ValidationError as exc:
        # refused, nothing stored: said on the process page beside the upload, each problem on its
        # own line (the file and the step it is about), in the user's language
        problems = _problems(exc.details.get("problemen"))
        return _process_page(key, organisation, notice=None, refusal={
            "file": (file.filename or "")[:200], "message": in_language(exc.message),
            "problems": problems if len(problems) > 1 else []}), 422
    except WerkpadError as exc:  # a refusal names its reasons: in the user's language, as the error page
        exc.message = in_language(exc.message)  # translates a message but not the reasons within it
        raise
    if saved.get("omgezet"):  # a table from an older modeler: said, so the designer knows the file changed
        return redirect(url_for("designer.process_page", key=key, melding="geupload_omgezet"))
    return redirect(url_for("designer.process_page", key=key, melding="geupload"))


# ---------------------------------------------------------------------- migration
@bp.get("/<key>/versies/<int:number>/overzetten")
@login_required
def migration(key: str, number: int):
    organisation = _process(key, "ontwerp.overzetten", "Lopende zaken naar een versie: proefoverzetting")
    info = designer().process(key)
    version = next((v for v in info["versions"] if v["number"] == number), None)
    if version is None:
        raise NotFound("die versie bestaat niet")
    report = designer().migration_report(key, number)
    error = NOTHING_CHOSEN if request.args.get("melding") == "niets_gekozen" else None
    return render_template("ontwerp/overzetten.html", info=info, version=version, report=report,
                           may_edit=policy.may_edit_design(g.user, organisation), version_name=_version_name,
                           result=None, error=error)


@bp.post("/<key>/versies/<int:number>/overzetten")
@login_required
def migrate(key: str, number: int):
    _process(key, "ontwerp.overzetten_uitvoeren", "Lopende zaken overzetten naar een versie", edit=True)
    chosen = request.form.getlist("zaak")
    if not chosen:  # nothing ticked moves nothing (an empty choice is not "all")
        return redirect(url_for("designer.migration", key=key, number=number, melding="niets_gekozen"))
    result = designer().migrate_cases(key, number, g.user, chosen, context=security.request_context(
        "ontwerp.zaak_overzetten", "Lopende zaak overzetten naar een versie"))
    moved = sum(1 for item in result if item["moved"])
    return redirect(url_for("designer.process_page", key=key, melding="overgezet", aantal=moved,
                            niet=len(result) - moved))


# ---------------------------------------------------------------------- forms
def _form_record(key: str, form_id: str) -> tuple[dict, str]:
    """The process as the designer edits it, and the form's text (indented when it is JSON)."""
    record = designer().working_record(key)
    if form_id not in record["forms"]:
        raise NotFound(f"formulier '{form_id[:100]}' hoort niet bij dit proces")
    text = record["forms"][form_id]
    try:
        return record, json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return record, text


def _uses(record: dict, form_id: str) -> dict[str, list[str]]:
    """Where the process reads each name, in the user's language (for the field builder)."""
    return {name: [translate(place) for place in places]
            for name, places in Designer.name_uses(record, form_id).items()}


def _preview(form_id: str, text: str) -> tuple[list, str | None]:
    try:
        return formulieren.fields_for(designer().form_schema(form_id, text)), None
    except WerkpadError as exc:
        return [], translate(exc.message)


@bp.get("/<key>/formulieren/<form_id>")
@login_required
def form_page(key: str, form_id: str):
    organisation = _process(key, "ontwerp.formulier", "Formulier van een proces bekijken")
    record, text = _form_record(key, form_id)
    fields, problem = _preview(form_id, text)
    may_edit = policy.may_edit_design(g.user, organisation)
    removable = may_edit and not shared_form(form_id) and not task_naming(record, form_id)
    return render_template("ontwerp/formulier.html", info=designer().process(key), form_id=form_id, text=text,
                           title=form_title(text), vocabulary=designer().vocabulary(), uses=_uses(record, form_id),
                           fields=fields, problem=problem, may_edit=may_edit, removable=removable)


@bp.post("/<key>/nieuw-formulier")
@login_required
def new_form(key: str):
    """A new form in the draft, from its title: then the form builder, to give it its fields."""
    organisation = _process(key, "ontwerp.formulier_nieuw", "Nieuw formulier in het concept", edit=True)
    try:
        form_id = designer().new_form(key, g.user.username, request.form.get("titel", "")[:500])
    except ValidationError as exc:
        problems = [in_language(m) for messages in exc.fields.values() for m in messages] or [in_language(exc.message)]
        return _process_page(key, organisation, form_error=" ".join(str(p) for p in problems)), 422
    return redirect(url_for("designer.form_page", key=key, form_id=form_id))


@bp.post("/<key>/formulieren/<form_id>/verwijderen")
@login_required
def form_remove(key: str, form_id: str):
    """A form of the process's own that no task names any more, out of the draft."""
    _process(key, "ontwerp.formulier_verwijderen", "Formulier uit het concept verwijderen", edit=True)
    designer().remove_form(key, g.user.username, form_id[:100])
    return redirect(url_for("designer.process_page", key=key, melding="formulier_verwijderd"))


@bp.post("/<key>/formulieren/<form_id>/voorbeeld")
@login_required
def form_preview(key: str, form_id: str):
    """The live preview: the fields the typed JSON gives, rendered as the task page does."""
    _process(key, "ontwerp.formulier_voorbeeld", "Voorbeeld van een formulier tonen", edit=True)
    _form_record(key, form_id)
    fields, problem = _preview(form_id, request.form.get("tekst", ""))
    return render_template("ontwerp/_voorbeeld.html", fields=fields, problem=problem)


@bp.post("/<key>/formulieren/<form_id>")
@login_required
def form_save(key: str, form_id: str):
    _process(key, "ontwerp.formulier_bewaren", "Formulier in het concept bewaren", edit=True)
    record, _ = _form_record(key, form_id)
    text = request.form.get("tekst", "")
    fields, problem = _preview(form_id, text)
    if problem is None:
        try:
            designer().save_draft(key, g.user.username, forms={form_id: text})
            return redirect(url_for("designer.process_page", key=key, melding="bewaard"))
        except ValidationError as exc:  # refused: the form as typed stays on the page, nothing stored
            problem = in_language(exc.message)
    return render_template("ontwerp/formulier.html", info=designer().process(key), form_id=form_id, text=text,
                           title=form_title(text), vocabulary=designer().vocabulary(), uses=_uses(record, form_id),
                           fields=fields, problem=problem, may_edit=True), 422
