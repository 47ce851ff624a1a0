"""The tables. Timestamps are stored in UTC; case state and event payloads as JSON text."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


metadata = Base.metadata


class DefinitionRow(Base):
    __tablename__ = "definition_versions"
    __table_args__ = (UniqueConstraint("process_key", "version_hash", name="uq_definition_key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    version_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(64))
    municipalities: Mapped[str] = mapped_column(Text)  # JSON list
    effective_from: Mapped[date] = mapped_column(Date)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str] = mapped_column(String(100))
    record: Mapped[str] = mapped_column(Text)  # JSON: manifest, files, forms, vocabulary
    meta: Mapped[str] = mapped_column(Text)  # JSON: phases, lanes, user tasks, timers


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_org_status", "organisation", "status"),
        Index("ix_cases_municipality", "municipality"),
        Index("ix_cases_bsn", "bsn"),
        Index("ix_cases_name_id", "client_name", "id"),  # migration 0003: inbox search by name
        Index("ix_cases_case_number", "case_number", unique=True),  # migration 0006
        # migration 0014_admin2: Zoek cliënt walks an organisation's newest cases with their names
        Index("ix_cases_org_started_name", "organisation", "started_at", "client_name", "id"),
        Index("ix_cases_birthdate", "birthdate"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"))
    process_key: Mapped[str] = mapped_column(String(64))
    municipality: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64))
    bsn: Mapped[str] = mapped_column(String(9))
    client_name: Mapped[str] = mapped_column(String(200))
    birthdate: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lock_version: Mapped[int] = mapped_column("version", Integer)  # optimistic locking counter
    state: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str | None] = mapped_column(String(16), nullable=True)  # 2026-000123, migration 0006
    # keyed seal over (id, last_seq, last_hash), engine/app/sealing.py; migration 0012
    seal: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __mapper_args__ = {"version_id_col": lock_version}


class CaseNumberRow(Base):
    """The last case number handed out per start year (engine/case_numbers.py)."""

    __tablename__ = "case_numbers"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


_OPEN = "status = 'open'"
_OPEN_UNCLAIMED = "status = 'open' AND claimed_by IS NULL"
_OPEN_CLAIMED = "status = 'open' AND claimed_by IS NOT NULL"


class TaskRow(Base):
    """The inbox index: one row per user task, open or done."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_open_lane_due", "status", "lane", "due_at"),
        Index("ix_tasks_case_status", "case_id", "status"),
        # added by migration 0002 for the inbox pages (0016 dropped two that others cover)
        Index("ix_tasks_claimed_due", "claimed_by", "status", "due_at"),
        Index("ix_tasks_status_due", "status", "due_at"),
        # migration 0014: the inbox's first page per branch of a view (engine/app/inbox.py), in the
        # page's order, over open tasks only: a team's lane, a person's own tasks, an organisation
        Index("ix_tasks_open_team", "organisation", "lane", "due_at", "created_at", "id",
              postgresql_where=text(_OPEN_UNCLAIMED), sqlite_where=text(_OPEN_UNCLAIMED)),
        Index("ix_tasks_open_mine", "claimed_by", "organisation", "due_at", "created_at", "id",
              postgresql_where=text(_OPEN_CLAIMED), sqlite_where=text(_OPEN_CLAIMED)),
        Index("ix_tasks_open_organisation", "organisation", "due_at", "created_at", "id",
              postgresql_where=text(_OPEN), sqlite_where=text(_OPEN)),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    # the case's organisation (a case never changes organisation), so the inbox reads and counts a
    # view from the task rows alone; written by Repository.sync_index only (migration 0014)
    organisation: Mapped[str] = mapped_column(String(64))
    spec: Mapped[str] = mapped_column(String(200))
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(100), nullable=True)
    form: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phase: Mapped[str | None] = mapped_column(String(32), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # open, completed, cancelled
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class TimerRow(Base):
    """Due time of every waiting timer, so firing costs work per due timer only."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "due_at"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    spec: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    """The audit trail, hash-chained per case."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase: Mapped[str | None] = mapped_column(String(32), nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # migration 0009: the fingerprint the digest was made of (canonical JSON), None for older events
    snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)


class RetentionApprovalRow(Base):
    """A destruction list approved by one person; destroyed by another (four eyes)."""

    __tablename__ = "retention_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    approved_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    case_ids: Mapped[str] = mapped_column(Text)  # JSON list
    used_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DestructionRow(Base):
    """What stays of a destroyed case: no personal data, the dates, who approved, its last hash;
    the records are hash-chained among themselves."""

    __tablename__ = "destruction_records"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[str] = mapped_column(String(32), unique=True)
    case_number: Mapped[str | None] = mapped_column(String(16), nullable=True)  # accounts for the number
    organisation: Mapped[str] = mapped_column(String(64))
    municipality: Mapped[str] = mapped_column(String(64))
    process_key: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    term_years: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date)
    destruction_date: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(100))
    destroyed_by: Mapped[str] = mapped_column(String(100))
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditRunRow(Base):
    """Verifying every case of an organisation, run in the background: progress and findings kept
    (engine/app/audit_workspace.py)."""

    __tablename__ = "audit_runs"
    __table_args__ = (Index("ix_audit_runs_organisation", "organisation", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(64))
    started_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # a heartbeat while it runs
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # running, done, cancelled, failed
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    broken: Mapped[int] = mapped_column(Integer)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of findings
