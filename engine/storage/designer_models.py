"""Tables of the process designer (migration ``0008_designer``): drafts of a process,
what each published version was about (author, approver, change note) and the
designer's own audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class DraftRow(Base):
    """The open draft of a process: its files (BPMN, DMN, manifest, forms) as one JSON record,
    the problems the checks found at the last save and where it is in the four-eyes flow."""

    __tablename__ = "designer_drafts"
    __table_args__ = (Index("ix_designer_drafts_key_status", "process_key", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_key: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    base_definition_id: Mapped[int | None] = mapped_column(ForeignKey("definition_versions.id"), nullable=True)
    record: Mapped[str] = mapped_column(Text)  # JSON: manifest, files, forms, vocabulary
    problems: Mapped[str] = mapped_column(Text)  # JSON list of {message, element, file}
    status: Mapped[str] = mapped_column(String(20))  # concept, ter_goedkeuring, gepubliceerd, verworpen
    author: Mapped[str] = mapped_column(String(100))
    editors: Mapped[str] = mapped_column(Text)  # JSON list: everyone who saved it
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_from: Mapped[str | None] = mapped_column(String(10), nullable=True)  # asked for publication
    requested_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    requested_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_definition_id: Mapped[int | None] = mapped_column(ForeignKey("definition_versions.id"),
                                                                nullable=True)


class PublicationRow(Base):
    """Who made and approved a published version, and why."""

    __tablename__ = "designer_publications"

    definition_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"), primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("designer_drafts.id"))
    author: Mapped[str] = mapped_column(String(100))
    approved_by: Mapped[str] = mapped_column(String(100))
    change_note: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DesignerEventRow(Base):
    """The designer's audit trail: drafts saved, offered, approved, published, cases migrated."""

    __tablename__ = "designer_events"
    __table_args__ = (Index("ix_designer_events_key_at", "process_key", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    process_key: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    definition_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON
