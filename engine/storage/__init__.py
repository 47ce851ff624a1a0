"""Storage: tables, the unit of work and migrations (SQLAlchemy, Alembic)."""
from .db import Database, UnitOfWork
from .models import (
    CaseRow,
    DefinitionRow,
    DestructionRow,
    EventRow,
    RetentionApprovalRow,
    TaskRow,
    TimerRow,
    metadata,
)

__all__ = ["Database", "UnitOfWork", "CaseRow", "DefinitionRow", "DestructionRow", "EventRow", "RetentionApprovalRow",
           "TaskRow", "TimerRow", "metadata"]
from . import (
    accounts_models,  # noqa: F401
    capacity_models,  # noqa: F401
    designer_models,  # noqa: F401
    ratelimit_models,  # noqa: F401, E402
)
