"""One reason a process version cannot run, tied to the element it concerns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One reason a version cannot run. ``element`` is a BPMN/DMN element id when known,
    ``file`` the file it is in (``tilburg.bpmn``, ``forms/x.json``)."""

    message: str
    element: str | None = None
    file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        if self.file and not self.message.startswith(self.file):
            return f"{self.file}: {self.message}"
        return self.message
