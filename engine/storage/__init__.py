"""Storage: tables, the unit of work and migrations (SQLAlchemy, Alembic).

Names load on first use (PEP 562): ``engine.storage.quick`` (the DB-API reader of
short-lived processes) can be imported without SQLAlchemy. The case tables load
with :class:`Database`'s users; the tables of accounts, capacity, the designer and
rate limits load with the modules that use them. ``metadata`` (the whole schema,
for Alembic) imports them all first.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from .db import Database, UnitOfWork
    from .models import (
        CaseRow,
        DefinitionRow,
        DestructionRow,
        EventRow,
        RetentionApprovalRow,
        TaskRow,
        TimerRow,
    )

    metadata: MetaData

__all__ = ["Database", "UnitOfWork", "CaseRow", "DefinitionRow", "DestructionRow", "EventRow", "RetentionApprovalRow",
           "TaskRow", "TimerRow", "metadata"]


def __getattr__(name: str) -> Any:
    if name == "metadata":
        from . import accounts_models, capacity_models, designer_models, models, ratelimit_models  # noqa: F401

        return models.metadata
    if name not in __all__:
        raise AttributeError(f"module 'engine.storage' has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{'db' if name in ('Database', 'UnitOfWork') else 'models'}"), name)
    globals()[name] = value
    return value
