"""Form definitions: JSON Schema plus UI hints, validated with marshmallow.

A form lives in ``forms/`` as ``<id>.json`` (sub-folders allowed). It is a JSON
Schema object (``type: object``, ``properties``, ``required``) whose property
``title`` is the Dutch label and ``description`` the help text; keys starting
with ``x-`` are UI hints (``x-widget``, ``x-labels`` for choice labels,
``x-volgorde`` for field order, ``x-patroonfout`` for what a user is told when a
value does not have the form its ``pattern`` asks).

``forms/vocabulaire.json`` holds the shared vocabulary of case data: a field
whose name appears there inherits its type, label and limits, so ``trede`` or
``loonwaarde_pct`` mean the same in every municipality. A form may narrow a
vocabulary field (a smaller range, a different label) but not change its type.

Submitted data is validated on the server: types, required fields, ranges,
lengths, patterns, choices; unknown fields are refused. The result is
JSON-safe (dates become ``YYYY-MM-DD`` strings) because case data is stored as
JSON.
"""
from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as MarshmallowError

from ..errors import DefinitionError, ValidationError
from .bsn import is_valid_bsn, normalise_bsn
from .messages import Msg

VOCABULARY_FILE = "vocabulaire.json"
SUPPORTED_TYPES = {"string", "integer", "number", "boolean", "array"}

# The keywords form validation enforces (or that only annotate), per place and field type.
# Anything else is refused when a form is loaded, so no rule is published that is not checked.
# Keys starting with ``x-`` are UI hints and always allowed.
ANNOTATIONS = frozenset({"title", "description", "$comment"})
FORM_KEYWORDS = ANNOTATIONS | {"$schema", "$id", "id", "type", "properties", "required"}
FIELD_KEYWORDS: dict[str, frozenset[str]] = {
    "string": ANNOTATIONS | {"type", "enum", "const", "minLength", "maxLength", "pattern", "format"},
    "integer": ANNOTATIONS | {"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "number": ANNOTATIONS | {"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "boolean": ANNOTATIONS | {"type", "const"},
    "array": ANNOTATIONS | {"type", "items", "minItems", "maxItems", "uniqueItems"},
}
ITEM_KEYWORDS = ANNOTATIONS | {"type", "enum"}
STRING_FORMATS = ("date", "date-time", "bsn")  # bsn: nine digits that pass the 11-proef, stored without spaces

MESSAGES = {
    "required": Msg("Dit veld is verplicht."),
    "null": Msg("Dit veld is verplicht."),
    "invalid": Msg("Ongeldige waarde."),
}


@dataclass(frozen=True)
class FormDefinition:
    """One loaded form; ``schema`` is the resolved JSON Schema (vocabulary merged)."""

    id: str
    schema: dict[str, Any]
    source: str = ""
    _loader: Any = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        title: str = self.schema.get("title", self.id)
        return title

    def field_names(self) -> list[str]:
        return field_order(self.schema)

    def json_schema(self) -> dict[str, Any]:
        out = copy.deepcopy(self.schema)
        out.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
        out["$id"] = f"werkpad:form:{self.id}"
        return out

    def validate(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return cleaned, JSON-safe data or raise ValidationError with field errors."""
        loader = self._loader or _build_schema(self)
        if data is not None and not isinstance(data, Mapping):
            raise ValidationError(Msg("Het formulier '%(titel)s' verwacht velden met waarden.", titel=self.title),
                                  fields={"_algemeen": [Msg("Verwacht een object met velden.")]}, form=self.id)
        cleaned_input = _drop_empty(dict(data or {}))
        try:
            loaded = loader.load(cleaned_input)
        except MarshmallowError as exc:
            raise ValidationError(
                Msg("Het formulier '%(titel)s' bevat fouten.", titel=self.title), fields=_flatten(exc.messages),
                form=self.id
            ) from exc
        return _json_safe(loaded)


class FormRegistry:
    """All forms of a ``forms/`` folder, resolved against the vocabulary."""

    def __init__(self, forms: dict[str, FormDefinition], vocabulary: dict[str, dict[str, Any]],
                 broken: dict[str, str] | None = None) -> None:
        self.forms = forms
        self.vocabulary = vocabulary
        self.broken = broken or {}  # form id -> why it cannot be used
        self.sources: dict[str, str] = {}  # form id -> its JSON text, broken ones included
        self._field_words: dict[str, dict[str, Any]] | None = None

    def get(self, form_id: str) -> FormDefinition:
        if form_id in self.broken:
            raise DefinitionError(self.broken[form_id])
        try:
            return self.forms[form_id]
        except KeyError:
            raise DefinitionError(f"formulier '{form_id}' bestaat niet") from None

    def __contains__(self, form_id: str) -> bool:
        return form_id in self.forms

    def field_words(self) -> dict[str, dict[str, Any]]:
        """What each field of this version is called and what its choices read as, for people who
        read case data: ``{name: {"title": ..., "labels": {value: label}}}``, the vocabulary first
        and a form's own words over it (computed once)."""
        words = self._field_words
        if words is None:
            words = {}
            sources: list[Mapping[str, Any]] = [self.vocabulary]
            sources += [form.schema.get("properties", {}) for _, form in sorted(self.forms.items())]
            for props in sources:
                for name, prop in props.items():
                    if not isinstance(prop, Mapping):
                        continue
                    entry = words.setdefault(name, {"title": None, "labels": {}})
                    if isinstance(prop.get("title"), str):
                        entry["title"] = prop["title"]
                    items = prop.get("items")
                    inner = items.get("x-labels") if isinstance(items, Mapping) else None
                    for labels in (prop.get("x-labels"), inner):
                        if isinstance(labels, Mapping):
                            entry["labels"].update({str(k): str(v) for k, v in labels.items()})
            self._field_words = words
        return words

    @staticmethod
    def field_title(words: Mapping[str, dict[str, Any]], key: str) -> str:
        """A field as ``words`` (:meth:`field_words`) call it, else its name in words."""
        title = (words.get(key) or {}).get("title")
        return title if isinstance(title, str) and title else str(key).replace("_", " ").capitalize()

    @staticmethod
    def choice_text(words: Mapping[str, dict[str, Any]], key: str, value: Any) -> str | None:
        """A choice (or a list of choices) of field ``key`` by its label; None when it is no choice."""
        labels = (words.get(key) or {}).get("labels") or {}
        if not labels:
            return None
        if isinstance(value, str) and value in labels:
            return str(labels[value])
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return None

    def check(self, form_ids: list[str]) -> list[str]:
        """Problems with the given forms: missing or broken ones."""
        problems = []
        for fid in form_ids:
            if fid in self.broken:
                problems.append(self.broken[fid])
            elif fid not in self.forms:
                problems.append(f"formulier '{fid}' bestaat niet")
        return problems

    def raw_sources(self, form_ids: list[str]) -> dict[str, str]:
        """The texts of the given forms (broken ones too, so a check can say why they are broken)."""
        return {fid: self.sources.get(fid) or self.forms[fid].source for fid in form_ids
                if fid in self.forms or fid in self.sources}

    @classmethod
    def load_dir(cls, root: Path) -> FormRegistry:
        root = Path(root)
        vocab_path = root / VOCABULARY_FILE
        vocab_text = vocab_path.read_text(encoding="utf-8") if vocab_path.exists() else "{}"
        sources = {}
        if root.exists():
            for path in sorted(root.rglob("*.json")):
                if path.name == VOCABULARY_FILE:
                    continue
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError as exc:
                    raise DefinitionError(f"{path}: geen UTF-8-tekst (byte {exc.start})") from exc
                try:
                    fid = json.loads(text).get("id") or path.stem
                except (json.JSONDecodeError, AttributeError):
                    fid = path.stem  # reported as broken below
                if fid in sources:
                    raise DefinitionError(f"formulier-id '{fid}' komt twee keer voor ({path})")
                sources[fid] = text
        return cls.from_sources(sources, vocab_text, strict=False)

    @classmethod
    def from_sources(cls, sources: Mapping[str, str], vocabulary_text: str = "{}",
                     strict: bool = True) -> FormRegistry:
        """Build from raw JSON texts (as stored with a definition version).

        With ``strict=False`` a broken form is remembered instead of raised, so
        one bad form does not stop processes that do not use it."""
        vocabulary = vocabulary_fields(vocabulary_text)
        forms, broken = {}, {}
        for fid, text in sources.items():
            try:
                try:
                    doc = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise DefinitionError(f"formulier '{fid}': geen geldige JSON ({exc})") from exc
                schema = resolve_form(fid, doc, vocabulary)
                form = FormDefinition(id=fid, schema=schema, source=text)
                object.__setattr__(form, "_loader", _build_schema(form))
            except DefinitionError as exc:
                if strict:
                    raise
                broken[fid] = exc.message
                continue
            forms[fid] = form
        registry = cls(forms, vocabulary, broken)
        registry.sources = dict(sources)
        return registry


def vocabulary_fields(vocabulary_text: str) -> Any:
    """The fields of the shared vocabulary (its ``velden``, or the document itself in the older
    shape); DefinitionError when the text is no JSON."""
    try:
        vocab_doc = json.loads(vocabulary_text or "{}")
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{VOCABULARY_FILE}: geen geldige JSON ({exc})") from exc
    return vocab_doc.get("velden", vocab_doc) if isinstance(vocab_doc, dict) else vocab_doc


def resolve_form(form_id: str, doc: dict[str, Any], vocabulary: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge vocabulary fields into a form and check it is a form we can validate."""
    if not isinstance(doc, dict) or doc.get("type", "object") != "object":
        raise DefinitionError(f"formulier '{form_id}': verwacht een JSON Schema met type 'object'")
    check_meta_schema(form_id, doc)
    _refuse_unknown(form_id, None, doc, FORM_KEYWORDS)
    schema = copy.deepcopy(doc)
    schema["type"] = "object"
    props = schema.setdefault("properties", {})
    if not isinstance(props, dict):
        raise DefinitionError(f"formulier '{form_id}': 'properties' moet een object zijn")
    for name, prop in list(props.items()):
        if not isinstance(prop, dict):
            raise DefinitionError(f"formulier '{form_id}', veld '{name}': verwacht een object")
        base = vocabulary.get(name)
        if base is not None:
            if "type" in prop and prop["type"] != base.get("type"):
                raise DefinitionError(
                    f"formulier '{form_id}', veld '{name}': type '{prop['type']}' wijkt af van het "
                    f"vocabulaire ('{base.get('type')}')"
                )
            merged = copy.deepcopy(base)
            merged.update(prop)
            merged["x-vocabulaire"] = True
            props[name] = prop = merged
        ftype = prop.get("type")
        if ftype not in SUPPORTED_TYPES:
            raise DefinitionError(f"formulier '{form_id}', veld '{name}': type '{ftype}' wordt niet ondersteund")
        if name == "typename" or name.startswith("_"):
            raise DefinitionError(f"formulier '{form_id}': veldnaam '{name}' is niet toegestaan")
        _check_field_keywords(form_id, name, prop)
    missing = [r for r in schema.get("required", []) if r not in props]
    if missing:
        raise DefinitionError(f"formulier '{form_id}': verplichte velden zonder definitie: {missing}")
    return schema


def check_meta_schema(form_id: str, doc: Any) -> None:
    """Refuse a form that is not valid JSON Schema (draft 2020-12 meta-schema)."""
    try:
        Draft202012Validator.check_schema(doc)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(hoofdniveau)"
        raise DefinitionError(f"formulier '{form_id}': geen geldig JSON Schema bij {where}: {exc.message}") from exc


def _refuse_unknown(form_id: str, name: str | None, node: Mapping[str, Any], allowed: frozenset[str],
                    what: str = "") -> None:
    unknown = sorted(k for k in node if not str(k).startswith("x-") and k not in allowed)
    if unknown:
        where = f"formulier '{form_id}'" + (f", veld '{name}'" if name else "") + what
        raise DefinitionError(
            f"{where}: sleutelwoord {', '.join(repr(k) for k in unknown)} wordt niet ondersteund "
            f"(de formuliercontrole zou het negeren); toegestaan zijn {', '.join(sorted(allowed))}")


def _check_field_keywords(form_id: str, name: str, prop: Mapping[str, Any]) -> None:
    ftype = prop["type"]
    _refuse_unknown(form_id, name, prop, FIELD_KEYWORDS[ftype], f" (type {ftype})")
    if "format" in prop and prop["format"] not in STRING_FORMATS:
        raise DefinitionError(f"formulier '{form_id}', veld '{name}': format '{prop['format']}' wordt niet "
                              f"ondersteund (kies uit {', '.join(STRING_FORMATS)})")
    if ftype == "array":
        items = prop.get("items", {})
        if not isinstance(items, dict):
            raise DefinitionError(f"formulier '{form_id}', veld '{name}': 'items' moet een object zijn")
        _refuse_unknown(form_id, name, items, ITEM_KEYWORDS, " (items)")
        if items.get("type", "string") != "string":
            raise DefinitionError(f"formulier '{form_id}', veld '{name}': alleen lijsten van tekst (keuzes) "
                                  "worden ondersteund")


def _unique_items(values: Any) -> bool:
    seen: list[Any] = []
    for value in values or []:
        if value in seen:
            raise MarshmallowError(Msg("Elke keuze mag maar één keer voorkomen."))
        seen.append(value)
    return True


def field_order(schema: Mapping[str, Any]) -> list[str]:
    """The fields of a form schema in the order to show them: ``x-volgorde`` first, then the rest."""
    props = schema.get("properties", {})
    order = [n for n in schema.get("x-volgorde", []) if n in props]
    return order + [n for n in props if n not in order]


def decimal_point(text: str) -> str:
    """A number as typed in Dutch (decimal comma) in the notation ``float`` reads."""
    return text.strip().replace(",", ".")


class _WholeNumber(fields.Integer):
    """Integer that refuses 4.5 instead of silently truncating it."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        if isinstance(value, str):
            value = value.strip()
            try:
                as_float = float(decimal_point(value))
            except ValueError:
                raise self.make_error("invalid") from None
            if not as_float.is_integer():
                raise self.make_error("invalid")
            value = int(as_float)
        return super()._deserialize(value, attr, data, **kwargs)


class _DutchNumber(fields.Float):
    """Float that accepts a decimal comma, and refuses NaN/inf."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, str):
            value = decimal_point(value)
        result = super()._deserialize(value, attr, data, **kwargs)
        if result is not None and not math.isfinite(result):
            raise self.make_error("invalid")
        return result


class _Bsn(fields.String):
    """A burgerservicenummer: nine digits (spaces and dots between them allowed, an old eight-digit
    number gets its leading zero) that pass the 11-proef; stored as the nine digits."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None or text == "":
            return text
        if not re.fullmatch(r"[0-9 .]{1,20}", text):
            raise self.make_error("invalid")
        number = normalise_bsn(text)
        if not is_valid_bsn(number):
            raise self.make_error("invalid")
        return number


def pattern_message(prop: Mapping[str, Any]) -> str | None:
    """The designer's words for the form a field with a ``pattern`` asks (``x-patroonfout``: "Vul de
    postcode in als vier cijfers en twee letters"); None without a pattern or without words."""
    told = prop.get("x-patroonfout")
    return told.strip() if prop.get("pattern") and isinstance(told, str) and told.strip() else None


def _field_for(name: str, prop: dict[str, Any], required: bool) -> fields.Field[Any]:
    ftype = prop["type"]
    validators: list[Any] = []
    messages: dict[str, Any] = dict(MESSAGES)
    enum = prop.get("enum")
    if ftype == "string":
        messages["invalid"] = Msg("Vul tekst in.")
        if prop.get("format") == "date":
            messages["invalid"] = Msg("Vul een geldige datum in (JJJJ-MM-DD).")
            fld_cls: type[fields.Field[Any]] = fields.Date
        elif prop.get("format") == "date-time":
            messages["invalid"] = Msg("Vul een geldig tijdstip in.")
            fld_cls = fields.DateTime
        elif prop.get("format") == "bsn":
            messages["invalid"] = Msg("Vul een geldig BSN in: negen cijfers die de elfproef doorstaan, "
                                      "bijvoorbeeld 111222333.")
            fld_cls = _Bsn
        else:
            fld_cls = fields.String
            if "minLength" in prop or "maxLength" in prop:
                validators.append(
                    validate.Length(
                        min=prop.get("minLength"),
                        max=prop.get("maxLength"),
                        error=Msg("Lengte moet tussen %(min)s en %(max)s tekens liggen.",
                                  min=prop.get("minLength"), max=prop.get("maxLength")),
                    )
                )
            if "pattern" in prop:
                # what the user is told: the designer's own words for the form asked, else a pointer to the help text
                error: str | Msg = (pattern_message(prop)
                                    or (Msg("Deze waarde heeft niet de gevraagde vorm; zie de uitleg bij het veld.")
                                        if prop.get("description") else Msg("Waarde heeft niet de juiste vorm.")))
                try:
                    validators.append(validate.Regexp(prop["pattern"], error=error))
                except (re.error, TypeError) as exc:
                    raise DefinitionError(f"veld '{name}': pattern {prop['pattern']!r} is geen geldige reguliere "
                                          f"expressie ({exc})") from exc
    elif ftype == "integer":
        messages["invalid"] = Msg("Vul een geheel getal in.")
        fld_cls = _WholeNumber
    elif ftype == "number":
        messages["invalid"] = Msg("Vul een getal in.")
        fld_cls = _DutchNumber
    elif ftype == "boolean":
        messages["invalid"] = Msg("Kies ja of nee.")
        fld_cls = fields.Boolean
    else:  # array of choices
        items = prop.get("items", {})
        inner_enum = items.get("enum")
        inner = fields.String(
            validate=[validate.OneOf(inner_enum, error=Msg("Kies uit de gegeven mogelijkheden."))] if inner_enum else []
        )
        if "maxItems" in prop or "minItems" in prop:
            validators.append(
                validate.Length(min=prop.get("minItems"), max=prop.get("maxItems"),
                                error=Msg("Kies tussen %(min)s en %(max)s mogelijkheden.",
                                          min=prop.get("minItems"), max=prop.get("maxItems")))
            )
        if prop.get("uniqueItems"):
            validators.append(_unique_items)
        return fields.List(inner, required=required, validate=validators,
                           error_messages={**messages, "invalid": Msg("Ongeldige keuze.")})
    if ftype in ("integer", "number") and ("minimum" in prop or "maximum" in prop):
        lo, hi = prop.get("minimum"), prop.get("maximum")
        if lo is not None and hi is not None:
            err = Msg("Moet tussen %(min)s en %(max)s liggen.", min=lo, max=hi)
        elif lo is not None:
            err = Msg("Moet minstens %(min)s zijn.", min=lo)
        else:
            err = Msg("Mag hoogstens %(max)s zijn.", max=hi)
        validators.append(validate.Range(min=lo, max=hi, error=err))
    if ftype in ("integer", "number") and ("exclusiveMinimum" in prop or "exclusiveMaximum" in prop):
        lo, hi = prop.get("exclusiveMinimum"), prop.get("exclusiveMaximum")
        if lo is not None and hi is not None:
            err = Msg("Moet groter dan %(min)s en kleiner dan %(max)s zijn.", min=lo, max=hi)
        elif lo is not None:
            err = Msg("Moet groter dan %(min)s zijn.", min=lo)
        else:
            err = Msg("Moet kleiner dan %(max)s zijn.", max=hi)
        validators.append(validate.Range(min=lo, max=hi, min_inclusive=False, max_inclusive=False, error=err))
    if "const" in prop:
        validators.append(validate.Equal(prop["const"], error=Msg("Moet gelijk zijn aan %(waarde)s.", waarde=repr(prop["const"]))))
    if enum is not None:
        labels = prop.get("x-labels", {})
        shown = ", ".join(str(labels.get(str(e), e)) for e in enum)
        validators.append(validate.OneOf(enum, error=Msg("Kies een van: %(keuzes)s.", keuzes=shown)))
    return fld_cls(required=required, validate=validators, error_messages=messages)


def _build_schema(form: FormDefinition) -> Schema:
    required = set(form.schema.get("required", []))
    declared = {
        name: _field_for(name, prop, name in required) for name, prop in form.schema["properties"].items()
    }
    schema_cls = Schema.from_dict(declared, name=f"Form_{form.id}")
    return schema_cls(unknown="raise")


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """HTML forms send '' for untouched fields: treat that as 'not given'."""
    return {k: v for k, v in data.items() if not (v is None or (isinstance(v, str) and v.strip() == ""))}


def _flatten(messages: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(value, dict):
                for sub in _flatten(value).values():
                    out.setdefault(str(key), []).extend(sub)
            elif isinstance(value, list):
                out[str(key)] = [Msg("Onbekend veld.") if v == "Unknown field." else _text(v) for v in value]
            else:
                out[str(key)] = [_text(value)]
    else:
        out["_schema"] = [str(messages)]
    return out


def _text(value: Any) -> str:
    """A message as text, keeping a :class:`Msg` (with its template) whole."""
    return value if isinstance(value, str) else str(value)


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out
