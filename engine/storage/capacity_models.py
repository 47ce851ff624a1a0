"""Places as a resource per organisation (migrations 0011, 0012): the limits, the counters, the placements."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class CapacityRow(Base):
    """How many places an instrument has (from processes/<key>/capaciteit.json, set on deploy)."""

    __tablename__ = "capacity"

    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    places: Mapped[int] = mapped_column(Integer)
    per: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None (constant), "week" or "jaar"
    # places per calendar year as JSON {"2015": 5, "2016": 15} (the last year's number continues)
    schedule: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch: Mapped[int | None] = mapped_column(Integer, nullable=True)  # places per batch (per "jaar")


class CapacityUseRow(Base):
    """Places taken per instrument and period ('' for a constant number of places). Taking a place
    is one conditional UPDATE of this row, so two people taking the last place get one success."""

    __tablename__ = "capacity_use"

    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(48), primary_key=True)
    occupied: Mapped[int] = mapped_column(Integer)


class PlacementRow(Base):
    """One case on one instrument: holding a place (bezet), waiting (wachtlijst), or done."""

    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_queue", "organisation", "instrument", "status", "id"),
        Index("ix_placements_case", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation: Mapped[str] = mapped_column(String(64))
    instrument: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(48))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    status: Mapped[str] = mapped_column(String(16))  # bezet, wachtlijst, vrijgegeven, besteed (a yearly place), vervallen
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
