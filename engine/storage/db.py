"""Connections and the unit of work: the one place a transaction begins and commits.

``with db.unit_of_work() as uow: ...; uow.commit()`` — leaving the block
without ``commit()`` rolls back, and an exception always rolls back and
propagates. On SQLite (the embedded default) write transactions start with
``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing halfway,
and the file runs in WAL mode so readers never wait for writers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import CaseMovedOn, Conflict

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def table_of(model: Any) -> Table:
    """A mapped class's table, for plain (Core) statements on it."""
    return cast(Table, model.__table__)


class Database:
    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict = {"echo": echo, "future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._writer = self.engine.execution_options(werkpad_write=True)
        self._sessions = sessionmaker(bind=self._writer, expire_on_commit=False, autoflush=True)
        self._readers = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self._sessions if write else self._readers, write)

    def upgrade(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("werkpad_write") else "BEGIN")


class UnitOfWork:
    """A transaction; rolls back unless :meth:`commit` was called."""

    session: Session

    def __init__(self, factory: sessionmaker, write: bool = True) -> None:
        self._factory = factory
        self.write = write

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._committed = False
        return self

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise CaseMovedOn("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw") from exc
        except OperationalError as exc:
            self.session.rollback()
            if "locked" in str(exc).lower() or "could not serialize" in str(exc).lower():
                raise Conflict("de database is bezet; probeer het opnieuw") from exc
            raise
        self._committed = True

    def execute(self, statement, params=None):
        """A plain (Core) statement in this transaction. Unlike ``session.execute`` it does not
        flush the session's pending objects first, so a command's case row is written once, at
        commit; use it for rows the session does not hold (inserts of events, index rows)."""
        return self.session.connection().execute(statement, params)

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise CaseMovedOn("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw") from exc

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self._committed:
                # detach first so objects read in this unit stay readable after it
                self.session.expunge_all()
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, StaleDataError):  # an autoflush met a concurrent update
            raise CaseMovedOn("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw") from exc
