"""Zoek cliënt: find any client or case of the user's organisations — also a case that
waits (no open task) or has ended — by name, BSN, birth date or case number.

The form is posted, so a BSN never appears in a URL; every search is in the access log
(with the searched BSN as pseudonym).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _

from engine.app import case_numbers
from engine.app.clients import Clients
from engine.core.bsn import normalise_bsn

from . import security
from .formulieren import read_date
from .security import login_required

bp = Blueprint("clienten", __name__)


def process_names() -> dict[str, str]:
    return {p["process"]: p["name"] for p in current_app.extensions["werkpad"].list_processes()}


@bp.route("/clienten", methods=["GET", "POST"])
@login_required
def search():
    organisations = g.user.case_organisations()
    if not organisations:
        abort(403)
    values = {"naam": "", "bsn": "", "geboortedatum": "", "zaaknummer": ""}
    errors: dict[str, list[str]] = {}
    results = None
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip()[:100] for k in values}
        bsn = normalise_bsn(values["bsn"]) if values["bsn"] else None
        if bsn is not None and not (bsn.isdigit() and len(bsn) == 9):
            errors["bsn"] = [_("Een BSN heeft 9 cijfers.")]
        born = None
        if values["geboortedatum"]:
            try:
                born = read_date(values["geboortedatum"])
            except ValueError:
                errors["geboortedatum"] = [_("Vul de geboortedatum in als dag-maand-jaar, bijvoorbeeld 14-03-1979.")]
        number = case_numbers.normalise(values["zaaknummer"]) if values["zaaknummer"] else None
        if values["zaaknummer"] and number is None:
            errors["zaaknummer"] = [_("Een zaaknummer ziet eruit als 2026-000123.")]
        if len(values["naam"]) == 1:
            errors["naam"] = [_("Vul minstens 2 letters in.")]
        if not errors and not (values["naam"] or bsn or born or number):
            errors["naam"] = [_("Vul een naam, BSN, geboortedatum of zaaknummer in.")]
        if not errors:
            results = Clients(current_app.extensions["werkpad"]).find(
                organisations, name=values["naam"] or None, bsn=bsn, birthdate=born, number=number)
            # found: in the organisations of the cases shown; not found: in each one searched
            security.log_access(operation="client.zoeken", purpose="Cliënt zoeken", activity=security.ACTIVITY,
                                status="ok" if results else "niet_gevonden", bsn=bsn,
                                organisations={r["organisation"] for r in results} or organisations)
    return render_template("clienten.html", values=values, errors=errors, results=results,
                           process_names=process_names() if results else {},
                           org_names=security.accounts().organisation_names(organisations)), 422 if errors else 200


def known_client(organisations: list[str], bsn: str, name: str, birthdate: str, process: str) -> dict | None:
    """For a new melding: the earlier and running cases of this BSN in ``organisations``,
    whether the name or birth date differ from the last known ones, and the running case
    of the same process (a second one needs a reason). None for an unknown (or invalid) BSN."""
    bsn = normalise_bsn(bsn or "")
    if not (bsn.isdigit() and len(bsn) == 9):
        return None
    cases = Clients(current_app.extensions["werkpad"]).cases_of(organisations, bsn)
    if not cases:
        return None
    last = max(cases, key=lambda c: c["started_at"])
    return {
        "cases": cases, "name": last["name"], "birthdate": last["birthdate"],
        "name_differs": " ".join(name.lower().split()) != " ".join(last["name"].lower().split()),
        "birthdate_differs": bool(birthdate) and birthdate != last["birthdate"],
        "running_same": next((c for c in cases if not c["ended"] and c["process"] == process), None),
        "process_names": process_names(),
    }
