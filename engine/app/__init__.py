"""The use cases, one module per job, sharing :mod:`engine.app.repository`.

``Werkpad`` (:mod:`engine.app.facade`) is the thin facade entry points hold.
It is loaded when first used, so importing one job module (``engine.app.cases``)
does not load all the others.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .facade import Werkpad, default_database_url

__all__ = ["Werkpad", "default_database_url"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'engine.app' has no attribute {name!r}")
    from . import facade

    value = getattr(facade, name)
    globals()[name] = value
    return value
