"""Who acts, and on behalf of which request: the acting principal, the trusted
system actors, and the request's context for the access log.

Every command of :mod:`engine.app.cases` takes an *actor*:

* a :class:`~engine.app.accounts.Principal` (a person through the pages or the API):
  the command checks the one access policy (:mod:`engine.app.policy`) itself and
  writes the access-log row in the same unit of work as the change;
* a :class:`SystemActor` (the timer worker, the CLI run by an operator on the
  server, demo and simulation tools): trusted, no policy; its name goes into the
  audit trail. It gets an access-log row only when the caller hands the command a
  :class:`RequestContext`: the CLI does, for its operator (``beheer:<account>``),
  so the shell's reads and changes are logged like the browser's; the timer worker
  and the tools do not (no one looks at a client's data there).

A bare string is read as a :class:`SystemActor` of that name (the timer worker's
and the tools' names); the CLI resolves its ``--user`` to the person's principal.

:class:`RequestContext` is what the request knows for the access log (trace and
span id, when it started, the operation and its purpose) as a plain value: no
Flask here.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..core import clock

# SQLAlchemy and the storage models are imported where a row is written: ``werkpad case show``
# builds its access-log row here and writes it with the database driver alone (engine.storage.quick)
if TYPE_CHECKING:  # accounts imports this module
    from ..storage import Database
    from ..storage.accounts_models import AccessLogRow
    from .accounts import Principal

ACTIVITY = "uitvoering-participatiewet"
PSEUDONYM_ENV = "WERKPAD_PSEUDONYM_SECRET"
PSEUDONYM_FILE = "pseudoniem.key"


def pseudonym_secret(instance_dir: Path, configured: bytes | str | None = None) -> bytes:
    """The server secret that pseudonymises BSNs in the access log: ``configured``, else the
    environment (``WERKPAD_PSEUDONYM_SECRET``), else the key file in ``instance_dir`` (made
    on first use). The web server and the CLI take it from the same place, so a person's
    records carry the same pseudonym whichever way they acted."""
    configured = configured or os.environ.get(PSEUDONYM_ENV)
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    path = Path(instance_dir) / PSEUDONYM_FILE
    if not path.exists():
        # several processes may start at once: write a complete file aside, then link it into
        # place atomically; whoever loses the race reads the winner's key
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class SystemActor:
    """A trusted actor outside the access policy: the timer worker, an operator's CLI, a tool."""

    name: str

    @property
    def username(self) -> str:
        return self.name


Actor: TypeAlias = "Principal | SystemActor"
SYSTEM = SystemActor("system")


def as_actor(actor: Actor | str | None) -> Actor:
    if actor is None:
        return SYSTEM
    if isinstance(actor, str):
        return SystemActor(actor)
    return actor


@dataclass(frozen=True)
class RequestContext:
    """The access-log facts of one request (the command adds who, what case and the outcome)."""

    operation: str
    purpose: str
    trace_id: str = field(default_factory=lambda: secrets.token_hex(16))
    span_id: str = field(default_factory=lambda: secrets.token_hex(8))
    started_at: datetime = field(default_factory=clock.now)
    activity: str = ACTIVITY

    def named(self, operation: str, purpose: str) -> RequestContext:
        return RequestContext(operation, purpose, self.trace_id, self.span_id, self.started_at, self.activity)


@dataclass(frozen=True)
class Access:
    """One access-log entry's subject: the organisation, case, task and data subject it is about."""

    organisation: str | None = None
    case_id: str | None = None
    task_id: str | None = None
    bsn: str | None = None


@dataclass(frozen=True)
class AccessNote:
    """The access-log row an account command writes in its own transaction (so the change and the
    record of who made it are stored together or not at all): who acts, the request's facts, the
    organisation it is about and what else the row tells. The command adds whom it was about."""

    principal: Any
    context: RequestContext
    organisation: str | None = None
    details: dict = field(default_factory=dict)


@functools.cache
def _insert_statement() -> Any:
    """The access log's INSERT, built once (when a command first writes a row)."""
    from sqlalchemy import insert

    from ..storage.accounts_models import AccessLogRow
    from ..storage.db import table_of

    return insert(table_of(AccessLogRow))


def access_values(actor: Principal | SystemActor | None, context: RequestContext, status: str, access: Access,
                  secret: bytes, details: dict | None = None) -> dict:
    """One access-log row's columns. A person is named with their user id; a system actor (the
    operator's CLI, ``beheer:<account>``) by its name alone, without a user id; nobody as ``anoniem``.
    The data subject is the BSN's pseudonym (HMAC-SHA256 with the server secret)."""
    if access.bsn and not secret:
        raise RuntimeError("geen pseudonimiseringssleutel ingesteld")
    return dict(
        trace_id=context.trace_id, span_id=context.span_id, operation=context.operation,
        started_at=context.started_at, ended_at=clock.now(), status=status,
        user_id=getattr(actor, "user_id", None),
        username=actor.username if actor is not None else "anoniem",
        organisation=access.organisation, case_id=access.case_id, task_id=access.task_id,
        purpose=context.purpose, processing_activity=context.activity,
        data_subject_id=hmac.new(secret, access.bsn.encode(), hashlib.sha256).hexdigest() if access.bsn else None,
        data_subject_id_type="bsn-pseudoniem" if access.bsn else None,
        details=json.dumps(details, ensure_ascii=False) if details else None)


class AccessLog:
    """Writes access-log rows; the data subject is pseudonymised (HMAC-SHA256 of the BSN with
    the server secret). ``add`` joins the caller's unit of work; ``write`` is a transaction of its own.
    The actor is a person (:class:`~engine.app.accounts.Principal`) or, when a caller gave the
    command a context, a :class:`SystemActor` such as the CLI's operator."""

    def __init__(self, db: Database, secret: bytes | str | None = None) -> None:
        self.db = db
        self.set_secret(secret)

    def set_secret(self, secret: bytes | str | None) -> None:
        secret = secret or b""
        self._secret = secret.encode() if isinstance(secret, str) else secret

    def pseudonymise(self, bsn: str | None) -> str | None:
        if not bsn:
            return None
        if not self._secret:
            raise RuntimeError("geen pseudonimiseringssleutel ingesteld")
        return hmac.new(self._secret, bsn.encode(), hashlib.sha256).hexdigest()

    def row(self, principal: Principal | SystemActor | None, context: RequestContext, status: str,
            access: Access, details: dict | None = None) -> AccessLogRow:
        from ..storage.accounts_models import AccessLogRow

        return AccessLogRow(**self.values(principal, context, status, access, details))

    def values(self, principal: Principal | SystemActor | None, context: RequestContext, status: str,
               access: Access, details: dict | None = None) -> dict:
        return access_values(principal, context, status, access, self._secret, details)

    def add(self, uow, principal: Principal | SystemActor | None, context: RequestContext, status: str,
            access: Access) -> None:
        # a plain INSERT in the command's transaction, deferred with its other writes: the row is
        # never read back in it, so it need not go through the session's unit of work
        uow.defer(_insert_statement(), [self.values(principal, context, status, access)])

    def write(self, principal: Principal | SystemActor | None, context: RequestContext, status: str,
              access: Access, details: dict | None = None) -> None:
        with self.db.unit_of_work() as uow:
            uow.session.add(self.row(principal, context, status, access, details))
            uow.commit()
