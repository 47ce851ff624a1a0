"""Counters for rate limits shared by every web process (migration ``0007_rate_limits``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class RateCounterRow(Base):
    """Hits of one key (``login-ip:<ip>``, ``login-fail:<user>@<ip>``) in its current window."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(Integer)
