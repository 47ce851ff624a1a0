"""Texts the engine shows to people, kept translatable.

A :class:`Msg` *is* the Dutch text (a ``str``: the CLI, the JSON API, logs and tests use it
as is) and also carries its template and values, so a boundary that speaks another language
— the web pages in English — looks the template up in its translation catalogue and fills in
the values there::

    raise Conflict(Msg("taak is geclaimd door %(wie)s", wie="tineke"))
    # str(...) == "taak is geclaimd door tineke"; web: "task is claimed by tineke"

Templates use ``%(name)s`` placeholders (gettext's python-format). The extraction keyword
is ``Msg`` (see web/i18n.py for the pybabel command).
"""
from __future__ import annotations

from typing import Any


class Msg(str):
    """A Dutch text with its template and values."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        obj = super().__new__(cls, template % params if params else template)
        obj.template = template
        obj.params = params
        return obj

    def format(self, *args: Any, **kwargs: Any) -> str:  # noqa: A003 - str's own name
        """Already filled in: marshmallow formats error texts with ``{}``; keep this one whole."""
        return self

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, Any]) -> Msg:
    return Msg(template, **params)
