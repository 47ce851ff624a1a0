"""Checks of a process version before it may run: one list of problems, each tied to
the element it concerns, so a designer sees them on the diagram.

``check_bundle`` is what deploying, saving a draft and publishing all call. A version
with problems can be kept as a draft but never deployed or published.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DefinitionError
from .definitions import Bundle, bundle_from_files, describe

__all__ = ["Problem", "check_bundle", "bundle_from_files"]


@dataclass(frozen=True)
class Problem:
    """One reason a version cannot run. ``element`` is a BPMN/DMN element id when known,
    ``file`` the file it is in (``tilburg.bpmn``, ``forms/x.json``)."""

    message: str
    element: str | None = None
    file: str | None = None
    extra: dict = field(default_factory=dict, compare=False)


def check_bundle(bundle: Bundle) -> list[Problem]:
    """Every problem of ``bundle``; an empty list means it may be deployed."""
    try:
        describe(bundle)
    except DefinitionError as exc:
        problems = exc.details.get("problems")
        if not isinstance(problems, list) or not problems:
            problems = [exc.message]
        return [Problem(str(p)) for p in problems]
    return []
