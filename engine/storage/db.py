"""Connections and the unit of work: the one place a transaction begins and commits.

``with db.unit_of_work() as uow: ...; uow.commit()`` — leaving the block
without ``commit()`` rolls back, and an exception always rolls back and
propagates. On SQLite (the embedded default) write transactions start with
``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing halfway,
and the file runs in WAL mode so readers never wait for writers.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import CaseMovedOn, Conflict
from . import batch

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
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _ping_after_idle(self.engine)
            _read_only_readers(self.engine)
        self._writer = self.engine.execution_options(werkpad_write=True)
        self._sessions = sessionmaker(bind=self._writer, expire_on_commit=False, autoflush=True)
        # a query through the session sees the writes the unit of work deferred (UnitOfWork.defer)
        event.listen(self._sessions, "do_orm_execute", _deferred_first)
        self._readers = sessionmaker(bind=self.engine.execution_options(werkpad_read=True),
                                     expire_on_commit=False, autoflush=True)

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        # on PostgreSQL a reading unit is READ ONLY and ends with COMMIT (see _read_only_readers)
        return UnitOfWork(self._sessions if write else self._readers, write, commit_reads=not self.is_sqlite)

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


def _deferred_first(orm_execute_state) -> None:
    uow = orm_execute_state.session.info.get("werkpad_uow")
    if uow is not None:
        uow.write_deferred()


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest before it is tested on checkout


def _ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has rested a while: one round trip
    less on every request under load, where connections are taken back within milliseconds.
    A connection that fails its test is replaced (the pool retries the checkout); a server that
    went away while connections were in use is found by the next statement, which fails (the
    web answers 503 with Retry-After) and makes the pool drop every connection of the old server."""

    @event.listens_for(engine, "checkin")
    def _resting(_dbapi_connection, record) -> None:
        record.info["werkpad_rests_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_after_rest(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("werkpad_rests_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure: not this connection
            raise DisconnectionError("verbinding met de database verbroken") from exc
        if not alive:
            raise DisconnectionError("verbinding met de database verbroken")


def _read_only_readers(engine: Engine) -> None:
    """A reading unit of work runs as a READ ONLY transaction (``BEGIN READ ONLY``, no extra round
    trip): PostgreSQL refuses a write in it, so it may end with COMMIT instead of ROLLBACK. That
    matters because psycopg forgets every prepared statement of the connection on ROLLBACK (and
    sends DEALLOCATE ALL): with the inbox read a few times a second, the commands' statements were
    planned anew on nearly every execution (measured: 43% of executions planned under bench.load)."""

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        driver = conn.connection.driver_connection
        read_only = True if conn.get_execution_options().get("werkpad_read") else None  # None: plain BEGIN
        if driver.read_only is not read_only:
            driver.read_only = read_only


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

    def __init__(self, factory: sessionmaker, write: bool = True, commit_reads: bool = False) -> None:
        self._factory = factory
        self.write = write
        self._commit_reads = commit_reads and not write

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.session.info["werkpad_uow"] = self
        self._committed = False
        self._deferred: list[tuple[Any, Any, bool]] = []
        return self

    def commit(self) -> None:
        try:
            self.write_deferred()
        except CaseMovedOn:
            self.session.rollback()
            raise
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
        self.write_deferred()
        return self.session.connection().execute(statement, params)

    def rows(self, query, params: dict) -> list[tuple]:
        """The rows of a PlainQuery (storage/plain.py) in this transaction, after the deferred writes."""
        self.write_deferred()
        return query.rows(self.session.connection(), params)

    def defer(self, statement, params, must_change_one: bool = False) -> None:
        """A write the command never reads back, sent with the others at the latest moment: before
        the next read in this transaction or at commit, all in one statement on PostgreSQL (see
        batch.py), one by one on SQLite (where a statement costs no round trip). With
        ``must_change_one`` the write must change exactly one row, or the command fails with
        CaseMovedOn (someone else changed the row first) and nothing is written."""
        self._deferred.append((statement, params, must_change_one))

    def write_deferred(self) -> None:
        if not self._deferred:
            return
        pending, self._deferred = self._deferred, []
        connection = self.session.connection()
        counts = batch.run(connection, pending) if connection.dialect.name == "postgresql" else None
        if counts is None:
            counts = []
            for statement, params, must_change_one in pending:
                done = connection.execute(statement, params)
                if must_change_one:
                    counts.append(done.rowcount)
        if any(count != 1 for count in counts):
            raise CaseMovedOn("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw")

    def flush(self) -> None:
        self.write_deferred()
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise CaseMovedOn("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw") from exc

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self._committed:
                # detach first so objects read in this unit stay readable after it (and so that
                # the session has nothing left to write)
                self.session.expunge_all()
                if exc is None and self._commit_reads:
                    # a reading unit on PostgreSQL (READ ONLY) ends with COMMIT: nothing to undo,
                    # and psycopg keeps its prepared statements (see _read_only_readers)
                    self.session.commit()
                else:
                    self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, StaleDataError):  # an autoflush met a concurrent update
            raise CaseMovedOn("de zaak is intussen door iemand anders gewijzigd; probeer het opnieuw") from exc
