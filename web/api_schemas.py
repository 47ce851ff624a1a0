"""Request and response schemas of the JSON API (marshmallow), and the OpenAPI
document built from them. Times are ISO 8601 strings in UTC."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from engine.app.inbox import DUE_FILTERS, MAX_PER_PAGE, VIEWS

CONSULTANT_MESSAGES = ("werk_gevonden", "aanvraag_ingetrokken", "bezwaar_ontvangen", "maatregel_opleggen",
                       "ontheffing_aangevraagd", "verdaging")


def _time(**kwargs) -> fields.String:
    return fields.String(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "Vaste code: not_found, validation, conflict, "
                                                                  "unauthorized, forbidden, bad_request."})
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()),
                          metadata={"description": "Fouten per veld."})


class MembershipSchema(Schema):
    organisation = fields.String(required=True)
    role = fields.String(required=True)
    lane = fields.String(allow_none=True)


class MeSchema(Schema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    roles = fields.List(fields.Nested(MembershipSchema), required=True)


class InboxQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    weergave = fields.String(load_default="mijn", validate=validate.OneOf(VIEWS))
    organisatie = fields.String(load_default=None)
    fase = fields.String(load_default=None)
    taak = fields.String(load_default=None, metadata={"description": "Taak-id uit het proces (spec)."})
    lane = fields.String(load_default=None)
    termijn = fields.String(load_default=None, validate=validate.OneOf(DUE_FILTERS))
    zoek = fields.String(load_default=None, validate=validate.Length(max=100),
                         metadata={"description": "Naam (deel) of volledig BSN."})
    pagina = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_pagina = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    kolom = fields.List(fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,40}$")), load_default=list,
                        metadata={"description": "Zaakgegevens als extra kolommen (herhaalbaar), bv. trede."})


class InboxItemSchema(Schema):
    id = fields.String(required=True)
    case = fields.String(required=True)
    client = fields.String(required=True)
    bsn_masked = fields.String(required=True)
    municipality = fields.String(required=True)
    organisation = fields.String(required=True)
    phase = fields.String(allow_none=True)
    task = fields.String(required=True)
    spec = fields.String(required=True)
    lane = fields.String(allow_none=True)
    due = _time(allow_none=True)
    mark = fields.String(allow_none=True, validate=validate.OneOf(DUE_FILTERS))
    created_at = _time(required=True)
    waiting_seconds = fields.Integer(required=True)
    claimed_by = fields.String(allow_none=True)
    data = fields.Dict(metadata={"description": "De gevraagde zaakgegevens (kolom)."})


class InboxPageSchema(Schema):
    view = fields.String(required=True)
    items = fields.List(fields.Nested(InboxItemSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "Aantal taken, geteld tot en met 1000."})
    total_exact = fields.Boolean(required=True, metadata={"description": "Onwaar: er zijn meer dan `total` taken."})
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    has_next = fields.Boolean(required=True)
    per_page = fields.Integer(required=True)
    columns = fields.List(fields.String(), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    counts_exact = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)


class TaskSchema(Schema):
    id = fields.String(required=True)
    case = fields.String(required=True)
    name = fields.String(required=True)
    spec = fields.String(required=True)
    lane = fields.String(allow_none=True)
    phase = fields.String(allow_none=True)
    due = _time(allow_none=True)
    status = fields.String(required=True)
    claimed_by = fields.String(allow_none=True)
    created_at = _time(required=True)
    form_id = fields.String(allow_none=True)
    municipality = fields.String(required=True)
    client = fields.String(required=True)
    form = fields.Dict(allow_none=True, metadata={"description": "JSON Schema van het formulier."})


class TimerSchema(Schema):
    id = fields.String(required=True)
    spec = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    due = _time(required=True)


class ClientSchema(Schema):
    name = fields.String(required=True)
    bsn = fields.String(required=True)
    birthdate = fields.String(required=True, metadata={"format": "date"})


class CaseSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    phase = fields.String(allow_none=True)
    version = fields.String(required=True)
    process = fields.String(required=True)
    process_name = fields.String(required=True)
    municipality = fields.String(required=True)
    organisation = fields.String(required=True)
    client = fields.Nested(ClientSchema, required=True)
    started_at = _time(required=True)
    updated_at = _time(required=True)
    ended_at = _time(allow_none=True)
    end_event = fields.String(allow_none=True)
    data = fields.Dict(required=True)
    waiting_for_messages = fields.List(fields.String(), required=True)
    tasks = fields.List(fields.Nested(TaskSchema(exclude=("form",))), required=True)
    timers = fields.List(fields.Nested(TimerSchema), required=True)


class HistoryEventSchema(Schema):
    seq = fields.Integer(required=True)
    type = fields.String(required=True)
    actor = fields.String(required=True)
    at = _time(required=True)
    phase = fields.String(allow_none=True)
    payload = fields.Dict(required=True)


class HistorySchema(Schema):
    case = fields.String(required=True)
    events = fields.List(fields.Nested(HistoryEventSchema), required=True)


class CompleteTaskSchema(Schema):
    data = fields.Dict(required=True, metadata={"description": "Formuliergegevens volgens het JSON Schema van de taak."})


class AssignTaskSchema(Schema):
    collega = fields.String(required=True, validate=validate.Length(min=1, max=100))


class MessageSchema(Schema):
    bericht = fields.String(required=True, validate=validate.OneOf(CONSULTANT_MESSAGES))
    data = fields.Dict(load_default=dict)


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
