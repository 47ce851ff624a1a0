"""api_dump writes an answer as marshmallow would, from the same schema — also for values and
shapes the API's own answers rarely have."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from marshmallow import Schema, fields, post_dump

from web import api_dump
from web import api_schemas as s


class Inner(Schema):
    naam = fields.String(attribute="name")
    getal = fields.Integer(data_key="nummer", allow_none=True)


class Outer(Schema):
    id = fields.String(required=True)
    titel = fields.String(dump_default="zonder titel")
    code = s.Code({"running": "lopend"})
    actief = fields.Boolean()
    binnen = fields.Nested(Inner)
    velen = fields.List(fields.Nested(Inner))
    alle = fields.Nested(Inner, many=True)
    woorden = fields.List(fields.String())
    extra = fields.Dict(keys=fields.String(), values=fields.Integer())
    bedrag = fields.Float()
    wanneer = fields.DateTime()


class Hooked(Schema):
    a = fields.String()

    @post_dump
    def shout(self, data, **kwargs):
        return {k: v.upper() for k, v in data.items()}


@dataclass
class Thing:
    name: str | None
    getal: int | None = None


CASES = [
    {"id": "1"},
    {"id": 7, "titel": None, "code": "running", "actief": 1, "binnen": None, "velen": [], "alle": None},
    {"id": b"bytes", "titel": "x", "code": "onbekend", "actief": "false", "woorden": ["a", 3, None],
     "binnen": Thing("Jan", 4), "velen": [{"name": "a"}, Thing(None)], "alle": [Thing("b", "12")],
     "extra": {"k": "5"}, "bedrag": 1.5, "wanneer": None},
    Thing("een object zonder de meeste velden"),
]


@pytest.mark.parametrize("obj", CASES)
def test_the_answer_is_marshmallows(obj):
    schema = Outer()
    assert api_dump.dump(schema, obj) == schema.dump(obj)


def test_many_and_hooks_and_the_api_schemas():
    many = Inner(many=True)
    assert api_dump.dump(many, [{"name": "a"}, Thing("b", 2)]) == many.dump([{"name": "a"}, Thing("b", 2)])
    hooked = Hooked()
    assert api_dump.dump(hooked, {"a": "x"}) == {"a": "X"}  # left to marshmallow
    page = {"view": "team", "items": [{"id": "t", "case": "c", "client": "Jan", "bsn_masked": "*****1234",
                                      "municipality": "m", "organisation": "o", "phase": None, "task": "Intake",
                                      "spec": "intake", "lane": None, "due": None, "mark": None,
                                      "created_at": "2026-11-30T12:00:00+00:00", "waiting_seconds": 3,
                                      "claimed_by": None, "data": {"trede": "2"}}],
            "total": 1, "total_exact": True, "page": 1, "pages": 1, "has_next": False, "per_page": 25,
            "columns": ["trede"], "counts": {"team": 1}, "counts_exact": {"team": True}}
    assert api_dump.dump(s.InboxPageSchema(), page) == s.InboxPageSchema().dump(page)


def test_a_difference_is_caught_when_verifying(monkeypatch):
    monkeypatch.setattr(api_dump, "VERIFY", True)
    monkeypatch.setattr(api_dump, "_string", lambda value, attr, obj: "anders")
    monkeypatch.setattr(api_dump, "_PLANS", {})
    with pytest.raises(AssertionError, match="wijkt af"):
        api_dump.dump(Inner(), {"name": "Jan"})
