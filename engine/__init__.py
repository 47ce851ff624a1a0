"""Werkpad's engine: the public API.

Entry points (CLI, web, scheduler) use only what is exported here. The core
(runtime, definitions, forms, expressions) knows nothing of Flask or SQL; the
storage package owns the database; :class:`Werkpad` ties them together as use
cases.
"""
from .app import Werkpad, default_database_url
from .core import clock
from .core.bsn import is_valid_bsn, mask_bsn
from .core.runtime import PHASES
from .errors import (
    Conflict,
    DefinitionError,
    EngineError,
    NotFound,
    ValidationError,
    WerkpadError,
)
from .tools.compare import dry_run_record

__all__ = [
    "Werkpad", "default_database_url", "clock", "PHASES", "is_valid_bsn", "mask_bsn",
    "WerkpadError", "NotFound", "ValidationError", "DefinitionError", "Conflict",
    "EngineError", "dry_run_record",
]
