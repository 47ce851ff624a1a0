"""Request and response schemas of the JSON API (marshmallow), and the OpenAPI
document built from them. Times are ISO 8601 strings in UTC."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from engine.app.inbox import DUE_FILTERS, MAX_PER_PAGE, VIEWS

CONSULTANT_MESSAGES = ("werk_gevonden", "aanvraag_ingetrokken", "bezwaar_ontvangen", "maatregel_opleggen",
                       "ontheffing_aangevraagd", "verdaging")


def _time(**kwargs) -> fields.String:
    return fields.String(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def _str(key: str | None = None, **kwargs) -> fields.String:
    return fields.String(data_key=key, **kwargs)


class Code(fields.String):
    """An engine code (``running``) shown as the API's Dutch word (``lopend``); unknown codes
    pass unchanged. The OpenAPI document lists the words."""

    def __init__(self, words: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.words = words
        self.validators.insert(0, validate.OneOf(list(words.values())))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.words.get(value, value)


CASE_STATUS = {"running": "lopend", "waiting": "wachtend", "completed": "afgerond", "withdrawn": "ingetrokken",
               "error": "in_fout"}
TASK_STATUS = {"open": "open", "completed": "afgerond", "cancelled": "vervallen"}
# Error codes of every JSON error of /api/v1 (the "fout" field).
ERROR_CODES = {
    "not_found": "niet_gevonden", "validation": "ongeldig", "conflict": "conflict", "unauthorized": "niet_aangemeld",
    "forbidden": "geen_toegang", "bad_request": "onjuist_verzoek", "method_not_allowed": "methode_niet_toegestaan",
    "too_large": "te_groot", "too_many_requests": "te_veel_verzoeken", "unavailable": "niet_beschikbaar",
    "error": "interne_fout",
}
# Engine field names in an engine ValidationError, as the API's request fields name them.
REQUEST_FIELDS = {"municipality": "gemeente", "name": "naam", "birthdate": "geboortedatum", "process": "proces",
                  "data": "gegevens", "message": "bericht", "assignee": "collega", "_schema": "_verzoek"}


def error_body(code: str, message: str, fields_: dict | None = None) -> dict:
    """The one JSON error of the API: ``{"fout": code, "melding": text, "velden": {veld: [tekst]}}``."""
    body: dict = {"fout": ERROR_CODES.get(code, code), "melding": message}
    if fields_:
        body["velden"] = {REQUEST_FIELDS.get(k, k): v for k, v in fields_.items()}
    return body


class ErrorSchema(Schema):
    fout = fields.String(required=True, validate=validate.OneOf(sorted(set(ERROR_CODES.values()))),
                         metadata={"description": "Vaste code van de fout."})
    melding = fields.String(required=True, metadata={"description": "Uitleg in woorden (Nederlands)."})
    velden = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Fouten per veld van het verzoek."})


class MembershipSchema(Schema):
    organisation = _str("organisatie", required=True)
    role = _str("rol", required=True)
    lane = _str("werkvoorraad", allow_none=True)


class MeSchema(Schema):
    username = _str("gebruikersnaam", required=True)
    display_name = _str("naam", required=True)
    roles = fields.List(fields.Nested(MembershipSchema), data_key="rollen", required=True)


class InboxQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    weergave = fields.String(load_default="mijn", validate=validate.OneOf(VIEWS))
    organisatie = fields.String(load_default=None)
    fase = fields.String(load_default=None)
    taak = fields.String(load_default=None, metadata={"description": "De stap in het proces (veld `stap` van een taak); meerdere stappen gescheiden door komma's."})
    lane = fields.String(data_key="werkvoorraad", load_default=None)
    termijn = fields.String(load_default=None, validate=validate.OneOf(DUE_FILTERS))
    zoek = fields.String(load_default=None, validate=validate.Length(max=100),
                         metadata={"description": "Naam (deel) of volledig BSN."})
    pagina = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_pagina = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    kolom = fields.List(fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,40}$")), load_default=list,
                        metadata={"description": "Zaakgegevens als extra kolommen (herhaalbaar), bv. trede."})


class InboxItemSchema(Schema):
    id = fields.String(required=True)
    case = _str("zaak", required=True)
    client = _str("client", required=True, metadata={"description": "Naam van de cliënt."})
    bsn_masked = _str("bsn_gemaskeerd", required=True)
    municipality = _str("gemeente", required=True)
    organisation = _str("organisatie", required=True)
    phase = _str("fase", allow_none=True)
    task = _str("taak", required=True, metadata={"description": "Naam van de taak."})
    spec = _str("stap", required=True, metadata={"description": "De stap in het proces (filter `taak`)."})
    lane = _str("werkvoorraad", allow_none=True)
    due = _time(data_key="termijn", allow_none=True)
    mark = _str("markering", allow_none=True, validate=validate.OneOf(DUE_FILTERS))
    created_at = _time(data_key="aangemaakt_op", required=True)
    waiting_seconds = fields.Integer(data_key="wachttijd_seconden", required=True)
    claimed_by = _str("opgepakt_door", allow_none=True)
    data = fields.Dict(data_key="gegevens", metadata={"description": "De gevraagde zaakgegevens (kolom)."})


class InboxPageSchema(Schema):
    view = _str("weergave", required=True)
    items = fields.List(fields.Nested(InboxItemSchema), data_key="taken", required=True)
    total = fields.Integer(data_key="totaal", required=True,
                           metadata={"description": "Aantal taken, geteld tot en met 1000."})
    total_exact = fields.Boolean(data_key="totaal_exact", required=True,
                                 metadata={"description": "Onwaar: er zijn meer dan `totaal` taken."})
    page = fields.Integer(data_key="pagina", required=True)
    pages = fields.Integer(data_key="paginas", required=True)
    has_next = fields.Boolean(data_key="heeft_volgende", required=True)
    per_page = fields.Integer(data_key="per_pagina", required=True)
    columns = fields.List(fields.String(), data_key="kolommen", required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), data_key="aantallen", required=True)
    counts_exact = fields.Dict(keys=fields.String(), values=fields.Boolean(), data_key="aantallen_exact",
                               required=True)


class TaskSchema(Schema):
    id = fields.String(required=True)
    case = _str("zaak", required=True)
    name = _str("naam", required=True)
    spec = _str("stap", required=True)
    lane = _str("werkvoorraad", allow_none=True)
    phase = _str("fase", allow_none=True)
    due = _time(data_key="termijn", allow_none=True)
    status = Code(TASK_STATUS, required=True)
    claimed_by = _str("opgepakt_door", allow_none=True)
    created_at = _time(data_key="aangemaakt_op", required=True)
    form_id = _str("formulier_id", allow_none=True)
    municipality = _str("gemeente", required=True)
    client = _str("client", required=True, metadata={"description": "Naam van de cliënt."})
    form = fields.Dict(data_key="formulier", allow_none=True, metadata={"description": "JSON Schema van het formulier."})


class TimerSchema(Schema):
    id = fields.String(required=True)
    spec = _str("stap", required=True)
    name = _str("naam", required=True)
    kind = _str("soort", required=True)
    due = _time(data_key="moment", required=True)


class ClientSchema(Schema):
    name = _str("naam", required=True)
    bsn = fields.String(required=True)
    birthdate = _str("geboortedatum", required=True, metadata={"format": "date"})


class CaseSchema(Schema):
    id = fields.String(required=True)
    number = _str("zaaknummer", allow_none=True, metadata={"description": "Leesbaar zaaknummer, bv. 2026-000123."})
    status = Code(CASE_STATUS, required=True)
    phase = _str("fase", allow_none=True)
    version = _str("versie", required=True)
    process = _str("proces", required=True)
    process_name = _str("procesnaam", required=True)
    municipality = _str("gemeente", required=True)
    organisation = _str("organisatie", required=True)
    client = fields.Nested(ClientSchema, required=True)
    started_at = _time(data_key="gestart_op", required=True)
    updated_at = _time(data_key="bijgewerkt_op", required=True)
    ended_at = _time(data_key="beeindigd_op", allow_none=True)
    end_event = _str("einde", allow_none=True)
    data = fields.Dict(data_key="gegevens", required=True)
    waiting_for_messages = fields.List(fields.String(), data_key="wacht_op_berichten", required=True)
    tasks = fields.List(fields.Nested(TaskSchema(exclude=("form",))), data_key="taken", required=True)
    timers = fields.List(fields.Nested(TimerSchema), data_key="timers", required=True)


class HistoryEventSchema(Schema):
    seq = fields.Integer(data_key="volgnummer", required=True)
    type = _str("soort", required=True, metadata={"description": "Soort gebeurtenis (vaste code, bv. task_completed)."})
    actor = _str("door", required=True)
    at = _time(data_key="moment", required=True)
    phase = _str("fase", allow_none=True)
    payload = fields.Dict(data_key="gegevens", required=True)


class HistorySchema(Schema):
    case = _str("zaak", required=True)
    events = fields.List(fields.Nested(HistoryEventSchema), data_key="gebeurtenissen", required=True)


class CompleteTaskSchema(Schema):
    data = fields.Dict(data_key="gegevens", required=True,
                       metadata={"description": "Formuliergegevens volgens het JSON Schema van de taak."})


class AssignTaskSchema(Schema):
    collega = fields.String(required=True, validate=validate.Length(min=1, max=100))


class MessageSchema(Schema):
    bericht = fields.String(required=True, validate=validate.OneOf(CONSULTANT_MESSAGES))
    data = fields.Dict(data_key="gegevens", load_default=dict)


class StartCaseSchema(Schema):
    gemeente = fields.String(required=True, validate=validate.Length(min=1, max=64))
    proces = fields.String(load_default=None, metadata={"description": "Nodig als de gemeente meer processen heeft."})
    bsn = fields.String(required=True, validate=validate.Length(max=20))
    naam = fields.String(required=True, validate=validate.Length(min=1, max=200))
    geboortedatum = fields.String(required=True, metadata={"format": "date"})


# ---------------------------------------------------------------------- OpenAPI
def _field_schema(field: fields.Field, components: dict) -> dict:
    meta = dict(field.metadata or {})
    out: dict
    if isinstance(field, fields.Nested):
        nested = field.nested if isinstance(field.nested, Schema) else field.nested()  # type: ignore[operator]
        name = _component(nested, components)  # type: ignore[arg-type]
        out = {"$ref": f"#/components/schemas/{name}"}
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": _field_schema(field.inner, components)}
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
        if field.value_field is not None:
            out["additionalProperties"] = _field_schema(field.value_field, components)
    elif isinstance(field, fields.Integer):
        out = {"type": "integer"}
    elif isinstance(field, fields.Float | fields.Decimal):
        out = {"type": "number"}
    elif isinstance(field, fields.Boolean):
        out = {"type": "boolean"}
    else:
        out = {"type": "string"}
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            out["enum"] = list(validator.choices)
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                out["minimum"] = validator.min
            if validator.max is not None:
                out["maximum"] = validator.max
        elif isinstance(validator, validate.Length):
            if validator.min is not None:
                out["minLength"] = validator.min
            if validator.max is not None:
                out["maxLength"] = validator.max
    if "format" in meta:
        out["format"] = meta["format"]
    if "description" in meta:
        out["description"] = meta["description"]
    if field.allow_none and "$ref" not in out:
        out["type"] = [out.get("type", "string"), "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    elif field.allow_none:
        out = {"oneOf": [out, {"type": "null"}]}
    return out


def schema_json(schema: Schema, components: dict) -> dict:
    props, required = {}, []
    for name, field in schema.fields.items():
        key = field.data_key or name
        props[key] = _field_schema(field, components)
        if field.required:
            required.append(key)
    out: dict = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def _component(schema: Schema, components: dict) -> str:
    name = type(schema).__name__.removesuffix("Schema")
    if schema.exclude:
        name += "Samenvatting"
    if name not in components:
        components[name] = {}  # reserve first: schemas may nest each other
        components[name] = schema_json(schema, components)
    return name


def ref(schema: Schema, components: dict) -> dict:
    return {"$ref": f"#/components/schemas/{_component(schema, components)}"}


def query_parameters(schema: Schema, components: dict) -> list[dict]:
    params = []
    for name, field in schema.fields.items():
        item = {"name": field.data_key or name, "in": "query", "required": False,
                "schema": _field_schema(field, components)}
        if "description" in (field.metadata or {}):
            item["description"] = field.metadata["description"]
        params.append(item)
    return params
