"""Storage: tables, the unit of work and migrations (SQLAlchemy, Alembic).

The case tables load with this package; the tables of accounts, capacity, the
designer and rate limits load with the modules that use them. ``metadata`` (the
whole schema, for Alembic) imports them all first.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    metadata: MetaData

__all__ = ["Database", "UnitOfWork", "CaseRow", "DefinitionRow", "DestructionRow", "EventRow", "RetentionApprovalRow",
           "TaskRow", "TimerRow", "metadata"]


def __getattr__(name: str) -> Any:
    if name != "metadata":
        raise AttributeError(f"module 'engine.storage' has no attribute {name!r}")
    from . import accounts_models, capacity_models, designer_models, models, ratelimit_models  # noqa: F401

    return models.metadata
