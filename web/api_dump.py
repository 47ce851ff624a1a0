"""Writing the API's answers from its schemas, without marshmallow's machinery per field.

marshmallow writes an answer field by field through several calls each (``serialize``,
``get_value``, ``_serialize``): for an inbox page of 25 tasks that was a fifth of the request's
CPU. The schemas in ``api_schemas`` stay the one description of the answers (and of the OpenAPI
document). Here each schema is turned, once, into a plan: per field its key in the answer, the
attribute it reads and how its value is written. Plain strings, integers, lists and nested schemas
are written directly, as marshmallow writes them; every other field type writes its own value
(its ``_serialize``), and a schema with dump hooks is left to marshmallow whole. So the answer is
marshmallow's, only made faster; the test suite sets ``VERIFY`` and compares the two on every
answer it receives.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

VERIFY = False  # the tests: every answer is also written by marshmallow, and they must be equal

Writer = Callable[[Any, str, Any], Any]  # (value, attribute, object) -> what the answer holds


def _string(value: Any, _attr: str, _obj: Any) -> Any:  # fields.String._serialize
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _integer(value: Any, _attr: str, _obj: Any) -> Any:  # fields.Integer._serialize (not as_string)
    return None if value is None else int(value)


def _writer(field: fields.Field) -> Writer:
    kind = type(field)  # exactly these types: a subclass may write its values its own way
    if kind is fields.String:
        return _string
    if isinstance(field, fields.Integer) and kind is fields.Integer and not field.as_string:
        return _integer
    if (isinstance(field, fields.Nested) and kind is fields.Nested and not field.only and not field.exclude
            and isinstance(field.schema, Schema)):
        nested = _plan(field.schema)
        if nested is not None:
            many = field.schema.many or field.many

            def write_nested(value: Any, _attr: str, _obj: Any) -> Any:
                if value is None:
                    return None
                return [nested(item) for item in value] if many else nested(value)
            return write_nested
    if isinstance(field, fields.List) and kind is fields.List:
        inner = _writer(field.inner)

        def write_list(value: Any, attr: str, obj: Any) -> Any:
            if value is None:
                return None
            return [inner(item, attr, obj) for item in value]
        return write_list
    return field._serialize  # the field's own way (Code, Dict, Boolean, …)


def _value(obj: Any, key: str) -> Any:
    """marshmallow's ``utils.get_value`` for a key without dots: ``obj[key]``, else the attribute."""
    if not hasattr(obj, "__getitem__"):
        return getattr(obj, key, missing)
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, missing)


_PLANS: dict[int, tuple[Schema, Callable[[Any], dict] | None]] = {}


def _plan(schema: Schema) -> Callable[[Any], dict] | None:
    """The schema's answer writer for one object; None when marshmallow must write it (hooks, a
    dotted attribute, a field that reads no attribute)."""
    known = _PLANS.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    _PLANS[id(schema)] = (schema, None)  # a schema nested in itself is left to marshmallow
    plan = _build(schema)
    _PLANS[id(schema)] = (schema, plan)
    return plan


def _build(schema: Schema) -> Callable[[Any], dict] | None:
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] or type(schema).get_attribute is not Schema.get_attribute:
        return None
    steps: list[tuple[str, str, Any, Writer]] = []
    for name, field in schema.dump_fields.items():
        attribute = field.attribute if field.attribute is not None else name
        if not field._CHECK_ATTRIBUTE or "." in attribute:
            return None
        key = field.data_key if field.data_key is not None else name
        steps.append((key, attribute, field.dump_default, _writer(field)))

    def write(obj: Any) -> dict:
        out = {}
        for key, attribute, default, writer in steps:
            value = _value(obj, attribute)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            out[key] = writer(value, attribute, obj)
        return out
    return write


def dump(schema: Schema, obj: Any) -> Any:
    """``schema.dump(obj)``, the same answer (checked when VERIFY is set)."""
    plan = _plan(schema)
    if plan is None:
        answer = schema.dump(obj)
    elif schema.many:
        answer = None if obj is None else [plan(item) for item in obj]
    else:
        answer = plan(obj)
    if VERIFY:
        expected = schema.dump(obj)
        if answer != expected:
            raise AssertionError(f"api_dump wijkt af van marshmallow voor {type(schema).__name__}: "
                                 f"{answer!r} != {expected!r}")
    return answer
