"""Tables for accounts: organisations, users, memberships (roles), server-side
web sessions and the access log (Logboek Dataverwerkingen).

They live on the same declarative ``Base`` as the engine's tables so one
metadata describes the whole schema; migration ``0002_accounts`` creates them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class OrganisationRow(Base):
    """A municipality (``tilburg``) or a regional organisation (``ijmond_werkt``)."""

    __tablename__ = "organisations"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # gemeente, regionaal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Rechtspersonen en Samenwerkingsverbanden Informatienummer: the ZGW export's bronorganisatie
    rsin: Mapped[str | None] = mapped_column(String(9), nullable=True)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # set when an administrator resets the password: the user must choose a new one at login
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MembershipRow(Base):
    """One role of a user in an organisation; consultants have one row per lane."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation", "role", "lane", name="uq_membership"),
        Index("ix_memberships_org_role", "organisation", "role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation: Mapped[str] = mapped_column(ForeignKey("organisations.key"))
    role: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(100), default="")  # "" when the role has no lane
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by: Mapped[str] = mapped_column(String(100))


class WebSessionRow(Base):
    """A logged-in browser. ``id`` is the SHA-256 of the cookie value, never the value itself."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)


class AccessLogRow(Base):
    """Who looked at which case, why, when and with what result.

    Field names follow the Logboek Dataverwerkingen standard: a trace/span id
    per request, the operation, the processing activity (verwerkingsactiviteit)
    and the data subject as a pseudonym (HMAC of the BSN with a server secret).
    """

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_case", "case_id", "started_at"),
        Index("ix_access_log_user", "user_id", "started_at"),
        Index("ix_access_log_subject", "data_subject_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    operation: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # ok, geweigerd, niet_gevonden
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    purpose: Mapped[str] = mapped_column(String(200))
    processing_activity: Mapped[str] = mapped_column(String(100))
    data_subject_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data_subject_id_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    details: Mapped[str | None] = mapped_column(Text, nullable=True)


class ApiTokenRow(Base):
    """A machine client's bearer token for /api/v1. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TaskDraftRow(Base):
    """Form input a user saved as a draft (concept) before completing the task."""

    __tablename__ = "task_drafts"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # JSON of the raw form values
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboxSearchRow(Base):
    """A search typed in the inbox, kept server-side so the URL carries only this random
    id — a searched BSN never lands in a server log, browser history or Referer header."""

    __tablename__ = "inbox_searches"
    __table_args__ = (Index("ix_inbox_searches_user", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrganisationBlockRow(Base):
    """A user blocked in one organisation (by an administrator of that organisation): the
    user keeps their roles elsewhere. ``UserRow.blocked`` stays the global block (CLI)."""

    __tablename__ = "organisation_blocks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(ForeignKey("organisations.key"), primary_key=True)
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_by: Mapped[str] = mapped_column(String(100))


class AccountEventRow(Base):
    """One change to an account, append-only and hash-chained over the whole trail:
    who (``actor``) did what (``action``) for whom (``subject``), when, in which
    organisation, with details that never hold a password or a token."""

    __tablename__ = "account_events"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_account_events_seq"),
        Index("ix_account_events_subject", "subject", "seq"),
        Index("ix_account_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccountEventScopeRow(Base):
    """Which organisations may read an account event: the organisation acted in, or for a
    change to the account itself (password, token, global block) every organisation the
    person belonged to at that moment."""

    __tablename__ = "account_event_scopes"
    __table_args__ = (Index("ix_account_event_scopes_org", "organisation", "event_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("account_events.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)


class AccountTrailHeadRow(Base):
    """The trail's last sequence number and hash (one row, id 1): locked by every writer,
    so two administrators acting at once queue instead of forking the chain, and a trail
    cut off at its end no longer matches its head."""

    __tablename__ = "account_trail_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
