"""From a task's JSON Schema to HTML form fields and back.

The browser sends strings; :func:`parse` turns them into the JSON types the
schema asks for (ja/nee → bool, numbers, dates as ``YYYY-MM-DD``) and reports
what it cannot read as field errors. The engine then validates the result
(required fields, ranges, choices); its ``ValidationError.fields`` land beside
the same fields. What the user typed is kept, so a bad submit never loses work.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.core.forms import decimal_point, field_order, pattern_message
from engine.core.messages import Msg

from .i18n import translate

BSN_SHAPE = Msg("negen cijfers, bijvoorbeeld 111222333; het nummer moet de elfproef doorstaan")

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[-/.\s]\s*(\d{1,2})\s*[-/.\s]\s*(\d+)", re.ASCII)


def read_date(text: str) -> date:
    """A date as people in the Netherlands type it: day, month, year ("14-03-1979", "14-3-1979",
    "14/03/1979", "14.03.1979", "14 3 1979", "14031979"), or as a browser's date field sends it
    ("1979-03-14"). The year has four digits (a two-digit year leaves the century open).
    ValueError when it is no existing date."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
        return date.fromisoformat(text)
    if re.fullmatch(r"\d{8}", text, re.ASCII):
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    found = _DAY_MONTH_YEAR.fullmatch(text)
    if found is None or len(found.group(3)) != 4:
        raise ValueError(text)
    day, month, year = (int(found.group(i)) for i in (1, 2, 3))
    return date(year, month, day)


def write_date(value: date | str | None) -> str:
    """A date as a date field people type in shows it (the inverse of :func:`read_date`): "14-03-2026"
    for a date or a stored "2026-03-14"; any other text as it is (what was typed stays)."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        day = value
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        try:
            day = date.fromisoformat(value)
        except ValueError:  # 2026-02-31: no date, shown as it is
            return value
    else:
        return value
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


@dataclass
class Field:
    name: str
    title: str
    description: str | None
    kind: str  # boolean, choice, choices, integer, number, date, bsn, textarea, text
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    shape: str | None = None  # the form a text is asked in, in the designer's words (x-patroonfout)
    value: Any = None  # str, or list[str] for kind "choices"
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return "veld-" + self.name


def _kind(prop: dict) -> str:
    typ = prop.get("type")
    if typ == "boolean":
        return "boolean"
    if typ == "array":
        return "choices"
    if prop.get("enum"):
        return "choice"
    if typ == "integer":
        return "integer"
    if typ == "number":
        return "number"
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "bsn":
        return "bsn"
    if prop.get("x-widget") == "textarea":
        return "textarea"
    return "text"


def _options(prop: dict) -> list[tuple[str, str]]:
    source = prop.get("items", {}) if prop.get("type") == "array" else prop
    labels = source.get("x-labels") or prop.get("x-labels") or {}
    return [(str(v), str(labels.get(v, v))) for v in source.get("enum", [])]


def _display(value: Any, kind: str) -> Any:
    if value is None:
        return [] if kind == "choices" else ""
    if kind == "boolean":
        return "ja" if value is True else "nee" if value is False else str(value)
    if kind == "choices":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == "date":
        return write_date(str(value))  # a stored date (a draft, a value to correct) as people write it
    return str(value)


def fields_for(schema: dict | None, values: dict | None = None, errors: dict | None = None) -> list[Field]:
    """The fields of ``schema`` with current ``values`` (raw strings or typed data) and ``errors``."""
    if not schema:
        return []
    values = values or {}
    errors = errors or {}
    required = set(schema.get("required", []))
    out = []
    for name in field_order(schema):
        prop = schema["properties"][name]
        kind = _kind(prop)
        out.append(Field(
            name=name, title=prop.get("title") or name.replace("_", " ").capitalize(),
            description=prop.get("description"), kind=kind, required=name in required,
            options=_options(prop) if kind in ("choice", "choices") else [],
            minimum=prop.get("minimum"), maximum=prop.get("maximum"), max_length=prop.get("maxLength"),
            shape=pattern_message(prop) or (translate(BSN_SHAPE) if kind == "bsn" else None), value=_display(values.get(name), kind), errors=[translate(e) for e in errors.get(name, [])]))
    return out


def parse(schema: dict | None, form: MultiDict) -> tuple[dict, dict[str, list[str]], dict]:
    """(typed data, conversion errors, raw values to show again)."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    raw: dict[str, Any] = {}
    if not schema:
        return data, errors, raw
    for name in field_order(schema):
        prop = schema["properties"][name]
        kind = _kind(prop)
        if kind == "choices":
            chosen = [v for v in form.getlist(name) if v]
            raw[name] = chosen
            if chosen:
                data[name] = chosen
            continue
        text = (form.get(name) or "").strip()
        raw[name] = text
        if text == "":
            continue
        if kind == "boolean":
            if text in ("ja", "nee"):
                data[name] = text == "ja"
            else:
                errors[name] = [Msg("Kies ja of nee.")]
        elif kind == "integer":
            try:
                data[name] = int(text)
            except ValueError:
                errors[name] = [Msg("Vul een geheel getal in.")]
        elif kind == "number":
            try:
                data[name] = float(decimal_point(text))
            except ValueError:
                errors[name] = [Msg("Vul een getal in.")]
        elif kind == "date":
            try:
                data[name] = read_date(text).isoformat()
            except ValueError:
                errors[name] = [Msg("Vul een bestaande datum in als dag-maand-jaar, bijvoorbeeld 14-03-2026.")]
        else:
            data[name] = text
    return data, errors, raw


def check(schema: dict | None, data: dict, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Add to the conversion ``errors`` what the engine would refuse in the other fields
    (required, choices, ranges, length), so one submit reports every error. The engine
    stays the judge: this runs only when the form cannot be sent to it as is."""
    if not schema:
        return errors
    out = {k: list(v) for k, v in errors.items()}
    required = set(schema.get("required", []))
    for name in field_order(schema):
        if name in out:
            continue
        prop = schema["properties"][name]
        value = data.get(name)
        if value in (None, "", []):
            if name in required:
                out[name] = [Msg("Dit veld is verplicht.")]
            continue
        allowed = (prop.get("items", {}) if prop.get("type") == "array" else prop).get("enum")
        values = value if isinstance(value, list) else [value]
        if allowed and any(v not in allowed for v in values):
            out[name] = [Msg("Kies een van de mogelijkheden.")]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if prop.get("minimum") is not None and value < prop["minimum"]:
                out[name] = [Msg("Minimaal %(min)s.", min=prop["minimum"])]
            elif prop.get("maximum") is not None and value > prop["maximum"]:
                out[name] = [Msg("Maximaal %(max)s.", max=prop["maximum"])]
        elif isinstance(value, str) and prop.get("maxLength") and len(value) > prop["maxLength"]:
            out[name] = [Msg("Maximaal %(max)s tekens.", max=prop["maxLength"])]
    return out
