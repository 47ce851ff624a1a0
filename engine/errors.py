"""The one error tree of Werkpad.

Everything the engine raises towards its callers (CLI, web, scheduler) is a
``WerkpadError``. Third-party exceptions (SpiffWorkflow, SQLAlchemy, lxml) are
translated at the boundary where they occur, with ``raise ... from exc``::

    WerkpadError
    ├── NotFound            unknown case, task, process or version (also: of another
    │                       organisation — it must look exactly like a missing one)
    ├── Forbidden           the acting person may see it but not do this
    ├── ValidationError     bad input: form data, BSN, dates (has field errors)
    ├── DefinitionError     a BPMN/DMN/form file that cannot be deployed
    ├── Conflict            the state changed under you (task no longer ready,
    │                       completed twice, concurrent update of a case)
    └── EngineError         the process itself failed while running
        └── CaseBroken      one case cannot be loaded or run (corrupt state,
                            missing version): that case goes in error, no other
"""
from __future__ import annotations


class WerkpadError(Exception):
    """Base class; ``code`` is a stable machine-readable name."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        out: dict = {"error": self.code, "message": self.message}
        out.update({k: v for k, v in self.details.items() if v is not None})
        return out


class NotFound(WerkpadError):
    code = "not_found"


class Forbidden(WerkpadError):
    code = "forbidden"


class ValidationError(WerkpadError):
    """Bad input. ``fields`` maps a field name to a list of messages."""

    code = "validation"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, **details: object) -> None:
        super().__init__(message, fields=fields or {}, **details)
        self.fields = fields or {}


class DefinitionError(WerkpadError):
    code = "definition"


class Conflict(WerkpadError):
    code = "conflict"


class CaseMovedOn(Conflict):
    """Another command on the same case committed while this one was under way. A command on
    the real clock runs again at a new moment (engine/app/cases.py); one given a moment does not."""


class EngineError(WerkpadError):
    code = "engine"


class CaseBroken(EngineError):
    """One case cannot be loaded or stepped; it is put in error, the rest goes on."""

    code = "case_broken"

    def __init__(self, case_id: str, message: str) -> None:
        super().__init__(message, case=case_id)
        self.case_id = case_id


class AccessLogUnavailable(WerkpadError):
    """The access-log row of a read could not be written; the read is refused (engine/app/reads.py)."""

    code = "access_log"
