"""One reason a process version cannot run, tied to the element it concerns.

Its ``message`` is a :class:`~engine.core.messages.Msg` (the Dutch text, with its template and
values) so that the web can show it in the user's language; a value may itself be a Msg (a
reason within a reason), which the web translates too. :meth:`Problem.to_dict` and
:func:`message_from_dict` keep template and values when a problem is stored as JSON; a stored
problem without them (stored before) comes back as the plain text it is.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .messages import Msg


@dataclass(frozen=True)
class Problem:
    """One reason a version cannot run. ``element`` is a BPMN/DMN element id when known,
    ``file`` the file it is in (``tilburg.bpmn``, ``forms/x.json``).

    ``refusal`` marks unsafe or unusable input (XML hazards, an oversized or unreadable
    file, an expression the safe-expression checker refuses, a form that is no valid JSON
    Schema or uses a keyword form validation does not enforce): refused on every save,
    nothing stored. Any other problem is a modelling finding: an editor's draft keeps it,
    publishing and deploying refuse it."""

    message: str
    element: str | None = None
    file: str | None = None
    refusal: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return str(self.text())

    def text(self) -> str:
        """The message with the file it is in in front (when it does not start with it); a
        :class:`Msg` when the message is one."""
        if self.file and not self.message.startswith(self.file):
            return Msg("%(bestand)s: %(melding)s", bestand=self.file, melding=self.message)
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """As stored (JSON): the Dutch ``message``, ``element`` and ``file``, and the message's
        ``template`` and ``params`` when it is a Msg."""
        out: dict[str, Any] = {"message": str(self.message), "element": self.element, "file": self.file}
        if isinstance(self.message, Msg):
            out.update(_msg_json(self.message))
        return out


def joined(texts: Sequence[str], separator: str = "; ") -> Msg:
    """Texts in one line, each kept as a value of its own (so each is translated where shown)."""
    names = [f"t{i}" for i in range(len(texts))]
    return Msg(separator.replace("%", "%%").join(f"%({n})s" for n in names),
               **dict(zip(names, texts, strict=True)))


def message_from_dict(stored: Mapping[str, Any]) -> str:
    """A stored problem's message: a Msg again when its template and values were stored and
    still give the stored Dutch text; otherwise the stored text as it is."""
    text = stored.get("message")
    text = text if isinstance(text, str) else ""
    if isinstance(stored.get("template"), str) and isinstance(stored.get("params", {}), dict):
        try:
            rebuilt = _msg_from_json(stored)
        except (KeyError, TypeError, ValueError, RecursionError):
            return text
        if rebuilt == text:
            return rebuilt
    return text


def _msg_json(message: Msg) -> dict[str, Any]:
    return {"template": message.template, "params": {k: _value_json(v) for k, v in message.params.items()}}


def _value_json(value: Any) -> Any:
    if isinstance(value, Msg):
        return _msg_json(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _msg_from_json(stored: Mapping[str, Any]) -> Msg:
    params = stored.get("params") or {}
    return Msg(str(stored["template"]), **{str(k): _value_from_json(v) for k, v in params.items()})


def _value_from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"template", "params"}:
        return _msg_from_json(value)
    return value
