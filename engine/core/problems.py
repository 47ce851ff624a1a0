"""One reason a process version cannot run, tied to the element it concerns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
        if self.file and not self.message.startswith(self.file):
            return f"{self.file}: {self.message}"
        return self.message
