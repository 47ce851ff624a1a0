"""The JSON API under ``/api/v1``: the inbox operations for machine clients.

Authentication: ``Authorization: Bearer <token>`` (``werkpad users token``).
The same rules as the pages: every object is resolved through the caller's
organisations (404 otherwise, identical to a missing object), every case or
task read is written to the access log, and errors are JSON with field-level
details: ``{"fout": "ongeldig", "melding": "...", "velden": {"veld": ["..."]}}``.
Every name in requests, answers and errors is Dutch (``api_schemas``: data_keys over
the engine's dicts); docs/api.md lists what changed in /api/v1.
"""
from __future__ import annotations

import functools
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from marshmallow import ValidationError as SchemaError
from werkzeug.exceptions import HTTPException

from engine import ValidationError, WerkpadError
from engine.app import policy
from engine.app.inbox import Inbox, InboxQuery
from engine.errors import Forbidden, NotFound

from . import api_dump, security
from . import api_schemas as s
from .i18n import translate

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ACTIVITY = security.ACTIVITY
STATUS = {"not_found": 404, "validation": 422, "conflict": 409, "forbidden": 403}


def _wp():
    return current_app.extensions["werkpad"]


def _inbox() -> Inbox:
    return Inbox(_wp())


def _error(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify(s.error_body(code, message, fields))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="werkpad"'
    return response


@bp.errorhandler(WerkpadError)
def _werkpad_error(exc: WerkpadError):
    return _error(STATUS.get(exc.code, 400), exc.code, translate(exc.message), getattr(exc, "fields", None))


@bp.errorhandler(SchemaError)
def _schema_error(exc: SchemaError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    fields = {k: (v if isinstance(v, list) else [str(v)]) for k, v in messages.items()}
    return _error(422, "validation", "Het verzoek bevat fouten.", fields)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             413: "too_large"}
    messages = {401: "Geen of een ongeldig token.", 403: "Dat mag je niet.", 404: "Niet gevonden."}
    return _error(exc.code or 500, codes.get(exc.code or 500, "error"),
                  messages.get(exc.code or 500, exc.description or exc.name))


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return _error(401, "unauthorized", "Geen of een ongeldig token.")
        return view(*args, **kwargs)
    return wrapper


def _body(schema):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise SchemaError({"_schema": ["Verwacht een JSON-object."]})
    return schema.load(data)


def _task_header(task_id: str, operation: str, purpose: str) -> dict:
    try:
        header = _inbox().task_header(security.scope(), task_id)
    except NotFound:
        security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="niet_gevonden",
                            task_id=task_id[:36])
        raise
    security.log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="ok",
                        organisation=header["organisation"], case_id=header["case"], task_id=task_id,
                        bsn=header["bsn"])
    return header


def _forbidden(message: str):
    return _error(403, "forbidden", message)


@functools.cache
def _schema(cls):
    """One instance per schema class: building a marshmallow schema (its fields, the nested
    ones) costs more than dumping a case with it; instances hold no request state."""
    return cls()


def _answer(cls, obj):
    """An answer written with its schema (see api_dump: marshmallow's answer, faster)."""
    return api_dump.dump(_schema(cls), obj)


def _context(operation: str, purpose: str):
    return security.request_context(operation, purpose)


# ---------------------------------------------------------------------- routes
@bp.get("/ik")
@token_required
def me():
    user = g.user
    return _answer(s.MeSchema, {"username": user.username, "display_name": user.display_name,
                              "roles": [{"organisation": m.organisation, "role": m.role, "lane": m.lane or None}
                                        for m in user.memberships]})


@bp.get("/taken")
@token_required
def tasks():
    raw: dict[str, Any] = request.args.to_dict()
    raw["kolom"] = request.args.getlist("kolom")
    args = _schema(s.InboxQuerySchema).load(raw)
    if args["weergave"] == "alle" and not policy.may_view_all(g.user):
        return _forbidden("Alle open taken zijn er voor teamleiders en auditors; kies mijn of team.")
    result = _inbox().tasks(security.scope(), InboxQuery(
        view=args["weergave"], organisation=args["organisatie"], phase=args["fase"], task=args["taak"],
        lane=args["lane"], due=args["termijn"], search=args["zoek"], page=args["pagina"],
        per_page=args["per_pagina"], columns=args["kolom"]))
    for item in result["items"]:
        item["due"] = item["due"].isoformat() if item["due"] else None
        item["created_at"] = item["created_at"].isoformat()
        item["waiting_seconds"] = int(item.pop("waiting").total_seconds())
    return _answer(s.InboxPageSchema, result)


@bp.get("/taken/<task_id>")
@token_required
def task(task_id: str):
    _task_header(task_id, "api.taak.bekijken", "Taak behandelen")
    return _answer(s.TaskSchema, _wp().get_task(task_id))


# The commands check the access policy themselves (another organisation: 404, not allowed: 403)
# and write the access-log row in the same transaction as the change.
@bp.post("/taken/<task_id>/claimen")
@token_required
def claim(task_id: str):
    _wp().claim_task(task_id, g.user, context=_context("api.taak.claimen", "Taak oppakken"))
    return _answer(s.TaskSchema, _wp().get_task(task_id))


@bp.post("/taken/<task_id>/vrijgeven")
@token_required
def unclaim(task_id: str):
    _wp().unclaim_task(task_id, g.user, context=_context("api.taak.vrijgeven", "Taak vrijgeven"))
    return _answer(s.TaskSchema, _wp().get_task(task_id))


@bp.post("/taken/<task_id>/toewijzen")
@token_required
def assign(task_id: str):
    body = _body(_schema(s.AssignTaskSchema))
    _wp().assign_task(task_id, g.user, body["collega"], context=_context("api.taak.toewijzen", "Taak toewijzen"))
    return _answer(s.TaskSchema, _wp().get_task(task_id))


@bp.post("/taken/<task_id>/afronden")
@token_required
def complete(task_id: str):
    body = _body(_schema(s.CompleteTaskSchema))
    case = _wp().complete_task(task_id, g.user, body["data"], context=_context("api.taak.afronden", "Taak afronden"))
    return _answer(s.CaseSchema, case)


@bp.post("/zaken")
@token_required
def start_case():
    body = _body(_schema(s.StartCaseSchema))
    try:  # the command finds the version in effect and checks that the user works for its organisation
        case = _wp().start_case(body["gemeente"], body["bsn"], body["naam"], body["geboortedatum"],
                                actor=g.user, process=body["proces"],
                                context=_context("api.zaak.starten", "Melding registreren"))
    except (NotFound, Forbidden) as exc:
        raise ValidationError("Je kunt voor deze gemeente geen melding maken.",
                              fields={"gemeente": ["Geen gemeente van jouw organisatie."]}) from exc
    except ValidationError as exc:
        if "process" in exc.fields:
            raise ValidationError("Deze gemeente heeft meerdere processen; kies er een.",
                                  fields={"proces": ["Kies een proces."]}) from exc
        raise
    response = jsonify(_answer(s.CaseSchema, case))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case["id"])
    return response


@bp.get("/zaken/<case_id>")
@token_required
def get_case(case_id: str):
    security.case_header_logged(case_id, "api.zaak.bekijken", "Zaak inzien")
    return _answer(s.CaseSchema, _wp().get_case(case_id))


@bp.get("/zaken/<case_id>/geschiedenis")
@token_required
def history(case_id: str):
    security.case_header_logged(case_id, "api.zaak.geschiedenis", "Verloop van de zaak inzien")
    return _answer(s.HistorySchema, {"case": case_id, "events": _wp().case_history(case_id)})


@bp.post("/zaken/<case_id>/berichten")
@token_required
def message(case_id: str):
    body = _body(_schema(s.MessageSchema))
    case = _wp().send_message(case_id, body["bericht"], body["data"], user=g.user,
                              context=_context("api.zaak.bericht", "Bericht op de zaak verwerken"))
    return _answer(s.CaseSchema, case)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def openapi_document() -> dict:
    components: dict = {}
    error = {"description": "Fout", "content": {"application/json": {"schema": s.ref(s.ErrorSchema(), components)}}}

    def ok(schema, description="OK", status="200"):
        return {status: {"description": description,
                         "content": {"application/json": {"schema": s.ref(schema, components)}}},
                "401": error, "404": error}

    def body(schema):
        return {"required": True, "content": {"application/json": {"schema": s.ref(schema, components)}}}

    task_id = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
    case_id = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}
    paths = {
        "/ik": {"get": {"summary": "Wie ben ik: rollen per organisatie", "responses": ok(s.MeSchema())}},
        "/taken": {"get": {"summary": "Inbox: open taken (mijn, team of alle), gefilterd, per pagina",
                           "parameters": s.query_parameters(s.InboxQuerySchema(), components),
                           "responses": {**ok(s.InboxPageSchema()), "403": error, "422": error}}},
        "/taken/{task_id}": {"get": {"summary": "Een taak met het JSON Schema van haar formulier",
                                     "parameters": [task_id], "responses": ok(s.TaskSchema())}},
        "/taken/{task_id}/claimen": {"post": {"summary": "Taak oppakken", "parameters": [task_id],
                                              "responses": {**ok(s.TaskSchema()), "403": error, "409": error}}},
        "/taken/{task_id}/vrijgeven": {"post": {"summary": "Taak vrijgeven", "parameters": [task_id],
                                                "responses": {**ok(s.TaskSchema()), "403": error, "409": error}}},
        "/taken/{task_id}/toewijzen": {"post": {"summary": "Taak toewijzen aan een collega (teamleider)",
                                                "parameters": [task_id], "requestBody": body(s.AssignTaskSchema()),
                                                "responses": {**ok(s.TaskSchema()), "403": error, "422": error}}},
        "/taken/{task_id}/afronden": {"post": {"summary": "Taak afronden met formuliergegevens",
                                               "parameters": [task_id], "requestBody": body(s.CompleteTaskSchema()),
                                               "responses": {**ok(s.CaseSchema()), "403": error, "409": error,
                                                             "422": error}}},
        "/zaken": {"post": {"summary": "Melding: een zaak starten", "requestBody": body(s.StartCaseSchema()),
                            "responses": {**ok(s.CaseSchema(), "Aangemaakt", "201"), "422": error}}},
        "/zaken/{case_id}": {"get": {"summary": "Een zaak", "parameters": [case_id], "responses": ok(s.CaseSchema())}},
        "/zaken/{case_id}/geschiedenis": {"get": {"summary": "De gebeurtenissen van een zaak",
                                                  "parameters": [case_id], "responses": ok(s.HistorySchema())}},
        "/zaken/{case_id}/berichten": {"post": {"summary": "Bericht vastleggen (werk_gevonden, aanvraag_ingetrokken, bezwaar_ontvangen, maatregel_opleggen, ontheffing_aangevraagd, verdaging: data reden, nieuwe_beslisdatum, briefdatum)",
                                                "parameters": [case_id], "requestBody": body(s.MessageSchema()),
                                                "responses": {**ok(s.CaseSchema()), "403": error, "409": error,
                                                              "422": error}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Werkpad API", "version": "1",
                 "description": "De inbox van Werkpad voor machineclients. Alle tijden in UTC (ISO 8601)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "Token van `werkpad users token`."}}},
    }
