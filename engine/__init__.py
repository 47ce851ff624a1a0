"""Werkpad's engine: the public API.

Entry points (CLI, web, scheduler) use only what is exported here. The core
(runtime, definitions, forms, expressions) knows nothing of Flask or SQL; the
storage package owns the database; :class:`Werkpad` ties them together as use
cases.

The names are loaded when first used (PEP 562), so ``import engine`` — and
every ``engine.*`` import, which runs this file first — costs nothing: a CLI
command that only reads a case never loads SpiffWorkflow or the form schemas.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    Conflict,
    DefinitionError,
    EngineError,
    NotFound,
    ValidationError,
    WerkpadError,
)

if TYPE_CHECKING:
    from .app import Werkpad, default_database_url
    from .core import clock
    from .core.bsn import is_valid_bsn, mask_bsn
    from .core.runtime import PHASES
    from .tools.compare import dry_run_record

# name -> the module that defines it (the module itself when the name is a module)
_LAZY = {
    "Werkpad": "engine.app.facade", "default_database_url": "engine.app.facade",
    "clock": "engine.core.clock", "PHASES": "engine.core.runtime",
    "is_valid_bsn": "engine.core.bsn", "mask_bsn": "engine.core.bsn",
    "dry_run_record": "engine.tools.compare",
}

__all__ = [
    "Werkpad", "default_database_url", "clock", "PHASES", "is_valid_bsn", "mask_bsn",
    "WerkpadError", "NotFound", "ValidationError", "DefinitionError", "Conflict",
    "EngineError", "dry_run_record",
]


def __getattr__(name: str) -> Any:
    source = _LAZY.get(name)
    if source is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    module = import_module(source)
    value = module if source.rpartition(".")[2] == name else getattr(module, name)
    globals()[name] = value
    return value
